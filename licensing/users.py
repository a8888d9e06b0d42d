"""Officers: accounts, argon2id passwords, and sign-in with lockout after repeated failures."""

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, func, select

from licensing import audit
from licensing.actors import SYSTEM, Actor
from licensing.errors import DuplicateReference, Unauthenticated, ValidationFailed
from licensing.models.organisations import ROLES, Authority, User

# NCSC password guidance: favour length over composition rules.
MIN_PASSWORD_LENGTH = 12
# One message for an unknown e-mail, a wrong password and a locked account, so none can be told apart.
REFUSAL = "The e-mail address or password is not right, or the account is locked."
hasher = PasswordHasher()  # argon2id with RFC 9106's recommended low-memory parameters
# Verified against when the e-mail is unknown, so that an unknown account costs the same time.
_DECOY_HASH = hasher.hash("decoy password that matches no account")


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: str,
    authority_id: int,
    now: datetime,
    actor: Actor = SYSTEM,
) -> User:
    """Create an officer of one authority with a hashed password."""
    email = normalise_email(email)
    _check_new_user(session, email, name, password, role, authority_id)
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hasher.hash(password),
        role=role,
        authority_id=authority_id,
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        "user.create",
        "user",
        user.id,
        now=now,
        detail={"role": role},
        authority_id=authority_id,
    )
    session.commit()
    return user


def sign_in(
    session: Session, email: str, password: str, now: datetime, max_failures: int, lockout_minutes: int
) -> User:
    """Return the officer whose password this is, counting failures and locking after `max_failures`."""
    user = session.exec(select(User).where(User.email == normalise_email(email)).with_for_update()).first()
    if user is None or not user.active or (user.locked_until is not None and user.locked_until > now):
        _verify(_DECOY_HASH, password)
        session.rollback()
        raise Unauthenticated(REFUSAL)
    if not _verify(user.password_hash, password):
        _count_failure(session, user, now, max_failures, lockout_minutes)
        raise Unauthenticated(REFUSAL)
    user.failed_logins = 0
    user.locked_until = None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    session.add(user)
    session.commit()
    return user


def actor_for(user: User) -> Actor:
    """Return the actor a signed-in officer acts as."""
    return Actor(
        kind="user", id=user.id, label=f"user:{user.email}", authority_id=user.authority_id, role=user.role
    )


def authority_of(session: Session, user: User) -> Authority:
    """Return the authority the officer works for."""
    return session.get(Authority, user.authority_id)


def normalise_email(email: str) -> str:
    """Return the e-mail address in the form accounts are stored and found by."""
    return (email or "").strip().lower()


def _verify(password_hash: str, password: str) -> bool:
    """Tell whether `password` matches `password_hash`, treating a corrupt hash as a mismatch."""
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(session: Session, user: User, now: datetime, max_failures: int, minutes: int) -> None:
    """Count a failed sign-in, locking the account for `minutes` at the `max_failures`th."""
    user.failed_logins += 1
    if user.failed_logins >= max_failures:
        user.locked_until = now + timedelta(minutes=minutes)
        user.failed_logins = 0
    session.add(user)
    session.commit()


def _check_new_user(session: Session, email: str, name: str, password: str, role: str, authority_id: int):
    """Raise ValidationFailed listing every invalid detail, or DuplicateReference for a taken e-mail."""
    errors = []
    if "@" not in email.strip("@"):
        errors.append({"field": "email", "message": "Give a valid e-mail address."})
    if not (name or "").strip():
        errors.append({"field": "name", "message": "Required."})
    if len(password or "") < MIN_PASSWORD_LENGTH:
        errors.append({"field": "password", "message": f"Use at least {MIN_PASSWORD_LENGTH} characters."})
    if role not in ROLES:
        errors.append({"field": "role", "message": f"Must be one of {', '.join(ROLES)}."})
    if session.get(Authority, authority_id) is None:
        errors.append({"field": "authority_id", "message": "Unknown authority."})
    if errors:
        raise ValidationFailed("The officer's details are not valid.", errors)
    taken = session.exec(select(func.count()).select_from(User).where(User.email == email)).one()
    if taken:
        raise DuplicateReference(f"An officer with e-mail {email} already exists.")
