"""Licences: search, view, status changes after a confirmation step (a manager's decision, recorded on the
s.2 register in the same change), and the licence's DBS details."""

from datetime import date

import pytest
from sqlmodel import select

from licensing.persistence.models import AuditEvent, Licence, LicenceStatusChange, RegisterEntry
from tests.factories import make_authority, make_licence, make_register_entry
from tests.officer.conftest import csrf_token, date_fields, shows_error

ON_REGISTER = {"record_register_entry": "yes", "category": "sexual_offences"}


def status_of(session, licence) -> str:
    """Return the licence's status as committed."""
    return session.get(Licence, licence.id, populate_existing=True).status


def confirm(client, licence, action, day=date(2026, 11, 23), **changes):
    """Post the confirmation form of `action` with a valid token (on the register, for a decision)."""
    path = f"/licences/{licence.id}/{action}"
    data = date_fields("effective_on", day) | {"csrf_token": csrf_token(client, path)}
    data |= (ON_REGISTER if action in ("suspend", "revoke") else {}) | changes
    return client.post(path, data=data)


def test_search_by_badge_finds_only_that_licence(officer_client, session, authority):
    wanted = make_licence(session, authority_id=authority.id, badge_number="PH777")
    make_licence(session, authority_id=authority.id, badge_number="PH888")
    page = officer_client.get("/licences?badge=PH777").get_data(as_text=True)
    assert f'href="/licences/{wanted.id}"' in page and "PH888" not in page


def test_search_lists_only_this_councils_licences(officer_client, session, authority):
    make_licence(session, authority_id=authority.id, badge_number="PH777")
    make_licence(session, badge_number="XX999")  # another council
    page = officer_client.get("/licences").get_data(as_text=True)
    assert "PH777" in page and "XX999" not in page


def test_suspension_asks_for_confirmation_and_the_category_then_suspends(manager_client, session, authority):
    licence = make_licence(session, authority_id=authority.id)
    page = manager_client.get(f"/licences/{licence.id}/suspend").get_data(as_text=True)
    assert "Suspend licence" in page and "Yes, suspend this licence" in page
    assert "Does the decision rest on relevant information" in page and 'value="sexual_offences"' in page
    assert status_of(session, licence) == "active"  # showing the question changes nothing
    response = confirm(manager_client, licence, "suspend")
    assert response.status_code == 302 and status_of(session, licence) == "suspended"


@pytest.mark.parametrize(("action", "decision"), [("suspend", "suspension"), ("revoke", "revocation")])
def test_the_decision_records_its_register_entry_and_the_licence_page_links_it(
    manager_client, session, authority, action, decision
):
    licence = make_licence(session, authority_id=authority.id, ref="LIC-5")
    assert confirm(manager_client, licence, action, day=date(2026, 11, 20)).status_code == 302
    session.rollback()
    entry = session.exec(select(RegisterEntry)).one()
    assert (entry.decision, entry.category, entry.effective_on) == (
        decision,
        "sexual_offences",
        date(2026, 11, 20),
    )
    page = manager_client.get(f"/licences/{licence.id}").get_data(as_text=True)
    assert f'href="/register/{entry.id}"' in page and "LIC-5/" in page


def test_a_decision_without_its_category_or_reason_shows_errors_and_changes_nothing(
    manager_client, session, authority
):
    licence = make_licence(session, authority_id=authority.id)
    response = confirm(manager_client, licence, "revoke", category="")
    assert response.status_code == 400
    assert shows_error(response.get_data(as_text=True), "category", "Say what kind of relevant information")
    response = confirm(manager_client, licence, "revoke", category="", record_register_entry="no")
    assert response.status_code == 400
    assert shows_error(
        response.get_data(as_text=True), "not_recorded_reason", "Say why the decision does not"
    )
    assert status_of(session, licence) == "active"
    assert session.exec(select(RegisterEntry)).all() == []


def test_a_suspension_not_on_the_register_keeps_its_reason_in_the_audit(manager_client, session, authority):
    licence = make_licence(session, authority_id=authority.id)
    reason = "Medical certificate lapsed: no relevant information."
    changes = {"record_register_entry": "no", "category": "", "not_recorded_reason": reason}
    assert confirm(manager_client, licence, "suspend", **changes).status_code == 302
    assert status_of(session, licence) == "suspended"
    assert session.exec(select(RegisterEntry)).all() == []
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.action == "licence.suspended")).one().reason
        == reason
    )


def test_a_taken_register_reference_is_explained_and_the_licence_stays_active(
    manager_client, session, authority
):
    licence = make_licence(session, authority_id=authority.id)
    make_register_entry(session, authority_id=authority.id, ref="CASE-9")
    response = confirm(manager_client, licence, "revoke", register_ref="CASE-9")
    assert response.status_code == 400
    assert shows_error(response.get_data(as_text=True), "register_ref", "give another register_ref")
    assert status_of(session, licence) == "active"
    assert session.exec(select(LicenceStatusChange)).all() == []


