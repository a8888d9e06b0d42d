"""The grant gate, and the screening results it waits on: shown minimally, resolved by an officer.

2022 Act s.3(1): the register must be searched before any grant or renewal, and a match is never an
automatic refusal (statutory guidance). So a grant waits for a recent screening of the application in
which every `match` or `probable` candidate has been resolved by an officer, one way or the other.

Another council's records are shown only through a screening and only minimally (s.2(4): identity,
decision, dates, recording council); reasons travel only through a s.3 request. Each time a screening
shows another council's register entry, or an item of intelligence, that view is audited.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from licensing import applications, audit
from licensing.actors import Actor
from licensing.applications import clean_identity, own_application
from licensing.decisions import rule_out
from licensing.errors import InvalidTransition, NotFound, ValidationFailed
from licensing.keys import KIND_MODELS
from licensing.matching import person_from
from licensing.models import (
    IDENTITY_FIELDS,
    Application,
    Authority,
    PoliceForce,
    Screening,
    ScreeningCandidate,
)
from licensing.models.screening import RESOLUTIONS
from licensing.register import by_id
from licensing.screening import record_screening, screen

GATING_BANDS = ("match", "probable")
# Ad-hoc screenings leave intelligence out: only a council licensing or processing the person may see it.
AD_HOC_KINDS = ("register_entry", "licence", "application")
_VIEWED_ACTIONS = {"register_entry": "register_entry.viewed", "intelligence": "intelligence.viewed"}


@dataclass
class GateStatus:
    """Whether a licence may be granted on an application now, and if not, why not."""

    allowed: bool
    reasons: list[str] = field(default_factory=list)
    screening_id: int | None = None
    screened_at: datetime | None = None
    fresh_until: datetime | None = None
    unresolved: list[int] = field(default_factory=list)


@dataclass
class ScreeningDetail:
    """A screening with its candidates, each carrying the minimal view of the record it found."""

    screening: Screening  # or the row as licensing.screening wrote it, with the same attributes
    candidates: list[dict]


def check_grant_allowed(
    session: Session, application: Application, now: datetime, max_age: timedelta
) -> None:
    """Raise InvalidTransition unless a licence may be granted on `application` now."""
    status = gate_status(session, application, now, max_age)
    if not status.allowed:
        raise InvalidTransition(" ".join(status.reasons))


def gate_status(session: Session, application: Application, now: datetime, max_age: timedelta) -> GateStatus:
    """Tell whether the application has a screening newer than `max_age` with every match resolved."""
    reasons = [] if application.status == "pending" else [f"The application is {application.status}."]
    query = select(Screening).where(Screening.application_id == application.id)
    latest = session.scalars(query.order_by(Screening.created_at.desc(), Screening.id.desc())).first()
    if latest is None:
        return GateStatus(False, [*reasons, "The applicant has not been screened against the register."])
    fresh_until = latest.created_at + max_age
    if fresh_until < now:
        days = max_age.days
        reasons.append(
            f"The latest screening ({latest.created_at:%Y-%m-%d}) is older than {days} days; rescreen."
        )
    unresolved = _unresolved(session, latest.id)
    if unresolved:
        reasons.append(
            f"{len(unresolved)} candidate(s) in the match or probable band of screening {latest.id} "
            "must be resolved by an officer first."
        )
    return GateStatus(not reasons, reasons, latest.id, latest.created_at, fresh_until, unresolved)


def application_gate(
    session: Session, actor: Actor, application_id: int, now: datetime, max_age: timedelta
) -> GateStatus:
    """Return the gate of one of the actor's applications."""
    return gate_status(session, own_application(session, actor, application_id), now, max_age)


def _unresolved(session: Session, screening_id: int) -> list[int]:
    """Return the ids of the screening's match/probable candidates nobody has resolved."""
    query = select(ScreeningCandidate.id).where(
        ScreeningCandidate.screening_id == screening_id,
        ScreeningCandidate.band.in_(GATING_BANDS),
        ScreeningCandidate.resolution.is_(None),
    )
    return list(session.scalars(query.order_by(ScreeningCandidate.id)))


