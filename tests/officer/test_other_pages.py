"""Dashboard, quick check, trail, requests/reports and intelligence pages."""

from datetime import date, timedelta

from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.persistence.models import Alert
from tests.factories import (
    NOW,
    make_authority,
    make_licence,
    make_screening,
)
from tests.officer.conftest import csrf_token


def make_alert(session, authority_id: int, read: bool = False, **overrides) -> Alert:
    """Create an alert for an authority."""
    fields = {"alert_type": "licence.expiring", "subject_kind": "licence", "subject_id": 1, "payload": {}}
    alert = Alert(
        authority_id=authority_id, created_at=NOW, read_at=NOW if read else None, **fields | overrides
    )
    session.add(alert)
    session.commit()
    return alert


def test_dashboard_lists_safeguarding_alerts_and_counts_routine_ones(officer_client, session, authority):
    read = make_alert(session, authority.id, read=True, alert_type="register_entry.recorded")
    unread = make_alert(session, authority.id, alert_type="intelligence.routed", subject_kind="intelligence")
    make_alert(session, make_authority(session).id, alert_type="dbs.lapsed")  # another council's
    make_licence(
        session, authority_id=authority.id, badge_number="PH-SOON", expires_on=date.today() + timedelta(3)
    )
    page = officer_client.get("/dashboard").get_data(as_text=True)
    assert f'data-alert="{unread.id}"' in page and f'data-alert="{read.id}"' not in page  # read: on /alerts
    assert "DBS lapsed" not in page
    assert "1 licence expires within a week" in page and "1 DBS check is due within a week" in page
    assert "Badge PH-SOON" not in page  # counted, not listed
    listed = officer_client.get("/dashboard/alerts").get_data(as_text=True)
    assert f'data-alert="{unread.id}"' in listed and f'data-alert="{read.id}"' in listed


def test_marking_an_alert_read_needs_a_token_and_only_this_councils_alert(officer_client, session, authority):
    alert = make_alert(session, authority.id)
    assert officer_client.post(f"/dashboard/alerts/{alert.id}/read").status_code == 400
    other = make_alert(session, make_authority(session).id)
    token = csrf_token(officer_client, "/dashboard")
    assert (
        officer_client.post(f"/dashboard/alerts/{other.id}/read", data={"csrf_token": token}).status_code
        == 404
    )
    assert (
        officer_client.post(f"/dashboard/alerts/{alert.id}/read", data={"csrf_token": token}).status_code
        == 302
    )
    session.rollback()
    assert session.get(Alert, alert.id, populate_existing=True).read_at is not None
    assert session.get(Alert, other.id, populate_existing=True).read_at is None


def test_quick_check_finds_any_councils_badge_and_refuses_half_a_question(officer_client, session):
    other = make_authority(session, code="E08000031")
    make_licence(session, authority_id=other.id, badge_number="PH1")
    page = officer_client.get("/quick-check?authority=E08000031&badge=PH1").get_data(as_text=True)
    assert 'data-found="1"' in page and other.name in page
    response = officer_client.get("/quick-check?authority=E08000031")
    assert response.status_code == 400 and "There is a problem" in response.get_data(as_text=True)


def test_quick_check_by_badge_alone_lists_every_council_that_issued_it(officer_client, session):
    first, second = make_authority(session, name="Aardale Council"), make_authority(session, name="Zedshire")
    for council, status in ((first, "active"), (second, "revoked")):
        make_licence(session, authority_id=council.id, badge_number="PH1", status=status)
    page = officer_client.get("/quick-check?badge=PH1").get_data(as_text=True)
    assert 'data-found="2"' in page
    assert page.index("Aardale Council</td>") < page.index("Zedshire</td>") and "Revoked" in page


def test_the_quick_check_offers_every_council_by_name_as_a_picker(officer_client, session):
    make_authority(session, code="E08000039", name="Sheffield City Council")
    page = officer_client.get("/quick-check").get_data(as_text=True)
    assert '<option value="E08000039">Sheffield City Council</option>' in page
    assert 'data-module="app-council-picker"' in page and "accessible-autocomplete.min.js" in page


def test_trail_shows_another_council_finding_the_licence_in_a_screening(officer_client, session, authority):
    licence = make_licence(session, authority_id=authority.id)
    other = make_authority(session, name="Screening Council")
    make_screening(session, authority_id=other.id)
    page = officer_client.get(f"/trail/licence/{licence.id}").get_data(as_text=True)
    assert "found this record in a screening (ad hoc)" in page and "Screening Council" in page


def test_requests_reports_and_intelligence_pages_show_empty_lists(officer_client):
    assert "None." in officer_client.get("/workflows").get_data(as_text=True)
    page = officer_client.get("/intelligence").get_data(as_text=True)
    assert "No intelligence has been routed to your council." in page
    assert officer_client.get("/workflows/requests/99").status_code == 404
    assert officer_client.get("/intelligence/99").status_code == 404


def test_a_signed_in_officer_is_offered_no_sign_in_and_no_crown(officer_client, app):
    page = officer_client.get("/dashboard").get_data(as_text=True)
    assert "Sign in (licensing officers)" not in page and "Change your password" in page
    assert "govuk-header__logo" not in page and "GOV.UK" not in page
    signed_out = app.test_client().get("/check").get_data(as_text=True)
    assert "Sign in (licensing officers)" in signed_out and "govuk-header__logo" not in signed_out


def test_trail_says_what_happened_and_who_in_words(officer_client, session, authority):
    licence = make_licence(session, authority_id=authority.id, licence_type="phv")
    olive = Actor(kind="user", id=1, label="user:olive@council.example", authority_id=authority.id)
    audit.record(session, olive, "licence.suspended", "licence", licence.id, now=NOW)
    session.commit()

    page = officer_client.get(f"/trail/licence/{licence.id}").get_data(as_text=True)
    assert "Licence suspended" in page and "licence.suspended" not in page
    assert "olive@council.example" in page and "user:olive" not in page
    shown = officer_client.get(f"/licences/{licence.id}").get_data(as_text=True)
    assert "Private hire" in shown and ">phv<" not in shown
