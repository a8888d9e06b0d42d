"""The sign-in steps in headless chromium: a set-password link, enrolment, codes; zero axe violations."""

import time

import pyotp
import pytest
from playwright.sync_api import expect

from licensing.access import oidc
from licensing.access.password_links import create_user_without_password, make_link_token
from licensing.clock import utcnow
from tests.browser.axe import assert_no_axe_violations
from tests.conftest import TEST_SECRET
from tests.factories import make_authority

EMAIL = "sam.setup@testshire.gov.uk"
PASSWORD = "three unrelated words here"


@pytest.fixture(scope="module")
def link(live_server) -> str:
    """Require the second factor, list a council provider, and return a new officer's set-password link."""
    live_server.app.config["SECOND_FACTOR_REQUIRED"] = True
    with live_server.session() as session:
        authority = make_authority(session, name="Testshire District Council")
        user = create_user_without_password(
            session, email=EMAIL, name="Sam Setup", role="officer", authority_id=authority.id, now=utcnow()
        )
        oidc.configure(
            session,
            authority,
            issuer="https://login.testshire.example",
            client_id="c",
            client_secret_env="UNSET_SECRET",
            domains=["testshire.gov.uk"],
            email_claim="email",
            now=utcnow(),
        )
        return f"{live_server.url}/set-password/{make_link_token(user, TEST_SECRET, utcnow())}"


def password_step(page, live_server) -> None:
    """Give the e-mail address and password on the sign-in page."""
    page.goto(f"{live_server.url}/sign-in")
    assert_no_axe_violations(page)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_new_officer_sets_a_password_enrols_and_signs_in_with_codes(new_page, live_server, link):
    page = new_page()
    page.goto(link)
    assert_no_axe_violations(page)
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("heading", name="Your password is saved")).to_be_visible()
    assert_no_axe_violations(page)

    password_step(page, live_server)
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    page.get_by_text("I cannot scan the QR code").click()
    assert_no_axe_violations(page)
    secret = page.locator("[data-authenticator-key]").inner_text().replace(" ", "")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("link", name="The code is not right, or it has been used already.")
    ).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    assert_no_axe_violations(page)
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("button", name="Continue to Crosscheck").click()
    page.get_by_role("button", name="Sign out").click()

    password_step(page, live_server)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    password_step(page, live_server)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_council_sign_in_pages_have_no_axe_violations(new_page, live_server, link):
    page = new_page()
    page.goto(f"{live_server.url}/sign-in")
    expect(page.get_by_role("link", name="Testshire District Council")).to_be_visible()
    page.goto(f"{live_server.url}/sign-in/council/callback?code=x&state=y")
    expect(page.get_by_role("heading", name="You have not been signed in")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/set-password/not-a-real-link")
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    assert_no_axe_violations(page)
