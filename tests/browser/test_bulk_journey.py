"""An officer screens 5,000 people in bulk and watches the job to its download, with a real scheduler.

The upload is checked whole first (a file with a row that cannot be read is refused, nothing queued); the
job's page updates in place from its JSON status with JavaScript, and reloads itself without; every page
is checked with axe-core and photographed on a desktop and at 320 px.
"""

import csv
import io
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from app.migrate import VERSION_TABLE, stamp
from licensing.identity.fields import IDENTITY_FIELDS
from licensing.persistence.db import make_engine
from licensing.synthetic.generator import PEOPLE_COLUMNS, people, write_rows
from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import screenshot
from tests.factories import OFFICER_PASSWORD, make_authority, make_licence, make_user

ROOT = Path(__file__).resolve().parents[2]
PEOPLE_IN_FILE = 5_000
PHONE = 320
JOB_TIMEOUT_MS = 180_000  # the whole file screened by the scheduler, on a busy machine


@pytest.fixture(scope="module")
def council(live_server, tmp_path_factory):
    """Record a council with an officer, and another council licensing a few people of the file."""
    crowd = people(PEOPLE_IN_FILE, seed=11)
    with live_server.session() as session:
        ours = make_authority(session, name="Testshire District Council")
        theirs = make_authority(session, name="Othershire Council")
        for person in crowd[:: PEOPLE_IN_FILE // 10]:
            make_licence(session, authority_id=theirs.id, **{k: person[k] for k in IDENTITY_FIELDS})
        officer = make_user(session, authority_id=ours.id, name="Olive Officer", role="officer")
    folder = tmp_path_factory.mktemp("bulk")
    good = folder / "people.csv"
    with good.open("w", encoding="utf-8", newline="") as handle:
        write_rows(handle, crowd, PEOPLE_COLUMNS)
    lines = good.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace(lines[4].split(",")[4], "31/02/1980")  # line 5: no 31 February
    bad = folder / "unreadable.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"officer": officer.email, "good": good, "bad": bad}


@pytest.fixture(scope="module")
def scheduler_process(live_server, tmp_path_factory):
    """Return a function starting `python -m scheduler` on the live database (stopped after the module)."""
    url = live_server.engine.url.render_as_string(hide_password=False)
    stamp(url)  # the scheduler refuses a database not at head
    log = tmp_path_factory.mktemp("scheduler") / "scheduler.log"
    started = []

    def start() -> subprocess.Popen:
        env = os.environ | {
            "CROSSCHECK_ENV": "testing",
            "DATABASE_URL": url,
            "LOG_LEVEL": "INFO",
            "SCHEDULER_POLL_SECONDS": "0.5",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "scheduler"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        started.append(process)
        return process

    yield start
    for process in started:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0, log.read_text()
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {VERSION_TABLE}"))
    engine.dispose()


def sign_in(page, live_server, email: str) -> None:
    """Sign the officer in through the form."""
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(OFFICER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_file_with_a_row_that_cannot_be_read_is_refused_before_any_screening(
    live_server, council, new_page
):
    page = new_page()
    sign_in(page, live_server, council["officer"])
    page.get_by_role("link", name="Bulk screening").first.click()
    assert_no_axe_violations(page)
    page.get_by_label("People CSV file").set_input_files(str(council["bad"]))
    page.get_by_role("button", name="Screen everyone").click()
    expect(page.get_by_role("alert").get_by_text("There is a problem")).to_be_visible()
    problems = page.locator("[data-problems]")
    expect(problems).to_contain_text("P000004")
    expect(problems.locator("tbody tr")).to_have_count(1)
    expect(problems.locator("tbody td").first).to_have_text("5")
    assert_no_axe_violations(page)
    screenshot(page, "bulk-refused-desktop")


def test_officer_uploads_5000_people_and_watches_the_job_to_its_download(
    live_server, council, new_page, scheduler_process
):
    page = new_page()
    sign_in(page, live_server, council["officer"])
    page.goto(f"{live_server.url}/bulk-screening")
    page.get_by_label("People CSV file").set_input_files(str(council["good"]))
    page.get_by_role("button", name="Screen everyone").click()
    # No scheduler runs yet: the job waits, and says so.
    expect(page.get_by_role("heading", level=1)).to_have_text("Bulk screening in progress")
    progress = page.locator("[data-progress-text]")
    expect(progress).to_have_text("Waiting to start")
    assert_no_axe_violations(page)
    screenshot(page, "bulk-waiting-desktop")
    job_url = page.url

    phone = new_page(width=PHONE, height=640)
    sign_in(phone, live_server, council["officer"])
    phone.goto(job_url)
    expect(phone.locator("[data-progress-text]")).to_have_text("Waiting to start")
    assert_no_axe_violations(phone)
    screenshot(phone, "bulk-waiting-320px")

    without_script = new_page(javascript=False)
    sign_in(without_script, live_server, council["officer"])
    without_script.goto(job_url)
    assert without_script.locator('noscript meta[http-equiv="refresh"]').count() == 1

    scheduler_process()
    # With JavaScript the words and the bar move in place, the page never reloading until the end.
    expect(progress).to_have_text(
        re.compile(r"^[1-9][\d,]* of 5,000 people screened$"), timeout=JOB_TIMEOUT_MS
    )
    value = int(page.locator("[data-progress]").get_attribute("value") or 0)
    assert 0 < value < PEOPLE_IN_FILE and page.url == job_url
    assert_no_axe_violations(page)
    screenshot(page, "bulk-progress-desktop")

    expect(page.locator(".govuk-panel__title")).to_have_text("Screening complete", timeout=JOB_TIMEOUT_MS)
    expect(page.locator("[data-written]")).to_contain_text("across 5,000 people")
    assert_no_axe_violations(page)
    screenshot(page, "bulk-done-desktop")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the results (CSV)").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0][6:] == ["candidate_council", "band_label"]
    matched = [row for row in rows[1:] if row[6] == "Othershire Council"]
    assert len({row[0] for row in matched}) >= 10
    assert {row[7] for row in matched} <= {"Match", "Probable match", "Possible match", "Weak match"}
    assert "Match" in {row[7] for row in matched}

    # Without JavaScript the page reloaded itself to the same end.
    expect(without_script.locator(".govuk-panel__title")).to_have_text("Screening complete", timeout=30_000)

    phone.reload()
    expect(phone.locator(".govuk-panel__title")).to_have_text("Screening complete")
    assert_no_axe_violations(phone)
    screenshot(phone, "bulk-done-320px")
