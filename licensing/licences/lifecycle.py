"""Driver licences: grant from an application, status changes by a state table, renewal, history.

The state table (TRANSITIONS) is the one place that says which change is allowed from which status:

    active     -> suspended | revoked | surrendered | expired, or renewed (stays active)
    suspended  -> active (reinstate) | revoked | surrendered | expired
    expired    -> renewed (back to active): a renewal decided after the old expiry date
    revoked, surrendered -> nothing: the driver must apply and be granted a new licence

A suspended licence is not renewed until the suspension is decided (reinstated or revoked), so a
renewal can never quietly lift a suspension. Renewal, like grant, rests on a renewal application that
has passed the grant gate: the 2022 Act s.3(1) requires the register search before any renewal decision.
A suspension or revocation records its s.2 register entry in the same transaction, unless the decision
says why it does not rest on relevant information (licensing/register/recording.py); reinstating a suspended
licence records on the suspension's entry that it was lifted.
"""

from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from licensing.actors import Actor
from licensing.alerts.inbox import CURRENT, DBS_CHECK_EVERY, WEEK
from licensing.audit import log as audit
from licensing.dates import term_problem
from licensing.errors import DuplicateReference, InvalidTransition, NotFound, ValidationFailed
from licensing.identity.fields import IDENTITY_FIELDS
from licensing.identity.validation import name_problem
from licensing.licences import dbs, queries
from licensing.licences.gate import check_grant_allowed
from licensing.persistence import pages
from licensing.persistence.db import by_id
from licensing.persistence.models import Application, Licence, LicenceStatusChange
from licensing.reference import reorganisation
from licensing.register import recording
from licensing.screening.key_index import index_record
from licensing.workflows import information_requests

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "suspend": (frozenset({"active"}), "suspended"),
    "reinstate": (frozenset({"suspended"}), "active"),
    "revoke": (frozenset({"active", "suspended"}), "revoked"),
    "surrender": (frozenset({"active", "suspended"}), "surrendered"),
    "expire": (frozenset({"active", "suspended"}), "expired"),
}
RENEWABLE = frozenset({"active", "expired"})
# The changes that are s.2 decisions, and the register's name for each.
REGISTERED = {"suspend": "suspension", "revoke": "revocation"}


def grant(
    session: Session,
    actor: Actor,
    application_id: int,
    *,
    badge_number: str,
    granted_on: date,
    expires_on: date,
    display_name: str | None,
    now: datetime,
    max_screening_age: timedelta,
    dbs_details: dict | None = None,
) -> Licence:
    """Grant a licence from a pending application of the actor's authority, with its audit."""
    application = _pending_application(session, actor, application_id)
    _check_term(granted_on, expires_on)
    _check_display_name(display_name)
    certificate = dbs.clean_dbs(dbs_details or {}, now.date())
    _check_gate(session, application, now, max_screening_age)
    _check_free(session, application.authority_id, badge_number, application.ref)
    licence = Licence(
        **{name: getattr(application, name) for name in IDENTITY_FIELDS},
        authority_id=application.authority_id,
        ref=application.ref,
        badge_number=badge_number,
        licence_type=application.licence_type,
        granted_on=granted_on,
        expires_on=expires_on,
        display_name=display_name or None,
        application_id=application.id,
        **certificate,
        created_at=now,
        updated_at=now,
    )
    application.status, application.decided_on, application.updated_at = "granted", granted_on, now
    information_requests.forget_received(session, actor, application.id, now)
    session.add_all([licence, application])
    _flush_unique(session, "That badge number or reference is already used by this authority.")
    _history(session, actor, licence, granted_on, now)
    index_record(session, "licence", licence)
    detail = {"application_id": application.id, "dbs_update_service": licence.dbs_update_service}
    audit.record(session, actor, "licence.granted", "licence", licence.id, now=now, detail=detail)
    return licence


