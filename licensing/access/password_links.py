"""One-time set-password links: an administrator creates an account, the officer chooses its password.

A link carries the account id and a fingerprint of the account's current password hash, signed with the
service's secret key, with the time it was issued. Setting the password changes the hash, so the link (and
any other link issued before) stops working: single use without a table of tokens. It also expires.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session

from licensing.access.users import actor_for, create_user, hasher, password_problem
from licensing.actors import SYSTEM, Actor
from licensing.audit import log as audit
from licensing.errors import Unauthenticated, ValidationFailed
from licensing.persistence.models import User

SALT = "crosscheck.set-password"
EPOCH = datetime(1970, 1, 1)
EXPIRED = "This link has expired or has been used already. Ask your administrator for a new one."


def create_user_without_password(
    session: Session, *, now: datetime, actor: Actor = SYSTEM, **details
) -> User:
    """Create an officer whose password nobody knows until they set it through a link."""
    # A random password of full strength passes every rule; it is never shown, so only a link opens it.
    return create_user(session, password=secrets.token_urlsafe(32), now=now, actor=actor, **details)


def make_link_token(user: User, secret_key: str, now: datetime) -> str:
    """Return the signed token of a set-password link for `user`, issued at `now`."""
    issued = int((now - EPOCH).total_seconds())
    return _serializer(secret_key).dumps({"user": user.id, "hash": _fingerprint(user), "at": issued})


def user_for_token(session: Session, token: str, secret_key: str, now: datetime, lifetime: timedelta) -> User:
    """Return the active officer a link issued less than `lifetime` ago is for, or raise Unauthenticated."""
    try:
        claims = _serializer(secret_key).loads(token)
    except BadSignature:
        raise Unauthenticated(EXPIRED) from None
    if not isinstance(claims, dict) or not isinstance(claims.get("at"), int):
        raise Unauthenticated(EXPIRED)
    if now > EPOCH + timedelta(seconds=claims["at"]) + lifetime:
        raise Unauthenticated(EXPIRED)
    user = session.get(User, claims.get("user")) if isinstance(claims.get("user"), int) else None
    if (
        user is None
        or not user.active
        or not hmac.compare_digest(_fingerprint(user), str(claims.get("hash")))
    ):
        raise Unauthenticated(EXPIRED)
    return user


def set_password(session: Session, user: User, password: str, confirmation: str, now: datetime) -> None:
    """Set the officer's password from a link, which spends the link."""
    errors = _password_problems(password, confirmation, user.email)
    if errors:
        raise ValidationFailed("The password is not valid.", errors)
    user.password_hash = hasher.hash(password)
    user.session_version += 1  # a session opened with the old password ends, as on any password change
    session.add(user)
    audit.record(session, actor_for(user), "user.password.set_from_link", "user", user.id, now=now)


def _password_problems(password: str, confirmation: str, email: str) -> list[dict]:
    """Return what is wrong with a chosen password, as {field, message}: the rules of every password."""
    if problem := password_problem(password or "", email):
        return [{"field": "password", "message": problem}]
    if password != confirmation:
        return [{"field": "confirmation", "message": "The passwords are not the same."}]
    return []


def _fingerprint(user: User) -> str:
    """Return a short digest of the account's password hash, which changes when the password does."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def _serializer(secret_key: str) -> URLSafeSerializer:
    """Return the signer of set-password links."""
    return URLSafeSerializer(secret_key, salt=SALT)
