"""The s.2 register: a council records and amends its own entries; an entry never holds reasons.

s.2(4) sets the minimum: identity, recording authority, decision, decision and effective dates, and the
date of any later change, kept in RegisterEntryChange. Reasons travel only through a s.3 request.
s.3(4): a council that asked about an entry must be told of any later change to it, with the reason;
amending an entry therefore records one `register_entry.amended` alert for each such council (the
alerts job delivers it). Other councils see an entry only through their screenings, never here.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from licensing.actors import Actor
from licensing.alerts.outbox import holders_of, holders_of_each, raise_alert
from licensing.audit import log as audit
from licensing.dates import decision_problems, past_problem, sentence
from licensing.errors import DuplicateReference, InvalidTransition, NotFound, ValidationFailed
from licensing.identity.validation import clean_identity
from licensing.persistence.db import by_id
from licensing.persistence.models import RegisterEntry, RegisterEntryChange
from licensing.persistence.models.records import DECISION_CATEGORIES, DECISIONS
from licensing.register import queries
from licensing.screening.key_index import index_record

ENTRY_FIELDS = ("ref", "decision", "category", "decided_on", "effective_on")
AMENDMENTS = ("overturned", "reinstated", "amended", "removed", "lifted")
CHANGE_REASONS = ("appeal", "correction", "later_grant", "other")
CORRECTABLE = ("decided_on", "effective_on", "category")
_ALLOWED_FROM = {
    "overturned": ("current",),
    "reinstated": ("overturned", "removed"),
    "amended": ("current", "overturned"),
    "removed": ("current", "overturned"),
    # A suspension that ends stays a suspension other councils find: the entry stays current.
    "lifted": ("current",),
}
_STATUS_AFTER = {"overturned": "overturned", "reinstated": "current", "removed": "removed"}
_DEFAULT_REASON = {"overturned": "appeal", "reinstated": "appeal", "amended": "correction"}


def record_entry(session: Session, actor: Actor, fields: dict, now: datetime):
    """Record a refusal, suspension or revocation of the actor's authority; index it for screening."""
    authority_id = actor.require_authority()
    values = _entry_values(fields, now.date())
    taken = DuplicateReference(f"This authority already has a register entry with ref {values['ref']!r}.")
    if queries.entry_by_ref(session, authority_id, values["ref"]) is not None:
        raise taken
    entry = RegisterEntry(**values, authority_id=authority_id, first_recorded_at=now, updated_at=now)
    session.add(entry)
    try:
        session.flush()
    except IntegrityError:  # a concurrent request took the same ref between our check and insert
        raise taken from None
    index_record(session, "register_entry", entry)
    _history(session, entry, "recorded", now.date(), actor, now, {"decision": entry.decision})
    alerted = alert_holders(session, [entry], now)
    detail = {"decision": entry.decision, "category": entry.category, "alerted_authorities": alerted}
    audit.record(
        session, actor, "register_entry.recorded", "register_entry", entry.id, now=now, detail=detail
    )
    return entry


def alert_holders(session: Session, entries: list[RegisterEntry], now: datetime) -> int:
    """Alert every other council holding the person of each new entry (probable+); return how many alerts.

    The people of many entries (an import's) are searched together.
    """
    alerted = 0
    for entry, held in zip(entries, holders_of_each(session, entries, now), strict=True):
        alerted += _alert_councils(session, entry, "register_entry.recorded", {}, set(), now, held)
    return alerted


