"""s.3 requests raised and answered, s.5 reports sent and s.6 decisions, through the officer pages."""

from datetime import date

import pytest

from licensing.persistence.models import ConcernReport, InformationRequest
from licensing.workflows import concern_reports, information_requests
from tests.factories import NOW, make_authority, make_licence, make_register_entry, make_screening, make_user
from tests.officer.conftest import count_of, csrf_token, date_fields, other_actor, sign_in, stored


@pytest.fixture
def elsewhere(session):
    """Return another council."""
    return make_authority(session, name="Othershire Council")


@pytest.fixture
def found_entry(session, authority, elsewhere):
    """Return another council's register entry that one of this council's screenings found."""
    entry = make_register_entry(session, authority_id=elsewhere.id)
    make_screening(session, authority_id=authority.id)
    return entry


@pytest.fixture
def incoming_request(session, authority, elsewhere):
    """Return an open s.3 request another council made about this council's entry."""
    entry = make_register_entry(session, authority_id=authority.id)
    make_screening(session, authority_id=elsewhere.id)
    fields = {"register_entry_id": entry.id, "request_text": "What did you rely on?"}
    request = information_requests.request_information(session, other_actor(elsewhere), fields, NOW)
    session.commit()
    return request


@pytest.fixture
def incoming_report(session, authority, elsewhere):
    """Return an open s.5 report another council sent about this council's driver."""
    licence = make_licence(session, authority_id=authority.id)
    fields = {"authority_code": authority.code, "badge_number": licence.badge_number}
    fields |= {"concern_on": NOW.date(), "summary": "Seen driving dangerously near a school."}
    report = concern_reports.report_concern(session, other_actor(elsewhere), fields, NOW)
    session.commit()
    return report


def post(client, path: str, data: dict, token_from: str | None = None):
    """Post a form, with a token from the page at `token_from` unless it is None."""
    token = {"csrf_token": csrf_token(client, token_from)} if token_from else {}
    return client.post(path, data=data | token)


# s.3: raising a request from a screening candidate


def test_request_is_raised_from_an_entry_a_screening_found(officer_client, engine, found_entry):
    form = f"/workflows/requests/new?entry={found_entry.id}"
    response = post(officer_client, "/workflows/requests/new", {"register_entry_id": found_entry.id,
                    "request_text": "Please send the reasons."}, form)  # fmt: skip
    assert response.status_code == 302
    made = stored(engine, InformationRequest, int(response.location.rsplit("/", 1)[1]))
    assert made.register_entry_id == found_entry.id and made.request_text == "Please send the reasons."


def test_request_refuses_a_missing_csrf_token(officer_client, engine, found_entry):
    data = {"register_entry_id": found_entry.id, "request_text": "Please send the reasons."}
    assert post(officer_client, "/workflows/requests/new", data).status_code == 400
    assert count_of(engine, InformationRequest) == 0


