"""A resident checks a Welsh council's badge in Welsh, and its administrator sets the concern page."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import screenshot
from tests.factories import OFFICER_PASSWORD, make_authority, make_licence, make_user

PHONE = 320
CONCERN_PAGE = "https://www.cardiff.example/trwyddedu-tacsis/rhoi-gwybod-am-bryder"
ADMIN = "ada.admin@cardiff.example"


@pytest.fixture(scope="module")
def cardiff(live_server):
    """Return the code of a Welsh council with its own concern page and one current licence, C1234."""
    with live_server.session() as session:
        council = make_authority(
            session, code="W06000015", name="Cardiff", nation="wales", concern_url=CONCERN_PAGE
        )
        make_licence(session, authority_id=council.id, badge_number="C1234", expires_on=date(2027, 12, 6))
        make_user(session, authority_id=council.id, email=ADMIN, name="Ada Admin", role="admin")
        make_authority(session, code="W06000011", name="Swansea", nation="wales")
        return council.code


def council_site(page) -> None:
    """Serve the council's own concern page from the test (the browser has no Internet)."""
    page.route(
        CONCERN_PAGE,
        lambda route: route.fulfill(
            content_type="text/html",
            body='<html lang="cy"><head><title>Rhoi gwybod am bryder</title></head><body><main>'
            "<h1>Rhoi gwybod am bryder am yrrwr tacsi</h1></main></body></html>",
        ),
    )


@pytest.mark.parametrize(("width", "label"), [(1024, "desktop"), (PHONE, "320px")])
def test_resident_checks_a_badge_in_welsh_and_reports_a_concern(live_server, cardiff, new_page, width, label):
    page = new_page(width=width, height=768)
    council_site(page)
    page.goto(f"{live_server.url}/check")
    assert page.get_attribute("html", "lang") == "en"
    page.get_by_role("link", name="Newid yr iaith i’r Gymraeg").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "cy"
    assert page.title() == "Gwirio trwydded gyrrwr tacsi neu gerbyd hurio preifat – Crosscheck"
    assert_no_axe_violations(page)
    screenshot(page, f"public-check-welsh-{label}")

    page.get_by_role("button", name="Gwirio trwydded").first.click()
    page.wait_for_load_state()
    assert page.title().startswith("Gwall: ")
    expect(page.get_by_role("link", name="Dewiswch y cyngor a roddodd y drwydded")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, f"public-check-welsh-errors-{label}")

    page.get_by_label("Y cyngor a roddodd y drwydded").select_option(label="Cardiff")
    page.get_by_label("Rhif y bathodyn").fill("C1234")
    page.get_by_role("button", name="Gwirio trwydded").first.click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "cy"
    assert page.get_by_role("heading", level=1).inner_text() == "Canlyniad gwirio’r drwydded"
    main = page.inner_text("main")
    assert "Mae’r drwydded hon yn gyfredol. Mae’n dod i ben ar 6 Rhagfyr 2027." in main
    assert "Dyddiad dod i ben" in main and "6 Rhagfyr 2027" in main
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_axe_violations(page)
    screenshot(page, f"public-result-welsh-{label}")

    concern = page.get_by_role("link", name="Rhoi gwybod i Cardiff am bryder am y gyrrwr hwn")
    assert concern.get_attribute("href") == CONCERN_PAGE
    concern.click()
    page.wait_for_url(CONCERN_PAGE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Rhoi gwybod am bryder am yrrwr tacsi")


def test_the_choice_of_welsh_is_remembered_and_a_miss_is_in_welsh(live_server, cardiff, new_page):
    page = new_page(width=PHONE, height=640)
    page.goto(f"{live_server.url}/check?lang=cy")
    page.goto(f"{live_server.url}/check?authority=W06000011&badge=C1234")
    assert page.get_attribute("html", "lang") == "cy"
    assert "Does dim trwydded yn cyfateb i’r manylion hynny." in page.inner_text("main")
    assert_no_axe_violations(page)
    screenshot(page, "public-check-welsh-miss-320px")
    page.get_by_role("link", name="Change the language to English").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    assert "No licence matches those details." in page.inner_text("main")
    assert page.url.endswith("/check?authority=W06000011&badge=C1234&lang=en")


@pytest.mark.parametrize(("width", "label"), [(1024, "desktop"), (PHONE, "320px")])
def test_the_councils_administrator_sets_the_concern_page(live_server, cardiff, new_page, width, label):
    page = new_page(width=width, height=768)
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Email address").fill(ADMIN)
    page.get_by_label("Password").fill(OFFICER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(f"{live_server.url}/council/concern-page")
    assert_no_axe_violations(page)
    screenshot(page, f"officer-concern-page-{label}")
    field = page.get_by_label("Web address of your page for reporting a concern about a driver")
    field.fill("http://www.cardiff.example/taxis")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").get_by_text("There is a problem")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, f"officer-concern-page-error-{label}")
    field = page.get_by_label("Web address of your page for reporting a concern about a driver")
    field.fill(CONCERN_PAGE)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("has been saved")).to_be_visible()
    assert_no_axe_violations(page)
    screenshot(page, f"officer-concern-page-saved-{label}")
