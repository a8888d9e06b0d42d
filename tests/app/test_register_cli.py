"""The command-line contract: `flask register import|screen` and `flask licences import`."""

import csv

import pytest
from sqlalchemy import func, select, text

from licensing.persistence.models import AuditEvent, Licence, RegisterEntry
from licensing.screening import bulk
from tests.factories import make_authority, make_licence, make_register_entry
from tests.licensing.test_csvfiles import ATTACK
from tests.licensing.test_imports import LICENCE_COLUMNS, entry_row, licence_line, register_csv
from tests.withheld import THEIR_DETAILS, withheld_in

PEOPLE = (
    "ref,given_names,family_name,previous_names,date_of_birth,sex,address,postcode,ni_number,"
    "driving_licence_number"
)
SAME = "A1,Imran,Hussain,,1985-03-14,M,12 Example Street,WV1 1AA,AB123456C,HUSSA803145I99AB"
OTHER = "A2,Sarah,Morgan,,1964-07-05,F,1 Leeds Road,LS1 4AP,JT654321A,MORGA657054SM9IJ"


@pytest.fixture
def code(session):
    """Return the code of an authority in the test database."""
    return make_authority(session).code


def invoke(app, *args):
    """Run `flask <args>` against the test app."""
    return app.test_cli_runner().invoke(args=list(args))


def test_register_import_writes_rejects_beside_the_file_and_exits_zero(app, session, tmp_path, code):
    source = tmp_path / "entries.csv"
    source.write_text(register_csv([entry_row(code, "R1"), entry_row(code, "R2", decision="nope")]))
    result = invoke(app, "register", "import", str(source))
    assert result.exit_code == 0, result.output
    assert "1 inserted" in result.output and "1 rejected" in result.output
    rejects = list(csv.reader((tmp_path / "entries.rejects.csv").open()))
    assert rejects[1][:3] == ["3", rejects[1][1], "R2"] and "decision" in rejects[1][1]
    assert session.scalar(select(func.count()).select_from(RegisterEntry)) == 1


def test_register_import_twice_does_not_duplicate(app, session, tmp_path, code):
    source = tmp_path / "entries.csv"
    source.write_text(register_csv([entry_row(code, "R1"), entry_row(code, "R2")]))
    invoke(app, "register", "import", str(source))
    result = invoke(app, "register", "import", str(source))
    assert "0 inserted, 0 updated, 2 unchanged" in result.output
    assert session.scalar(select(func.count()).select_from(RegisterEntry)) == 2


def test_bad_header_exits_non_zero_with_a_clear_message(app, tmp_path, code):
    source = tmp_path / "entries.csv"
    source.write_text("ref,given_names\nR1,Imran\n")
    result = invoke(app, "register", "import", str(source))
    assert result.exit_code != 0 and "family_name" in result.output


def test_missing_file_exits_non_zero(app, tmp_path):
    assert invoke(app, "register", "import", str(tmp_path / "absent.csv")).exit_code != 0


def test_licences_import_accepts_a_bom(app, session, tmp_path, code):
    source = tmp_path / "licences.csv"
    source.write_text("\ufeff" + LICENCE_COLUMNS + "\n" + licence_line(code) + "\n", encoding="utf-8")
    result = invoke(app, "licences", "import", str(source))
    assert result.exit_code == 0, result.output
    assert session.scalar(select(func.count()).select_from(Licence)) == 1
    assert (tmp_path / "licences.rejects.csv").exists()


def _screen(app, tmp_path, *extra):
    people = tmp_path / "people.csv"
    people.write_text("\n".join([PEOPLE, SAME, OTHER, "A3,,NoGiven,,,,,,,"]) + "\n")
    out = tmp_path / "out.csv"
    result = invoke(app, "register", "screen", str(people), "--out", str(out), *extra)
    return result, list(csv.reader(out.open())) if out.exists() else []


