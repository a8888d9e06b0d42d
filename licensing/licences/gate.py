"""The grant gate, and the screening results it waits on: shown minimally, resolved by an officer.

2022 Act s.3(1): the register must be searched before any grant or renewal, and a match is never an
automatic refusal (statutory guidance). So a grant waits for a recent screening of the application in
which every candidate that holds the grant has been cleared: licensing/licences/adverse.py says which hold it
(adverse records from `possible` up, others at `match` or `probable`) and what clears each one.

Another council's records are shown only through a screening or the gate, and only minimally
(licensing/screening/record_views.py); reasons travel only through a s.3 request. Each time a screening or the
gate shows another council's register entry, or an item of intelligence, that view is audited.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.errors import InvalidTransition, NotFound, ValidationFailed
from licensing.licences import adverse, applications, queries
from licensing.licences.adverse import Finding
from licensing.licences.applications import clean_identity, own_application
from licensing.matching import person_from, person_of
from licensing.persistence.db import by_id
from licensing.persistence.models import Application, Screening, ScreeningCandidate
from licensing.persistence.models.screening import RESOLUTIONS
from licensing.screening.record_views import evidence_view, is_elsewhere, load_views, record_view
from licensing.screening.rulings import rule_out
from licensing.screening.service import screen

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
    unresolved: list[int] = field(default_factory=list)  # candidates an officer must still resolve
    undecided: list[int] = field(default_factory=list)  # adverse candidates a manager must still decide
    adverse_records: list[Finding] = field(default_factory=list)  # cleared or not, best first
    cleared_by: list[str] = field(default_factory=list)  # the rulings and decisions that cleared them


@dataclass
class ScreeningDetail:
    """A screening with its candidates, each with the view of the record it found and its evidence.

    Each candidate is {"candidate": row, "record": view or None, "evidence": lines}: the view and the
    evidence are what the screening council may see (licensing/screening/record_views.py), never the row's own
    evidence, which may quote another council's postcode.
    """

    screening: Screening  # or the row as licensing.screening.service wrote it, with the same attributes
    candidates: list[dict]


def check_grant_allowed(
    session: Session, application: Application, now: datetime, max_age: timedelta
) -> None:
    """Raise InvalidTransition unless a licence may be granted on `application` now."""
    status = gate_status(session, application, now, max_age)
    if not status.allowed:
        raise InvalidTransition(" ".join(status.reasons))


def gate_status(session: Session, application: Application, now: datetime, max_age: timedelta) -> GateStatus:
    """Tell whether the application has a screening newer than `max_age` with every holder cleared."""
    reasons = [] if application.status == "pending" else [f"The application is {application.status}."]
    latest = queries.latest_screening_of(session, application.id)
    if latest is None:
        return GateStatus(False, [*reasons, "The applicant has not been screened against the register."])
    fresh_until = latest.created_at + max_age
    if fresh_until < now:
        days = max_age.days
        reasons.append(
            f"The latest screening ({latest.created_at:%Y-%m-%d}) is older than {days} days; rescreen."
        )
    found = adverse.findings(session, application.id, application.authority_id, latest.id)
    reasons += adverse.outstanding(found, latest.id)
    return GateStatus(
        not reasons, reasons, latest.id, latest.created_at, fresh_until,
        unresolved=[f.candidate.id for f in found if f.needs == "resolution"],
        undecided=[f.candidate.id for f in found if f.needs == "decision"],
        adverse_records=[f for f in found if f.adverse],
        cleared_by=adverse.cleared(found),
    )  # fmt: skip


def application_gate(
    session: Session, actor: Actor, application_id: int, now: datetime, max_age: timedelta
) -> GateStatus:
    """Return the gate of one of the actor's applications; audit each other organisation's record it names."""
    status = gate_status(session, own_application(session, actor, application_id), now, max_age)
    for finding in status.adverse_records:
        if not finding.own:
            kind, record_id = finding.candidate.candidate_kind, finding.candidate.candidate_id
            detail = {"screening_id": status.screening_id, "candidate_id": finding.candidate.id}
            audit.record(session, actor, _VIEWED_ACTIONS[kind], kind, record_id, now=now, detail=detail)
    return status


def screen_identity(
    session: Session, actor: Actor, fields: dict, purpose: str, now: datetime
) -> ScreeningDetail:
    """Screen an identity ad hoc for a recorded purpose against the register and others' records; show it."""
    authority_id = actor.require_authority()
    if not purpose.strip():
        raise ValidationFailed("A purpose is required.", [{"field": "purpose", "message": "Required."}])
    identity, _ = clean_identity(fields, now.date())
    person = person_of(identity)
    options = {"own_authority_id": authority_id, "kinds": AD_HOC_KINDS}
    result = screen(session, actor, person, purpose="ad_hoc", reason=purpose.strip(), now=now, **options)
    views = load_views(session, [(c.kind, c.id) for c in result.candidates])
    return _shown(session, actor, result.screening, result.rows, now, views)