def amend_entry(session: Session, actor: Actor, entry_id: int, change: str, fields: dict, now: datetime):
    """Apply a later change to one of the actor's entries, keep its history, notify s.3 requesters."""
    entry = own_entry(session, actor, entry_id)
    if change not in AMENDMENTS:
        raise ValidationFailed(
            "Unknown change.", [_error("change", f"Must be one of {', '.join(AMENDMENTS)}.")]
        )
    if entry.status not in _ALLOWED_FROM[change]:
        raise InvalidTransition(f"An entry that is {entry.status} cannot be {change}.")
    if change == "lifted" and entry.decision != "suspension":
        raise InvalidTransition(f"Only a suspension is lifted, not a {entry.decision.replace('_', ' ')}.")
    today = now.date()
    changed_on, reason = _change_facts(change, fields, today)
    corrected = _corrections(entry, change, fields)
    after = {name: value for name, (_, value) in corrected.items()}
    _check_dates(
        after.get("decided_on", entry.decided_on), after.get("effective_on", entry.effective_on), today
    )
    for name, value in after.items():
        setattr(entry, name, value)
    entry.status = _STATUS_AFTER.get(change, entry.status)
    entry.updated_at = now
    facts = {"reason": reason} | {n: [_plain(b), _plain(a)] for n, (b, a) in corrected.items()}
    _history(session, entry, change, changed_on, actor, now, facts)
    notified = _notify_requesters(session, entry, change, changed_on, reason, now)
    detail = {"change": change, "reason": reason, "notified_authorities": notified}
    audit.record(
        session, actor, f"register_entry.{change}", "register_entry", entry.id, now=now, detail=detail
    )
    return entry


def own_entry(session: Session, actor: Actor, entry_id: int) -> RegisterEntry:
    """Return one of the actor's authority's entries; any other id is NotFound."""
    actor.require_authority()
    entry = by_id(session, RegisterEntry, entry_id)
    if entry is None or not actor.answers(entry.authority_id):
        raise NotFound("No such register entry.")
    return entry


@dataclass(frozen=True)
class EntryDetail:
    """An entry with its change history, oldest first."""

    entry: RegisterEntry
    history: list[RegisterEntryChange]


def entry_detail(session: Session, actor: Actor, entry_id: int) -> EntryDetail:
    """Return one of the actor's authority's entries with its change history."""
    entry = own_entry(session, actor, entry_id)
    return EntryDetail(entry, history_of(session, entry))


def list_entries(
    session: Session, actor: Actor, *, status: str | None = None, after: int = 0, limit: int = 50
) -> list[RegisterEntry]:
    """Return the actor's authority's entries in id order, `limit` at a time after id `after`."""
    authority_ids = (actor.require_authority(), *actor.authority_ids)
    return queries.entries_after(session, authority_ids, status=status, after=after, limit=limit)


def history_of(session: Session, entry: RegisterEntry) -> list[RegisterEntryChange]:
    """Return the change history of an entry, oldest first."""
    return queries.entry_changes(session, entry.id)


def notify(session: Session, authority_id: int, alert_type: str, subject: tuple[str, int], payload, now):
    """Raise an alert for an authority in the caller's transaction; `payload` travels as its detail."""
    kind, subject_id = subject
    return raise_alert(
        session,
        authority_id=authority_id,
        alert_type=alert_type,
        subject_kind=kind,
        subject_id=subject_id,
        now=now,
        detail=payload,
    )


def _entry_values(fields: dict, today: date) -> dict:
    """Return an entry's identity and decision as stored; raise ValidationFailed naming each bad field."""
    errors, values = [], {}
    for clean in (_clean_identity, _clean_entry):
        try:
            values |= clean(fields, today)
        except ValidationFailed as failure:
            errors += failure.errors
    if errors:
        raise ValidationFailed("The register entry is not valid.", errors)
    return values


def _clean_identity(fields: dict, today: date) -> dict:
    """Return the identity columns (the record writes its own warnings from them)."""
    return clean_identity(fields, today)[0]


def _clean_entry(fields: dict, today: date) -> dict:
    """Return the decision fields of an entry, or raise ValidationFailed."""
    errors = []
    ref = (fields.get("ref") or "").strip()
    if not ref or len(ref) > 64:
        errors.append(_error("ref", "Required, at most 64 characters."))
    if fields.get("decision") not in DECISIONS:
        errors.append(_error("decision", f"Must be one of {', '.join(DECISIONS)}."))
    if fields.get("category") is not None and fields["category"] not in DECISION_CATEGORIES:
        errors.append(_error("category", f"Must be one of {', '.join(DECISION_CATEGORIES)}."))
    for name in ("decided_on", "effective_on"):
        if not isinstance(fields.get(name), date):
            errors.append(_error(name, "Required date."))
    if not errors:
        errors = _date_errors(fields["decided_on"], fields["effective_on"], today)
    if errors:
        raise ValidationFailed("The register entry is not valid.", errors)
    return {"ref": ref} | {name: fields.get(name) for name in ENTRY_FIELDS[1:]}


