"""New application -> screening results side by side -> resolve each candidate -> grant past the gate."""

from datetime import date

from sqlmodel import select

from licensing.models import Application, AuditEvent, Licence, ScreeningCandidate
from tests.factories import make_authority, make_register_entry, make_screened_application
from tests.officer.conftest import csrf_token, date_fields

APPLICANT = {
    "ref": "APP-100",
    "kind": "new",
    "licence_type": "phv",
    "given_names": "Imran",
    "family_name": "Hussain",
    "address": "12 Example Street, Testtown",
    "postcode": "WV1 1AA",
    "ni_number": "AB123456C",
    "driving_licence_number": "HUSSA803145I99AB",
    **date_fields("received_on", date(2026, 11, 20)),
    **date_fields("date_of_birth", date(1985, 3, 14)),
}


def apply(client, **changes):
    """Post the new application form with a valid token."""
    data = APPLICANT | {"csrf_token": csrf_token(client, "/applications/new")} | changes
    return client.post("/applications/new", data=data)


def grant_data(client, location: str, expires_on: date) -> dict:
    """Return a grant form's fields (granted 23 November 2026) with a valid token."""
    data = {"badge_number": "PH123", "csrf_token": csrf_token(client, location)}
    return data | date_fields("granted_on", date(2026, 11, 23)) | date_fields("expires_on", expires_on)


def elsewhere_entry(session, **overrides):
    """Record another council's revocation of the default identity."""
    other = make_authority(session, name="Othershire Council")
    return make_register_entry(session, authority_id=other.id, **overrides)


def only_candidate(session) -> ScreeningCandidate:
    """Return the one candidate screenings found."""
    return session.exec(select(ScreeningCandidate)).one()


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/applications/new")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_new_application_is_screened_and_shows_candidate_side_by_side(officer_client, session):
    elsewhere_entry(session, given_names="Imraan")
    response = apply(officer_client)
    assert response.status_code == 302
    page = officer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Screening results" in page and "Othershire Council" in page
    assert "Imraan" in page and "Imran" in page  # applicant and candidate, field by field
    assert "Revocation, decided" in page
    assert "Not yet." in page and "must be resolved by an officer first" in page
    assert "Grant licence" not in page


def test_application_form_refuses_a_missing_csrf_token(officer_client, session):
    response = officer_client.post("/applications/new", data=APPLICANT)
    assert response.status_code == 400
    session.rollback()  # end the snapshot: see what the app committed
    assert session.exec(select(Application)).all() == []


def test_application_form_refuses_a_bad_csrf_token(officer_client, session):
    response = officer_client.post("/applications/new", data=APPLICANT | {"csrf_token": "forged"})
    assert response.status_code == 400
    session.rollback()  # end the snapshot: see what the app committed
    assert session.exec(select(Application)).all() == []


