"""'Not the same person': an officer's ruling on a pair, honoured until either identity changes.

A ruling binds a stored subject (an application or a licence being decided) to a stored candidate.
Ad-hoc and bulk CSV screenings have no stored subject, so no ruling can apply to them: there is no
record whose identity could be fingerprinted and later checked, and the next ad-hoc query may be a
different person typed with the same name. Each ruling keeps a fingerprint of both identities; when
either record's identity changes the fingerprints no longer agree and the pair is shown again.
"""

import hashlib
import json
from datetime import datetime

from sqlmodel import Session

from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.errors import Forbidden, NotFound, ValidationFailed
from licensing.matching import Person, person_from
from licensing.persistence.models import PairDecision
from licensing.screening import queries
from licensing.screening.key_index import KIND_MODELS

SUBJECT_KINDS = ("application", "licence")


def fingerprint(person: Person) -> str:
    """Return a hash of every identity field of `person`; any change gives another value."""
    fields = {
        "given_names": person.given_names,
        "family_name": person.family_name,
        "previous_names": list(person.previous_names),
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "sex": person.sex,
        "address": person.address,
        "postcode": person.postcode,
        "ni_number": person.ni_number,
        "driving_licence_number": person.driving_licence_number,
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def rule_out(
    session: Session,
    actor: Actor,
    subject_kind: str,
    subject_id: int,
    candidate_kind: str,
    candidate_id: int,
    reason: str,
    now: datetime,
) -> PairDecision:
    """Record that the subject and the candidate are not the same person, with its audit."""
    if subject_kind not in SUBJECT_KINDS:
        raise ValidationFailed(f"Only an application or a licence can be the subject, not {subject_kind}.")
    subject = _load(session, subject_kind, subject_id)
    candidate = _load(session, candidate_kind, candidate_id)
    if actor.kind not in ("system", "cli") and subject.authority_id != actor.authority_id:
        raise Forbidden("Only the authority holding the record can rule on its candidates.")
    stored = queries.ruling_on_pair(session, subject_kind, subject_id, candidate_kind, candidate_id)
    decision = stored or PairDecision(
        subject_kind=subject_kind,
        subject_id=subject_id,
        candidate_kind=candidate_kind,
        candidate_id=candidate_id,
    )
    decision.subject_fingerprint = fingerprint(person_from(subject))
    decision.candidate_fingerprint = fingerprint(person_from(candidate))
    decision.reason, decision.decided_at = reason[:500], now
    decision.decided_by, decision.actor_kind, decision.actor_id = actor.label, actor.kind, actor.id
    decision.authority_id = actor.authority_id
    session.add(decision)
    session.flush()
    detail = {"candidate_kind": candidate_kind, "candidate_id": candidate_id, "ruling_id": decision.id}
    audit.record(
        session, actor, "candidate.ruled_out", subject_kind, subject_id, now=now, reason=reason, detail=detail
    )
    return decision


def apply_rulings(session: Session, subject: tuple[str, int], person: Person, candidates: list) -> None:
    """Flag each candidate an earlier ruling on this subject still covers."""
    if not candidates:
        return
    mine = fingerprint(person)
    covered = {}
    for ruling in queries.rulings_naming(session, *subject):
        if (ruling.subject_kind, ruling.subject_id) == subject:
            other, prints = (
                (ruling.candidate_kind, ruling.candidate_id),
                (ruling.subject_fingerprint, ruling.candidate_fingerprint),
            )
        else:
            other, prints = (
                (ruling.subject_kind, ruling.subject_id),
                (ruling.candidate_fingerprint, ruling.subject_fingerprint),
            )
        covered[other] = (ruling, prints)
    for candidate in candidates:
        ruling, prints = covered.get((candidate.kind, candidate.id), (None, None))
        if ruling and prints == (mine, fingerprint(candidate.person)):
            candidate.suppressed_by = (
                f"previously ruled out by {ruling.decided_by} on {ruling.decided_at:%Y-%m-%d}"
            )
            candidate.ruled_out_by = ruling.decided_by


def _load(session: Session, kind: str, record_id: int):
    """Return one record of `kind`, or raise NotFound."""
    model = KIND_MODELS.get(kind)
    record = session.get(model, record_id) if model else None
    if record is None:
        raise NotFound(f"No {kind} {record_id}.")
    return record
