"""s.5/s.6 concern reports: a council tells the issuing council about its driver; the decision comes back.

s.5: an English authority that learns of relevant information about a driver licensed by another
authority must send it to that authority within 10 working days. The deadline is the reporter's own, so
it counts the reporter's working days from the day it learned of the concern (`concern_on`); a report
sent later is still taken, and marked as not sent in time. s.6: the issuing authority must consider
suspending or revoking and tell the reporter what it decided. Only the two councils see a report.
"""

from datetime import date, datetime

from sqlmodel import Session

from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from licensing.persistence import pages
from licensing.persistence.db import by_id
from licensing.persistence.models import Authority, ConcernReport, Licence
from licensing.persistence.models.workflows import REPORT_DECISIONS, REPORT_STATUSES
from licensing.reference import reorganisation
from licensing.register.entries import notify
from licensing.workflows import queries
from licensing.workflows.workdays import DEFAULT_CALENDAR, Calendar, add_working_days

REPORT_DAYS = 10  # s.5
DIRECTIONS = ("incoming", "outgoing")
STILL_LICENSED = ("active", "suspended")


def report_concern(
    session: Session, actor: Actor, fields: dict, now: datetime, calendar: Calendar = DEFAULT_CALENDAR
) -> ConcernReport:
    """Send a s.5 report about a driver another council licenses; due 10 working days after concern_on."""
    authority_id = actor.require_authority()
    concern_on, summary = _checked_facts(fields, now.date())
    licence = _reported_licence(session, authority_id, fields)
    if reorganisation.answers(session, actor, licence.authority_id, licence.id):
        raise InvalidTransition(
            "This is your own authority's licence: deal with it through your own suspension and "
            "revocation processes, not a s.5 report."
        )
    if licence.status not in STILL_LICENSED:
        raise InvalidTransition(f"This licence is {licence.status}: the driver is no longer licensed by it.")
    nation = session.get(Authority, authority_id).nation
    report = ConcernReport(
        licence_id=licence.id,
        reporting_authority_id=authority_id,
        issuing_authority_id=licence.authority_id,
        concern_on=concern_on,
        due_on=add_working_days(concern_on, REPORT_DAYS, nation, calendar),
        summary=summary,
        reported_at=now,
    )
    session.add(report)
    session.flush()
    subject = ("concern_report", report.id)
    payload = {"concern_report_id": report.id, "sent_in_time": sent_in_time(report)}
    notify(session, licence.authority_id, "concern_report.received", subject, payload, now)
    audit.record(session, actor, "concern_report.sent", *subject, now=now, detail=payload)
    return report


def decide(
    session: Session, actor: Actor, report_id: int, decision: str, notes: str | None, now: datetime
) -> ConcernReport:
    """Record the issuing council's s.6 decision on a report and send it back to the reporter."""
    report = visible_report(session, actor, report_id)
    if not actor.answers(report.issuing_authority_id):
        raise Forbidden("Only the council that issued the licence can decide on this report.")
    if report.status != "open":
        raise InvalidTransition("This report has already been decided.")
    if decision not in REPORT_DECISIONS:
        message = f"Must be one of {', '.join(REPORT_DECISIONS)}."
        raise ValidationFailed("Unknown decision.", [{"field": "decision", "message": message}])
    report.decision = decision
    report.decision_notes = (notes or "").strip() or None
    report.status = "decided"
    report.decided_at = now
    subject = ("concern_report", report.id)
    payload = {"concern_report_id": report.id, "decision": decision}
    notify(session, report.reporting_authority_id, "concern_report.decided", subject, payload, now)
    audit.record(session, actor, "concern_report.decided", *subject, now=now, detail=payload)
    return report


def visible_report(session: Session, actor: Actor, report_id: int) -> ConcernReport:
    """Return a report the actor's authority sent or received; any other id is NotFound."""
    actor.require_authority()
    report = by_id(session, ConcernReport, report_id)
    if report is None or not (
        actor.answers(report.reporting_authority_id) or actor.answers(report.issuing_authority_id)
    ):
        raise NotFound("No such concern report.")
    return report


def list_reports(
    session: Session,
    actor: Actor,
    *,
    direction: str = "incoming",
    status: str | None = None,
    after: tuple | None = None,
    limit: int = pages.DEFAULT_LIMIT,
) -> pages.Page:
    """Return a page of the reports the actor's authority received (incoming) or sent, oldest first."""
    authority_id = actor.require_authority()
    status = status if status in REPORT_STATUSES else None  # an unknown status lists them all
    return queries.reports_page(
        session,
        (authority_id, *actor.authority_ids),
        direction=direction,
        status=status,
        after=after,
        limit=limit,
    )


def describe(session: Session, report: ConcernReport) -> dict:
    """Return a report as either council sees it: the licence by badge, both councils, the deadline kept."""
    councils = queries.councils_by_id(session, (report.reporting_authority_id, report.issuing_authority_id))
    return report.model_dump() | {
        "badge_number": session.get(Licence, report.licence_id).badge_number,
        "reporting_authority": councils[report.reporting_authority_id],
        "issuing_authority": councils[report.issuing_authority_id],
        "sent_in_time": sent_in_time(report),
    }


def sent_in_time(report: ConcernReport) -> bool:
    """Tell whether the report was sent by its s.5 due date."""
    return report.reported_at.date() <= report.due_on


def _checked_facts(fields: dict, today: date) -> tuple[date, str]:
    """Return the concern date and summary, refusing a future date or an empty summary."""
    errors = []
    concern_on = fields.get("concern_on")
    if not isinstance(concern_on, date) or concern_on > today:
        errors.append({"field": "concern_on", "message": "Required, and not in the future."})
    summary = (fields.get("summary") or "").strip()
    if not summary:
        errors.append({"field": "summary", "message": "Required."})
    if errors:
        raise ValidationFailed("The concern report is not valid.", errors)
    return concern_on, summary


def _reported_licence(session: Session, authority_id: int, fields: dict) -> Licence:
    """Find the licence by its issuer's code and badge number, or by an id the actor's screenings found."""
    if fields.get("licence_id") is not None:
        return _screened_licence(session, authority_id, fields["licence_id"])
    code, badge = (
        (fields.get("authority_code") or "").strip().upper(),
        (fields.get("badge_number") or "").strip(),
    )
    if not code or not badge:
        message = "Give licence_id, or authority_code and badge_number."
        raise ValidationFailed(message, [{"field": "licence_id", "message": message}])
    licence = queries.licence_by_badge(session, code, badge)
    if licence is None:
        raise NotFound("No licence with that badge number at that authority.")
    return licence


def _screened_licence(session: Session, authority_id: int, licence_id: int) -> Licence:
    """Return a licence another council holds that one of the authority's screenings found, or own."""
    licence = by_id(session, Licence, licence_id)
    if licence is not None and licence.authority_id == authority_id:
        return licence  # the caller's own: refused with a clear message by the caller
    if licence is None or queries.latest_candidate_id(session, authority_id, "licence", licence_id) is None:
        raise NotFound("No such licence among your screening results.")
    return licence