def test_screen_writes_the_contract_format_best_first(app, session, tmp_path, code):
    entries = tmp_path / "entries.csv"
    entries.write_text(register_csv([entry_row(code, "R1"), entry_row(code, "R2", given_names="Imran Ali")]))
    invoke(app, "register", "import", str(entries))
    result, rows = _screen(app, tmp_path)
    assert result.exit_code == 0, result.output
    assert rows[0][:6] == ["ref", "candidate_ref", "candidate_kind", "score", "band", "evidence"]
    assert {r[0] for r in rows[1:]} == {"A1"}
    assert {r[1] for r in rows[1:]} >= {"R1"} and all(r[2] == "register_entry" for r in rows[1:])
    scores = [float(r[3]) for r in rows[1:]]
    assert scores == sorted(scores, reverse=True) and all(len(r[3].split(".")[1]) == 4 for r in rows[1:])
    assert rows[1][4] == "match" and rows[1][5]
    assert "screened 2 people" in result.output and "1 rows rejected" in result.output
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "screening.bulk")).one()
    assert event.detail["source"] == "people.csv" and event.detail["applicants"] == 2


def test_screen_output_says_how_councils_records_agree_never_what_they_hold(app, session, tmp_path):
    make_licence(session, **THEIR_DETAILS)
    make_register_entry(session, **THEIR_DETAILS)
    result, rows = _screen(app, tmp_path)
    assert result.exit_code == 0, result.output
    assert withheld_in((tmp_path / "out.csv").read_text()) == []
    evidence = [row[5] for row in rows[1:] if row[0] == "A1"]
    assert len(evidence) == 2 and all("postcode: different |" in line for line in evidence)


def test_screen_min_score_filters_candidates(app, tmp_path, code):
    entries = tmp_path / "entries.csv"
    entries.write_text(register_csv([entry_row(code, "R1")]))
    invoke(app, "register", "import", str(entries))
    result, rows = _screen(app, tmp_path, "--min-score", "1.0")
    assert result.exit_code == 0 and all(float(r[3]) >= 1.0 for r in rows[1:])
    _, rows = _screen(app, tmp_path, "--min-score", "0.0")
    assert [r[1] for r in rows[1:]] == ["R1"]


def test_unmigrated_database_exits_non_zero(tmp_path):
    from app import create_app
    from tests.conftest import TEST_SECRET

    empty = create_app(
        {
            "ENV_NAME": "testing",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
            "SECRET_KEY": TEST_SECRET,
        }
    )
    source = tmp_path / "entries.csv"
    source.write_text(register_csv([entry_row("E08000031")]))
    result = empty.test_cli_runner().invoke(args=["register", "import", str(source)])
    assert result.exit_code != 0 and "flask db upgrade" in result.output


def test_screen_in_worker_processes_writes_what_one_process_writes(app, tmp_path, code, monkeypatch):
    monkeypatch.setattr(bulk, "BULK_BATCH", 1)  # one applicant per task, so results must be put back in order
    entries = tmp_path / "entries.csv"
    entries.write_text(register_csv([entry_row(code, "R1"), entry_row(code, "R2", given_names="Imran Ali")]))
    assert invoke(app, "register", "import", str(entries), "--workers", "2").exit_code == 0
    people = tmp_path / "people.csv"
    people.write_text(
        "\n".join([PEOPLE, SAME, OTHER, SAME.replace("A1,", "A4,"), OTHER.replace("A2,", "A5,")])
    )
    outputs = []
    for workers in ("0", "2"):
        out = tmp_path / f"out-{workers}.csv"
        result = invoke(app, "register", "screen", str(people), "--out", str(out), "--workers", workers)
        assert result.exit_code == 0, result.output
        outputs.append(out.read_text())
    assert outputs[0] == outputs[1]
    assert [row[0] for row in csv.reader(outputs[1].splitlines())][1:] == ["A1", "A1", "A4", "A4"]


