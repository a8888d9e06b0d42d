"""Officers' second factor: a TOTP authenticator (RFC 6238) and single-use recovery codes.

A code is accepted once (the step it belongs to is remembered), wrong codes in a row slow down the next
attempt, and recovery codes are kept only as SHA-256 hashes: they are 80 random bits, so a fast hash
is enough, and a code is found by its hash in one index probe.
"""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import pyotp
from sqlmodel import Session

from licensing.access import queries
from licensing.access.users import actor_for
from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.errors import Unauthenticated, ValidationFailed
from licensing.persistence.models import RecoveryCode, SecondFactor, User

ISSUER = "Crosscheck"  # the name authenticator apps list the account under
STEP_SECONDS = 30
DRIFT_STEPS = 1  # a code from the step before or after is accepted too: phone clocks drift
RECOVERY_CODES = 10
FREE_FAILURES = 3  # wrong codes in a row before each further attempt has to wait
MAX_WAIT = timedelta(minutes=15)
REFUSAL = "The code is not right, or it has been used already."


def is_enrolled(session: Session, user: User) -> bool:
    """Tell whether the officer has a confirmed authenticator."""
    factor = session.get(SecondFactor, user.id)
    return factor is not None and factor.confirmed_at is not None


def new_secret() -> str:
    """Return a new authenticator secret (160 random bits, base32), kept nowhere until confirmed."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """Return the otpauth:// address an authenticator app reads from a QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def confirm_enrolment(session: Session, user: User, secret: str, code: str, now: datetime) -> list[str]:
    """Keep the authenticator once a code from it is right; return new recovery codes, shown only now."""
    factor = queries.locked_second_factor(session, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise ValidationFailed("This account already has an authenticator.")
    factor = factor or SecondFactor(user_id=user.id, secret=secret)
    factor.secret, factor.last_step, factor.failures = secret, 0, 0
    if not _accept_totp(factor, code, now):
        raise ValidationFailed(REFUSAL, [{"field": "code", "message": REFUSAL}])
    factor.confirmed_at = now
    session.add(factor)
    codes = _replace_recovery_codes(session, user)
    audit.record(session, actor_for(user), "user.second_factor.enrol", "user", user.id, now=now)
    return codes


def check(session: Session, user: User, code: str, now: datetime) -> None:
    """Accept a code from the officer's authenticator or one of their recovery codes, or raise.

    A wrong code is counted and audited before Unauthenticated is raised: the caller keeps its unit of
    work's changes (the count slows the next guess) and answers with the refusal.
    """
    factor = queries.locked_second_factor(session, user.id)
    if factor is None or factor.confirmed_at is None:
        raise Unauthenticated(REFUSAL)
    _refuse_while_waiting(factor, now)
    if _accept_totp(factor, code, now) or _use_recovery_code(session, user, code, now):
        factor.failures, factor.last_failure_at = 0, None
        session.add(factor)
        return
    factor.failures += 1
    factor.last_failure_at = now
    session.add(factor)
    audit.record(session, actor_for(user), "user.second_factor.refused", "user", user.id, now=now)
    raise Unauthenticated(REFUSAL)


def reset(session: Session, user: User, now: datetime, actor: Actor) -> None:
    """Remove the officer's authenticator and recovery codes and end their sessions: they enrol again."""
    queries.delete_recovery_codes(session, user.id)
    queries.delete_second_factor(session, user.id)
    user.session_version += 1  # a session the lost authenticator opened ends too
    session.add(user)
    audit.record(
        session, actor, "user.second_factor.reset", "user", user.id, now=now, authority_id=user.authority_id
    )


def unused_recovery_codes(session: Session, user: User) -> int:
    """Return how many of the officer's recovery codes are left."""
    return len(queries.unused_recovery_codes(session, user.id))


def _refuse_while_waiting(factor: SecondFactor, now: datetime) -> None:
    """Raise while the officer must still wait after several wrong codes in a row."""
    if factor.failures < FREE_FAILURES or factor.last_failure_at is None:
        return
    wait = min(timedelta(seconds=2 ** (factor.failures - FREE_FAILURES + 1)), MAX_WAIT)
    ready = factor.last_failure_at + wait
    if now < ready:
        seconds = int((ready - now).total_seconds()) + 1
        raise Unauthenticated(f"Too many wrong codes. Wait {seconds} seconds and try again.")


def _accept_totp(factor: SecondFactor, code: str, now: datetime) -> bool:
    """Accept a 6-digit code of the current step (or a neighbour) not used before, and remember its step."""
    code = "".join((code or "").split())
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(factor.secret)
    current = int(now.timestamp() if now.tzinfo else (now - datetime(1970, 1, 1)).total_seconds())
    current //= STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > factor.last_step and hmac.compare_digest(totp.generate_otp(step), code):
            factor.last_step = step
            return True
    return False


def _use_recovery_code(session: Session, user: User, code: str, now: datetime) -> bool:
    """Spend one of the officer's unused recovery codes, if `code` is one."""
    if not queries.spend_recovery_code(session, user.id, _hash(code), now):
        return False
    audit.record(session, actor_for(user), "user.second_factor.recovery_code_used", "user", user.id, now=now)
    return True


def _replace_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the officer's recovery codes with new ones and return them in the form shown."""
    queries.delete_recovery_codes(session, user.id)
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    return codes


def _new_recovery_code() -> str:
    """Return 80 random bits as four groups of four lower-case base32 characters."""
    text = base64.b32encode(secrets.token_bytes(10)).decode().lower()
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def _hash(code: str) -> str:
    """Return the hash a recovery code is kept as, ignoring case, spaces and dashes."""
    normal = "".join(ch for ch in (code or "").lower() if ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()
