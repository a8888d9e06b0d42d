"""CSV rows of the people, register and licence formats: header checks and per-row validation.

A row that breaks a rule raises RowRejected with the reason written to the rejects file. The identity is
read by the rule every entry point follows (licensing/identity/validation.py): a date of birth that cannot be
read rejects the row, and an identifier that is not valid is kept as given and listed as a warning. Dates are
read in ISO or the UK's day-first forms, and checked by the API's rules (licensing/dates.py).
"""

import csv
from collections.abc import Iterable
from datetime import date
from typing import TextIO

from licensing.csvfiles import QUOTE, SafeWriter, csv_writer, restored
from licensing.dates import (
    EARLIEST,
    UnreadableDate,
    decision_problems,
    long_date,
    read_date,
    sentence,
    term_problem,
)
from licensing.errors import ValidationFailed
from licensing.identity.fields import IDENTITY_FIELDS, NAMES
from licensing.identity.validation import clean_identity, warning_kind
from licensing.licences.dbs import DBS_FIELDS, certificate_number, subscription_lacks
from licensing.persistence.models.records import DECISION_CATEGORIES, DECISIONS, LICENCE_TYPES

PEOPLE_COLUMNS = ("ref", *IDENTITY_FIELDS)
PEOPLE_REQUIRED = ("ref", *NAMES)
# After the people columns, each required.
_REGISTER = ("authority_code", "decision", "decided_on", "effective_on")
_LICENCE = ("authority_code", "badge_number", "licence_type", "granted_on", "expires_on")
REGISTER_COLUMNS = (*PEOPLE_COLUMNS, *_REGISTER)
REGISTER_REQUIRED = (*PEOPLE_REQUIRED, *_REGISTER)
LICENCE_COLUMNS = (*PEOPLE_COLUMNS, *_LICENCE)
LICENCE_REQUIRED = (*PEOPLE_REQUIRED, *_LICENCE)
# Optional trailing licence columns: a file that has them states each licence's DBS details (an empty
# value: none held); a file without them leaves the details stored untouched.
LICENCE_OPTIONAL = DBS_FIELDS
YES_NO = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
}
REF_WIDTH = 64
# The key a row that could not be read as CSV carries, with the reason, in place of its columns: not a
# string, so no header can name it, and equal to itself when the row is passed to a worker process.
UNREADABLE = ("unreadable",)
STOPPED = "the file is not read past this line"


class RowRejected(Exception):
    """One CSV row breaks a rule; the message is the reason written to the rejects file."""


def reader_for(stream: TextIO, required: Iterable[str]) -> csv.DictReader:
    """Return a DictReader over `stream` whose header holds every required column, each once."""
    reader = csv.DictReader(stream)
    try:
        names = reader.fieldnames
    except csv.Error as error:
        raise ValidationFailed(f"The header row cannot be read: {unreadable_reason(error)}.") from None
    if not names:
        raise ValidationFailed("The file is empty: it has no header row.")
    names = [restored(name).strip().lstrip("\ufeff").strip().lower() for name in names]
    missing = [name for name in required if name not in names]
    if missing:
        raise ValidationFailed(f"The header lacks required column(s): {', '.join(missing)}.")
    # A column named twice would be read from one of the two in silence: refuse rather than guess.
    if repeated := sorted({name for name in names if name and names.count(name) > 1}):
        raise ValidationFailed(f"The header names column(s) more than once: {', '.join(repeated)}.")
    reader.fieldnames = names
    return reader


def unreadable_reason(error: csv.Error) -> str:
    """Return why the csv module could not read a row, in words an operator can act on."""
    if "field larger than field limit" in str(error):
        limit = csv.field_size_limit()
        return f"a value is longer than {limit:,} characters, more than any column holds; {STOPPED}"
    return f"it is not valid CSV ({error}); {STOPPED}"


