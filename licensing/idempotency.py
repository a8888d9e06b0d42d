"""Idempotency keys: a POST retried with the same key is answered with its first response, not redone.

A key belongs to one API client and lives for KEY_LIFETIME. The first request with a key claims it (a row
with no status yet, committed before the work starts), so a concurrent retry is refused with 409 instead
of doing the work twice; the response is then kept. The same key with a different request is a client
error (422): replaying the first response to it would hide that the second request was never done.
"""

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from licensing.errors import InvalidTransition, ValidationFailed
from licensing.models.idempotency import IdempotentResponse

KEY_LIFETIME = timedelta(hours=24)
KEY_FIELD = "Idempotency-Key"


class KeyInUse(InvalidTransition):
    """The first request with this key is still running."""


class KeyReused(ValidationFailed):
    """The key was first used with a different request."""


def fingerprint(method: str, path: str, body: bytes) -> str:
    """Return the digest identifying a request: its method, path (with query) and body."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def claim(
    session: Session, client_id: int, key: str, request_fingerprint: str, now: datetime
) -> IdempotentResponse | None:
    """Return the kept response for this key, or claim the key for a first request and return None."""
    kept = _find(session, client_id, key)
    if kept is not None and kept.created_at <= now - KEY_LIFETIME:
        session.delete(kept)
        session.flush()
        kept = None
    if kept is None:
        return _insert_claim(session, client_id, key, request_fingerprint, now)
    session.commit()  # ends the read (on SQLite it holds the write lock) and keeps `kept` loaded
    if kept.fingerprint != request_fingerprint:
        raise KeyReused(
            "This Idempotency-Key was first used with a different request; use a new key for a new request.",
            [{"field": KEY_FIELD, "message": "Already used with a different method, path or body."}],
        )
    if kept.status_code is None:
        raise KeyInUse("The first request with this Idempotency-Key is still being processed; retry later.")
    return kept


def keep(session: Session, client_id: int, key: str, status_code: int, body: str, headers: dict) -> None:
    """Keep the response to the request that claimed the key."""
    kept = _find(session, client_id, key)
    if kept is not None and kept.status_code is None:
        kept.status_code, kept.body, kept.headers = status_code, body, headers
        session.commit()


def release(session: Session, client_id: int, key: str) -> None:
    """Give up a claim whose request failed on our side, so that a retry does the work."""
    session.execute(
        delete(IdempotentResponse).where(
            IdempotentResponse.client_id == client_id,
            IdempotentResponse.key == key,
            IdempotentResponse.status_code.is_(None),
        )
    )
    session.commit()


def purge_expired(session: Session, now: datetime) -> int:
    """Delete the responses kept longer than KEY_LIFETIME; return how many went."""
    result = session.execute(
        delete(IdempotentResponse).where(IdempotentResponse.created_at <= now - KEY_LIFETIME)
    )
    session.commit()
    return result.rowcount


def _find(session: Session, client_id: int, key: str) -> IdempotentResponse | None:
    """Return the row of this client's key, if any."""
    query = select(IdempotentResponse).where(
        IdempotentResponse.client_id == client_id, IdempotentResponse.key == key
    )
    return session.exec(query).first()


def _insert_claim(session: Session, client_id: int, key: str, request_fingerprint: str, now: datetime):
    """Commit the claim of a key; a concurrent first request that got there before us is KeyInUse."""
    session.add(
        IdempotentResponse(client_id=client_id, key=key, fingerprint=request_fingerprint, created_at=now)
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise KeyInUse(
            "The first request with this Idempotency-Key is still being processed; retry later."
        ) from None
    return None