def change_status(
    session: Session,
    actor: Actor,
    licence_id: int,
    action: str,
    *,
    effective_on: date,
    now: datetime,
    register: dict | None = None,
    decided_on: date | None = None,
) -> Licence:
    """Apply `action` (a key of TRANSITIONS) to one of the actor's licences, with its audit.

    A suspension or revocation takes `register` (licensing/register/recording.py): its s.2 entry is recorded
    in the same transaction, dated `decided_on` (by default the effective date, or today if that is later).
    """
    if action not in TRANSITIONS:
        raise ValidationFailed(f"Unknown licence action {action!r}.")
    licence = own_licence(session, actor, licence_id, lock=True)
    allowed_from, new_status = TRANSITIONS[action]
    if licence.status not in allowed_from:
        raise InvalidTransition(f"A {licence.status} licence cannot be {_past(action)}.")
    _check_effective(licence, effective_on)
    choice = recording.choice_from(register) if action in REGISTERED else None
    detail = {"from": licence.status, "to": new_status, "effective_on": effective_on.isoformat()}
    licence.status, licence.updated_at = new_status, now
    session.add(licence)
    entry = _on_register(session, actor, licence, action, choice, (decided_on, effective_on), now)
    _history(session, actor, licence, effective_on, now, entry)
    if choice is not None:
        detail["register_entry_id"] = entry.id if entry else None
    reason = choice.not_recorded_reason if choice else ""
    action_name = f"licence.{_past(action)}"
    audit.record(session, actor, action_name, "licence", licence.id, now=now, reason=reason, detail=detail)
    return licence


def _on_register(session, actor, licence, action, choice, dates, now):
    """Record a suspension's or revocation's s.2 entry, or on reinstating lift the suspension's entry."""
    if action == "reinstate":
        recording.lift_suspension(session, actor, licence, dates[1], now)
    if choice is None:
        return None
    return recording.record_licence_decision(session, actor, licence, REGISTERED[action], choice, dates, now)


def change_dbs(session: Session, actor: Actor, licence_id: int, fields: dict, now: datetime) -> Licence:
    """Set the DBS details of one of the actor's licences, with its audit (if anything changed)."""
    licence = own_licence(session, actor, licence_id, lock=True)
    dbs.change_dbs(session, actor, licence, fields, now)
    return licence


def renew(
    session: Session,
    actor: Actor,
    licence_id: int,
    *,
    application_id: int,
    effective_on: date,
    expires_on: date,
    now: datetime,
    max_screening_age: timedelta,
) -> Licence:
    """Renew a licence on a pending renewal application that passed the gate, with its audit."""
    licence = own_licence(session, actor, licence_id, lock=True)
    if licence.status not in RENEWABLE:
        raise InvalidTransition(f"A {licence.status} licence cannot be renewed.")
    application = _pending_application(session, actor, application_id)
    if application.kind != "renewal":
        raise ValidationFailed("A licence is renewed on a renewal application.", _field("application_id"))
    _check_effective(licence, effective_on)
    starts_on = max(effective_on, licence.expires_on) if licence.status == "active" else effective_on
    _check_term(starts_on, expires_on)
    _check_gate(session, application, now, max_screening_age)
    detail = {"from": licence.status, "application_id": application.id}
    _take_renewal(licence, application, expires_on, effective_on, now)
    session.add_all([licence, application])
    _history(session, actor, licence, effective_on, now)
    index_record(session, "licence", licence)
    information_requests.forget_received(session, actor, application.id, now)
    audit.record(session, actor, "licence.renewed", "licence", licence.id, now=now, detail=detail)
    return licence


def _take_renewal(
    licence: Licence, application: Application, expires_on: date, effective_on: date, now: datetime
) -> None:
    """Bring the licence up to the renewal: the driver's current details, type and new expiry."""
    # The renewal application carries the driver's current details (a new name, a new address).
    for name in IDENTITY_FIELDS:
        setattr(licence, name, getattr(application, name))
    licence.licence_type, licence.expires_on = application.licence_type, expires_on
    licence.status, licence.updated_at = "active", now
    application.status, application.decided_on, application.updated_at = "granted", effective_on, now


def own_licence(session: Session, actor: Actor, licence_id: int, *, lock: bool = False) -> Licence:
    """Return one of the actor's authority's licences; any other id is NotFound, so ids cannot be probed.

    With `lock`, the row stays locked until the caller's unit of work ends, so two officers changing the same
    licence at once take turns and the second sees the first one's status.
    """
    licence = by_id(session, Licence, licence_id, with_for_update=lock or None, populate_existing=lock)
    actor.require_authority()
    if licence is None or not reorganisation.answers(session, actor, licence.authority_id, licence.id):
        raise NotFound(f"No licence {licence_id}.")
    return licence


