"""Validating and keying import rows, in worker processes when a file is large.

Checking a row and deriving its match keys is pure Python work that needs no database, while writing
the accepted rows is the database's. A large import hands chunks of rows to `workers` processes and
writes what comes back (licensing/workers.py), so both cores (or more) are busy. With no workers the
very same chunk function runs in the importing process.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from licensing.imports.formats import RowRejected, parse_entry, parse_licence
from licensing.imports.nr3s import parse_nr3s
from licensing.matching import person_of
from licensing.screening.key_index import KeySet, keys_of
from licensing.workers import ordered_map

# Each row format's parser: our register and licence formats, and NR3S's records (register entries).
PARSERS = {"register_entry": parse_entry, "licence": parse_licence, "nr3s": parse_nr3s}
CHUNK_ROWS = 500


@dataclass(slots=True)
class ParsedRow:
    """One data row: its column values, warnings and key hashes if accepted, else why it was rejected."""

    line: int
    raw: dict
    values: dict | None
    reason: str = ""
    warnings: list[dict] = field(default_factory=list)
    keys: KeySet | None = None


def parsed_rows(
    rows: Iterable[tuple[int, dict]],
    kind: str,
    authorities: dict,
    today: date,
    workers: int = 0,
    ahead: int = 0,
) -> Iterator[ParsedRow]:
    """Yield every (line, raw row) of `rows` validated and keyed, in order; in `workers` processes if > 0.

    `kind` names the row format (PARSERS) and `authorities` what its rows are read against: the ids of
    the authorities by code, or for an NR3S file the one council it belongs to.

    Workers keep up to `ahead` rows parsed ahead of the consumer, so they go on working while the
    consumer writes a batch.
    """
    chunks = ordered_map(
        _parse_chunk,
        _chunks(rows),
        workers=workers,
        setup=_context,
        args=(kind, authorities, today),
        ahead=ahead // CHUNK_ROWS,
    )
    for chunk, parsed in chunks:
        for (line, raw), (values, reason, warnings, keys) in zip(chunk, parsed, strict=True):
            yield ParsedRow(line, raw, values, reason, warnings, keys)


def _chunks(rows: Iterable[tuple[int, dict]]) -> Iterator[list[tuple[int, dict]]]:
    """Group rows into lists of CHUNK_ROWS."""
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _context(kind: str, authorities: dict, today: date) -> tuple:
    """Return what every chunk is parsed against."""
    return PARSERS[kind], authorities, today


def _parse_chunk(chunk: list[tuple[int, dict]], context: tuple) -> list[tuple]:
    """Return (values, reason, warnings, key set) for each row of one chunk."""
    parse, authorities, today = context
    out = []
    for _, raw in chunk:
        try:
            values, warnings = parse(raw, authorities, today)
        except RowRejected as rejected:
            out.append((None, str(rejected), [], None))
            continue
        out.append((values, "", warnings, keys_of(person_of(values))))
    return out
