"""Working days on the official Chinese calendar (国务院办公厅节假日安排), estimated beyond it.

Deadlines for fixing findings are counted in working days, as offices count them: public
holidays (国庆、春节…) are not working days, and the make-up working days (调休上班, e.g.
Saturday 2026-10-10) are. The calendar comes from the maintained ``chinese_calendar``
package (pip name ``chinesecalendar``), which only knows the years the State Council has
already published (each year's arrangement appears around November of the year before).

``is_workday`` and ``add_workdays`` use that official data only and raise
``CalendarRangeError`` outside it. A nightly tool cannot leave deadlines blank every
December, though, so ``deadline_after`` — what the lifecycle uses — counts the years *after*
the official data on an estimate instead and says so (``Deadline.estimated``):

- Monday to Friday are working days, except the statutory holidays of the
  《全国年节及纪念日放假办法》 (2024 revision, in force from 2025): 元旦 (1 day), 春节
  (除夕 to 正月初三, 4 days), 清明节 (the solar term, 1 day), 劳动节 (May 1–2), 端午节
  (lunar 5/5), 中秋节 (lunar 8/15) and 国庆节 (Oct 1–3);
- a holiday on a Saturday or Sunday is made up on the next working day (补假): article 6
  of the same rules, and how every published arrangement has placed it. Measured on the
  official 2025–2026 data, this roughly halves the estimate's error;
- make-up working days (调休上班) and bridging days are NOT known until the State Council
  publishes the year's arrangement, so the estimate ignores them. An estimated deadline can
  therefore be off by a few days around a holiday; every place that shows it says
  "（预计，待国务院公布{year}年放假安排）", and upgrading chinesecalendar makes the next run
  use the official data again.

Years *before* the official data (before 2004) are never estimated: the rules were
different then, and a deadline never lies in the past of the data anyway.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

import chinese_calendar
from borax.calendars.lunardate import LunarDate
from chinese_calendar import constants as _cc_constants
from chinese_calendar.solar_terms import SolarTerms

# borax's lunar table ends with 2100 (and other libraries disagree on a few far-future dates);
# no deadline needs to look that far.
LAST_ESTIMATED_YEAR = 2099

# How an estimated deadline is marked wherever people read it.
ESTIMATE_NOTE = "（预计，待国务院公布{year}年放假安排）"


class CalendarRangeError(ValueError):
    """A date outside the years the installed calendar data covers (or can estimate)."""


class Deadline(NamedTuple):
    """A deadline and whether any day counted to reach it came from the estimated calendar."""

    day: date
    estimated: bool


_COVERED = (min(d.year for d in _cc_constants.holidays), max(d.year for d in _cc_constants.holidays))


def covered_years() -> tuple[int, int]:
    """The first and last year the installed calendar has official data for."""
    return _COVERED


def estimate_note(year: int | str) -> str:
    """The marker shown after a deadline that falls in an estimated ``year`` (or years, "2027、2028")."""
    return ESTIMATE_NOTE.format(year=year)


def _check(day: date) -> None:
    first, last = covered_years()
    if not first <= day.year <= last:
        raise CalendarRangeError(
            f"节假日数据只覆盖 {first}–{last} 年，无法计算 {day.isoformat()} 的工作日"
            f" (the installed chinesecalendar only covers {first}-{last}; upgrade it: "
            f"pip install -U chinesecalendar)"
        )


def is_workday(day: date) -> bool:
    """True on an official working day (make-up Saturdays included, holidays excluded)."""
    _check(day)
    return bool(chinese_calendar.is_workday(day))


def add_workdays(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself is not counted).

    ``n = 0`` gives ``start`` back. Raises CalendarRangeError when the count runs past the
    calendar's data rather than returning a date that may be wrong: callers that can show
    an estimate use ``deadline_after``.
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


def qingming(year: int) -> date:
    """The day of the 清明 solar term (Apr 4 or 5), from chinese_calendar's solar-term
    formula (寿星公式 with its table of corrections; checked against an ephemeris for
    2004–2099 when this was written, and against the official holidays in the tests)."""
    for day, name in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30)):
        if name == SolarTerms.pure_brightness.value[1]:
            return day
    raise CalendarRangeError(f"no 清明 found in {year}")  # pragma: no cover - the formula always has one


def _lunar(year: int, month: int, day: int) -> date:
    return LunarDate(year, month, day).to_solar_date()


def estimated_holidays(year: int) -> frozenset[date]:
    """The days off in ``year`` by the 2024 rules alone: statutory holidays plus 补假.

    No 调休 and no bridging days: those only exist once the State Council publishes them.
    """
    if not 2025 <= year <= LAST_ESTIMATED_YEAR:
        raise CalendarRangeError(f"无法推算 {year} 年的法定节假日 (no estimate for {year})")
    eve = _lunar(year, 1, 1) - timedelta(days=1)  # 除夕: the 12th lunar month may have 29 or 30 days
    blocks = [
        [date(year, 1, 1)],                                   # 元旦
        [eve + timedelta(days=i) for i in range(4)],          # 春节: 除夕 … 正月初三
        [qingming(year)],                                     # 清明节
        [date(year, 5, 1), date(year, 5, 2)],                 # 劳动节
        [_lunar(year, 5, 5)],                                 # 端午节
        [_lunar(year, 8, 15)],                                # 中秋节
        [date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)],  # 国庆节
    ]
    off = {d for block in blocks for d in block}
    for block in sorted(blocks, key=min):
        # 补假: each holiday day on a weekend gives the next free weekday off.
        owed = sum(1 for d in set(block) if d.weekday() >= 5)
        day = max(block)
        while owed:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in off:
                off.add(day)
                owed -= 1
    return frozenset(off)


def is_estimated_year(year: int) -> bool:
    """True for a year after the official data that the estimate can count."""
    return covered_years()[1] < year <= LAST_ESTIMATED_YEAR


def _workday(day: date, estimates: dict[int, frozenset[date]]) -> tuple[bool, bool]:
    """(is a working day, was estimated): official data where it exists, else the estimate
    (``estimates``: the estimated years' days off, filled as the count reaches them)."""
    if is_estimated_year(day.year):
        if day.year not in estimates:
            estimates[day.year] = estimated_holidays(day.year)
        return day.weekday() < 5 and day not in estimates[day.year], True
    return is_workday(day), False


def deadline_after(start: date, n: int) -> Deadline:
    """The ``n``-th working day after ``start``, counted on the estimate past the official data.

    Identical to ``add_workdays`` while every counted day is in an officially covered year
    (``estimated`` False). Still raises CalendarRangeError before the data or after
    LAST_ESTIMATED_YEAR, where nothing sensible can be said.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    if not is_estimated_year(start.year):
        _check(start)
    day, left, estimated = start, n, False
    estimates: dict[int, frozenset[date]] = {}
    while left > 0:
        day += timedelta(days=1)
        working, guessed = _workday(day, estimates)
        estimated = estimated or guessed
        if working:
            left -= 1
    return Deadline(day, estimated)
