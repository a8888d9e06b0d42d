"""NR3S in and out: a council's NR3S records become its register entries, and its register an NR3S file."""

import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from licensing.actors import Actor, cli_actor
from licensing.errors import NotFound, ValidationFailed
from licensing.imports.nr3s import EXPORT_HEADINGS, REFUSAL_UNSAID, export_nr3s
from licensing.imports.pipeline import import_nr3s
from licensing.persistence.models import Alert, AuditEvent, RegisterEntry
from licensing.register.entries import amend_entry, record_entry
from licensing.synthetic.generator import nr3s_records, write_nr3s
from tests.conftest import importing
from tests.factories import identity, make_api_client, make_authority, make_licence, make_register_entry
from tests.test_input_rules import BAD_DECISIONS, BAD_IDENTITIES

ACTOR = cli_actor("register import-nr3s")
HEADINGS = (
    "NR3S Reference,Licensing Authority,Surname,Forenames,Date of Birth,Address,Postcode,NI Number,"
    "Driving Licence Number,Decision,Decision Date,Effective Date"
)


def nr3s_line(nr3s_ref="NR3S-1", authority="", **overrides) -> str:
    """Return one NR3S row (the default identity of tests.factories) as a CSV line."""
    cells = {
        "nr3s_ref": nr3s_ref,
        "authority": authority,
        "family_name": "Hussain",
        "given_names": "Imran",
        "date_of_birth": "14/03/1985",
        "address": '"12 Example Street, Testtown"',
        "postcode": "WV1 1AA",
        "ni_number": "AB123456C",
        "driving_licence_number": "HUSSA803145I99AB",
        "decision": "Revocation",
        "decided_on": "10/01/2025",
        "effective_on": "31/01/2025",
    } | overrides
    return ",".join(cells.values())


def nr3s_csv(*lines: str, header: str = HEADINGS) -> str:
    """Return an NR3S file of `lines` under `header`."""
    return "\n".join([header, *lines]) + "\n"


def run(session, now, text: str, code: str, **options):
    """Import `text` as council `code`'s NR3S file; return (report, rejects rows, warnings rows)."""
    rejects, warnings = io.StringIO(), io.StringIO()
    report = import_nr3s(
        importing(session), ACTOR, io.StringIO(text), rejects, authority_code=code, now=now,
        source="nr3s.csv", warnings=warnings, **options,
    )  # fmt: skip
    session.expire_all()
    return report, read(rejects), read(warnings)


def read(stream: io.StringIO) -> list[list[str]]:
    """Return the rows of a CSV written to `stream`."""
    return list(csv.reader(io.StringIO(stream.getvalue())))


def export(session, now, code: str) -> str:
    """Return council `code`'s register as an NR3S file."""
    out = io.StringIO()
    export_nr3s(session, cli_actor("register export-nr3s"), code, out, now)
    session.commit()
    return out.getvalue()


def entries(session) -> dict:
    """Return every stored entry's columns by id (the keys and stamps of what was stored)."""
    session.expire_all()
    rows = session.scalars(select(RegisterEntry).order_by(RegisterEntry.id))
    return {row.id: row.model_dump() for row in rows}


def count(session, model) -> int:
    """Return how many rows `model`'s table holds."""
    return session.scalar(select(func.count()).select_from(model))


def test_a_generated_file_of_10000_records_imported_twice_inserts_nothing_the_second_time(session, now):
    authority = make_authority(session)
    text = io.StringIO()
    write_nr3s(text, nr3s_records(10_000, seed=3, authority_code=authority.code))

    first, rejects, _ = run(session, now, text.getvalue(), authority.code)
    assert (first.inserted, first.rejected) == (10_000, 0), rejects[:3]
    stored = entries(session)
    again, rejects, _ = run(session, now, text.getvalue(), authority.code)

    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 10_000, 0)
    assert entries(session) == stored
    kept = session.execute(select(RegisterEntry.category, RegisterEntry.nr3s_ref, RegisterEntry.ref)).all()
    assert {category for category, _, _ in kept} == {"not_recorded"}
    assert all(nr3s_ref == ref and nr3s_ref.startswith("NR3S-") for _, nr3s_ref, ref in kept)