def screen_identity(
    session: Session, actor: Actor, fields: dict, purpose: str, now: datetime
) -> ScreeningDetail:
    """Screen an identity ad hoc for a recorded purpose against other councils' records; show it."""
    authority_id = actor.require_authority()
    if not purpose.strip():
        raise ValidationFailed("A purpose is required.", [{"field": "purpose", "message": "Required."}])
    identity, _ = clean_identity(fields, now.date())
    person = person_from(_Values(identity))
    options = {"exclude_authority_id": authority_id, "kinds": AD_HOC_KINDS}
    result = screen(session, actor, person, purpose="ad_hoc", now=now, record=False, **options)
    # What the result shows is read before it is recorded: on SQLite the recording holds the one
    # write lock of the database until the commit, so it should hold it for writing only.
    views = _views(session, [(c.kind, c.id) for c in result.candidates])
    record_screening(session, actor, person, result, purpose="ad_hoc", reason=purpose.strip(), now=now)
    return _shown(session, actor, result.screening, result.rows, now, views)


def rescreen(session: Session, actor: Actor, application_id: int, now: datetime) -> ScreeningDetail:
    """Screen one of the actor's pending applications again and show the result."""
    return view_screening(session, actor, applications.rescreen(session, actor, application_id, now), now)


class _Values:
    """Identity values as attributes, for person_from."""

    def __init__(self, values: dict):
        self.__dict__.update(values)


def own_screening(session: Session, actor: Actor, screening_id: int) -> Screening:
    """Return one of the actor's authority's screenings; any other id is NotFound."""
    authority_id = actor.require_authority()
    screening = by_id(session, Screening, screening_id)
    if screening is None or screening.authority_id != authority_id:
        raise NotFound("No such screening.")
    return screening


def view_screening(session: Session, actor: Actor, screening_id: int, now: datetime) -> ScreeningDetail:
    """Show a screening with minimal views of its candidates; audit each view of another's record."""
    screening = own_screening(session, actor, screening_id)
    query = select(ScreeningCandidate).where(ScreeningCandidate.screening_id == screening.id)
    candidates = list(session.scalars(query.order_by(ScreeningCandidate.score.desc(), ScreeningCandidate.id)))
    views = _views(session, [(c.candidate_kind, c.candidate_id) for c in candidates])
    return _shown(session, actor, screening, candidates, now, views)


def _views(session: Session, found: list[tuple[str, int]]) -> tuple[dict, dict]:
    """Load what the minimal views of `found` (kind, id) records need: the records and their organisations."""
    records = _load_records(session, found)
    return records, _organisations(session, records.values())


def _shown(
    session: Session,
    actor: Actor,
    screening: Screening,
    candidates: list[ScreeningCandidate],
    now: datetime,
    views: tuple[dict, dict],
) -> ScreeningDetail:
    """Return the screening with the minimal view of each candidate's record; audit and commit the views."""
    records, names = views
    shown = []
    for candidate in candidates:
        record = records.get((candidate.candidate_kind, candidate.candidate_id))
        view = minimal_view(candidate.candidate_kind, record, names) if record is not None else None
        if view is not None and _is_elsewhere(record, actor) and candidate.candidate_kind in _VIEWED_ACTIONS:
            action = _VIEWED_ACTIONS[candidate.candidate_kind]
            detail = {"screening_id": screening.id, "candidate_id": candidate.id}
            audit.record(session, actor, action, candidate.candidate_kind, record.id, now=now, detail=detail)
        shown.append({"candidate": candidate, "record": view})
    session.commit()
    return ScreeningDetail(screening, shown)


