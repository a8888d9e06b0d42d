"""Identity matching: normalise a person, derive blocking keys, score a pair with evidence.

This module fixes the interface the storage and CLI layers use:

- `match_keys(person)`: blocking keys to store per record; `probe_keys(person)`: the keys a screening
  looks up, the stored ones and their near-date forms (keys.py lists the kinds).
- `frequency_keys(person)`: name keys ("sn:khan", "gn:mohammed") whose share of the register a
  `Frequencies` object reports, so that sharing a common name is weak evidence.
- `compare(a, b, frequencies, thresholds)`: a `Match` with score, band and evidence lines.
- `warnings(person)`: invalid optional identifiers, which are ignored rather than rejecting the person.

The engine lives in the sibling modules: normalise, identifiers, names (and data/), prepared, keys,
namefields, fields and scoring.
"""

from licensing.matching.frequencies import NameFrequencies
from licensing.matching.keys import (
    frequency_keys,
    index_keys,
    key_kind,
    match_keys,
    near_dates,
    probe_keys,
    probe_parts,
)
from licensing.matching.model import (
    BANDS,
    Frequencies,
    Match,
    Person,
    person_from,
    person_in_order,
    person_of,
)
from licensing.matching.prepared import prepare, remarks_on_licence, warnings
from licensing.matching.scoring import (
    DEFAULT_THRESHOLDS,
    Fields,
    Thresholds,
    band,
    ceiling,
    compare,
    compare_fields,
)

__all__ = [
    "BANDS",
    "DEFAULT_THRESHOLDS",
    "Fields",
    "Frequencies",
    "Match",
    "NameFrequencies",
    "Person",
    "Thresholds",
    "band",
    "ceiling",
    "compare",
    "compare_fields",
    "frequency_keys",
    "index_keys",
    "key_kind",
    "match_keys",
    "near_dates",
    "person_from",
    "person_in_order",
    "person_of",
    "prepare",
    "probe_keys",
    "probe_parts",
    "remarks_on_licence",
    "warnings",
]