def test_the_nr3s_reference_is_kept_and_the_entry_is_filed_under_the_councils_own_when_given(session, now):
    authority = make_authority(session)
    header = f"{HEADINGS},Authority Reference"
    text = nr3s_csv(nr3s_line("NR3S-1") + ",", nr3s_line("NR3S-2") + ",LIC/77/revocation", header=header)

    report, _, _ = run(session, now, text, authority.code)

    assert report.inserted == 2
    kept = session.execute(select(RegisterEntry.ref, RegisterEntry.nr3s_ref).order_by(RegisterEntry.id))
    assert kept.all() == [("NR3S-1", "NR3S-1"), ("LIC/77/revocation", "NR3S-2")]
    entry = session.scalars(select(RegisterEntry).where(RegisterEntry.ref == "NR3S-1")).one()
    assert (entry.decision, entry.decided_on, entry.effective_on) == (
        "revocation",
        date(2025, 1, 10),
        date(2025, 1, 31),
    )
    assert (entry.category, entry.status, entry.authority_id) == ("not_recorded", "current", authority.id)
    assert (entry.ni_number, entry.postcode, entry.date_of_birth) == (
        "AB123456C",
        "WV1 1AA",
        date(1985, 3, 14),
    )


@pytest.mark.parametrize(
    ("words", "decision"),
    [
        ("Refusal to grant", "refusal_of_grant"),
        ("Refusal of renewal", "refusal_of_renewal"),
        ("REFUSAL TO RENEW", "refusal_of_renewal"),
        ("Suspended", "suspension"),
        ("suspension", "suspension"),
        ("Revoked", "revocation"),
        ("refusal_of_grant", "refusal_of_grant"),
    ],
)
def test_nr3s_decision_words_map_to_our_decisions(session, now, words, decision):
    authority = make_authority(session)
    report, _, warnings = run(session, now, nr3s_csv(nr3s_line(decision=words)), authority.code)
    assert report.inserted == 1 and len(warnings) == 1  # the header alone
    assert session.scalar(select(RegisterEntry.decision)) == decision


def test_a_bare_refusal_is_kept_as_a_refusal_of_grant_with_a_warning(session, now):
    authority = make_authority(session)
    report, _, warnings = run(session, now, nr3s_csv(nr3s_line(decision="Refusal")), authority.code)
    assert report.inserted == 1 and report.warning_kinds[f"decision {REFUSAL_UNSAID}"] == 1
    assert warnings[1][:4] == ["2", "NR3S-1", "decision", "Refusal"]
    entry = session.scalars(select(RegisterEntry)).one()
    assert (entry.decision, entry.identity_warnings) == ("refusal_of_grant", [])


def test_bad_rows_are_rejected_with_their_line_and_reason_and_the_rest_imported(session, now):
    authority, other = make_authority(session), make_authority(session)
    text = nr3s_csv(
        nr3s_line("N1"),
        nr3s_line("N2", decided_on="31/02/2025"),
        nr3s_line("N3", decision="Caution"),
        nr3s_line("N4", decided_on="01/02/2025", effective_on="01/01/2025"),
        nr3s_line("N5", authority=other.name),
        nr3s_line("", family_name="Nobody"),
        nr3s_line("N7", effective_on=""),
        nr3s_line("N8", authority=authority.name),
        nr3s_line("N9", authority=authority.code.lower()),
        nr3s_line("N10", date_of_birth="1985-14-03"),
    )

    report, rejects, _ = run(session, now, text, authority.code)

    assert (report.inserted, report.rejected) == (3, 7)
    reasons = {row[0]: row[1] for row in rejects[1:]}
    assert sorted(reasons, key=int) == ["3", "4", "5", "6", "7", "8", "11"]
    assert reasons["3"].startswith("decided_on:")
    assert "Decision must be one of" in reasons["4"] and "'Caution'" in reasons["4"]
    assert reasons["5"].startswith("effective_on:")
    assert other.name in reasons["6"] and authority.code in reasons["6"]
    assert reasons["7"] == "NR3S Reference or Authority Reference is required"
    assert reasons["8"] == "effective_on is required"
    assert reasons["11"].startswith("date_of_birth")
    assert rejects[0][:4] == ["line", "reason", "nr3s_ref", "licensing_authority"]
    assert sorted(session.scalars(select(RegisterEntry.ref))) == ["N1", "N8", "N9"]


