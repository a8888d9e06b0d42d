"""Driver applications: received and screened at once, then withdrawn, refused or granted (licences.py).

The 2022 Act s.3(1) makes the register search compulsory before any new or renewal decision, so an
application is screened in the same transaction that creates it: an application without a screening
never exists. Invalid optional identifiers (postcode, NI number, driving licence number) are left out
with a warning rather than refusing the application: a typo must not hold up a driver's paperwork, and
a malformed value kept would never be a safe exact match key.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from licensing import audit, matching, pages, recording, requests
from licensing.actors import Actor
from licensing.csvrows import GB_LICENCE, NI_LICENCE, NI_NUMBER, POSTCODE
from licensing.errors import DuplicateReference, InvalidTransition, NotFound, ValidationFailed
from licensing.keys import index_record
from licensing.models import IDENTITY_FIELDS, Application, Screening, ScreeningCandidate
from licensing.register import by_id
from licensing.screening import screen

# Where an applicant may also be found: every kind of record, but never the caller's own authority's.
SCREENED_KINDS = ("register_entry", "licence", "application", "intelligence")
_IDENTIFIERS = {
    "postcode": (POSTCODE,),
    "ni_number": (NI_NUMBER,),
    "driving_licence_number": (GB_LICENCE, NI_LICENCE),
}
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
    """An application with its latest screening and the warnings about its identity."""

    application: Application
    screening: ScreeningSummary | None
    warnings: list[str] = field(default_factory=list)


def clean_identity(fields: dict) -> tuple[dict, list[str]]:
    """Return the identity fields with invalid optional identifiers left out, and the warnings."""
    values = {name: fields.get(name) for name in IDENTITY_FIELDS}
    values["given_names"] = (values["given_names"] or "").strip()
    values["family_name"] = (values["family_name"] or "").strip()
    values["address"] = (values["address"] or "").strip()
    previous = values["previous_names"] or []
    values["previous_names"] = ";".join(n.strip() for n in previous if n and n.strip())
    found = []
    for name, patterns in _IDENTIFIERS.items():
        raw = (values[name] or "").strip()
        compact = re.sub(r"\s+", "", raw).upper()
        values[name] = compact if any(p.match(compact) for p in patterns) else None
        if raw and values[name] is None:
            found.append(f"{name} {raw!r} is not valid and was left out")
    if values["postcode"]:
        values["postcode"] = f"{values['postcode'][:-3]} {values['postcode'][-3:]}"
    # The engine's own checks add what a valid licence number says about its holder (for a human).
    found += [w for w in matching.warnings(matching.person_from(_Row(values))) if w not in found]
    return values, found


class _Row:
    """Identity values as attributes, for person_from."""

    def __init__(self, values: dict):
        self.__dict__.update(values)


def create_application(session: Session, actor: Actor, fields: dict, now: datetime) -> ApplicationView:
    """Record a new or renewal application, index it and screen it; commit all of it at once."""
    authority_id = actor.require_authority()
    identity, found = clean_identity(fields)
    _require_names(identity)
    taken = DuplicateReference(f"This authority already has an application with ref {fields['ref']!r}.")
    if _find_by_ref(session, authority_id, fields["ref"]) is not None:
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
        session.rollback()
        raise taken from None
    index_record(session, "application", application)
    detail = {"kind": application.kind, "licence_type": application.licence_type, "warnings": len(found)}
    audit.record(session, actor, "application.created", "application", application.id, now=now, detail=detail)
    screen_application(session, actor, application, "application", now)
    return ApplicationView(application, latest_screening(session, application.id), found)


def screen_application(session: Session, actor: Actor, application: Application, purpose: str, now) -> int:
    """Screen the application against every other authority's records; commit; return the screening id."""
    if application.status != "pending":
        raise InvalidTransition(f"A {application.status} application is not screened again.")
    result = screen(
        session,
        actor,
        matching.person_from(application),
        purpose=purpose,
        now=now,
        reason=f"application {application.ref}",
        exclude_authority_id=application.authority_id,
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
    authority_id = actor.require_authority()
    application = by_id(session, Application, application_id)
    if application is None or application.authority_id != authority_id:
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
    query = select(Application).where(Application.authority_id == actor.require_authority())
    page = pages.fetch_page(session, query, (Application.id,), after, limit, descending=True)
    views = [ApplicationView(a, latest_screening(session, a.id)) for a in page.items]
    return pages.Page(views, page.next_key)


def withdraw(session: Session, actor: Actor, application_id: int, now: datetime) -> ApplicationView:
    """Mark a pending application withdrawn by the applicant; commit with its audit."""
    application = _decide(session, actor, application_id, "withdrawn", now.date(), now)
    session.commit()
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

    `register` is the decision's register choice (licensing/recording.py); the entry takes effect on
    `effective_on`, by default the date of the decision.
    """
    decided_on = decided_on or now.date()
    if decided_on > now.date():
        raise ValidationFailed(
            "A refusal cannot be dated in the future.", [_error("decided_on", "In future.")]
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
    session.commit()
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
    requests.forget_received(session, actor, application.id, now)
    return application


def latest_screening(session: Session, application_id: int) -> ScreeningSummary | None:
    """Return the summary of the application's most recent screening, or None."""
    query = select(Screening).where(Screening.application_id == application_id)
    screening = session.scalars(query.order_by(Screening.created_at.desc(), Screening.id.desc())).first()
    if screening is None:
        return None
    bands = Counter(
        session.scalars(
            select(ScreeningCandidate.band).where(ScreeningCandidate.screening_id == screening.id)
        )
    )
    return ScreeningSummary(
        screening.id,
        screening.purpose,
        screening.created_at,
        sum(bands.values()),
        {band: bands.get(band, 0) for band in matching.BANDS},
    )


def _require_names(identity: dict) -> None:
    """Refuse an identity without a given name or a family name: nothing could be matched on it."""
    missing = [_error(n, "Required.") for n in ("given_names", "family_name") if not identity[n]]
    if missing:
        raise ValidationFailed("The identity is not valid.", missing)


def _find_by_ref(session: Session, authority_id: int, ref: str) -> Application | None:
    """Return the authority's application with `ref`, if any."""
    query = select(Application).where(Application.authority_id == authority_id, Application.ref == ref)
    return session.scalars(query).first()


def _error(name: str, message: str) -> dict:
    """Return one {field, message} validation error."""
    return {"field": name, "message": message}