def minimal_view(kind: str, record, names: dict) -> dict | None:
    """Return what another council may see of a record found by a screening (None: nothing)."""
    if kind == "intelligence":
        if record.status != "active":
            return None  # withdrawn (e.g. no further action): no longer shared
        return {
            "kind": kind,
            "force_name": names[("police_force", record.police_force_id)]["name"],
            "category": record.category,
            "occurred_on": record.occurred_on,
            "force_reference": record.force_reference,
            "shareable_summary": record.shareable_summary,
        }
    view = {"kind": kind, **_identity(record), "authority": names[("authority", record.authority_id)]}
    if kind == "register_entry":
        view |= {
            "decision": record.decision,
            "decided_on": record.decided_on,
            "effective_on": record.effective_on,
        }
    elif kind == "licence":
        view |= {"licence_status": record.status, "expires_on": record.expires_on}
    elif kind == "application":
        view |= {"received_on": record.received_on}
    return view


def _identity(record) -> dict:
    """Return a record's identity fields, previous names as a list."""
    values = {name: getattr(record, name) for name in IDENTITY_FIELDS}
    values["previous_names"] = [n for n in (values["previous_names"] or "").split(";") if n]
    return values


def _is_elsewhere(record, actor: Actor) -> bool:
    """Tell whether a record belongs to someone other than the actor's authority."""
    return getattr(record, "authority_id", None) != actor.authority_id


def _load_records(session: Session, found: list[tuple[str, int]]) -> dict:
    """Load every found (kind, id) record as a row of its table's columns, one query per kind.

    The views only read them: rows cost a fraction of loading model objects into the session.
    """
    ids = defaultdict(list)
    for kind, record_id in found:
        ids[kind].append(record_id)
    records = {}
    for kind, wanted in ids.items():
        table = KIND_MODELS[kind].__table__
        records |= {(kind, r.id): r for r in session.execute(select(table).where(table.c.id.in_(wanted)))}
    return records


def _organisations(session: Session, records) -> dict:
    """Return {("authority"|"police_force", id): {code, name}} for the records' organisations."""
    authority_ids = {r.authority_id for r in records if hasattr(r, "authority_id")}
    force_ids = {r.police_force_id for r in records if hasattr(r, "police_force_id")}
    names = {}
    for kind, model, wanted in (
        ("authority", Authority, authority_ids),
        ("police_force", PoliceForce, force_ids),
    ):
        if wanted:
            for org in session.execute(select(model.id, model.code, model.name).where(model.id.in_(wanted))):
                names[(kind, org.id)] = {"code": org.code, "name": org.name}
    return names


def resolve_candidate(
    session: Session, actor: Actor, screening_id: int, candidate_id: int, resolution: str, reason: str, now
) -> ScreeningCandidate:
    """Record an officer's ruling on a candidate; commit with its audit (and the pair ruling)."""
    if resolution not in RESOLUTIONS or not reason.strip():
        errors = [{"field": "resolution", "message": f"One of {', '.join(RESOLUTIONS)}."}]
        raise ValidationFailed("A resolution and its reason are required.", errors)
    screening = own_screening(session, actor, screening_id)
    candidate = by_id(session, ScreeningCandidate, candidate_id)
    if candidate is None or candidate.screening_id != screening.id:
        raise NotFound("No such candidate in this screening.")
    if candidate.resolution is not None:
        raise InvalidTransition(f"This candidate was already resolved as {candidate.resolution}.")
    candidate.resolution, candidate.resolution_reason = resolution, reason.strip()[:500]
    candidate.resolved_by, candidate.resolved_at = actor.label[:200], now
    session.add(candidate)
    detail = {
        "candidate_id": candidate.id,
        "candidate_kind": candidate.candidate_kind,
        "resolution": resolution,
    }
    audit.record(
        session, actor, "candidate.resolved", "screening", screening.id, now=now, reason=reason, detail=detail
    )
    subject = _subject(screening)
    if resolution == "not_same_person" and subject is not None:
        # rule_out commits, with this resolution in the same transaction.
        rule_out(session, actor, *subject, candidate.candidate_kind, candidate.candidate_id, reason, now)
    else:
        session.commit()
    return candidate


def _subject(screening: Screening) -> tuple[str, int] | None:
    """Return the stored record a screening was run for, if any."""
    if screening.application_id is not None:
        return ("application", screening.application_id)
    if screening.licence_id is not None:
        return ("licence", screening.licence_id)
    return None