def parse_person(raw: dict, today: date) -> tuple[dict, list[dict]]:
    """Validate the people columns of a row; return identity values and warnings, or raise RowRejected."""
    if UNREADABLE in raw:
        raise RowRejected(raw[UNREADABLE])
    if raw.get(None):
        raise RowRejected("the row has more values than the header has columns")
    # PostgreSQL can neither store nor compare text holding a NUL, whichever column it is in.
    if _holds(raw, "\x00"):
        held = [name for name, value in raw.items() if name and value and "\x00" in value]
        raise RowRejected(f"{', '.join(held)}: must not hold a NUL character")
    ref = (raw.get("ref") or "").strip()
    if not ref or len(ref) > REF_WIDTH:
        raise RowRejected(f"ref is required and must be at most {REF_WIDTH} characters")
    try:
        values, warnings = clean_identity({name: raw.get(name) for name in IDENTITY_FIELDS}, today)
    except ValidationFailed as failure:
        raise RowRejected("; ".join(f"{e['field']}: {e['message']}" for e in failure.errors)) from None
    return {"ref": ref} | values, warnings


def parse_date(raw: dict, name: str) -> date:
    """Return a required date column (ISO or day first), or raise RowRejected."""
    value = (raw.get(name) or "").strip()
    if not value:
        raise RowRejected(f"{name} is required")
    try:
        day = read_date(value)
    except UnreadableDate as unreadable:
        raise RowRejected(f"{name}: {sentence(str(unreadable))}") from None
    if day < EARLIEST:
        raise RowRejected(f"{name}: Must not be before {long_date(EARLIEST)}.")
    return day


def warnings_writer(stream: TextIO | None) -> SafeWriter | None:
    """Return a CSV writer of warnings (FILE.warnings.csv) with its header written, or None."""
    if stream is None:
        return None
    writer = csv_writer(stream)
    writer.writerow(["line", "ref", "field", "value", "warning"])
    return writer


def list_warnings(writer: SafeWriter | None, report, line: int, raw: dict, warnings: list[dict]) -> None:
    """Write one row's warnings, each with the value as the file gave it, and count them by kind."""
    for warning in warnings:
        if writer is not None:
            value = (raw.get(warning["field"]) or "").strip()
            writer.writerow(
                [line, (raw.get("ref") or "").strip(), warning["field"], value, warning["warning"]]
            )
        report.warnings += 1
        report.warning_kinds[warning_kind(warning)] += 1


def data_rows(reader: csv.DictReader) -> Iterable[tuple[int, dict]]:
    """Yield (line number, row) for every row that holds any value; blank lines are skipped.

    A cell our own CSV files neutralised (a rejects file corrected and imported again) is read as it was.
    A row the csv module cannot read (a value over its field size limit) is yielded as {UNREADABLE:
    reason}, to be rejected like any other bad row, and reading stops there: a quote left open in that
    row would run on into the lines after it, and they would be read as rows they are not.
    """
    rows = iter(reader)
    while True:
        try:
            raw = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            # The DictReader counts a line once it is read; the csv reader under it has counted this one.
            yield reader.reader.line_num, {UNREADABLE: unreadable_reason(error)}
            return
        if any((v or "").strip() for k, v in raw.items() if k is not None) or raw.get(None):
            yield reader.line_num, _restored(raw)


def _restored(raw: dict) -> dict:
    """Return a row with each cell our CSV writer neutralised read as it was."""
    if not _holds(raw, QUOTE):
        return raw
    return {name: restored(value) if isinstance(value, str) else value for name, value in raw.items()}


def _holds(raw: dict, char: str) -> bool:
    """Tell whether any cell of a row may hold `char`: one search in C, as few rows do."""
    try:
        return char in "".join(raw.values())
    except TypeError:  # a short row's missing values (None) or a long row's extra ones (a list)
        return True


