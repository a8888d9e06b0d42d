"""Statutory deadline reminders: s.3 information requests and s.5/s.6 concern reports still open.

An information request is the recording council's to answer within 20 working days (2022 Act s.3(3));
a concern report is the issuing council's to decide and report back on (s.6), and its `due_on` is the
10 working days of s.5. Each open record is alerted once when its deadline is within DUE_SOON_DAYS
working days of the responsible council's nation, and once when it has passed.
"""

from collections import Counter
from datetime import date, datetime

from sqlmodel import Session

from licensing.monitoring import queries
from licensing.monitoring.common import alert_once
from licensing.persistence.models import ConcernReport, InformationRequest
from licensing.workflows.workdays import DEFAULT_CALENDAR, Calendar, add_working_days

DUE_SOON_DAYS = 5
# (alert prefix, model, the authority that must act)
KINDS = (
    ("information_request", InformationRequest, "recording_authority_id"),
    ("concern_report", ConcernReport, "issuing_authority_id"),
)


def remind_deadlines(
    session: Session, today: date, now: datetime, calendar: Calendar = DEFAULT_CALENDAR
) -> Counter:
    """Alert "*.due_soon" and "*.overdue" once each for every open request and report."""
    done = Counter()
    nations = queries.authority_nations(session)
    horizons = {n: add_working_days(today, DUE_SOON_DAYS, n, calendar) for n in set(nations.values())}
    for prefix, model, owner in KINDS:
        latest = max(horizons.values(), default=today)
        for record in queries.open_due_by(session, model, latest):
            authority_id = getattr(record, owner)
            state = _state(record.due_on, today, horizons[nations[authority_id]])
            if state and _alert(session, prefix, state, record, authority_id, now):
                done[f"{prefix}.{state}"] += 1
    return done


def _state(due_on: date, today: date, horizon: date) -> str | None:
    """Return "overdue", "due_soon" or None for a deadline seen on `today`."""
    if due_on < today:
        return "overdue"
    return "due_soon" if due_on <= horizon else None


def _alert(session: Session, prefix: str, state: str, record, authority_id: int, now: datetime) -> bool:
    """Raise one deadline alert for `record`, keyed by its due date (a changed deadline alerts again)."""
    return alert_once(
        session,
        authority_id=authority_id,
        alert_type=f"{prefix}.{state}",
        subject=(prefix, record.id),
        now=now,
        key=f"{record.id}:{record.due_on.isoformat()}",
        detail={"due_on": record.due_on.isoformat()},
    )
