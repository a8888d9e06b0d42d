"""An enforcement officer stops a driver badged elsewhere: picks the council by typing its name, checks
the badge, and reports a concern to that council from the result, confirmed by a banner. Every page is
checked with axe-core, with and without the council picker's script."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import screenshot
from tests.browser.test_officer_journeys import fill_date, sign_in
from tests.factories import OFFICER_PASSWORD, make_authority, make_licence, make_user


@pytest.fixture(scope="module")
def stop(live_server):
    """Return an officer of one council, and a badge Sheffield issued (Leeds issued the same number)."""
    with live_server.session() as session:
        council = make_authority(session, name="Testshire District Council")
        sheffield = make_authority(session, code="E08000039", name="Sheffield City Council")
        leeds = make_authority(session, code="E08000035", name="Leeds City Council")
        make_licence(session, authority_id=sheffield.id, badge_number="PH5150", expires_on=date(2099, 1, 1))
        make_licence(session, authority_id=leeds.id, badge_number="PH5150", status="revoked")
        officer = make_user(session, authority_id=council.id, name="Enid Enforcement", role="officer")
        return {"officer": officer.email, "badge": "PH5150"}


def test_officer_picks_a_council_by_typing_its_name_and_reports_a_concern(live_server, stop, new_page):
    page = new_page()
    sign_in(page, live_server, stop["officer"])
    page.goto(f"{live_server.url}/quick-check")
    picker = page.get_by_role("combobox", name="Issuing council")
    picker.fill("Sheff")
    page.get_by_role("option", name="Sheffield City Council").click()
    assert_no_axe_violations(page)
    screenshot(page, "officer-quick-check-council-picker")
    page.get_by_label("Badge number").fill(stop["badge"])
    page.get_by_role("button", name="Check").click()

    rows = page.locator("table[data-found] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Sheffield City Council")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Report a concern about badge PH5150 to Sheffield City Council").click()

    expect(page.get_by_role("combobox", name="Issuing council")).to_have_value("Sheffield City Council")
    fill_date(page, "Date your council learned of it", 20, 11, 2026)
    page.get_by_label("What happened").fill("Seen plying for hire outside the station at night.")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Send report").click()

    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Report sent to Sheffield City Council.")
    assert_no_axe_violations(page)
    screenshot(page, "officer-report-sent-banner")


def test_without_javascript_the_picker_is_a_select_and_a_badge_alone_finds_every_council(
    live_server, stop, new_page
):
    page = new_page(width=320, javascript=False)  # axe needs scripts: this page is checked above
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Email address").fill(stop["officer"])
    page.get_by_label("Password").fill(OFFICER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/quick-check")
    expect(page.get_by_label("Issuing council")).to_have_value("")  # any council
    page.get_by_label("Badge number").fill(stop["badge"])
    page.get_by_role("button", name="Check").click()

    rows = page.locator("table[data-found] tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Leeds City Council")
    expect(rows.nth(0)).to_contain_text("Revoked")
    expect(rows.nth(1)).to_contain_text("Sheffield City Council")
    screenshot(page, "officer-quick-check-badge-alone-320px")


def test_the_officers_menu_fits_on_one_line_at_1280_pixels(live_server, stop, new_page):
    page = new_page(width=1280)
    sign_in(page, live_server, stop["officer"])
    tops = page.locator(".govuk-service-navigation__item").evaluate_all(
        "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
    )
    assert len(tops) >= 9 and len(set(tops)) == 1, tops
    expect(page.locator("[data-officer-authority]")).to_contain_text("Enid Enforcement")
    screenshot(page, "officer-menu-1280px")
