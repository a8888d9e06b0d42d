"""Bulk CSV import: per-row validation, rejects with line numbers, batched idempotent upserts with keys."""

import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select, text

from licensing.actors import Actor, cli_actor
from licensing.errors import ValidationFailed
from licensing.imports import rows as importrows
from licensing.imports.pipeline import REGISTER_COLUMNS, import_licences, import_register
from licensing.matching import person_from
from licensing.persistence.models import AuditEvent, Authority, Licence, MatchKey, RegisterEntry
from licensing.register.statistics import decision_counts
from licensing.screening.key_index import KIND_CODES, keys_of
from tests.conftest import importing
from tests.factories import make_authority, make_register_entry
from tests.licensing.test_csvfiles import ATTACK

ACTOR = cli_actor("register import")
LICENCE_COLUMNS = (
    "ref,given_names,family_name,previous_names,date_of_birth,sex,address,postcode,ni_number,"
    "driving_licence_number,authority_code,badge_number,licence_type,granted_on,expires_on"
)


def entry_row(code: str, ref: str = "R1", **overrides) -> dict:
    """Return one valid register CSV row."""
    row = {
        "ref": ref,
        "given_names": "Imran",
        "family_name": "Hussain",
        "previous_names": "Imran Hussein; Imran Khan",
        "date_of_birth": "1985-03-14",
        "sex": "male",
        "address": "12 Example Street, Testtown",
        "postcode": "wv11aa",
        "ni_number": "AB 12 34 56 C",
        "driving_licence_number": "HUSSA803145I99AB",
        "authority_code": code,
        "decision": "revocation",
        "decided_on": "2025-01-10",
        "effective_on": "2025-01-31",
    }
    return row | overrides