def test_reinstating_lifts_the_suspension_on_the_register(manager_client, session, authority):
    licence = make_licence(session, authority_id=authority.id)
    confirm(manager_client, licence, "suspend")
    assert confirm(manager_client, licence, "reinstate").status_code == 302
    assert status_of(session, licence) == "active"
    entry = session.exec(select(RegisterEntry)).one()
    assert "Lifted on 23 November 2026" in manager_client.get(f"/register/{entry.id}").get_data(as_text=True)


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_officer_may_not_suspend_or_revoke_and_gets_the_403_page(officer_client, session, authority, action):
    licence = make_licence(session, authority_id=authority.id)
    page = officer_client.get(f"/licences/{licence.id}").get_data(as_text=True)
    assert "Suspend licence" not in page and "Revoke licence" not in page
    assert officer_client.get(f"/licences/{licence.id}/{action}").status_code == 403
    token = csrf_token(officer_client, f"/licences/{licence.id}")
    data = date_fields("effective_on", date(2026, 11, 23)) | {"csrf_token": token} | ON_REGISTER
    response = officer_client.post(f"/licences/{licence.id}/{action}", data=data)
    assert response.status_code == 403 and "Ask a licensing manager" in response.get_data(as_text=True)
    assert status_of(session, licence) == "active"
    assert session.exec(select(RegisterEntry)).all() == []


def test_officer_records_a_surrender(officer_client, session, authority):
    licence = make_licence(session, authority_id=authority.id)
    assert confirm(officer_client, licence, "surrender").status_code == 302
    assert status_of(session, licence) == "surrendered"


def test_officer_may_not_revoke_and_gets_the_403_page(officer_client, session, authority):
    licence = make_licence(session, authority_id=authority.id)
    assert "Revoke licence" not in officer_client.get(f"/licences/{licence.id}").get_data(as_text=True)
    assert officer_client.get(f"/licences/{licence.id}/revoke").status_code == 403
    token = csrf_token(officer_client, f"/licences/{licence.id}")
    data = date_fields("effective_on", date(2026, 11, 23)) | {"csrf_token": token}
    response = officer_client.post(f"/licences/{licence.id}/revoke", data=data)
    assert response.status_code == 403 and "Ask a licensing manager" in response.get_data(as_text=True)
    assert status_of(session, licence) == "active"


def test_manager_revokes_after_confirming(manager_client, session, authority):
    licence = make_licence(session, authority_id=authority.id)
    assert "Revoke licence" in manager_client.get(f"/licences/{licence.id}").get_data(as_text=True)
    assert confirm(manager_client, licence, "revoke").status_code == 302
    assert status_of(session, licence) == "revoked"
    assert "Revoked" in manager_client.get(f"/licences/{licence.id}").get_data(as_text=True)


def test_status_change_refuses_a_missing_csrf_token(manager_client, session, authority):
    licence = make_licence(session, authority_id=authority.id)
    data = date_fields("effective_on", date(2026, 11, 23))
    assert manager_client.post(f"/licences/{licence.id}/revoke", data=data).status_code == 400
    assert status_of(session, licence) == "active"


