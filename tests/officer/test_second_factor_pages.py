"""With SECOND_FACTOR_REQUIRED, a password alone signs nobody in: enrolment at first sign-in, then codes."""

import re
import time
from datetime import timedelta

import pyotp
import pytest

from app.officer.second_factor import PENDING_KEY
from licensing.clock import utcnow
from tests.factories import OFFICER_PASSWORD, make_user
from tests.officer.conftest import csrf_token

KEY = re.compile(r"data-authenticator-key>([A-Z2-7 ]+)<")
RECOVERY = re.compile(r"<li><code>([a-z2-7-]{19})</code></li>")


@pytest.fixture
def strict_app(app):
    """Return the app with the second factor required, as in production."""
    app.config["SECOND_FACTOR_REQUIRED"] = True
    return app


@pytest.fixture
def user(session, strict_app):
    """Return an officer with a password and no authenticator yet."""
    return make_user(session, name="Olive Officer")


def password_step(client, user):
    """Post the right password and return the answer."""
    data = {"email": user.email, "password": OFFICER_PASSWORD, "csrf_token": csrf_token(client, "/sign-in")}
    return client.post("/sign-in", data=data)


def post_code(client, path: str, code: str):
    """Post a code to the page at `path`."""
    return client.post(path, data={"code": code, "csrf_token": csrf_token(client, path)})


def enrol(client, user) -> tuple[str, list[str]]:
    """Sign in for the first time, set up the authenticator, and return its secret and the recovery codes."""
    assert password_step(client, user).headers["Location"] == "/sign-in/set-up-authenticator"
    page = client.get("/sign-in/set-up-authenticator").get_data(as_text=True)
    secret = KEY.search(page).group(1).replace(" ", "")
    assert "<svg" in page and "otpauth" not in page.replace("<title>", "")  # the address only in the QR code
    shown = post_code(client, "/sign-in/set-up-authenticator", pyotp.TOTP(secret).now())
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    return secret, RECOVERY.findall(shown.get_data(as_text=True))


def signed_in(client) -> bool:
    """Tell whether the client is signed in."""
    return "data-officer-authority" in client.get("/", follow_redirects=True).get_data(as_text=True)


def next_code(secret: str) -> str:
    """Return the authenticator's code of the next 30-second step (the current one may be spent)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def test_password_alone_does_not_sign_in(client, user):
    assert password_step(client, user).status_code == 302
    assert not signed_in(client)
    assert client.get("/dashboard").headers["Location"].startswith("/sign-in")


def test_first_sign_in_sets_up_the_authenticator_and_shows_recovery_codes_once(client, user):
    _, codes = enrol(client, user)
    assert len(codes) == 10
    assert signed_in(client)
    assert client.get("/sign-in/set-up-authenticator").headers["Location"] == "/sign-in"


def test_later_sign_ins_ask_for_a_code(app, user):
    secret, _ = enrol(app.test_client(), user)
    client = app.test_client()
    assert password_step(client, user).headers["Location"] == "/sign-in/code"
    refused = post_code(client, "/sign-in/code", "000000")
    assert "The code is not right" in refused.get_data(as_text=True) and not signed_in(client)
    assert post_code(client, "/sign-in/code", next_code(secret)).headers["Location"] == "/dashboard"
    assert signed_in(client)


def test_recovery_code_signs_in_once(app, user):
    _, codes = enrol(app.test_client(), user)
    first = app.test_client()
    password_step(first, user)
    assert post_code(first, "/sign-in/code", codes[0]).headers["Location"] == "/dashboard"
    second = app.test_client()
    password_step(second, user)
    assert post_code(second, "/sign-in/code", codes[0]).status_code == 200
    assert not signed_in(second)


def test_password_holder_cannot_set_up_a_second_authenticator(app, user):
    # Someone who learnt the password must not swap in their own phone for the officer's.
    enrol(app.test_client(), user)
    attacker = app.test_client()
    assert password_step(attacker, user).headers["Location"] == "/sign-in/code"
    assert attacker.get("/sign-in/set-up-authenticator").headers["Location"] == "/sign-in"
    token = csrf_token(attacker, "/sign-in")
    posted = attacker.post("/sign-in/set-up-authenticator", data={"code": "123456", "csrf_token": token})
    assert posted.headers["Location"] == "/sign-in"
    assert not signed_in(attacker)


def test_code_page_without_the_password_step_sends_to_sign_in(client, user):
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"
    assert client.get("/sign-in/set-up-authenticator").headers["Location"] == "/sign-in"


def test_pending_sign_in_lapses_after_ten_minutes(client, user):
    password_step(client, user)
    with client.session_transaction() as cookie:
        cookie[PENDING_KEY] = {"id": user.id, "at": (utcnow() - timedelta(minutes=11)).isoformat()}
    assert client.get("/sign-in/set-up-authenticator").headers["Location"] == "/sign-in"


def test_wrong_code_at_enrolment_shows_the_same_key_again(client, user):
    password_step(client, user)
    first = KEY.search(client.get("/sign-in/set-up-authenticator").get_data(as_text=True)).group(1)
    again = post_code(client, "/sign-in/set-up-authenticator", "000000").get_data(as_text=True)
    assert "The code is not right" in again and KEY.search(again).group(1) == first
    assert not signed_in(client)


def test_second_factor_is_off_in_testing_by_default(client, session):
    user = make_user(session)
    assert password_step(client, user).headers["Location"] == "/dashboard"
