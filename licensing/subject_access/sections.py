"""The export's sections beyond the records themselves: where the subject was someone else's candidate,
the s.3 and s.5 exchanges about them, what councils were shown of police intelligence about them, and the
alerts their records raised. Each item says who and when.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence

from sqlmodel import Session

from licensing.intelligence import queries as intelligence_queries
from licensing.persistence.models import (
    Alert,
    AuditEvent,
    Authority,
    ConcernReport,
    InformationRequest,
    Screening,
    ScreeningCandidate,
)
from licensing.subject_access import queries
from licensing.subject_access.finding import CHUNK, Found
from licensing.subject_access.views import Names

# The audit actions that say who made and who answered each exchange.
_REQUESTED, _ANSWERED = "information_request.created", "information_request.answered"
_REPORTED, _DECIDED = "concern_report.sent", "concern_report.decided"
# What a council was shown of an item routed to it (licensing/intelligence/council_views.py), by name.
_COUNCIL_COLUMNS = ("category", "occurred_on", "force_name", "force_reference", "shareable_summary", "status")


def chunked(read: Callable[[Session, Sequence], list], session: Session, values: Sequence) -> list:
    """Call `read(session, some_values)` a thousand values at a time and join the rows."""
    values, rows = sorted(set(values)), []
    for start in range(0, len(values), CHUNK):
        rows += read(session, values[start : start + CHUNK])
    return rows


def ids_of(found: list[Found], kind: str) -> list[int]:
    """Return the ids of the subject's records of one kind."""
    return [f.row.id for f in found if f.kind == kind]


def candidate_appearances(
    session: Session, names: Names, screenings: list[tuple[Screening, list]], of_subject: set[int]
) -> list[dict]:
    """Return each time another person's screening found one of the subject's records, with its ruling.

    Only the screening's facts (council, who, why, when, the record found, its band, the officer's
    resolution and any "not the same person" ruling) are given, never the other person's identity.
    """
    others = [(s, found) for s, found in screenings if s.id not in of_subject and found]
    records = [(c.candidate_kind, c.candidate_id) for _, found in others for c in found]
    rulings = defaultdict(list)
    for ruling in chunked(queries.rulings_on, session, records):
        pair = (ruling.subject_kind, ruling.subject_id, ruling.candidate_kind, ruling.candidate_id)
        rulings[pair].append(ruling)
    views = []
    for screening, found in others:
        subject = _subject_of(screening)
        for candidate in found:
            pair = (*subject, candidate.candidate_kind, candidate.candidate_id) if subject else None
            views.append(_appearance(names, screening, candidate, rulings.get(pair, [])))
    return views


def _subject_of(screening: Screening) -> tuple[str, int] | None:
    """Return the stored record a screening was run for, if any (an ad-hoc screening has none)."""
    if screening.application_id is not None:
        return ("application", screening.application_id)
    if screening.licence_id is not None:
        return ("licence", screening.licence_id)
    return None


def _appearance(names: Names, screening: Screening, candidate: ScreeningCandidate, rulings: list) -> dict:
    """Return one appearance of the subject's record among another person's screening's candidates."""
    return {
        "screening_id": screening.id,
        "candidate_id": candidate.id,
        "authority": names.of(Authority, screening.authority_id),
        "purpose": screening.purpose,
        "reason": screening.reason,
        "application_id": screening.application_id,
        "licence_id": screening.licence_id,
        "screened_by": screening.actor_label,
        "screened_at": screening.created_at,
        "record_kind": candidate.candidate_kind,
        "record_id": candidate.candidate_id,
        "band": candidate.band,
        "score": candidate.score,
        "resolution": candidate.resolution,
        "resolution_reason": candidate.resolution_reason,
        "resolved_by": candidate.resolved_by,
        "resolved_at": candidate.resolved_at,
        "rulings": [
            {
                "ruling": "not_same_person",
                "reason": r.reason,
                "decided_by": r.decided_by,
                "decided_at": r.decided_at,
                "authority": names.of(Authority, r.authority_id),
            }
            for r in rulings
        ],
    }


