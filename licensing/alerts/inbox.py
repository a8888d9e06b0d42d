"""An officer's inbox: the council's alerts, unread first, and the deadlines falling due this week.

Deadlines: s.3 answers are due 20 working days after a request (2022 Act s.3(3)); s.6 asks the issuing
council to decide on a concern report and tell the reporter; licences expire; and the Statutory Taxi and
Private Hire Vehicle Standards (2020, para 4.12) expect a DBS check at least every six months.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from licensing.actors import Actor
from licensing.alerts import queries
from licensing.errors import NotFound
from licensing.persistence.db import by_id
from licensing.persistence.models import Alert, ConcernReport, InformationRequest, Licence

DBS_CHECK_EVERY = timedelta(days=182)  # six months (Statutory Standards para 4.12)
WEEK = timedelta(days=7)
CURRENT = ("active", "suspended")


@dataclass
class Deadlines:
    """What the council must do by the end of the coming week (or has already missed)."""

    requests: list[InformationRequest]
    reports: list[ConcernReport]
    expiring: list[Licence]
    dbs_due: list[Licence]


def alerts_inbox(session: Session, actor: Actor, limit: int = 25) -> list[Alert]:
    """Return the actor's authority's latest alerts, unread first, newest first within each."""
    return queries.latest_alerts(session, (actor.require_authority(), *actor.authority_ids), limit)


def mark_read(session: Session, actor: Actor, alert_id: int, now: datetime) -> Alert:
    """Mark one of the actor's authority's alerts read; any other id is NotFound."""
    alert = by_id(session, Alert, alert_id)
    actor.require_authority()
    if alert is None or not actor.answers(alert.authority_id):
        raise NotFound("No such alert.")
    if alert.read_at is None:
        alert.read_at = now
        session.add(alert)
    return alert


def deadlines(session: Session, actor: Actor, today: date, limit: int = 50) -> Deadlines:
    """Return the requests, reports, expiries and DBS checks due by a week from `today`, soonest first."""
    # The council's own and those of the predecessors it answers for after a reorganisation.
    authority_ids = (actor.require_authority(), *actor.authority_ids)
    end = today + WEEK
    return Deadlines(
        requests=queries.open_requests_due_by(session, authority_ids, end, limit),
        reports=queries.open_reports_to_decide(session, authority_ids, limit),
        expiring=queries.licences_expiring_by(session, authority_ids, CURRENT, end, limit),
        dbs_due=queries.licences_dbs_checked_by(
            session, authority_ids, CURRENT, end - DBS_CHECK_EVERY, limit
        ),
    )


def dbs_due_on(licence: Licence) -> date | None:
    """Return when the licence's next DBS check is due (None: it has never been checked, so now)."""
    return licence.dbs_last_checked_on + DBS_CHECK_EVERY if licence.dbs_last_checked_on else None
