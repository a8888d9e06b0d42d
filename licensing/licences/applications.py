"""Driver applications: received and screened at once, then withdrawn, refused or granted (licences.py).

The 2022 Act s.3(1) makes the register search compulsory before any new or renewal decision, so an
application is screened in the same transaction that creates it: an application without a screening
never exists. An invalid identifier (postcode, NI number, driving licence number) does not refuse the
application: a typo must not hold up a driver's paperwork. It is kept as given and flagged on the record
(licensing/identity/validation.py), and the matching engine never keys on it.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from licensing import matching
from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.dates import past_problem, sentence
from licensing.errors import DuplicateReference, InvalidTransition, NotFound, ValidationFailed
from licensing.identity.validation import clean_identity
from licensing.licences import queries
from licensing.persistence import pages
from licensing.persistence.db import by_id
from licensing.persistence.models import Application
from licensing.register import recording
from licensing.screening.key_index import index_record
from licensing.screening.service import screen
from licensing.workflows import information_requests

# Where an applicant may also be found: every kind of record, the caller's own register entries
# included but not its own licences and applications (licensing/screening/candidates.py).
SCREENED_KINDS = ("register_entry", "licence", "application", "intelligence")
_REFUSALS = {"new": "refusal_of_grant", "renewal": "refusal_of_renewal"}


@dataclass
class ScreeningSummary:
    """The latest screening of an application: when, and how many candidates in each band."""

    id: int
    purpose: str
    created_at: datetime
    candidates: int
    bands: dict[str, int]


@dataclass
class ApplicationView:
    """An application with its latest screening."""

    application: Application
    screening: ScreeningSummary | None


def create_application(session: Session, actor: Actor, fields: dict, now: datetime) -> ApplicationView:
    """Record a new or renewal application, index it and screen it, all in the caller's unit of work."""
    authority_id = actor.require_authority()
    identity, found = _received(fields, now.date())
    taken = DuplicateReference(f"This authority already has an application with ref {fields['ref']!r}.")
    if queries.application_by_ref(session, authority_id, fields["ref"]) is not None:
        raise taken
    application = Application(
        **identity,
        **{name: fields[name] for name in ("ref", "kind", "licence_type", "received_on")},
        authority_id=authority_id,
        created_at=now,
        updated_at=now,
    )
    session.add(application)
    try:
        session.flush()
    except IntegrityError:  # another request took the same ref between our check and insert
        raise taken from None
    index_record(session, "application", application)
    detail = {"kind": application.kind, "licence_type": application.licence_type, "warnings": len(found)}
    audit.record(session, actor, "application.created", "application", application.id, now=now, detail=detail)
    screen_application(session, actor, application, "application", now)
    return ApplicationView(application, latest_screening(session, application.id))


def _received(fields: dict, today: date) -> tuple[dict, list[dict]]:
    """Return the applicant's identity and its warnings; refuse a bad identity or date of receipt."""
    errors, identity, found = [], {}, []
    try:
        identity, found = clean_identity(fields, today)
    except ValidationFailed as failure:
        errors = failure.errors
    if problem := past_problem(fields["received_on"], today):
        errors.append(_error("received_on", sentence(problem)))
    if errors:
        raise ValidationFailed("The application is not valid.", errors)
    return identity, found


def screen_application(session: Session, actor: Actor, application: Application, purpose: str, now) -> int:
    """Screen the application against the register and others' records; return the screening id."""
    if application.status != "pending":
        raise InvalidTransition(f"A {application.status} application is not screened again.")
    result = screen(
        session,
        actor,
        matching.person_from(application),
        purpose=purpose,
        now=now,
        reason=f"application {application.ref}",
        own_authority_id=application.authority_id,
        application_id=application.id,
        kinds=SCREENED_KINDS,
    )
    return result.screening_id


def rescreen(session: Session, actor: Actor, application_id: int, now: datetime) -> int:
    """Run a fresh screening of one of the actor's pending applications; return its id."""
    application = own_application(session, actor, application_id)
    return screen_application(session, actor, application, "rescreen", now)


def own_application(session: Session, actor: Actor, application_id: int) -> Application:
    """Return one of the actor's authority's applications; any other id is NotFound."""
    actor.require_authority()
    application = by_id(session, Application, application_id)
    if application is None or not actor.answers(application.authority_id):
        raise NotFound("No such application.")
    return application


def get_application(session: Session, actor: Actor, application_id: int) -> ApplicationView:
    """Return one of the actor's applications with its latest screening."""
    application = own_application(session, actor, application_id)
    return ApplicationView(application, latest_screening(session, application.id))


def list_applications(
    session: Session, actor: Actor, *, after: tuple | None = None, limit: int = pages.DEFAULT_LIMIT
) -> pages.Page:
    """Return a page of the actor's authority's applications, newest first, after the key `after`."""
    page = queries.applications_page(session, (actor.require_authority(), *actor.authority_ids), after, limit)
    views = [ApplicationView(a, latest_screening(session, a.id)) for a in page.items]
    return pages.Page(views, page.next_key)


def withdraw(session: Session, actor: Actor, application_id: int, now: datetime) -> ApplicationView:
    """Mark a pending application withdrawn by the applicant, with its audit."""
    application = _decide(session, actor, application_id, "withdrawn", now.date(), now)
    return ApplicationView(application, latest_screening(session, application.id))


def refuse(
    session: Session,
    actor: Actor,
    application_id: int,
    now: datetime,
    *,
    decided_on: date | None = None,
    effective_on: date | None = None,
    register: dict | None = None,
) -> ApplicationView:
    """Refuse a pending application and record its s.2 register entry in the same change (or say why not).

    `register` is the decision's register choice (licensing/register/recording.py); the entry takes effect on
    `effective_on`, by default the date of the decision.
    """
    decided_on = decided_on or now.date()
    if problem := past_problem(decided_on, now.date()):
        raise ValidationFailed(
            f"The date of the refusal {problem}.", [_error("decided_on", sentence(problem))]
        )
    choice = recording.choice_from(register)
    application = _decide(
        session, actor, application_id, "refused", decided_on, now, choice.not_recorded_reason
    )
    recording.record_decision(
        session,
        actor,
        application,
        choice,
        decision=_REFUSALS[application.kind],
        dates=(decided_on, effective_on or decided_on),
        default_ref=application.ref,
        now=now,
    )
    return ApplicationView(application, latest_screening(session, application.id))


def _decide(session, actor, application_id, status, decided_on, now, reason: str = "") -> Application:
    """Move a pending application to `status` and audit it, in the caller's transaction."""
    application = own_application(session, actor, application_id)
    if application.status != "pending":
        raise InvalidTransition(f"A {application.status} application cannot be {status}.")
    application.status, application.decided_on, application.updated_at = status, decided_on, now
    session.add(application)
    audit.record(
        session, actor, f"application.{status}", "application", application.id, now=now, reason=reason
    )
    information_requests.forget_received(session, actor, application.id, now)
    return application


def latest_screening(session: Session, application_id: int) -> ScreeningSummary | None:
    """Return the summary of the application's most recent screening, or None."""
    screening = queries.latest_screening_of(session, application_id)
    if screening is None:
        return None
    bands = Counter(queries.candidate_bands(session, screening.id))
    return ScreeningSummary(
        screening.id,
        screening.purpose,
        screening.created_at,
        sum(bands.values()),
        {band: bands.get(band, 0) for band in matching.BANDS},
    )


def _error(name: str, message: str) -> dict:
    """Return one {field, message} validation error."""
    return {"field": name, "message": message}