def test_headings_are_matched_however_they_are_spelt(session, now):
    authority = make_authority(session)
    header = (
        "nr3s_ref,licensing authority,SURNAME,Forename(s),DOB,Home Address,Post Code,"
        "National Insurance Number,Driver Number,Decision Type,Date of Decision,Effective From"
    )
    report, rejects, _ = run(session, now, nr3s_csv(nr3s_line(), header=header), authority.code)
    assert report.inserted == 1, rejects
    assert session.scalar(select(RegisterEntry.driving_licence_number)) == "HUSSA803145I99AB"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("NR3S Reference,Surname,Forenames,Decision,Decision Date", "Effective Date"),
        ("Surname,Forenames,Decision,Decision Date,Effective Date", "NR3S Reference or an Authority"),
        ("NR3S Reference,Surname,Surname,Forenames,Decision,Decision Date,Effective Date", "surname"),
        ("NR3S Reference,Surname,Family Name,Forenames,Decision,Decision Date,Effective Date", "Surname"),
    ],
)
def test_a_header_that_cannot_be_read_is_refused_whole(session, now, header, message):
    authority = make_authority(session)
    with pytest.raises(ValidationFailed, match=message):
        run(session, now, header + "\n", authority.code)


def test_an_unknown_authority_is_refused(session, now):
    with pytest.raises(NotFound):
        run(session, now, nr3s_csv(nr3s_line()), "E09999999")


def test_a_new_entry_alerts_a_council_that_licenses_the_person_once(session, now):
    recording, licensing_council = make_authority(session), make_authority(session)
    licence = make_licence(session, authority_id=licensing_council.id)
    make_licence(session, authority_id=recording.id, badge_number="OWN1", ref="OWN-1")  # its own: not told
    text = nr3s_csv(nr3s_line("NR3S-9"), nr3s_line("NR3S-10", family_name="Morgan", given_names="Sarah",
                                                  date_of_birth="05/07/1964", ni_number="JT654321A",
                                                  driving_licence_number=""))  # fmt: skip

    run(session, now, text, recording.code)
    run(session, now, text, recording.code)  # again: no new entry, no new alert

    entry = session.scalars(select(RegisterEntry).where(RegisterEntry.nr3s_ref == "NR3S-9")).one()
    alerts = session.scalars(select(Alert)).all()
    assert [(a.authority_id, a.alert_type, a.subject_kind, a.subject_id) for a in alerts] == [
        (licensing_council.id, "register_entry.recorded", "register_entry", entry.id)
    ]
    assert alerts[0].payload["detail"] == {"matches": [{"kind": "licence", "id": licence.id}]}
    audited = session.scalars(select(AuditEvent).where(AuditEvent.action == "register_entry.import"))
    assert [event.detail["alerted_authorities"] for event in audited] == [1, 0]


def test_an_exported_register_re_imports_to_the_same_entries(session, now):
    authority = make_authority(session)
    text = io.StringIO()
    write_nr3s(text, nr3s_records(40, seed=5, authority_code=authority.code))
    run(session, now, text.getvalue(), authority.code)
    make_register_entry(session, authority_id=authority.id, previous_names="Imran Khan", ref="RE/own")
    gone = make_register_entry(session, authority_id=authority.id, ref="RE/overturned", given_names="Ali")
    officer = Actor(kind="user", id=None, label="Officer", authority_id=authority.id)
    amend_entry(session, officer, gone.id, "overturned", {}, now)
    session.commit()
    before = entries(session)

    exported = export(session, now, authority.code)
    report, rejects, _ = run(session, now, exported, authority.code)

    assert (report.inserted, report.updated, report.unchanged, report.rejected) == (0, 0, 41, 0), rejects
    assert entries(session) == before
    lines = list(csv.reader(io.StringIO(exported)))
    assert lines[0][:3] == ["NR3S Reference", "Authority Reference", "Licensing Authority"]
    own = next(line for line in lines if line[1] == "RE/own")
    assert (
        own[0] == "" and own[2] == authority.name and own[12:] == ["Revocation", "10/01/2025", "31/01/2025"]
    )
    assert not any(line[1] == "RE/overturned" for line in lines)
    assert before[own_id(session, "RE/own")]["category"] == "sexual_offences"  # kept, never exported
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "register_entry.export")).one()
    assert event.detail == {"format": "nr3s", "authority_code": authority.code, "entries": 41}


