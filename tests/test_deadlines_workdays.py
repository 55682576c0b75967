"""Deadlines in working days on the official calendar: the 2026 National Day holiday
(10-01…10-07 off) and its make-up working Saturday 10-10 (and Sunday 09-20) count right."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.support.profiles import write_profile
from zhaocuo.app import lifecycle
from zhaocuo.core.finding import Finding
from zhaocuo.core.profile import load_profile
from zhaocuo.core.store import Page, SQLiteStore
from zhaocuo.core.workdays import CalendarRangeError, add_workdays, is_workday


def test_calendar_knows_the_2026_national_day_and_make_up_days() -> None:
    assert not is_workday(date(2026, 10, 1)) and not is_workday(date(2026, 10, 7))
    assert is_workday(date(2026, 10, 10))  # Saturday, 调休上班
    assert is_workday(date(2026, 9, 20))   # Sunday, 调休上班
    assert not is_workday(date(2026, 10, 11))  # an ordinary Sunday


@pytest.mark.parametrize(("start", "n", "expected"), [
    (date(2026, 9, 30), 1, date(2026, 10, 8)),    # veto: the holiday week is skipped
    (date(2026, 9, 30), 3, date(2026, 10, 10)),   # high: 10-08, 10-09, make-up Saturday 10-10
    (date(2026, 9, 30), 5, date(2026, 10, 13)),   # medium: …, 10-10, 10-12, 10-13
    (date(2026, 10, 9), 1, date(2026, 10, 10)),   # Friday + 1 = the make-up Saturday
    (date(2026, 10, 10), 1, date(2026, 10, 12)),  # the ordinary Sunday after it is off
    (date(2026, 9, 18), 10, date(2026, 10, 9)),   # low: make-up Sunday 09-20 counts, 中秋 09-25…27 off
    (date(2026, 11, 27), 0, date(2026, 11, 27)),
])
def test_add_workdays_on_the_official_calendar(start: date, n: int, expected: date) -> None:
    assert add_workdays(start, n) == expected


@pytest.mark.usefixtures("official_calendar_ends_2026")  # still true once chinesecalendar knows 2027
def test_a_date_beyond_the_calendar_data_is_refused_not_guessed() -> None:
    with pytest.raises(CalendarRangeError, match="chinesecalendar"):
        add_workdays(date(2026, 12, 30), 10)
    with pytest.raises(CalendarRangeError):
        is_workday(date(2003, 6, 1))


def _apply(tmp_path: Path, deadlines: dict[str, int], first_seen: date, as_of: date,
           severities: tuple[str, ...] = ("veto", "high", "medium", "low")) -> dict[str, Finding]:
    data = {"site": {"start_urls": ["http://www.test.gov.cn/"]}}
    if deadlines:
        data["deadlines"] = deadlines
    profile = load_profile(write_profile(tmp_path, data))
    store = SQLiteStore(tmp_path / "d.sqlite")
    findings = [Finding(audit="typo", severity=s, url="http://www.test.gov.cn/", text=s, message="x")
                for s in severities]
    for day in (first_seen, as_of):
        run_id, _ = store.begin_run(resume=False)
        store.add_page(run_id, Page(url="http://www.test.gov.cn/", status=200))
        store.finish_run(run_id, "complete")
        found, _ = lifecycle.apply(store, profile, store.crawl(run_id),
                                   [Finding.from_dict(f.to_dict()) for f in findings], day)
    return {f.severity: f for f in found}


def test_deadlines_by_severity_across_national_day_and_overdue(tmp_path: Path) -> None:
    got = _apply(tmp_path, {}, date(2026, 9, 30), date(2026, 10, 10))
    assert {s: f.deadline for s, f in got.items()} == {
        "veto": "2026-10-08", "high": "2026-10-10", "medium": "2026-10-13", "low": "2026-10-20"}
    # as_of 10-10: past the veto deadline, on the high deadline (not yet overdue), before the others.
    assert {s: f.overdue for s, f in got.items()} == {"veto": True, "high": False, "medium": False, "low": False}
    assert all(f.first_seen == "2026-09-30" and f.status == "open" for f in got.values())


def test_deadlines_are_overridable_in_the_profile(tmp_path: Path) -> None:
    got = _apply(tmp_path, {"veto": 2, "low": 3}, date(2026, 9, 30), date(2026, 10, 9), ("veto", "low"))
    assert got["veto"].deadline == "2026-10-09" and not got["veto"].overdue
    assert got["low"].deadline == "2026-10-10"


@pytest.mark.usefixtures("official_calendar_ends_2026")
def test_deadline_beyond_the_calendar_is_estimated_not_left_empty(tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    # Until 2026-11 this deadline was left empty; it is now counted on the estimated calendar
    # (tests/test_deadlines_estimated.py) and marked as such.
    got = _apply(tmp_path, {}, date(2026, 12, 24), date(2026, 12, 31), ("veto", "low"))
    assert got["veto"].deadline == "2026-12-25" and got["veto"].overdue and not got["veto"].deadline_estimated
    assert got["low"].deadline == "2027-01-08" and not got["low"].overdue and got["low"].deadline_estimated
    assert "deadline_note" not in got["low"].extra
    assert "待国务院公布2027年放假安排" in caplog.text


def test_deadline_without_even_an_estimate_is_left_empty_with_a_note(tmp_path: Path,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    got = _apply(tmp_path, {}, date(2003, 6, 2), date(2003, 6, 9), ("low",))
    assert got["low"].deadline == "" and not got["low"].overdue and not got["low"].deadline_estimated
    assert "2003" in got["low"].extra["deadline_note"]
    assert "整改期限无法计算" in caplog.text
