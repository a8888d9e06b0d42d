"""From key hashes to candidate records: probe the match-key index, load what it points at.

Both steps run the driver's own statements and build plain values: a screening probes a hundred-odd
hashes and loads a dozen rows, and building SQLAlchemy parameter and row objects for each cost more
than the database's own work. Nothing here ever scans a record table: the index gives ids, the ids
are primary-key lookups.
"""

import json
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlmodel import Session

from licensing.identity.fields import IDENTITY_FIELDS
from licensing.matching import Person, person_in_order
from licensing.persistence.db import driver_rows
from licensing.screening.key_index import KIND_CODES, KIND_NAMES

# A key shared by more records than this tells us nothing and would swamp the screening; the
# engine's other keys (identifiers, names with a date of birth) still reach the same person. No key
# kind holds this many at a million records; the cap guards against a pathological register.
MAX_KEY_HITS = 1000
_PROBE = "SELECT key_hash, record_kind, record_id FROM match_key WHERE key_hash {}"
_IDENTITY = ", ".join(IDENTITY_FIELDS)
# Per kind: its table, and the columns giving its authority and the reference it came with.
_SOURCES = {
    "register_entry": ("register_entry", "authority_id", "ref"),
    "licence": ("licence", "authority_id", "ref"),
    "application": ("application", "authority_id", "ref"),
    "intelligence": ("intelligence", "CAST(NULL AS INTEGER)", "force_reference"),
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
# What a screening leaves out of the screening council's own records: the person it is deciding on is
# already in its licences and applications. Its register entries stay in (README, "Grant gate and
# monitoring policy"): an applicant it refused or revoked before must be found again.
OWN_KINDS_LEFT_OUT = frozenset({"licence", "application"})


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
    rows = _select_in(session, _PROBE, _wanted_keys(keys_by_tag))
    return _hits_by_tag(keys_by_tag, rows)


def find(
    session: Session,
    keys_by_tag: dict[Hashable, set[int]],
    kinds: Iterable[str],
    own_authority_id: int | None = None,
) -> tuple[dict[Hashable, set[tuple[str, int]]], dict[tuple[str, int], Loaded]]:
    """Probe the index for every tag's keys and load the eligible records of `kinds` they point at.

    With `own_authority_id`, that council's own licences and applications are not eligible.

    Returns each tag's (kind, id) hits, as `probe` does, and the eligible records among them. One
    statement does both: on a server each statement is a round trip (figures: bench/README.md).
    """
    kinds = tuple(sorted(set(kinds)))
    hits, loaded = [], {}
    for row in _select_in(session, _find_statement(kinds), _wanted_keys(keys_by_tag)):
        if row[2] is not None:  # a hit of the index: (kind, id, key)
            hits.append((row[2], row[0], row[1]))
            continue
        record = Loaded(KIND_NAMES[row[0]], row[1], row[5], row[4], row[3], _person(row[6:]))
        if _eligible(record, own_authority_id):
            loaded[(record.kind, record.id)] = record
    return _hits_by_tag(keys_by_tag, hits), loaded


def _wanted_keys(keys_by_tag: dict[Hashable, set[int]]) -> list[int]:
    """Return every tag's keys, once each."""
    return sorted(set().union(*keys_by_tag.values())) if keys_by_tag else []


def _hits_by_tag(keys_by_tag: dict[Hashable, set[int]], rows: Iterable[tuple]) -> dict[Hashable, set]:
    """Return each tag's union of (kind, id) hits from (key, kind code, id) rows, common keys left out."""
    by_key: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for key, code, record_id in rows:
        by_key[key].append((KIND_NAMES[code], record_id))
    kept = {key: hits for key, hits in by_key.items() if len(hits) <= MAX_KEY_HITS}
    # Of an applicant's hundred-odd keys a dozen hit: intersect (in C) before walking any.
    return {tag: {h for key in kept.keys() & keys for h in kept[key]} for tag, keys in keys_by_tag.items()}


@cache
def _find_statement(kinds: tuple[str, ...]) -> str:
    """Return the statement of `find` for these kinds: the hits, then the records they point at.

    Hit rows carry their key in the third column, record rows NULL there. The keys shared by more
    than MAX_KEY_HITS records load nothing (the hits say which they are). Every record load is a
    primary-key lookup per id on both databases.
    """
    hits = (
        "WITH hit AS MATERIALIZED (SELECT key_hash, record_kind, record_id, "
        "count(*) OVER (PARTITION BY key_hash) AS shared FROM match_key WHERE key_hash {})"
    )
    unloaded = ", ".join(["NULL"] * (3 + len(IDENTITY_FIELDS)))  # a record's status, authority, ref, identity
    parts = [f"SELECT record_kind, record_id, key_hash, {unloaded} FROM hit"]
    for kind in kinds:
        table, authority, ref = _SOURCES[kind]
        code = KIND_CODES[kind]
        parts.append(
            f"SELECT {code}, id, NULL, status, {authority}, {ref}, {_IDENTITY} FROM {table} WHERE id IN "
            f"(SELECT record_id FROM hit WHERE record_kind = {code} AND shared <= {MAX_KEY_HITS})"
        )
    return hits + " " + " UNION ALL ".join(parts)


def _select_in(session: Session, statement: str, values: list[int]) -> list[tuple]:
    """Run `statement` ("... WHERE column {} ...", one marker) for the list `values`; return every row.

    One statement for the lot: a bulk batch probes tens of thousands of hashes, and splitting them
    into statements of a thousand cost far more on both databases. PostgreSQL takes the list as one
    array, sent in binary (as text, parsing a batch's array cost the server a good part of what
    probing the index with it did; figures: bench/README.md); SQLite, which binds at most 32,766
    values, as one JSON array.
    """
    if not values:
        return []
    postgres = session.get_bind().dialect.name == "postgresql"
    marker = "= ANY(%b)" if postgres else "IN (SELECT value FROM json_each(?))"
    return driver_rows(session, statement.format(marker), (values if postgres else json.dumps(values),))


def _person(values: tuple) -> Person:
    """Build a Person from the identity columns, in IDENTITY_FIELDS' order."""
    given, family, previous, born, *identifiers = values
    # SQLite hands dates back as the ISO text SQLAlchemy stored; PostgreSQL as dates.
    born = date.fromisoformat(born) if isinstance(born, str) else born
    return person_in_order((given, family, previous, born, *identifiers))


def _eligible(record: Loaded, own_authority_id: int | None) -> bool:
    """Tell whether a loaded record may be a candidate: a screenable status, and not the screening
    council's own licence or application (its own register entries are its earlier adverse decisions,
    which it must weigh as it weighs any other council's)."""
    if record.status not in ELIGIBLE[record.kind]:
        return False
    if own_authority_id is None or record.kind not in OWN_KINDS_LEFT_OUT:
        return True
    # As SQL's `authority_id != x`, which is never true for a NULL authority.
    return record.authority_id is not None and record.authority_id != own_authority_id
