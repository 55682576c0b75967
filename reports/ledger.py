"""ledger.xlsx: the 整改台账 offices keep, one row per problem.

The office's ledger: sheet 汇总 with every problem, one sheet per responsible unit, the review
columns (审核意见, 审核说明). A unit's ledger (attached to its mail): one sheet of its own
rows. A dead target linked from many pages is one row (reports.grouping), its pages listed on
the sheet 链接所在页面. Units fill 整改状态 (未整改 / 整改中 / 已整改 / 误报), 整改措施, 责任人,
完成时限 and 反馈说明 and send the file back; ``zhaocuo feedback`` imports it by 问题编号 and the
column names, so the names below are an interface: never rename them. A sheet without a
整改状态 column (填报说明, 链接所在页面, one a clerk adds) is not read.

Printing: A4 landscape, fitted to the page width, the header row repeated on every page. Dates
are date cells; an estimated deadline carries a comment saying so. What was last answered on a
row (a pending 误报, a claimed fix, the plan of a fix in progress) is prefilled, so a valid
value is always one of the dropdown's and nobody types it twice.

Crawled text is untrusted here too. A cell whose text starts with = + - @ (or a tab/CR) would
be taken for a formula by a spreadsheet (CSV/formula injection), so such cells are written
as explicit strings with Excel's quote prefix: the text is kept exactly, it is just never
evaluated. Characters XML cannot hold are dropped (openpyxl would refuse the whole file).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from copy import copy
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from reports.data import FeedbackNote, FeedbackView, ReportData
from reports.grouping import Item, items
from zhaocuo.core.finding import SEVERITY_LABELS, STATUS_LABELS, Finding, Severity

# The unit's columns: what the national check's 整改台账 carries (问题, 整改措施, 责任人, 完成时限).
# 整改状态 to 反馈说明 are filled by the unit; 问题编号 ties a row back to its finding(s).
COLUMNS = ["序号", "问题类型", "严重程度", "责任单位", "页面标题", "页面地址", "问题描述", "原文", "建议修改",
           "发现日期", "整改期限", "检查状态", "整改状态", "整改措施", "责任人", "完成时限", "反馈说明", "问题编号"]
# The office's ledger adds its review of 误报 claims.
REVIEW_COLUMNS = ["审核意见", "审核说明"]
OFFICE_COLUMNS = COLUMNS + REVIEW_COLUMNS
# The columns of ledgers written before 0.2 (the importer still reads them).
COLUMNS_V1 = ["序号", "问题类型", "严重程度", "责任单位", "页面标题", "页面地址", "问题描述", "原文", "建议修改",
              "发现日期", "整改期限", "整改状态", "问题编号", "反馈说明"]
SUMMARY_SHEET = "汇总"
PAGES_SHEET = "链接所在页面"
GUIDE_SHEET = "填报说明"
PAGES_COLUMNS = ["死链地址", "所在页面", "页面标题", "链接文字", "责任单位", "发现日期", "问题编号", "页面问题编号"]
NO_UNIT = "未分配"
OVERDUE_SUFFIX = "（已逾期）"
# 整改状态: what a unit may choose (the prefilled value is always one of them).
FEEDBACK_STATUSES = ("未整改", "整改中", "已整改", "误报")
# 审核意见: the office's decision on a 误报 claim.
REVIEW_ACCEPT, REVIEW_ACCEPT_SITE, REVIEW_REJECT = "同意", "同意（全站）", "不同意"
REVIEW_VALUES = (REVIEW_ACCEPT, REVIEW_ACCEPT_SITE, REVIEW_REJECT)
# Document properties naming whose ledger a file is (read back by ``zhaocuo feedback``).
PROP_KIND, PROP_UNIT, PROP_SITE = "zhaocuo-ledger", "zhaocuo-unit", "zhaocuo-site"
MAX_CELL_CHARS = 2000   # Excel holds 32,767 per cell; a ledger row should stay readable
MAX_SHEET_NAME = 31
PAGES_IN_CELL = 3       # a grouped row's 页面地址 names this many pages, the pages sheet lists all

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_OVERDUE_FILL = PatternFill("solid", fgColor="FFF4CCCC")
_HEADER_FILL = PatternFill("solid", fgColor="FFDDDDDD")
_INPUT_FILL = PatternFill("solid", fgColor="FFFFF8DC")   # the columns a unit fills in
_DATE_FORMAT = "yyyy-mm-dd"
_WIDTHS = {"序号": 6, "问题类型": 12, "严重程度": 8, "责任单位": 12, "页面标题": 22, "页面地址": 36, "问题描述": 40,
           "原文": 24, "建议修改": 14, "发现日期": 11, "整改期限": 11, "检查状态": 12, "整改状态": 10, "整改措施": 24,
           "责任人": 9, "完成时限": 11, "反馈说明": 24, "问题编号": 17, "审核意见": 11, "审核说明": 20,
           "死链地址": 50, "所在页面": 50, "链接文字": 20, "页面问题编号": 17}
_INPUT_COLUMNS = {"整改状态", "整改措施", "责任人", "完成时限", "反馈说明", "审核意见", "审核说明"}
_DATE_COLUMNS = {"发现日期", "整改期限", "完成时限"}


def clean_text(value: object, limit: int = MAX_CELL_CHARS) -> str:
    """Text fit for a cell: XML-illegal control characters dropped, length bounded."""
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    return text if len(text) <= limit else text[:limit] + "…"


def check_status(item: Item, note: FeedbackNote | None) -> str:
    """检查状态: what the check says (新发现 / 未整改 / 整改后复现, overdue, an estimated deadline),
    and the claim's fate."""
    label = STATUS_LABELS.get(item.status, item.status) + (OVERDUE_SUFFIX if item.overdue else "")
    if item.deadline_note:  # the deadline cell is a date; its being an estimate is said here (and in a comment)
        label += f"；整改期限为预计{item.deadline_note}"
    return label + (f"；{note.review}" if note and note.review else "")