def test_register_reindex_rebuilds_the_keys_and_on_postgresql_vacuums_them(app, session, tmp_path, code):
    source = tmp_path / "reg.csv"
    source.write_text(register_csv([entry_row(code, "R1"), entry_row(code, "R2")]), encoding="utf-8")
    invoke(app, "register", "import", str(source))
    keys = session.scalar(text("SELECT count(*) FROM match_key"))
    session.execute(text("DELETE FROM match_key"))
    vacuums = vacuum_count(session)
    session.commit()

    result = invoke(app, "register", "reindex")

    assert result.exit_code == 0, result.output
    assert f"register_entry {keys} keys" in result.output
    assert session.scalar(text("SELECT count(*) FROM match_key")) == keys > 0
    if session.get_bind().dialect.name == "postgresql":
        assert vacuum_count(session) == vacuums + 1


def vacuum_count(session) -> int | None:
    """Return how often match_key was vacuumed by hand (PostgreSQL), in a transaction of its own."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    session.commit()  # statistics read in a transaction are a snapshot taken at their first read
    count = session.scalar(text("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'match_key'"))
    session.commit()
    return count


def _uk(day) -> str:
    """Return a date as councils export it, day first."""
    return day.strftime("%d/%m/%Y")


def test_screening_a_file_with_uk_dates_writes_what_the_same_file_with_iso_dates_writes(app, tmp_path, code):
    from licensing.synthetic import generator

    people = generator.people(40, seed=7)
    entries = tmp_path / "entries.csv"
    generator.write_csv(entries, generator.register_entries(people[:20], seed=7, authority_codes=[code]),
                        generator.REGISTER_ENTRY_COLUMNS)  # fmt: skip
    assert "0 rejected" in invoke(app, "register", "import", str(entries)).output
    iso, uk = tmp_path / "iso.csv", tmp_path / "uk.csv"
    generator.write_csv(iso, people, generator.PEOPLE_COLUMNS)
    generator.write_csv(uk, [p | {"date_of_birth": _uk(p["date_of_birth"])} for p in people],
                        generator.PEOPLE_COLUMNS)  # fmt: skip
    assert "/" in uk.read_text().splitlines()[1]
    outputs = []
    for source in (iso, uk):
        out = tmp_path / f"out-{source.stem}.csv"
        result = invoke(app, "register", "screen", str(source), "--out", str(out))
        assert result.exit_code == 0 and "0 rows rejected" in result.output, result.output
        outputs.append(out.read_text())
    assert outputs[0] == outputs[1] and len(outputs[0].splitlines()) > 20


def test_screening_rejects_a_date_of_birth_it_cannot_read_and_says_why(app, tmp_path, code):
    people = tmp_path / "people.csv"
    people.write_text("\n".join([PEOPLE, SAME.replace("1985-03-14", "03/14/1985"), OTHER]) + "\n")
    result = invoke(app, "register", "screen", str(people), "--out", str(tmp_path / "out.csv"))
    assert (
        result.exit_code == 0 and "screened 1 people" in result.output and "1 rows rejected" in result.output
    )
    rejects = list(csv.reader((tmp_path / "people.rejects.csv").open()))
    assert rejects[1][:3] == ["2", rejects[1][1], "A1"] and "date_of_birth" in rejects[1][1]
    assert "day first" in rejects[1][1]


def test_import_lists_every_warning_beside_the_file_and_counts_them_by_kind(app, session, tmp_path, code):
    source = tmp_path / "people.csv"
    rows = [
        entry_row(code, "R1", ni_number="12345", postcode="NOWHERE"),
        entry_row(code, "R2", ni_number="QQ123456C"),
        entry_row(code, "R3"),
    ]
    source.write_text(register_csv(rows))
    result = invoke(app, "register", "import", str(source))
    assert result.exit_code == 0, result.output
    assert "3 warnings (ni_number not valid 2, postcode not valid 1; listed in people.warnings.csv)" in (
        result.output
    )
    listed = list(csv.reader((tmp_path / "people.warnings.csv").open()))
    assert listed == [
        ["line", "ref", "field", "value", "warning"],
        ["2", "R1", "postcode", "NOWHERE", "not valid"],
        ["2", "R1", "ni_number", "12345", "not valid"],
        ["3", "R2", "ni_number", "QQ123456C", "not valid"],
    ]


def test_licences_import_lists_its_warnings_too(app, tmp_path, code):
    source = tmp_path / "licences.csv"
    source.write_text(LICENCE_COLUMNS + "\n" + licence_line(code).replace("AB123456C", "12345") + "\n")
    result = invoke(app, "licences", "import", str(source))
    assert result.exit_code == 0 and "1 warnings (ni_number not valid 1;" in result.output, result.output
    assert list(csv.reader((tmp_path / "licences.warnings.csv").open()))[1] == [
        "2", "L1", "ni_number", "12345", "not valid"
    ]  # fmt: skip


def test_screening_lists_the_warnings_of_the_people_screened(app, tmp_path, code):
    people = tmp_path / "people.csv"
    people.write_text("\n".join([PEOPLE, SAME.replace("AB123456C", "12345"), OTHER]) + "\n")
    result = invoke(app, "register", "screen", str(people), "--out", str(tmp_path / "out.csv"))
    assert "1 warnings (ni_number not valid 1; listed in people.warnings.csv)" in result.output, result.output
    assert list(csv.reader((tmp_path / "people.warnings.csv").open()))[1:] == [
        ["2", "A1", "ni_number", "12345", "not valid"]
    ]


def test_screening_files_neutralise_another_councils_formula_and_the_files_own(app, session, tmp_path, code):
    make_register_entry(session, authority_id=make_authority(session).id, ref=ATTACK)
    session.rollback()
    people = tmp_path / "people.csv"
    rows = [
        SAME.replace("AB123456C", "=cmd|' /C calc'!A0"),
        OTHER.replace("A2", "-2+3").replace("1964-07-05", "07/05/64"),
    ]
    people.write_text("\n".join([PEOPLE, *rows]) + "\n")
    out = tmp_path / "out.csv"
    result = invoke(app, "register", "screen", str(people), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert [row[1] for row in csv.reader(out.open())][1:] == ["'" + ATTACK]
    rejects = list(csv.reader((tmp_path / "people.rejects.csv").open()))
    warnings = list(csv.reader((tmp_path / "people.warnings.csv").open()))
    assert rejects[1][2] == "'-2+3" and warnings[1][3] == "'=cmd|' /C calc'!A0"
    cells = [cell for rows in (rejects, warnings) for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]


def test_a_value_over_the_csv_field_limit_is_a_reject_with_a_true_reason(app, session, tmp_path, code):
    source = tmp_path / "entries.csv"
    source.write_text(register_csv([entry_row(code, "R1"), entry_row(code, "R2", address="x" * 200_000)]))
    result = invoke(app, "register", "import", str(source))
    assert result.exit_code == 0 and "1 inserted" in result.output and "1 rejected" in result.output
    rejects = list(csv.reader((tmp_path / "entries.rejects.csv").open()))
    assert "longer than 131,072 characters" in rejects[1][1]
    people = tmp_path / "people.csv"
    people.write_text("\n".join([PEOPLE, SAME, OTHER.replace("1 Leeds Road", "y" * 200_000)]) + "\n")
    result = invoke(app, "register", "screen", str(people), "--out", str(tmp_path / "out.csv"))
    assert (
        result.exit_code == 0 and "screened 1 people" in result.output and "1 rows rejected" in result.output
    )
    assert "longer than 131,072" in list(csv.reader((tmp_path / "people.rejects.csv").open()))[1][1]


@pytest.mark.parametrize("command", ["import", "screen"])
def test_a_header_naming_a_column_twice_exits_non_zero_with_a_clear_message(app, tmp_path, code, command):
    source = tmp_path / "entries.csv"
    source.write_text(register_csv([entry_row(code, "R1")]).replace("ni_number", "given_names", 1))
    result = invoke(
        app, "register", command, str(source), *(["--out", str(tmp_path / "o.csv")] * (command == "screen"))
    )
    assert result.exit_code != 0 and "more than once: given_names" in result.output
