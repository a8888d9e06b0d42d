"""Bulk screening pages: the upload checked whole, the job's progress page and JSON, the downloads."""

import csv
import io

from sqlmodel import select

from licensing.clock import utcnow
from licensing.persistence.models import AuditEvent, BulkScreeningJob
from licensing.screening.bulk import run_next_job
from tests.factories import make_authority, make_licence, make_police_force, make_register_entry
from tests.licensing.test_csvfiles import ATTACK
from tests.officer.conftest import csrf_token
from tests.withheld import THEIR_DETAILS, withheld_in

HEADER = (
    "ref,given_names,family_name,previous_names,date_of_birth,sex,address,postcode,ni_number,"
    "driving_licence_number\n"
)
PEOPLE = HEADER + "P-1,Imran,Hussain,,1985-03-14,M,,WV1 1AA,AB123456C,HUSSA803145I99AB\n"


def upload(client, content: str, token: bool = True):
    """Post a people CSV to the bulk screening form."""
    data = {"people": (io.BytesIO(content.encode()), "people.csv")}
    if token:
        data["csrf_token"] = csrf_token(client, "/bulk-screening")
    return client.post("/bulk-screening", data=data, content_type="multipart/form-data")


def screened(client, engine, content: str) -> str:
    """Upload a people CSV, work its job as a scheduler would, and return the address of its page."""
    response = upload(client, content)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert run_next_job(engine, clock=utcnow)[1] == "done"
    return response.headers["Location"]


def downloaded(client, page: str, part: str = "results") -> list[list[str]]:
    """Return the rows of a finished job's results or warnings file."""
    response = client.get(f"{page}/{part}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_an_upload_is_queued_shown_in_progress_then_offers_its_results(officer_client, session, engine):
    other = make_authority(session, name="Otherton Borough Council")
    licence = make_licence(session, authority_id=other.id)
    response = upload(officer_client, PEOPLE)
    assert response.status_code == 303
    page = response.headers["Location"]
    waiting = officer_client.get(page).get_data(as_text=True)
    assert "Waiting to start" in waiting and '<meta http-equiv="refresh" content="3">' in waiting
    assert "bulk-progress.js" in waiting and "data-download" not in waiting
    assert officer_client.get(f"{page}/status.json").get_json() == {
        "status": "queued", "rows_done": 0, "total_rows": 1, "percent": 0, "text": "Waiting to start",
    }  # fmt: skip
    assert officer_client.get(f"{page}/results.csv").status_code == 404  # not before it is done
    assert run_next_job(engine, clock=utcnow)[1] == "done"
    done = officer_client.get(page).get_data(as_text=True)
    assert 'data-written="1"' in done and "refresh" not in done and "bulk-progress.js" not in done
    assert officer_client.get(f"{page}/status.json").get_json()["percent"] == 100
    rows = downloaded(officer_client, page)
    assert rows[0] == [
        "ref", "candidate_ref", "candidate_kind", "score", "band", "evidence",
        "candidate_council", "band_label",
    ]  # fmt: skip
    assert rows[1][:3] == ["P-1", licence.ref, "licence"]
    assert rows[1][6] == "Otherton Borough Council"
    assert rows[1][7] == {"match": "Match", "probable": "Probable match"}[rows[1][4]]
    session.rollback()
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.action.like("screening.bulk%"))).all()
    assert sorted(actions) == ["screening.bulk", "screening.bulk_queued"]


