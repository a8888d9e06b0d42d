"""A manager's decision that an adverse record found for an applicant does not stop the grant.

"Same person" on a register entry or police intelligence does not by itself let a licence be granted
(README, "Grant gate and monitoring policy"): the council must weigh the record, and for another
council's entry have regard to the information the recording council supplies under the 2022 Act
s.3(2)-(4). The decision records who weighed it, when, why, and whether a s.3 request was made and
answered, linked to that request. Deciding while a request is still within its 20 working days is
refused: the answer is owed, and the council must have regard to it.

Who may decide is a coarse permission checked at the boundary: an officer with the manager role
(app/officer/access.py) or an API key with the `council:decide` scope.
"""

from datetime import datetime

from sqlmodel import Session

from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.errors import InvalidTransition, ValidationFailed
from licensing.licences.adverse import Finding, findings, long_date
from licensing.licences.applications import latest_screening, own_application
from licensing.persistence.db import by_id
from licensing.persistence.models import AdverseDecision, ScreeningCandidate

REASON_WIDTH = AdverseDecision.__table__.c.reason.type.length


def record_decision(
    session: Session, actor: Actor, application_id: int, candidate_id: int, reason: str, now: datetime
) -> AdverseDecision:
    """Record a manager's decision on an adverse candidate of the latest screening, with its audit."""
    application = own_application(session, actor, application_id)
    if application.status != "pending":
        raise InvalidTransition(f"A {application.status} application needs no decision.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "Give the reason for the decision.", [{"field": "reason", "message": "Required"}]
        )
    finding = _decidable(session, application, candidate_id)
    information, request_id = _information(finding, now)
    decision = AdverseDecision(
        application_id=application.id,
        authority_id=application.authority_id,
        screening_candidate_id=candidate_id,
        record_kind=finding.candidate.candidate_kind,
        record_id=finding.candidate.candidate_id,
        record_updated_at=finding.updated_at,
        information=information,
        information_request_id=request_id,
        reason=reason[:REASON_WIDTH],
        decided_by=actor.label[:200],
        actor_kind=actor.kind,
        actor_id=actor.id,
        decided_at=now,
    )
    session.add(decision)
    session.flush()
    _audit(session, actor, decision, now)
    return decision


def _decidable(session: Session, application, candidate_id: int) -> Finding:
    """Return the finding of an adverse candidate found to be the same person and not yet decided."""
    latest = latest_screening(session, application.id)
    candidate = by_id(session, ScreeningCandidate, candidate_id)
    if latest is None or candidate is None or candidate.screening_id != latest.id:
        # The application exists (it was found above): what is wrong is the candidate asked about.
        message = "No such candidate in the application's latest screening."
        raise ValidationFailed(message, [{"field": "candidate_id", "message": message}])
    found = findings(session, application.id, application.authority_id, latest.id)
    finding = next((f for f in found if f.candidate.id == candidate_id and f.adverse), None)
    if finding is None:
        raise InvalidTransition("Only an adverse record that holds the grant needs a manager's decision.")
    if finding.decision is not None:
        decision = finding.decision
        raise InvalidTransition(
            f"{decision.decided_by} already decided on this record on {long_date(decision.decided_at)}."
        )
    if finding.needs == "resolution":
        raise InvalidTransition("An officer must first say whether this is the same person.")
    if finding.needs is None:
        raise InvalidTransition("This record was ruled not the same person: there is nothing to decide.")
    return finding


def _information(finding: Finding, now: datetime) -> tuple[str, int | None]:
    """Return whether the s.3 information was asked for and answered, and the request's id.

    s.3 covers another council's register entry: the council's own entry holds its reasons in its own
    records, and police intelligence comes through the force, not through s.3.
    """
    if finding.own or finding.candidate.candidate_kind != "register_entry":
        return "not_applicable", None
    request = finding.request
    if request is None:
        return "not_requested", None
    if request.responded_at is not None:
        return "answered", request.id
    if request.due_on >= now.date():
        raise InvalidTransition(
            f"The s.3 request made on {long_date(request.requested_at)} is due to be answered by "
            f"{long_date(request.due_on)}: wait for the answer, which the council must have regard to "
            "(2022 Act s.3(4))."
        )
    return "unanswered", request.id


def _audit(session: Session, actor: Actor, decision: AdverseDecision, now: datetime) -> None:
    """Write the decision's audit event into the caller's transaction."""
    detail = {
        "adverse_decision_id": decision.id,
        "candidate_id": decision.screening_candidate_id,
        "record_kind": decision.record_kind,
        "record_id": decision.record_id,
        "information": decision.information,
        "information_request_id": decision.information_request_id,
    }
    audit.record(
        session, actor, "adverse_decision.recorded", "application", decision.application_id,
        now=now, reason=decision.reason[:500], detail=detail,
    )  # fmt: skip
