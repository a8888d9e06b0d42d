"""From key hashes to candidate records: probe the match-key index, load what it points at.

Both steps run the driver's own statements and build plain values: a screening probes a hundred-odd
hashes and loads a dozen rows, and building SQLAlchemy parameter and row objects for each cost more
than the database's own work. Nothing here ever scans a record table: the index gives ids, the ids
are primary-key lookups.
"""

import json
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from licensing.db import driver_rows
from licensing.keys import KIND_CODES, KIND_NAMES
from licensing.matching import Person

# A key shared by more records than this tells us nothing and would swamp the screening; the
# engine's other keys (identifiers, names with a date of birth) still reach the same person. No key
# kind holds this many at a million records; the cap guards against a pathological register.
MAX_KEY_HITS = 1000
_PROBE = "SELECT key_hash, record_kind, record_id FROM match_key WHERE key_hash {}"
_IDENTITY = (
    "given_names, family_name, previous_names, date_of_birth, sex, address, postcode, ni_number, "
    "driving_licence_number"
)
# Per kind: its table, and the columns giving its authority and the reference it came with.
_SOURCES = {
    "register_entry": ("register_entry", "authority_id", "ref"),
    "licence": ("licence", "authority_id", "ref"),
    "application": ("application", "authority_id", "ref"),
    "intelligence": ("intelligence", "NULL", "force_reference"),
}
# The statuses a screening may find. Checked on the loaded rows, not in SQL: with the status in the
# WHERE clause SQLite plans the licence load as a walk of its status index (every active licence, a
# million at full size) instead of primary-key probes.
ELIGIBLE = {
    "register_entry": frozenset({"current"}),
    "licence": frozenset({"active", "suspended"}),
    "application": frozenset({"pending"}),
    "intelligence": frozenset({"active"}),
}


@dataclass(frozen=True, slots=True)
class Loaded:
    """A record a key pointed at: what a candidate shows, and the identity to score."""

    kind: str
    id: int
    ref: str
    authority_id: int | None
    status: str
    person: Person


def probe(session: Session, keys_by_tag: dict[Hashable, set[int]]) -> dict[Hashable, set[tuple[str, int]]]:
    """Look up every key hash of every tag in the index; return each tag's union of (kind, id) hits."""
    wanted = sorted(set().union(*keys_by_tag.values())) if keys_by_tag else []
    by_key: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for key, code, record_id in _select_in(session, [_PROBE], [wanted]):
        by_key[key].append((KIND_NAMES[code], record_id))
    return {
        tag: {hit for key in keys if len(by_key.get(key, ())) <= MAX_KEY_HITS for hit in by_key.get(key, ())}
        for tag, keys in keys_by_tag.items()
    }


def load(
    session: Session, wanted: set[tuple[str, int]], exclude_authority_id: int | None = None
) -> dict[tuple[str, int], Loaded]:
    """Load the eligible records among `wanted` (kind, id) hits: one statement for every kind."""
    ids_by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, record_id in wanted:
        ids_by_kind[kind].append(record_id)
    kinds = sorted(ids_by_kind)
    parts = []
    for kind in kinds:
        table, authority, ref = _SOURCES[kind]
        columns = f"{KIND_CODES[kind]}, id, status, {authority}, {ref}, {_IDENTITY}"
        parts.append(f"SELECT {columns} FROM {table} WHERE id {{}}")
    loaded = {}
    for row in _select_in(session, parts, [sorted(ids_by_kind[kind]) for kind in kinds]):
        record = Loaded(KIND_NAMES[row[0]], row[1], row[4], row[3], row[2], _person(row[5:]))
        if _eligible(record, exclude_authority_id):
            loaded[(record.kind, record.id)] = record
    return loaded


def _select_in(session: Session, statements: list[str], values: list[list[int]]) -> list[tuple]:
    """Run each of `statements` ("... WHERE column {}") for its list of `values`, as one; return every row.

    One statement for the lot (a UNION ALL of several): a bulk batch probes tens of thousands of
    hashes, and splitting them into statements of a thousand cost three times as much on both
    databases; a screening loads from two or three tables, each a round trip to a server. PostgreSQL
    takes each list as one array; SQLite, which binds at most 32,766 values, as one JSON array.
    """
    if not any(values):
        return []
    postgres = session.get_bind().dialect.name == "postgresql"
    marker = "= ANY(%s)" if postgres else "IN (SELECT value FROM json_each(?))"
    statement = " UNION ALL ".join(s.format(marker) for s in statements)
    return driver_rows(session, statement, tuple(values if postgres else (json.dumps(v) for v in values)))


def _person(values: tuple) -> Person:
    """Build a Person from the identity columns, in _IDENTITY's order."""
    given, family, previous, born, sex, address, postcode, ni, licence = values
    return Person(
        given_names=given or "",
        family_name=family or "",
        previous_names=tuple(p.strip() for p in (previous or "").split(";") if p.strip()),
        # SQLite hands dates back as the ISO text SQLAlchemy stored; PostgreSQL as dates.
        date_of_birth=date.fromisoformat(born) if isinstance(born, str) else born,
        sex=sex,
        address=address or "",
        postcode=postcode,
        ni_number=ni,
        driving_licence_number=licence,
    )


def _eligible(record: Loaded, exclude_authority_id: int | None) -> bool:
    """Tell whether a loaded record may be a candidate: a screenable status, not the excluded authority's."""
    if record.status not in ELIGIBLE[record.kind]:
        return False
    if exclude_authority_id is None or _SOURCES[record.kind][1] == "NULL":
        return True  # intelligence belongs to a force, never to the excluded council
    # As SQL's `authority_id != x`, which is never true for a NULL authority.
    return record.authority_id is not None and record.authority_id != exclude_authority_id