def original_text(f: Finding | Item) -> str:
    """原文: the offending text; for a dead link, the link target as written on the page."""
    if f.text:
        return f.text
    if f.target:
        return f.target
    return f.evidence


def _day(value: str) -> date | str:
    """A stored YYYY-MM-DD as a real date cell (sorts and filters as a date); else the text."""
    try:
        return date.fromisoformat(value[:10]) if value else ""
    except ValueError:
        return value


def _pages_cell(item: Item) -> str:
    if item.count == 1:
        return clean_text(item.url)
    shown = "\n".join(clean_text(f.url, 300) for f in item.pages[:PAGES_IN_CELL])
    return f"{shown}\n……共 {item.count} 个页面，全部见“{PAGES_SHEET}”工作表"


def rows(entries: Iterable[Item], titles: dict[str, str], notes: dict[str, FeedbackNote] | None = None,
         office: bool = False) -> list[dict[str, object]]:
    notes = notes or {}
    out = []
    for n, item in enumerate(entries, start=1):
        note = notes.get(item.id)
        row: dict[str, object] = {
            "序号": n,
            "问题类型": titles.get(item.audit, item.audit),
            "严重程度": SEVERITY_LABELS.get(Severity(item.severity), item.severity),
            "责任单位": item.unit or NO_UNIT,
            "页面标题": clean_text(item.page_title),
            "页面地址": _pages_cell(item),
            "问题描述": clean_text(item.message),
            "原文": clean_text(original_text(item)),
            "建议修改": clean_text(item.suggestion),
            "发现日期": _day(item.first_seen),
            "整改期限": _day(item.deadline),
            "检查状态": check_status(item, note),
            "整改状态": (note.status if note and note.status else "未整改"),
            "整改措施": clean_text(note.measure) if note else "",
            "责任人": clean_text(note.person, 100) if note else "",
            "完成时限": _day(note.due) if note and note.due else "",
            "反馈说明": clean_text(note.reason) if note else "",
            "问题编号": item.id,
        }
        if office:
            row.update({"审核意见": "", "审核说明": ""})
        out.append(row)
    return out