def test_a_file_with_rows_that_cannot_be_read_is_refused_whole_with_each_row_named(officer_client, session):
    rows = [
        "P-1,Imran,Hussain,,14/03/1985,M,,WV1 1AA,AB123456C,",
        "P-2,Sarah,Morgan,,03/14/1985,F,,,,",
        "P-3,Ali,Khan,,1990-13-45,M,,,,",
    ]
    response = upload(officer_client, HEADER + "\n".join(rows) + "\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page
    assert "2 row(s) of the file cannot be read" in page
    table = page.split("data-problems")[1].split("</table>")[0]
    assert "P-1" not in table
    assert '<td class="govuk-table__cell">3</td>' in table and "P-2" in table and "day first" in table
    assert '<td class="govuk-table__cell">4</td>' in table and "P-3" in table
    session.rollback()
    assert session.exec(select(BulkScreeningJob)).all() == []


def test_a_bad_header_an_empty_file_and_a_missing_token_are_refused_and_queue_nothing(
    officer_client, session
):
    assert upload(officer_client, PEOPLE, token=False).status_code == 400
    response = upload(officer_client, "name,dob\nA,B\n")
    assert response.status_code == 400 and "There is a problem" in response.get_data(as_text=True)
    response = upload(officer_client, PEOPLE.replace("ni_number", "family_name", 1))
    assert response.status_code == 400 and "more than once: family_name" in response.get_data(as_text=True)
    response = upload(officer_client, HEADER)
    assert response.status_code == 400 and "nobody in it" in response.get_data(as_text=True)
    session.rollback()
    assert session.exec(select(BulkScreeningJob)).all() == []


def test_a_value_over_the_csv_field_limit_is_refused_with_a_true_reason(officer_client, session):
    page = upload(officer_client, PEOPLE.replace("WV1 1AA", "x" * 140_000)).get_data(as_text=True)
    assert "not UTF-8" not in page
    assert "longer than 131,072 characters" in page.split("data-problems")[1].split("</table>")[0]


def test_results_say_how_another_councils_record_agrees_never_what_it_holds(officer_client, session, engine):
    make_licence(session, **THEIR_DETAILS)
    make_register_entry(session, **THEIR_DETAILS)
    page = screened(officer_client, engine, PEOPLE)
    results = officer_client.get(f"{page}/results.csv").get_data(as_text=True)
    assert withheld_in(results) == []
    rows = results.splitlines()[1:]
    assert len(rows) == 2 and all("postcode: different |" in row for row in rows)


def test_results_show_the_councils_own_entry_in_full(officer_client, session, engine, authority):
    make_register_entry(session, authority_id=authority.id, **THEIR_DETAILS)
    [row] = downloaded(officer_client, screened(officer_client, engine, PEOPLE))[1:]
    assert "postcode: different (WV1 1AA vs B69 4RJ)" in row[5]
    assert row[6] == "Testshire District Council"


def test_warnings_are_offered_and_values_are_neutralised_in_the_files(officer_client, session, engine):
    other = make_authority(session)
    make_register_entry(session, authority_id=other.id, ref=ATTACK)
    rows = [
        "P-1,Imran,Hussain,,1985-03-14,M,,WV1 1AA,=cmd|' /C calc'!A0,HUSSA803145I99AB",
        "@SUM(1+1),Sarah,Morgan,,1985-03-14,F,,,,",
    ]
    page = screened(officer_client, engine, HEADER + "\n".join(rows) + "\n")
    results, warnings = downloaded(officer_client, page), downloaded(officer_client, page, "warnings")
    assert [row[1] for row in results[1:]] == ["'" + ATTACK]
    assert warnings[0] == ["line", "ref", "field", "value", "warning"]
    assert warnings[1][:4] == ["2", "P-1", "ni_number", "'=cmd|' /C calc'!A0"]
    cells = [cell for rows in (results, warnings) for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]


def test_bulk_screening_never_lists_police_intelligence(officer_client, session, engine):
    from tests.licensing.test_screening import make_intelligence

    intelligence = make_intelligence(session, make_police_force(session))
    licence = make_licence(session, authority_id=make_authority(session).id)
    page = screened(officer_client, engine, PEOPLE)
    results = officer_client.get(f"{page}/results.csv").get_data(as_text=True)
    assert licence.ref in results and intelligence.force_reference not in results
    assert "intelligence" not in results


def test_another_councils_job_and_its_files_are_not_found(officer_client, client, session, engine):
    page = screened(officer_client, engine, PEOPLE)
    job = session.exec(select(BulkScreeningJob)).one()
    job.authority_id = make_authority(session).id
    session.add(job)
    session.commit()
    for path in (page, f"{page}/status.json", f"{page}/results.csv", f"{page}/warnings.csv"):
        assert officer_client.get(path).status_code == 404, path
    assert officer_client.get("/bulk-screening/jobs/999").status_code == 404


def test_a_failed_job_says_why_on_its_page(officer_client, session):
    page = upload(officer_client, PEOPLE).headers["Location"]
    job = session.exec(select(BulkScreeningJob)).one()
    job.status, job.error = (
        "failed",
        "The screening stopped 3 times before it finished, so it has been abandoned.",
    )
    session.add(job)
    session.commit()
    shown = officer_client.get(page).get_data(as_text=True)
    assert "Bulk screening failed" in shown and "stopped 3 times" in shown and "refresh" not in shown
    assert officer_client.get(f"{page}/results.csv").status_code == 404


def test_the_upload_page_lists_this_councils_recent_jobs_only(officer_client, session, engine):
    page = screened(officer_client, engine, PEOPLE)
    upload(officer_client, PEOPLE)
    listed = officer_client.get("/bulk-screening").get_data(as_text=True).split("data-jobs")[1]
    assert listed.count(f'href="{page}"') == 1 and "Finished: 0 records found" in listed
    assert "Waiting to start" in listed
    other = make_authority(session)
    session.exec(select(BulkScreeningJob)).all()[0].authority_id = other.id
    session.commit()
    assert f'href="{page}"' not in officer_client.get("/bulk-screening").get_data(as_text=True)
