"""Officer accounts: argon2id passwords, one refusal message, lockout after repeated failures."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from licensing.errors import DuplicateReference, Unauthenticated, ValidationFailed
from licensing.models import AuditEvent, User
from licensing.users import REFUSAL, create_user, sign_in
from tests.factories import OFFICER_PASSWORD, make_authority, make_user

LIMITS = {"max_failures": 3, "lockout_minutes": 15}


def test_password_is_stored_as_an_argon2id_hash(session):
    user = make_user(session)
    assert user.password_hash.startswith("$argon2id$")
    assert OFFICER_PASSWORD not in user.password_hash


def test_right_password_signs_in(session, now):
    user = make_user(session, email="Pat.Example@Council.example")
    assert sign_in(session, " pat.example@council.example ", OFFICER_PASSWORD, now, **LIMITS).id == user.id


@pytest.mark.parametrize(
    ("email", "password"),
    [("nobody@council.example", OFFICER_PASSWORD), ("officer@council.example", "wrong password here")],
    ids=["unknown-email", "wrong-password"],
)
def test_refusals_share_one_message(session, now, email, password):
    make_user(session, email="officer@council.example")
    with pytest.raises(Unauthenticated) as refused:
        sign_in(session, email, password, now, **LIMITS)
    assert refused.value.detail == REFUSAL


def test_locked_out_user_is_refused_even_with_the_right_password(session, now):
    user = make_user(session)
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            sign_in(session, user.email, "wrong password here", now, **LIMITS)
    with pytest.raises(Unauthenticated) as refused:
        sign_in(session, user.email, OFFICER_PASSWORD, now + timedelta(minutes=14), **LIMITS)
    assert refused.value.detail == REFUSAL


def test_lockout_ends_after_its_minutes(session, now):
    user = make_user(session)
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            sign_in(session, user.email, "wrong password here", now, **LIMITS)
    assert sign_in(session, user.email, OFFICER_PASSWORD, now + timedelta(minutes=15), **LIMITS).id == user.id


def test_failures_below_the_limit_do_not_lock_and_success_resets_them(session, now):
    user = make_user(session)
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            sign_in(session, user.email, "wrong password here", now, **LIMITS)
    sign_in(session, user.email, OFFICER_PASSWORD, now, **LIMITS)
    session.expire_all()
    stored = session.get(User, user.id)
    assert stored.failed_logins == 0 and stored.locked_until is None


def test_deactivated_user_is_refused(session, now):
    user = make_user(session)
    user.active = False
    session.add(user)
    session.commit()
    with pytest.raises(Unauthenticated):
        sign_in(session, user.email, OFFICER_PASSWORD, now, **LIMITS)


def test_weak_hash_is_upgraded_on_sign_in(session, now):
    user = make_user(session)
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(OFFICER_PASSWORD)
    session.add(user)
    session.commit()
    sign_in(session, user.email, OFFICER_PASSWORD, now, **LIMITS)
    session.expire_all()
    upgraded = session.get(User, user.id).password_hash
    assert not PasswordHasher().check_needs_rehash(upgraded)
    assert PasswordHasher().verify(upgraded, OFFICER_PASSWORD)


def test_email_is_unique_whatever_its_case(session):
    authority = make_authority(session)
    make_user(session, email="sam@council.example", authority_id=authority.id)
    with pytest.raises(DuplicateReference):
        make_user(session, email="SAM@council.example", authority_id=authority.id)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("name", " "),
        ("password", "short"),
        ("role", "superuser"),
        ("authority_id", 404),
    ],
)
def test_invalid_officer_details_are_refused(session, now, field, value):
    authority = make_authority(session)
    details = {
        "email": "new@council.example",
        "name": "New Officer",
        "password": OFFICER_PASSWORD,
        "role": "manager",
        "authority_id": authority.id,
    }
    with pytest.raises(ValidationFailed) as refused:
        create_user(session, now=now, **(details | {field: value}))
    assert [e["field"] for e in refused.value.errors] == [field]


def test_creation_is_audited_without_personal_data(session, now):
    user = make_user(session, email="audited@council.example")
    event = session.exec(select(AuditEvent)).one()
    assert (event.action, event.record_kind, event.record_id) == ("user.create", "user", user.id)
    assert event.authority_id == user.authority_id
    assert "audited" not in str(event.detail) and user.name not in str(event.detail)
