"""The audit log: who did what to which record and why, append-only and hash-chained.

Every event's `hash` is sha256(prev_hash + canonical content), and `prev_hash` is the hash of the event
before it (64 zeros for the first). Changing, removing or reordering any row breaks the chain at that
row; the single `audit_head` row names the last event, so cutting rows off the end is caught as well.
Writers lock the head row, so the chain never forks and event ids follow chain order.

`record` only queues an event in the caller's session; the session's next flush (normally the one its
unit of work's commit makes) chains every queued event (the events leave the session). The first is
inserted by a statement that locks the head and hashes the event after it in the database, the others
(if any) by one more statement, hashed here after the first. A trigger on audit_event moves the head to
each inserted event, so the writer spends no statement on it (the head row itself is made by the first
writer, in `_locked_head`). So the head row, which every writer in the country waits on, is locked
for one or two statements and the commit, not for the rest of the caller's transaction (a screening
scores its candidates first). The statements themselves are built in queries.py beside this module.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from licensing.actors import Actor
from licensing.audit import queries
from licensing.audit.queries import Head
from licensing.persistence.models import AuditEvent

GENESIS = "0" * 64
_QUEUE = "audit_queue"  # session.info key: events recorded but not yet chained, in record order
CONTENT_FIELDS = (
    "occurred_at",
    "actor_kind",
    "actor_id",
    "actor_label",
    "authority_id",
    "action",
    "record_kind",
    "record_id",
    "reason",
    "detail",
)


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of walking the chain: `first_broken_id` is None when it is intact."""

    ok: bool
    checked: int
    first_broken_id: int | None = None
    explanation: str = ""


def record(
    session: Session,
    actor: Actor,
    action: str,
    record_kind: str,
    record_id: int | None,
    *,
    now: datetime,
    reason: str = "",
    detail: dict | None = None,
    authority_id: int | None = None,
) -> AuditEvent:
    """Add an audit event to the caller's unit of work, chained at its next flush and committed with it.

    `detail` must be JSON-able and must never hold personal data (names, dates of birth, addresses,
    licence or NI numbers): the log is kept for good and is read by auditors, so refer to records by
    kind and id instead. `authority_id` defaults to the actor's authority. The event's `id`,
    `prev_hash` and `hash` are set once the session flushes (at the latest when it commits).
    """
    event = AuditEvent(
        occurred_at=_naive_utc(now),
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label,
        authority_id=actor.authority_id if authority_id is None else authority_id,
        action=action,
        record_kind=record_kind,
        record_id=record_id,
        reason=reason,
        detail=_as_stored(detail or {}),
    )
    session.info.setdefault(_QUEUE, []).append(event)
    session.add(event)
    return event


@sa_event.listens_for(OrmSession, "before_flush")
def _chain_queued(session: OrmSession, _context, _instances) -> None:
    """Chain the session's queued events after the locked head, in the order they were recorded."""
    queued = [e for e in session.info.pop(_QUEUE, []) if e in session.new]
    if not queued:
        return
    for event in queued:
        session.expunge(event)
    first, rest = queued[0], queued[1:]
    if not _insert_after_head(session, first):
        _locked_head(session)  # the very first event: make the head row, then chain after it
        _insert_after_head(session, first)
    prev_hash = first.hash
    for event in rest:
        event.prev_hash, event.hash = prev_hash, chain_hash(prev_hash, event)
        prev_hash = event.hash
    queries.insert_chained(session, rest)


def _insert_after_head(session: Session, event: AuditEvent) -> bool:
    """Insert `event` chained after the head, locking the head, in one statement; False if no head row."""
    chained = queries.insert_after_head(session, event, canonical_content(event))
    if chained is not None:
        event.id, event.prev_hash, event.hash = chained
    return chained is not None


@sa_event.listens_for(OrmSession, "after_soft_rollback")
def _forget_queued(session: OrmSession, _previous) -> None:
    """Drop events queued in a transaction that was rolled back: they were never written."""
    session.info.pop(_QUEUE, None)


