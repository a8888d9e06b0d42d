"""DBS Update Service re-checks every six months: statuses recorded, NEW_INFO and lapses alerted once."""

from datetime import date, datetime

import pytest

from licensing.monitoring.dbs import check_dbs, months_before
from licensing.persistence.models import Licence
from tests.factories import make_licence
from tests.licensing.monitoring.helpers import alerts

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 4, 0)
DUE = date(2026, 5, 23)  # six months before TODAY


class Statuses:
    """A plain status check answering per certificate, recording what it was asked."""

    def __init__(self, answers: dict[str, str]):
        """Answer `answers[certificate]`, or raise for an unknown certificate."""
        self.answers, self.asked = answers, []

    def __call__(self, certificate: str, surname: str, date_of_birth: date) -> str:
        """Return the certificate's status."""
        self.asked.append((certificate, surname, date_of_birth))
        if certificate not in self.answers:
            raise RuntimeError("service unavailable")
        return self.answers[certificate]


def subscribed(session, certificate: str, last_checked_on=DUE, **overrides) -> Licence:
    """Create a licence whose certificate is on the Update Service, last checked on `last_checked_on`."""
    fields = {
        "dbs_certificate_number": certificate,
        "dbs_update_service": True,
        "dbs_consent_on": date(2025, 1, 1),
    }
    return make_licence(session, dbs_last_checked_on=last_checked_on, **(fields | overrides))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 23), 6, date(2026, 5, 23)),
        (date(2026, 8, 31), 6, date(2026, 2, 28)),
        (date(2026, 3, 15), 6, date(2025, 9, 15)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


def test_records_statuses_and_alerts_new_info_and_no_match_once(session, engine):
    clear = subscribed(session, "000000000001")
    news = subscribed(session, "000000000002")
    gone = subscribed(session, "000000000003")
    statuses = Statuses(
        {"000000000001": "BLANK_NO_NEW_INFO", "000000000002": "NEW_INFO", "000000000003": "NO_MATCH_FOUND"}
    )
    done = check_dbs(engine, TODAY, NOW, statuses)
    assert done == {"blank_no_new_info": 1, "new_info": 1, "no_match_found": 1}
    assert statuses.asked[0] == ("000000000001", "Hussain", date(1985, 3, 14))
    assert check_dbs(engine, TODAY, NOW, statuses) == {}
    session.expire_all()
    assert [
        (session.get(Licence, lic.id).dbs_last_status, session.get(Licence, lic.id).dbs_last_checked_on)
        for lic in (clear, news, gone)
    ] == [("BLANK_NO_NEW_INFO", TODAY), ("NEW_INFO", TODAY), ("NO_MATCH_FOUND", TODAY)]
    assert [(a.alert_type, a.subject_id) for a in alerts(session)] == [
        ("dbs.new_info", news.id),
        ("dbs.lapsed", gone.id),
    ]


def test_checked_within_six_months_is_not_asked(session, engine):
    subscribed(session, "000000000001", last_checked_on=date(2026, 5, 24))
    statuses = Statuses({})
    assert check_dbs(engine, TODAY, NOW, statuses) == {}
    assert statuses.asked == []


def test_a_failing_check_changes_nothing_and_is_tried_next_run(session, engine):
    licence = subscribed(session, "000000000009")
    assert check_dbs(engine, TODAY, NOW, Statuses({})) == {"check_failed": 1}
    session.expire_all()
    assert session.get(Licence, licence.id).dbs_last_checked_on == DUE
    assert check_dbs(engine, TODAY, NOW, Statuses({"000000000009": "NON_BLANK_NO_NEW_INFO"})) == {
        "non_blank_no_new_info": 1
    }
    assert alerts(session) == []


def test_unsubscribed_licence_is_due_then_lapsed_when_long_overdue(session, engine):
    due = make_licence(session, dbs_last_checked_on=DUE)
    overdue = make_licence(session, dbs_last_checked_on=date(2026, 4, 1))
    never = make_licence(session, granted_on=date(2025, 1, 1))
    done = check_dbs(engine, TODAY, NOW, Statuses({}), overdue_days=28)
    assert done == {"check_due": 1, "lapsed": 2}
    assert check_dbs(engine, TODAY, NOW, Statuses({}), overdue_days=28) == {"already_alerted": 3}
    assert sorted((a.alert_type, a.subject_id) for a in alerts(session)) == sorted(
        [("dbs.check_due", due.id), ("dbs.lapsed", overdue.id), ("dbs.lapsed", never.id)]
    )


def test_without_a_status_check_every_due_licence_is_the_councils_to_check(session, engine):
    licence = subscribed(session, "000000000001")
    assert check_dbs(engine, TODAY, NOW, None) == {"check_due": 1}
    assert [a.subject_id for a in alerts(session, "dbs.check_due")] == [licence.id]


@pytest.mark.parametrize("missing", ["dbs_consent_on", "date_of_birth"])
def test_a_subscription_without_consent_or_date_of_birth_is_never_asked_but_due(session, missing, engine):
    licence = subscribed(session, "000000000001", **{missing: None})
    statuses = Statuses({"000000000001": "BLANK_NO_NEW_INFO"})
    assert check_dbs(engine, TODAY, NOW, statuses) == {"check_due": 1}
    assert statuses.asked == []
    assert [a.subject_id for a in alerts(session, "dbs.check_due")] == [licence.id]
