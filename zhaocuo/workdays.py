"""Working days on the official Chinese calendar (国务院办公厅节假日安排).

Deadlines for fixing findings are counted in working days, as offices count them: public
holidays (国庆、春节…) are not working days, and the make-up working days (调休上班, e.g.
Saturday 2026-10-10) are. The calendar comes from the maintained ``chinese_calendar``
package (pip name ``chinesecalendar``), which only knows the years the State Council has
already published. Beyond them we refuse to guess — a Monday-to-Friday estimate would be a
wrong date as soon as a holiday falls in it — and raise ``CalendarRangeError`` so the
caller can leave the deadline empty and warn.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from chinese_calendar import constants as _cc_constants


class CalendarRangeError(ValueError):
    """A date outside the years the installed calendar data covers."""


@lru_cache(maxsize=1)
def covered_years() -> tuple[int, int]:
    """The first and last year the installed calendar has official data for."""
    years = [d.year for d in _cc_constants.holidays]
    return min(years), max(years)


def _check(day: date) -> None:
    first, last = covered_years()
    if not first <= day.year <= last:
        raise CalendarRangeError(
            f"节假日数据只覆盖 {first}–{last} 年，无法计算 {day.isoformat()} 的工作日"
            f" (the installed chinesecalendar only covers {first}-{last}; upgrade it: "
            f"pip install -U chinesecalendar)"
        )


@lru_cache(maxsize=4096)
def is_workday(day: date) -> bool:
    """True on an official working day (make-up Saturdays included, holidays excluded)."""
    _check(day)
    return bool(chinese_calendar.is_workday(day))


@lru_cache(maxsize=4096)
def add_workdays(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself is not counted).

    ``n = 0`` gives ``start`` back. Raises CalendarRangeError when the count runs past the
    calendar's data rather than returning a date that may be wrong.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    _check(start)
    day, left = start, n
    while left > 0:
        day += timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day
