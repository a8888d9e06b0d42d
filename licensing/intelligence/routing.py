"""Police intelligence: pushed by a force, routed to the councils that license or are processing the person.

A force identifies each item by its own reference, so a re-push is idempotent: the same body again changes
nothing and routes nothing; a changed body updates the item, re-routes it (routes are only ever added)
and tells the councils already holding it. Withdrawal (e.g. no further action) tells them too. Alerts are
thin (ids and type): the alerts outbox delivers them and the council reads the item through the API.

Routing is a search of the register on the force's behalf. It is recorded as an audit event on the item,
not as a Screening row: the item itself holds the identity searched for.

What councils see of routed items is in licensing/intelligence/council_views.py.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from licensing.actors import SYSTEM, Actor
from licensing.alerts.outbox import raise_alert
from licensing.audit import log as audit
from licensing.dates import past_problem, sentence
from licensing.errors import DomainError, Forbidden, InvalidTransition, NotFound, ValidationFailed
from licensing.identity.fields import IDENTITY_FIELDS
from licensing.identity.validation import clean_identity
from licensing.intelligence import queries
from licensing.matching import person_from
from licensing.persistence.models import Intelligence, IntelligenceRoute
from licensing.persistence.models.intelligence import CATEGORIES
from licensing.persistence.unit_of_work import attempt
from licensing.reference import reorganisation
from licensing.screening.key_index import drop_record, index_record
from licensing.screening.service import screen

ROUTING_BANDS = ("match", "probable")
ROUTED_KINDS = ("licence", "application")
REFERENCE_WIDTH = Intelligence.__table__.c.force_reference.type.length
TEXT_WIDTHS = {name: Intelligence.__table__.c[name].type.length for name in ("summary", "shareable_summary")}
MAX_BATCH = 1000


@dataclass
class PushResult:
    """What a push did to one item: created, updated or unchanged, and which fields changed."""

    intelligence: Intelligence
    status: str
    changed: list[str] = field(default_factory=list)
    routed_to: list[dict] = field(default_factory=list)


@dataclass
class BatchItem:
    """One item of a batch: its reference and loaded fields, or the errors that stopped it loading."""

    force_reference: str | None
    fields: dict | None = None
    errors: list[dict] = field(default_factory=list)


@dataclass
class BatchResult:
    """The outcome of one batch item."""

    force_reference: str | None
    status: str
    errors: list[dict] = field(default_factory=list)


@dataclass
class ForceView:
    """A force's own item and the councils, by name, it was routed to."""

    intelligence: Intelligence
    routed_to: list[dict]


def push_intelligence(
    session: Session, actor: Actor, force_reference: str, fields: dict, now: datetime
) -> PushResult:
    """Create or update the caller's force's item under `force_reference` and route it."""
    try:
        with attempt(session):
            result = _push(session, actor, force_reference, fields, now)
    except IntegrityError:
        # Two pushes of a new reference raced; the loser finds the winner's row and updates it.
        result = _push(session, actor, force_reference, fields, now)
    result.routed_to = queries.councils_routed_to(session, result.intelligence.id)
    return result


def push_batch(session: Session, actor: Actor, items: list[BatchItem], now: datetime) -> list[BatchResult]:
    """Push many items, each whole or not at all (one savepoint each); the ones that succeed are kept."""
    _force_of(actor)
    if len(items) > MAX_BATCH:
        raise ValidationFailed(f"A batch holds at most {MAX_BATCH:,} items; split it.")
    return [_push_one(session, actor, item, now) for item in items]


def withdraw_intelligence(
    session: Session, actor: Actor, force_reference: str, reason: str, now: datetime
) -> ForceView:
    """Withdraw the force's item and alert every council it was routed to; a repeat changes nothing."""
    item = _own_item(session, actor, force_reference)
    if item.status == "withdrawn":
        return ForceView(item, queries.councils_routed_to(session, item.id))
    if not (reason or "").strip():
        raise ValidationFailed("Say why it is withdrawn.", [{"field": "reason", "message": "Required."}])
    item.status, item.withdrawn_reason, item.updated_at = "withdrawn", reason.strip(), now
    drop_record(session, "intelligence", item.id)  # no longer screenable
    for route in queries.routes_of(session, item.id):
        _alert(session, route.authority_id, "intelligence.withdrawn", item.id, now)
    audit.record(session, actor, "intelligence.withdrawn", "intelligence", item.id, now=now, reason=reason)
    return ForceView(item, queries.councils_routed_to(session, item.id))


