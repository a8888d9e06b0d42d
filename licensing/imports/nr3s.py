"""The NR3S file: a council's NR3S records read into register entries, and its register written back out.

NR3S holds, for each refusal, suspension or revocation: the person's name, date of birth, address, NI
number and driving licence number, the decision, when it was made and when it took effect, the recording
council, and NR3S's own reference. It keeps no reasons. docs/nr3s.md lists the columns and how each maps
to an entry.

The rows are checked by the register format's rules (licensing/imports/formats.py): the same identity
rule, the same date rule, rejects and warnings alike. What differs is read here: the headings (matched
however they are spelt: "NI Number", "ni_number" and "National Insurance Number" are one column), NR3S's
decision words, the reference an entry is kept under, and the council the file belongs to.
"""

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import TextIO

from sqlmodel import Session

from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.csvfiles import csv_writer
from licensing.dates import decision_problems, sentence
from licensing.errors import NotFound, ValidationFailed
from licensing.imports import queries
from licensing.imports.formats import REF_WIDTH, RowRejected, parse_date, parse_person, reader_for
from licensing.register import queries as register_queries

# Each column as this module names it, and the headings it is known by (compared as lower-case words).
HEADINGS = {
    "nr3s_ref": ("nr3s reference", "nr3s ref", "nr3s id", "nr3s number"),
    "ref": ("authority reference", "council reference", "local reference", "ref"),
    "licensing_authority": ("licensing authority", "recording authority", "authority", "council"),
    "family_name": ("surname", "family name", "last name"),
    "given_names": ("forenames", "forename", "forename s", "first names", "first name", "given names"),
    "previous_names": ("other names", "previous names", "aliases", "alias"),
    "date_of_birth": ("date of birth", "dob", "birth date"),
    "sex": ("sex", "gender"),
    "address": ("address", "home address"),
    "postcode": ("postcode", "post code"),
    "ni_number": ("ni number", "national insurance number", "nino", "ni no"),
    "driving_licence_number": (
        "driving licence number",
        "driving licence no",
        "driver number",
        "dvla licence number",
    ),
    "decision": ("decision", "decision type"),
    "decided_on": ("decision date", "date of decision", "decided on"),
    "effective_on": ("effective date", "date effective", "effective on", "effective from"),
}
_COLUMN_OF = {heading: column for column, known in HEADINGS.items() for heading in known}
REQUIRED = ("family_name", "given_names", "decision", "decided_on", "effective_on")
# The headings an export writes, in order: the first of each column's known headings, title-cased.
EXPORT_HEADINGS = {
    "nr3s_ref": "NR3S Reference",
    "ref": "Authority Reference",
    "licensing_authority": "Licensing Authority",
    "family_name": "Surname",
    "given_names": "Forenames",
    "previous_names": "Other Names",
    "date_of_birth": "Date of Birth",
    "sex": "Sex",
    "address": "Address",
    "postcode": "Postcode",
    "ni_number": "NI Number",
    "driving_licence_number": "Driving Licence Number",
    "decision": "Decision",
    "decided_on": "Decision Date",
    "effective_on": "Effective Date",
}
NR3S_COLUMNS = tuple(EXPORT_HEADINGS)

# NR3S's words for a decision (lower-case words), and ours. A bare "refusal" does not say whether a grant
# or a renewal was refused: it is kept as a refusal of grant, with a warning to correct it if need be.
DECISION_WORDS = {
    "refusal to grant": "refusal_of_grant",
    "refusal of grant": "refusal_of_grant",
    "refused grant": "refusal_of_grant",
    "refusal of application": "refusal_of_grant",
    "refusal new": "refusal_of_grant",
    "refusal of grant of licence": "refusal_of_grant",
    "refusal to renew": "refusal_of_renewal",
    "refusal of renewal": "refusal_of_renewal",
    "refused renewal": "refusal_of_renewal",
    "renewal refused": "refusal_of_renewal",
    "refusal renewal": "refusal_of_renewal",
    "suspension": "suspension",
    "suspended": "suspension",
    "revocation": "revocation",
    "revoked": "revocation",
}
BARE_REFUSAL = ("refusal", "refused")
REFUSAL_UNSAID = "does not say whether a grant or a renewal was refused; recorded as a refusal of grant"
# The words an export writes for each of our decisions (each read back as the same decision).
EXPORT_DECISIONS = {
    "refusal_of_grant": "Refusal to grant",
    "refusal_of_renewal": "Refusal to renew",
    "suspension": "Suspension",
    "revocation": "Revocation",
}
EXPORT_DATE = "%d/%m/%Y"  # day first, as councils' spreadsheets write dates
EXPORT_PAGE = 5_000


def words(text: str) -> str:
    """Return text as lower-case words separated by single spaces (punctuation and underscores dropped)."""
    return " ".join(re.split(r"[^0-9a-z]+", text.lower())).strip()


