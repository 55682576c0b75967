"""Deadlines past the official holiday data (chinesecalendar ends with 2026): counted on the
estimated calendar of the 全国年节及纪念日放假办法 (weekends, statutory holidays, 补假; no 调休),
filled in rather than left blank, and marked "（预计，待国务院公布2027年放假安排）" in
findings.jsonl, the ledger, report.html, junit.xml and the units' mail."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import openpyxl
import pytest
from borax.calendars.lunardate import LunarDate

import reports
from reports import mail
from tests.support.profiles import write_profile
from tests.support.reportdata import report_data
from zhaocuo.app import lifecycle
from zhaocuo.core.finding import Finding
from zhaocuo.core.profile import load_profile
from zhaocuo.core.store import Page, SQLiteStore
from zhaocuo.core.workdays import (
    CalendarRangeError,
    add_workdays,
    deadline_after,
    estimated_holidays,
    qingming,
)

NOTE_2027 = "（预计，待国务院公布2027年放假安排）"
SITE = "http://www.test.gov.cn/"
# 清明 from an astronomical ephemeris (sun at ecliptic longitude 15°, Beijing time).
QINGMING = {2027: 5, 2028: 4, 2029: 4, 2030: 5, 2031: 5, 2032: 4, 2033: 4, 2034: 5, 2035: 5}

# 2027 stays "not yet published" here even once a newer chinesecalendar knows it (conftest.py).
pytestmark = pytest.mark.usefixtures("official_calendar_ends_2026")


def test_qingming_matches_the_ephemeris_2027_to_2035() -> None:
    assert {y: qingming(y) for y in QINGMING} == {y: date(y, 4, d) for y, d in QINGMING.items()}


def test_lunar_and_solar_term_dates_are_official_holidays_2008_to_2026() -> None:
    """Independent check of the lunar table (borax) and the 清明 formula: wherever the official data exists
    (清明、端午、中秋 became holidays in 2008), the computed days are days off."""
    for year in range(2008, 2027):
        new_year = LunarDate(year, 1, 1).to_solar_date()
        days = [qingming(year), LunarDate(year, 5, 5).to_solar_date(), LunarDate(year, 8, 15).to_solar_date(),
                new_year, new_year + timedelta(days=1), new_year + timedelta(days=2)]
        assert all(chinese_calendar.is_holiday(d) for d in days), year


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_estimate_agrees_with_the_published_years_under_the_same_rules(year: int) -> None:
    """2025 and 2026 were published under the 2024 rules: every day the estimate takes off
    (statutory days and 补假) is a named official holiday there."""
    off = estimated_holidays(year)
    assert len(off) >= 13  # 13 statutory days, plus 补假
    assert all(chinese_calendar.get_holiday_detail(d)[1] for d in off), sorted(off)


def test_spring_festival_2027_is_chuxi_to_chuyi_plus_three_and_its_weekend_made_up() -> None:
    chuxi = date(2027, 2, 5)
    assert LunarDate.from_solar_date(2027, 2, 6) == LunarDate(2027, 1, 1)  # so 02-05 is 除夕 (12/29)
    assert LunarDate.from_solar_date(2027, 2, 5).month == 12
    off = estimated_holidays(2027)
    assert {chuxi + timedelta(days=i) for i in range(4)} <= off
    # 02-06/02-07 are Saturday and Sunday: 补假 on Tuesday 02-09 and Wednesday 02-10.
    assert {date(2027, 2, 9), date(2027, 2, 10)} <= off and date(2027, 2, 11) not in off
    assert deadline_after(date(2027, 2, 4), 1) == (date(2027, 2, 11), True)


@pytest.mark.parametrize(("start", "n", "expected"), [
    (date(2026, 12, 31), 1, date(2027, 1, 4)),    # 元旦 (Friday) and the weekend
    (date(2027, 4, 2), 1, date(2027, 4, 6)),      # 清明 Monday 04-05
    (date(2027, 4, 30), 1, date(2027, 5, 5)),     # 劳动节 05-01/02 on the weekend: 补假 05-03, 05-04
    (date(2027, 6, 8), 1, date(2027, 6, 10)),     # 端午 06-09
    (date(2027, 9, 14), 1, date(2027, 9, 16)),    # 中秋 09-15
    (date(2027, 9, 30), 1, date(2027, 10, 6)),    # 国庆 10-01…03 (Fri–Sun): 补假 10-04, 10-05
    (date(2027, 1, 15), 1, date(2027, 1, 18)),    # an ordinary weekend
    (date(2027, 3, 10), 5, date(2027, 3, 17)),    # no holiday: five weekdays
])
def test_estimated_holidays_and_weekends_are_skipped(start: date, n: int, expected: date) -> None:
    assert deadline_after(start, n) == (expected, True)


def test_deadlines_crossing_into_2027_are_filled_and_estimated() -> None:
    # 12-25, 28, 29, 30, 31 (5), 01-01 off, 01-04 … 01-08 (10).
    assert deadline_after(date(2026, 12, 24), 10) == (date(2027, 1, 8), True)
    with pytest.raises(CalendarRangeError):  # the strict official count still refuses
        add_workdays(date(2026, 12, 24), 10)


def test_within_the_official_data_nothing_changes() -> None:
    day = date(2026, 1, 1)
    while day <= date(2026, 12, 31):
        for n in (1, 3, 5, 10):
            try:
                official = add_workdays(day, n)
            except CalendarRangeError:
                continue  # runs into 2027: covered above
            assert deadline_after(day, n) == (official, False), (day, n)
        day += timedelta(days=1)


def test_no_estimate_before_the_official_data() -> None:
    with pytest.raises(CalendarRangeError):
        deadline_after(date(2003, 6, 1), 3)


def _night(tmp_path: Path, first_seen: date, as_of: date, with_mail: bool = False
           ) -> tuple[SQLiteStore, object, list[Finding]]:
    data: dict = {"site": {"name": "测试区人民政府", "start_urls": [SITE]},
                  "units": [{"name": "区教育局", "paths": ["/"], "email": "jyj@test.gov.cn"}]}
    if with_mail:
        data["mail"] = {"smtp": "127.0.0.1:9", "sender": "zhaocuo@test.gov.cn", "security": "none"}
    profile = load_profile(write_profile(tmp_path, data))
    store = SQLiteStore(tmp_path / "d.sqlite")
    findings = [Finding(audit="typo", severity=s, url=SITE, text=s, message="x", unit="区教育局")
                for s in ("veto", "low")]
    found: list[Finding] = []
    for day in (first_seen, as_of):
        run_id, _ = store.begin_run(resume=False)
        store.add_page(run_id, Page(url=SITE, status=200))
        store.finish_run(run_id, "complete")
        found, _ = lifecycle.apply(store, profile, store.crawl(run_id),
                                   [Finding.from_dict(f.to_dict()) for f in findings], day)
    return store, profile, found


def test_lifecycle_fills_estimated_deadlines_with_one_warning_per_run(tmp_path: Path,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="zhaocuo"):
        _, _, found = _night(tmp_path, date(2026, 12, 24), date(2026, 12, 31))
    got = {f.severity: f for f in found}
    assert (got["veto"].deadline, got["veto"].deadline_estimated, got["veto"].overdue) == ("2026-12-25", False, True)
    assert (got["low"].deadline, got["low"].deadline_estimated, got["low"].overdue) == ("2027-01-08", True, False)
    assert got["low"].deadline_label == "2027-01-08" + NOTE_2027 and got["veto"].deadline_label == "2026-12-25"
    warnings = [r.getMessage() for r in caplog.records if "预计" in r.getMessage()]
    assert len(warnings) == 2  # two runs, one line each, whatever the number of findings
    assert NOTE_2027 in warnings[0] and "调休" in warnings[0]


def test_reports_mark_the_estimated_deadline(tmp_path: Path) -> None:
    store, profile, found = _night(tmp_path, date(2026, 12, 24), date(2026, 12, 31))
    out = tmp_path / "out"
    summary = {"pages_crawled": 1, "links_checked": 0, "elapsed_s": 0.1, "findings": {"typo": 2}, "audit_errors": {}}
    reports.write_all(out, report_data(found, [], summary, profile, date(2026, 12, 31), crawled=False))

    rows = {r["severity"]: r for r in map(json.loads, (out / "findings.jsonl").read_text("utf-8").splitlines())}
    assert (rows["low"]["deadline"], rows["low"]["deadline_estimated"]) == ("2027-01-08", True)
    assert (rows["veto"]["deadline"], rows["veto"]["deadline_estimated"]) == ("2026-12-25", False)

    ws = openpyxl.load_workbook(out / "ledger.xlsx")["汇总"]
    header = [c.value for c in ws[1]]
    rows = {r[header.index("严重程度")].value: r for r in ws.iter_rows(min_row=2)}
    # Real date cells; the estimate is said in 检查状态 (printed) and in the cell's comment.
    assert {k: r[header.index("整改期限")].value.date().isoformat() for k, r in rows.items()} == {
        "单项否决": "2026-12-25", "轻微": "2027-01-08"}
    assert NOTE_2027 in rows["轻微"][header.index("检查状态")].value
    assert NOTE_2027 in rows["轻微"][header.index("整改期限")].comment.text
    assert "预计" not in rows["单项否决"][header.index("检查状态")].value and rows["单项否决"][header.index("整改期限")].comment is None

    html = (out / "report.html").read_text("utf-8")
    assert html.count(NOTE_2027) == 1 and "2027-01-08" in html
    assert "2027-01-08" + NOTE_2027 in (out / "junit.xml").read_text("utf-8")


def test_the_unit_mail_marks_the_estimated_deadline(tmp_path: Path) -> None:
    store, profile, found = _night(tmp_path, date(2026, 12, 24), date(2026, 12, 31), with_mail=True)
    data = report_data(found, [], {"crawl_run": 2, "pages_crawled": 1}, profile, date(2026, 12, 31))
    messages = {key: msg for key, _, msg in mail.compose(data)}
    unit = messages["unit:区教育局"]
    html = unit.get_body(("html",)).get_content()
    text = unit.get_body(("plain",)).get_content()
    for body in (html, text):
        assert "2027-01-08" + NOTE_2027 in body and "未计调休" in body
        assert body.count("（预计，") == 1  # the official deadline (2026-12-25) carries no note