def parse_entry(raw: dict, authorities: dict, today: date) -> tuple[dict, list[dict]]:
    """Validate one register row; return its column values and warnings, or raise RowRejected."""
    values, warnings = parse_person(raw, today)
    values["authority_id"] = _authority(raw, authorities)
    values["decision"] = _one_of(raw, "decision", DECISIONS)
    decided_on, effective_on = parse_date(raw, "decided_on"), parse_date(raw, "effective_on")
    if problems := decision_problems(decided_on, effective_on, today):
        name, problem = problems[0]
        raise RowRejected(f"{name}: {sentence(problem)}")
    values |= {"decided_on": decided_on, "effective_on": effective_on}
    if "category" in raw:  # an optional column: a file without it leaves stored categories alone
        values["category"] = (
            _one_of(raw, "category", DECISION_CATEGORIES) if (raw["category"] or "").strip() else None
        )
    return values | {"identity_warnings": warnings}, warnings


def _one_of(raw: dict, name: str, allowed: tuple[str, ...]) -> str:
    """Return a column that must hold one of `allowed` (any case), or reject the row."""
    value = (raw.get(name) or "").strip().lower()
    if value not in allowed:
        raise RowRejected(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def parse_licence(raw: dict, authorities: dict, today: date) -> tuple[dict, list[dict]]:
    """Validate one licence row; return its column values and warnings, or raise RowRejected."""
    values, warnings = parse_person(raw, today)
    values["authority_id"] = _authority(raw, authorities)
    badge = (raw.get("badge_number") or "").strip()
    if not badge or len(badge) > 32:
        raise RowRejected("badge_number is required and must be at most 32 characters")
    licence_type = (raw.get("licence_type") or "").strip().lower()
    if licence_type not in LICENCE_TYPES:
        raise RowRejected(f"licence_type must be one of {', '.join(LICENCE_TYPES)}, not {licence_type!r}")
    granted_on, expires_on = parse_date(raw, "granted_on"), parse_date(raw, "expires_on")
    if problem := term_problem(granted_on, expires_on):
        raise RowRejected(f"expires_on: {problem}")
    status = "expired" if expires_on < today else "active"
    values |= {"badge_number": badge, "licence_type": licence_type, "granted_on": granted_on}
    values |= {"expires_on": expires_on, "status": status}
    return values | _dbs_columns(raw, warnings, today) | {"identity_warnings": warnings}, warnings


def _dbs_columns(raw: dict, warnings: list[dict], today: date) -> dict:
    """Return the DBS details of the optional columns the file has; an invalid one is left out, warned."""
    given = {name: (raw.get(name) or "").strip() for name in DBS_FIELDS if name in raw}
    found = {name: _dbs_value(name, value, today, warnings) for name, value in given.items()}
    if found.get("dbs_update_service") and subscription_lacks(found):
        lacks = "needs dbs_certificate_number and dbs_consent_on; left out"
        warnings.append({"field": "dbs_update_service", "warning": lacks})
        found["dbs_update_service"] = False
    if "dbs_update_service" in found:
        found["dbs_update_service"] = bool(found["dbs_update_service"])
    return found


def _dbs_value(name: str, value: str, today: date, warnings: list[dict]):
    """Return one DBS column read, None when empty; a value that is not valid is left out, warned."""
    if not value:
        return None
    try:
        if name == "dbs_certificate_number":
            return certificate_number(value)
        if name == "dbs_update_service":
            return YES_NO[value.lower()]
        day = read_date(value)
        if day > today:
            raise ValueError("in the future")
        return day
    except (KeyError, ValueError):  # an unreadable date is a ValueError too
        warnings.append({"field": name, "warning": "not valid; left out"})
        return None


def _authority(raw: dict, authorities: dict) -> int:
    """Return the id of the row's authority, or reject the row."""
    code = (raw.get("authority_code") or "").strip().upper()
    if code not in authorities:
        raise RowRejected(f"unknown authority_code {code!r}" if code else "authority_code is required")
    return authorities[code]
