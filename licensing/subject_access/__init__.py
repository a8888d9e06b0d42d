"""Subject access (UK GDPR art. 15): everything Crosscheck holds about one person, for an administrator.

The person is found through the match-key index, as a screening finds them, but in records of every
status (a revoked licence, an overturned entry, a refused application are still held), and scored by
the same engine: records in the `match` and `probable` bands are the subject's, each labelled with its
band so the administrator can check the borderline ones before anything is disclosed. Withdrawn
intelligence has no keys (it is no longer screenable), so it is looked up by exact identifiers and date
of birth instead, then scored the same way.

Police intelligence is listed (force, force reference, category, date, status, councils it was routed
to), and what each council was shown of it, but its restricted content is withheld from the export:
disclosing it may prejudice the prevention or detection of crime, which DPA 2018 Sch. 2 Part 1 para 2
exempts from art. 15, and only the force can judge that. The administrator consults the force, by its
reference, before releasing any of it.

The export itself is audited; its detail holds counts only, never the identity asked about.

Beside the records, the export has a section for each other thing held about the person, each item with
who and when: the screenings of them or finding their records, each appearance of their records among
another person's screening's candidates (with its band and ruling), the s.3 requests and responses
about their register entries, the s.5 reports and s.6 decisions about their licences, what each council
was shown of intelligence about them (the force's shareable summary, never its restricted content), the
alerts their records raised, and the audit trail of every view and change. An empty section says so.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.subject_access import sections
from licensing.subject_access.finding import FOUND_BANDS, Found, find_subject, subject_person
from licensing.subject_access.trail import audit_trail, find_screenings, gather_screenings
from licensing.subject_access.views import Names, event_view, record_view, screening_view

INTELLIGENCE_NOTE = (
    "Police intelligence is listed by force and force reference, with the summary the force shared with "
    "councils (routed_intelligence); its restricted content is withheld pending the force's view on the "
    "DPA 2018 Sch. 2 Part 1 para 2 (crime) exemption."
)
# Each section of the export, and what it says when nothing is held in it.
SECTIONS = {
    "records": "None: no application, licence, register entry or police intelligence is held about you.",
    "screenings": "None: nobody has screened you, and no screening has found your records.",
    "candidate_appearances": "None: no screening of anyone else has found your records as a candidate.",
    "information_requests": "None: no council has asked another (s.3) about your register entries.",
    "concern_reports": "None: no council has reported a concern (s.5) about your licences.",
    "routed_intelligence": "None: no police intelligence about you has been shared with a council.",
    "alerts": "None: no alert has been raised about your records.",
    "audit_trail": "None: nobody has viewed, screened or changed your records.",
}


@dataclass
class SubjectAccessExport:
    """Everything held about one person, and the audit event that records the export."""

    exported_at: datetime
    audit_event_id: int
    records: list[dict] = field(default_factory=list)
    screenings: list[dict] = field(default_factory=list)
    audit_trail: list[dict] = field(default_factory=list)
    intelligence_note: str = INTELLIGENCE_NOTE
    candidate_appearances: list[dict] = field(default_factory=list)
    information_requests: list[dict] = field(default_factory=list)
    concern_reports: list[dict] = field(default_factory=list)
    routed_intelligence: list[dict] = field(default_factory=list)
    alerts: list[dict] = field(default_factory=list)
    empty_sections: dict[str, str] = field(default_factory=dict)  # each empty section, and what it says


def export_subject(session: Session, actor: Actor, identity: dict, now: datetime) -> SubjectAccessExport:
    """Gather everything held about the person `identity` describes, section by section; audit it."""
    actor.require_scope("admin")
    person = subject_person(identity, now.date())
    found = find_subject(session, person)
    names = Names(session)
    screenings, of_subject = gather_screenings(session, person, found)
    requests = sections.information_requests(session, found)
    reports = sections.concern_reports(session, found)
    exchanges = [("information_request", r.id) for r in requests]
    exchanges += [("concern_report", r.id) for r in reports]
    trail = audit_trail(session, found, [s.id for s, _ in screenings], exchanges)
    about = [(f.kind, f.row.id) for f in found] + [("screening", i) for i in of_subject] + exchanges
    views = {
        "records": [record_view(session, names, f) for f in found],
        "screenings": [screening_view(names, s, c) for s, c in screenings],
        "candidate_appearances": sections.candidate_appearances(session, names, screenings, of_subject),
        "information_requests": [sections.request_view(names, r, trail) for r in requests],
        "concern_reports": [sections.report_view(names, r, trail) for r in reports],
        "routed_intelligence": sections.routed_intelligence(session, names, found),
        "alerts": [sections.alert_view(names, a) for a in sections.alerts(session, about)],
        "audit_trail": [event_view(names, e) for e in trail],
    }
    counts = defaultdict(int)
    for f in found:
        counts[f.kind] += 1
    # Counts only; `audit_events` keeps the name earlier exports' events used for the trail's length.
    detail = {name: len(views[name]) for name in SECTIONS if name not in ("records", "audit_trail")}
    detail |= {"records": dict(counts), "audit_events": len(trail)}
    event = audit.record(
        session, actor, "subject_access.exported", "subject_access", None, now=now, detail=detail
    )
    session.flush()  # chains the event, which numbers it
    return SubjectAccessExport(
        exported_at=now,
        audit_event_id=event.id,
        empty_sections={name: said for name, said in SECTIONS.items() if not views[name]},
        **views,
    )


__all__ = [
    "FOUND_BANDS",
    "SECTIONS",
    "Found",
    "SubjectAccessExport",
    "audit_trail",
    "export_subject",
    "find_screenings",
    "find_subject",
    "subject_person",
]
