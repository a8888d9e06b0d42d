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
dropping a record removes exactly its own keys and uncounts exactly its own names. The statements that
read and write these tables are in licensing/screening/queries.py.
"""

import struct
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlmodel import Session
from xxhash import xxh3_64_intdigest

from licensing.matching import Person, index_keys, near_dates, person_from, probe_parts
from licensing.persistence.models import Application, Intelligence, Licence, RegisterEntry
from licensing.screening import queries
from licensing.screening.queries import KIND_CODES

KIND_MODELS = {
    "register_entry": RegisterEntry,
    "licence": Licence,
    "application": Application,
    "intelligence": Intelligence,
}
# A dated key: the stem's hash above the date's day number since 1 January 1900 (2**17 days, ~358 years).
DATE_BITS, STEM_BITS = 17, 46
_EPOCH = date(1900, 1, 1).toordinal()


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
    rows = queries.stored_key_rows(session, KIND_CODES[kind], record_ids)
    return {record_id: KeySet(k, n) for record_id, k, n in rows}


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
    rows = [(h, code, record_id) for record_id, found in stored.items() for h in found.keys]
    if rows:
        queries.delete_match_keys(session, rows)
    _count_names(session, _names_of(stored.values()), -1)
    queries.delete_record_keys(session, code, list(stored))


def add_keys(session: Session, kind: str, keyed: Iterable[tuple[int, KeySet]]) -> int:
    """Index records that have no keys yet: their match keys, key lists and name counts.

    Keys go in in index order: a large batch then touches each index page once, in turn, rather than
    the same pages again and again in random order. Returns how many match keys were written.
    """
    code = KIND_CODES[kind]
    keyed = list(keyed)
    rows = sorted(((h, code, record_id) for record_id, found in keyed for h in found.keys), key=_first)
    records = [(code, record_id, found.packed_keys, found.packed_names) for record_id, found in keyed]
    queries.insert_keys(session, rows, records)  # COPY on PostgreSQL, one executemany on SQLite
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
        queries.add_name_counts(session, [(h, sign * n) for h, n in sorted(counts.items())])


def reindex(session: Session, *, batch: int = 5000, on_batch=None) -> dict[str, int]:
    """Rebuild every record's keys and the name counts in the caller's unit of work (after a key change)."""
    queries.clear_index(session)
    written = {}
    for kind, model in KIND_MODELS.items():
        last_id, written[kind] = 0, 0
        while rows := queries.identities_after(session, model, last_id, batch):
            written[kind] += add_keys(session, kind, [(row.id, keys_of(person_from(row))) for row in rows])
            last_id = rows[-1].id
            if on_batch:
                on_batch(len(rows))
    return written