def test_empty_request_shows_error_summary_and_inline_message_and_sends_nothing(
    officer_client, engine, found_entry
):
    form = f"/workflows/requests/new?entry={found_entry.id}"
    response = post(officer_client, "/workflows/requests/new", {"register_entry_id": found_entry.id}, form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page
    assert 'id="request_text-error"' in page and "Enter what you need to know" in page
    assert count_of(engine, InformationRequest) == 0


def test_request_about_an_entry_no_screening_found_is_not_found(officer_client, session, engine, elsewhere):
    unseen = make_register_entry(session, authority_id=elsewhere.id)
    data = {"register_entry_id": unseen.id, "request_text": "Please send the reasons."}
    assert post(officer_client, "/workflows/requests/new", data, "/workflows/requests/new").status_code == 404
    assert count_of(engine, InformationRequest) == 0


# s.3: answering an incoming request


def test_officer_answers_an_incoming_request(officer_client, engine, incoming_request):
    path = f"/workflows/requests/{incoming_request.id}"
    response = post(officer_client, f"{path}/answer", {"response_text": "A conviction in 2024."}, path)
    assert response.status_code == 302
    answered = stored(engine, InformationRequest, incoming_request.id)
    assert answered.status == "answered" and answered.response_text == "A conviction in 2024."


def test_answer_refuses_a_missing_csrf_token(officer_client, engine, incoming_request):
    path = f"/workflows/requests/{incoming_request.id}/answer"
    assert post(officer_client, path, {"response_text": "A conviction."}).status_code == 400
    assert stored(engine, InformationRequest, incoming_request.id).status == "open"


def test_empty_answer_shows_errors_and_answers_nothing(officer_client, engine, incoming_request):
    path = f"/workflows/requests/{incoming_request.id}"
    response = post(officer_client, f"{path}/answer", {"response_text": "  "}, path)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page
    assert 'id="response_text-error"' in page
    assert stored(engine, InformationRequest, incoming_request.id).status == "open"


def test_the_requesting_council_cannot_answer_its_own_request(client, session, engine, incoming_request):
    asker = make_user(session, authority_id=incoming_request.requesting_authority_id, role="manager")
    sign_in(client, asker)
    path = f"/workflows/requests/{incoming_request.id}"
    assert "Send answer" not in client.get(path).get_data(as_text=True)
    assert post(client, f"{path}/answer", {"response_text": "Mine."}, "/workflows").status_code == 403
    assert stored(engine, InformationRequest, incoming_request.id).status == "open"


def test_another_councils_request_is_not_found(client, session, engine, incoming_request):
    sign_in(client, make_user(session))
    path = f"/workflows/requests/{incoming_request.id}"
    assert client.get(path).status_code == 404
    assert post(client, f"{path}/answer", {"response_text": "No."}, "/workflows").status_code == 404
    assert stored(engine, InformationRequest, incoming_request.id).status == "open"


# s.5: reporting a driver licensed elsewhere


def report_data(**changes) -> dict:
    """Return a concern report's fields: learned of on 20 November 2026."""
    return {"summary": "Seen driving dangerously."} | date_fields("concern_on", date(2026, 11, 20)) | changes


def test_report_is_sent_about_a_licence_a_screening_found(
    officer_client, session, engine, authority, elsewhere
):
    licence = make_licence(session, authority_id=elsewhere.id)
    make_screening(session, authority_id=authority.id)
    form = f"/workflows/reports/new?licence={licence.id}"
    assert "About the licence your screening found" in officer_client.get(form).get_data(as_text=True)
    response = post(officer_client, "/workflows/reports/new", report_data(licence_id=licence.id), form)
    assert response.status_code == 302
    sent = stored(engine, ConcernReport, int(response.location.rsplit("/", 1)[1]))
    assert sent.licence_id == licence.id and sent.issuing_authority_id == elsewhere.id


def test_report_by_badge_that_matches_nothing_is_said_on_the_form(officer_client, engine, elsewhere):
    data = report_data(authority_code=elsewhere.code, badge_number="NO-SUCH")
    response = post(officer_client, "/workflows/reports/new", data, "/workflows/reports/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "No licence with that badge number" in page
    assert count_of(engine, ConcernReport) == 0


def test_report_refuses_a_missing_csrf_token(officer_client, session, engine, elsewhere):
    licence = make_licence(session, authority_id=elsewhere.id)
    data = report_data(authority_code=elsewhere.code, badge_number=licence.badge_number)
    assert post(officer_client, "/workflows/reports/new", data).status_code == 400
    assert count_of(engine, ConcernReport) == 0


def test_bad_report_shows_every_error_and_sends_nothing(officer_client, engine):
    data = report_data(summary="") | {"concern_on-day": "30", "concern_on-month": "2"}
    response = post(officer_client, "/workflows/reports/new", data, "/workflows/reports/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page
    assert page.count('class="govuk-error-message"') == 3
    for field in ("concern_on", "summary", "badge_number"):
        assert f'href="#{field}"' in page
    assert count_of(engine, ConcernReport) == 0


def test_report_about_a_licence_no_screening_found_is_not_found(officer_client, session, engine, elsewhere):
    unseen = make_licence(session, authority_id=elsewhere.id)
    data = report_data(licence_id=unseen.id)
    assert post(officer_client, "/workflows/reports/new", data, "/workflows/reports/new").status_code == 404
    assert count_of(engine, ConcernReport) == 0


# s.6: deciding an incoming report


def test_manager_decides_an_incoming_report(manager_client, engine, incoming_report):
    path = f"/workflows/reports/{incoming_report.id}"
    response = post(manager_client, f"{path}/decide", {"decision": "warning", "notes": "Warned."}, path)
    assert response.status_code == 302
    decided = stored(engine, ConcernReport, incoming_report.id)
    assert (decided.status, decided.decision, decided.decision_notes) == ("decided", "warning", "Warned.")


def test_officer_may_not_decide_a_report(officer_client, engine, incoming_report):
    path = f"/workflows/reports/{incoming_report.id}"
    assert post(officer_client, f"{path}/decide", {"decision": "warning"}, path).status_code == 403
    assert stored(engine, ConcernReport, incoming_report.id).status == "open"


def test_decision_refuses_a_missing_csrf_token(manager_client, engine, incoming_report):
    response = post(
        manager_client, f"/workflows/reports/{incoming_report.id}/decide", {"decision": "warning"}
    )
    assert response.status_code == 400
    assert stored(engine, ConcernReport, incoming_report.id).status == "open"


def test_decision_without_a_choice_shows_errors_and_decides_nothing(manager_client, engine, incoming_report):
    path = f"/workflows/reports/{incoming_report.id}"
    response = post(manager_client, f"{path}/decide", {"decision": "shrug"}, path)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page and 'id="decision-error"' in page
    assert stored(engine, ConcernReport, incoming_report.id).status == "open"


def test_the_reporting_council_cannot_decide(client, session, engine, incoming_report):
    sign_in(client, make_user(session, authority_id=incoming_report.reporting_authority_id, role="manager"))
    path = f"/workflows/reports/{incoming_report.id}"
    assert post(client, f"{path}/decide", {"decision": "no_action"}, path).status_code == 403
    assert stored(engine, ConcernReport, incoming_report.id).status == "open"


def test_another_councils_report_is_not_found(client, session, engine, incoming_report):
    sign_in(client, make_user(session, role="manager"))
    path = f"/workflows/reports/{incoming_report.id}"
    assert client.get(path).status_code == 404
    assert post(client, f"{path}/decide", {"decision": "no_action"}, "/workflows").status_code == 404
    assert stored(engine, ConcernReport, incoming_report.id).status == "open"


def test_a_nul_in_a_free_text_field_is_refused_and_nothing_sent(officer_client, engine, found_entry):
    # PostgreSQL can neither store nor compare a NUL: every page refuses it before any view runs.
    form = f"/workflows/requests/new?entry={found_entry.id}"
    data = {"register_entry_id": found_entry.id, "request_text": "Please send\x00 the reasons."}
    response = post(officer_client, "/workflows/requests/new", data, form)
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)
    assert count_of(engine, InformationRequest) == 0


# Starting from the quick check, picking councils by name, and the confirmation banner


def test_the_quick_checks_report_link_fills_in_the_council_and_badge(officer_client, session, elsewhere):
    licence = make_licence(session, authority_id=elsewhere.id, badge_number="PH99")
    check = officer_client.get("/quick-check?badge=PH99").get_data(as_text=True)
    link = f"/workflows/reports/new?authority={elsewhere.code}&amp;badge=PH99"
    assert link in check

    form = officer_client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert f'<option value="{elsewhere.code}" selected>{elsewhere.name}</option>' in form
    assert f'value="{licence.badge_number}"' in form


def test_a_sent_report_is_confirmed_in_a_banner_naming_the_council(officer_client, session, elsewhere):
    licence = make_licence(session, authority_id=elsewhere.id)
    data = report_data(authority_code=elsewhere.code, badge_number=licence.badge_number)
    response = post(officer_client, "/workflows/reports/new", data, "/workflows/reports/new")

    page = officer_client.get(response.location).get_data(as_text=True)
    assert "govuk-notification-banner--success" in page
    assert f"Report sent to {elsewhere.name}." in page
    again = officer_client.get(response.location).get_data(as_text=True)
    assert "govuk-notification-banner" not in again  # shown once


def test_a_sent_request_is_confirmed_with_its_council_and_due_date(officer_client, found_entry, elsewhere):
    form = f"/workflows/requests/new?entry={found_entry.id}"
    data = {"register_entry_id": found_entry.id, "request_text": "Please send the reasons."}
    response = post(officer_client, "/workflows/requests/new", data, form)

    page = officer_client.get(response.location).get_data(as_text=True)
    assert f"Request sent to {elsewhere.name}. They must answer by " in page


def test_an_answer_and_a_decision_are_confirmed(officer_client, session, incoming_request, incoming_report):
    manager = make_user(session, authority_id=incoming_report.issuing_authority_id, role="manager")
    path = f"/workflows/requests/{incoming_request.id}"
    response = post(officer_client, f"{path}/answer", {"response_text": "The conviction."}, path)
    answered = officer_client.get(response.location).get_data(as_text=True)
    assert "Answer sent to Othershire Council." in answered

    sign_in(officer_client, manager)
    path = f"/workflows/reports/{incoming_report.id}"
    response = post(officer_client, f"{path}/decide", {"decision": "no_action"}, path)
    shown = officer_client.get(response.location).get_data(as_text=True)
    assert "Decision recorded and sent to Othershire Council." in shown
