"""Working-day deadlines, checked by hand against the bank holiday calendars of 2026 and 2027."""

from datetime import date

import pytest

from licensing.workflows.workdays import DEFAULT_CALENDAR, add_working_days, calendar_for, is_working_day


@pytest.mark.parametrize(
    ("start", "n", "nation", "due", "why"),
    [
        (date(2026, 11, 23), 20, "england", date(2026, 12, 21), "four plain weeks, no holiday"),
        (date(2026, 11, 23), 20, "scotland", date(2026, 12, 22), "St Andrew's Day, Mon 30 Nov, is skipped"),
        (date(2026, 12, 23), 2, "england", date(2026, 12, 29), "Christmas Fri, Boxing Day Sat -> Mon 28"),
        (date(2026, 12, 23), 5, "england", date(2027, 1, 4), "and New Year's Day, Fri 1 Jan"),
        (date(2026, 12, 23), 5, "scotland", date(2027, 1, 5), "2 Jan is a Saturday -> Mon 4 Jan off"),
        (date(2027, 12, 24), 1, "england", date(2027, 12, 29), "25/26 at the weekend -> Mon 27, Tue 28"),
        (date(2026, 12, 14), 20, "england", date(2027, 1, 14), "three holidays push 11 Jan to 14 Jan"),
        (date(2026, 12, 14), 20, "wales", date(2027, 1, 14), "Wales keeps England's calendar"),
        (date(2027, 3, 25), 1, "england", date(2027, 3, 30), "Good Friday 26 Mar, Easter Monday 29 Mar"),
        (date(2027, 3, 25), 1, "scotland", date(2027, 3, 29), "Scotland has no Easter Monday holiday"),
        (date(2026, 4, 1), 10, "england", date(2026, 4, 17), "Easter 2026: 3 and 6 April skipped"),
        (date(2026, 4, 1), 10, "scotland", date(2026, 4, 16), "only Good Friday skipped"),
        (date(2026, 5, 22), 1, "england", date(2026, 5, 26), "late May bank holiday, Mon 25 May"),
        (date(2026, 8, 28), 1, "england", date(2026, 9, 1), "late summer bank holiday, Mon 31 Aug"),
        (date(2026, 8, 28), 1, "scotland", date(2026, 8, 31), "Scotland's summer holiday was 3 Aug"),
        (date(2026, 11, 21), 1, "england", date(2026, 11, 23), "a Saturday start: day 1 is Monday"),
        (date(2026, 11, 20), 20, "england", date(2026, 12, 18), "a Friday start: four weeks on"),
        (date(2025, 12, 31), 1, "scotland", date(2026, 1, 5), "1 and 2 January 2026 (Thu, Fri) are off"),
        (date(2025, 12, 31), 1, "england", date(2026, 1, 2), "England works on 2 January"),
        (date(2025, 11, 28), 1, "scotland", date(2025, 12, 2), "St Andrew's Day, a Sunday -> Mon 1 Dec"),
        (date(2025, 11, 28), 1, "england", date(2025, 12, 1), "England has no St Andrew's Day"),
        (date(2025, 12, 19), 10, "scotland", date(2026, 1, 8), "Christmas and New Year in Scotland"),
        (date(2025, 12, 19), 10, "england", date(2026, 1, 7), "Christmas and New Year in England"),
    ],
)
def test_deadline_is_the_nth_working_day_after_the_start(start, n, nation, due, why):
    assert add_working_days(start, n, nation) == due, why


def test_start_day_is_never_counted_even_when_it_is_a_working_day():
    assert is_working_day(date(2026, 11, 23), "england")
    assert add_working_days(date(2026, 11, 23), 1, "england") == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("day", "nation", "working"),
    [
        (date(2026, 12, 25), "england", False),
        (date(2026, 12, 28), "wales", False),  # Boxing Day's substitute
        (date(2026, 12, 24), "england", True),
        (date(2027, 1, 4), "scotland", False),  # 2 January's substitute
        (date(2027, 1, 4), "england", True),
        (date(2026, 11, 30), "scotland", False),
        (date(2026, 11, 30), "england", True),
        (date(2026, 11, 28), "england", False),  # a Saturday
    ],
)
def test_working_days_follow_each_nations_bank_holidays(day, nation, working):
    assert is_working_day(day, nation) is working


def test_scotland_can_be_counted_on_englands_calendar():
    on_englands = calendar_for("ENG")
    assert add_working_days(date(2026, 11, 23), 20, "scotland", on_englands) == date(2026, 12, 21)
    assert is_working_day(date(2026, 1, 2), "scotland", on_englands)
    assert not is_working_day(date(2026, 4, 6), "scotland", on_englands)  # Easter Monday, England's


def test_the_default_calendar_keeps_scotlands_own_holidays():
    assert calendar_for() == DEFAULT_CALENDAR
    assert not is_working_day(date(2026, 1, 2), "scotland")


def test_an_extra_proclaimed_day_is_skipped_in_every_nation():
    calendar = calendar_for("SCT", [date(2026, 11, 24)])
    for nation in ("england", "wales", "scotland"):
        assert not is_working_day(date(2026, 11, 24), nation, calendar)
    assert add_working_days(date(2026, 11, 23), 1, "england", calendar) == date(2026, 11, 25)


def test_scotland_keeps_only_scottish_or_english_calendars():
    with pytest.raises(ValueError, match="SCT or ENG"):
        calendar_for("NIR")


def test_unknown_nation_is_refused():
    with pytest.raises(ValueError, match="unknown nation 'ireland'"):
        add_working_days(date(2026, 11, 23), 20, "ireland")


def test_a_period_of_no_days_is_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 11, 23), 0, "england")
