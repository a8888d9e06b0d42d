"""Who searched the subject: the screenings of them or naming their records, and the audit trail."""

from collections import defaultdict

from sqlmodel import Session

from licensing.matching import Person, compare, person_from
from licensing.persistence.models import AuditEvent, Screening, ScreeningCandidate
from licensing.screening.name_counts import KeyFrequencies
from licensing.subject_access import queries
from licensing.subject_access.finding import CHUNK, FOUND_BANDS, Found, in_chunks


def find_screenings(session: Session, person: Person, found: list[Found]) -> list[tuple[Screening, list]]:
    """Return the screenings of the subject or naming their records, oldest first, with those candidates."""
    return gather_screenings(session, person, found)[0]


def gather_screenings(
    session: Session, person: Person, found: list[Found]
) -> tuple[list[tuple[Screening, list]], set[int]]:
    """Return the screenings of the subject or naming their records (as find_screenings does), and the
    ids of those that were of the subject: run for one of their applications or licences, or on an
    identity scoring `probable` or better. The others found the subject only as someone else's candidate.
    """
    keys = {(f.kind, f.row.id) for f in found}
    candidates = defaultdict(list)
    for candidate in _candidates_naming(session, keys):
        candidates[candidate.screening_id].append(candidate)
    of_subject = _screenings_of_records(session, keys) | _screenings_of_person(session, person)
    rows = in_chunks(session, Screening, Screening.id, sorted(set(candidates) | of_subject))
    return [(s, candidates.get(s.id, [])) for s in sorted(rows, key=lambda s: s.id)], of_subject


def audit_trail(
    session: Session, found: list[Found], screening_ids: list[int], also: list[tuple[str, int]] = ()
) -> list[AuditEvent]:
    """Return the audit events about the subject's records and screenings (and `also`), oldest first."""
    keys = [(f.kind, f.row.id) for f in found] + [("screening", i) for i in screening_ids] + list(also)
    events = []
    for start in range(0, len(keys), CHUNK):
        events += queries.events_about(session, keys[start : start + CHUNK])
    return sorted(events, key=lambda e: e.id)


def _candidates_naming(session: Session, keys: set[tuple[str, int]]) -> list[ScreeningCandidate]:
    """Return the screening candidates that name one of the subject's records."""
    keys = sorted(keys)
    found = []
    for start in range(0, len(keys), CHUNK):
        found += queries.candidates_naming(session, keys[start : start + CHUNK])
    return found


def _screenings_of_records(session: Session, keys: set[tuple[str, int]]) -> set[int]:
    """Return the ids of the screenings whose subject is one of the subject's applications or licences."""
    applications = [i for kind, i in keys if kind == "application"]
    licences = [i for kind, i in keys if kind == "licence"]
    ids = {s.id for s in in_chunks(session, Screening, Screening.application_id, applications)}
    return ids | {s.id for s in in_chunks(session, Screening, Screening.licence_id, licences)}


def _screenings_of_person(session: Session, person: Person) -> set[int]:
    """Return the ids of screenings (ad hoc ones included) whose own subject scores `probable` or better."""
    # Screenings are not in the key index: an exact identifier or date of birth narrows them first.
    rows = queries.screenings_sharing(session, person)
    if not rows:
        return set()
    frequencies = KeyFrequencies(session)
    return {s.id for s in rows if compare(person, person_from(s), frequencies).band in FOUND_BANDS}
