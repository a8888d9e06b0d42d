"""Sign-in throttling: guessing is slowed per account and per address, never turned against the officer."""

import pytest
from sqlmodel import select

from app import create_app
from app.config import ConfigError
from licensing.access.users import REFUSAL
from licensing.persistence.models import AuditEvent
from tests.app.test_officer_login import csrf_token
from tests.conftest import TEST_SECRET
from tests.factories import OFFICER_PASSWORD, make_authority, make_user

OFFICE = "192.0.2.10"  # where the officer usually signs in
THROTTLED = "Too many failed sign-ins"
# Smaller than the defaults, so that each test makes few argon2 checks; the rules are the same.
LIMITS = {
    "SIGN_IN_ACCOUNT_LIMIT": "4 per 15 minutes;50 per day",
    "SIGN_IN_ADDRESS_LIMIT": "6 per 15 minutes;100 per day",
    "SIGN_IN_DEVICE_LIMIT": "4 per 15 minutes;50 per day",
}


def post_sign_in(client, email: str, password: str):
    """Post the sign-in form with a valid CSRF token."""
    data = {"email": email, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/sign-in", data=data)


def client_at(app, address: str):
    """Return a fresh browser (no cookies) whose requests come from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def signed_in(client) -> bool:
    """Tell whether the client's session is signed in."""
    return "data-officer-authority" in client.get("/", follow_redirects=True).get_data(as_text=True)


def sign_out(client) -> None:
    """Sign the client's officer out."""
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/dashboard")})


@pytest.fixture
def app(database_url):
    """Return an app bound to this test's database, with small sign-in limits."""
    app = create_app(settings(database_url))
    yield app
    app.extensions["crosscheck.engine"].dispose()


def settings(database_url: str) -> dict:
    """Return the app settings of these tests."""
    return {"ENV_NAME": "testing", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET} | LIMITS


@pytest.fixture
def officer(session):
    """Return an officer."""
    return make_user(session, email="olive@council.example")


def test_wrong_passwords_from_elsewhere_do_not_lock_the_officer_out(app, session, officer):
    browser = client_at(app, OFFICE)
    post_sign_in(browser, officer.email, OFFICER_PASSWORD)
    sign_out(browser)
    for n in range(8):  # an attacker who knows the e-mail, from many addresses
        post_sign_in(client_at(app, f"198.51.100.{n}"), officer.email, "not the password 1")
    assert post_sign_in(browser, officer.email, OFFICER_PASSWORD).status_code == 302
    assert signed_in(browser)


def test_guessing_one_account_from_unknown_places_is_slowed(app, session, officer):
    answers = [
        post_sign_in(client_at(app, f"198.51.100.{n}"), officer.email, "guess 0123456789") for n in range(6)
    ]
    assert answers[-1].status_code == 429 and THROTTLED in answers[-1].get_data(as_text=True)
    stranger = client_at(app, "203.0.113.99")
    refused = post_sign_in(stranger, officer.email, OFFICER_PASSWORD)  # even the right password waits
    assert refused.status_code == 429 and not signed_in(stranger)
    assert int(refused.headers["Retry-After"]) > 0


def test_an_unknown_email_is_slowed_like_a_real_one(app, session, officer):
    statuses = []
    for email in (officer.email, "nobody@council.example"):
        answers = [
            post_sign_in(client_at(app, f"198.51.100.{n}"), email, "guess 0123456789") for n in range(6)
        ]
        statuses.append([a.status_code for a in answers])
    assert statuses[0] == statuses[1] and 429 in statuses[0]


def test_spraying_one_password_across_accounts_is_throttled_per_address(app, session):
    authority = make_authority(session)
    users = [make_user(session, authority_id=authority.id) for _ in range(3)]
    attacker = client_at(app, "203.0.113.5")
    answers = [post_sign_in(attacker, f"officer-{n}@council.example", "Summer2026!") for n in range(8)]
    assert answers[-1].status_code == 429 and THROTTLED in answers[-1].get_data(as_text=True)
    assert post_sign_in(attacker, users[0].email, OFFICER_PASSWORD).status_code == 429
    assert not signed_in(attacker)
    assert post_sign_in(client_at(app, OFFICE), users[0].email, OFFICER_PASSWORD).status_code == 302


def test_successful_sign_ins_are_not_counted(app, session, officer):
    browser = client_at(app, OFFICE)
    for _ in range(6):
        assert post_sign_in(browser, officer.email, OFFICER_PASSWORD).status_code == 302
        sign_out(browser)


def test_a_few_typos_do_not_slow_the_officer(app, session, officer):
    browser = client_at(app, OFFICE)
    for _ in range(3):
        assert REFUSAL in post_sign_in(browser, officer.email, "a typo in it 1").get_data(as_text=True)
    assert post_sign_in(browser, officer.email, OFFICER_PASSWORD).status_code == 302


def test_each_failed_sign_in_is_audited_without_the_password(app, session, officer):
    post_sign_in(client_at(app, "198.51.100.1"), officer.email, "secret guess 0001")
    post_sign_in(client_at(app, "198.51.100.2"), "nobody@council.example", "secret guess 0002")
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "user.sign_in_refused")).all()
    assert [(e.record_kind, e.record_id) for e in events] == [("user", officer.id), ("user", None)]
    assert [e.detail["address"] for e in events] == ["198.51.100.1", "198.51.100.2"]
    assert "secret guess" not in str([e.detail for e in events])
    assert "nobody" not in str([e.detail for e in events])


def test_throttling_goes_on_in_each_process_when_its_storage_is_unreachable(database_url, session):
    app = create_app(
        settings(database_url) | {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"}
    )  # nothing listens
    user = make_user(session)
    attacker = client_at(app, "203.0.113.5")
    answers = [post_sign_in(attacker, f"officer-{n}@council.example", "Summer2026!") for n in range(8)]
    assert answers[-1].status_code == 429
    assert post_sign_in(client_at(app, OFFICE), user.email, OFFICER_PASSWORD).status_code == 302
    app.extensions["crosscheck.engine"].dispose()


def test_an_unreadable_sign_in_limit_is_refused_at_start_up(database_url):
    with pytest.raises(ConfigError, match="SIGN_IN_ADDRESS_LIMIT"):
        create_app(settings(database_url) | {"SIGN_IN_ADDRESS_LIMIT": "twenty a minute"})
