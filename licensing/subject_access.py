"""Subject access (UK GDPR art. 15): everything Crosscheck holds about one person, for an administrator.

The person is found through the match-key index, as a screening finds them, but in records of every
status (a revoked licence, an overturned entry, a refused application are still held), and scored by
the same engine: records in the `match` and `probable` bands are the subject's, each labelled with its
band so the administrator can check the borderline ones before anything is disclosed. Withdrawn
intelligence has no keys (it is no longer screenable), so it is looked up by exact identifiers and date
of birth instead, then scored the same way.

Police intelligence is listed (force, force reference, category, date, status, councils it was routed
to) but its content is withheld from the export: disclosing it may prejudice the prevention or detection
of crime, which DPA 2018 Sch. 2 Part 1 para 2 exempts from art. 15, and only the force can judge that.
The administrator consults the force, by its reference, before releasing any of it.

The export itself is audited; its detail holds counts only, never the identity asked about.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import and_, or_, select, tuple_
from sqlmodel import Session

from licensing import audit
from licensing.actors import Actor
from licensing.applications import clean_identity
from licensing.errors import ValidationFailed
from licensing.frequencies import KeyFrequencies
from licensing.keys import KIND_MODELS, probe_keys_of
from licensing.matching import Person, compare, person_from
from licensing.models import (
    AuditEvent,
    Authority,
    Intelligence,
    IntelligenceRoute,
    LicenceStatusChange,
    PoliceForce,
    RegisterEntryChange,
    Screening,
    ScreeningCandidate,
)
from licensing.screening import CHUNK, probe

FOUND_BANDS = ("match", "probable")
INTELLIGENCE_NOTE = (
    "Police intelligence is listed by force and force reference only; its content is withheld pending the "
    "force's view on the DPA 2018 Sch. 2 Part 1 para 2 (crime) exemption."
)
_RECORD_COLUMNS = {
    "application": ("ref", "application_kind", "licence_type", "status", "received_on", "decided_on"),
    "licence": ("ref", "badge_number", "licence_type", "status", "granted_on", "expires_on", "display_name"),
    "register_entry": ("ref", "decision", "category", "decided_on", "effective_on", "status"),
    "intelligence": ("force_reference", "category", "occurred_on", "status"),
}
_COLUMN = {"application_kind": "kind"}
_IDENTITY = (
    "given_names",
    "family_name",
    "previous_names",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "ni_number",
    "driving_licence_number",
)


@dataclass
class Found:
    """A record held about the subject, with the band and evidence it was found by."""

    kind: str
    row: object
    score: float
    band: str
    evidence: list[str]


@dataclass
class SubjectAccessExport:
    """Everything held about one person, and the audit event that records the export."""

    exported_at: datetime
    audit_event_id: int
    records: list[dict] = field(default_factory=list)
    screenings: list[dict] = field(default_factory=list)
    audit_trail: list[dict] = field(default_factory=list)
    intelligence_note: str = INTELLIGENCE_NOTE


def export_subject(session: Session, actor: Actor, identity: dict, now: datetime) -> SubjectAccessExport:
    """Gather every record, screening and audit event about the person `identity` describes; audit it."""
    actor.require_scope("admin")
    person = subject_person(identity)
    found = find_subject(session, person)
    names = _Names(session)
    screenings = find_screenings(session, person, found)
    records = [_record_view(session, names, f) for f in found]
    trail = audit_trail(session, found, [s.id for s, _ in screenings])
    counts = defaultdict(int)
    for f in found:
        counts[f.kind] += 1
    detail = {"records": dict(counts), "screenings": len(screenings), "audit_events": len(trail)}
    event = audit.record(
        session, actor, "subject_access.exported", "subject_access", None, now=now, detail=detail
    )
    session.commit()
    return SubjectAccessExport(
        exported_at=now,
        audit_event_id=event.id,
        records=records,
        screenings=[_screening_view(names, s, c) for s, c in screenings],
        audit_trail=[_event_view(names, e) for e in trail],
    )


def subject_person(identity: dict) -> Person:
    """Return the subject as a Person: names with date of birth, an NI number or a licence number."""
    values, _ = clean_identity(identity)
    named = values["given_names"] and values["family_name"] and values["date_of_birth"]
    if not (named or values["ni_number"] or values["driving_licence_number"]):
        message = "Give names and date of birth, a valid NI number or a valid driving licence number."
        raise ValidationFailed(message, [{"field": "identity", "message": message}])
    return person_from(_Values(values))


def find_subject(session: Session, person: Person) -> list[Found]:
    """Return the records of any status scoring `probable` or better against `person`, best first."""
    frequencies = KeyFrequencies(session)
    rows = _candidate_rows(session, person, frequencies)
    completed = _completed(person, rows)
    if completed != person:
        person, rows = completed, _candidate_rows(session, completed, frequencies)
    found = []
    for kind, row in rows:
        match = compare(person, person_from(row), frequencies)
        if match.band in FOUND_BANDS:
            found.append(Found(kind, row, match.score, match.band, list(match.evidence)))
    return sorted(found, key=lambda f: (-f.score, f.kind, f.row.id))


def _candidate_rows(session: Session, person: Person, frequencies) -> list[tuple[str, object]]:
    """Return every record hit by the person's keys, and withdrawn intelligence sharing an identifier."""
    hits = probe(session, {0: probe_keys_of(person)}, frequencies)[0]
    return _load(session, hits) + [("intelligence", row) for row in _withdrawn_intelligence(session, person)]


