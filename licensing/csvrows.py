"""CSV rows of the people, register and licence formats: header checks and per-row validation.

A row that breaks a rule raises RowRejected with the reason written to the rejects file. An invalid
*optional* identifier (NI number, driving licence number, postcode, date of birth, sex) does not reject
the row: it is left out, so it can never become a false exact key, and reported as a warning.
"""

import csv
import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import TextIO

from licensing.dbs import DBS_FIELDS, certificate_number, subscription_lacks
from licensing.errors import ValidationFailed
from licensing.models.records import DECISIONS, LICENCE_TYPES

PEOPLE_COLUMNS = (
    *("ref", "given_names", "family_name", "previous_names", "date_of_birth", "sex", "address", "postcode"),
    *("ni_number", "driving_licence_number"),
)
PEOPLE_REQUIRED = ("ref", "given_names", "family_name")
REGISTER_COLUMNS = (*PEOPLE_COLUMNS, "authority_code", "decision", "decided_on", "effective_on")
LICENCE_COLUMNS = (
    *PEOPLE_COLUMNS,
    "authority_code",
    "badge_number",
    "licence_type",
    "granted_on",
    "expires_on",
)
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
REGISTER_REQUIRED = (
    "ref",
    "given_names",
    "family_name",
    "authority_code",
    "decision",
    "decided_on",
    "effective_on",
)
LICENCE_REQUIRED = (
    "ref",
    *(
        "given_names",
        "family_name",
        "authority_code",
        "badge_number",
        "licence_type",
        "granted_on",
        "expires_on",
    ),
)
SEX_WORDS = {"f": "F", "female": "F", "m": "M", "male": "M", "x": "X"}
NI_NUMBER = re.compile(r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$")
GB_LICENCE = re.compile(
    r"^(?=.{16}$)[A-Z]{1,5}9{0,4}[0-9](?:[05][1-9]|[16][0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]"
    r"(?:99|[A-Z][A-Z9])(?![IOQYZ01_])\w[A-Z]{2}$"
)
NI_LICENCE = re.compile(r"^[0-9]{8}$")
POSTCODE = re.compile(r"^(?:[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}|GIR0AA)$")
WIDTHS = {"ref": 64, "given_names": 200, "family_name": 200, "previous_names": 2000, "address": 500}


class RowRejected(Exception):
    """One CSV row breaks a rule; the message is the reason written to the rejects file."""


def reader_for(stream: TextIO, required: Iterable[str]) -> csv.DictReader:
    """Return a DictReader over `stream` whose header holds every required column."""
    reader = csv.DictReader(stream)
    if not reader.fieldnames:
        raise ValidationFailed("The file is empty: it has no header row.")
    reader.fieldnames = [name.strip().lstrip("\ufeff").strip().lower() for name in reader.fieldnames]
    missing = [name for name in required if name not in reader.fieldnames]
    if missing:
        raise ValidationFailed(f"The header lacks required column(s): {', '.join(missing)}.")
    return reader


def parse_person(raw: dict) -> tuple[dict, list[str]]:
    """Validate the people columns of a row; return identity values and warnings, or raise RowRejected."""
    if raw.get(None):
        raise RowRejected("the row has more values than the header has columns")
    values = {name: (raw.get(name) or "").strip() for name in PEOPLE_COLUMNS}
    for name in PEOPLE_REQUIRED:
        if not values[name]:
            raise RowRejected(f"{name} is required")
    for name, width in WIDTHS.items():
        if len(values[name]) > width:
            raise RowRejected(f"{name} is longer than {width} characters")
    values["previous_names"] = ";".join(p.strip() for p in values["previous_names"].split(";") if p.strip())
    warnings: list[str] = []
    values["date_of_birth"] = _optional(warnings, "date_of_birth", values["date_of_birth"], _iso_date)
    values["sex"] = _optional(warnings, "sex", values["sex"], lambda v: SEX_WORDS.get(v.lower()))
    values["postcode"] = _optional(warnings, "postcode", values["postcode"], _postcode)
    values["ni_number"] = _optional(warnings, "ni_number", values["ni_number"], _ni_number)
    licence = values["driving_licence_number"]
    values["driving_licence_number"] = _optional(warnings, "driving_licence_number", licence, _licence_number)
    return values, warnings


def parse_date(raw: dict, name: str) -> date:
    """Return a required ISO date column, or raise RowRejected."""
    value = (raw.get(name) or "").strip()
    parsed = _iso_date(value) if value else None
    if parsed is None:
        raise RowRejected(
            f"{name} must be an ISO date (YYYY-MM-DD), not {value!r}" if value else f"{name} is required"
        )
    return parsed


def _optional(warnings: list[str], name: str, value: str, clean: Callable[[str], object]):
    """Return the cleaned optional value, or None with a warning when it is present but invalid."""
    if not value:
        return None
    cleaned = clean(value)
    if cleaned is None:
        warnings.append(f"{name} {value!r} is not valid and was left out")
    return cleaned


def _iso_date(value: str) -> date | None:
    """Return the date written as YYYY-MM-DD, or None."""
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _postcode(value: str) -> str | None:
    """Return a UK postcode in its standard spacing, or None."""
    compact = re.sub(r"\s+", "", value).upper()
    return f"{compact[:-3]} {compact[-3:]}" if POSTCODE.match(compact) else None


def _ni_number(value: str) -> str | None:
    """Return a National Insurance number without spaces, or None when its letters are not allocatable."""
    compact = re.sub(r"\s+", "", value).upper()
    return compact if NI_NUMBER.match(compact) else None


def _licence_number(value: str) -> str | None:
    """Return a GB (16-character) or Northern Ireland (8-digit) driving licence number, or None."""
    compact = re.sub(r"\s+", "", value).upper()
    return compact if GB_LICENCE.match(compact) or NI_LICENCE.match(compact) else None


def data_rows(reader: csv.DictReader) -> Iterable[tuple[int, dict]]:
    """Yield (line number, row) for every row that holds any value; blank lines are skipped."""
    for raw in reader:
        if any((v or "").strip() for k, v in raw.items() if k is not None) or raw.get(None):
            yield reader.line_num, raw


def parse_entry(raw: dict, authorities: dict, today: date) -> tuple[dict, list[str]]:
    """Validate one register row; return its column values and warnings, or raise RowRejected."""
    values, warnings = parse_person(raw)
    values["authority_id"] = _authority(raw, authorities)
    decision = (raw.get("decision") or "").strip().lower()
    if decision not in DECISIONS:
        raise RowRejected(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    values["decision"] = decision
    values["decided_on"] = parse_date(raw, "decided_on")
    values["effective_on"] = parse_date(raw, "effective_on")
    return values, warnings


def parse_licence(raw: dict, authorities: dict, today: date) -> tuple[dict, list[str]]:
    """Validate one licence row; return its column values and warnings, or raise RowRejected."""
    values, warnings = parse_person(raw)
    values["authority_id"] = _authority(raw, authorities)
    badge = (raw.get("badge_number") or "").strip()
    if not badge or len(badge) > 32:
        raise RowRejected("badge_number is required and must be at most 32 characters")
    licence_type = (raw.get("licence_type") or "").strip().lower()
    if licence_type not in LICENCE_TYPES:
        raise RowRejected(f"licence_type must be one of {', '.join(LICENCE_TYPES)}, not {licence_type!r}")
    granted_on, expires_on = parse_date(raw, "granted_on"), parse_date(raw, "expires_on")
    if expires_on < granted_on:
        raise RowRejected("expires_on is before granted_on")
    status = "expired" if expires_on < today else "active"
    values |= {"badge_number": badge, "licence_type": licence_type, "granted_on": granted_on}
    values |= {"expires_on": expires_on, "status": status}
    return values | _dbs_columns(raw, warnings, today), warnings


def _dbs_columns(raw: dict, warnings: list[str], today: date) -> dict:
    """Return the DBS details of the optional columns the file has; an invalid one is left out, warned."""
    given = {name: (raw.get(name) or "").strip() for name in LICENCE_OPTIONAL if name in raw}
    found = {
        "dbs_certificate_number": _optional(
            warnings, "dbs_certificate_number", given.get("dbs_certificate_number"), _certificate
        ),
        "dbs_update_service": _optional(
            warnings, "dbs_update_service", given.get("dbs_update_service"), lambda v: YES_NO.get(v.lower())
        ),
        "dbs_consent_on": _optional(
            warnings, "dbs_consent_on", given.get("dbs_consent_on"), lambda v: _past_date(v, today)
        ),
    }
    if found["dbs_update_service"] and subscription_lacks(found):
        warnings.append("dbs_update_service 'yes' needs dbs_certificate_number and dbs_consent_on; left out")
        found["dbs_update_service"] = False
    found["dbs_update_service"] = bool(found["dbs_update_service"])
    return {name: found[name] for name in given}


def _certificate(value: str) -> str | None:
    """Return a DBS certificate number (12 digits) without spaces, or None."""
    try:
        return certificate_number(value)
    except ValueError:
        return None


def _past_date(value: str, today: date) -> date | None:
    """Return a date that is not in the future, or None."""
    day = _iso_date(value)
    return day if day is not None and day <= today else None


def _authority(raw: dict, authorities: dict) -> int:
    """Return the id of the row's authority, or reject the row."""
    code = (raw.get("authority_code") or "").strip().upper()
    if code not in authorities:
        raise RowRejected(f"unknown authority_code {code!r}" if code else "authority_code is required")
    return authorities[code]
