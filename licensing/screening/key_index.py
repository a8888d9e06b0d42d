"""The match-key index: every record's blocking keys, so candidate lookup is an index probe.

The engine derives keys as text ("nd:khan:1985-03-02", licensing/matching/keys.py); the index stores
each as a 63-bit number, and the record's kind as a small number. A key ending in a date is stored as
a 46-bit hash (xxh3) of the rest with the date's day number in the low 17 bits, any other key as a
63-bit hash of its text. So the keys of one name stem lie together in the index, in date order: a
screening probes each stem under some thirty near dates, and those probes then read a page or two of
the index instead of a page each (a probe's cost at a million records is reading index pages the
database does not have in memory). Two different keys sharing a number is about as likely as a
one-in-a-million-million draw at this size, and would only bring one more candidate to be scored and
dropped: a hash never decides a match, the scoring does.

Beside the blocking keys, each record's name keys ("sn:khan", "gn:mohammed") are counted in
name_count, so the engine can weigh a shared name by how common it is in this register, and so is the
number of records counted (under TOTAL_KEY). record_keys lists both sets for each record, so changing or
dropping a record removes exactly its own keys and uncounts exactly its own names.
"""

import struct
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import delete, select
from sqlmodel import Session
from xxhash import xxh3_64_intdigest

from licensing.identity.fields import IDENTITY_FIELDS
from licensing.matching import Person, index_keys, near_dates, person_from, probe_parts
from licensing.persistence.models import (
    Application,
    Intelligence,
    Licence,
    MatchKey,
    NameCount,
    RecordKeys,
    RegisterEntry,
)

KIND_MODELS = {
    "register_entry": RegisterEntry,
    "licence": Licence,
    "application": Application,
    "intelligence": Intelligence,
}
KIND_CODES = {"register_entry": 1, "licence": 2, "application": 3, "intelligence": 4}
KIND_NAMES = {code: kind for kind, code in KIND_CODES.items()}
# A dated key: the stem's hash above the date's day number since 1 January 1900 (2**17 days, ~358 years).
DATE_BITS, STEM_BITS = 17, 46
_EPOCH = date(1900, 1, 1).toordinal()
_KEYS, _RECORDS, _NAMES = MatchKey.__table__, RecordKeys.__table__, NameCount.__table__
_INSERT_KEY = "INSERT INTO match_key (key_hash, record_kind, record_id) VALUES (?, ?, ?)"
_INSERT_RECORD = (
    "INSERT INTO record_keys (record_kind, record_id, key_hashes, name_hashes) VALUES (?, ?, ?, ?)"
)
_DELETE_KEY = "DELETE FROM match_key WHERE key_hash = {0} AND record_kind = {0} AND record_id = {0}"
_COUNT_NAME = (
    "INSERT INTO name_count (key_hash, count) VALUES ({0}, {0}) "
    "ON CONFLICT (key_hash) DO UPDATE SET count = name_count.count + excluded.count"
)


def key_hash(key: str) -> int:
    """Return the stored form of a key, a number that fits a signed BIGINT (see the module docstring)."""
    stem, _, tail = key.rpartition(":")
    day = _day_number(tail) if stem and len(tail) == 10 else None
    if day is None:
        return xxh3_64_intdigest(key.encode()) >> 1
    return _stem_hash(stem) | day


# The name_count row holding how many records are counted: a name key always has a kind prefix.
TOTAL_KEY = key_hash("records")


@dataclass(frozen=True, slots=True)
class KeySet:
    """The hashes one record is indexed under: blocking keys (probed) and name keys (counted).

    Held packed, as record_keys stores them: an import moves a million of these between processes.
    """

    packed_keys: bytes
    packed_names: bytes

    @classmethod
    def of(cls, keys: Iterable[int], names: Iterable[int]) -> "KeySet":
        """Return the key set of these hashes."""
        return cls(pack(keys), pack(names))

    @property
    def keys(self) -> frozenset[int]:
        """Return the blocking-key hashes."""
        return unpack(self.packed_keys)

    @property
    def names(self) -> frozenset[int]:
        """Return the name-key hashes."""
        return unpack(self.packed_names)


@lru_cache(maxsize=65_536)  # a screening probes each of some thirty near dates under several stems
def _day_number(text: str) -> int | None:
    """Return the days from 1900-01-01 to an ISO date within 2**17 days after it, or None for other text."""
    if text[4:5] != "-" or text[7:8] != "-":
        return None
    try:
        day = date.fromisoformat(text).toordinal() - _EPOCH
    except ValueError:
        return None
    return day if 0 <= day < 1 << DATE_BITS else None


def keys_of(person: Person) -> KeySet:
    """Return the hashes `person` is indexed under: blocking keys and counted name keys."""
    keys, names = index_keys(person)
    return KeySet.of({key_hash(k) for k in keys}, {key_hash(k) for k in names})


def probe_keys_of(person: Person) -> set[int]:
    """Return the hashes of the keys a screening of `person` looks up (stored keys, near-date forms).

    The hashes of `probe_keys`, each near-date stem hashed once: a stem's dated keys differ only in
    their low bits, the day number.
    """
    keys, stems, dob = probe_parts(person)
    hashes = {key_hash(key) for key in keys}
    if stems:
        days = _near_days(dob)
        for stem in stems:
            high = _stem_hash(stem)
            hashes.update([high | day for day in days])
    return hashes


def _stem_hash(stem: str) -> int:
    """Return the high bits of every dated key of `stem` (the key's text before its last colon)."""
    return xxh3_64_intdigest(stem.encode()) >> (64 - STEM_BITS) << DATE_BITS


