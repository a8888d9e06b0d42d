"""Every officer page type, visited once in headless chromium, has zero axe-core WCAG 2.2 A/AA violations.

One module, one signed-in manager, one set of records: the dashboard with alerts and deadlines, requests and
reports in and out with their forms (blank and refused), intelligence, bulk screening, the audit trail, the
quick check and the register forms.
"""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from licensing.actors import Actor
from licensing.persistence.models import Alert
from licensing.workflows import concern_reports, information_requests
from tests.browser.axe import assert_no_axe_violations
from tests.factories import (
    NOW,
    OFFICER_PASSWORD,
    make_authority,
    make_licence,
    make_register_entry,
    make_screened_application,
    make_screening,
    make_user,
)


def actor_of(authority) -> Actor:
    """Return an officer of `authority` as a service call's actor."""
    return Actor(kind="user", id=None, label="Test officer", authority_id=authority.id)


@pytest.fixture(scope="module")
def world(live_server):
    """Record one council's work with another, in both directions; return the ids the pages need."""
    with live_server.session() as session:
        ours, theirs = make_authority(session, name="Testshire District Council"), make_authority(session)
        our_entry = make_register_entry(session, authority_id=ours.id, ni_number="12345")  # a warning shown
        their_entry = make_register_entry(session, authority_id=theirs.id)
        soon = date.today() + timedelta(days=3)
        our_licence = make_licence(session, authority_id=ours.id, expires_on=soon)
        their_licence = make_licence(session, authority_id=theirs.id)
        application = make_screened_application(session, authority_id=ours.id, postcode="nowhere")
        _same_person_as(session, actor_of(ours), application, their_entry)  # a manager's decision is due
        for authority in (ours, theirs):
            make_screening(session, authority_id=authority.id)
        asked = {"request_text": "What did you rely on?"}
        incoming = information_requests.request_information(
            session, actor_of(theirs), asked | {"register_entry_id": our_entry.id}, NOW
        )
        outgoing = information_requests.request_information(
            session, actor_of(ours), asked | {"register_entry_id": their_entry.id}, NOW
        )
        concern = {"concern_on": NOW.date(), "summary": "Seen driving dangerously near a school."}
        by_badge = {"authority_code": ours.code, "badge_number": our_licence.badge_number}
        reported = concern_reports.report_concern(session, actor_of(theirs), concern | by_badge, NOW)
        sent = concern_reports.report_concern(
            session, actor_of(ours), concern | {"licence_id": their_licence.id}, NOW
        )
        session.add(
            Alert(authority_id=ours.id, alert_type="licence.expiring", subject_kind="licence",
                  subject_id=our_licence.id, payload={}, created_at=NOW)
        )  # fmt: skip
        session.commit()
        manager = make_user(session, authority_id=ours.id, role="manager")
        return {
            "manager": manager.email, "code": ours.code, "badge": our_licence.badge_number,
            "our_entry": our_entry.id, "their_entry": their_entry.id, "our_licence": our_licence.id,
            "their_licence": their_licence.id, "application": application.id, "incoming": incoming.id,
            "outgoing": outgoing.id, "reported": reported.id, "sent": sent.id,
        }  # fmt: skip


def _same_person_as(session, officer: Actor, application, entry) -> None:
    """Rule the application's candidate that is `entry` the same person."""
    from sqlmodel import select

    from licensing.licences.gate import resolve_candidate
    from licensing.persistence.models import Screening, ScreeningCandidate

    screening = session.exec(select(Screening).where(Screening.application_id == application.id)).one()
    candidate = session.exec(
        select(ScreeningCandidate).where(
            ScreeningCandidate.screening_id == screening.id,
            ScreeningCandidate.candidate_kind == "register_entry",
            ScreeningCandidate.candidate_id == entry.id,
        )
    ).one()
    resolve_candidate(session, officer, screening.id, candidate.id, "same_person", "Same NI number.", NOW)


def signed_in(page, live_server, world: dict):
    """Sign the council's manager in on `page` and wait for the landing page; return the page."""
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Email address").fill(world["manager"])
    page.get_by_label("Password").fill(OFFICER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def pages(w: dict) -> list[str]:
    """Return one URL of every officer page type, filled from the `world`."""
    return [
        "/dashboard",
        "/workflows",
        f"/workflows/requests/{w['incoming']}",
        f"/workflows/requests/{w['outgoing']}",
        f"/workflows/requests/new?entry={w['their_entry']}&application={w['application']}",
        f"/workflows/reports/{w['reported']}",
        f"/workflows/reports/{w['sent']}",
        "/workflows/reports/new",
        f"/workflows/reports/new?licence={w['their_licence']}",
        f"/applications/{w['application']}",
        f"/applications/{w['application']}/withdraw",
        "/intelligence",
        "/bulk-screening",
        f"/trail/licence/{w['our_licence']}",
        f"/licences/{w['our_licence']}",
        f"/licences/{w['our_licence']}/dbs",
        f"/licences/{w['our_licence']}/suspend",
        "/quick-check",
        f"/quick-check?authority={w['code']}&badge={w['badge']}",
        "/register/new",
        f"/register/{w['our_entry']}",
        "/register",
        "/search",
        "/search?name=Imran+Husain",
        "/dashboard/alerts",
        "/licences",
        "/licences?due=expiring",
        "/applications",
    ]


# Forms submitted empty, to check the error summary and inline messages too: (page, its button).
REFUSED_FORMS = (
    ("/workflows/requests/{incoming}", "Send answer"),
    ("/workflows/reports/{reported}", "Send decision"),
    ("/workflows/reports/new", "Send report"),
    ("/workflows/requests/new?entry={their_entry}", "Send request"),
    ("/applications/{application}/refuse", "Yes, refuse this application"),
    ("/applications/{application}", "Record the manager's decision"),
    ("/register/{our_entry}/amend", "Record the change"),
    ("/licences/{our_licence}/suspend", "Yes, suspend this licence"),
)


def test_every_officer_page_type_has_no_axe_violations(live_server, world, new_page, tmp_path):
    page = signed_in(new_page(), live_server, world)
    for path in pages(world):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200 and response.url.endswith(path), path
        assert_no_axe_violations(page)
    for path, button in REFUSED_FORMS:
        page.goto(f"{live_server.url}{path.format(**world)}")
        page.get_by_role("button", name=button).click()
        expect(page.get_by_role("alert").get_by_text("There is a problem")).to_be_visible()
        assert_no_axe_violations(page)
