"""Dates as they come in, and the ranges they must fall in: one reader and one set of rules for every
entry point (CSV columns, API fields, officer forms).

Every date read is between 1 January 1900 and 31 December 2100, whatever it is the date of: nothing the
register holds happened before 1900, and nothing it records is planned that far ahead, so a date outside
those years is a slip (a year 1 or 9999 typed as a placeholder) that would otherwise be stored and then
counted, sorted and shown as if it were real. The rules of each kind of date narrow that range further.

Councils export dates day first (`18/05/1960`, `18-May-1960`); tools write ISO (`1960-05-18`). Both are
read. A date is never read month first: `05/18/1960` is refused rather than guessed, and `05/06/1960` is
5 June. A two-digit year is refused too: `60` may be 1960 or 2060, and a wrong century would hide a
match. The README ("Dates and identifiers on the way in") lists the accepted forms.
"""

import calendar
import re
from datetime import date
from functools import lru_cache

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
# A driver is an adult; a date of birth less than 16 years ago is a typing slip (a wrong year).
YOUNGEST_YEARS = 16
# A revocation or suspension takes effect 21 days after notice, or once an appeal is decided (1976 Act
# s.61(2), s.77): months ahead, never years.
EFFECTIVE_AHEAD_DAYS = 366
# Local Government (Miscellaneous Provisions) Act 1976 s.53(1)(a), as amended by the Deregulation Act
# 2015 s.10: a driver's licence runs for three years unless the council has a reason to grant a shorter one.
MAX_TERM_YEARS = 3
FORMS = "YYYY-MM-DD, DD/MM/YYYY or 18 May 1960"
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d+)")
_WORDS = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ -]([A-Za-z]+)\.?[ -](\d+)", re.IGNORECASE)
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name} | {"sept": 9}


class UnreadableDate(ValueError):
    """Text that is not a date in any accepted form; the message says why and what to write."""


class TwoDigitYear(UnreadableDate):
    """A date whose year has two digits: its century would be a guess."""


class OutOfRange(UnreadableDate):
    """A real date, but before 1900 or after 2100: no record here can hold it."""


def read_date(text: str) -> date:
    """Return the date `text` writes in ISO or a day-first UK form, or raise UnreadableDate."""
    # Most dates come as tools write them, 1960-05-18: read in one step, and a million rows import faster.
    if text and len(text) == 10 and text[4] == text[7] == "-" and text.isascii():
        try:
            found = date.fromisoformat(text)
        except ValueError:
            found = None  # read below, which says what is wrong with it
        if found and EARLIEST <= found <= LATEST:
            return found
    value = " ".join((text or "").split())
    if found := _ISO.fullmatch(value):
        return _real(value, int(found[1]), int(found[2]), int(found[3]))
    if found := _DAY_FIRST.fullmatch(value):
        day, month, year = int(found[1]), int(found[3]), found[4]
        if month > 12 and day <= 12:
            raise UnreadableDate(
                f"{value!r} has no month {month}: dates are read day first (DD/MM/YYYY), never month first"
            )
        return _real(value, _year(value, year), month, day)
    if (found := _WORDS.fullmatch(value)) and found[2].lower() in _MONTHS:
        return _real(value, _year(value, found[3]), _MONTHS[found[2].lower()], int(found[1]))
    raise UnreadableDate(f"{value!r} is not a date: write it as {FORMS}")


def _year(value: str, digits: str) -> int:
    """Return a four-digit year; refuse a shorter one (its century is a guess) or a longer one."""
    if len(digits) <= 2:
        raise TwoDigitYear(f"{value!r} has a two-digit year: write the year in full (18/05/1960)")
    if len(digits) != 4:
        raise UnreadableDate(f"{value!r} is not a date: write it as {FORMS}")
    return int(digits)


def _real(value: str, year: int, month: int, day: int) -> date:
    """Return the date, or refuse one the calendar does not have (31 February) or outside 1900-2100."""
    try:
        found = date(year, month, day)
    except ValueError:
        raise UnreadableDate(f"{value!r} is not a real date") from None
    if not EARLIEST <= found <= LATEST:
        raise OutOfRange(f"{value!r} is not a date any record holds: it {IN_RANGE}")
    return found


def long_date(day: date) -> str:
    """Return a date as "1 January 1900"."""
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


IN_RANGE = f"must be between {long_date(EARLIEST)} and {long_date(LATEST)}"


def add_years(day: date, years: int) -> date:
    """Return the same day `years` later, or earlier when negative (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def years_before(day: date, years: int) -> date:
    """Return the same day `years` earlier."""
    return add_years(day, -years)


def term_problem(starts_on: date, expires_on: date) -> str | None:
    """Say what is wrong with a licence's term: it ends after it starts, within the statutory maximum."""
    if expires_on <= starts_on:
        return "The expiry date must be after the start date."
    if expires_on > add_years(starts_on, MAX_TERM_YEARS):
        return f"A driver's licence runs for at most {MAX_TERM_YEARS} years (1976 Act s.53)."
    return None


def birth_problem(born: date, today: date) -> str | None:
    """Say what is wrong with a date of birth: it must be from 1900 to 16 years before today."""
    latest = _latest_birth(today)
    if EARLIEST <= born <= latest:
        return None
    return f"must be between {long_date(EARLIEST)} and {long_date(latest)}"


@lru_cache(maxsize=4)  # an import checks a million dates of birth against the same today
def _latest_birth(today: date) -> date:
    """Return the latest date of birth a driver can have today."""
    return years_before(today, YOUNGEST_YEARS)


def past_problem(day: date, today: date) -> str | None:
    """Say what is wrong with the date of something that has happened: not ahead, not before 1900."""
    if day > today:
        return "must not be in the future"
    if day < EARLIEST:
        return f"must not be before {long_date(EARLIEST)}"
    return None


def decision_problems(decided_on: date, effective_on: date, today: date) -> list[tuple[str, str]]:
    """Return (field, problem) for each rule a decision's dates break: the API's and the CSV's alike."""
    if problem := past_problem(decided_on, today):
        return [("decided_on", problem)]
    if effective_on < decided_on:
        return [("effective_on", "must not be before decided_on")]
    if (effective_on - today).days > EFFECTIVE_AHEAD_DAYS:
        return [("effective_on", "must be at most a year after today")]
    return []


def sentence(problem: str) -> str:
    """Return a problem as an API or form message ("Must not be in the future.")."""
    return problem[0].upper() + problem[1:].rstrip(".") + "."