def _date_errors(decided_on: date, effective_on: date, today: date) -> list[dict]:
    """Return the errors of a decision's dates, by the rule the CSV import applies too."""
    return [
        _error(name, sentence(problem))
        for name, problem in decision_problems(decided_on, effective_on, today)
    ]


def _check_dates(decided_on: date, effective_on: date, today: date) -> None:
    """Refuse decision dates that break the rule (in the future, before 1900, effective before decided)."""
    if errors := _date_errors(decided_on, effective_on, today):
        raise ValidationFailed("The decision's dates are not valid.", errors)


def _change_facts(change: str, fields: dict, today: date) -> tuple[date, str]:
    """Return the date of a change and its reason, checking both."""
    changed_on = fields.get("changed_on") or today
    if problem := past_problem(changed_on, today):
        raise ValidationFailed(
            "The date of the change is not valid.", [_error("changed_on", sentence(problem))]
        )
    reason = fields.get("reason") or _DEFAULT_REASON.get(change, "other")
    if reason not in CHANGE_REASONS:
        raise ValidationFailed(
            "Unknown reason.", [_error("reason", f"Must be one of {', '.join(CHANGE_REASONS)}.")]
        )
    return changed_on, reason


def _corrections(entry: RegisterEntry, change: str, fields: dict) -> dict:
    """Return {field: (before, after)} of the corrected fields; only 'amended' corrects, and must."""
    given = {name: fields[name] for name in CORRECTABLE if fields.get(name) is not None}
    if change != "amended":
        if given:
            raise ValidationFailed(
                "Only an 'amended' change corrects fields.", [_error(n, "Not allowed.") for n in given]
            )
        return {}
    # A council may replace 'not_recorded' (an entry from NR3S) with a category, never choose it.
    if "category" in given and given["category"] not in DECISION_CATEGORIES:
        raise ValidationFailed("Unknown category.", [_error("category", "Not a category.")])
    corrected = {n: (getattr(entry, n), v) for n, v in given.items() if getattr(entry, n) != v}
    if not corrected:
        raise ValidationFailed("An amendment must change decided_on, effective_on or category.")
    return corrected


def _notify_requesters(session, entry, change, changed_on, reason, now) -> int:
    """Alert every council that asked about `entry` (s.3(4)) or holds the person; return how many."""
    requesters = queries.requesters_of(session, entry.id)
    facts = {"change": change, "changed_on": changed_on.isoformat(), "reason": reason, "status": entry.status}
    # An appeal that overturns the entry has its own type: a requester may have refused on the strength
    # of it and must be able to act on it at once (s.3(4)).
    alert_type = "register_entry.overturned" if change == "overturned" else "register_entry.amended"
    return _alert_councils(
        session, entry, alert_type, {"register_entry_id": entry.id} | facts, requesters, now
    )


def _alert_councils(session, entry, alert_type: str, facts: dict, requesters: set, now, held=None) -> int:
    """Alert the requesters and every other council holding the person (probable+); return how many.

    The detail names only the entry's facts and the receiving council's own matched records, by id.
    `held` is the holders already found, if they were (`holders_of`).
    """
    held = holders_of(session, entry, now) if held is None else held
    for authority_id in sorted(requesters | set(held)):
        detail = facts | ({"matches": held[authority_id]} if authority_id in held else {})
        subject = {"subject_kind": "register_entry", "subject_id": entry.id}
        raise_alert(
            session, authority_id=authority_id, alert_type=alert_type, **subject, now=now, detail=detail
        )
    return len(requesters | set(held))


def _history(session, entry, change, changed_on, actor, now, facts) -> None:
    """Add one row to the entry's change history."""
    row = RegisterEntryChange(
        entry_id=entry.id,
        change=change,
        changed_on=changed_on,
        changed_at=now,
        actor_label=actor.label[:200],
        fields=facts,
    )
    session.add(row)


def _plain(value):
    """Return a date as ISO text, anything else as it is (for the JSON history)."""
    return value.isoformat() if isinstance(value, date) else value


def _error(field: str, message: str) -> dict:
    """Return one {field, message} validation error."""
    return {"field": field, "message": message}