def canonical_content(event: Any) -> str:
    """Return the canonical JSON of an event's content (an AuditEvent or a row of audit_event)."""
    content = {name: getattr(event, name) for name in CONTENT_FIELDS}
    content["occurred_at"] = event.occurred_at.isoformat(timespec="microseconds")
    return json.dumps(content, sort_keys=True, separators=(",", ":"), allow_nan=False)


def chain_hash(prev_hash: str, event: Any) -> str:
    """Return the hash an event must carry when chained after `prev_hash`."""
    return hashlib.sha256((prev_hash + canonical_content(event)).encode()).hexdigest()


def verify(
    session: Session, *, progress: Callable[[int, int], None] | None = None, batch: int = 1000
) -> VerifyResult:
    """Walk the whole chain in id order, recomputing every hash, and check the head names its end.

    Rows are streamed `batch` at a time; `progress(checked, total)` is called after each batch.
    Writers commit in id order, so each read sees a prefix of the chain: if the head has moved on
    while we walked, we walk the new rows too, and a head that stays ahead of the rows means the
    chain was cut short.
    """
    walk = _Walk(progress, batch, total=queries.event_count(session) if progress else 0)
    while True:
        walked_before = walk.checked
        for row in queries.events_after(session, walk.last_id, batch):
            if problem := walk.step(row):
                return VerifyResult(False, walk.checked, row.id, problem)
        head = queries.head_row(session)
        if _head_id(head) <= walk.last_id or walk.checked == walked_before:
            return walk.finish(head)


class _Walk:
    """The state of a walk along the chain: the last good row, and how many were checked."""

    def __init__(self, progress: Callable[[int, int], None] | None, batch: int, total: int):
        self.progress, self.batch, self.total = progress, batch, total
        self.prev_hash, self.last_id, self.checked = GENESIS, 0, 0

    def step(self, row: Any) -> str:
        """Check one row against the previous one; return what is wrong, or "" if nothing."""
        if row.prev_hash != self.prev_hash:
            return f"event {row.id} does not follow the previous event (a row was removed or moved)"
        if row.hash != chain_hash(row.prev_hash, row):
            return f"event {row.id} does not match its hash (the row was changed)"
        self.prev_hash, self.last_id, self.checked = row.hash, row.id, self.checked + 1
        if self.progress and self.checked % self.batch == 0:
            self.progress(self.checked, max(self.total, self.checked))
        return ""

    def finish(self, head: Head | None) -> VerifyResult:
        """Compare the end of the walk with the head row."""
        if self.progress and self.checked % self.batch:
            self.progress(self.checked, max(self.total, self.checked))
        if head is None and self.checked == 0:
            return VerifyResult(True, 0)
        if head is None:
            return VerifyResult(False, self.checked, self.last_id, "the audit head row is missing")
        if _head_id(head) != self.last_id or head.last_hash != self.prev_hash:
            why = f"the head names event {_head_id(head)} but the chain ends at event {self.last_id}"
            broken = max(_head_id(head), self.last_id)
            return VerifyResult(False, self.checked, broken, why + " (rows were cut off or the head changed)")
        return VerifyResult(True, self.checked)


def _locked_head(session: Session) -> Head:
    """Return the head row locked for this transaction, creating it at genesis if it is missing."""
    head = queries.head_row(session, lock=True)
    if head is None:
        queries.create_head(session, GENESIS)  # a concurrent first writer's row, if any, is kept
        head = queries.head_row(session, lock=True)
    return head


def _head_id(head: Head | None) -> int:
    """Return the id of the event the head names, 0 for an empty chain."""
    return (head.last_event_id or 0) if head else 0


def _naive_utc(moment: datetime) -> datetime:
    """Return `moment` as the naive UTC datetime every record stores."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _as_stored(detail: dict) -> dict:
    """Return `detail` as it will read back from the JSON column, so the hash covers what is stored."""
    return json.loads(json.dumps(detail, allow_nan=False))