def force_view(session: Session, actor: Actor, force_reference: str) -> ForceView:
    """Return the force's own item and the names of the councils it was routed to."""
    item = _own_item(session, actor, force_reference)
    return ForceView(item, queries.councils_routed_to(session, item.id))


def route_intelligence(
    session: Session, intelligence: Intelligence, now: datetime, *, actor: Actor = SYSTEM
) -> list[IntelligenceRoute]:
    """Route the item to every authority with a licence or pending application matching it (probable+).

    Routes are only added: an authority that already holds the item keeps it, with any newly matched
    records of its own added. Each new route raises an "intelligence.routed" alert. Returns the new
    routes.
    """
    found = screen(
        session,
        actor,
        person_from(intelligence),
        purpose="intelligence",
        now=now,
        kinds=ROUTED_KINDS,
        record=False,
    )
    routed = [c for c in found.candidates if c.band in ROUTING_BANDS and c.authority_id is not None]
    existing = {r.authority_id: r for r in queries.routes_of(session, intelligence.id)}
    added = []
    for authority_id, candidates in _by_authority(session, routed, now).items():
        matches = [{"kind": c.kind, "id": c.id} for c in candidates]
        score = max(c.score for c in candidates)
        if route := existing.get(authority_id):
            route.matches = route.matches + [m for m in matches if m not in route.matches]
            route.score = max(route.score, score)
            continue
        added.append(_add_route(session, intelligence, authority_id, score, matches, now))
    detail = {
        "purpose": "intelligence",
        "candidates": len(found.candidates),
        "bands": dict(Counter(c.band for c in found.candidates)),
        "routed_to": sorted(r.authority_id for r in added),
    }
    audit.record(
        session, actor, "intelligence.routed", "intelligence", intelligence.id, now=now, detail=detail
    )
    return added


def _push(session: Session, actor: Actor, force_reference: str, fields: dict, now: datetime) -> PushResult:
    """Create or update one item and route it."""
    force_id = _force_of(actor)
    wanted = _content(force_reference, fields, now.date())
    item = queries.item_by_reference(session, force_id, force_reference)
    if item is None:
        item = Intelligence(police_force_id=force_id, force_reference=force_reference, **wanted)
        item.created_at = item.updated_at = now
        session.add(item)
        session.flush()
        index_record(session, "intelligence", item)
        audit.record(session, actor, "intelligence.created", "intelligence", item.id, now=now)
        route_intelligence(session, item, now, actor=actor)
        return PushResult(item, "created")
    changed = [name for name, value in wanted.items() if getattr(item, name) != value]
    if not changed:
        return PushResult(item, "unchanged")
    _update(session, actor, item, wanted, changed, now)
    return PushResult(item, "updated", changed)


def _update(session, actor, item: Intelligence, wanted: dict, changed: list[str], now: datetime) -> None:
    """Apply a changed body, tell the councils already holding it, and re-route."""
    if item.status == "withdrawn":
        raise InvalidTransition(
            "This intelligence was withdrawn; push new intelligence under a new reference."
        )
    for name in changed:
        setattr(item, name, wanted[name])
    item.updated_at = now
    session.flush()
    if set(changed) & set(IDENTITY_FIELDS):
        index_record(session, "intelligence", item)
    for route in queries.routes_of(session, item.id):
        _alert(session, route.authority_id, "intelligence.updated", item.id, now)
    # Field names only: the values are personal or restricted.
    audit.record(
        session, actor, "intelligence.updated", "intelligence", item.id, now=now, detail={"changed": changed}
    )
    route_intelligence(session, item, now, actor=actor)


