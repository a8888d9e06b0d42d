"""Screening: find the records that may be the same person as a subject, by index probes only.

Candidates come only from match_key hits: one statement probes the index and loads the eligible rows
the hits point at, by id (licensing/screening/candidates.py), and the engine scores each pair. Nothing ever
scans a record table, so a screening costs the same at a thousand records or a million.
"""

from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from sqlmodel import Session

from licensing import counts
from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.identity.validation import identity_warnings
from licensing.matching import (
    DEFAULT_THRESHOLDS,
    Fields,
    Frequencies,
    Person,
    ceiling,
    compare,
    compare_fields,
)
from licensing.persistence.models import Screening
from licensing.persistence.models.screening import RECORD_KINDS
from licensing.screening import queries
from licensing.screening.candidates import Loaded, find
from licensing.screening.key_index import probe_keys_of
from licensing.screening.name_counts import KeyFrequencies
from licensing.screening.rulings import apply_rulings


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


class Written(SimpleNamespace):
    """A screening or candidate row as it was written: its columns as attributes, `id` included.

    Rows written once and only read after (by the gate and the API) need no model object, which cost
    more to build than the insert itself (figures: bench/README.md).
    """


@dataclass
class ScreeningResult:
    """The candidates of one screening, best first, and (when recorded) the rows that record it."""

    candidates: list[Candidate] = field(default_factory=list)
    screening: Written | None = None  # the Screening row
    rows: list[Written] = field(default_factory=list)  # its ScreeningCandidate rows

    @property
    def screening_id(self) -> int | None:
        """Return the id of the Screening row, if the screening was recorded."""
        return self.screening.id if self.screening is not None else None

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
    own_authority_id: int | None = None,
    application_id: int | None = None,
    licence_id: int | None = None,
    kinds: Iterable[str] = RECORD_KINDS,
    min_score: float = 0.0,
    record: bool = True,
) -> ScreeningResult:
    """Screen `person` against eligible records; record it in the caller's unit of work if `record`.

    `own_authority_id` is the screening council: its own licences and applications are left out.
    """
    subject = ("application", application_id) if application_id else None
    subject = subject or (("licence", licence_id) if licence_id else None)
    found = find_candidates(
        session,
        {0: person},
        KeyFrequencies(session),
        kinds=kinds,
        own_authority_id=own_authority_id,
        exclude={subject} if subject else set(),
        # Only banded candidates are kept, so a hit that cannot reach `weak` need not be scored.
        floor=max(min_score, DEFAULT_THRESHOLDS.weak),
    )[0]
    kept = [c for c in found if c.band is not None and c.score >= min_score]
    if subject:
        apply_rulings(session, subject, person, kept)
    result = ScreeningResult(kept)
    if record:
        record_screening(
            session, actor, person, result, purpose=purpose, reason=reason, now=now, subject=subject
        )
    return result


def record_screening(
    session: Session,
    actor: Actor,
    person: Person,
    result: ScreeningResult,
    *,
    purpose: str,
    now: datetime,
    reason: str = "",
    subject: tuple[str, int] | None = None,
) -> ScreeningResult:
    """Write the Screening of `result`, its candidates and its audit event into the caller's unit of work."""
    result.screening, result.rows = _record(
        session, actor, person, result.candidates, purpose, reason, now, subject
    )
    return result


def find_candidates(
    session: Session,
    people: dict[Hashable, Person],
    frequencies: Frequencies,
    *,
    kinds: Iterable[str] = RECORD_KINDS,
    own_authority_id: int | None = None,
    exclude: set[tuple[str, int]] = frozenset(),
    floor: float = 0.0,
) -> dict[Hashable, list[Candidate]]:
    """Return every scored key hit for each of many people, best first; bulk-friendly.

    With a `floor`, hits that cannot score that much are left out unscored (see `ceiling`).
    """
    keys = {tag: probe_keys_of(p) for tag, p in people.items()}
    hits, records = find(session, keys, kinds, own_authority_id)
    # One record (and Person) per hit, however many applicants of a batch hit it.
    records = {hit: record for hit, record in records.items() if hit not in exclude}
    results = {}
    for tag, person in people.items():
        pairs = _within_reach(person, hits[tag], records, floor, frequencies)
        scored = [_score(person, record, frequencies, fields) for record, fields in pairs]
        results[tag] = sorted(scored, key=lambda c: (-c.score, c.kind, c.ref, c.id))
    return results


def _within_reach(
    person: Person, hits: set, records: dict, floor: float, frequencies: Frequencies
) -> list[tuple[Loaded, Fields]]:
    """Return the loaded records among `hits` that may score `floor`, and how their other fields compare.

    Most hits cannot (how many: bench/README.md): a shared DOB and a common name, and identifiers
    that disagree. The bounds cost a fraction of a comparison: the other fields with the names at
    their most, then with the names at their tokens' most.
    """
    reachable = []
    for hit in hits:
        record = records.get(hit)
        if record is not None:
            fields = compare_fields(person, record.person)
            if fields.ceiling >= floor and ceiling(person, record.person, frequencies, fields) >= floor:
                reachable.append((record, fields))
    return reachable


def _score(person: Person, record: Loaded, frequencies: Frequencies, fields: Fields) -> Candidate:
    """Compare `person` with one loaded record, already compared on `fields`."""
    match = compare(person, record.person, frequencies, fields=fields)
    return Candidate(
        record.kind,
        record.id,
        record.ref,
        record.authority_id,
        match.score,
        match.band,
        list(match.evidence),
        person=record.person,
    )


def _record(session, actor, person, candidates, purpose, reason, now, subject) -> tuple[Written, list]:
    """Write the Screening, its candidates and the audit event into the caller's transaction.

    Returns the Screening and its candidate rows as written (with their ids), best first.
    """
    values = _identity_columns(person) | {
        "authority_id": actor.authority_id,
        "actor_kind": actor.kind,
        "actor_id": actor.id,
        "actor_label": actor.label,
        "purpose": purpose,
        "reason": reason[:500],
        "application_id": subject[1] if subject and subject[0] == "application" else None,
        "licence_id": subject[1] if subject and subject[0] == "licence" else None,
        "created_at": now,
    }
    rows = [_candidate_row(c, now) for c in candidates]
    screening_id, ids = queries.insert_screening(session, values, rows)
    bands = Counter(c.band for c in candidates)
    detail = {"purpose": purpose, "candidates": len(candidates), "bands": dict(bands)}
    audit.record(
        session, actor, "screening.run", "screening", screening_id, now=now, reason=reason, detail=detail
    )
    counts.count(counts.SCREENING, band=candidates[0].band if candidates else "none", purpose=purpose)
    written = [Written(id=i, screening_id=screening_id, **row) for i, row in zip(ids, rows, strict=True)]
    return Written(id=screening_id, **values), written


def _candidate_row(candidate: Candidate, now: datetime) -> dict:
    """Return a candidate's screening_candidate row, but its screening; a ruled-out pair arrives resolved."""
    row = {
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
    values["identity_warnings"] = identity_warnings(values)
    return {k: v[: table.c[k].type.length] if isinstance(v, str) else v for k, v in values.items()}