def rescreen(session: Session, actor: Actor, application_id: int, now: datetime) -> ScreeningDetail:
    """Screen one of the actor's pending applications again and show the result."""
    return view_screening(session, actor, applications.rescreen(session, actor, application_id, now), now)


def own_screening(session: Session, actor: Actor, screening_id: int) -> Screening:
    """Return one of the actor's authority's screenings; any other id is NotFound."""
    actor.require_authority()
    screening = by_id(session, Screening, screening_id)
    if screening is None or not actor.answers(screening.authority_id):
        raise NotFound("No such screening.")
    return screening


def view_screening(session: Session, actor: Actor, screening_id: int, now: datetime) -> ScreeningDetail:
    """Show a screening with minimal views of its candidates; audit each view of another's record."""
    screening = own_screening(session, actor, screening_id)
    candidates = queries.screening_candidates(session, screening.id)
    views = load_views(session, [(c.candidate_kind, c.candidate_id) for c in candidates])
    return _shown(session, actor, screening, candidates, now, views)


def _shown(
    session: Session,
    actor: Actor,
    screening: Screening,
    candidates: list[ScreeningCandidate],
    now: datetime,
    views: tuple[dict, dict],
) -> ScreeningDetail:
    """Return the screening with the view of each candidate's record; audit the views of others' records."""
    records, names = views
    subject = person_from(screening)  # the identity screened, which each view is said against
    shown = []
    for candidate in candidates:
        kind = candidate.candidate_kind
        record = records.get((kind, candidate.candidate_id))
        view = record_view(actor, kind, record, names, subject) if record is not None else None
        if view is not None and is_elsewhere(record, actor) and kind in _VIEWED_ACTIONS:
            detail = {"screening_id": screening.id, "candidate_id": candidate.id}
            audit.record(session, actor, _VIEWED_ACTIONS[kind], kind, record.id, now=now, detail=detail)
        evidence = evidence_view(actor, record, candidate.evidence)
        shown.append({"candidate": candidate, "record": view, "evidence": evidence})
    return ScreeningDetail(screening, shown)


def resolve_and_show(
    session: Session, actor: Actor, screening_id: int, candidate_id: int, resolution: str, reason: str, now
) -> dict:
    """Resolve a candidate (see resolve_candidate); return it with the evidence its council may see."""
    candidate = resolve_candidate(session, actor, screening_id, candidate_id, resolution, reason, now)
    records, _ = load_views(session, [(candidate.candidate_kind, candidate.candidate_id)])
    record = records.get((candidate.candidate_kind, candidate.candidate_id))
    return {"candidate": candidate, "evidence": evidence_view(actor, record, candidate.evidence)}


def resolve_candidate(
    session: Session, actor: Actor, screening_id: int, candidate_id: int, resolution: str, reason: str, now
) -> ScreeningCandidate:
    """Record an officer's ruling on a candidate, with its audit (and the pair ruling)."""
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
        rule_out(session, actor, *subject, candidate.candidate_kind, candidate.candidate_id, reason, now)
    return candidate


def _subject(screening: Screening) -> tuple[str, int] | None:
    """Return the stored record a screening was run for, if any."""
    if screening.application_id is not None:
        return ("application", screening.application_id)
    if screening.licence_id is not None:
        return ("licence", screening.licence_id)
    return None