@lru_cache(maxsize=65_536)
def _near_days(dob: date) -> tuple[int, ...]:
    """Return the day numbers of `dob`'s near dates, as dated keys store them."""
    return tuple(d.toordinal() - _EPOCH for d in near_dates(dob))


def pack(hashes: Iterable[int]) -> bytes:
    """Pack key hashes into one of record_keys' columns: 8 bytes each, little-endian, in order."""
    values = sorted(hashes)
    return struct.pack(f"<{len(values)}q", *values)


def unpack(packed: bytes) -> frozenset[int]:
    """Return the key hashes packed by `pack`."""
    return frozenset(struct.unpack(f"<{len(packed) // 8}q", packed))


def stored_keys(session: Session, kind: str, record_ids: Iterable[int]) -> dict[int, KeySet]:
    """Return the key set each of `record_ids` is indexed under (records without keys left out)."""
    table = _RECORDS
    query = select(table.c.record_id, table.c.key_hashes, table.c.name_hashes).where(
        table.c.record_kind == KIND_CODES[kind], table.c.record_id.in_(list(record_ids))
    )
    return {record_id: KeySet(k, n) for record_id, k, n in session.execute(query)}


def index_record(session: Session, kind: str, record) -> KeySet:
    """Make the stored keys of `record` match its identity, in the caller's unit of work."""
    wanted = keys_of(person_from(record))
    if stored_keys(session, kind, [record.id]).get(record.id) != wanted:
        drop_records(session, kind, [record.id])
        add_keys(session, kind, [(record.id, wanted)])
    return wanted


def drop_record(session: Session, kind: str, record_id: int) -> None:
    """Remove every key of one record (it was deleted or is no longer screenable)."""
    drop_records(session, kind, [record_id])


def drop_records(session: Session, kind: str, record_ids: list[int]) -> None:
    """Remove every key of many records and uncount their names."""
    code = KIND_CODES[kind]
    stored = stored_keys(session, kind, record_ids) if record_ids else {}
    if not stored:
        return
    connection = session.connection()
    rows = [(h, code, record_id) for record_id, found in stored.items() for h in found.keys]
    if rows:
        connection.exec_driver_sql(_DELETE_KEY.format(_marker(session)), rows)
    _count_names(session, _names_of(stored.values()), -1)
    session.execute(
        delete(_RECORDS).where(_RECORDS.c.record_kind == code, _RECORDS.c.record_id.in_(list(stored)))
    )


def add_keys(session: Session, kind: str, keyed: Iterable[tuple[int, KeySet]]) -> int:
    """Index records that have no keys yet: their match keys, key lists and name counts.

    Keys go in in index order: a large batch then touches each index page once, in turn, rather than
    the same pages again and again in random order. Returns how many match keys were written.
    """
    code = KIND_CODES[kind]
    keyed = list(keyed)
    rows = sorted(((h, code, record_id) for record_id, found in keyed for h in found.keys), key=_first)
    records = [(code, record_id, found.packed_keys, found.packed_names) for record_id, found in keyed]
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # COPY in the session's own transaction: much faster than executemany (bench/README.md).
        cursor = connection.connection.driver_connection.cursor()
        with cursor:
            _copy(cursor, "match_key (key_hash, record_kind, record_id)", rows)
            _copy(cursor, "record_keys (record_kind, record_id, key_hashes, name_hashes)", records)
    else:
        # Plain tuples through the driver's executemany: building a dict and a bound parameter set
        # per key cost more than SQLite's own insert.
        if rows:
            connection.exec_driver_sql(_INSERT_KEY, rows)
        if records:
            connection.exec_driver_sql(_INSERT_RECORD, records)
    _count_names(session, _names_of(found for _, found in keyed), +1)
    return len(rows)


def _names_of(found: Iterable[KeySet]) -> Counter:
    """Return how many of these records carry each name key, and how many records they are."""
    counts: Counter = Counter()
    for keys in found:
        counts.update(keys.names)
        counts[TOTAL_KEY] += 1
    return counts


def _first(row: tuple) -> int:
    """Return a row's first value (sorting by the key hash alone is faster than by the whole row)."""
    return row[0]


def _count_names(session: Session, counts: Counter, sign: int) -> None:
    """Add (sign +1) or take away (sign -1) name counts, in hash order: concurrent writers never deadlock."""
    if counts:
        rows = [(h, sign * n) for h, n in sorted(counts.items())]
        session.connection().exec_driver_sql(_COUNT_NAME.format(_marker(session)), rows)


def _marker(session: Session) -> str:
    """Return the driver's parameter marker."""
    return "%s" if session.get_bind().dialect.name == "postgresql" else "?"


def _copy(cursor, target: str, rows: list[tuple]) -> None:
    """COPY `rows` into `target` ("table (columns)") through a psycopg cursor."""
    if rows:
        with cursor.copy(f"COPY {target} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def reindex(session: Session, *, batch: int = 5000, on_batch=None) -> dict[str, int]:
    """Rebuild every record's keys and the name counts in the caller's unit of work (after a key change)."""
    for table in (_KEYS, _RECORDS, _NAMES):
        session.execute(delete(table))
    written = {}
    for kind, model in KIND_MODELS.items():
        table, last_id, written[kind] = model.__table__, 0, 0
        # Only the identity: a migration reindexes a schema older than the models' other columns.
        columns = [table.c.id, *(table.c[name] for name in IDENTITY_FIELDS)]
        while rows := session.execute(
            select(*columns).where(table.c.id > last_id).order_by(table.c.id).limit(batch)
        ).all():
            written[kind] += add_keys(session, kind, [(row.id, keys_of(person_from(row))) for row in rows])
            last_id = rows[-1].id
            if on_batch:
                on_batch(len(rows))
    return written
