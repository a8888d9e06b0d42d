"""Working-day deadlines of the 2022 Act: s.3(3) "20 working days" and s.5 "10 working days".

A working day is Monday to Friday, except a bank holiday in the authority's nation: England and Wales
share one calendar (Banking and Financial Dealings Act 1971, Sch. 1, plus the days appointed by
proclamation), Scotland has its own. The calendars come from the `holidays` package (pinned in
requirements.txt), including substitute days when Christmas, Boxing Day or New Year fall at a weekend.

Counting: the day the period starts from (a request received, a concern learned of) is not counted,
whatever day it is; day 1 is the first working day after it, and the deadline is the n-th working day.
So a request made on a Friday with no holidays near is due 20 working days later, four weeks on.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

SUBDIVISIONS = {"england": "ENG", "wales": "WLS", "scotland": "SCT"}
SATURDAY = 5


@dataclass(frozen=True)
class Calendar:
    """Which `holidays` subdivision each nation keeps, and any extra days off (a proclaimed holiday).

    Scotland's calendar is a setting, not a law of nature: an authority may keep England's bank holidays
    for its office days (app.config SCOTLAND_CALENDAR = "ENG"). Extra days cover a holiday proclaimed
    under the Banking and Financial Dealings Act 1971 s.1(3) before the `holidays` package knows of it.
    """

    subdivisions: tuple[tuple[str, str], ...] = tuple(SUBDIVISIONS.items())
    extra_days: frozenset[date] = field(default_factory=frozenset)

    def subdivision(self, nation: str) -> str:
        """Return the holidays subdivision code of `nation`, or raise ValueError for an unknown one."""
        try:
            return dict(self.subdivisions)[nation]
        except KeyError:
            raise ValueError(f"unknown nation {nation!r}") from None


DEFAULT_CALENDAR = Calendar()


def calendar_for(scotland: str = "SCT", extra_days=()) -> Calendar:
    """Return the calendar counting Scotland's days by `scotland` (SCT or ENG), plus `extra_days`."""
    if scotland not in ("SCT", "ENG"):
        raise ValueError(f"Scotland's calendar must be SCT or ENG, not {scotland!r}")
    return Calendar(tuple((SUBDIVISIONS | {"scotland": scotland}).items()), frozenset(extra_days))


@lru_cache(maxsize=64)
def bank_holidays(subdivision: str, year: int) -> frozenset[date]:
    """Return the bank holidays of one UK subdivision in one year."""
    return frozenset(holidays.UK(subdiv=subdivision, years=year))


def is_working_day(day: date, nation: str, calendar: Calendar = DEFAULT_CALENDAR) -> bool:
    """Tell whether `day` is a working day in `nation` (england, wales or scotland)."""
    if day.weekday() >= SATURDAY or day in calendar.extra_days:
        return False
    return day not in bank_holidays(calendar.subdivision(nation), day.year)


def add_working_days(start: date, n: int, nation: str, calendar: Calendar = DEFAULT_CALENDAR) -> date:
    """Return the n-th working day after `start` in `nation`; `start` itself never counts."""
    if n < 1:
        raise ValueError("n must be at least 1")
    calendar.subdivision(nation)
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        counted += is_working_day(day, nation, calendar)
    return day
