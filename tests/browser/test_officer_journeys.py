"""Officers in a real browser: screen an applicant and rule out a look-alike; revoke a licence.

Every officer page visited is checked with axe-core for WCAG 2.2 A/AA violations.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import screenshot
from tests.factories import OFFICER_PASSWORD, make_authority, make_licence, make_register_entry, make_user


@pytest.fixture(scope="module")
def people(live_server):
    """Return the e-mail addresses of an officer and a manager of one council, and its licence's badge."""
    with live_server.session() as session:
        council = make_authority(session, name="Testshire District Council")
        other = make_authority(session, name="Othershire Council")
        # A look-alike revoked elsewhere: same name, date of birth and postcode, no identifiers recorded.
        make_register_entry(
            session, authority_id=other.id, ni_number=None, driving_licence_number=None,
        )  # fmt: skip
        make_licence(session, authority_id=council.id, badge_number="PH4242")
        officer = make_user(session, authority_id=council.id, name="Olive Officer", role="officer")
        manager = make_user(session, authority_id=council.id, name="Mina Manager", role="manager")
        return {"officer": officer.email, "manager": manager.email, "badge": "PH4242"}


def sign_in(page, live_server, email: str) -> None:
    """Sign in through the form, checking the sign-in page and the landing page."""
    page.goto(f"{live_server.url}/sign-in")
    assert_no_axe_violations(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(OFFICER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Dashboard").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard"
    assert_no_axe_violations(page)


def fill_date(page, legend: str, day: int, month: int, year: int) -> None:
    """Fill the three boxes of the date input under `legend`."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def test_officer_screens_an_applicant_and_rules_out_a_look_alike(live_server, people, new_page):
    page = new_page()
    sign_in(page, live_server, people["officer"])
    page.goto(f"{live_server.url}/applications/new")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Save and screen").click()  # nothing filled in
    expect(page.get_by_role("alert").get_by_text("There is a problem")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Your reference").fill("APP-2026-1")
    page.get_by_label("New", exact=True).check()
    page.get_by_label("Private hire", exact=True).check()
    fill_date(page, "Date received", 20, 11, 2026)
    page.get_by_label("Given names").fill("Imran")
    page.get_by_label("Family name").fill("Hussain")
    fill_date(page, "Date of birth", 14, 3, 1985)
    page.get_by_label("Postcode").fill("WV1 1AA")
    page.get_by_role("button", name="Save and screen").click()
    assert "Screening results" in page.inner_text("main")
    assert "Othershire Council" in page.inner_text("main")
    expect(page.locator("[data-gate=refused]")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, "officer-screening-results")
    page.get_by_label("Reason for your decision").fill("Different NI number, address and photo")
    page.get_by_role("button", name="Not the same person").click()
    expect(page.locator("[data-resolution=not_same_person]")).to_be_visible()
    expect(page.locator("[data-gate=allowed]")).to_be_visible()
    expect(page.get_by_role("button", name="Grant licence")).to_be_visible()
    assert_no_axe_violations(page)


def test_manager_revokes_a_licence(live_server, people, new_page):
    page = new_page()
    sign_in(page, live_server, people["manager"])
    page.get_by_role("link", name="Licences").first.click()
    page.get_by_label("Badge number").fill(people["badge"])
    page.get_by_role("button", name="Search").click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name=people["badge"]).click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Badge {people['badge']}"
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Revoke licence").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Revoke licence {people['badge']}?"
    assert_no_axe_violations(page)
    page.get_by_role("group", name="Does the decision rest on relevant information").get_by_label(
        "Yes"
    ).check()
    page.get_by_label("Sexual offences").check()
    page.get_by_role("button", name="Yes, revoke this licence").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Badge {people['badge']}"
    assert "Revoked" in page.inner_text("main")
    assert page.get_by_role("button", name="Revoke licence").count() == 0
    assert page.get_by_role("link", name=re.compile("revocation")).count() == 1  # the register entry
    assert_no_axe_violations(page)