def nr3s_reader(stream: TextIO) -> csv.DictReader:
    """Return a DictReader over an NR3S file, its headings turned into our column names.

    Refuses a header that lacks a required column, names one column twice, or has neither reference.
    """
    reader = reader_for(stream, ())
    names = [_COLUMN_OF.get(words(name), name) for name in reader.fieldnames]
    missing = [EXPORT_HEADINGS[column] for column in REQUIRED if column not in names]
    if missing:
        raise ValidationFailed(f"The header lacks required column(s): {', '.join(missing)}.")
    if "nr3s_ref" not in names and "ref" not in names:
        raise ValidationFailed("The header needs an NR3S Reference or an Authority Reference column.")
    repeated = sorted({EXPORT_HEADINGS.get(n, n) for n in names if n and names.count(n) > 1})
    if repeated:
        raise ValidationFailed(f"The header names column(s) more than once: {', '.join(repeated)}.")
    reader.fieldnames = names
    return reader


def parse_nr3s(raw: dict, authority: dict, today: date) -> tuple[dict, list[dict]]:
    """Validate one NR3S row of `authority` ({id, code, name}); return its entry's values and warnings.

    The entry is kept under the council's own reference when the row gives one, else under NR3S's; the
    category is not read (NR3S keeps none): a new entry gets 'not_recorded', a stored one keeps its own.
    """
    nr3s_ref = (raw.get("nr3s_ref") or "").strip()
    ref = (raw.get("ref") or "").strip() or nr3s_ref
    if not ref:
        raise RowRejected("NR3S Reference or Authority Reference is required")
    if len(nr3s_ref) > REF_WIDTH:
        raise RowRejected(f"NR3S Reference must be at most {REF_WIDTH} characters")
    _check_authority(raw, authority)
    values, warnings = parse_person(raw | {"ref": ref}, today)
    identity_warnings = list(warnings)
    decision, unsaid = _decision(raw)
    if unsaid:
        warnings = [*warnings, {"field": "decision", "warning": REFUSAL_UNSAID}]
    decided_on, effective_on = parse_date(raw, "decided_on"), parse_date(raw, "effective_on")
    if problems := decision_problems(decided_on, effective_on, today):
        name, problem = problems[0]
        raise RowRejected(f"{name}: {sentence(problem)}")
    values |= {"authority_id": authority["id"], "nr3s_ref": nr3s_ref or None, "decision": decision}
    values |= {"decided_on": decided_on, "effective_on": effective_on}
    return values | {"identity_warnings": identity_warnings}, warnings


def _check_authority(raw: dict, authority: dict) -> None:
    """Reject a row that names a council other than the one importing the file."""
    named = words(raw.get("licensing_authority") or "")
    if named and named not in (words(authority["code"]), words(authority["name"])):
        given = (raw.get("licensing_authority") or "").strip()
        raise RowRejected(f"Licensing Authority {given!r} is not {authority['name']} ({authority['code']})")


def _decision(raw: dict) -> tuple[str, bool]:
    """Return our decision for the row's NR3S decision, and whether a bare refusal left it unsaid."""
    given = (raw.get("decision") or "").strip()
    said = words(given)
    if said in BARE_REFUSAL:
        return "refusal_of_grant", True
    decision = DECISION_WORDS.get(said)  # our own names too: "refusal_of_grant" reads "refusal of grant"
    if decision is None:
        known = ", ".join(EXPORT_DECISIONS.values())
        raise RowRejected(f"Decision must be one of {known} (or Refusal), not {given!r}" if given else
                          "Decision is required")  # fmt: skip
    return decision, False


def write_nr3s(out: TextIO, entries: Iterable, authority_name: str) -> int:
    """Write `entries` as an NR3S file (header first); return how many were written."""
    writer = csv_writer(out)
    writer.writerow(EXPORT_HEADINGS.values())
    count = 0
    for entry in entries:
        writer.writerow(nr3s_row(entry, authority_name))
        count += 1
    return count


def nr3s_row(entry, authority_name: str) -> list[str]:
    """Return one entry as the cells of an NR3S row, in NR3S_COLUMNS order."""
    cells = {
        "nr3s_ref": entry.nr3s_ref or "",
        "licensing_authority": authority_name,
        "decision": EXPORT_DECISIONS[entry.decision],
    }
    for column in NR3S_COLUMNS:
        if column not in cells:
            value = getattr(entry, column)
            cells[column] = value.strftime(EXPORT_DATE) if isinstance(value, date) else value or ""
    return [cells[column] for column in NR3S_COLUMNS]


def export_nr3s(session: Session, actor: Actor, authority_code: str, out: TextIO, now: datetime) -> int:
    """Write a council's current register entries to `out` as an NR3S file; audit it; return how many.

    Only current entries are written: one overturned or removed is no longer on the register, so it is
    left out of NR3S too. The file imported again changes nothing (docs/nr3s.md).
    """
    code = (authority_code or "").strip().upper()
    authority = queries.authority_by_code(session, code)
    if authority is None:
        raise NotFound(f"No licensing authority has the code {authority_code!r}.")
    count = write_nr3s(out, _current_entries(session, authority.id), authority.name)
    detail = {"format": "nr3s", "authority_code": code, "entries": count}
    audit.record(session, actor, "register_entry.export", "register_entry", None, now=now, detail=detail)
    return count


def _current_entries(session: Session, authority_id: int) -> Iterator:
    """Yield the authority's current entries in id order, EXPORT_PAGE at a time."""
    after = 0
    while page := register_queries.entries_after(
        session, (authority_id,), status="current", after=after, limit=EXPORT_PAGE
    ):
        yield from page
        after = page[-1].id
        for entry in page:  # what was written is not needed again
            session.expunge(entry)
