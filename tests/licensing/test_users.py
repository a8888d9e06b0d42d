"""Officer accounts: argon2id passwords, one refusal message, sessions ended by disabling or new passwords."""

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from licensing.access.users import REFUSAL, change_password, create_user, set_active, sign_in
from licensing.actors import cli_actor
from licensing.errors import DuplicateReference, NotFound, Unauthenticated, ValidationFailed
from licensing.persistence.models import AuditEvent, User
from tests.factories import OFFICER_PASSWORD, make_authority, make_user


def test_password_is_stored_as_an_argon2id_hash(session):
    user = make_user(session)
    assert user.password_hash.startswith("$argon2id$")
    assert OFFICER_PASSWORD not in user.password_hash


def test_right_password_signs_in(session, now):
    user = make_user(session, email="Pat.Example@Council.example")
    assert sign_in(session, " pat.example@council.example ", OFFICER_PASSWORD, now).id == user.id


@pytest.mark.parametrize(
    ("email", "password"),
    [("nobody@council.example", OFFICER_PASSWORD), ("officer@council.example", "wrong password here")],
    ids=["unknown-email", "wrong-password"],
)
def test_refusals_share_one_message(session, now, email, password):
    make_user(session, email="officer@council.example")
    with pytest.raises(Unauthenticated) as refused:
        sign_in(session, email, password, now)
    assert refused.value.detail == REFUSAL


def test_repeated_failures_do_not_lock_the_account(session, now):
    user = make_user(session)
    for _ in range(10):
        with pytest.raises(Unauthenticated):
            sign_in(session, user.email, "wrong password here", now)
    assert sign_in(session, user.email, OFFICER_PASSWORD, now).id == user.id


def test_each_refusal_is_audited_with_the_address_and_never_the_password(session, now):
    user = make_user(session)
    with pytest.raises(Unauthenticated):
        sign_in(session, user.email, "wrong password here", now, address="198.51.100.7")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.sign_in_refused")).one()
    assert (event.record_kind, event.record_id, event.authority_id) == ("user", user.id, user.authority_id)
    assert event.detail == {"refused": "wrong password", "address": "198.51.100.7"}
    assert event.actor_kind == "visitor"


def test_a_disabled_officer_is_refused_with_the_same_message_and_audited(session, now):
    user = make_user(session, email="gone@council.example")
    set_active(session, "gone@council.example", False, now, cli_actor("users disable"))
    with pytest.raises(Unauthenticated) as refused:
        sign_in(session, user.email, OFFICER_PASSWORD, now)
    assert refused.value.detail == REFUSAL
    actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["user.create", "user.disable", "user.sign_in_refused"]


def test_disabling_and_enabling_end_every_session(session, now):
    user = make_user(session, email="moved@council.example")
    before = user.session_version
    set_active(session, "MOVED@council.example", False, now, cli_actor("users disable"))
    set_active(session, "moved@council.example", True, now, cli_actor("users enable"))
    assert session.get(User, user.id).session_version == before + 2
    assert sign_in(session, user.email, OFFICER_PASSWORD, now).id == user.id


def test_disabling_an_unknown_officer_is_not_found(session, now):
    with pytest.raises(NotFound):
        set_active(session, "nobody@council.example", False, now, cli_actor("users disable"))


def test_password_change_needs_the_current_password(session, now):
    user = make_user(session)
    with pytest.raises(ValidationFailed) as refused:
        change_password(session, user.id, "not my password at all", "plough-meadow-43-river", now)
    assert [e["field"] for e in refused.value.errors] == ["current_password"]


def test_password_change_follows_the_password_rules(session, now):
    user = make_user(session)
    with pytest.raises(ValidationFailed) as refused:
        change_password(session, user.id, OFFICER_PASSWORD, "password1234", now)
    assert [e["field"] for e in refused.value.errors] == ["new_password"]


def test_password_change_ends_every_session_and_is_audited(session, now):
    user = make_user(session)
    before = user.session_version
    change_password(session, user.id, OFFICER_PASSWORD, "plough-meadow-43-river", now)
    session.commit()
    session.expire_all()
    assert session.get(User, user.id).session_version == before + 1
    assert sign_in(session, user.email, "plough-meadow-43-river", now).id == user.id
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.password_change")).one()
    assert (event.record_id, event.actor_kind) == (user.id, "user")
    assert "plough" not in str(event.detail)


def test_deactivated_user_is_refused(session, now):
    user = make_user(session)
    user.active = False
    session.add(user)
    session.commit()
    with pytest.raises(Unauthenticated):
        sign_in(session, user.email, OFFICER_PASSWORD, now)


def test_weak_hash_is_upgraded_on_sign_in(session, now):
    user = make_user(session)
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(OFFICER_PASSWORD)
    session.add(user)
    session.commit()
    sign_in(session, user.email, OFFICER_PASSWORD, now)
    session.commit()
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


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "password1234", " " * 12])
def test_officer_accounts_cannot_be_created_with_a_guessable_password(session, password):
    with pytest.raises(ValidationFailed) as refused:
        make_user(session, authority_id=make_authority(session).id, password=password)
    assert [e["field"] for e in refused.value.errors] == ["password"]


def test_creation_is_audited_without_personal_data(session, now):
    user = make_user(session, email="audited@council.example")
    event = session.exec(select(AuditEvent)).one()
    assert (event.action, event.record_kind, event.record_id) == ("user.create", "user", user.id)
    assert event.authority_id == user.authority_id
    assert "audited" not in str(event.detail) and user.name not in str(event.detail)
