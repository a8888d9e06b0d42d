"""Licence expiry: warn the issuing council before a licence runs out, and expire it when it has.

A licence is valid to the end of its `expires_on` day, so it becomes `expired` the day after. A
suspended licence expires too (the state table allows it, licensing/licences/lifecycle.py): a suspension does
not extend a licence's term (1976 Act s.53).
"""

from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from licensing.audit import log as audit
from licensing.licences.lifecycle import TRANSITIONS
from licensing.monitoring import queries
from licensing.monitoring.common import alert_once, job_actor
from licensing.persistence import unit_of_work
from licensing.persistence.models import Licence, LicenceStatusChange

LIVE = ("active", "suspended")
EXPIRABLE = TRANSITIONS["expire"][0]
BATCH = 500


def warn_expiring(session: Session, today: date, now: datetime, days_before: tuple[int, ...]) -> Counter:
    """Alert "licence.expiring" once per threshold; a licence past several at once gets the nearest only."""
    done = Counter()
    thresholds = sorted(set(days_before))
    if not thresholds:
        return done
    last = today + timedelta(thresholds[-1])
    for licence in queries.licences_expiring_between(session, LIVE, today, last):
        days = next(d for d in thresholds if (licence.expires_on - today).days <= d)
        raised = alert_once(
            session,
            authority_id=licence.authority_id,
            alert_type="licence.expiring",
            subject=("licence", licence.id),
            now=now,
            key=f"{licence.id}:{licence.expires_on.isoformat()}:{days}",
            detail={"days_before": days},
        )
        done["alerted" if raised else "already_alerted"] += 1
    return done


def expire_licences(engine: Engine, today: date, now: datetime) -> Counter:
    """Expire every live licence past its expiry date, with history, audit and a "licence.expired" alert.

    BATCH licences at a time, each batch in a writing unit of work of its own.
    """
    done = Counter()
    while True:
        with unit_of_work.writing(engine) as session:
            batch = queries.expired_licences_locked(session, EXPIRABLE, today, BATCH)
            for licence in batch:
                _expire(session, licence, now)
        if not batch:
            return done
        done["expired"] += len(batch)


def _expire(session: Session, licence: Licence, now: datetime) -> None:
    """Expire one licence in the caller's transaction, effective the day after its expiry date."""
    actor = job_actor("licence_expiry", licence.authority_id)
    effective_on = licence.expires_on + timedelta(days=1)
    detail = {"from": licence.status, "to": "expired", "effective_on": effective_on.isoformat()}
    licence.status, licence.updated_at = "expired", now
    session.add(licence)
    session.add(
        LicenceStatusChange(
            licence_id=licence.id,
            status="expired",
            effective_on=effective_on,
            changed_at=now,
            actor_label=actor.label,
        )
    )
    audit.record(session, actor, "licence.expired", "licence", licence.id, now=now, detail=detail)
    alert_once(
        session,
        authority_id=licence.authority_id,
        alert_type="licence.expired",
        subject=("licence", licence.id),
        now=now,
        key=f"{licence.id}:{licence.expires_on.isoformat()}",
    )
