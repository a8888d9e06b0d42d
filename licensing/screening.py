"""Screening: find the records that may be the same person as a subject, by index probes only.

Candidates come only from match_key hits (`SELECT record_kind, record_id FROM match_key WHERE key_hash IN
(...)`), then one query per record kind loads the eligible rows by id, and the engine scores each
pair. Nothing ever scans a record table, so a screening costs the same at a thousand records or a
million.
"""

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select
from sqlmodel import Session

from licensing import audit
from licensing.actors import Actor
from licensing.decisions import apply_rulings
from licensing.frequencies import KeyFrequencies
from licensing.keys import KIND_MODELS, KIND_NAMES, probe_keys_of
from licensing.matching import (
    DEFAULT_THRESHOLDS,
    Frequencies,
    Person,
    ceiling,
    compare,
    frequency_keys,
    person_from,
)
from licensing.models import Screening, ScreeningCandidate
from licensing.models.screening import RECORD_KINDS

# A key shared by more records than this tells us nothing and would swamp the screening; the
# engine's other keys (identifiers, names with a date of birth) still reach the same person. No key
# kind holds this many at a million records; the cap guards against a pathological register.
MAX_KEY_HITS = 1000
CHUNK = 1000
_PROBE = "SELECT key_hash, record_kind, record_id FROM match_key WHERE key_hash {}"
# The statuses a screening may find. Checked on the loaded rows, not in SQL: with the status in the
# WHERE clause SQLite plans the licence load as a walk of its status index (every active licence, a
# million at full size) instead of primary-key probes.
_ELIGIBLE = {
    "register_entry": frozenset({"current"}),
    "licence": frozenset({"active", "suspended"}),
    "application": frozenset({"pending"}),
    "intelligence": frozenset({"active"}),
}


@dataclass
class Candidate:
    """A record that may be the subject, with the engine's score, band and evidence."""

    kind: str
    id: int
    ref: str
    authority_id: int | None
    score: float
    band: str | None
    evidence: list[str]
    suppressed_by: str | None = None  # "previously ruled out by X on date"
    ruled_out_by: str | None = None
    person: Person | None = field(default=None, repr=False, compare=False)


@dataclass
class ScreeningResult:
    """The candidates of one screening, best first, and the Screening row that records it."""

    candidates: list[Candidate] = field(default_factory=list)
    screening_id: int | None = None

    @property
    def gating(self) -> list[Candidate]:
        """Return the candidates a decision must still consider (not ruled out before)."""
        return [c for c in self.candidates if c.suppressed_by is None]


def screen(
    session: Session,
    actor: Actor,
    person: Person,
    *,
    purpose: str,
    now: datetime,
    reason: str = "",
    exclude_authority_id: int | None = None,
    application_id: int | None = None,
    licence_id: int | None = None,
    kinds: Iterable[str] = RECORD_KINDS,
    min_score: float = 0.0,
    record: bool = True,
) -> ScreeningResult:
    """Screen `person` against eligible records elsewhere; record it (and commit) when `record`."""
    subject = ("application", application_id) if application_id else None
    subject = subject or (("licence", licence_id) if licence_id else None)
    found = find_candidates(
        session,
        {0: person},
        KeyFrequencies(session),
        kinds=kinds,
        exclude_authority_id=exclude_authority_id,
        exclude={subject} if subject else set(),
        # Only banded candidates are kept, so a hit that cannot reach `weak` need not be scored.
        floor=max(min_score, DEFAULT_THRESHOLDS.weak),
    )[0]
    kept = [c for c in found if c.band is not None and c.score >= min_score]
    if subject:
        apply_rulings(session, subject, person, kept)
    result = ScreeningResult(kept)
    if record:
        result.screening_id = _record(session, actor, person, kept, purpose, reason, now, subject)
        session.commit()
    return result


def find_candidates(
    session: Session,
    people: dict[Hashable, Person],
    frequencies: Frequencies,
    *,
    kinds: Iterable[str] = RECORD_KINDS,
    exclude_authority_id: int | None = None,
    exclude: set[tuple[str, int]] = frozenset(),
    floor: float = 0.0,
) -> dict[Hashable, list[Candidate]]:
    """Return every scored key hit for each of many people, best first; bulk-friendly.

    With a `floor`, hits that cannot score that much are left out unscored (see `ceiling`).
    """
    hits = probe(session, {tag: probe_keys_of(p) for tag, p in people.items()})
    kinds = set(kinds)
    wanted = {h for found in hits.values() for h in found if h[0] in kinds and h not in exclude}
    rows = load_rows(session, wanted, exclude_authority_id)
    # One Person per loaded row, however many applicants of a batch hit it.
    others = {hit: person_from(row) for hit, row in rows.items()}
    pairs = {
        tag: [h for h in hits[tag] if h in rows and (floor <= 0 or ceiling(person, others[h]) >= floor)]
        for tag, person in people.items()
    }
    _preload(frequencies, [*people.values(), *(others[h] for found in pairs.values() for h in found)])
    results = {}
    for tag, person in people.items():
        scored = [_score(person, hit[0], rows[hit], others[hit], frequencies) for hit in pairs[tag]]
        results[tag] = sorted(scored, key=lambda c: (-c.score, c.kind, c.ref, c.id))
    return results


