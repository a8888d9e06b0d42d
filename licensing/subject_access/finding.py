"""Finding the subject: records of every status scoring `probable` or better, through the key index."""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from sqlmodel import Session

from licensing.errors import ValidationFailed
from licensing.identity.validation import clean_identity, is_valid
from licensing.matching import Person, compare, person_from, person_of
from licensing.screening.candidates import probe
from licensing.screening.key_index import KIND_MODELS, probe_keys_of
from licensing.screening.name_counts import KeyFrequencies
from licensing.subject_access import queries

# Ids per IN list when reading a subject's records, screenings and audit events.
CHUNK = 1000

FOUND_BANDS = ("match", "probable")
EXACT = ("ni_number", "driving_licence_number")


@dataclass
class Found:
    """A record held about the subject, with the band and evidence it was found by."""

    kind: str
    row: object
    score: float
    band: str
    evidence: list[str]


def subject_person(identity: dict, today: date) -> Person:
    """Return the subject as a Person: names with date of birth, an NI number or a licence number."""
    values, _ = clean_identity(identity, today, lenient=True)
    # Records are read by exact identifier below: a value the validators refuse would be searched as text.
    invalid = [name for name in EXACT if values[name] and not is_valid(name, values[name])]
    if invalid:
        message = "Not valid: an identifier to search by must be a valid one."
        raise ValidationFailed(
            "The identifier is not valid.", [{"field": n, "message": message} for n in invalid]
        )
    named = values["given_names"] and values["family_name"] and values["date_of_birth"]
    if not (named or values["ni_number"] or values["driving_licence_number"]):
        message = "Give names and date of birth, a valid NI number or a valid driving licence number."
        raise ValidationFailed(message, [{"field": "identity", "message": message}])
    return person_of(values)


def find_subject(session: Session, person: Person) -> list[Found]:
    """Return the records of any status scoring `probable` or better against `person`, best first."""
    frequencies = KeyFrequencies(session)
    rows = _candidate_rows(session, person)
    completed = _completed(person, rows)
    if completed != person:
        person, rows = completed, _candidate_rows(session, completed)
    found = []
    for kind, row in rows:
        match = compare(person, person_from(row), frequencies)
        if match.band in FOUND_BANDS:
            found.append(Found(kind, row, match.score, match.band, list(match.evidence)))
    return sorted(found, key=lambda f: (-f.score, f.kind, f.row.id))


def _candidate_rows(session: Session, person: Person) -> list[tuple[str, object]]:
    """Return every record hit by the person's keys, and withdrawn intelligence sharing an identifier."""
    hits = probe(session, {0: probe_keys_of(person)})[0]
    withdrawn = queries.withdrawn_intelligence_sharing(session, person)  # it has no match keys
    return _load(session, hits) + [("intelligence", row) for row in withdrawn]


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


def _load(session: Session, hits: set[tuple[str, int]]) -> list[tuple[str, object]]:
    """Load every hit whatever its status, one query per kind (per thousand ids)."""
    ids_by_kind = defaultdict(list)
    for kind, record_id in hits:
        ids_by_kind[kind].append(record_id)
    rows = []
    for kind, ids in ids_by_kind.items():
        model = KIND_MODELS[kind]
        rows += [(kind, row) for row in in_chunks(session, model, model.id, sorted(ids))]
    return rows


def in_chunks(session: Session, model, column, ids: list[int]) -> list:
    """Load the rows of `model` whose `column` is among `ids`, a thousand at a time."""
    rows = []
    for start in range(0, len(ids), CHUNK):
        rows += queries.rows_in(session, model, column, ids[start : start + CHUNK])
    return rows
