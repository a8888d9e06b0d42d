"""A resident checks a driver's badge: from its QR code, on a 320 px phone, and without JavaScript."""

from datetime import date
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect

from app.public import badge_check_url, qr_svg
from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import screenshot
from tests.factories import make_authority, make_licence

PHONE = 320


@pytest.fixture(scope="module")
def council(live_server):
    """Return the code of a council with one current licence, PH12345; QR codes hold the server's address."""
    live_server.app.config["PUBLIC_BASE_URL"] = live_server.url
    with live_server.session() as session:
        authority = make_authority(
            session,
            code="E08000031",
            name="City of Wolverhampton Council",
            contact_email="taxis@council.example",
        )
        make_licence(session, authority_id=authority.id, badge_number="PH12345", expires_on=date(2027, 3, 3))
        make_authority(session, code="E08000027", name="Dudley Metropolitan Borough Council")
        return authority.code


def qr_address(live_server, authority: str, badge: str) -> str:
    """Return the address a badge's QR code holds, checking the served SVG is that address drawn."""
    with live_server.app.test_request_context(base_url="http://another.host.example"):
        url = badge_check_url(authority, badge)
    with urlopen(f"{live_server.url}/check/qr/{authority}/{badge}.svg") as served:
        assert served.read().decode() == qr_svg(url)
    return url


def fits_the_screen(page) -> bool:
    """Tell whether the page needs no sideways scrolling."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_resident_checks_a_badge_from_its_qr_code(live_server, council, new_page):
    url = qr_address(live_server, council, "PH12345")
    assert url.startswith(live_server.url + "/check?")
    page = new_page(width=PHONE, height=640)
    page.goto(url)
    assert page.get_by_role("heading", level=1).inner_text() == "Licence check result"
    assert "This licence is current. It expires on 3 March 2027." in page.inner_text("main")
    assert page.get_by_role(
        "link", name="Report a concern about this driver to City of Wolverhampton Council"
    )
    assert fits_the_screen(page)
    assert_no_axe_violations(page)
    screenshot(page, "public-result-from-qr-320px")


def test_public_page_works_at_320px(live_server, council, new_page):
    page = new_page(width=PHONE, height=640)
    page.goto(f"{live_server.url}/check")
    assert page.title() == "Check a taxi or private hire driver’s licence – Crosscheck"
    assert fits_the_screen(page)
    assert_no_axe_violations(page)
    screenshot(page, "public-check-320px")
    page.get_by_role("button", name="Check licence").first.click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    expect(page.get_by_role("link", name="Select the council that issued the licence")).to_be_visible()
    assert fits_the_screen(page)
    assert_no_axe_violations(page)
    screenshot(page, "public-check-errors-320px")
    page.get_by_label("Council that issued the licence").select_option(label="City of Wolverhampton Council")
    page.get_by_label("Badge number").fill("PH12345")
    page.get_by_role("button", name="Check licence").first.click()
    assert "This licence is current." in page.inner_text("main")
    assert_no_axe_violations(page)


def test_public_page_works_without_javascript(live_server, council, new_page):
    page = new_page(javascript=False)
    page.goto(f"{live_server.url}/check")
    page.get_by_label("Council that issued the licence").select_option("E08000027")
    page.get_by_label("Badge number").fill("PH12345")
    page.get_by_role("button", name="Check licence").first.click()
    assert page.url.endswith("/check?authority=E08000027&badge=PH12345")
    assert "No licence matches those details." in page.inner_text("main")
    screenshot(page, "public-check-miss-without-javascript")
    assert_no_axe_violations(without_site_scripts(new_page(), page.url))


def without_site_scripts(page, url: str):
    """Open `url` with the site's own scripts blocked, as close as axe-core can get to no JavaScript."""
    page.route("**/static/**/*.js", lambda route: route.abort())
    page.goto(url)
    return page


def test_other_pages_a_resident_may_reach_pass_axe(live_server, council, new_page):
    page = new_page()
    for path in ["/", "/sign-in", "/no-such-page", "/check?licence_number=MORGA657054SM9IJ"]:
        page.goto(live_server.url + path)
        assert_no_axe_violations(page)


def test_axe_check_fails_on_an_inaccessible_page(new_page):
    page = new_page()
    page.set_content(
        '<html><head><title>t</title></head><body><main><img src="badge.png"></main></body></html>'
    )
    with pytest.raises(AssertionError, match="image-alt"):
        assert_no_axe_violations(page)
