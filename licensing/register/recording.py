"""Adverse decisions recorded on the s.2 register where they are made: refusal, suspension, revocation.

The 2022 Act s.2(1) requires the register entry when a refusal, suspension or revocation rests wholly or
partly on relevant information (a sexual offence, harassment, harm, a risk to road safety). Recording is
therefore the default: the decision names the kind of information (`category`), and the entry is written
in the same transaction as the decision itself, so there is never one without the other. A decision that
does not rest on relevant information says so (`record_register_entry: false`) and why
(`not_recorded_reason`); the reason goes to the decision's audit event, never to the register, which
holds no reasons (s.2(4)). Lifting a suspension records that later change on its entry (s.2(4)).
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from licensing.actors import Actor
from licensing.errors import DuplicateReference, ValidationFailed
from licensing.identity.fields import IDENTITY_FIELDS
from licensing.persistence.db import by_id
from licensing.persistence.models import Licence, RegisterEntry
from licensing.persistence.models.records import DECISION_CATEGORIES
from licensing.register import entries as register
from licensing.register import queries

MAX_REASON = 500
MAX_REF = 64  # the register entry's ref column


@dataclass(frozen=True)
class RegisterChoice:
    """Whether a decision goes on the register: with its category and reference, or why it does not."""

    record: bool
    category: str | None = None
    ref: str | None = None
    not_recorded_reason: str = ""


def choice_from(fields: dict | None) -> RegisterChoice:
    """Return the register choice of a decision's input, or raise ValidationFailed naming each problem."""
    fields = fields or {}
    record = fields.get("record_register_entry", True) is not False
    category, ref = fields.get("category") or None, (fields.get("register_ref") or "").strip() or None
    reason = (fields.get("not_recorded_reason") or "").strip()
    errors = []
    if record and category is None:
        errors.append(_error("category", "Say what kind of relevant information the decision rests on."))
    if category is not None and category not in DECISION_CATEGORIES:
        errors.append(_error("category", f"Must be one of {', '.join(DECISION_CATEGORIES)}."))
    if not record and category is not None:
        errors.append(_error("category", "Only a decision recorded on the register has a category."))
    if not record and not reason:
        errors.append(
            _error("not_recorded_reason", "Say why the decision does not rest on relevant information.")
        )
    if record and reason:
        errors.append(
            _error("not_recorded_reason", "Only a decision kept off the register gives this reason.")
        )
    if len(reason) > MAX_REASON:
        errors.append(_error("not_recorded_reason", f"At most {MAX_REASON} characters."))
    if ref and len(ref) > MAX_REF:
        errors.append(_error("register_ref", f"At most {MAX_REF} characters."))
    if errors:
        raise ValidationFailed("Say whether the decision goes on the register (2022 Act s.2).", errors)
    return RegisterChoice(record, category, ref, "" if record else reason)


def record_decision(
    session: Session,
    actor: Actor,
    record,
    choice: RegisterChoice,
    *,
    decision: str,
    dates: tuple[date, date],
    default_ref: str,
    now: datetime,
) -> RegisterEntry | None:
    """Record the s.2 entry of a decision about `record`'s holder in the caller's transaction, if chosen.

    `dates` are the decision's (decided_on, effective_on). The caller's unit of work keeps the decision
    and its entry together, or neither.
    """
    if not choice.record:
        return None
    fields = {name: getattr(record, name) for name in IDENTITY_FIELDS} | {
        "ref": choice.ref or default_ref,
        "decision": decision,
        "category": choice.category,
        "decided_on": dates[0],
        "effective_on": dates[1],
    }
    try:
        return register.record_entry(session, actor, fields, now)
    except DuplicateReference as taken:
        message = "Already used by another register entry of this council; give another register_ref."
        raise DuplicateReference(taken.detail, [_error("register_ref", message)]) from None


def record_licence_decision(
    session: Session, actor: Actor, licence: Licence, decision: str, choice: RegisterChoice, dates, now
) -> RegisterEntry | None:
    """Record the s.2 entry of a suspension or revocation of `licence`, in the caller's transaction.

    `dates` are (decided_on or None, effective_on): a decision cannot take effect before it was made, so
    it is dated by default on the effective date, or today if that is later.
    """
    decided_on, effective_on = dates
    return record_decision(
        session,
        actor,
        licence,
        choice,
        decision=decision,
        dates=(decided_on or min(effective_on, now.date()), effective_on),
        default_ref=f"{licence.ref[:40]}/{decision}/{effective_on.isoformat()}",
        now=now,
    )


def lift_suspension(
    session: Session, actor: Actor, licence: Licence, effective_on: date, now: datetime
) -> bool:
    """Record on the current entry of the licence's latest suspension that it was lifted (s.2(4))."""
    entry_id = queries.latest_suspension_entry_id(session, licence.id)
    entry = by_id(session, RegisterEntry, entry_id) if entry_id else None
    if entry is None or entry.status != "current":  # not recorded, purged, or overturned or removed since
        return False
    changed_on = min(effective_on, now.date())  # a change is dated when it happens, never ahead
    register.amend_entry(session, actor, entry.id, "lifted", {"changed_on": changed_on}, now)
    return True


def entries_recorded_by(session: Session, licence: Licence) -> dict[int, RegisterEntry]:
    """Return the register entries the licence's status changes recorded, by id."""
    ids = [change.register_entry_id for change in licence.history if change.register_entry_id]
    if not ids:
        return {}
    return {entry.id: entry for entry in queries.entries_by_ids(session, ids)}


def _error(field: str, message: str) -> dict:
    """Return one {field, message} validation error."""
    return {"field": field, "message": message}
