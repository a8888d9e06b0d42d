"""The second factor: TOTP codes accepted once and within a step of the clock, recovery codes used once."""

from datetime import UTC, timedelta

import pyotp
import pytest
from sqlmodel import select

from licensing.access import second_factor
from licensing.actors import SYSTEM
from licensing.errors import Unauthenticated, ValidationFailed
from licensing.persistence.models import AuditEvent, RecoveryCode, SecondFactor
from tests.factories import make_user


def code_at(secret: str, when) -> str:
    """Return what an authenticator app shows at `when` (naive UTC)."""
    return pyotp.TOTP(secret).at(when.replace(tzinfo=UTC))


@pytest.fixture
def enrolled(session, now):
    """Return an officer with a confirmed authenticator, its secret and their recovery codes."""
    user = make_user(session)
    secret = second_factor.new_secret()
    codes = second_factor.confirm_enrolment(session, user, secret, code_at(secret, now), now)
    return user, secret, codes


def test_enrolment_needs_a_code_from_the_new_authenticator(session, now):
    user = make_user(session)
    secret = second_factor.new_secret()
    with pytest.raises(ValidationFailed):
        second_factor.confirm_enrolment(session, user, secret, "000000", now)
    assert not second_factor.is_enrolled(session, user)
    codes = second_factor.confirm_enrolment(session, user, secret, code_at(secret, now), now)
    assert second_factor.is_enrolled(session, user)
    assert len(codes) == 10 and len(set(codes)) == 10


def test_recovery_codes_are_kept_only_as_hashes(session, enrolled):
    user, _, codes = enrolled
    stored = session.exec(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10
    assert not {code.replace("-", "") for code in codes} & set(stored)
    assert all(len(code.replace("-", "")) == 16 for code in codes)  # 80 random bits each


def test_code_of_now_is_accepted(session, enrolled, now):
    user, secret, _ = enrolled
    second_factor.check(
        session, user, code_at(secret, now + timedelta(minutes=1)), now + timedelta(minutes=1)
    )


@pytest.mark.parametrize("drift", [-30, 30])
def test_code_of_a_neighbouring_step_is_accepted(session, enrolled, now, drift):
    user, secret, _ = enrolled
    later = now + timedelta(minutes=5)
    second_factor.check(session, user, code_at(secret, later + timedelta(seconds=drift)), later)


def test_code_two_steps_old_is_refused(session, enrolled, now):
    user, secret, _ = enrolled
    later = now + timedelta(minutes=5)
    with pytest.raises(Unauthenticated):
        second_factor.check(session, user, code_at(secret, later - timedelta(seconds=61)), later)


def test_a_code_works_once(session, enrolled, now):
    # A code seen over a shoulder or phished is spent once the officer has used it.
    user, secret, _ = enrolled
    later = now + timedelta(minutes=5)
    code = code_at(secret, later)
    second_factor.check(session, user, code, later)
    with pytest.raises(Unauthenticated):
        second_factor.check(session, user, code, later + timedelta(seconds=5))


def test_the_enrolment_code_cannot_be_used_again_to_sign_in(session, enrolled, now):
    user, secret, _ = enrolled
    with pytest.raises(Unauthenticated):
        second_factor.check(session, user, code_at(secret, now), now + timedelta(seconds=10))


def test_recovery_code_works_once_in_any_case_and_spacing(session, enrolled, now):
    user, _, codes = enrolled
    second_factor.check(session, user, f"  {codes[3].upper().replace('-', ' ')} ", now)
    assert second_factor.unused_recovery_codes(session, user) == 9
    with pytest.raises(Unauthenticated):
        second_factor.check(session, user, codes[3], now + timedelta(minutes=1))
    used = session.exec(
        select(AuditEvent).where(AuditEvent.action == "user.second_factor.recovery_code_used")
    )
    assert len(used.all()) == 1


def test_another_officers_recovery_code_is_refused(session, enrolled, now):
    _, _, codes = enrolled
    other = make_user(session)
    secret = second_factor.new_secret()
    second_factor.confirm_enrolment(session, other, secret, code_at(secret, now), now)
    with pytest.raises(Unauthenticated):
        second_factor.check(session, other, codes[0], now + timedelta(minutes=1))


def test_guessing_codes_is_slowed_down(session, enrolled, now):
    # A million codes, three valid at a time: without waits an attacker holding the password would get in.
    user, secret, _ = enrolled
    for _ in range(second_factor.FREE_FAILURES):
        with pytest.raises(Unauthenticated, match="not right"):
            second_factor.check(session, user, "000000", now)
    with pytest.raises(Unauthenticated, match="Wait 2 seconds"):
        second_factor.check(session, user, "000000", now + timedelta(seconds=0.5))
    with pytest.raises(Unauthenticated, match="not right"):  # its turn came: checked, and wrong
        second_factor.check(session, user, "000000", now + timedelta(seconds=2))
    soon = now + timedelta(seconds=3)
    with pytest.raises(Unauthenticated, match="Wait"):  # even the right code waits its turn
        second_factor.check(session, user, code_at(secret, soon), soon)
    later = now + timedelta(minutes=20)
    second_factor.check(session, user, code_at(secret, later), later)
    assert session.get(SecondFactor, user.id).failures == 0


def test_waits_grow_to_at_most_fifteen_minutes(session, enrolled, now):
    user, _, _ = enrolled
    factor = session.get(SecondFactor, user.id)
    factor.failures, factor.last_failure_at = 40, now
    session.add(factor)
    session.commit()
    with pytest.raises(Unauthenticated, match="Wait 901 seconds"):
        second_factor.check(session, user, "000000", now)


def test_reset_removes_the_authenticator_and_codes(session, enrolled, now):
    user, _, _ = enrolled
    second_factor.reset(session, user, now, SYSTEM)
    assert not second_factor.is_enrolled(session, user)
    assert second_factor.unused_recovery_codes(session, user) == 0


def test_enrolled_officer_cannot_replace_their_authenticator_by_enrolling_again(session, enrolled, now):
    user, secret, _ = enrolled
    mine = second_factor.new_secret()
    with pytest.raises(ValidationFailed, match="already has"):
        second_factor.confirm_enrolment(session, user, mine, code_at(mine, now), now)
    assert session.get(SecondFactor, user.id).secret == secret
