"""API clients: the keys council systems and police forces call the API with, stored only as hashes.

A key reads `cc_<key_id>_<secret>`. `key_id` is stored in clear and finds the record; `secret` comes
from `secrets.token_urlsafe(32)`. Only a SHA-256 digest of the whole key is stored: the key carries 256
bits of entropy, so a slow password hash would add cost on every request and no protection.
"""

import hashlib
import hmac
import secrets
import string
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlmodel import Session

from licensing.access import queries
from licensing.actors import SYSTEM, Actor
from licensing.audit import log as audit
from licensing.errors import InvalidTransition, NotFound, Unauthenticated, ValidationFailed
from licensing.persistence.models.organisations import SCOPES, ApiClient, Authority, PoliceForce

KEY_PREFIX = "cc"
KEY_ID_LENGTH = 12
# Letters and digits only, so that `_` separates the key's parts unambiguously.
KEY_ID_ALPHABET = string.ascii_letters + string.digits
POLICE_SCOPES = frozenset({"police:intelligence"})
COUNCIL_SCOPES = frozenset(SCOPES) - POLICE_SCOPES
# Writing last_used_at on every call would turn every read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)
REFUSAL = "A valid API key is required."


def create_client(
    session: Session,
    *,
    name: str,
    scopes: Iterable[str],
    authority_id: int | None = None,
    police_force_id: int | None = None,
    now: datetime,
    actor: Actor = SYSTEM,
) -> tuple[ApiClient, str]:
    """Create a client for one organisation; return it and its key, which is never available again."""
    scope_set = _checked_scopes(session, scopes, authority_id, police_force_id)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("A client needs a name.", [{"field": "name", "message": "Required."}])
    key_id = "".join(secrets.choice(KEY_ID_ALPHABET) for _ in range(KEY_ID_LENGTH))
    key = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    client = ApiClient(
        key_id=key_id,
        key_hash=hash_key(key),
        name=name,
        scopes=" ".join(sorted(scope_set)),
        authority_id=authority_id,
        police_force_id=police_force_id,
        created_at=now,
    )
    session.add(client)
    session.flush()
    detail = {"name": name, "scopes": sorted(scope_set), "police_force_id": police_force_id}
    audit.record(
        session,
        actor,
        "api_client.create",
        "api_client",
        client.id,
        now=now,
        detail=detail,
        authority_id=authority_id,
    )
    return client, key


def revoke_client(session: Session, client_id: int, now: datetime, actor: Actor = SYSTEM) -> ApiClient:
    """Revoke a client so that its key is refused from now on."""
    client = session.get(ApiClient, client_id)
    if client is None:
        raise NotFound(f"There is no API client {client_id}.")
    if client.revoked_at is not None:
        raise InvalidTransition(
            f"API client {client_id} was already revoked on {client.revoked_at:%Y-%m-%d}."
        )
    client.revoked_at = now
    session.add(client)
    audit.record(
        session,
        actor,
        "api_client.revoke",
        "api_client",
        client.id,
        now=now,
        authority_id=client.authority_id,
    )
    return client


def list_clients(session: Session) -> list[tuple[ApiClient, str]]:
    """Return every client with its organisation's code, oldest first."""
    return queries.clients_with_organisation_codes(session)


def authenticate(session: Session, key: str | None, now: datetime) -> Actor:
    """Return the actor for a presented key, noting its use; raise Unauthenticated for any failure."""
    client = client_for_key(session, key)
    if use_to_note(client, now):
        note_use(session, client.id, now)
    return actor_for(client)


def client_for_key(session: Session, key: str | None):
    """Return the live client's row whose key this is, or raise Unauthenticated with one message for all."""
    client = _client_for(session, key)
    if client is None or client.revoked_at is not None:
        raise Unauthenticated(REFUSAL)
    return client


def use_to_note(client, now: datetime) -> bool:
    """Tell whether the client's last use is older than LAST_USED_RESOLUTION, so `now` must be noted."""
    return client.last_used_at is None or now - client.last_used_at >= LAST_USED_RESOLUTION


def note_use(session: Session, client_id: int, now: datetime) -> None:
    """Note that the client's key was used at `now`."""
    queries.note_client_use(session, client_id, now)


def actor_for(client) -> Actor:
    """Return the actor a client (an ApiClient or a row of its columns) acts as."""
    return Actor(
        kind="api_client",
        id=client.id,
        label=f"api_client:{client.name}",
        authority_id=client.authority_id,
        police_force_id=client.police_force_id,
        scopes=frozenset(client.scopes.split()),
    )


def organisation_of(session: Session, actor: Actor) -> Authority | PoliceForce:
    """Return the authority or police force the actor acts for."""
    if actor.authority_id is not None:
        organisation = session.get(Authority, actor.authority_id)
    else:
        organisation = session.get(PoliceForce, actor.police_force_id)
    if organisation is None:
        raise NotFound("The caller acts for no known organisation.")
    return organisation


def hash_key(key: str) -> str:
    """Return the hex SHA-256 digest stored for a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def _client_for(session: Session, key: str | None):
    """Return the live-or-revoked client's row whose key this is, or None for anything else."""
    prefix, _, rest = (key or "").partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != KEY_PREFIX or len(key_id) != KEY_ID_LENGTH or not secret:
        return None
    client = queries.client_row_by_key_id(session, key_id)
    if client is None or not hmac.compare_digest(client.key_hash, hash_key(key)):
        return None
    return client


def _checked_scopes(
    session: Session, scopes: Iterable[str], authority_id: int | None, police_force_id: int | None
) -> frozenset[str]:
    """Return the scopes, checked against the one organisation the client must act for."""
    if (authority_id is None) == (police_force_id is None):
        raise ValidationFailed(
            "A client acts for exactly one organisation: an authority or a police force.",
            [{"field": "organisation", "message": "Give exactly one of authority or police force."}],
        )
    if authority_id is not None and session.get(Authority, authority_id) is None:
        raise ValidationFailed("Unknown authority.", [{"field": "authority_id", "message": "Unknown."}])
    if police_force_id is not None and session.get(PoliceForce, police_force_id) is None:
        raise ValidationFailed("Unknown police force.", [{"field": "police_force_id", "message": "Unknown."}])
    allowed = COUNCIL_SCOPES if authority_id is not None else POLICE_SCOPES
    if isinstance(scopes, str):
        scopes = scopes.split()
    return _scopes_within(frozenset(scopes), allowed)


def _scopes_within(scopes: frozenset[str], allowed: frozenset[str]) -> frozenset[str]:
    """Return `scopes` if every one is known and allowed, else raise ValidationFailed listing each problem."""
    unknown = sorted(scopes - frozenset(SCOPES))
    refused = sorted((scopes & frozenset(SCOPES)) - allowed)
    errors = [{"field": "scopes", "message": f"Unknown scope '{s}'."} for s in unknown]
    errors += [
        {"field": "scopes", "message": f"Scope '{s}' is not allowed for this organisation."} for s in refused
    ]
    if not scopes:
        errors.append({"field": "scopes", "message": "Give at least one scope."})
    if errors:
        raise ValidationFailed("The scopes are not valid for this client.", errors)
    return scopes
