"""Idempotency keys: a POST retried with the same key is answered with its first response, not redone.

A key belongs to one API client and lives for KEY_LIFETIME. The first request with a key claims it (a row
with no status yet, which the caller commits in a unit of work of its own before the work starts), so a
concurrent retry is refused with 409 instead of doing the work twice. The same key with a different
request is a client error (422): replaying the first response to it would hide that the second request
was never done.

The request's work and its kept response are committed in one unit of work, which also locks the claim
(`begin`, then `keep`): a process killed mid-request leaves either both or neither, never a created record
without the answer that names it. A claim still without a response after the request's own time limit
(`claim_timeout`, the web server's request timeout) belonged to a request that died: a retry then takes
the claim over and does the work. The takeover and the kept response are fenced by the claim's time, so a
request that outlived its limit cannot keep its response over the retry's, nor commit its work.
"""

import hashlib
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from licensing.access import queries
from licensing.errors import InvalidTransition, ValidationFailed
from licensing.persistence.models.idempotency import IdempotentResponse

KEY_LIFETIME = timedelta(hours=24)
CLAIM_TIMEOUT = timedelta(seconds=60)
KEY_FIELD = "Idempotency-Key"
STILL_RUNNING = "The first request with this Idempotency-Key is still being processed; retry later."


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
    session: Session,
    client_id: int,
    key: str,
    request_fingerprint: str,
    now: datetime,
    claim_timeout: timedelta = CLAIM_TIMEOUT,
) -> IdempotentResponse | None:
    """Return the kept response for this key, or claim the key at `now` for this request and return None.

    A claim older than `claim_timeout` with no response is taken over. The caller commits the claim
    before the request's work begins, so that a concurrent retry finds it.
    """
    kept = queries.idempotent_response(session, client_id, key)
    if kept is not None and kept.created_at <= now - KEY_LIFETIME:
        session.delete(kept)
        session.flush()
        kept = None
    if kept is None:
        return _insert_claim(session, client_id, key, request_fingerprint, now)
    if kept.fingerprint != request_fingerprint:
        raise KeyReused(
            "This Idempotency-Key was first used with a different request; use a new key for a new request.",
            [{"field": KEY_FIELD, "message": "Already used with a different method, path or body."}],
        )
    if kept.status_code is None and kept.created_at <= now - claim_timeout and _take_over(session, kept, now):
        return None
    # Fresh: a takeover may have waited for the first request's answer.
    answered = queries.idempotent_response(session, client_id, key, fresh=True)
    if answered is None or answered.status_code is None:
        raise KeyInUse(STILL_RUNNING)
    return answered


def begin(session: Session, client_id: int, key: str, claimed_at: datetime) -> None:
    """Lock this request's claim in the transaction of its work; KeyInUse if a retry took it over."""
    if queries.locked_claim(session, client_id, key, claimed_at) is None:
        raise KeyInUse(STILL_RUNNING)


def keep(
    session: Session,
    client_id: int,
    key: str,
    claimed_at: datetime,
    response: tuple[int, str, dict],
) -> bool:
    """Keep (status, body, headers) in the caller's transaction; False if the claim is no longer ours."""
    status_code, body, headers = response
    values = {"status_code": status_code, "body": body, "headers": headers}
    return queries.answer_claim(session, client_id, key, claimed_at, values)


def release(session: Session, client_id: int, key: str, claimed_at: datetime) -> None:
    """Give up a claim whose request failed on our side, so that a retry does the work."""
    queries.delete_claim(session, client_id, key, claimed_at)


def purge_expired(session: Session, now: datetime) -> int:
    """Delete the responses kept longer than KEY_LIFETIME; return how many went."""
    return queries.delete_responses_created_by(session, now - KEY_LIFETIME)


def _take_over(session: Session, abandoned: IdempotentResponse, now: datetime) -> bool:
    """Move an abandoned claim to `now`; False if its request answered, or another retry took it, first."""
    # On PostgreSQL this waits while the first request's transaction holds the claim (see `begin`).
    return queries.move_claim(session, abandoned.client_id, abandoned.key, abandoned.created_at, now)


def _insert_claim(session: Session, client_id: int, key: str, request_fingerprint: str, now: datetime):
    """Claim a key; a concurrent first request that got there before us is KeyInUse."""
    session.add(
        IdempotentResponse(client_id=client_id, key=key, fingerprint=request_fingerprint, created_at=now)
    )
    try:
        session.flush()
    except IntegrityError:
        raise KeyInUse(STILL_RUNNING) from None
    return None
