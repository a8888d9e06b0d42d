"""DBS Update Service re-checks: every licence's certificate at least every DBS_CHECK_MONTHS months.

The Statutory Taxi and Private Hire Vehicle Standards (2020, updated 2022) ask for continuous Update
Service subscription and a check at least every six months, non-subscribers included. A subscribed
licence is checked here through `check`, a plain callable the scheduler builds over integrations.dbs
(licensing never speaks HTTP): NEW_INFO alerts "dbs.new_info", NO_MATCH_FOUND (the certificate is no
longer on the Update Service) "dbs.lapsed"; BLANK_NO_NEW_INFO and NON_BLANK_NO_NEW_INFO are recorded.
The check needs the certificate number, the driver's recorded consent (a status check is made only with
the holder's consent) and the date of birth it is asked with. A licence that cannot be checked here is
due for a check by the council ("dbs.check_due") and lapsed once it is `overdue_days` past due.
"""

import logging
from calendar import monthrange
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from licensing.monitoring import queries
from licensing.monitoring.common import alert_once
from licensing.persistence import unit_of_work
from licensing.persistence.models import Licence

log = logging.getLogger("crosscheck.monitoring")
LIVE = ("active", "suspended")
NEW_INFO = "NEW_INFO"
NO_MATCH_FOUND = "NO_MATCH_FOUND"
STATUS_ALERTS = {NEW_INFO: "dbs.new_info", NO_MATCH_FOUND: "dbs.lapsed"}
StatusCheck = Callable[[str, str, date], str]


def months_before(day: date, months: int) -> date:
    """Return the same day `months` earlier (the month's last day when that month is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def check_dbs(
    engine: Engine,
    today: date,
    now: datetime,
    check: StatusCheck | None,
    *,
    every_months: int = 6,
    overdue_days: int = 28,
) -> Counter:
    """Check every live licence whose last DBS check is `every_months` old; alert on what needs a council.

    Each licence is checked and recorded in a unit of work of its own: the Update Service is asked
    between them, never while a transaction is open.
    """
    done = Counter()
    due_before = months_before(today, every_months)
    with unit_of_work.reading(engine) as session:
        licences = queries.licences_due_dbs_check(session, LIVE, due_before)
    for licence in licences:
        asked = check is not None and checkable(licence)
        status = _ask(licence, check) if asked else None
        with unit_of_work.writing(engine) as session:
            if asked:
                done[_record_status(session, licence, today, now, status)] += 1
            else:
                done[_remind(session, licence, today, now, due_before, overdue_days)] += 1
    return done


def checkable(licence: Licence) -> bool:
    """Tell whether the Update Service may be asked about the licence's certificate."""
    details = (licence.dbs_certificate_number, licence.dbs_consent_on, licence.date_of_birth)
    return licence.dbs_update_service and all(value is not None for value in details)


def _ask(licence: Licence, check: StatusCheck) -> str | None:
    """Ask the Update Service about one licence; None if the check failed (it is retried next run)."""
    try:
        return check(licence.dbs_certificate_number, licence.family_name, licence.date_of_birth)
    except Exception as error:  # one failing check must not stop the rest
        log.warning("dbs check of licence %s failed: %s", licence.id, type(error).__name__)
        return None


def _record_status(session: Session, licence: Licence, today: date, now: datetime, status: str | None) -> str:
    """Record the status the Update Service gave and alert on NEW_INFO or no match."""
    if status is None:
        return "check_failed"
    session.add(licence)  # read by an earlier unit: only the columns set here are written
    licence.dbs_last_status, licence.dbs_last_checked_on, licence.updated_at = status, today, now
    if status in STATUS_ALERTS:
        _alert(session, STATUS_ALERTS[status], licence, now, f"{today.isoformat()}:{status}")
    return status.lower()


def _remind(
    session: Session, licence: Licence, today: date, now: datetime, due_before: date, overdue_days: int
) -> str:
    """Alert that a check the service cannot make is due, or lapsed once it is long overdue."""
    last = licence.dbs_last_checked_on or licence.granted_on
    since = last.isoformat()
    overdue = (due_before - last).days >= overdue_days
    kind = "dbs.lapsed" if overdue else "dbs.check_due"
    raised = _alert(session, kind, licence, now, f"{since}:unchecked")
    return kind.split(".")[1] if raised else "already_alerted"


def _alert(session: Session, alert_type: str, licence: Licence, now: datetime, key: str) -> bool:
    """Raise one DBS alert about `licence` to its issuing council."""
    return alert_once(
        session,
        authority_id=licence.authority_id,
        alert_type=alert_type,
        subject=("licence", licence.id),
        now=now,
        key=f"{licence.id}:{key}",
    )
