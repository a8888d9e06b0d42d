"""s.3 information requests: a searching council asks the recording council what it relied on.

s.3(2)-(3): after a search finds an entry, the searching authority may request in writing the
information the recording authority relied on, which must be supplied within 20 working days. The
deadline counts the recording authority's working days (its nation's bank holidays), because the duty
and the office that meets it are the recording authority's. A council may ask only about an entry one of
its own screenings found: anything else is NotFound, so entry ids cannot be probed. Only the two
councils concerned ever see a request or its response.
"""

from datetime import date, datetime

from sqlmodel import Session

from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from licensing.persistence import pages
from licensing.persistence.db import by_id
from licensing.persistence.models import Application, Authority, InformationRequest, RegisterEntry
from licensing.register.entries import notify
from licensing.workflows import queries
from licensing.workflows.workdays import DEFAULT_CALENDAR, Calendar, add_working_days

RESPONSE_DAYS = 20  # s.3(3)
DIRECTIONS = ("incoming", "outgoing")
LIST_STATUSES = ("open", "answered", "overdue")
PAGE_KEY_TYPES = (date, int)


def request_information(
    session: Session, actor: Actor, fields: dict, now: datetime, calendar: Calendar = DEFAULT_CALENDAR
) -> InformationRequest:
    """Ask the recording council about an entry the actor's screenings found; due in 20 working days."""
    authority_id = actor.require_authority()
    text = (fields.get("request_text") or "").strip()
    if not text:
        raise ValidationFailed("Say what you need.", [{"field": "request_text", "message": "Required."}])
    entry, candidate_id = _screened_entry(session, authority_id, fields["register_entry_id"])
    if actor.answers(entry.authority_id):
        raise ValidationFailed("This is your own authority's entry: its reasons are in your own records.")
    application_id = fields.get("application_id")
    if application_id is not None:
        application = by_id(session, Application, application_id)
        if application is None or not actor.answers(application.authority_id):
            raise NotFound("No such application.")
    nation = session.get(Authority, entry.authority_id).nation
    request = InformationRequest(
        register_entry_id=entry.id,
        requesting_authority_id=authority_id,
        recording_authority_id=entry.authority_id,
        application_id=application_id,
        screening_candidate_id=candidate_id,
        request_text=text,
        requested_at=now,
        due_on=add_working_days(now.date(), RESPONSE_DAYS, nation, calendar),
    )
    session.add(request)
    session.flush()
    subject = ("information_request", request.id)
    payload = {"information_request_id": request.id, "due_on": request.due_on.isoformat()}
    notify(session, entry.authority_id, "information_request.received", subject, payload, now)
    audit.record(session, actor, "information_request.created", *subject, now=now, detail=payload)
    return request


def respond(
    session: Session,
    actor: Actor,
    request_id: int,
    response_text: str,
    attachments: list[dict],
    now: datetime,
) -> InformationRequest:
    """Record the recording council's answer (text and attachments' metadata) and tell the requester."""
    request = visible_request(session, actor, request_id)
    if not actor.answers(request.recording_authority_id):
        raise Forbidden("Only the council that recorded the entry can answer this request.")
    if request.status != "open":
        raise InvalidTransition(f"This request is {request.status}; it cannot be answered again.")
    if not response_text.strip():
        raise ValidationFailed("Give the answer.", [{"field": "response_text", "message": "Required."}])
    request.response_text = response_text.strip()
    request.attachments = [dict(a) for a in attachments]
    request.status = "answered"
    request.responded_at = now
    subject = ("information_request", request.id)
    payload = {"information_request_id": request.id, "answered_in_time": answered_in_time(request)}
    notify(session, request.requesting_authority_id, "information_request.answered", subject, payload, now)
    detail = payload | {"attachments": len(attachments)}
    audit.record(session, actor, "information_request.answered", *subject, now=now, detail=detail)
    if _decided(session, request):  # an answer after the decision is not kept either
        session.flush()
        forget_received(session, actor, request.application_id, now)
    return request


def forget_received(session: Session, actor: Actor, application_id: int, now: datetime) -> None:
    """Delete the answers received for a decided application, keeping that they came; audit each.

    Information received for an application is used for that application only and not kept after the
    decision (docs/reference.md, information received through s.3), so the text and attachments'
    metadata go; the requesting council still sees when it was answered, and that it was deleted.
    """
    for request in queries.answers_kept_for(session, application_id):
        request.response_text, request.attachments = None, []
        session.add(request)
        detail = {"information_request_id": request.id, "application_id": application_id}
        audit.record(
            session, actor, "information_request.received_deleted", "information_request", request.id,
            now=now, detail=detail,
        )  # fmt: skip


def _decided(session: Session, request: InformationRequest) -> bool:
    """Tell whether the application the request was made for has been decided."""
    if request.application_id is None:
        return False
    return session.get(Application, request.application_id).status != "pending"


def visible_request(session: Session, actor: Actor, request_id: int) -> InformationRequest:
    """Return a request the actor's authority made or must answer; any other id is NotFound."""
    actor.require_authority()
    request = by_id(session, InformationRequest, request_id)
    if request is None or not (
        actor.answers(request.requesting_authority_id) or actor.answers(request.recording_authority_id)
    ):
        raise NotFound("No such information request.")
    return request


def list_requests(
    session: Session,
    actor: Actor,
    *,
    direction: str = "incoming",
    status: str | None = None,
    today: date,
    after: tuple | None = None,
    limit: int = pages.DEFAULT_LIMIT,
) -> pages.Page:
    """Return a page of the requests the actor's authority must answer (incoming) or made, by due date."""
    return queries.requests_page(
        session,
        (actor.require_authority(), *actor.authority_ids),
        direction=direction,
        status=status,
        today=today,
        after=after,
        limit=limit,
    )


def describe(session: Session, request: InformationRequest, today: date) -> dict:
    """Return a request as either council sees it, with the councils' codes and its deadline state."""
    codes = queries.councils_by_id(session, (request.requesting_authority_id, request.recording_authority_id))
    return request.model_dump() | {
        "requesting_authority": codes[request.requesting_authority_id],
        "recording_authority": codes[request.recording_authority_id],
        "overdue": is_overdue(request, today),
        "received_deleted": request.responded_at is not None and request.response_text is None,
        "answered_in_time": answered_in_time(request),
    }


def is_overdue(request: InformationRequest, today: date) -> bool:
    """Tell whether an open request has passed its due date."""
    return request.status == "open" and request.due_on < today


def answered_in_time(request: InformationRequest) -> bool | None:
    """Tell whether the answer came on or before the due date (None while unanswered)."""
    if request.responded_at is None:
        return None
    return request.responded_at.date() <= request.due_on


def _screened_entry(session: Session, authority_id: int, entry_id: int) -> tuple[RegisterEntry, int]:
    """Return an entry the authority's screenings found, and the latest such candidate's id."""
    if by_id(session, RegisterEntry, entry_id) is None:
        raise NotFound("No such register entry among your screening results.")
    candidate_id = queries.latest_candidate_id(session, authority_id, "register_entry", entry_id)
    entry = session.get(RegisterEntry, entry_id) if candidate_id is not None else None
    if entry is None:
        raise NotFound("No such register entry among your screening results.")
    return entry, candidate_id