def _push_one(session: Session, actor: Actor, item: BatchItem, now: datetime) -> BatchResult:
    """Push one batch item inside its own savepoint; report its outcome."""
    if item.errors or item.fields is None:
        return BatchResult(item.force_reference, "error", item.errors)
    try:
        with attempt(session):
            result = _push(session, actor, item.force_reference, item.fields, now)
    except DomainError as error:
        return BatchResult(
            item.force_reference, "error", error.errors or [{"field": "", "message": error.detail}]
        )
    except IntegrityError:
        message = "The item breaks a rule of the register and was not stored."
        return BatchResult(item.force_reference, "error", [{"field": "", "message": message}])
    return BatchResult(item.force_reference, result.status)


def _content(force_reference: str, fields: dict, today: date) -> dict:
    """Return the stored form of a pushed body, identity cleaned as every record's; check the rules."""
    errors = []
    if not (force_reference or "").strip() or len(force_reference) > REFERENCE_WIDTH:
        errors.append({"field": "force_reference", "message": f"Between 1 and {REFERENCE_WIDTH} characters."})
    if fields.get("category") not in CATEGORIES:
        errors.append({"field": "category", "message": f"One of {', '.join(CATEGORIES)}."})
    if not isinstance(fields.get("occurred_on"), date):
        errors.append({"field": "occurred_on", "message": "Required."})
    elif problem := past_problem(fields["occurred_on"], today):
        errors.append({"field": "occurred_on", "message": sentence(problem)})
    texts = {name: (fields.get(name) or "").strip() for name in ("summary", "shareable_summary")}
    for name, text in texts.items():
        if len(text) > TEXT_WIDTHS[name]:
            errors.append({"field": name, "message": f"At most {TEXT_WIDTHS[name]} characters."})
    identity = {}
    try:
        identity, _ = clean_identity(fields, today)
    except ValidationFailed as failure:
        errors += failure.errors
    if errors:
        raise ValidationFailed("The intelligence is not valid.", errors)
    return identity | texts | {"category": fields["category"], "occurred_on": fields["occurred_on"]}


def _force_of(actor: Actor) -> int:
    """Return the actor's police force id, or refuse anyone who does not act for a force."""
    if actor.police_force_id is None:
        raise Forbidden("Only a police force can do this.")
    return actor.police_force_id


def _own_item(session: Session, actor: Actor, force_reference: str) -> Intelligence:
    """Return the actor's force's item; another force's item is as unknown as a missing one."""
    item = queries.item_by_reference(session, _force_of(actor), force_reference)
    if item is None:
        raise NotFound("Your force has no intelligence with this reference.")
    return item


def _by_authority(session: Session, candidates, now: datetime) -> dict[int, list]:
    """Group candidates by the authority answering for them now, best first within each.

    After a reorganisation a predecessor's records are routed to the successor answering for them
    (a split's licence to the successor it was placed with).
    """
    grouped: dict[int, list] = {}
    for candidate in candidates:
        licence_id = candidate.id if candidate.kind == "licence" else None
        answering = reorganisation.successor_id(session, candidate.authority_id, now.date(), licence_id)
        grouped.setdefault(answering, []).append(candidate)
    return grouped


def _add_route(session, intelligence, authority_id, score, matches, now) -> IntelligenceRoute:
    """Route the item to one authority and alert it."""
    route = IntelligenceRoute(
        intelligence_id=intelligence.id,
        authority_id=authority_id,
        score=score,
        matches=matches,
        routed_at=now,
    )
    session.add(route)
    session.flush()
    _alert(session, authority_id, "intelligence.routed", intelligence.id, now)
    return route


def _alert(session: Session, authority_id: int, alert_type: str, intelligence_id: int, now: datetime) -> None:
    """Raise a thin alert: the type and the item's id, never its content."""
    raise_alert(
        session,
        authority_id=authority_id,
        alert_type=alert_type,
        subject_kind="intelligence",
        subject_id=intelligence_id,
        now=now,
    )