def list_licences(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    badge_number: str | None = None,
    due: str | None = None,
    today: date | None = None,
    after: tuple | None = None,
    limit: int = pages.DEFAULT_LIMIT,
) -> pages.Page:
    """Return a page of the actor's authority's licences in id order after the key `after`, filtered.

    `due` keeps the current licences that need attention within a week of `today`: "expiring", or "dbs"
    (a DBS check due, as the dashboard counts them).
    """
    badge = badge_number.strip() if badge_number else None
    actor.require_authority()
    return queries.licences_page(
        session,
        actor.authority_ids,
        reorganised=bool(actor.answers_for or actor.assigned_from),
        status=status,
        badge_number=badge,
        after=after,
        limit=limit,
        **_due_filters(due, today),
    )


def count_licences(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    badge_number: str | None = None,
    due: str | None = None,
    today: date | None = None,
) -> int:
    """Return how many of the actor's authority's licences `list_licences` lists with these filters."""
    actor.require_authority()
    badge = badge_number.strip() if badge_number else None
    return queries.count_licences(
        session,
        actor.authority_ids,
        reorganised=bool(actor.answers_for or actor.assigned_from),
        status=status,
        badge_number=badge,
        **_due_filters(due, today),
    )


def _due_filters(due: str | None, today: date | None) -> dict:
    """Return the licence filters of `due` ("expiring" or "dbs" within a week of `today`)."""
    if due is None:
        return {}
    end = today + WEEK
    if due == "expiring":
        return {"statuses": CURRENT, "expiring_by": end}
    return {"statuses": CURRENT, "dbs_checked_before": end - DBS_CHECK_EVERY}


def _pending_application(session: Session, actor: Actor, application_id: int) -> Application:
    """Return a pending application of the actor's authority, NotFound for another's, 409 if decided."""
    # Locked: two grants on one application at once must not make two licences.
    application = by_id(session, Application, application_id, with_for_update=True, populate_existing=True)
    actor.require_authority()
    if application is None or not actor.answers(application.authority_id):
        raise NotFound(f"No application {application_id}.")
    if application.status != "pending":
        raise InvalidTransition(f"Application {application_id} is already {application.status}.")
    return application


def _check_display_name(display_name: str | None) -> None:
    """Refuse a public display name that no name holds (a bidi override would reorder the public page)."""
    if display_name and (problem := name_problem(display_name)):
        message = f"The display name {problem}."
        raise ValidationFailed(message, _field("display_name", message))


def _check_term(starts_on: date, expires_on: date) -> None:
    """Refuse an expiry on or before the start, or beyond the statutory three-year term."""
    if problem := term_problem(starts_on, expires_on):
        raise ValidationFailed(problem, _field("expires_on", problem))


def _check_effective(licence: Licence, effective_on: date) -> None:
    """Refuse a change that would take effect before the licence was granted."""
    if effective_on < licence.granted_on:
        message = "The effective date cannot be before the licence was granted."
        raise ValidationFailed(message, _field("effective_on", message))


def _check_gate(session: Session, application: Application, now: datetime, max_age: timedelta) -> None:
    """Refuse the decision unless the application's screening is recent and resolved (s.3(1))."""
    check_grant_allowed(session, application, now, max_age)


def _check_free(session: Session, authority_id: int, badge_number: str, ref: str) -> None:
    """Refuse a badge number or reference the authority already uses."""
    row = queries.licence_using(session, authority_id, badge_number, ref)
    if row is not None and row.badge_number == badge_number:
        message = "This authority already has a licence with that badge number."
        raise DuplicateReference(message, _field("badge_number", message))
    if row is not None:
        message = f"This authority already has a licence with the application's reference {ref!r}."
        raise DuplicateReference(message, _field("application_id", message))


def _flush_unique(session: Session, message: str) -> None:
    """Flush, turning a unique-constraint race lost to another writer into DuplicateReference."""
    try:
        session.flush()
    except IntegrityError as error:
        raise DuplicateReference(message) from error


def _history(
    session: Session, actor: Actor, licence: Licence, effective_on: date, now: datetime, entry=None
) -> None:
    """Add the licence's current status to its history, with the register entry it recorded."""
    session.add(
        LicenceStatusChange(
            licence_id=licence.id,
            status=licence.status,
            effective_on=effective_on,
            changed_at=now,
            actor_label=actor.label[:200],
            register_entry_id=entry.id if entry is not None else None,
        )
    )


def _past(action: str) -> str:
    """Return the past participle of an action name (suspend -> suspended)."""
    return action + ("d" if action.endswith("e") else "ed")


def _field(name: str, message: str = "") -> list[dict]:
    """Return the `errors` list of a problem naming one field."""
    return [{"field": name, "message": message or "is not valid"}]
