"""Dashboard, bulk screening, quick check, trail, requests/reports and intelligence pages."""

import csv
import io
from datetime import date, timedelta

from sqlmodel import select

from licensing.persistence.models import Alert, AuditEvent
from tests.factories import (
    NOW,
    make_authority,
    make_licence,
    make_police_force,
    make_register_entry,
    make_screening,
)
from tests.licensing.test_csvfiles import ATTACK
from tests.officer.conftest import csrf_token
from tests.withheld import THEIR_DETAILS, withheld_in

PEOPLE = (
    "ref,given_names,family_name,previous_names,date_of_birth,sex,address,postcode,ni_number,"
    "driving_licence_number\nP-1,Imran,Hussain,,1985-03-14,M,,WV1 1AA,AB123456C,HUSSA803145I99AB\n"
)


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


def upload(client, content: str, token: bool = True):
    """Post a people CSV to the bulk screening form."""
    data = {"people": (io.BytesIO(content.encode()), "people.csv")}
    if token:
        data["csrf_token"] = csrf_token(client, "/bulk-screening")
    return client.post("/bulk-screening", data=data, content_type="multipart/form-data")


def test_bulk_screening_writes_the_cli_format_for_download(officer_client, session):
    licence = make_licence(session, authority_id=make_authority(session).id)
    response = upload(officer_client, PEOPLE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-written="1"' in page
    link = page.split('href="/bulk-screening/')[1].split('"')[0]
    rows = list(csv.reader(io.StringIO(officer_client.get(f"/bulk-screening/{link}").get_data(as_text=True))))
    assert rows[0] == ["ref", "candidate_ref", "candidate_kind", "score", "band", "evidence"]
    assert rows[1][:3] == ["P-1", licence.ref, "licence"]
    session.rollback()
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "screening.bulk")).one()


def bulk_results(client, content: str) -> str:
    """Upload a people CSV and return the results file it offers."""
    page = upload(client, content).get_data(as_text=True)
    link = page.split('href="/bulk-screening/')[1].split('"')[0]
    return client.get(f"/bulk-screening/{link}").get_data(as_text=True)


def test_bulk_results_say_how_another_councils_record_agrees_never_what_it_holds(officer_client, session):
    make_licence(session, **THEIR_DETAILS)
    make_register_entry(session, **THEIR_DETAILS)
    results = bulk_results(officer_client, PEOPLE)
    assert withheld_in(results) == []
    rows = results.splitlines()[1:]
    assert len(rows) == 2 and all("postcode: different |" in row for row in rows)


def test_bulk_results_show_the_councils_own_entry_in_full(officer_client, session, authority):
    make_register_entry(session, authority_id=authority.id, **THEIR_DETAILS)
    [row] = bulk_results(officer_client, PEOPLE).splitlines()[1:]
    assert "postcode: different (WV1 1AA vs B69 4RJ)" in row


def test_bulk_screening_reads_uk_dates_and_shows_and_offers_rejects_and_warnings(officer_client, session):
    make_licence(session, authority_id=make_authority(session).id)
    rows = [
        "P-1,Imran,Hussain,,14/03/1985,M,,WV1 1AA,12345,HUSSA803145I99AB",
        "P-2,Sarah,Morgan,,03/14/1985,F,,,,",
    ]
    page = upload(officer_client, PEOPLE.splitlines()[0] + "\n" + "\n".join(rows) + "\n").get_data(
        as_text=True
    )
    assert 'data-written="1"' in page
    rejected = page.split("data-rejects")[1].split("</table>")[0]
    assert "P-2" in rejected and "day first" in rejected
    warned = page.split("data-warnings")[1].split("</table>")[0]
    assert "P-1" in warned and "ni_number" in warned and "12345" in warned and "not valid" in warned
    links = {href.split('"')[0] for href in page.split('href="/bulk-screening/')[1:]}
    files = [downloaded(officer_client, link) for link in links]
    rejects = next(rows for rows in files if rows[0][:2] == ["line", "reason"])
    warnings = next(rows for rows in files if rows[0] == ["line", "ref", "field", "value", "warning"])
    assert rejects[1][2] == "P-2" and warnings[1] == ["2", "P-1", "ni_number", "12345", "not valid"]


def downloaded(client, link: str) -> list[list[str]]:
    """Return the rows of a file the bulk screening offers."""
    return list(csv.reader(io.StringIO(client.get(f"/bulk-screening/{link}").get_data(as_text=True))))


def test_bulk_results_neutralise_another_councils_formula_and_the_page_shows_values_as_given(
    officer_client, session
):
    other = make_authority(session)
    make_register_entry(session, authority_id=other.id, ref=ATTACK)
    rows = [
        "P-1,Imran,Hussain,,1985-03-14,M,,WV1 1AA,=cmd|' /C calc'!A0,HUSSA803145I99AB",
        "@SUM(1+1),Sarah,Morgan,,03/14/1985,F,,,,",
    ]
    page = upload(officer_client, PEOPLE.splitlines()[0] + "\n" + "\n".join(rows) + "\n").get_data(
        as_text=True
    )
    links = {href.split('"')[0] for href in page.split('href="/bulk-screening/')[1:]}
    files = {link.rsplit("/", 1)[-1]: downloaded(officer_client, link) for link in links}
    results = next(rows for rows in files.values() if rows[0][0] == "ref")
    assert [row[1] for row in results[1:]] == ["'" + ATTACK]
    cells = [cell for rows in files.values() for row in rows for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells and "'@SUM(1+1)" in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    assert "=cmd|&#39; /C calc&#39;!A0" in page and "@SUM(1+1)" in page  # the page: as the file gave them


def test_bulk_screening_never_lists_police_intelligence(officer_client, session):
    from tests.licensing.test_screening import make_intelligence

    intelligence = make_intelligence(session, make_police_force(session))
    licence = make_licence(session, authority_id=make_authority(session).id)
    page = upload(officer_client, PEOPLE).get_data(as_text=True)
    assert 'data-written="1"' in page
    link = page.split('href="/bulk-screening/')[1].split('"')[0]
    results = officer_client.get(f"/bulk-screening/{link}").get_data(as_text=True)
    assert licence.ref in results and intelligence.force_reference not in results
    assert "intelligence" not in results


def test_bulk_results_of_another_council_are_not_found(officer_client, client, session):
    assert officer_client.get("/bulk-screening/0123456789abcdef.csv").status_code == 404


def test_bulk_screening_refuses_a_missing_token_and_a_bad_file(officer_client, session):
    assert upload(officer_client, PEOPLE, token=False).status_code == 400
    response = upload(officer_client, "name,dob\nA,B\n")
    assert response.status_code == 400 and "There is a problem" in response.get_data(as_text=True)
    session.rollback()
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "screening.bulk")).all() == []


def test_bulk_screening_rejects_a_value_over_the_csv_field_limit_with_a_true_reason(officer_client, session):
    page = upload(officer_client, PEOPLE.replace("WV1 1AA", "x" * 140_000)).get_data(as_text=True)
    assert "not a UTF-8" not in page and "not UTF-8" not in page
    rejected = page.split("data-rejects")[1].split("</table>")[0]
    assert "longer than 131,072 characters" in rejected


def test_bulk_screening_refuses_a_header_naming_a_column_twice(officer_client, session):
    response = upload(officer_client, PEOPLE.replace("ni_number", "family_name", 1))
    assert response.status_code == 400
    assert "more than once: family_name" in response.get_data(as_text=True)


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