def _completed(person: Person, rows: list[tuple[str, object]]) -> Person:
    """Fill a subject given by identifier only from the latest record holding exactly that identifier.

    An NI or licence number alone cannot score `probable` (the engine wants names too), so the names
    and date of birth on record under that identifier are searched as well, and scored as usual.
    """
    if person.given_names and person.family_name and person.date_of_birth:
        return person
    same = [row for _, row in rows if _shares_identifier(person, row)]
    if not same:
        return person
    donor = person_from(max(same, key=lambda row: row.updated_at))
    return replace(
        donor,
        ni_number=person.ni_number or donor.ni_number,
        driving_licence_number=person.driving_licence_number or donor.driving_licence_number,
    )


def _shares_identifier(person: Person, row) -> bool:
    """Tell whether a record holds the subject's NI number or driving licence number exactly."""
    ni, licence = person.ni_number, person.driving_licence_number
    return bool((ni and row.ni_number == ni) or (licence and row.driving_licence_number == licence))


def find_screenings(session: Session, person: Person, found: list[Found]) -> list[tuple[Screening, list]]:
    """Return the screenings of the subject or naming their records, oldest first, with those candidates."""
    keys = {(f.kind, f.row.id) for f in found}
    candidates = defaultdict(list)
    for candidate in _candidates_naming(session, keys):
        candidates[candidate.screening_id].append(candidate)
    ids = set(candidates) | _screenings_of_records(session, keys) | _screenings_of_person(session, person)
    rows = _in_chunks(session, Screening, Screening.id, sorted(ids))
    return [(s, candidates.get(s.id, [])) for s in sorted(rows, key=lambda s: s.id)]


def audit_trail(session: Session, found: list[Found], screening_ids: list[int]) -> list[AuditEvent]:
    """Return the audit events about the subject's records and screenings, oldest first."""
    keys = [(f.kind, f.row.id) for f in found] + [("screening", i) for i in screening_ids]
    events = []
    for start in range(0, len(keys), CHUNK):
        pairs = tuple_(AuditEvent.record_kind, AuditEvent.record_id).in_(keys[start : start + CHUNK])
        events += session.scalars(select(AuditEvent).where(pairs))
    return sorted(events, key=lambda e: e.id)


def _load(session: Session, hits: set[tuple[str, int]]) -> list[tuple[str, object]]:
    """Load every hit whatever its status, one query per kind (per thousand ids)."""
    ids_by_kind = defaultdict(list)
    for kind, record_id in hits:
        ids_by_kind[kind].append(record_id)
    rows = []
    for kind, ids in ids_by_kind.items():
        model = KIND_MODELS[kind]
        rows += [(kind, row) for row in _in_chunks(session, model, model.id, sorted(ids))]
    return rows


def _in_chunks(session: Session, model, column, ids: list[int]) -> list:
    """Load the rows of `model` whose `column` is among `ids`, a thousand at a time."""
    rows = []
    for start in range(0, len(ids), CHUNK):
        rows += session.scalars(select(model).where(column.in_(ids[start : start + CHUNK])))
    return rows


def _exact_identity(model, person: Person):
    """Return a condition on `model` sharing the subject's NI number, licence number or date of birth."""
    terms = [
        model.ni_number == person.ni_number if person.ni_number else None,
        model.driving_licence_number == person.driving_licence_number
        if person.driving_licence_number
        else None,
        model.date_of_birth == person.date_of_birth if person.date_of_birth else None,
    ]
    terms = [t for t in terms if t is not None]
    return or_(*terms) if terms else None


def _withdrawn_intelligence(session: Session, person: Person) -> list[Intelligence]:
    """Return withdrawn intelligence sharing an identifier or the date of birth (it has no match keys)."""
    condition = _exact_identity(Intelligence, person)
    if condition is None:
        return []
    return list(session.scalars(select(Intelligence).where(Intelligence.status == "withdrawn", condition)))


def _candidates_naming(session: Session, keys: set[tuple[str, int]]) -> list[ScreeningCandidate]:
    """Return the screening candidates that name one of the subject's records."""
    table, keys = ScreeningCandidate, sorted(keys)
    found = []
    for start in range(0, len(keys), CHUNK):
        pairs = tuple_(table.candidate_kind, table.candidate_id).in_(keys[start : start + CHUNK])
        found += session.scalars(select(table).where(pairs).order_by(table.id))
    return found


