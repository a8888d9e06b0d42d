"""Finding records and seeing what matters first: search, lists a page at a time, the register list, the
dashboard's safeguarding items and the licence page's intelligence and alerts."""

import re
from datetime import date, timedelta

from licensing.intelligence.routing import push_intelligence
from licensing.persistence.models import Licence
from licensing.workflows.information_requests import request_information
from tests.factories import (
    NOW,
    make_authority,
    make_licence,
    make_police_force,
    make_register_entry,
    make_screening,
)
from tests.licensing.test_intelligence import body, police
from tests.officer.conftest import other_actor

NEXT = re.compile(r'<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="next"')
PREVIOUS = re.compile(r'<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="prev"')
BADGE_LINK = re.compile(r'href="/licences/\d+">(PH\d+)</a>')


def add_licences(session, authority, count: int, **overrides) -> None:
    """Add `count` licences to the authority in one go (not indexed: lists only)."""
    for n in range(count):
        fields = {
            "given_names": "Driver",
            "family_name": f"Number{n}",
            "date_of_birth": date(1980, 1, 1),
            "ref": f"BULK-{n}",
            "badge_number": f"PH{15600 + n}",
            "licence_type": "phv",
            "status": "active",
            "granted_on": date(2025, 1, 1),
            "expires_on": date(2027, 12, 31),
        }
        session.add(
            Licence(authority_id=authority.id, created_at=NOW, updated_at=NOW, **(fields | overrides))
        )
    session.commit()


def unescape(link: str) -> str:
    """Return a link as the page's HTML escaped it, ready to follow."""
    return link.replace("&amp;", "&")


def test_every_licence_is_reached_a_page_at_a_time_and_back(officer_client, session, authority):
    add_licences(session, authority, 124)
    add_licences(session, make_authority(session), 3)  # another council's
    seen, pages, link = [], [], "/licences"
    while link:
        page = officer_client.get(link).get_data(as_text=True)
        pages.append(page)
        seen += BADGE_LINK.findall(page)
        found = NEXT.search(page)
        link = unescape(found.group(1)) if found else None
    assert len(pages) == 3 and "124 licences, page 3" in pages[-1]
    assert len(seen) == len(set(seen)) == 124
    back = unescape(PREVIOUS.search(pages[-1]).group(1))
    assert BADGE_LINK.findall(officer_client.get(back).get_data(as_text=True)) == seen[50:100]


def test_a_cursor_of_another_list_is_refused(officer_client, session, authority):
    add_licences(session, authority, 60)
    page = officer_client.get("/licences").get_data(as_text=True)
    cursor = re.search(r"cursor=([^&\"]+)", NEXT.search(page).group(1)).group(1)
    assert officer_client.get(f"/register?cursor={cursor}").status_code == 400


def test_search_finds_a_driver_by_a_misspelt_name(officer_client, session, authority):
    licence = make_licence(
        session, authority_id=authority.id, given_names="Muhammad", family_name="Aly", badge_number="PH777"
    )
    make_licence(session, given_names="Muhammad", family_name="Aly")  # another council's: never shown
    page = officer_client.get("/search?name=Mohamed+Ali").get_data(as_text=True)
    assert f'href="/licences/{licence.id}"' in page and "Licence PH777" in page
    assert page.count("Muhammad Aly") == 1
    assert "No records match" in officer_client.get("/search?name=Hassan+Aly").get_data(as_text=True)


def test_search_says_what_is_wrong_with_a_detail(officer_client):
    response = officer_client.get("/search?ni_number=123")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and 'href="#ni_number"' in page
    assert officer_client.get("/search").status_code == 200  # the empty form, no complaint


def test_register_lists_the_councils_own_entries_a_page_at_a_time(officer_client, session, authority):
    ours = [make_register_entry(session, authority_id=authority.id, given_names=f"Own{n}") for n in range(52)]
    theirs = make_register_entry(session, given_names="Elsewhere")
    page = officer_client.get("/register").get_data(as_text=True)
    assert 'href="/register"' in page  # in the navigation
    assert f'href="/register/{ours[0].id}"' in page and f'href="/register/{ours[50].id}"' not in page
    assert "Elsewhere" not in page and f'href="/register/{theirs.id}"' not in page
    second = officer_client.get(unescape(NEXT.search(page).group(1))).get_data(as_text=True)
    assert f'href="/register/{ours[51].id}"' in second and NEXT.search(second) is None