def own_id(session, ref: str) -> int:
    """Return the id of the entry filed under `ref`."""
    return session.scalar(select(RegisterEntry.id).where(RegisterEntry.ref == ref))


def test_a_dry_run_counts_what_would_change_and_keeps_nothing(session, now):
    recording, licensing_council = make_authority(session), make_authority(session)
    make_licence(session, authority_id=licensing_council.id)

    report, _, _ = run(session, now, nr3s_csv(nr3s_line("N1"), nr3s_line("N2", decision="x")),
                       recording.code, dry_run=True)  # fmt: skip

    assert (report.inserted, report.rejected) == (1, 1)
    assert (count(session, RegisterEntry), count(session, Alert), count(session, AuditEvent)) == (0, 0, 0)


def test_an_entry_from_nr3s_can_be_given_a_category_but_no_council_chooses_not_recorded(session, now):
    authority = make_authority(session)
    run(session, now, nr3s_csv(nr3s_line()), authority.code)
    entry = session.scalars(select(RegisterEntry)).one()
    officer = Actor(kind="user", id=None, label="Officer", authority_id=authority.id)

    amend_entry(session, officer, entry.id, "amended", {"effective_on": date(2025, 2, 1)}, now)
    assert entry.category == "not_recorded"
    amend_entry(session, officer, entry.id, "amended", {"category": "violence"}, now)
    assert entry.category == "violence"
    with pytest.raises(ValidationFailed):
        record_entry(session, officer, identity() | {"ref": "X", "decision": "revocation",
                     "category": "not_recorded", "decided_on": date(2025, 1, 1),
                     "effective_on": date(2025, 1, 1)}, now)  # fmt: skip


def test_the_api_shows_an_entry_from_nr3s_with_its_reference_and_category(client, session, now):
    authority = make_authority(session)
    run(session, now, nr3s_csv(nr3s_line("NR3S-42")), authority.code)
    key = make_api_client(session, authority_id=authority.id)[1]
    entry_id = session.scalar(select(RegisterEntry.id))

    shown = client.get(f"/api/v1/register-entries/{entry_id}", headers={"Authorization": f"Bearer {key}"})

    assert shown.status_code == 200
    assert (shown.json["nr3s_ref"], shown.json["category"], shown.json["ref"]) == (
        "NR3S-42",
        "not_recorded",
        "NR3S-42",
    )
    document = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert "not_recorded" in document["Entry"]["properties"]["category"]["enum"]


def nr3s_of(bad: dict) -> str:
    """Return an NR3S file of one row: the default identity and decision with `bad` over them."""
    fields = identity() | {"decided_on": date(2025, 1, 10), "effective_on": date(2025, 1, 31)} | bad
    row = {"NR3S Reference": "NR3S-1", "Decision": "Revocation"} | {
        EXPORT_HEADINGS[name]: value.isoformat() if isinstance(value, date) else value
        for name, value in fields.items()
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue()


@pytest.mark.parametrize("bad", [*BAD_IDENTITIES.values(), *BAD_DECISIONS.values()],
                         ids=[*BAD_IDENTITIES, *BAD_DECISIONS])  # fmt: skip
def test_an_nr3s_row_is_held_to_the_input_rules_of_every_other_way_in(session, now, bad):
    authority = make_authority(session)
    report, rejects, _ = run(session, now, nr3s_of(bad), authority.code)
    assert (report.rejected, report.inserted) == (1, 0), rejects
    assert count(session, RegisterEntry) == 0