def _screenings_of_records(session: Session, keys: set[tuple[str, int]]) -> set[int]:
    """Return the ids of the screenings whose subject is one of the subject's applications or licences."""
    applications = [i for kind, i in keys if kind == "application"]
    licences = [i for kind, i in keys if kind == "licence"]
    ids = {s.id for s in _in_chunks(session, Screening, Screening.application_id, applications)}
    return ids | {s.id for s in _in_chunks(session, Screening, Screening.licence_id, licences)}


def _screenings_of_person(session: Session, person: Person) -> set[int]:
    """Return the ids of screenings (ad hoc ones included) whose own subject scores `probable` or better."""
    # Screenings are not in the key index: an exact identifier or date of birth narrows them first.
    condition = _exact_identity(Screening, person)
    if condition is None:
        return set()
    frequencies = KeyFrequencies(session)
    rows = session.scalars(select(Screening).where(and_(condition)))
    return {s.id for s in rows if compare(person, person_from(s), frequencies).band in FOUND_BANDS}


class _Names:
    """The code and name of authorities and police forces by id, each loaded once."""

    def __init__(self, session: Session):
        self.session, self.cache = session, {}

    def of(self, model, organisation_id: int | None) -> dict | None:
        """Return {"code", "name"} of one organisation, or None."""
        if organisation_id is None:
            return None
        if (model, organisation_id) not in self.cache:
            row = self.session.get(model, organisation_id)
            self.cache[model, organisation_id] = {"code": row.code, "name": row.name} if row else None
        return self.cache[model, organisation_id]


def _record_view(session: Session, names: _Names, found: Found) -> dict:
    """Return one record with its identity, facts, history and the band it was found by."""
    row, kind = found.row, found.kind
    view = {"kind": kind, "id": row.id, "band": found.band, "score": found.score, "evidence": found.evidence}
    view |= {name: getattr(row, name) for name in _IDENTITY}
    view["previous_names"] = [n for n in (row.previous_names or "").split(";") if n]
    # An application's own `kind` (new or renewal) is renamed apart from the record kind.
    view |= {name: getattr(row, _COLUMN.get(name, name)) for name in _RECORD_COLUMNS[kind]}
    if kind == "intelligence":
        view["police_force"] = names.of(PoliceForce, row.police_force_id)
        view["routed_to"] = _routed_to(session, names, row.id)
    else:
        view["authority"] = names.of(Authority, row.authority_id)
    view["history"] = _history(session, kind, row.id)
    return view


def _routed_to(session: Session, names: _Names, intelligence_id: int) -> list[dict]:
    """Return the councils an intelligence item was routed to."""
    query = select(IntelligenceRoute).where(IntelligenceRoute.intelligence_id == intelligence_id)
    return [
        names.of(Authority, r.authority_id) for r in session.scalars(query.order_by(IntelligenceRoute.id))
    ]


def _history(session: Session, kind: str, record_id: int) -> list[dict]:
    """Return a licence's status history or a register entry's change history, oldest first."""
    if kind == "licence":
        query = select(LicenceStatusChange).where(LicenceStatusChange.licence_id == record_id)
        rows = session.scalars(query.order_by(LicenceStatusChange.id))
        return [
            {
                "change": r.status,
                "on": r.effective_on,
                "at": r.changed_at,
                "by": r.actor_label,
                "changed_fields": {},
            }
            for r in rows
        ]
    if kind == "register_entry":
        query = select(RegisterEntryChange).where(RegisterEntryChange.entry_id == record_id)
        rows = session.scalars(query.order_by(RegisterEntryChange.id))
        return [
            {
                "change": r.change,
                "on": r.changed_on,
                "at": r.changed_at,
                "by": r.actor_label,
                "changed_fields": r.fields,
            }
            for r in rows
        ]
    return []


def _screening_view(names: _Names, screening: Screening, candidates: list[ScreeningCandidate]) -> dict:
    """Return who screened, for which council, why and when, and the subject's records it found."""
    columns = (
        "id",
        "purpose",
        "reason",
        "actor_kind",
        "actor_label",
        "created_at",
        "application_id",
        "licence_id",
    )
    view = {name: getattr(screening, name) for name in columns}
    view["authority"] = names.of(Authority, screening.authority_id)
    view["candidates"] = [
        {
            "kind": c.candidate_kind,
            "record_id": c.candidate_id,
            "band": c.band,
            "score": c.score,
            "resolution": c.resolution,
            "resolved_by": c.resolved_by,
            "resolved_at": c.resolved_at,
        }
        for c in candidates
    ]
    return view


def _event_view(names: _Names, event: AuditEvent) -> dict:
    """Return who did what to which of the subject's records, and when."""
    columns = (
        "id",
        "occurred_at",
        "actor_kind",
        "actor_label",
        "action",
        "record_kind",
        "record_id",
        "reason",
    )
    return {name: getattr(event, name) for name in columns} | {
        "authority": names.of(Authority, event.authority_id)
    }


class _Values:
    """Identity values as attributes, for person_from."""

    def __init__(self, values: dict):
        self.__dict__.update(values)