def _preload(frequencies: Frequencies, persons: list[Person]) -> None:
    """Count the name keys every comparison will ask about in one query, not one query per name."""
    if isinstance(frequencies, KeyFrequencies) and persons:
        frequencies.load(set().union(*(frequency_keys(p) for p in persons)))


def probe(session: Session, keys_by_tag: dict[Hashable, set[int]]) -> dict[Hashable, set[tuple[str, int]]]:
    """Look up every key hash of every tag in the index; return each tag's union of (kind, id) hits."""
    wanted = sorted(set().union(*keys_by_tag.values())) if keys_by_tag else []
    by_key: dict[int, list[tuple[str, int]]] = defaultdict(list)
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        # The driver's own statement: SQLAlchemy would build and bind a parameter object per hash.
        if postgres:
            rows = connection.exec_driver_sql(_PROBE.format("= ANY(%s)"), (chunk,))
        else:
            rows = connection.exec_driver_sql(
                _PROBE.format(f"IN ({', '.join('?' * len(chunk))})"), tuple(chunk)
            )
        for key, code, record_id in rows:
            by_key[key].append((KIND_NAMES[code], record_id))
    return {
        tag: {hit for key in keys if len(by_key.get(key, ())) <= MAX_KEY_HITS for hit in by_key.get(key, ())}
        for tag, keys in keys_by_tag.items()
    }


def load_rows(session: Session, wanted: set[tuple[str, int]], exclude_authority_id: int | None) -> dict:
    """Load the eligible rows among `wanted`, one query per kind (per thousand ids)."""
    ids_by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, record_id in wanted:
        ids_by_kind[kind].append(record_id)
    rows = {}
    for kind, ids in ids_by_kind.items():
        table = KIND_MODELS[kind].__table__
        for start in range(0, len(ids), CHUNK):
            query = select(table).where(table.c.id.in_(ids[start : start + CHUNK]))
            exclude = exclude_authority_id if "authority_id" in table.c else None
            rows.update({(kind, r.id): r for r in session.execute(query) if _eligible(kind, r, exclude)})
    return rows


def _eligible(kind: str, row, exclude_authority_id: int | None) -> bool:
    """Tell whether a loaded row may be a candidate: a screenable status, not the excluded authority's."""
    if row.status not in _ELIGIBLE[kind]:
        return False
    # As SQL's `authority_id != x`, which is never true for a NULL authority.
    return exclude_authority_id is None or (
        row.authority_id is not None and row.authority_id != exclude_authority_id
    )


def candidate_ref(kind: str, row) -> str:
    """Return the reference a record was imported or pushed with."""
    return row.force_reference if kind == "intelligence" else row.ref


def _score(person: Person, kind: str, row, other: Person, frequencies: Frequencies) -> Candidate:
    """Compare `person` with one loaded row, `other` being the row as a Person."""
    match = compare(person, other, frequencies)
    authority_id = getattr(row, "authority_id", None)
    ref = candidate_ref(kind, row)
    return Candidate(
        kind, row.id, ref, authority_id, match.score, match.band, list(match.evidence), person=other
    )


def _record(session, actor, person, candidates, purpose, reason, now, subject) -> int:
    """Write the Screening, its candidates and the audit event into the caller's transaction."""
    screening = Screening(
        **_identity_columns(person),
        authority_id=actor.authority_id,
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label,
        purpose=purpose,
        reason=reason[:500],
        application_id=subject[1] if subject and subject[0] == "application" else None,
        licence_id=subject[1] if subject and subject[0] == "licence" else None,
        created_at=now,
    )
    session.add(screening)
    session.flush()
    if candidates:
        session.execute(
            insert(ScreeningCandidate.__table__), [_candidate_row(screening.id, c, now) for c in candidates]
        )
    bands = Counter(c.band for c in candidates)
    detail = {"purpose": purpose, "candidates": len(candidates), "bands": dict(bands)}
    audit.record(
        session, actor, "screening.run", "screening", screening.id, now=now, reason=reason, detail=detail
    )
    return screening.id


def _candidate_row(screening_id: int, candidate: Candidate, now: datetime) -> dict:
    """Return the screening_candidate row of one candidate; a ruled-out pair arrives resolved."""
    row = {
        "screening_id": screening_id,
        "candidate_kind": candidate.kind,
        "candidate_id": candidate.id,
        "score": candidate.score,
        "band": candidate.band,
        "evidence": candidate.evidence,
        "resolution": None,
        "resolution_reason": None,
        "resolved_by": None,
        "resolved_at": None,
    }
    if candidate.suppressed_by:
        row |= {"resolution": "not_same_person", "resolution_reason": candidate.suppressed_by[:500]}
        # sqlmodel maps `datetime | None` columns to a timezone-aware type that refuses naive values.
        row |= {"resolved_by": candidate.ruled_out_by, "resolved_at": now}
    return row


def _identity_columns(person: Person) -> dict:
    """Return `person` as Screening identity columns, cut to their widths."""
    table = Screening.__table__
    values = {
        "given_names": person.given_names,
        "family_name": person.family_name,
        "previous_names": ";".join(person.previous_names),
        "date_of_birth": person.date_of_birth,
        "sex": person.sex if person.sex in ("F", "M", "X") else None,
        "address": person.address or "",
        "postcode": person.postcode,
        "ni_number": person.ni_number,
        "driving_licence_number": person.driving_licence_number,
    }
    return {k: v[: table.c[k].type.length] if isinstance(v, str) else v for k, v in values.items()}
