"""Re-screening licensed drivers, so a driver revoked elsewhere yesterday is caught today.

The nightly run starts from what is new: register entries and intelligence recorded or changed since
`since`. It finds the licences those records may be (the match-key index, searched from the new record's
side), then screens each such licence as the subject, exactly as a screening would, and keeps the new
records among its candidates. Its cost follows the day's new records, not the 400k licences. The weekly
full run screens every live licence against every record, catching what the nightly one cannot (a
licence's details changed, a night missed). Both alert the licensing council "screening.new_match" for
candidates at `probable` or better and "screening.possible_match" (review it) for `possible` ones: every
record they screen is adverse, and a possible match of a revoked driver is worth an officer's look
(README, "Grant gate and monitoring policy"). A council is told about one record once, whichever of its
licences it may be and whatever its band, and never about a record it was already alerted to (the
request-path alerts of licensing/alerts/outbox.py); an officer's "not the same person" for the licence, or for
the application it was granted on, silences the pair. Read-only matching: no Screening row is written
(nobody's record is disclosed; the council screens again to see it).
"""

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from licensing.matching import DEFAULT_THRESHOLDS, person_from
from licensing.monitoring import queries
from licensing.monitoring.common import alert_once
from licensing.persistence import unit_of_work
from licensing.persistence.models import Intelligence, Licence, RegisterEntry
from licensing.screening.name_counts import KeyFrequencies
from licensing.screening.rulings import apply_rulings
from licensing.screening.service import find_candidates

LIVE = ("active", "suspended")
SOURCES = {"register_entry": RegisterEntry, "intelligence": Intelligence}
SOURCE_STATUS = {"register_entry": "current", "intelligence": "active"}
ALERT_TYPES = {
    "match": "screening.new_match",
    "probable": "screening.new_match",
    "possible": "screening.possible_match",
}
BATCH = 500


def rescreen_new(engine: Engine, since: datetime, now: datetime) -> Counter:
    """Screen the licences that records added or changed since `since` may be; alert new matches.

    The new records are searched in a reading unit of work, then BATCH licences at a time are screened
    and alerted in a writing unit each.
    """
    with unit_of_work.reading(engine) as session:
        frequencies = KeyFrequencies(session)
        fresh = _fresh_records(session, since)
        people = {hit: person_from(row) for hit, row in fresh.items()}
        floor = DEFAULT_THRESHOLDS.weak
        found = find_candidates(session, people, frequencies, kinds=("licence",), floor=floor)
    licence_ids = sorted({c.id for candidates in found.values() for c in candidates if c.band})
    done = Counter(new_records=len(fresh), licences=len(licence_ids))
    for start in range(0, len(licence_ids), BATCH):
        with unit_of_work.writing(engine) as session:
            rows = queries.licences_with_ids(session, licence_ids[start : start + BATCH])
            live = [r for r in rows if r.status in LIVE]
            done += screen_licences(session, live, now, frequencies, set(fresh))
    return done


def rescreen_all(engine: Engine, now: datetime, *, batch: int = BATCH) -> Counter:
    """Screen every live licence against every register entry and intelligence; alert new matches.

    `batch` licences at a time, each batch in a writing unit of work of its own.
    """
    with unit_of_work.reading(engine) as session:
        frequencies = KeyFrequencies(session)
    done, last_id = Counter(), 0
    while True:
        with unit_of_work.writing(engine) as session:
            rows = queries.licences_after(session, LIVE, last_id, batch)
            done += screen_licences(session, rows, now, frequencies)
        if not rows:
            return done
        done["licences"] += len(rows)
        last_id = rows[-1].id


def screen_licences(
    session: Session, licences: list[Licence], now: datetime, frequencies, only: set | None = None
) -> Counter:
    """Screen `licences` against entries and intelligence (only those in `only`, if given); alert."""
    people = {licence.id: person_from(licence) for licence in licences}
    found = find_candidates(
        session, people, frequencies, kinds=tuple(SOURCES), floor=DEFAULT_THRESHOLDS.possible
    )
    done = Counter()
    for licence in licences:
        wanted = [c for c in found[licence.id] if _alertable(c, licence, only)]
        for candidate in _not_ruled_out(session, licence, wanted):
            done[_alert(session, licence, candidate, now)] += 1
    return done


def _fresh_records(session: Session, since: datetime) -> dict[tuple[str, int], object]:
    """Return the screenable register entries and intelligence recorded or changed since `since`."""
    fresh = {}
    for kind, model in SOURCES.items():
        changed = queries.changed_since(session, model, SOURCE_STATUS[kind], since)
        fresh.update({(kind, row.id): row for row in changed})
    return fresh


def _alertable(candidate, licence: Licence, only: set | None) -> bool:
    """Tell whether a candidate is strong enough, another council's (or police), and in `only`."""
    if candidate.band not in ALERT_TYPES or candidate.authority_id == licence.authority_id:
        return False
    return only is None or (candidate.kind, candidate.id) in only


def _not_ruled_out(session: Session, licence: Licence, candidates: list) -> Iterable:
    """Drop candidates an officer already ruled not the same person, for the licence or its application."""
    if not candidates:
        return []
    for subject in (("licence", licence.id), ("application", licence.application_id)):
        if subject[1] is not None:
            apply_rulings(session, subject, person_from(licence), candidates)
    return [c for c in candidates if c.suppressed_by is None]


def _alert(session: Session, licence: Licence, candidate, now: datetime) -> str:
    """Alert the licensing council once about a candidate it has not been told about before."""
    key = f"{licence.id}:{candidate.kind}:{candidate.id}"
    told = _told(session, licence.authority_id, candidate)
    if told:
        # The same licence and record again (a rerun) or the record through another way in.
        return "already_alerted" if any(k and k.endswith(f":{key}") for k in told) else "already_told"
    raised = alert_once(
        session,
        authority_id=licence.authority_id,
        alert_type=ALERT_TYPES[candidate.band],
        subject=("licence", licence.id),
        now=now,
        key=key,
        detail={"candidate": {"kind": candidate.kind, "id": candidate.id}, "band": candidate.band},
    )
    return "alerted" if raised else "already_alerted"


def _told(session: Session, authority_id: int, candidate) -> list[str | None]:
    """Return the dedupe keys of the alerts that already told the council about the candidate's record.

    That is an alert about the record itself (licensing/alerts/outbox.py's request path), or a re-screen alert
    naming it for any of the council's licences (its dedupe key ends with the record).
    """
    alert_types = set(ALERT_TYPES.values())
    return queries.alert_keys_naming(
        session, authority_id, candidate.kind, candidate.id, alert_types, limit=10
    )
