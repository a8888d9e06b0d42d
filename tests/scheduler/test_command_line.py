"""`python -m scheduler` on the command line: its help, a bad argument, its log format, and the databases
it refuses to start on, each with one line on stderr rather than a traceback every second."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from app.migrate import alembic_config, head_revision, stamp
from app.periodic_jobs import PERIODIC_JOBS
from licensing.persistence.db import make_engine
from scheduler.__main__ import main
from scheduler.settings import ENVIRONMENT
from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]
REFUSAL = "crosscheck scheduler: not starting: "
# A text log line: time, level, logger, message (app/logs.py).
TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z (INFO|WARNING|ERROR) +[\w.]+: .+")


def scheduler(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    """Run `python -m scheduler ARGS` to its end (failing after `timeout` seconds) and return the result."""
    return subprocess.run(
        [sys.executable, "-m", "scheduler", *args],
        cwd=ROOT,
        env=os.environ | {"CROSSCHECK_ENV": "testing"} | env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def built_from_models(path: Path) -> str:
    """Create a SQLite database at `path` from the models, with no revision recorded; return its URL."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    return url


def refusal(capsys, monkeypatch, url: str, **env: str) -> str:
    """Run the scheduler's main in this process on `url`; check it refused in one line and return it."""
    monkeypatch.setenv("CROSSCHECK_ENV", "testing")
    monkeypatch.setenv("DATABASE_URL", url)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()  # what the test logged before (Alembic's stamp, once an app set up logging)
    assert main([]) == 1
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert captured.out == "" and line.startswith(REFUSAL)
    return line.removeprefix(REFUSAL)


def test_an_empty_database_is_refused_with_one_line_and_exit_1(tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    result = scheduler(DATABASE_URL=f"sqlite:///{empty}")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{REFUSAL}the database has no tables: run `flask db upgrade` first"
    ]
    assert result.stdout == ""


def test_a_database_one_revision_behind_head_is_refused(tmp_path, capsys, monkeypatch):
    url = built_from_models(tmp_path / "behind.db")
    head = head_revision()
    previous = ScriptDirectory.from_config(alembic_config()).get_revision(head).down_revision
    stamp(url, previous)
    assert refusal(capsys, monkeypatch, url) == (
        f"the database is at revision {previous}, not at head {head}: run `flask db upgrade` first"
    )


def test_a_database_migrated_by_newer_code_is_refused(tmp_path, capsys, monkeypatch):
    url = built_from_models(tmp_path / "newer.db")
    stamp(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'fedcba987654'"))
    engine.dispose()
    assert "at revision fedcba987654, which this code does not know" in refusal(capsys, monkeypatch, url)


def test_tables_without_a_revision_are_refused(tmp_path, capsys, monkeypatch):
    url = built_from_models(tmp_path / "unstamped.db")
    assert refusal(capsys, monkeypatch, url).startswith("the database has no migration revision")


def test_an_unreachable_database_is_refused_without_its_address(capsys, monkeypatch):
    url = "sqlite:////nonexistent-directory-for-the-scheduler/crosscheck.db"
    said = refusal(capsys, monkeypatch, url)
    assert said == "cannot reach the database (OperationalError)"


def test_an_unsafe_production_configuration_is_refused_in_one_line(capsys, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)
    said = refusal(capsys, monkeypatch, "postgresql+psycopg://db/crosscheck", CROSSCHECK_ENV="production")
    assert said.startswith("Production needs SECRET_KEY")


def test_help_says_what_the_scheduler_does_and_what_it_reads_and_exits_0():
    result = scheduler("--help", timeout=30)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("usage: python -m scheduler")
    for job in PERIODIC_JOBS:
        assert re.search(
            rf"^  {job.name} +{re.escape(job.when)} +{re.escape(job.summary)}$", result.stdout, re.M
        )
    for name, _meaning in ENVIRONMENT:
        assert re.search(rf"^  {name} ", result.stdout, re.M), name
    assert "[default: 60,30,7]" in result.stdout and "[default: SCT]" in result.stdout


def test_help_lists_every_setting_the_scheduler_and_its_jobs_read():
    read = set()
    for source in ("scheduler/settings.py", "app/periodic_jobs.py", "app/config.py"):
        code = (ROOT / source).read_text(encoding="utf-8")
        if source == "app/config.py":  # the calendar's settings, read by working_calendar for the jobs
            code = code[code.index("def working_calendar") : code.index("def trusted_proxies")]
        read |= set(re.findall(r"""(?:config|settings)(?:\[|\.get\()"([A-Z_]+)"[\],)]""", code))
    listed = {name for name, _meaning in ENVIRONMENT}
    assert {"DATABASE_URL", "RETENTION_HOLD_AUTHORITIES", "EXTRA_BANK_HOLIDAYS"} <= read
    # WEBHOOK_ALLOW_PRIVATE comes with the environment's kind, not from a variable of its own.
    assert read - {"WEBHOOK_ALLOW_PRIVATE"} <= listed


def test_an_unknown_argument_is_an_error_with_exit_2(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--once"])
    assert exited.value.code == 2
    assert "unrecognized arguments: --once" in capsys.readouterr().err


def test_in_development_the_scheduler_logs_text_lines_for_people(tmp_path):
    url = built_from_models(tmp_path / "development.db")
    stamp(url)
    log = tmp_path / "scheduler.log"
    env = os.environ | {"CROSSCHECK_ENV": "development", "DATABASE_URL": url, "SECRET_KEY": TEST_SECRET}
    with log.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "scheduler"], cwd=ROOT, env=env, stderr=stderr)
        try:
            deadline = time.monotonic() + 60
            while "scheduler started" not in log.read_text() and time.monotonic() < deadline:
                assert process.poll() is None, log.read_text()
                time.sleep(0.2)
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=30)
    lines = log.read_text().splitlines()
    assert code == 0
    started = next(line for line in lines if "scheduler started" in line)
    assert TEXT_LINE.match(started) and "crosscheck.scheduler: scheduler started jobs=" in started
    assert all(TEXT_LINE.match(line) for line in lines), lines
    assert not any(line.startswith("{") for line in lines)