def test_bad_application_shows_error_summary_and_inline_errors_and_saves_nothing(officer_client, session):
    response = apply(officer_client, family_name="", **{"date_of_birth-month": "13"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in page and "There is a problem" in page
    assert 'href="#family_name"' in page and "Enter the family name" in page
    assert 'href="#date_of_birth"' in page and "The date of birth must be a real date" in page
    assert 'id="family_name-error"' in page
    assert page.count("<title>Error: ") == 1
    session.rollback()  # end the snapshot: see what the app committed
    assert session.exec(select(Application)).all() == []


def test_duplicate_reference_is_shown_on_the_form(officer_client, session):
    assert apply(officer_client).status_code == 302
    response = apply(officer_client)
    assert response.status_code == 400
    assert "already has an application with ref" in response.get_data(as_text=True)
    session.rollback()  # end the snapshot: see what the app committed
    assert len(session.exec(select(Application)).all()) == 1


def test_ruling_out_a_look_alike_records_decision_and_reason_then_allows_grant(officer_client, session):
    elsewhere_entry(session, given_names="Imraan", ni_number="JM987654A")
    location = apply(officer_client).headers["Location"]
    candidate = only_candidate(session)
    prefix = f"candidate-{candidate.id}"
    path = f"{location}/screenings/{candidate.screening_id}/candidates/{candidate.id}"
    data = {f"{prefix}-reason": "Different NI number and photo", f"{prefix}-resolution": "not_same_person"}
    response = officer_client.post(path, data=data | {"csrf_token": csrf_token(officer_client, location)})
    assert response.status_code == 302
    session.rollback()  # end the snapshot: see what the app committed
    session.refresh(candidate)
    assert candidate.resolution == "not_same_person"
    assert candidate.resolution_reason == "Different NI number and photo"
    page = officer_client.get(location).get_data(as_text=True)
    assert "Not the same person" in page and 'data-gate="allowed"' in page and "Grant licence" in page


def test_resolution_needs_a_reason_and_records_nothing_without_one(officer_client, session):
    elsewhere_entry(session)
    location = apply(officer_client).headers["Location"]
    candidate = only_candidate(session)
    prefix = f"candidate-{candidate.id}"
    path = f"{location}/screenings/{candidate.screening_id}/candidates/{candidate.id}"
    token = csrf_token(officer_client, location)
    response = officer_client.post(path, data={f"{prefix}-resolution": "same_person", "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and f'href="#{prefix}-reason"' in page
    session.rollback()  # end the snapshot: see what the app committed
    session.refresh(candidate)
    assert candidate.resolution is None


def test_resolution_refuses_a_missing_csrf_token(officer_client, session):
    elsewhere_entry(session)
    location = apply(officer_client).headers["Location"]
    candidate = only_candidate(session)
    prefix = f"candidate-{candidate.id}"
    path = f"{location}/screenings/{candidate.screening_id}/candidates/{candidate.id}"
    data = {f"{prefix}-reason": "Same NI number", f"{prefix}-resolution": "same_person"}
    assert officer_client.post(path, data=data).status_code == 400
    session.rollback()  # end the snapshot: see what the app committed
    session.refresh(candidate)
    assert candidate.resolution is None


def test_grant_is_refused_while_the_gate_is_closed(officer_client, session):
    elsewhere_entry(session)
    location = apply(officer_client).headers["Location"]
    data = grant_data(officer_client, location, date(2029, 11, 22))
    response = officer_client.post(f"{location}/grant", data=data)
    assert response.status_code == 400
    assert "must be resolved by an officer first" in response.get_data(as_text=True)
    session.rollback()  # end the snapshot: see what the app committed
    assert session.exec(select(Licence)).all() == []


def test_grant_with_no_candidates_makes_the_licence(officer_client, session):
    location = apply(officer_client).headers["Location"]
    data = grant_data(officer_client, location, date(2029, 11, 22))
    response = officer_client.post(f"{location}/grant", data=data)
    assert response.status_code == 302 and response.headers["Location"].startswith("/licences/")
    session.rollback()  # end the snapshot: see what the app committed
    assert session.exec(select(Licence)).one().badge_number == "PH123"


def test_grant_beyond_three_years_shows_the_inline_error_and_saves_nothing(officer_client, session):
    location = apply(officer_client).headers["Location"]
    data = grant_data(officer_client, location, date(2030, 11, 23))
    response = officer_client.post(f"{location}/grant", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#expires_on"' in page and "at most 3 years" in page
    session.rollback()  # end the snapshot: see what the app committed
    assert session.exec(select(Licence)).all() == []


def test_grant_refuses_a_missing_csrf_token(officer_client, session):
    location = apply(officer_client).headers["Location"]
    data = grant_data(officer_client, location, date(2029, 1, 1))
    response = officer_client.post(f"{location}/grant", data=data | {"csrf_token": ""})
    assert response.status_code == 400
    session.rollback()  # end the snapshot: see what the app committed
    assert session.exec(select(Licence)).all() == []


def test_another_councils_application_is_not_found(officer_client, session):
    application = make_screened_application(session, authority_id=make_authority(session).id)
    assert officer_client.get(f"/applications/{application.id}").status_code == 404
    assert officer_client.get(f"/trail/application/{application.id}").status_code == 404


def test_viewing_a_screening_audits_the_view_of_another_councils_entry(officer_client, session):
    entry = elsewhere_entry(session)
    officer_client.get(apply(officer_client).headers["Location"])
    session.rollback()  # end the snapshot: see what the app committed
    viewed = session.exec(select(AuditEvent).where(AuditEvent.action == "register_entry.viewed")).all()
    assert [event.record_id for event in viewed] == [entry.id]


def test_grant_takes_the_drivers_dbs_details(officer_client, session):
    location = apply(officer_client).headers["Location"]
    data = grant_data(officer_client, location, date(2029, 11, 22))
    data |= {"dbs_certificate_number": "001234567890", "dbs_update_service": "yes"}
    data |= date_fields("dbs_consent_on", date(2026, 11, 20))
    assert officer_client.post(f"{location}/grant", data=data).status_code == 302
    session.rollback()
    licence = session.exec(select(Licence)).one()
    assert (licence.dbs_certificate_number, licence.dbs_update_service, licence.dbs_consent_on) == (
        "001234567890",
        True,
        date(2026, 11, 20),
    )


def test_grant_with_a_subscription_but_no_consent_is_explained_and_grants_nothing(officer_client, session):
    location = apply(officer_client).headers["Location"]
    data = grant_data(officer_client, location, date(2029, 11, 22))
    data |= {"dbs_certificate_number": "001234567890", "dbs_update_service": "yes"}
    response = officer_client.post(f"{location}/grant", data=data)
    assert response.status_code == 400 and 'href="#dbs_consent_on"' in response.get_data(as_text=True)
    session.rollback()
    assert session.exec(select(Licence)).all() == []
