"""Officers find any record and see what matters first, in a real browser.

Find a driver by a misspelt name; page through more than 200 licences; the dashboard lists routed police
intelligence, with the driver's name and badge, above the routine reminders. Every page visited is checked
with axe-core, and each new or changed page is photographed at desktop width and at 320 px.
"""

from datetime import date

import pytest
from playwright.sync_api import expect

from licensing.intelligence.routing import push_intelligence
from licensing.persistence.models import Licence
from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import screenshot
from tests.factories import (
    NOW,
    OFFICER_PASSWORD,
    make_authority,
    make_licence,
    make_police_force,
    make_register_entry,
    make_user,
)
from tests.licensing.test_intelligence import body, police

LICENCES = 210
WIDTHS = {"desktop": 1024, "320": 320}


@pytest.fixture(scope="module")
def council(live_server):
    """Record a council with 210 licences never DBS-checked, a driver the police arrested, and entries."""
    with live_server.session() as session:
        ours = make_authority(session, name="Testshire District Council")
        for n in range(LICENCES):
            session.add(
                Licence(
                    authority_id=ours.id,
                    ref=f"BULK-{n}",
                    badge_number=f"PH{15600 + n}",
                    licence_type="phv",
                    status="active",
                    granted_on=date(2025, 1, 1),
                    expires_on=date(2027, 12, 31),
                    given_names="Driver",
                    family_name=f"Number{n}",
                    date_of_birth=date(1980, 1, 1),
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        session.flush()
        someone_else = {"date_of_birth": date(1979, 6, 2), "ni_number": None, "driving_licence_number": None}
        aly = make_licence(
            session, authority_id=ours.id, badge_number="PH4242", given_names="Muhammad", family_name="Aly",
            postcode="LS1 1AA", **someone_else,
        )  # fmt: skip
        arrested = make_licence(session, authority_id=ours.id, badge_number="PH9001")  # Imran Hussain
        make_register_entry(session, authority_id=ours.id, given_names="Refused", family_name="Earlier")
        push_intelligence(session, police(make_police_force(session)), "WMP-21", body(category="arrest"), NOW)
        manager = make_user(session, authority_id=ours.id, name="Mina Manager", role="manager")
        return {"manager": manager.email, "aly": aly.id, "arrested": arrested.id}


def signed_in(page, live_server, email: str):
    """Sign in through the form and return the page."""
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(OFFICER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def photographed(new_page, live_server, council, path: str, name: str) -> None:
    """Open `path` at desktop width and at 320 px: check each with axe, and photograph it."""
    for label, width in WIDTHS.items():
        page = signed_in(new_page(width=width), live_server, council["manager"])
        page.goto(f"{live_server.url}{path}")
        assert_no_axe_violations(page)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{path} is {wide} px wide at {width} px: the page scrolls sideways"
        screenshot(page, f"{name}-{label}")


def test_officer_finds_a_driver_by_a_misspelt_name(live_server, council, new_page):
    page = signed_in(new_page(), live_server, council["manager"])
    page.get_by_role("link", name="Search").first.click()
    assert_no_axe_violations(page)
    page.get_by_label("Name").fill("Mohamed Ali")
    page.get_by_role("button", name="Search").click()
    found = page.get_by_role("link", name="Licence PH4242")
    expect(found).to_be_visible()
    expect(page.get_by_role("cell", name="Muhammad Aly")).to_be_visible()
    assert_no_axe_violations(page)
    found.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Badge PH4242")
    photographed(new_page, live_server, council, "/search?name=Mohamed+Ali", "search-misspelt-name")


def test_officer_pages_through_more_than_200_licences(live_server, council, new_page):
    page = signed_in(new_page(), live_server, council["manager"])
    page.get_by_role("link", name="Licences").first.click()
    badges = set()
    for number in range(1, 6):
        expect(page.get_by_role("table")).to_contain_text(f"{LICENCES + 2} licences")
        assert_no_axe_violations(page)
        shown = page.locator("table tbody tr td:first-child a").all_inner_texts()
        assert shown and not badges & set(shown)
        badges |= set(shown)
        if number == 5:
            break
        page.get_by_role("link", name="Next").click()
    assert len(badges) == LICENCES + 2
    expect(page.get_by_role("link", name="Next")).to_have_count(0)
    page.get_by_role("link", name="Previous").click()
    expect(page.get_by_role("table")).to_contain_text("page 4")
    photographed(new_page, live_server, council, "/licences", "licences-paginated")


def test_dashboard_shows_routed_intelligence_with_name_and_badge_above_routine_reminders(
    live_server, council, new_page
):
    page = signed_in(new_page(), live_server, council["manager"])
    page.get_by_role("link", name="Dashboard").first.click()
    item = page.locator('[data-kind="intelligence.routed"]')
    expect(item).to_contain_text("Police intelligence routed to you")
    expect(item.get_by_role("link", name="Imran Hussain, badge PH9001")).to_be_visible()
    reminders = page.locator("[data-reminder=dbs]")
    expect(reminders).to_contain_text(f"{LICENCES + 2} DBS checks are due within a week")
    above = item.bounding_box()["y"] < reminders.bounding_box()["y"]
    assert above, "the routed intelligence is listed above the routine reminders"
    assert_no_axe_violations(page)
    photographed(new_page, live_server, council, "/dashboard", "dashboard-safeguarding-first")


def test_new_and_changed_pages_have_no_axe_violations(live_server, council, new_page):
    pages = {
        "register-list": "/register",
        "alerts": "/dashboard/alerts",
        "licence-about-driver": f"/licences/{council['arrested']}",
        "licences-dbs-due": "/licences?due=dbs",
        "applications": "/applications",
        "intelligence": "/intelligence",
        "search-empty": "/search",
        "search-refused": "/search?ni_number=123",
    }
    for name, path in pages.items():
        photographed(new_page, live_server, council, path, name)
