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
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.subject_access.finding import FOUND_BANDS, Found, find_subject, subject_person
from licensing.subject_access.trail import audit_trail, find_screenings
from licensing.subject_access.views import Names, event_view, record_view, screening_view

INTELLIGENCE_NOTE = (
    "Police intelligence is listed by force and force reference only; its content is withheld pending the "
    "force's view on the DPA 2018 Sch. 2 Part 1 para 2 (crime) exemption."
)


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
    person = subject_person(identity, now.date())
    found = find_subject(session, person)
    names = Names(session)
    screenings = find_screenings(session, person, found)
    records = [record_view(session, names, f) for f in found]
    trail = audit_trail(session, found, [s.id for s, _ in screenings])
    counts = defaultdict(int)
    for f in found:
        counts[f.kind] += 1
    detail = {"records": dict(counts), "screenings": len(screenings), "audit_events": len(trail)}
    event = audit.record(
        session, actor, "subject_access.exported", "subject_access", None, now=now, detail=detail
    )
    session.flush()  # chains the event, which numbers it
    return SubjectAccessExport(
        exported_at=now,
        audit_event_id=event.id,
        records=records,
        screenings=[screening_view(names, s, c) for s, c in screenings],
        audit_trail=[event_view(names, e) for e in trail],
    )


__all__ = [
    "FOUND_BANDS",
    "Found",
    "SubjectAccessExport",
    "audit_trail",
    "export_subject",
    "find_screenings",
    "find_subject",
    "subject_person",
]
