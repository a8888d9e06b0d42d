"""Reference data: every licensing authority and police force, loaded from the CSV files beside this module.

Sources and the as-of date are in README.md here. Loading is an upsert by GSS code, so running it again
changes nothing, and a renamed council is renamed rather than duplicated. The statements are built in
queries.py.
"""

import csv
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from sqlmodel import Session

from licensing.actors import SYSTEM, Actor
from licensing.audit import log as audit
from licensing.errors import DuplicateReference, NotFound, ValidationFailed
from licensing.persistence.models.organisations import NATIONS, Authority, PoliceForce
from licensing.reference import queries

DATA_DIR = Path(__file__).resolve().parent
AUTHORITIES_CSV = DATA_DIR / "authorities.csv"
POLICE_FORCES_CSV = DATA_DIR / "police_forces.csv"
# Unitary (E06), shire district (E07), metropolitan (E08) and London borough (E09) codes; Welsh principal
# councils (W06); Scottish councils (S12).
AUTHORITY_CODE = re.compile(r"^(E0[6-9]|W06|S12)\d{6}$")
# Transport for London licenses every London taxi and PHV driver, in place of the 32 boroughs and the
# City; it has no council code, so it carries the London region's GSS code.
TFL_CODE = "E12000007"
POLICE_FORCE_CODE = re.compile(r"^(E23|W15|S23)\d{6}$")
NATION_BY_PREFIX = {"E": "england", "W": "wales", "S": "scotland"}
CONCERN_URL_LENGTH = 500


@dataclass(frozen=True)
class LoadCounts:
    """What one load did to one table."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        """Return the number of rows the file holds."""
        return self.added + self.updated + self.unchanged


@dataclass(frozen=True)
class ReferenceCounts:
    """What one load did to the authorities and the police forces."""

    authorities: LoadCounts
    police_forces: LoadCounts

    @property
    def changed(self) -> bool:
        """Tell whether the load added or renamed anything."""
        return any(c.added or c.updated for c in (self.authorities, self.police_forces))

    def summary(self) -> str:
        """Describe the load in one line."""
        a, p = self.authorities, self.police_forces
        return (
            f"{a.total} authorities ({a.added} added, {a.updated} updated), "
            f"{p.total} police forces ({p.added} added, {p.updated} updated)"
        )


def read_rows(path: Path) -> list[dict]:
    """Return the rows of one reference CSV file as dicts of code, name and nation."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def load_reference(session: Session, now: datetime, actor: Actor = SYSTEM) -> ReferenceCounts:
    """Upsert every authority and police force from the bundled files; return what changed."""
    counts = ReferenceCounts(
        authorities=_upsert(session, Authority, read_rows(AUTHORITIES_CSV)),
        police_forces=_upsert(session, PoliceForce, read_rows(POLICE_FORCES_CSV)),
    )
    if counts.changed:
        detail = {"authorities": vars(counts.authorities), "police_forces": vars(counts.police_forces)}
        audit.record(session, actor, "reference.loaded", "reference", None, now=now, detail=detail)
    return counts


def add_authority(
    session: Session, code: str, name: str, nation: str, *, now: datetime, actor: Actor = SYSTEM
) -> Authority:
    """Add one licensing authority after checking its code and nation; refuse a code already held."""
    code, name, nation = check_authority(code, name, nation)
    if queries.organisation_by_code(session, Authority, code) is not None:
        raise DuplicateReference(f"An authority with code {code} already exists.")
    authority = Authority(code=code, name=name, nation=nation)
    session.add(authority)
    session.flush()
    audit.record(session, actor, "authority.added", "authority", authority.id, now=now, detail={"code": code})
    return authority


def list_authorities(session: Session, nation: str | None = None) -> list[Authority]:
    """Return the authorities, optionally of one nation, in code order."""
    return queries.authorities(session, nation)


def authority_by_code(session: Session, code: str) -> Authority | None:
    """Return the authority with this GSS code, if any."""
    return queries.organisation_by_code(session, Authority, code.strip().upper())


def set_concern_url(session: Session, code: str, url: str, *, now: datetime, actor: Actor) -> Authority:
    """Set (or, given "", clear) the council's page for reporting a concern about a driver; audited.

    A council's officer or key sets only its own council's (the officer pages let only its administrator
    ask); an operator (the command line) sets any. The address must be https: residents follow it from
    the public check.
    """
    authority = authority_by_code(session, code)
    if authority is None or actor.authority_id not in (None, authority.id):
        raise NotFound(f"No authority with code {code}.")
    if actor.authority_id is None:
        actor.require_scope("admin")  # an operator, not a police force's key
    url = (url or "").strip()
    if url and not _safe_page(url):
        message = f"Enter a web address that starts with https://, {CONCERN_URL_LENGTH} characters or fewer."
        raise ValidationFailed(
            "The concern page address is not valid.", [{"field": "url", "message": message}]
        )
    detail = {"code": authority.code, "from": authority.concern_url, "to": url or None}
    authority.concern_url = url or None
    session.add(authority)
    audit.record(
        session, actor, "authority.concern_url_set", "authority", authority.id, now=now, detail=detail
    )
    return authority


def _safe_page(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed [ in the host
        return False
    plain = not any(c.isspace() or ord(c) < 32 for c in url) and len(url) <= CONCERN_URL_LENGTH
    return (
        plain and parts.scheme == "https" and bool(parts.hostname) and not (parts.username or parts.password)
    )


def police_force_by_code(session: Session, code: str) -> PoliceForce | None:
    """Return the police force with this GSS code, if any."""
    return queries.organisation_by_code(session, PoliceForce, code.strip().upper())


def check_authority(code: str, name: str, nation: str) -> tuple[str, str, str]:
    """Return the normalised code, name and nation, or raise ValidationFailed listing every problem."""
    code, name, nation = (code or "").strip().upper(), (name or "").strip(), (nation or "").strip().lower()
    errors = []
    if not (AUTHORITY_CODE.match(code) or code == TFL_CODE):
        errors.append({"field": "code", "message": "Must be a GSS code: E06-E09, W06 or S12 and 6 digits."})
    if not name:
        errors.append({"field": "name", "message": "Required."})
    if nation not in NATIONS:
        errors.append({"field": "nation", "message": f"Must be one of {', '.join(NATIONS)}."})
    elif code and NATION_BY_PREFIX.get(code[0]) != nation:
        errors.append({"field": "nation", "message": f"Code {code} is not a code of {nation.title()}."})
    if errors:
        raise ValidationFailed("The authority's details are not valid.", errors)
    return code, name, nation


def _fills_concern_url(record, row: dict) -> bool:
    """Tell whether the file gives a concern page for an authority that has none yet."""
    return bool(row.get("concern_url")) and not getattr(record, "concern_url", None)


def _upsert(session: Session, model, rows: list[dict]) -> LoadCounts:
    existing = {record.code: record for record in queries.organisations(session, model)}
    added = updated = 0
    for row in rows:
        record = existing.get(row["code"])
        if record is None:
            record = model(code=row["code"], name=row["name"], nation=row["nation"])
            added += 1
        elif (record.name, record.nation) != (row["name"], row["nation"]):
            record.name, record.nation = row["name"], row["nation"]
            updated += 1
        elif not _fills_concern_url(record, row):
            continue
        else:
            updated += 1
        if _fills_concern_url(record, row):  # a council's own setting wins: a reload never undoes it
            record.concern_url = row["concern_url"]
        session.add(record)
    return LoadCounts(added=added, updated=updated, unchanged=len(rows) - added - updated)
