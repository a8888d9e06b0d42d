"""The one date reader (ISO and the UK's day-first forms) and the ranges a date coming in must fall in."""

from datetime import date

import pytest

from licensing.dates import (
    UnreadableDate,
    birth_problem,
    decision_problems,
    past_problem,
    read_date,
)

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("1960-05-18", date(1960, 5, 18)),
        ("1960-5-18", date(1960, 5, 18)),
        (" 1960-05-18", date(1960, 5, 18)),
        ("18/05/1960", date(1960, 5, 18)),
        ("18/5/1960", date(1960, 5, 18)),
        ("8/5/1960", date(1960, 5, 8)),
        ("05/06/1960", date(1960, 6, 5)),  # 5 June: day first, never month first
        ("18-05-1960", date(1960, 5, 18)),
        ("18.05.1960", date(1960, 5, 18)),
        ("18 May 1960", date(1960, 5, 18)),
        ("18 may 1960", date(1960, 5, 18)),
        ("18 MAY 1960", date(1960, 5, 18)),
        ("18-May-1960", date(1960, 5, 18)),
        ("18 September 1960", date(1960, 9, 18)),
        ("18 Sep 1960", date(1960, 9, 18)),
        ("18 Sept 1960", date(1960, 9, 18)),
        ("1st March 1985", date(1985, 3, 1)),
        ("  18/05/1960 ", date(1960, 5, 18)),
        ("29/02/2024", date(2024, 2, 29)),
    ],
)
def test_accepted_forms(text, read):
    assert read_date(text) == read


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("05/18/1960", "day first"),  # month first is never guessed
        ("18/05/60", "write the year in full"),
        ("18-May-60", "write the year in full"),
        ("31/02/1960", "not a real date"),
        ("1960-02-30", "not a real date"),
        ("1960-13-01", "not a real date"),
        ("1960-05-1x", "YYYY-MM-DD, DD/MM/YYYY or 18 May 1960"),
        ("19600-5-18", "YYYY-MM-DD, DD/MM/YYYY or 18 May 1960"),
        ("29/02/2023", "not a real date"),
        ("1960/05/18", "YYYY-MM-DD, DD/MM/YYYY or 18 May 1960"),
        ("18 Maybe 1960", "YYYY-MM-DD, DD/MM/YYYY or 18 May 1960"),
        ("18/05-1960", "YYYY-MM-DD, DD/MM/YYYY or 18 May 1960"),
        ("yesterday", "YYYY-MM-DD, DD/MM/YYYY or 18 May 1960"),
        ("18/05/01960", "YYYY-MM-DD, DD/MM/YYYY or 18 May 1960"),
        ("", "YYYY-MM-DD, DD/MM/YYYY or 18 May 1960"),
        ("0001-01-01", "must be between 1 January 1900 and 31 December 2100"),
        ("31/12/1899", "must be between 1 January 1900 and 31 December 2100"),
        ("9999-12-31", "must be between 1 January 1900 and 31 December 2100"),
        ("1 January 2101", "must be between 1 January 1900 and 31 December 2100"),
    ],
)
def test_refused_forms_say_why(text, reason):
    with pytest.raises(UnreadableDate) as refused:
        read_date(text)
    assert reason in str(refused.value)


@pytest.mark.parametrize(
    ("born", "problem"),
    [
        (date(1900, 1, 1), None),
        (date(2010, 11, 23), None),  # 16 today
        (date(2010, 11, 24), "must be between 1 January 1900 and 23 November 2010"),
        (date(1899, 12, 31), "must be between 1 January 1900 and 23 November 2010"),
    ],
)
def test_a_date_of_birth_is_between_1900_and_sixteen_years_ago(born, problem):
    assert birth_problem(born, TODAY) == problem


def test_sixteen_years_before_29_february_is_28_february():
    assert birth_problem(date(2008, 2, 28), date(2024, 2, 29)) is None
    assert birth_problem(date(2008, 2, 29), date(2024, 2, 29)) is None
    assert birth_problem(date(2008, 3, 1), date(2024, 2, 29)) is not None


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        (TODAY, None),
        (date(1900, 1, 1), None),
        (date(2026, 11, 24), "must not be in the future"),
        (date(1, 1, 1), "must not be before 1 January 1900"),
    ],
)
def test_a_past_date_is_not_in_the_future_nor_before_1900(day, problem):
    assert past_problem(day, TODAY) == problem


@pytest.mark.parametrize(
    ("decided_on", "effective_on", "problems"),
    [
        (date(2026, 11, 2), date(2026, 11, 23), []),
        (date(2026, 11, 20), date(2026, 12, 11), []),  # a revocation takes effect 21 days after notice
        (date(2026, 11, 24), date(2026, 11, 24), [("decided_on", "must not be in the future")]),
        (date(1, 1, 1), date(1, 1, 1), [("decided_on", "must not be before 1 January 1900")]),
        (date(2026, 11, 2), date(2026, 11, 1), [("effective_on", "must not be before decided_on")]),
        (date(2026, 11, 2), date(2099, 1, 1), [("effective_on", "must be at most a year after today")]),
    ],
)
def test_decision_dates(decided_on, effective_on, problems):
    assert decision_problems(decided_on, effective_on, TODAY) == problems
