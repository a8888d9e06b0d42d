"""New application -> screening results side by side -> resolve each candidate -> grant past the gate."""

from datetime import date

from sqlmodel import select

from licensing.persistence.models import AdverseDecision, Application, AuditEvent, Licence, ScreeningCandidate
from tests.factories import make_authority, make_register_entry, make_screened_application
from tests.officer.conftest import csrf_token, date_fields, shows_error
from tests.withheld import MASKED, THEIR_DETAILS, withheld_in

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
    assert "Revocation (sexual offences), decided" in page
    assert "Not yet." in page and "Resolve the match with Othershire Council&#39;s revocation" in page
    assert "Grant licence" not in page


def test_application_form_refuses_a_missing_csrf_token(officer_client, session):
    response = officer_client.post("/applications/new", data=APPLICANT)
    assert response.status_code == 400
    assert session.exec(select(Application)).all() == []


def test_application_form_refuses_a_bad_csrf_token(officer_client, session):
    response = officer_client.post("/applications/new", data=APPLICANT | {"csrf_token": "forged"})
    assert response.status_code == 400
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
    assert session.exec(select(Application)).all() == []


def test_the_application_page_lists_identity_warnings_beside_the_identity(officer_client, session):
    location = apply(officer_client, ni_number="12345", postcode="nowhere").headers["Location"]
    page = officer_client.get(location).get_data(as_text=True)
    warnings = page.split("data-identity-warnings")[1].split("</ul>")[0]
    assert "National Insurance number 12345 is not valid" in warnings
    assert "Postcode nowhere is not valid" in warnings


def test_the_application_page_has_no_warning_list_when_the_identity_is_clean(officer_client, session):
    page = officer_client.get(apply(officer_client).headers["Location"]).get_data(as_text=True)
    assert "data-identity-warnings" not in page


def test_a_month_name_is_read_and_a_two_digit_year_is_refused_with_a_reason(officer_client, session):
    named = apply(officer_client, **{"date_of_birth-month": "Mar"})
    assert named.status_code == 302
    session.rollback()
    assert session.exec(select(Application.date_of_birth)).one() == date(1985, 3, 14)
    page = apply(officer_client, ref="APP-2", **{"date_of_birth-year": "85"}).get_data(as_text=True)
    assert shows_error(page, "date_of_birth", "write the year in full")


def test_a_date_of_birth_out_of_range_is_shown_on_the_field(officer_client, session):
    page = apply(officer_client, **{"date_of_birth-year": "1899"}).get_data(as_text=True)
    assert shows_error(page, "date_of_birth", "The date of birth must be between 1 January 1900")
    page = apply(officer_client, **{"date_of_birth-year": "2020"}).get_data(as_text=True)
    assert shows_error(page, "date_of_birth", "Must be between 1 January 1900 and")  # the service's rule


def test_duplicate_reference_is_shown_on_the_form(officer_client, session):
    assert apply(officer_client).status_code == 302
    response = apply(officer_client)
    assert response.status_code == 400
    assert "already has an application with ref" in response.get_data(as_text=True)
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
    session.refresh(candidate)
    assert candidate.resolution is None


def test_grant_is_refused_while_the_gate_is_closed(officer_client, session):
    elsewhere_entry(session)
    location = apply(officer_client).headers["Location"]
    data = grant_data(officer_client, location, date(2029, 11, 22))
    response = officer_client.post(f"{location}/grant", data=data)
    assert response.status_code == 400
    assert "an officer must say whether it is the same person" in response.get_data(as_text=True)
    assert session.exec(select(Licence)).all() == []


def test_grant_with_no_candidates_makes_the_licence(officer_client, session):
    location = apply(officer_client).headers["Location"]
    data = grant_data(officer_client, location, date(2029, 11, 22))
    response = officer_client.post(f"{location}/grant", data=data)
    assert response.status_code == 302 and response.headers["Location"].startswith("/licences/")
    assert session.exec(select(Licence)).one().badge_number == "PH123"


