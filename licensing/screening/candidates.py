"""From key hashes to candidate records: probe the match-key index, load what it points at.

Both steps run the driver's own statements (licensing/screening/queries.py) and build plain values
from their rows: a screening probes a hundred-odd hashes and loads a dozen rows, and building
SQLAlchemy parameter and row objects for each cost more than the database's own work. Nothing here
ever scans a record table: the index gives ids, the ids are primary-key lookups.
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from licensing.matching import Person, person_in_order
from licensing.screening import queries
from licensing.screening.queries import KIND_NAMES

# A key shared by more records than this tells us nothing and would swamp the screening; the
# engine's other keys (identifiers, names with a date of birth) still reach the same person. No key
# kind holds this many at a million records; the cap guards against a pathological register.
MAX_KEY_HITS = 1000
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
    rows = queries.key_hits(session, _wanted_keys(keys_by_tag))
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
    for row in queries.hits_and_records(session, _wanted_keys(keys_by_tag), kinds, MAX_KEY_HITS):
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
