"""ledger.xlsx (整改台账): the columns a 整改台账 carries, 汇总 then one valid sheet per unit in the
office's ledger, one sheet in a unit's, a dead target on many pages as one row with its pages on
their own sheet, print setup, real dates, prefilled values the dropdown offers, crawled text
never a formula, overdue rows marked. Checked by reading the files back with openpyxl."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd

import audits
from reports.data import FeedbackNote, FeedbackView
from reports.ledger import COLUMNS, FEEDBACK_STATUSES, OFFICE_COLUMNS, sheet_names, write_ledger
from tests.support.reportdata import titles
from zhaocuo.core.finding import Finding

SITE = "http://127.0.0.1:8000/"
EXPECTED = ["序号", "问题类型", "严重程度", "责任单位", "页面标题", "页面地址", "问题描述", "原文", "建议修改",
            "发现日期", "整改期限", "检查状态", "整改状态", "整改措施", "责任人", "完成时限", "反馈说明", "问题编号"]


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
    assert COLUMNS == EXPECTED and OFFICE_COLUMNS == EXPECTED + ["审核意见", "审核说明"]
    book = openpyxl.load_workbook(path)
    # units by name, unassigned last, then the pages of grouped rows and the guide
    assert book.sheetnames == ["汇总", "区卫健局", "区教育局", "未分配", "链接所在页面", "填报说明"]
    for name in book.sheetnames[:4]:
        assert [c.value for c in book[name][1]] == OFFICE_COLUMNS
    sheets = pd.read_excel(path, sheet_name=None, dtype=str)
    # The two pages linking bm/jyj/old.html are one row; its id is the group's.
    assert len(sheets["汇总"]) == 3
    assert len(sheets["区教育局"]) == 1 and set(sheets["区教育局"]["责任单位"]) == {"区教育局"}
    assert len(sheets["区卫健局"]) == 1 and len(sheets["未分配"]) == 1
    sample = _sample()
    assert set(sheets["汇总"]["问题编号"]) == {sample[0].group, sample[2].id, sample[3].group}
    typo = sheets["区卫健局"].iloc[0]
    title = audits.titles().get("typo", "typo")  # the Chinese title once the typo audit is installed
    assert (typo["问题类型"], typo["原文"], typo["建议修改"], typo["严重程度"]) == (title, "布署", "部署", "一般")
    assert sheets["汇总"]["反馈说明"].isna().all()
    # most serious first in every sheet, numbered from 1
    assert list(sheets["汇总"]["严重程度"])[0] == "严重"
    assert list(sheets["汇总"]["序号"]) == ["1", "2", "3"]
    ws = book["汇总"]
    assert ws.freeze_panes == "B2"
    # 整改状态 offers what a unit may answer, 完成时限 takes a date, 审核意见 the office's decision.
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert dvs["M2:M4"].formula1 == '"未整改,整改中,已整改,误报"'
    assert dvs["P2:P4"].type == "date"
    assert dvs["S2:S4"].formula1 == '"同意,同意（全站）,不同意"'
    pages = sheets["链接所在页面"]
    assert sorted(pages["所在页面"]) == sorted(f.url for f in sample if f.audit == "dead_link")
    assert set(pages["问题编号"]) == {sample[0].group, sample[3].group}


def test_a_units_ledger_holds_only_its_findings(tmp_path: Path) -> None:
    path = write_ledger(tmp_path / "jyj.xlsx", _sample(), titles(), unit="区教育局")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["区教育局", "链接所在页面", "填报说明"]
    assert [c.value for c in book["区教育局"][1]] == EXPECTED  # no review columns for a unit
    assert {p.name: p.value for p in book.custom_doc_props} == {
        "zhaocuo-ledger": "unit", "zhaocuo-unit": "区教育局", "zhaocuo-site": "-"}
    sheets = pd.read_excel(path, sheet_name=None, dtype=str)
    assert len(sheets["区教育局"]) == 1 and len(sheets["链接所在页面"]) == 2
    unassigned = pd.read_excel(write_ledger(tmp_path / "none.xlsx", _sample(), titles(), unit="未分配"),
                               sheet_name=None, dtype=str)
    assert list(unassigned)[0] == "未分配" and len(unassigned["未分配"]) == 1
    empty = pd.read_excel(write_ledger(tmp_path / "x.xlsx", _sample(), titles(), unit="不存在的单位"), sheet_name=None)
    assert list(empty) == ["不存在的单位", "填报说明"] and len(empty["不存在的单位"]) == 0
    assert list(empty["不存在的单位"].columns) == EXPECTED


def test_print_setup_and_real_dates(tmp_path: Path) -> None:
    estimated = _finding(audit="typo", url=SITE + "bm/jyj/e.html", target="", text="帐号", deadline="2027-01-05",
                         deadline_estimated=True)
    path = write_ledger(tmp_path / "ledger.xlsx", [*_sample(), estimated], titles(), unit="区教育局")
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0 and ws.print_title_rows == "$1:$1"
        assert "&P" in ws.oddFooter.center.text
    ws = book["区教育局"]
    header = [c.value for c in ws[1]]
    rows = {r[header.index("原文")].value: r for r in ws.iter_rows(min_row=2)}
    row = rows["帐号"]
    assert row[header.index("发现日期")].value == dt.datetime(2026, 11, 20)
    assert row[header.index("发现日期")].number_format == "yyyy-mm-dd"
    deadline = row[header.index("整改期限")]
    assert deadline.value == dt.datetime(2027, 1, 5) and deadline.comment is not None and "预计" in deadline.comment.text


def test_prefilled_values_are_ones_the_dropdown_offers(tmp_path: Path) -> None:
    sample = _sample()
    view = FeedbackView(notes={
        sample[0].group: FeedbackNote(status="整改中", measure="联系信息中心删除链接", person="张三", due="2026-12-01"),
        sample[2].id: FeedbackNote(status="误报", reason="引用原文", review="误报申请待审核")})
    path = write_ledger(tmp_path / "ledger.xlsx", sample, titles(), feedback=view)
    ws = openpyxl.load_workbook(path)["汇总"]
    header = [c.value for c in ws[1]]
    by_id = {r[header.index("问题编号")].value: r for r in ws.iter_rows(min_row=2)}
    assert all(r[header.index("整改状态")].value in FEEDBACK_STATUSES for r in by_id.values())
    plan = by_id[sample[0].group]
    assert (plan[header.index("整改状态")].value, plan[header.index("责任人")].value) == ("整改中", "张三")
    assert plan[header.index("完成时限")].value == dt.datetime(2026, 12, 1)
    claim = by_id[sample[2].id]
    assert claim[header.index("整改状态")].value == "误报" and claim[header.index("反馈说明")].value == "引用原文"
    assert claim[header.index("检查状态")].value == "新发现；误报申请待审核"
    assert by_id[sample[3].group][header.index("整改状态")].value == "未整改"


def test_seven_dead_targets_on_800_pages_are_seven_rows(tmp_path: Path) -> None:
    findings = [_finding(url=f"{SITE}bm/jyj/p{n}.html", target=f"{SITE}gone/{n % 7}.html") for n in range(800)]
    path = write_ledger(tmp_path / "ledger.xlsx", findings, titles())
    sheets = pd.read_excel(path, sheet_name=None, dtype=str)
    assert len(sheets["汇总"]) == 7 and len(sheets["区教育局"]) == 7
    assert len(sheets["链接所在页面"]) == 800
    first = sheets["汇总"].iloc[0]
    assert "共 115 个页面" in first["页面地址"] or "共 114 个页面" in first["页面地址"]
    assert "等 11" in first["页面标题"]


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
    path = write_ledger(tmp_path / "ledger.xlsx", [_sample()[1], _sample()[2]], titles())
    ws = openpyxl.load_workbook(path)["汇总"]
    header = [c.value for c in ws[1]]
    status = {r[header.index("页面地址")].value: r for r in ws.iter_rows(min_row=2)}
    late = status[SITE + "bm/jyj/b.html"]
    assert late[header.index("检查状态")].value == "未整改（已逾期）"
    assert late[header.index("整改状态")].value == "未整改"  # a value the dropdown offers
    assert late[0].fill.fgColor.rgb.endswith("F4CCCC")
    fresh = status[SITE + "bm/wjj/c.html"]
    assert fresh[header.index("检查状态")].value == "新发现"
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
    assert book.sheetnames[0] == "汇总" and len(book.sheetnames) == 5
    units = {book[n]["D2"].value for n in book.sheetnames[1:3]}
    assert units == {"区住建局/区人防办[联合]", "区" + "很" * 40 + "长的单位"}