def register_csv(rows: list[dict], columns=REGISTER_COLUMNS) -> str:
    """Return CSV text with a header and `rows`."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def run_register(session, now, text: str, **options):
    """Import `text`; return (report, rejects rows)."""
    rejects = io.StringIO()
    engine = importing(session)
    report = import_register(engine, ACTOR, io.StringIO(text), rejects, now=now, source="t.csv", **options)
    return report, list(csv.reader(io.StringIO(rejects.getvalue())))


def run_register_listing(session, now, text: str, **options):
    """Import `text`; return (report, rejects rows, warnings rows)."""
    rejects, warnings = io.StringIO(), io.StringIO()
    report = import_register(
        importing(session), ACTOR, io.StringIO(text), rejects, now=now, source="t.csv", warnings=warnings,
        **options,
    )  # fmt: skip
    read = (
        list(csv.reader(io.StringIO(rejects.getvalue()))),
        list(csv.reader(io.StringIO(warnings.getvalue()))),
    )
    return report, *read


def count(session, model) -> int:
    """Count the rows of `model`."""
    return session.scalar(select(func.count()).select_from(model))


def test_valid_rows_are_stored_normalised_with_their_keys(session, now):
    code = make_authority(session).code
    report, _ = run_register(session, now, register_csv([entry_row(code)]))
    assert (report.inserted, report.rejected, report.warnings) == (1, 0, 0)
    entry = session.scalars(select(RegisterEntry)).one()
    assert (entry.sex, entry.postcode, entry.ni_number) == ("M", "WV1 1AA", "AB123456C")
    assert (entry.previous_names, entry.status, entry.date_of_birth) == (
        "Imran Hussein;Imran Khan",
        "current",
        date(1985, 3, 14),
    )
    stored = set(session.scalars(select(MatchKey.key_hash).where(MatchKey.record_id == entry.id)))
    assert stored == keys_of(person_from(entry)).keys and stored


def test_reimporting_the_same_file_changes_nothing(session, now):
    code = make_authority(session).code
    text = register_csv([entry_row(code, f"R{i}") for i in range(5)])
    run_register(session, now, text, batch_size=2)
    keys_before = count(session, MatchKey)
    report, _ = run_register(session, now, text, batch_size=2)
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 5)
    assert (count(session, RegisterEntry), count(session, MatchKey)) == (5, keys_before)


def test_reimport_with_a_changed_identity_updates_and_rekeys(session, now):
    code = make_authority(session).code
    run_register(session, now, register_csv([entry_row(code)]))
    changed = entry_row(code, family_name="Morgan", date_of_birth="1964-07-05", ni_number="JT654321A")
    report, _ = run_register(session, now, register_csv([changed]))
    assert (report.inserted, report.updated) == (0, 1)
    entry = session.scalars(select(RegisterEntry)).one()
    stored = set(session.scalars(select(MatchKey.key_hash)))
    assert entry.family_name == "Morgan" and stored == keys_of(person_from(entry)).keys


def test_a_ref_repeated_in_one_file_is_one_record_with_the_last_values(session, now):
    code = make_authority(session).code
    rows = [entry_row(code, decision="suspension"), entry_row(code, decision="revocation")]
    report, _ = run_register(session, now, register_csv(rows))
    assert (report.inserted, report.updated) == (1, 1)
    assert session.scalars(select(RegisterEntry.decision)).all() == ["revocation"]


def test_rejected_rows_are_written_with_line_number_and_reason(session, now):
    code = make_authority(session).code
    rows = [
        entry_row(code, "OK1"),
        entry_row(code, "BAD1", family_name=""),
        entry_row("E09999999", "BAD2"),
        entry_row(code, "BAD3", decision="warning"),
        entry_row(code, "BAD4", decided_on="01/13/2025"),  # month first
        entry_row(code, "OK2"),
    ]
    report, rejects = run_register(session, now, register_csv(rows))
    assert (report.inserted, report.rejected) == (2, 4)
    assert rejects[0] == ["line", "reason", *REGISTER_COLUMNS]
    assert [(r[0], r[2]) for r in rejects[1:]] == [("3", "BAD1"), ("4", "BAD2"), ("5", "BAD3"), ("6", "BAD4")]
    reasons = [r[1] for r in rejects[1:]]
    assert "family_name: Required." in reasons[0]
    assert "E09999999" in reasons[1] and "decision" in reasons[2] and "decided_on" in reasons[3]


def test_rejects_and_warnings_files_neutralise_formulas_and_a_corrected_rejects_file_imports_as_given(
    session, now
):
    code = make_authority(session).code
    rows = [
        entry_row(code, ATTACK, decision="nope"),
        entry_row(code, "+R2", ni_number="=cmd|' /C calc'!A0", address="@SUM(1+1)"),
    ]
    report, rejects, warnings = run_register_listing(session, now, register_csv(rows))
    assert (report.inserted, report.rejected, report.warnings) == (1, 1, 1)
    assert rejects[1][2] == "'" + ATTACK
    assert warnings[1] == ["3", "'+R2", "ni_number", "'=cmd|' /C calc'!A0", "not valid"]
    corrected = io.StringIO()  # the rejected row, its decision corrected, saved as the file was
    csv.writer(corrected).writerows([rejects[0], [cell.replace("nope", "revocation") for cell in rejects[1]]])
    again, _ = run_register(session, now, corrected.getvalue())
    assert (again.inserted, again.rejected) == (1, 0)
    stored = set(session.scalars(select(RegisterEntry.ref)))
    assert stored == {ATTACK, "+R2"}


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("ni_number", "QQ123456C"),
        ("driving_licence_number", "NOT-A-LICENCE"),
        ("postcode", "NOWHERE"),
    ],
)
def test_invalid_identifier_is_kept_as_given_flagged_and_listed(session, now, column, value):
    code = make_authority(session).code
    report, _, warnings = run_register_listing(
        session, now, register_csv([entry_row(code, **{column: value})])
    )
    assert (report.inserted, report.rejected, report.warnings) == (1, 0, 1)
    entry = session.scalars(select(RegisterEntry)).one()
    assert getattr(entry, column) == value
    assert entry.identity_warnings == [{"field": column, "warning": "not valid"}]
    assert warnings == [["line", "ref", "field", "value", "warning"], ["2", "R1", column, value, "not valid"]]
    assert report.warning_kinds == {f"{column} not valid": 1}


def test_an_identifier_longer_than_its_column_is_a_reject(session, now):
    code = make_authority(session).code
    report, rejects = run_register(session, now, register_csv([entry_row(code, ni_number="X" * 21)]))
    assert (report.inserted, report.rejected) == (0, 1)
    assert "ni_number" in rejects[1][1] and "20" in rejects[1][1]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("05/18/1960", "month"),
        ("18/05/60", "write the year in full"),
        ("yesterday", "YYYY-MM-DD"),
        ("31/02/1960", "not a real date"),
        ("1899-12-31", "1 January 1900"),
        ("2020-01-01", "between"),
    ],
)
def test_a_date_of_birth_that_cannot_be_read_or_is_out_of_range_rejects_the_row(session, now, value, reason):
    code = make_authority(session).code
    report, rejects = run_register(session, now, register_csv([entry_row(code, date_of_birth=value)]))
    assert (report.inserted, report.rejected) == (0, 1)
    assert "date_of_birth" in rejects[1][1] and reason in rejects[1][1]


def test_uk_date_forms_import_the_same_records_as_iso_dates(session, now):
    here, there = make_authority(session).code, make_authority(session).code
    iso = [
        entry_row(here, "R1", date_of_birth="1960-05-18", decided_on="2025-01-10", effective_on="2025-01-31"),
        entry_row(here, "R2", date_of_birth="1960-06-05", decided_on="2024-12-01", effective_on="2024-12-22"),
    ]
    uk = [
        entry_row(
            there, "R1", date_of_birth="18/05/1960", decided_on="10.01.2025", effective_on="31-Jan-2025"
        ),
        entry_row(
            there, "R2", date_of_birth="5 June 1960", decided_on="1/12/2024", effective_on="22 dec 2024"
        ),
    ]
    assert run_register(session, now, register_csv(iso))[0].inserted == 2
    assert run_register(session, now, register_csv(uk))[0].inserted == 2
    assert _entries_of(session, there) == _entries_of(session, here)
    assert _keys_by_ref(session, there) == _keys_by_ref(session, here) != {}


def _entries_of(session, code: str) -> dict[str, tuple]:
    """Return each entry of authority `code` as its identity and decision columns, by ref."""
    query = select(RegisterEntry).join(Authority).where(Authority.code == code)
    skip = {"id", "authority_id", "first_recorded_at", "updated_at"}
    return {e.ref: {k: v for k, v in e.model_dump().items() if k not in skip} for e in session.scalars(query)}


@pytest.mark.parametrize(
    ("decided_on", "effective_on", "field"),
    [
        ("2099-01-01", "2099-01-02", "decided_on"),
        ("0001-01-01", "0001-01-02", "decided_on"),
        ("2025-01-10", "2025-01-01", "effective_on"),
        ("2025-01-10", "2099-01-01", "effective_on"),
    ],
)
def test_decision_dates_the_api_refuses_are_rejected_and_never_counted(
    session, now, decided_on, effective_on, field
):
    authority = make_authority(session)
    rows = [entry_row(authority.code, "R1", decided_on=decided_on, effective_on=effective_on)]
    report, rejects = run_register(session, now, register_csv(rows))
    assert (report.inserted, report.rejected) == (0, 1)
    assert rejects[1][1].startswith(field)
    reader = Actor(
        kind="api_client", id=1, label="Reader", authority_id=1, scopes=frozenset({"council:read"})
    )
    assert decision_counts(session, reader) == []


def test_the_category_column_is_optional_and_checked(session, now):
    code = make_authority(session).code
    rows = [
        entry_row(code, "R1", category="violence"),
        entry_row(code, "R2", category=""),
        entry_row(code, "R3", category="parking"),
    ]
    report, rejects = run_register(session, now, register_csv(rows, columns=(*REGISTER_COLUMNS, "category")))
    assert (report.inserted, report.rejected) == (2, 1)
    assert rejects[1][0] == "4" and "category" in rejects[1][1] and "parking" in rejects[1][1]
    assert dict(session.execute(select(RegisterEntry.ref, RegisterEntry.category)).all()) == {
        "R1": "violence",
        "R2": None,
    }
    run_register(session, now, register_csv([entry_row(code, "R1")]))  # no category column: kept as it is
    assert session.scalar(select(RegisterEntry.category).where(RegisterEntry.ref == "R1")) == "violence"


def test_bom_and_blank_lines_are_handled(session, now):
    code = make_authority(session).code
    text = (
        register_csv([entry_row(code, "R1")])
        + "\n\n"
        + register_csv([entry_row(code, "R2")]).split("\n", 1)[1]
    )
    report, rejects = run_register(session, now, "\ufeff" + text)
    assert (report.inserted, report.rejected) == (2, 0) and len(rejects) == 1


def test_header_without_a_required_column_is_refused(session, now):
    code = make_authority(session).code
    columns = [c for c in REGISTER_COLUMNS if c != "decided_on"]
    row = {k: v for k, v in entry_row(code).items() if k != "decided_on"}
    with pytest.raises(ValidationFailed, match="decided_on"):
        run_register(session, now, register_csv([row], columns=columns))
    assert count(session, RegisterEntry) == 0


def test_a_header_naming_a_column_twice_is_refused(session, now):
    code = make_authority(session).code
    text = register_csv([entry_row(code)]).replace("ni_number", "family_name", 1)
    with pytest.raises(ValidationFailed, match="more than once: family_name"):
        run_register(session, now, text)
    assert count(session, RegisterEntry) == 0


def test_empty_header_cells_may_repeat(session, now):
    code = make_authority(session).code
    lines = register_csv([entry_row(code)]).splitlines()
    report, _ = run_register(session, now, "\n".join(line + ",," for line in lines) + "\n")
    assert (report.inserted, report.rejected) == (1, 0)


def test_a_row_with_more_values_than_the_header_is_rejected_and_the_rest_imported(session, now):
    code = make_authority(session).code
    lines = register_csv([entry_row(code, "R1"), entry_row(code, "R2"), entry_row(code, "R3")]).splitlines()
    lines[2] += ",=HYPERLINK(1),extra"
    report, rejects = run_register(session, now, "\n".join(lines) + "\n")
    assert (report.inserted, report.rejected) == (2, 1)
    assert rejects[1][:2] == ["3", "the row has more values than the header has columns"]
    assert set(session.scalars(select(RegisterEntry.ref))) == {"R1", "R3"}


@pytest.mark.parametrize("column", ["ref", "given_names", "address", "category", "postcode"])
def test_a_row_holding_a_nul_is_rejected_and_the_rest_imported(session, now, column):
    code = make_authority(session).code
    rows = [
        entry_row(code, "R1", category="violence"),
        entry_row(code, "R2", category="violence") | {column: "Imran\x00"},
        entry_row(code, "R3", category="violence"),
    ]
    columns = (*REGISTER_COLUMNS, "category")
    report, rejects = run_register(session, now, register_csv(rows, columns=columns))
    assert (report.inserted, report.rejected) == (2, 1)
    assert rejects[1][0] == "3" and column in rejects[1][1] and "NUL" in rejects[1][1]
    assert set(session.scalars(select(RegisterEntry.ref))) == {"R1", "R3"}


@pytest.mark.parametrize("address", ["x" * 200_000, ("x" * 50_000 + "\n") * 4])
def test_a_value_over_the_csv_field_limit_rejects_its_row_and_reading_stops_there(session, now, address):
    code = make_authority(session).code
    rows = [entry_row(code, "R1"), entry_row(code, "R2", address=address), entry_row(code, "R3")]
    report, rejects = run_register(session, now, register_csv(rows))
    assert (report.inserted, report.rejected) == (1, 1)
    assert len(rejects) == 2 and rejects[1][0] in ("3", "4", "5", "6")
    assert rejects[1][1] == (
        "a value is longer than 131,072 characters, more than any column holds; "
        "the file is not read past this line"
    )
    assert set(session.scalars(select(RegisterEntry.ref))) == {"R1"}


def test_a_header_over_the_csv_field_limit_refuses_the_file(session, now):
    text = "ref," + "x" * 200_000 + "\nR1,Imran\n"
    with pytest.raises(ValidationFailed, match="header row cannot be read: a value is longer than 131,072"):
        run_register(session, now, text)


def test_each_batch_is_committed_with_an_audit_event(session, now):
    code = make_authority(session).code
    run_register(session, now, register_csv([entry_row(code, f"R{i}") for i in range(5)]), batch_size=2)
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "register_entry.import")).all()
    assert [e.detail["inserted"] for e in events] == [2, 2, 1]


def licence_text(code: str, *rows: str) -> str:
    """Return licence CSV text with the given value rows."""
    return "\n".join([LICENCE_COLUMNS, *rows]) + "\n"


def licence_line(code: str, ref="L1", badge="B1", expires="2028-01-01", licence_type="phv") -> str:
    """Return one licence CSV row."""
    return (
        f"{ref},Imran,Hussain,,1985-03-14,M,12 Example Street,WV1 1AA,AB123456C,HUSSA803145I99AB,"
        f"{code},{badge},{licence_type},2025-01-01,{expires}"
    )


def run_licences(session, now, text: str):
    """Import licence CSV `text`; return (report, rejects rows)."""
    rejects = io.StringIO()
    report = import_licences(importing(session), ACTOR, io.StringIO(text), rejects, now=now, source="l.csv")
    return report, list(csv.reader(io.StringIO(rejects.getvalue())))


def test_licence_status_follows_expiry_and_badges_stay_unique(session, now):
    code = make_authority(session).code
    text = licence_text(
        code,
        licence_line(code, "L1", "B1"),
        licence_line(code, "L2", "B2", expires="2026-01-01"),
        licence_line(code, "L3", "B1"),
        licence_line(code, "L4", "B4", licence_type="bus"),
    )
    report, rejects = run_licences(session, now, text)
    assert (report.inserted, report.rejected) == (2, 2)
    assert dict(session.execute(select(Licence.ref, Licence.status)).all()) == {
        "L1": "active",
        "L2": "expired",
    }
    assert sorted(r[0] for r in rejects[1:]) == ["4", "5"]
    assert any("badge_number B1" in r[1] for r in rejects[1:])


def test_reimporting_licences_is_idempotent(session, now):
    code = make_authority(session).code
    text = licence_text(code, licence_line(code, "L1", "B1"), licence_line(code, "L2", "B2"))
    run_licences(session, now, text)
    report, _ = run_licences(session, now, text)
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 2)
    assert count(session, Licence) == 2


def test_imported_records_follow_existing_ids_and_read_back_as_written(session, now):
    code = make_authority(session).code
    earlier = make_register_entry(session)
    rows = [entry_row(code, ref=f"R{i}", date_of_birth=f"1985-03-{10 + i}") for i in range(3)]
    run_register(session, now, register_csv(rows))
    session.expunge_all()
    entries = session.scalars(select(RegisterEntry).where(RegisterEntry.ref.in_(["R0", "R1", "R2"]))).all()
    assert sorted(e.id for e in entries) == [earlier.id + 1, earlier.id + 2, earlier.id + 3]
    entry = next(e for e in entries if e.ref == "R2")
    assert (entry.date_of_birth, entry.updated_at, entry.first_recorded_at) == (date(1985, 3, 12), now, now)
    later = make_register_entry(session)
    assert later.id == earlier.id + 4
    found = session.scalars(select(RegisterEntry).where(RegisterEntry.first_recorded_at == now)).all()
    assert {"R0", "R1", "R2"} <= {e.ref for e in found}


def test_parsing_in_worker_processes_gives_what_parsing_in_process_gives(session, now, monkeypatch):
    monkeypatch.setattr(importrows, "CHUNK_ROWS", 3)  # many chunks in flight, results joined in order
    here, there = make_authority(session).code, make_authority(session).code

    def rows(code):
        born = [f"1980-01-{i + 1:02d}" for i in range(10)]  # no licence number: it would encode another DOB
        made = [
            entry_row(code, f"R{i}", date_of_birth=day, driving_licence_number="")
            for i, day in enumerate(born)
        ]
        made[2] |= {"family_name": ""}
        made[5] |= {"ni_number": "QQ123456C"}
        made[7] = entry_row(code, "R1", decision="suspension")  # a ref repeated: the later row wins
        return made

    serial, serial_rejects = run_register(session, now, register_csv(rows(here)), batch_size=4)
    parallel, parallel_rejects = run_register(
        session, now, register_csv(rows(there)), batch_size=4, workers=2
    )
    assert parallel == serial and (parallel.inserted, parallel.rejected, parallel.warnings) == (8, 1, 1)
    assert [r[:2] for r in parallel_rejects] == [r[:2] for r in serial_rejects]
    assert _keys_by_ref(session, there) == _keys_by_ref(session, here) != {}
    assert session.scalar(select(RegisterEntry.decision).where(RegisterEntry.ref == "R1")) == "suspension"


def _keys_by_ref(session, code: str) -> dict[str, set[int]]:
    """Return the stored key hashes of each register entry of authority `code`, by ref."""
    query = (
        select(RegisterEntry.ref, MatchKey.key_hash)
        .join(MatchKey, MatchKey.record_id == RegisterEntry.id)
        .join(Authority, Authority.id == RegisterEntry.authority_id)
        .where(Authority.code == code, MatchKey.record_kind == KIND_CODES["register_entry"])
    )
    found: dict[str, set[int]] = {}
    for ref, hashed in session.execute(query):
        found.setdefault(ref, set()).add(hashed)
    return found


def test_on_postgresql_an_import_leaves_its_tables_vacuumed_for_index_only_probes(session, now):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's match_key is its own index")
    code = make_authority(session).code
    report, _ = run_register(session, now, register_csv([entry_row(code, f"R{i}") for i in range(20)]))
    assert report.inserted == 20
    # VACUUM sets the visibility map (what lets a probe read the index alone) and counts the rows.
    pages = dict(
        session.execute(
            text(
                "SELECT relname, relallvisible FROM pg_class WHERE relname IN ('match_key', 'register_entry')"
            )
        ).all()
    )
    tuples = session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'register_entry'"))
    assert pages["match_key"] > 0 and pages["register_entry"] > 0
    assert tuples == 20


def test_licence_rows_keep_the_statutory_term_as_the_grant_does(session, now):
    code = make_authority(session).code
    text = licence_text(
        code,
        licence_line(code, "L1", "B1", expires="2027-12-31"),  # granted 2025-01-01, as every line
        licence_line(code, "L2", "B2", expires="2030-01-01"),  # five years
        licence_line(code, "L3", "B3", expires="2025-01-01"),  # ends as it starts
    )
    report, rejects = run_licences(session, now, text)
    assert (report.inserted, report.rejected) == (1, 2)
    reasons = {r[0]: r[1] for r in rejects[1:]}
    assert reasons["3"] == "expires_on: A driver's licence runs for at most 3 years (1976 Act s.53)."
    assert reasons["4"] == "expires_on: The expiry date must be after the start date."
