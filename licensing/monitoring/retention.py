"""Retention: register entries are deleted once their retention period from first entry has passed.

The 2022 Act s.2 keeps entries (and what they rest on) for 11 years; some councils keep them 25 under
NAFN's policy (docs/reference.md, retention), so the period is a setting and councils under the
hold keep theirs for the hold's length. Each deletion takes the entry's match keys, change history and
s.3 information requests with it and writes one audit event naming only kinds and ids, never the data.
"""

from collections import Counter
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from licensing.audit import log as audit
from licensing.monitoring import queries
from licensing.monitoring.common import job_actor
from licensing.persistence import unit_of_work
from licensing.persistence.models import RegisterEntry
from licensing.screening.key_index import drop_records

BATCH = 500


def years_before(moment: datetime, years: int) -> datetime:
    """Return the same moment `years` earlier (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def purge_register(
    engine: Engine, now: datetime, *, years: int = 11, hold_years: int = 25, hold_codes=frozenset()
) -> Counter:
    """Delete every register entry first recorded more than its council's retention period ago.

    BATCH entries at a time, each batch in a writing unit of work of its own.
    """
    done = Counter()
    with unit_of_work.reading(engine) as session:
        held = queries.authority_ids_with_codes(session, hold_codes)
    # The held councils' entries under the hold's period, then everyone else's under the usual one.
    for councils, period in (({"authority_ids": held}, hold_years), ({"other_than": held}, years)):
        before = years_before(now, period)
        while purged := _purge_batch(engine, before, councils, period, now):
            done["register_entry"] += purged
    return done


def _purge_batch(engine: Engine, before: datetime, councils: dict, period: int, now: datetime) -> int:
    """Purge the first BATCH entries of `councils` (a filter of entries_recorded_before) first recorded
    before `before`, in a writing unit of work; return how many went."""
    with unit_of_work.writing(engine) as session:
        batch = queries.entries_recorded_before(session, before, BATCH, **councils)
        return _purge(session, batch, period, now) if batch else 0


def _purge(session: Session, entries: list[RegisterEntry], period: int, now: datetime) -> int:
    """Delete `entries` with their keys, history and information requests; audit each; return how many."""
    ids = [entry.id for entry in entries]
    requests = queries.information_requests_of(session, ids)
    for entry in entries:
        request_ids = sorted(r.id for r in requests if r.register_entry_id == entry.id)
        detail = {"retention_years": period, "information_request_ids": request_ids}
        actor = job_actor("retention", entry.authority_id)
        audit.record(
            session, actor, "register_entry.purged", "register_entry", entry.id, now=now, detail=detail
        )
    drop_records(session, "register_entry", ids)
    queries.delete_entries(session, ids)
    return len(ids)