def routed_to(session, authority, badge: str):
    """License the default identity at `authority` and have the police push intelligence about them."""
    licence = make_licence(session, authority_id=authority.id, badge_number=badge)
    force = make_police_force(session)
    push_intelligence(session, police(force), "WMP-21", body(category="arrest"), NOW)
    session.commit()
    return licence


def test_dashboard_puts_routed_intelligence_with_name_and_badge_above_routine_reminders(
    officer_client, session, authority
):
    add_licences(session, authority, 55)  # never DBS-checked: one line, not 55
    routed_to(session, authority, "PH99999")
    page = officer_client.get("/dashboard").get_data(as_text=True)
    item = page.index('data-kind="intelligence.routed"')
    assert "Imran Hussain, badge PH99999" in page[item:]
    assert item < page.index("56 DBS checks are due within a week") < page.index("Routine reminders") + 500
    assert "never checked" not in page and "Badge PH15601" not in page
    dbs = officer_client.get("/licences?due=dbs").get_data(as_text=True)
    assert "56 licences, page 1" in dbs


def test_a_request_received_is_in_the_to_answer_list_with_the_driver(officer_client, session, authority):
    entry = make_register_entry(session, authority_id=authority.id)
    asking = make_authority(session)
    make_screening(session, authority_id=asking.id)  # the asking council found the entry
    fields = {"register_entry_id": entry.id, "request_text": "What did you rely on?"}
    request_information(session, other_actor(asking), fields, NOW)
    session.commit()
    page = officer_client.get("/dashboard").get_data(as_text=True)
    answer = page.index('id="to-answer"')
    assert page.index('data-kind="information_request"') > answer
    assert f"Imran Hussain, register entry {entry.ref}" in page[answer:]


def test_the_licence_page_shows_intelligence_and_alerts_about_the_driver(officer_client, session, authority):
    licence = routed_to(session, authority, "PH88888")
    page = officer_client.get(f"/licences/{licence.id}").get_data(as_text=True)
    assert "data-routed-intelligence" in page and "view the intelligence" in page
    assert "Police intelligence routed to you" in page
    assert "No changes yet." in page  # a licence never suspended or revoked has no status history
    quiet = make_licence(session, authority_id=authority.id, badge_number="PH1", **{"given_names": "Quiet"})
    page = officer_client.get(f"/licences/{quiet.id}").get_data(as_text=True)
    assert "No alerts about this driver." in page
    assert "No police intelligence has been routed to your council about this driver." in page


def test_the_expiring_reminder_lists_only_licences_due(officer_client, session, authority):
    soon = make_licence(session, authority_id=authority.id, expires_on=date.today() + timedelta(days=3))
    later = make_licence(session, authority_id=authority.id)
    page = officer_client.get("/licences?due=expiring").get_data(as_text=True)
    assert f'href="/licences/{soon.id}"' in page and f'href="/licences/{later.id}"' not in page


def test_a_routine_reminder_links_to_its_alerts_a_page_at_a_time(officer_client, session, authority):
    from tests.officer.test_other_pages import make_alert

    for _ in range(53):
        make_alert(session, authority.id, alert_type="dbs.lapsed")
    make_alert(session, authority.id, alert_type="licence.expired")
    page = officer_client.get("/dashboard").get_data(as_text=True)
    assert "53 unread alerts: DBS lapsed" in page and "1 unread alert: licence expired" in page
    listed = officer_client.get("/dashboard/alerts?type=dbs.lapsed").get_data(as_text=True)
    assert listed.count('<td class="govuk-table__cell">DBS lapsed</td>') == 50
    rest = officer_client.get(unescape(NEXT.search(listed).group(1))).get_data(as_text=True)
    assert rest.count("DBS lapsed</td>") == 3 and "Licence expired</td>" not in rest


def test_routed_intelligence_is_listed_first_however_many_newer_matches_wait(
    officer_client, session, authority
):
    from tests.officer.test_other_pages import make_alert

    licence = routed_to(session, authority, "PH55555")  # the oldest alert
    for _ in range(101):
        make_alert(session, authority.id, alert_type="screening.possible_match", subject_id=licence.id)
    page = officer_client.get("/dashboard").get_data(as_text=True)
    first = page.index('data-kind="intelligence.routed"')
    assert first < page.index('data-kind="screening.possible_match"')
    assert "The 100 most important of 102 unread safeguarding alerts" in page
    assert page.count('data-kind="screening.possible_match"') == 99
    assert "Imran Hussain, badge PH55555" in page[first:]
