"""Officer sessions end on the server: sign-out, a password change and disabling end every copy of them."""

from datetime import timedelta

import pytest

from app import create_app
from app.config import ConfigError
from tests.app.test_officer_login import csrf_token, sign_in
from tests.conftest import TEST_SECRET
from tests.factories import OFFICER_PASSWORD, make_user

NEW_PASSWORD = "a different long passphrase"


def signed_in(client) -> bool:
    """Tell whether the client's session is signed in."""
    return "data-officer-authority" in client.get("/", follow_redirects=True).get_data(as_text=True)


def copy_of(app, client):
    """Return another browser holding a copy of `client`'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


@pytest.fixture
def browser(client, session):
    """Return a client signed in as an officer."""
    sign_in(client, make_user(session, email="olive@council.example").email, OFFICER_PASSWORD)
    return client


def test_copied_cookie_works_while_the_officer_is_signed_in(app, browser):
    assert signed_in(copy_of(app, browser))


def test_copied_cookie_is_signed_out_after_sign_out(app, browser):
    thief = copy_of(app, browser)
    browser.post("/sign-out", data={"csrf_token": csrf_token(browser, "/dashboard")})
    assert not signed_in(thief)


def test_an_ended_sessions_cookie_cannot_sign_the_officer_out_elsewhere(app, session, client):
    user = make_user(session, email="pat@council.example")
    sign_in(client, user.email, OFFICER_PASSWORD)
    token = csrf_token(client, "/dashboard")
    stale = copy_of(app, client)
    client.post("/sign-out", data={"csrf_token": token})
    sign_in(client, user.email, OFFICER_PASSWORD)
    assert stale.post("/sign-out", data={"csrf_token": token}).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("setting", ["OFFICER_SESSION_IDLE_MINUTES", "OFFICER_SESSION_MAX_HOURS"])
@pytest.mark.parametrize("value", ["0", "thirty", "-5"])
def test_a_session_lifetime_that_is_not_a_positive_whole_number_is_refused(database_url, setting, value):
    settings = {"ENV_NAME": "testing", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET}
    with pytest.raises(ConfigError, match=setting):
        create_app(settings | {setting: value})


def test_copied_cookie_is_signed_out_after_a_password_change(app, browser):
    thief = copy_of(app, browser)
    form = {
        "current_password": OFFICER_PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    response = browser.post(
        "/account/password", data=form | {"csrf_token": csrf_token(browser, "/account/password")}
    )
    assert response.status_code == 302
    assert not signed_in(thief)
    assert signed_in(browser)  # the officer who changed it stays signed in


def test_copied_cookie_is_signed_out_when_an_admin_disables_the_officer(app, browser):
    thief = copy_of(app, browser)
    result = app.test_cli_runner().invoke(args=["users", "disable", "--email", "olive@council.example"])
    assert result.exit_code == 0, result.output
    assert not signed_in(thief) and not signed_in(browser)


def test_a_re_enabled_officer_must_sign_in_again(app, browser):
    thief = copy_of(app, browser)
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "disable", "--email", "olive@council.example"])
    runner.invoke(args=["users", "enable", "--email", "olive@council.example"])
    assert not signed_in(thief)
    sign_in(browser, "olive@council.example", OFFICER_PASSWORD)
    assert signed_in(browser)


def change_password(client, current: str, new: str, confirm: str | None = None):
    """Post the change-of-password form."""
    form = {"current_password": current, "new_password": new, "confirm_password": confirm or new}
    return client.post(
        "/account/password", data=form | {"csrf_token": csrf_token(client, "/account/password")}
    )


def test_password_change_page_refuses_a_common_password_and_keeps_the_old_one(app, browser):
    page = change_password(browser, OFFICER_PASSWORD, "password1234").get_data(as_text=True)
    assert "list of common passwords" in page and "There is a problem" in page
    browser.post("/sign-out", data={"csrf_token": csrf_token(browser, "/dashboard")})
    assert sign_in(browser, "olive@council.example", OFFICER_PASSWORD).status_code == 302


def test_password_change_page_needs_the_current_password_and_matching_copies(browser):
    assert "This is not your password." in change_password(
        browser, "a wrong guess 123", NEW_PASSWORD
    ).get_data(as_text=True)
    assert "The passwords differ" in change_password(
        browser, OFFICER_PASSWORD, NEW_PASSWORD, "another long phrase"
    ).get_data(as_text=True)


def test_guessing_the_current_password_with_a_stolen_session_is_throttled(app, browser):
    for _ in range(10):
        change_password(browser, "a wrong guess 123", NEW_PASSWORD)
    answer = change_password(browser, OFFICER_PASSWORD, NEW_PASSWORD)
    assert answer.status_code == 429 and "Too many failed" in answer.get_data(as_text=True)


def test_password_change_page_is_for_signed_in_officers(client):
    assert client.get("/account/password").status_code == 302


def rewind(client, key: str, by: timedelta) -> None:
    """Move one of the session's timestamps back by `by`, as if that much time had passed."""
    with client.session_transaction() as cookie:
        cookie[key] -= int(by.total_seconds())


def test_session_ends_after_the_idle_timeout(app, browser):
    rewind(browser, "seen_at", timedelta(minutes=app.config["OFFICER_SESSION_IDLE_MINUTES"], seconds=1))
    assert not signed_in(browser)


def test_activity_keeps_the_session_alive_within_the_idle_timeout(app, browser):
    rewind(browser, "seen_at", timedelta(minutes=app.config["OFFICER_SESSION_IDLE_MINUTES"] - 1))
    assert signed_in(browser)
    rewind(browser, "seen_at", timedelta(minutes=app.config["OFFICER_SESSION_IDLE_MINUTES"] - 1))
    assert signed_in(browser)


def test_session_ends_after_its_absolute_lifetime_however_active(app, browser):
    lifetime = timedelta(hours=app.config["OFFICER_SESSION_MAX_HOURS"], seconds=1)
    rewind(browser, "signed_in_at", lifetime)
    assert not signed_in(browser)


def test_sign_in_gives_a_new_session_so_a_planted_cookie_is_not_kept(app, client, session):
    user = make_user(session)
    client.get("/sign-in")
    planted = client.get_cookie("session").value
    sign_in(client, user.email, OFFICER_PASSWORD)
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    assert not signed_in(attacker)
