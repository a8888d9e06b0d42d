"""Withdrawing and refusing applications, and changing a register entry after an appeal, through the pages."""

from datetime import date

import pytest
from sqlmodel import Session, select

from licensing.persistence.models import Application, AuditEvent, RegisterEntry
from tests.factories import make_authority, make_register_entry, make_screened_application
from tests.officer.conftest import count_of, csrf_token, date_fields, shows_error, stored


def post(client, path: str, data: dict, token: bool = True):
    """Post a form, with the token from the same page unless `token` is False."""
    return client.post(path, data=data | ({"csrf_token": csrf_token(client, path)} if token else {}))


def refusal(**changes) -> dict:
    """Return a refusal's fields: decided 20 November 2026, resting on relevant information."""
    fields = {"record_register_entry": "yes", "category": "violence"}
    return fields | date_fields("decided_on", date(2026, 11, 20)) | changes


def entries_of(engine, application: Application) -> list[RegisterEntry]:
    """Return the register entries recorded under the application's reference, read afresh."""
    with Session(engine) as fresh:
        return fresh.exec(select(RegisterEntry).where(RegisterEntry.ref == application.ref)).all()


# Withdrawal (any officer: the applicant's own choice)


def test_officer_withdraws_a_pending_application(officer_client, session, engine, authority):
    application = make_screened_application(session, authority_id=authority.id)
    response = post(officer_client, f"/applications/{application.id}/withdraw", {})
    assert response.status_code == 302
    assert stored(engine, Application, application.id).status == "withdrawn"


def test_withdrawal_refuses_a_missing_csrf_token(officer_client, session, engine, authority):
    application = make_screened_application(session, authority_id=authority.id)
    assert (
        post(officer_client, f"/applications/{application.id}/withdraw", {}, token=False).status_code == 400
    )
    assert stored(engine, Application, application.id).status == "pending"


def test_withdrawing_a_decided_application_is_explained(officer_client, session, engine, authority):
    application = make_screened_application(session, authority_id=authority.id, status="refused")
    response = post(officer_client, f"/applications/{application.id}/withdraw", {})
    assert response.status_code == 400 and "There is a problem" in response.get_data(as_text=True)
    assert stored(engine, Application, application.id).status == "refused"


def test_another_councils_application_cannot_be_withdrawn(manager_client, session, engine):
    application = make_screened_application(session, authority_id=make_authority(session).id)
    assert manager_client.get(f"/applications/{application.id}/withdraw").status_code == 404
    token = csrf_token(manager_client, "/applications/new")
    path = f"/applications/{application.id}/withdraw"
    assert manager_client.post(path, data={"csrf_token": token}).status_code == 404
    assert stored(engine, Application, application.id).status == "pending"


# Refusal (a manager's decision)


def test_manager_refuses_and_records_the_register_entry(manager_client, session, engine, authority):
    application = make_screened_application(session, authority_id=authority.id)
    response = post(manager_client, f"/applications/{application.id}/refuse", refusal())
    assert response.status_code == 302
    assert stored(engine, Application, application.id).status == "refused"
    [entry] = entries_of(engine, application)
    assert (entry.decision, entry.category, entry.decided_on) == (
        "refusal_of_grant",
        "violence",
        date(2026, 11, 20),
    )


def test_refusal_without_relevant_information_records_no_entry_and_keeps_why(
    manager_client, session, engine, authority
):
    application = make_screened_application(session, authority_id=authority.id)
    reason = "Failed the knowledge test."
    data = refusal(record_register_entry="no", category="", not_recorded_reason=reason)
    response = post(manager_client, f"/applications/{application.id}/refuse", data)
    assert response.status_code == 302 and entries_of(engine, application) == []
    with Session(engine) as fresh:
        event = fresh.exec(select(AuditEvent).where(AuditEvent.action == "application.refused")).one()
    assert event.reason == reason


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"category": ""}, "category", "Say what kind of relevant information"),
        (
            {"record_register_entry": "no", "category": ""},
            "not_recorded_reason",
            "Say why the decision does not",
        ),
    ],
)
def test_refusal_needs_the_category_or_why_it_is_not_recorded(
    manager_client, session, engine, authority, changes, field, message
):
    application = make_screened_application(session, authority_id=authority.id)
    response = post(manager_client, f"/applications/{application.id}/refuse", refusal(**changes))
    assert response.status_code == 400 and shows_error(response.get_data(as_text=True), field, message)
    assert stored(engine, Application, application.id).status == "pending"
    assert count_of(engine, RegisterEntry) == 0


def test_officer_may_not_refuse(officer_client, session, engine, authority):
    application = make_screened_application(session, authority_id=authority.id)
    assert officer_client.get(f"/applications/{application.id}/refuse").status_code == 403
    token = csrf_token(officer_client, "/applications/new")
    path = f"/applications/{application.id}/refuse"
    assert officer_client.post(path, data=refusal(csrf_token=token)).status_code == 403
    assert stored(engine, Application, application.id).status == "pending"