def information_requests(session: Session, found: list[Found]) -> list[InformationRequest]:
    """Return the s.3 requests about the subject's register entries, oldest first."""
    return sorted(
        chunked(queries.information_requests_about, session, ids_of(found, "register_entry")),
        key=lambda r: r.id,
    )


def concern_reports(session: Session, found: list[Found]) -> list[ConcernReport]:
    """Return the s.5 reports about the subject's licences, oldest first."""
    reports = chunked(queries.concern_reports_about, session, ids_of(found, "licence"))
    return sorted(reports, key=lambda r: r.id)


def _first_by(trail: list[AuditEvent], action: str, kind: str, record_id: int) -> str | None:
    """Return who did `action` to one record first, from the audit trail."""
    return next(
        (e.actor_label for e in trail if (e.action, e.record_kind, e.record_id) == (action, kind, record_id)),
        None,
    )


def request_view(names: Names, request: InformationRequest, trail: list[AuditEvent]) -> dict:
    """Return a s.3 request and its response, with the councils and officers who made them and when."""
    return {
        "id": request.id,
        "register_entry_id": request.register_entry_id,
        "requesting_authority": names.of(Authority, request.requesting_authority_id),
        "recording_authority": names.of(Authority, request.recording_authority_id),
        "application_id": request.application_id,
        "status": request.status,
        "request_text": request.request_text,
        "requested_by": _first_by(trail, _REQUESTED, "information_request", request.id),
        "requested_at": request.requested_at,
        "due_on": request.due_on,
        "response_text": request.response_text,
        "attachments": list(request.attachments),
        "answered_by": _first_by(trail, _ANSWERED, "information_request", request.id),
        "responded_at": request.responded_at,
    }


def report_view(names: Names, report: ConcernReport, trail: list[AuditEvent]) -> dict:
    """Return a s.5 report and its s.6 decision, with the councils and officers who made them and when."""
    return {
        "id": report.id,
        "licence_id": report.licence_id,
        "reporting_authority": names.of(Authority, report.reporting_authority_id),
        "issuing_authority": names.of(Authority, report.issuing_authority_id),
        "status": report.status,
        "concern_on": report.concern_on,
        "summary": report.summary,
        "reported_by": _first_by(trail, _REPORTED, "concern_report", report.id),
        "reported_at": report.reported_at,
        "due_on": report.due_on,
        "decision": report.decision,
        "decision_notes": report.decision_notes,
        "decided_by": _first_by(trail, _DECIDED, "concern_report", report.id),
        "decided_at": report.decided_at,
    }


def routed_intelligence(session: Session, names: Names, found: list[Found]) -> list[dict]:
    """Return what each council was shown of the intelligence about the subject routed to it.

    Read through the council's own view of a routed item, so the force's restricted content is never
    even selected; which of the council's records matched is given as ids.
    """
    views = []
    for intelligence_id in sorted(ids_of(found, "intelligence")):
        for route in intelligence_queries.routes_of(session, intelligence_id):
            row = intelligence_queries.routed_row(session, (route.authority_id,), intelligence_id)
            if row is None:
                continue
            shown = row._mapping
            views.append(
                {"intelligence_id": intelligence_id, "authority": names.of(Authority, route.authority_id)}
                | {name: shown[name] for name in _COUNCIL_COLUMNS}
                | {"routed_at": route.routed_at, "matches": list(route.matches)}
            )
    return views


def alerts(session: Session, subjects: list[tuple[str, int]]) -> list[Alert]:
    """Return the alerts raised about one of `subjects` (kind, id), oldest first."""
    return sorted(chunked(queries.alerts_about, session, subjects), key=lambda a: a.id)


def alert_view(names: Names, alert: Alert) -> dict:
    """Return which council an alert went to, what it was about and when it was raised and read."""
    return {
        "id": alert.id,
        "authority": names.of(Authority, alert.authority_id),
        "alert_type": alert.alert_type,
        "subject_kind": alert.subject_kind,
        "subject_id": alert.subject_id,
        "created_at": alert.created_at,
        "read_at": alert.read_at,
    }