def sheet_names(units: Iterable[str], taken: Iterable[str] = (SUMMARY_SHEET, PAGES_SHEET, GUIDE_SHEET)) -> dict[str, str]:
    """A valid, unique Excel sheet name for each unit name.

    Excel forbids []:*?/\\ , a leading or trailing apostrophe, names over 31 characters and
    names that differ only in case; 汇总 and the ledger's other sheets are taken.
    """
    used = {t.casefold() for t in taken}
    out: dict[str, str] = {}
    for unit in units:
        base = _SHEET_FORBIDDEN.sub("_", clean_text(unit, 200)).strip().strip("'") or NO_UNIT
        base = base[:MAX_SHEET_NAME]
        name, n = base, 1
        while name.casefold() in used:
            n += 1
            suffix = f"({n})"
            name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        used.add(name.casefold())
        out[unit] = name
    return out


def _sort_key(item: Item) -> tuple[object, ...]:
    return (item.severity_rank, not item.overdue, item.audit, item.url, item.target, item.id)


def _styles(wb: Workbook) -> dict[str, StyleArray]:
    """The few looks a ledger uses, each built once and then copied to its cells.

    Assigning a style object to a cell costs a lookup in the workbook's style tables each
    time (tens of thousands of findings took minutes); copying the style array is openpyxl's
    own idiom for reusing a style (``cell._style = copy(other._style)``).
    """
    ws = wb.create_sheet("_styles")  # a scratch sheet to build the looks on, removed below
    wrap = Alignment(wrap_text=True, vertical="top")
    looks = {}
    for key, kwargs in {
        "header": {"font": Font(bold=True), "fill": _HEADER_FILL,
                   "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True)},
        "cell": {"alignment": wrap},
        "input": {"alignment": wrap, "fill": _INPUT_FILL},
        "overdue": {"alignment": wrap, "fill": _OVERDUE_FILL},
    }.items():
        for variant, extra in (("", {}), ("_date", {"number_format": _DATE_FORMAT})):
            cell = WriteOnlyCell(ws)
            for attr, value in {**kwargs, **extra}.items():
                setattr(cell, attr, value)
            looks[key + variant] = copy(cell._style)
        text = WriteOnlyCell(ws)
        text._style = copy(looks[key])
        text.quotePrefix = True
        looks[key + "_text"] = copy(text._style)
    wb.remove(ws)
    return looks


def _cell(ws: object, value: object, looks: dict[str, StyleArray], look: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        # openpyxl would store "=…" as a formula: force a string with Excel's quote prefix,
        # shown verbatim and never evaluated.
        cell.data_type = "s"
        cell._style = copy(looks[look + "_text"])
    elif isinstance(value, date):
        cell._style = copy(looks[look + "_date"])
    else:
        cell._style = copy(looks[look])
    return cell


def _print_setup(ws: object, title: str) -> None:
    """A4 landscape, every column on one page width, the header row on every printed page,
    page numbers in the footer: how a 整改台账 is printed for signing."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddHeader.center.text = clean_text(title, 200).replace("&", "&&")
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _validations(ws: object, columns: list[str], last_row: int) -> None:
    def letter(name: str) -> str:
        return get_column_letter(columns.index(name) + 1)

    status = DataValidation(type="list", formula1='"' + ",".join(FEEDBACK_STATUSES) + '"', allow_blank=True,
                            showErrorMessage=True, errorStyle="warning", promptTitle="整改状态",
                            prompt="已整改：下次检查时复查；误报：须在“反馈说明”中写明理由，经办公室审核后生效；"
                                   "整改中：请填写整改措施、责任人、完成时限。")
    status.showInputMessage = True
    status.add(f"{letter('整改状态')}2:{letter('整改状态')}{last_row}")
    ws.data_validations.append(status)
    due = DataValidation(type="date", operator="greaterThan", formula1="DATE(2000,1,1)", allow_blank=True,
                         showErrorMessage=True, errorStyle="warning", promptTitle="完成时限",
                         prompt="填写日期，如 2026-12-31")
    due.showInputMessage = True
    due.add(f"{letter('完成时限')}2:{letter('完成时限')}{last_row}")
    ws.data_validations.append(due)
    if "审核意见" in columns:
        review = DataValidation(type="list", formula1='"' + ",".join(REVIEW_VALUES) + '"', allow_blank=True,
                                showErrorMessage=True, promptTitle="审核意见",
                                prompt="对“误报”申请：同意（只屏蔽这一处）、同意（全站）（同一原文或死链全站不再报告）、"
                                       "不同意（请在审核说明中写明理由）。")
        review.showInputMessage = True
        review.add(f"{letter('审核意见')}2:{letter('审核意见')}{last_row}")
        ws.data_validations.append(review)


def _write_sheet(wb: Workbook, name: str, entries: list[Item], titles: dict[str, str], looks: dict[str, StyleArray],
                 notes: dict[str, FeedbackNote], office: bool, title: str) -> None:
    """One sheet, streamed row by row (openpyxl write-only mode keeps memory flat)."""
    columns = OFFICE_COLUMNS if office else COLUMNS
    table = rows(entries, titles, notes, office)
    ws = wb.create_sheet(name)
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(column, 14)
    ws.freeze_panes = "B2"
    last_row = len(table) + 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last_row}"
    _print_setup(ws, f"{title}（{name}）")
    if table:
        _validations(ws, columns, last_row)
    ws.append([_cell(ws, c, looks, "header") for c in columns])
    for item, row in zip(entries, table, strict=True):
        cells = []
        for column in columns:
            look = "overdue" if item.overdue else ("input" if column in _INPUT_COLUMNS else "cell")
            cell = _cell(ws, row[column], looks, look)
            if column == "整改期限" and item.deadline_note:
                cell.comment = Comment(f"预计期限{item.deadline_note}", "找错")
            cells.append(cell)
        ws.append(cells)


def _write_pages(wb: Workbook, entries: list[Item], looks: dict[str, StyleArray], title: str) -> None:
    """链接所在页面: every page of every grouped row (one line per page and target, as in
    findings.jsonl). Read-only by intent: answers go on the row of 问题编号."""
    ws = wb.create_sheet(PAGES_SHEET)
    for i, column in enumerate(PAGES_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(column, 14)
    ws.freeze_panes = "A2"
    _print_setup(ws, f"{title}（{PAGES_SHEET}）")
    ws.append([_cell(ws, c, looks, "header") for c in PAGES_COLUMNS])
    n = 1
    for item in entries:
        if not item.grouped:
            continue
        for f in item.pages:
            values = [clean_text(f.target), clean_text(f.url), clean_text(f.page_title),
                      clean_text(f.extra.get("anchor", ""), 200), f.unit or NO_UNIT, _day(f.first_seen), item.id, f.id]
            ws.append([_cell(ws, v, looks, "cell") for v in values])
            n += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(PAGES_COLUMNS))}{n}"


def guide_lines(office: bool, reply_to: str = "") -> list[str]:
    """The 填报说明 sheet: how to fill the ledger in, in the clerk's words."""
    back = f"填好后回复邮件交回（{reply_to}）。" if reply_to else "填好后交回办公室。"
    lines = [
        "一、请在“整改状态”列逐行选择：未整改、整改中、已整改、误报。",
        "二、已整改：下一次检查时自动复查；问题仍在的，状态改为“整改后复现”。",
        "三、误报：请在“反馈说明”中写明理由（如“人名，原文无误”）。误报申请经办公室审核同意后才不再报告；审核前照常列出。",
        "四、整改中或暂未整改：请填写“整改措施”“责任人”“完成时限”（日期，如 2026-12-31）。",
        "五、同一个无法访问的链接出现在多个页面时合并为一行，所在页面全部列在“链接所在页面”工作表；在合并行上填写即对这些页面都有效。",
        "六、请勿修改“问题编号”列。可以增加列或工作表（如本单位的说明），导入时不读取。",
        "七、只能反馈本单位的问题；其他单位的问题请告知办公室。",
        "八、" + back,
    ]
    if office:
        lines += ["", "办公室审核：在“审核意见”列选择 同意、同意（全站）、不同意，在“审核说明”中写明理由；",
                  "  同意：只屏蔽这一处；同意（全站）：同一原文（错别字、表述）或同一死链在全站都不再报告。",
                  "  然后运行：zhaocuo feedback 本台账.xlsx --config 配置文件.toml --office",
                  "  也可在命令行审核：zhaocuo feedback --config 配置文件.toml --review（列出待审核）、--accept 编号、--reject 编号。"]
    return lines


def _write_guide(wb: Workbook, looks: dict[str, StyleArray], office: bool, reply_to: str, title: str) -> None:
    ws = wb.create_sheet(GUIDE_SHEET)
    ws.column_dimensions["A"].width = 110
    _print_setup(ws, f"{title}（{GUIDE_SHEET}）")
    ws.append([_cell(ws, GUIDE_SHEET, looks, "header")])
    for line in guide_lines(office, reply_to):
        ws.append([_cell(ws, line, looks, "cell")])


def write_ledger(path: str | Path, findings: list[Finding], titles: dict[str, str], unit: str | None = None,
                 feedback: FeedbackView | None = None, site: str = "", reply_to: str = "") -> Path:
    """Write the ledger to ``path`` (atomically).

    Without ``unit``: the office's ledger — 汇总 (one row per problem, a dead target once
    whatever units' pages link it), one sheet per unit, the review columns. With ``unit`` (a
    unit's name, or 未分配 for pages of no unit): that unit's ledger, one sheet of its own
    rows. Both add 链接所在页面 when rows were grouped, and 填报说明. The file records whose
    ledger it is in its document properties, which ``zhaocuo feedback`` reads back.
    """
    path = Path(path)
    office = unit is None
    notes = feedback.notes if feedback else {}
    if not office:
        wanted = "" if unit == NO_UNIT else unit
        findings = [f for f in findings if (f.unit or "") == wanted]
    title = f"{site}网站检查整改台账" if site else "网站检查整改台账"
    wb = Workbook(write_only=True)
    looks = _styles(wb)
    by_unit: dict[str, list[Item]] = {}
    for item in sorted(items(findings, by_unit=True), key=_sort_key):
        by_unit.setdefault(item.lead.unit or NO_UNIT, []).append(item)
    # Unit sheets in name order (stable night to night), unassigned findings last.
    by_unit = dict(sorted(by_unit.items(), key=lambda kv: (kv[0] == NO_UNIT, kv[0])))
    all_items: list[Item]
    if office:
        all_items = sorted(items(findings), key=_sort_key)
        _write_sheet(wb, SUMMARY_SHEET, all_items, titles, looks, notes, True, title)
        names = sheet_names(by_unit)
        for u, unit_items in by_unit.items():
            _write_sheet(wb, names[u], unit_items, titles, looks, notes, True, title)
    else:
        all_items = by_unit.get(unit or NO_UNIT, [])
        name = sheet_names([unit or NO_UNIT])[unit or NO_UNIT]
        _write_sheet(wb, name, all_items, titles, looks, notes, False, title)
    if any(i.grouped for i in all_items):
        _write_pages(wb, all_items, looks, title)
    _write_guide(wb, looks, office, reply_to, title)
    wb.properties.title = title
    wb.properties.creator = "zhaocuo 找错"
    for key, value in ((PROP_KIND, "office" if office else "unit"), (PROP_UNIT, "" if office else unit or NO_UNIT),
                       (PROP_SITE, site)):
        wb.custom_doc_props.append(StringProperty(name=key, value=value or "-"))
    tmp = path.with_name(path.name + ".tmp.xlsx")
    wb.save(tmp)
    os.replace(tmp, path)  # readers never see half a workbook
    return path


def reply_address(data: ReportData) -> str:
    mail = data.profile.mail
    return "、".join((mail.reply_to or mail.office) if mail else [])


def write(out_dir: Path, data: ReportData) -> Path:
    return write_ledger(out_dir / "ledger.xlsx", data.findings, data.titles, feedback=data.feedback,
                        site=data.profile.site.name, reply_to=reply_address(data))
