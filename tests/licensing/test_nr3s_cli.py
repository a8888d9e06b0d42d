"""The command-line contract of NR3S: `flask register import-nr3s` and `flask register export-nr3s`."""

import csv
import io

from sqlalchemy import func, select

from licensing.persistence.models import RegisterEntry
from licensing.synthetic.generator import nr3s_records, write_nr3s
from tests.factories import make_authority, make_register_entry


def invoke(app, *args):
    """Run `flask <args>` against the test app."""
    return app.test_cli_runner().invoke(args=list(args))


def nr3s_file(path, code: str, n: int = 5, **overrides) -> None:
    """Write a synthetic NR3S file of `n` records of council `code` to `path`."""
    rows = [row | overrides for row in nr3s_records(n, seed=7, authority_code=code)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        write_nr3s(handle, rows)


def entry_count(session) -> int:
    """Return how many register entries are stored."""
    session.expire_all()
    return session.scalar(select(func.count()).select_from(RegisterEntry))


def test_import_nr3s_twice_says_0_inserted_and_writes_rejects_beside_the_file(app, session, tmp_path):
    code = make_authority(session).code
    source = tmp_path / "nr3s.csv"
    nr3s_file(source, code)
    with source.open("a") as handle:
        handle.write("NR3S-X,,Doe,Jane,01/01/1980,,,,,Caution,01/01/2025,01/01/2025\n")

    first = invoke(app, "register", "import-nr3s", str(source), "--authority", code)
    again = invoke(app, "register", "import-nr3s", str(source), "--authority", code.lower())

    assert first.exit_code == 0, first.output
    assert "5 inserted, 0 updated, 0 unchanged, 1 rejected" in first.output
    assert "0 inserted, 0 updated, 5 unchanged, 1 rejected" in again.output
    rejects = list(csv.reader((tmp_path / "nr3s.rejects.csv").open()))
    assert rejects[1][0] == "7" and "Caution" in rejects[1][1]
    assert entry_count(session) == 5


def test_import_nr3s_dry_run_keeps_nothing(app, session, tmp_path):
    code = make_authority(session).code
    source = tmp_path / "nr3s.csv"
    nr3s_file(source, code)

    result = invoke(app, "register", "import-nr3s", str(source), "--authority", code, "--dry-run")

    assert result.exit_code == 0, result.output
    assert "dry run: nothing kept" in result.output and "5 inserted" in result.output
    assert entry_count(session) == 0


def test_import_nr3s_of_an_unknown_authority_fails_clearly(app, tmp_path):
    source = tmp_path / "nr3s.csv"
    nr3s_file(source, "E09999999")
    result = invoke(app, "register", "import-nr3s", str(source), "--authority", "E09999999")
    assert result.exit_code != 0 and "E09999999" in result.output


def test_import_nr3s_with_a_bad_header_fails_clearly(app, session, tmp_path):
    code = make_authority(session).code
    source = tmp_path / "nr3s.csv"
    source.write_text("NR3S Reference,Surname\nN1,Doe\n")
    result = invoke(app, "register", "import-nr3s", str(source), "--authority", code)
    assert result.exit_code != 0 and "Forenames" in result.output


def test_export_nr3s_writes_a_file_that_imports_back_with_nothing_changed(app, session, tmp_path):
    authority = make_authority(session)
    make_register_entry(session, authority_id=authority.id, ref="RE-1")
    make_register_entry(session, authority_id=make_authority(session).id, ref="RE-2")  # another council's
    out = tmp_path / "export.csv"

    written = invoke(app, "register", "export-nr3s", "--authority", authority.code, "--out", str(out))
    again = invoke(app, "register", "import-nr3s", str(out), "--authority", authority.code)

    assert written.exit_code == 0 and "1 register entries written to export.csv" in written.output
    assert [row["Authority Reference"] for row in csv.DictReader(out.open())] == ["RE-1"]
    assert "0 inserted, 0 updated, 1 unchanged, 0 rejected" in again.output


def test_export_nr3s_to_standard_output(app, session):
    authority = make_authority(session)
    make_register_entry(session, authority_id=authority.id, ref="RE-1")
    result = invoke(app, "register", "export-nr3s", "--authority", authority.code)
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert result.exit_code == 0
    assert [(r["Authority Reference"], r["Decision"], r["Surname"]) for r in rows] == [
        ("RE-1", "Revocation", "Hussain")
    ]


def test_import_nr3s_in_worker_processes_gives_the_same_entries(app, session, tmp_path):
    code = make_authority(session).code
    source = tmp_path / "nr3s.csv"
    nr3s_file(source, code, n=1200)

    result = invoke(app, "register", "import-nr3s", str(source), "--authority", code, "--workers", "2")

    assert result.exit_code == 0, result.output
    assert "1200 inserted" in result.output
    refs = session.scalars(select(RegisterEntry.nr3s_ref).order_by(RegisterEntry.id)).all()
    assert refs == [f"NR3S-{n:08d}" for n in range(1, 1201)]