def test_status_change_with_a_bad_date_shows_errors_and_changes_nothing(manager_client, session, authority):
    licence = make_licence(session, authority_id=authority.id)
    response = confirm(
        manager_client, licence, "revoke", **{"effective_on-day": "31", "effective_on-month": "2"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page and 'href="#effective_on"' in page
    assert status_of(session, licence) == "active"


def test_status_change_before_the_grant_is_refused_inline(manager_client, session, authority):
    licence = make_licence(session, authority_id=authority.id, granted_on=date(2025, 1, 1))
    response = confirm(manager_client, licence, "suspend", day=date(2024, 1, 1))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "cannot be before the licence was granted" in page
    assert status_of(session, licence) == "active"


def test_a_change_the_state_table_forbids_is_explained(manager_client, session, authority):
    licence = make_licence(session, authority_id=authority.id)
    response = confirm(manager_client, licence, "reinstate")
    assert response.status_code == 400
    assert "licence cannot be reinstated" in response.get_data(as_text=True)
    assert status_of(session, licence) == "active"


def test_another_councils_licence_is_not_found(manager_client, session):
    licence = make_licence(session, authority_id=make_authority(session).id)
    for path in (f"/licences/{licence.id}", f"/licences/{licence.id}/revoke", f"/trail/licence/{licence.id}"):
        assert manager_client.get(path).status_code == 404, path
    token = csrf_token(manager_client, "/licences")
    data = date_fields("effective_on", date(2026, 11, 23)) | {"csrf_token": token}
    assert manager_client.post(f"/licences/{licence.id}/revoke", data=data).status_code == 404
    assert status_of(session, licence) == "active"


def test_register_entry_starts_from_the_licence_and_is_recorded(officer_client, session, authority):
    licence = make_licence(session, authority_id=authority.id, given_names="Imran")
    page = officer_client.get(f"/register/new?licence={licence.id}").get_data(as_text=True)
    assert 'value="Imran"' in page and 'value="HUSSA803145I99AB"' in page
    data = {
        "csrf_token": csrf_token(officer_client, "/register/new"),
        "ref": "RE-9",
        "decision": "revocation",
    }
    data |= {"given_names": "Imran", "family_name": "Hussain", "category": "violence"}
    data |= date_fields("decided_on", date(2026, 11, 20)) | date_fields("effective_on", date(2026, 11, 21))
    response = officer_client.post("/register/new", data=data)
    assert response.status_code == 302
    session.rollback()
    entry = session.exec(select(RegisterEntry)).one()
    assert (entry.ref, entry.decision, entry.authority_id) == ("RE-9", "revocation", authority.id)


def test_bad_register_entry_shows_errors_and_records_nothing(officer_client, session):
    data = {"csrf_token": csrf_token(officer_client, "/register/new"), "ref": "RE-9", "given_names": "Imran"}
    data |= date_fields("decided_on", date(2026, 11, 20)) | date_fields("effective_on", date(2026, 11, 1))
    response = officer_client.post("/register/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page
    assert 'href="#family_name"' in page and 'href="#decision"' in page
    session.rollback()
    assert session.exec(select(RegisterEntry)).all() == []


def test_register_entry_dated_in_the_future_is_refused_by_the_service(officer_client, session):
    data = {
        "csrf_token": csrf_token(officer_client, "/register/new"),
        "ref": "RE-9",
        "decision": "suspension",
    }
    data |= {"given_names": "Imran", "family_name": "Hussain"}
    data |= date_fields("decided_on", date(2099, 1, 1)) | date_fields("effective_on", date(2099, 1, 2))
    response = officer_client.post("/register/new", data=data)
    assert response.status_code == 400 and 'href="#decided_on"' in response.get_data(as_text=True)
    session.rollback()
    assert session.exec(select(RegisterEntry)).all() == []


def test_register_entry_form_refuses_a_missing_csrf_token(officer_client, session):
    data = {"ref": "RE-9", "decision": "suspension", "given_names": "Imran", "family_name": "Hussain"}
    data |= date_fields("decided_on", date(2026, 11, 20)) | date_fields("effective_on", date(2026, 11, 21))
    assert officer_client.post("/register/new", data=data).status_code == 400
    session.rollback()
    assert session.exec(select(RegisterEntry)).all() == []


# DBS details


def dbs_form(client, licence, **changes):
    """Post the licence's DBS form with a valid token: subscribed, consent given 1 November 2026."""
    path = f"/licences/{licence.id}/dbs"
    data = {"csrf_token": csrf_token(client, path), "dbs_certificate_number": "0012 3456 7890"}
    data |= {"dbs_update_service": "yes"} | date_fields("dbs_consent_on", date(2026, 11, 1))
    return client.post(path, data=data | changes)


def test_licence_page_shows_the_dbs_details(officer_client, session, authority):
    details = {"dbs_certificate_number": "001234567890", "dbs_update_service": True}
    details |= {"dbs_consent_on": date(2026, 1, 5), "dbs_last_checked_on": date(2026, 6, 1)}
    licence = make_licence(session, authority_id=authority.id, dbs_last_status="BLANK_NO_NEW_INFO", **details)
    page = officer_client.get(f"/licences/{licence.id}").get_data(as_text=True)
    assert "001234567890" in page and "5 January 2026" in page and "Blank no new info" in page
    assert f'href="/licences/{licence.id}/dbs"' in page


def test_officer_changes_the_dbs_details(officer_client, session, authority):
    licence = make_licence(session, authority_id=authority.id)
    assert dbs_form(officer_client, licence).status_code == 302
    session.rollback()
    stored = session.get(Licence, licence.id, populate_existing=True)
    assert (stored.dbs_certificate_number, stored.dbs_update_service, stored.dbs_consent_on) == (
        "001234567890", True, date(2026, 11, 1),
    )  # fmt: skip
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "licence.dbs_changed")).one()


def test_bad_dbs_details_show_errors_and_change_nothing(officer_client, session, authority):
    licence = make_licence(session, authority_id=authority.id)
    response = dbs_form(officer_client, licence, dbs_certificate_number="12345")
    assert response.status_code == 400
    assert shows_error(response.get_data(as_text=True), "dbs_certificate_number", "12 digits")
    empty = {"dbs_consent_on-day": "", "dbs_consent_on-month": "", "dbs_consent_on-year": ""}
    response = dbs_form(officer_client, licence, **empty)
    assert response.status_code == 400 and 'href="#dbs_consent_on"' in response.get_data(as_text=True)
    session.rollback()
    assert session.get(Licence, licence.id, populate_existing=True).dbs_certificate_number is None


def test_another_councils_dbs_details_are_not_found(officer_client, session):
    licence = make_licence(session, authority_id=make_authority(session).id)
    assert officer_client.get(f"/licences/{licence.id}/dbs").status_code == 404


def test_the_licence_page_shows_identifiers_kept_though_not_valid(officer_client, session, authority):
    licence = make_licence(session, authority_id=authority.id, ni_number="12345")
    page = officer_client.get(f"/licences/{licence.id}").get_data(as_text=True)
    assert "data-identity-warnings" in page
    assert "National Insurance number 12345 is not valid" in page
