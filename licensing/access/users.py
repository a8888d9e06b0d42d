"""Officers: accounts, argon2id passwords, sign-in, and ending sessions.

Guessing is slowed by the web layer's sign-in throttle (app/officer/throttle.py), not by locking the
account, which anyone who knows an officer's e-mail address could do to them.
"""

from datetime import datetime
from typing import NoReturn

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session

from licensing.access import queries
from licensing.access.passwords import password_problem
from licensing.actors import SYSTEM, Actor
from licensing.audit import log as audit
from licensing.errors import DuplicateReference, NotFound, Unauthenticated, ValidationFailed
from licensing.persistence.models.organisations import ROLES, Authority, User

# One message for an unknown e-mail, a wrong password and a disabled account, so none can be told apart.
REFUSAL = "The e-mail address or password is not right, or the account is disabled."
# Who a refused sign-in was made by: nobody known, so the audit names the client address instead.
VISITOR = Actor(kind="visitor", id=None, label="visitor")
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
    return user


def sign_in(session: Session, email: str, password: str, now: datetime, *, address: str = "") -> User:
    """Return the officer whose password this is; audit a refusal (never the password) and raise.

    The refusal is audited before Unauthenticated is raised: the caller keeps its unit of work's changes
    and answers with the refusal.
    """
    user = queries.user_by_email(session, normalise_email(email))
    if user is None or not user.active:
        _verify(_DECOY_HASH, password)
        _refuse(session, user, "no such account" if user is None else "account disabled", address, now)
    if not _verify(user.password_hash, password):
        _refuse(session, user, "wrong password", address, now)
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        session.add(user)
    return user


def change_password(session: Session, user_id: int, current: str, new: str, now: datetime) -> User:
    """Change a signed-in officer's password once they prove the current one; ends their other sessions."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise Unauthenticated("Sign in again to change your password.")
    if not _verify(user.password_hash, current):
        raise ValidationFailed(
            "The password was not changed.",
            [{"field": "current_password", "message": "This is not your password."}],
        )
    return set_password(session, user, new, now, actor_for(user))


def set_password(session: Session, user: User, password: str, now: datetime, actor: Actor) -> User:
    """Give `user` a new password that meets the rules, ending every session they have."""
    problem = password_problem(password, user.email)
    if problem:
        raise ValidationFailed(
            "The password was not changed.", [{"field": "new_password", "message": problem}]
        )
    user.password_hash = hasher.hash(password)
    user.session_version += 1
    session.add(user)
    audit.record(
        session, actor, "user.password_change", "user", user.id, now=now, authority_id=user.authority_id
    )
    return user


def set_active(session: Session, email: str, active: bool, now: datetime, actor: Actor) -> User:
    """Disable or enable an officer's account; either way every session they have ends at once."""
    user = queries.user_by_email(session, normalise_email(email))
    if user is None:
        raise NotFound(f"No officer has the e-mail address {normalise_email(email)}.")
    user.active = active
    user.session_version += 1
    session.add(user)
    action = "user.enable" if active else "user.disable"
    audit.record(session, actor, action, "user", user.id, now=now, authority_id=user.authority_id)
    return user


def end_sessions(session: Session, user_id: int) -> None:
    """End every session of the officer (sign-out): cookies copied from any of them stop working."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_version += 1
        session.add(user)


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


def _refuse(session: Session, user: User | None, why: str, address: str, now: datetime) -> NoReturn:
    """Audit a refused sign-in, naming the account only when it exists, and raise the one refusal."""
    detail = {"refused": why, "address": address}
    authority_id = user.authority_id if user is not None else None
    record_id = user.id if user is not None else None
    audit.record(
        session,
        VISITOR,
        "user.sign_in_refused",
        "user",
        record_id,
        now=now,
        detail=detail,
        authority_id=authority_id,
    )
    raise Unauthenticated(REFUSAL)


def _check_new_user(session: Session, email: str, name: str, password: str, role: str, authority_id: int):
    """Raise ValidationFailed listing every invalid detail, or DuplicateReference for a taken e-mail."""
    errors = []
    if "@" not in email.strip("@"):
        errors.append({"field": "email", "message": "Give a valid e-mail address."})
    if not (name or "").strip():
        errors.append({"field": "name", "message": "Required."})
    if problem := password_problem(password, email):
        errors.append({"field": "password", "message": problem})
    if role not in ROLES:
        errors.append({"field": "role", "message": f"Must be one of {', '.join(ROLES)}."})
    if session.get(Authority, authority_id) is None:
        errors.append({"field": "authority_id", "message": "Unknown authority."})
    if errors:
        raise ValidationFailed("The officer's details are not valid.", errors)
    if queries.users_with_email(session, email):
        raise DuplicateReference(f"An officer with e-mail {email} already exists.")
