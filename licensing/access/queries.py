"""Every statement the access services run: officers, their second factor and identity providers, API
clients and idempotency keys.

Each function takes the session and the values it filters by, and returns what it found or how many
rows it changed. None commits or checks access: the services decide, and the unit of work commits.
"""

from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, func, select

from licensing.persistence.models import IdentityLink, IdentityProvider, RecoveryCode, SecondFactor
from licensing.persistence.models.idempotency import IdempotentResponse
from licensing.persistence.models.organisations import ApiClient, Authority, PoliceForce, User

# Officers


def user_by_email(session: Session, email: str) -> User | None:
    """Return the officer whose stored (normalised) e-mail address is exactly `email`, if any."""
    return session.exec(select(User).where(User.email == email)).first()


def users_with_email(session: Session, email: str) -> int:
    """Return how many officers have the stored e-mail address `email` (0 or 1)."""
    return session.exec(select(func.count()).select_from(User).where(User.email == email)).one()


# Second factor


def locked_second_factor(session: Session, user_id: int) -> SecondFactor | None:
    """Return the officer's authenticator row, locked until the caller's unit of work ends."""
    query = select(SecondFactor).where(SecondFactor.user_id == user_id).with_for_update()
    return session.exec(query).first()


def delete_second_factor(session: Session, user_id: int) -> None:
    """Delete the officer's authenticator row, if any."""
    session.exec(delete(SecondFactor).where(SecondFactor.user_id == user_id))


def delete_recovery_codes(session: Session, user_id: int) -> None:
    """Delete every recovery code of the officer, used or not."""
    session.exec(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))


def unused_recovery_codes(session: Session, user_id: int) -> list[RecoveryCode]:
    """Return the officer's recovery codes not used yet."""
    query = select(RecoveryCode).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    return list(session.exec(query).all())


def spend_recovery_code(session: Session, user_id: int, code_hash: str, now: datetime) -> bool:
    """Mark the officer's unused recovery code with this hash used at `now`; False if there is none."""
    spent = session.exec(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == code_hash,
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    return spent.rowcount == 1


# Councils' identity providers


def identity_provider_of(session: Session, authority_id: int) -> IdentityProvider | None:
    """Return the authority's identity provider, if it has one."""
    return session.exec(select(IdentityProvider).where(IdentityProvider.authority_id == authority_id)).first()


def identity_providers_with_authorities(session: Session) -> list[tuple[IdentityProvider, Authority]]:
    """Return every identity provider with its authority, by authority name."""
    query = select(IdentityProvider, Authority).join(Authority).order_by(Authority.name)
    return list(session.exec(query).all())


def identity_links_of(session: Session, provider_id: int) -> list[IdentityLink]:
    """Return every account's link to the identity provider."""
    return list(session.exec(select(IdentityLink).where(IdentityLink.provider_id == provider_id)))


def identity_link_by_subject(session: Session, provider_id: int, subject: str) -> IdentityLink | None:
    """Return the link of the provider's `subject` to an account, if any."""
    query = select(IdentityLink).where(
        IdentityLink.provider_id == provider_id, IdentityLink.subject == subject
    )
    return session.exec(query).first()


# API clients

_CLIENTS = ApiClient.__table__
# What authenticating reads of a client. Every API request pays for it, and a row of these columns
# costs less than loading an ApiClient (figures: bench/README.md).
_AUTHENTICATED_COLUMNS = (
    "id",
    "key_hash",
    "name",
    "scopes",
    "authority_id",
    "police_force_id",
    "revoked_at",
    "last_used_at",
)
_AUTHENTICATED = select(*(_CLIENTS.c[name] for name in _AUTHENTICATED_COLUMNS))


def client_row_by_key_id(session: Session, key_id: str):
    """Return the row of the columns authenticating needs of the client with `key_id`, live or revoked."""
    return session.execute(_AUTHENTICATED.where(_CLIENTS.c.key_id == key_id)).first()


def note_client_use(session: Session, client_id: int, now: datetime) -> None:
    """Set the client's last use to `now`."""
    session.execute(update(_CLIENTS).where(_CLIENTS.c.id == client_id).values(last_used_at=now))


def clients_with_organisation_codes(session: Session) -> list[tuple[ApiClient, str]]:
    """Return every client with the code of its authority or police force, oldest first."""
    query = (
        select(ApiClient, func.coalesce(Authority.code, PoliceForce.code))
        .outerjoin(Authority, ApiClient.authority_id == Authority.id)
        .outerjoin(PoliceForce, ApiClient.police_force_id == PoliceForce.id)
        .order_by(ApiClient.id)
    )
    return [(client, code) for client, code in session.exec(query)]


# Idempotency keys


def idempotent_response(
    session: Session, client_id: int, key: str, *, fresh: bool = False
) -> IdempotentResponse | None:
    """Return the row of this client's key, if any (`fresh`: as stored now, not as loaded before)."""
    query = select(IdempotentResponse).where(
        IdempotentResponse.client_id == client_id, IdempotentResponse.key == key
    )
    return session.exec(query.execution_options(populate_existing=fresh)).first()


def locked_claim(
    session: Session, client_id: int, key: str, claimed_at: datetime
) -> IdempotentResponse | None:
    """Return the unanswered claim of this client's key made at `claimed_at`, locked; None if it is gone."""
    query = _held(select(IdempotentResponse), client_id, key, claimed_at).with_for_update()
    return session.exec(query).first()


def answer_claim(session: Session, client_id: int, key: str, claimed_at: datetime, values: dict) -> bool:
    """Store `values` (status_code, body, headers) on the claim made at `claimed_at`; False if it is gone."""
    result = session.execute(_held(update(IdempotentResponse), client_id, key, claimed_at).values(**values))
    return result.rowcount == 1


def move_claim(session: Session, client_id: int, key: str, claimed_at: datetime, now: datetime) -> bool:
    """Move the unanswered claim made at `claimed_at` to `now`; False if it was answered or moved first."""
    statement = _held(update(IdempotentResponse), client_id, key, claimed_at)
    return session.execute(statement.values(created_at=now)).rowcount == 1


def delete_claim(session: Session, client_id: int, key: str, claimed_at: datetime) -> None:
    """Delete the unanswered claim of this client's key made at `claimed_at`, if it is still there."""
    session.execute(_held(delete(IdempotentResponse), client_id, key, claimed_at))


def delete_responses_created_by(session: Session, cutoff: datetime) -> int:
    """Delete every kept response or claim created at or before `cutoff`; return how many went."""
    result = session.execute(delete(IdempotentResponse).where(IdempotentResponse.created_at <= cutoff))
    return result.rowcount


def _held(statement, client_id: int, key: str, claimed_at: datetime):
    """Narrow `statement` to this client's key while it is still the unanswered claim made at `claimed_at`."""
    return statement.where(
        IdempotentResponse.client_id == client_id,
        IdempotentResponse.key == key,
        IdempotentResponse.created_at == claimed_at,
        IdempotentResponse.status_code.is_(None),
    )