def test_grant_beyond_three_years_shows_the_inline_error_and_saves_nothing(officer_client, session):
    location = apply(officer_client).headers["Location"]
    data = grant_data(officer_client, location, date(2030, 11, 23))
    response = officer_client.post(f"{location}/grant", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#expires_on"' in page and "at most 3 years" in page
    assert session.exec(select(Licence)).all() == []


def test_grant_refuses_a_missing_csrf_token(officer_client, session):
    location = apply(officer_client).headers["Location"]
    data = grant_data(officer_client, location, date(2029, 1, 1))
    response = officer_client.post(f"{location}/grant", data=data | {"csrf_token": ""})
    assert response.status_code == 400
    assert session.exec(select(Licence)).all() == []


def test_another_councils_application_is_not_found(officer_client, session):
    application = make_screened_application(session, authority_id=make_authority(session).id)
    assert officer_client.get(f"/applications/{application.id}").status_code == 404
    assert officer_client.get(f"/trail/application/{application.id}").status_code == 404


def test_viewing_a_screening_audits_the_view_of_another_councils_entry(officer_client, session):
    entry = elsewhere_entry(session)
    officer_client.get(apply(officer_client).headers["Location"])
    viewed = session.exec(select(AuditEvent).where(AuditEvent.action == "register_entry.viewed")).all()
    assert [event.record_id for event in viewed] == [entry.id]


def test_another_councils_record_is_compared_by_agreement_never_by_its_values(officer_client, session):
    entry = elsewhere_entry(session, **THEIR_DETAILS)
    page = officer_client.get(apply(officer_client).headers["Location"]).get_data(as_text=True)
    assert withheld_in(page) == []
    assert "Imran" in page and "Revocation (sexual offences), decided" in page  # who, and what was decided
    assert MASKED["ni_number"] in page and MASKED["driving_licence_number"] in page
    assert 'data-agreement="postcode">Different' in page and 'data-agreement="ni_number">Same' in page
    assert "postcode: different" in page  # the evidence says how it agrees, not what it holds
    assert f"/workflows/requests/new?entry={entry.id}" in page and "full record" in page
    form = officer_client.get(f"/workflows/requests/new?entry={entry.id}").get_data(as_text=True)
    assert "such as the address or the full NI or driving licence number" in form


def test_the_councils_own_entry_is_compared_value_by_value(officer_client, session, authority):
    make_register_entry(session, authority_id=authority.id, **THEIR_DETAILS)
    page = officer_client.get(apply(officer_client).headers["Location"]).get_data(as_text=True)
    assert set(withheld_in(page)) >= {"Quarrybank", "B69 4RJ", "AB123456D", "HUSSA803145I99CD"}
    assert MASKED["ni_number"] not in page


# Issue 18: adverse records found for an applicant, and the manager's decision that weighs one.


def resolve_as(client, location: str, candidate, resolution: str, reason: str):
    """Post an officer's ruling on one candidate from the application page."""
    prefix = f"candidate-{candidate.id}"
    path = f"{location}/screenings/{candidate.screening_id}/candidates/{candidate.id}"
    data = {f"{prefix}-reason": reason, f"{prefix}-resolution": resolution}
    return client.post(path, data=data | {"csrf_token": csrf_token(client, location)})


def decide_on(client, location: str, candidate, reason: str):
    """Post a manager's decision on one adverse candidate from the application page."""
    prefix = f"decision-{candidate.id}"
    data = {f"{prefix}-reason": reason, "csrf_token": csrf_token(client, location)}
    return client.post(f"{location}/adverse-decisions/{candidate.id}", data=data)


def test_same_person_on_a_revocation_asks_for_a_managers_decision_and_never_says_yes(
    officer_client, session, officer
):
    elsewhere_entry(session)
    location = apply(officer_client).headers["Location"]
    candidate = only_candidate(session)
    assert resolve_as(officer_client, location, candidate, "same_person", "Same NI number").status_code == 302
    page = officer_client.get(location).get_data(as_text=True)
    assert "A manager must record a decision on Othershire Council&#39;s revocation" in page
    assert f"decided by user:{officer.email}" in page
    assert 'data-gate="allowed"' not in page and "Yes." not in page and "Grant licence" not in page
    assert f'action="{location}/adverse-decisions/{candidate.id}"' not in page  # not a manager
    response = decide_on(officer_client, location, candidate, "Weighed the s.3 answer")
    assert response.status_code == 403
    assert session.exec(select(AdverseDecision)).all() == []


def test_managers_decision_clears_the_revocation_and_the_page_says_which_decision_did(
    manager_client, session, manager
):
    elsewhere_entry(session)
    location = apply(manager_client).headers["Location"]
    candidate = only_candidate(session)
    resolve_as(manager_client, location, candidate, "same_person", "Same NI number")
    response = decide_on(manager_client, location, candidate, "Revocation was for a lapsed DBS, now clear")
    assert response.status_code == 302
    page = manager_client.get(location).get_data(as_text=True)
    assert 'data-gate="allowed"' in page and "Yes." not in page
    assert "Othershire Council&#39;s revocation" in page and f"weighed by user:{manager.email}" in page
    assert "Revocation was for a lapsed DBS, now clear" in page and "No s.3 request was made" in page
    assert "Grant licence" in page and "govuk-button--success" not in page
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "adverse_decision.recorded")).one()
    assert (event.record_kind, event.record_id) == ("application", int(location.rsplit("/", 1)[1]))


def test_decision_needs_a_reason_and_records_nothing_without_one(manager_client, session):
    elsewhere_entry(session)
    location = apply(manager_client).headers["Location"]
    candidate = only_candidate(session)
    resolve_as(manager_client, location, candidate, "same_person", "Same NI number")
    response = decide_on(manager_client, location, candidate, "")
    assert response.status_code == 400 and "There is a problem" in response.get_data(as_text=True)
    assert session.exec(select(AdverseDecision)).all() == []


def test_possible_match_with_a_revocation_elsewhere_must_be_resolved(officer_client, session):
    person = {"ni_number": None, "driving_licence_number": None, "postcode": "BD1 1AA"}
    person |= {"date_of_birth": date(1988, 6, 2), "given_names": "Adil", "family_name": "Chaudhary"}
    elsewhere_entry(session, address="9 High Street, Bradford", **person)
    # Day and month of birth swapped, no address given: a possible match only.
    changes = {"given_names": "Adeel", "family_name": "Chaudhry", "address": ""}
    changes |= {"postcode": "", "ni_number": "", "driving_licence_number": ""}
    changes |= date_fields("date_of_birth", date(1988, 2, 6))
    location = apply(officer_client, **changes).headers["Location"]
    assert only_candidate(session).band == "possible"
    page = officer_client.get(location).get_data(as_text=True)
    assert "Resolve the possible match with Othershire Council&#39;s revocation" in page
    assert "Grant licence" not in page


def test_the_councils_own_refusal_is_shown_as_recorded_by_this_council(officer_client, session, authority):
    make_register_entry(
        session, authority_id=authority.id, decision="refusal_of_grant", decided_on=date(2020, 5, 4),
        effective_on=date(2020, 5, 4),
    )  # fmt: skip
    location = apply(officer_client).headers["Location"]
    page = officer_client.get(location).get_data(as_text=True)
    assert "recorded by this council" in page
    assert "this council&#39;s own refusal of grant" in page
    assert "Ask Testshire District Council for the information" not in page


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