def test_refusal_refuses_a_missing_csrf_token(manager_client, session, engine, authority):
    application = make_screened_application(session, authority_id=authority.id)
    assert (
        post(manager_client, f"/applications/{application.id}/refuse", refusal(), token=False).status_code
        == 400
    )
    assert stored(engine, Application, application.id).status == "pending"


def test_bad_refusal_shows_errors_and_saves_nothing(manager_client, session, engine, authority):
    application = make_screened_application(session, authority_id=authority.id)
    data = refusal(record_register_entry="") | {
        "decided_on-day": "",
        "decided_on-month": "",
        "decided_on-year": "",
    }
    response = post(manager_client, f"/applications/{application.id}/refuse", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert shows_error(page, "decided_on", "Enter the date of the decision")
    assert shows_error(
        page, "record_register_entry", "Select yes if the decision rests on relevant information"
    )
    assert stored(engine, Application, application.id).status == "pending"
    assert count_of(engine, RegisterEntry) == 0


def test_refusal_dated_in_the_future_is_refused_by_the_service(manager_client, session, engine, authority):
    application = make_screened_application(session, authority_id=authority.id)
    data = refusal(**date_fields("decided_on", date(2099, 1, 1)))
    response = post(manager_client, f"/applications/{application.id}/refuse", data)
    assert response.status_code == 400 and shows_error(
        response.get_data(as_text=True), "decided_on", "Must not be in the future"
    )
    assert stored(engine, Application, application.id).status == "pending"


# Changing a register entry after an appeal (a manager's decision)


def test_manager_records_a_successful_appeal(manager_client, session, engine, authority):
    entry = make_register_entry(session, authority_id=authority.id)
    data = {"change": "overturned", "reason": "appeal"} | date_fields("changed_on", date(2026, 11, 20))
    response = post(manager_client, f"/register/{entry.id}/amend", data)
    assert response.status_code == 302
    assert stored(engine, RegisterEntry, entry.id).status == "overturned"
    assert "Overturned on 20 November 2026" in manager_client.get(f"/register/{entry.id}").get_data(
        as_text=True
    )


def test_officer_may_not_change_an_entry(officer_client, session, engine, authority):
    entry = make_register_entry(session, authority_id=authority.id)
    assert officer_client.get(f"/register/{entry.id}/amend").status_code == 403
    token = csrf_token(officer_client, "/register/new")
    response = officer_client.post(
        f"/register/{entry.id}/amend", data={"change": "removed", "csrf_token": token}
    )
    assert response.status_code == 403
    assert stored(engine, RegisterEntry, entry.id).status == "current"


def test_change_refuses_a_missing_csrf_token(manager_client, session, engine, authority):
    entry = make_register_entry(session, authority_id=authority.id)
    assert (
        post(manager_client, f"/register/{entry.id}/amend", {"change": "removed"}, token=False).status_code
        == 400
    )
    assert stored(engine, RegisterEntry, entry.id).status == "current"


def test_bad_change_shows_errors_and_changes_nothing(manager_client, session, engine, authority):
    entry = make_register_entry(session, authority_id=authority.id)
    response = post(manager_client, f"/register/{entry.id}/amend", {"changed_on-day": "40"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and shows_error(page, "change", "Select what changed")
    assert shows_error(page, "changed_on", "must be a real date")
    assert stored(engine, RegisterEntry, entry.id).status == "current"


def test_a_change_the_entry_status_forbids_is_explained(manager_client, session, engine, authority):
    entry = make_register_entry(session, authority_id=authority.id)
    response = post(manager_client, f"/register/{entry.id}/amend", {"change": "reinstated"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "An entry that is current cannot be reinstated" in page
    assert stored(engine, RegisterEntry, entry.id).status == "current"


def test_another_councils_entry_cannot_be_changed(manager_client, session, engine):
    entry = make_register_entry(session, authority_id=make_authority(session).id)
    assert manager_client.get(f"/register/{entry.id}/amend").status_code == 404
    token = csrf_token(manager_client, "/register/new")
    response = manager_client.post(
        f"/register/{entry.id}/amend", data={"change": "removed", "csrf_token": token}
    )
    assert response.status_code == 404
    assert stored(engine, RegisterEntry, entry.id).status == "current"


def test_a_register_entry_page_lists_its_identity_warnings(officer_client, session, authority):
    entry = make_register_entry(session, authority_id=authority.id, driving_licence_number="NOT-A-LICENCE")
    page = officer_client.get(f"/register/{entry.id}").get_data(as_text=True)
    warnings = page.split("data-identity-warnings")[1].split("</ul>")[0]
    assert "Driving licence number NOT-A-LICENCE is not valid" in warnings
