"""ledger.xlsx (整改台账): exact columns, 汇总 then one valid sheet per unit, a unit's own ledger
holds only its findings, crawled text never becomes a formula, overdue rows are marked."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd

import audits
from reports.ledger import COLUMNS, sheet_names, write_ledger
from tests.support.reportdata import titles
from zhaocuo.core.finding import Finding

SITE = "http://127.0.0.1:8000/"
EXPECTED = ["序号", "问题类型", "严重程度", "责任单位", "页面标题", "页面地址", "问题描述", "原文", "建议修改",
            "发现日期", "整改期限", "整改状态", "问题编号", "反馈说明"]


def _finding(**kw: object) -> Finding:
    base = {"audit": "dead_link", "severity": "medium", "url": SITE + "bm/jyj/a.html", "message": "链接无法打开。",
            "unit": "区教育局", "status": "new", "first_seen": "2026-11-20", "deadline": "2026-11-27",
            "page_title": "教育动态", "target": SITE + "bm/jyj/old.html"}
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


def _sample() -> list[Finding]:
    return [
        _finding(),
        _finding(url=SITE + "bm/jyj/b.html", severity="high", status="open", overdue=True, deadline="2026-11-10"),
        _finding(audit="typo", url=SITE + "bm/wjj/c.html", unit="区卫健局", target="", text="布署", suggestion="部署",
                 message="“布署”应为“部署”。"),
        _finding(url=SITE + "other.html", unit="", target=SITE + "gone.html"),
    ]


def test_columns_and_sheets(tmp_path: Path) -> None:
    path = write_ledger(tmp_path / "ledger.xlsx", _sample(), titles())
    assert COLUMNS == EXPECTED
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["汇总", "区卫健局", "区教育局", "未分配"]  # units by name, unassigned last
    for ws in book.worksheets:
        assert [c.value for c in ws[1]] == EXPECTED
    sheets = pd.read_excel(path, sheet_name=None, dtype=str)
    assert len(sheets["汇总"]) == 4
    assert len(sheets["区教育局"]) == 2 and set(sheets["区教育局"]["责任单位"]) == {"区教育局"}
    assert len(sheets["区卫健局"]) == 1 and len(sheets["未分配"]) == 1
    ids = {f.id for f in _sample()}
    assert set(sheets["汇总"]["问题编号"]) == ids
    typo = sheets["区卫健局"].iloc[0]
    title = audits.titles().get("typo", "typo")  # the Chinese title once the typo audit is installed
    assert (typo["问题类型"], typo["原文"], typo["建议修改"], typo["严重程度"]) == (title, "布署", "部署", "一般")
    assert sheets["汇总"]["反馈说明"].isna().all()
    # most serious first in every sheet, numbered from 1
    assert list(sheets["汇总"]["严重程度"])[0] == "严重"
    assert list(sheets["区教育局"]["序号"]) == ["1", "2"]
    # 整改状态 offers the two answers the feedback import understands
    ws = book["汇总"]
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"已整改,误报"' and str(dv.sqref) == "L2:L5"
    assert ws.freeze_panes == "B2"


def test_a_units_ledger_holds_only_its_findings(tmp_path: Path) -> None:
    path = write_ledger(tmp_path / "jyj.xlsx", _sample(), titles(), unit="区教育局")
    sheets = pd.read_excel(path, sheet_name=None, dtype=str)
    assert list(sheets) == ["汇总", "区教育局"]
    assert set(sheets["汇总"]["责任单位"]) == {"区教育局"} and len(sheets["汇总"]) == 2
    unassigned = pd.read_excel(write_ledger(tmp_path / "none.xlsx", _sample(), titles(), unit="未分配"), sheet_name=None, dtype=str)
    assert list(unassigned) == ["汇总", "未分配"] and len(unassigned["汇总"]) == 1
    empty = pd.read_excel(write_ledger(tmp_path / "x.xlsx", _sample(), titles(), unit="不存在的单位"), sheet_name=None)
    assert list(empty) == ["汇总"] and len(empty["汇总"]) == 0 and list(empty["汇总"].columns) == EXPECTED


def test_crawled_text_never_becomes_a_formula(tmp_path: Path) -> None:
    payloads = ['=HYPERLINK("http://evil.example","点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)",
                "=1+1", "\t=1+1"]
    findings = [_finding(audit="typo", url=SITE + f"p{i}.html", text=p, page_title=p, suggestion=p, message=p, target="")
                for i, p in enumerate(payloads)]
    path = write_ledger(tmp_path / "ledger.xlsx", findings, titles())
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in z.read(name).decode("utf-8"), f"formula cell in {name}"
    ws = openpyxl.load_workbook(path)["汇总"]
    header = [c.value for c in ws[1]]
    seen = set()
    for row in ws.iter_rows(min_row=2):
        for col in ("页面标题", "原文", "建议修改", "问题描述"):
            cell = row[header.index(col)]
            assert cell.data_type == "s"
            seen.add(cell.value)
    assert seen == set(payloads), "the text is kept exactly, just never evaluated"


def test_overdue_findings_are_visibly_marked(tmp_path: Path) -> None:
    path = write_ledger(tmp_path / "ledger.xlsx", _sample(), titles())
    ws = openpyxl.load_workbook(path)["区教育局"]
    header = [c.value for c in ws[1]]
    status = {r[header.index("页面地址")].value: r for r in ws.iter_rows(min_row=2)}
    late = status[SITE + "bm/jyj/b.html"]
    assert late[header.index("整改状态")].value == "未整改（已逾期）"
    assert late[0].fill.fgColor.rgb.endswith("F4CCCC")
    fresh = status[SITE + "bm/jyj/a.html"]
    assert fresh[header.index("整改状态")].value == "新发现"
    assert fresh[0].fill.fill_type is None


def test_control_characters_and_long_text_do_not_break_the_file(tmp_path: Path) -> None:
    nasty = "坏\x00字\x0b符\x1f" + "长" * 50000
    path = write_ledger(tmp_path / "ledger.xlsx", [_finding(page_title=nasty, text=nasty, target="")], titles())
    row = pd.read_excel(path, sheet_name="汇总", dtype=str).iloc[0]
    assert row["页面标题"].startswith("坏字符长") and len(row["原文"]) <= 2001


def test_sheet_names_are_valid_and_unique() -> None:
    units = ["区教育局", "a/b:c*d?e[f]g\\h", "x" * 40, "x" * 40 + "y", "汇总", "ABC", "abc", "'引号'", ""]
    names = sheet_names(units)
    values = list(names.values())
    assert len({v.casefold() for v in values}) == len(values)
    assert "汇总" not in values
    for v in values:
        assert 0 < len(v) <= 31
        assert not any(ch in v for ch in "[]:*?/\\")
        assert not v.startswith("'") and not v.endswith("'")
    assert names["区教育局"] == "区教育局"


def test_units_with_awkward_names_get_their_own_sheets(tmp_path: Path) -> None:
    findings = [_finding(unit="区住建局/区人防办[联合]"), _finding(url=SITE + "z.html", unit="区" + "很" * 40 + "长的单位")]
    book = openpyxl.load_workbook(write_ledger(tmp_path / "ledger.xlsx", findings, titles()))
    assert book.sheetnames[0] == "汇总" and len(book.sheetnames) == 3
    units = {book[n]["D2"].value for n in book.sheetnames[1:]}
    assert units == {"区住建局/区人防办[联合]", "区" + "很" * 40 + "长的单位"}
