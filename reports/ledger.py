"""ledger.xlsx: the 整改台账 offices keep, one row per finding.

Sheet 汇总 holds every finding, then one sheet per responsible unit. Units fill in
整改状态 (已整改 or 误报) and 反馈说明 and send the file back; ``zhaocuo feedback`` imports it
by 问题编号, so the column names below are an interface: never rename them.

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
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from reports.data import ReportData
from zhaocuo.core.finding import SEVERITY_LABELS, STATUS_LABELS, Finding, Severity

COLUMNS = ["序号", "问题类型", "严重程度", "责任单位", "页面标题", "页面地址", "问题描述", "原文", "建议修改",
           "发现日期", "整改期限", "整改状态", "问题编号", "反馈说明"]
SUMMARY_SHEET = "汇总"
NO_UNIT = "未分配"
OVERDUE_SUFFIX = "（已逾期）"
# What a unit may write into 整改状态 when it sends the ledger back (the feedback importer's words).
FEEDBACK_STATUSES = ("已整改", "误报")
MAX_CELL_CHARS = 2000   # Excel holds 32,767 per cell; a ledger row should stay readable
MAX_SHEET_NAME = 31

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_OVERDUE_FILL = PatternFill("solid", fgColor="FFF4CCCC")
_HEADER_FILL = PatternFill("solid", fgColor="FFDDDDDD")
_WIDTHS = {"序号": 6, "问题类型": 14, "严重程度": 9, "责任单位": 14, "页面标题": 28, "页面地址": 40, "问题描述": 50,
           "原文": 30, "建议修改": 20, "发现日期": 12, "整改期限": 14, "整改状态": 16, "问题编号": 18, "反馈说明": 30}


def clean_text(value: object, limit: int = MAX_CELL_CHARS) -> str:
    """Text fit for a cell: XML-illegal control characters dropped, length bounded."""
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    return text if len(text) <= limit else text[:limit] + "…"


def status_text(f: Finding) -> str:
    label = STATUS_LABELS.get(f.status, f.status)
    return label + OVERDUE_SUFFIX if f.overdue else label


def original_text(f: Finding) -> str:
    """原文: the offending text; for a dead link, the link target as written on the page."""
    if f.text:
        return f.text
    if f.target:
        return f.target
    return f.evidence


def rows(findings: Iterable[Finding], titles: dict[str, str]) -> list[dict[str, object]]:
    out = []
    for n, f in enumerate(findings, start=1):
        out.append({
            "序号": n,
            "问题类型": titles.get(f.audit, f.audit),
            "严重程度": SEVERITY_LABELS.get(Severity(f.severity), f.severity),
            "责任单位": f.unit or NO_UNIT,
            "页面标题": clean_text(f.page_title),
            "页面地址": clean_text(f.url),
            "问题描述": clean_text(f.message),
            "原文": clean_text(original_text(f)),
            "建议修改": clean_text(f.suggestion),
            "发现日期": f.first_seen,
            "整改期限": f.deadline_label,
            "整改状态": status_text(f),
            "问题编号": f.id,
            "反馈说明": "",
        })
    return out


def sheet_names(units: Iterable[str]) -> dict[str, str]:
    """A valid, unique Excel sheet name for each unit name.

    Excel forbids []:*?/\\ , a leading or trailing apostrophe, names over 31 characters and
    names that differ only in case; 汇总 is taken by the summary sheet.
    """
    used = {SUMMARY_SHEET.casefold()}
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


def _sort_key(f: Finding) -> tuple[object, ...]:
    return (f.severity_rank, not f.overdue, f.audit, f.url, f.target, f.id)


def _styles(wb: Workbook) -> dict[str, StyleArray]:
    """The few looks a ledger uses, each built once and then copied to its cells.

    Assigning a style object to a cell costs a lookup in the workbook's style tables each
    time (tens of thousands of findings took minutes); copying the style array is openpyxl's
    own idiom for reusing a style (``cell._style = copy(other._style)``).
    """
    ws = wb.create_sheet("_styles")  # a scratch sheet to build the looks on, removed below
    looks = {}
    for key, kwargs in {
        "header": {"font": Font(bold=True), "fill": _HEADER_FILL,
                   "alignment": Alignment(horizontal="center", vertical="center")},
        "cell": {"alignment": Alignment(wrap_text=True, vertical="top")},
        "overdue": {"alignment": Alignment(wrap_text=True, vertical="top"), "fill": _OVERDUE_FILL},
    }.items():
        cell = WriteOnlyCell(ws)
        for attr, value in kwargs.items():
            setattr(cell, attr, value)
        looks[key] = copy(cell._style)
        text = WriteOnlyCell(ws)
        text._style = copy(cell._style)
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
    else:
        cell._style = copy(looks[look])
    return cell


def _write_sheet(wb: Workbook, name: str, findings: list[Finding], titles: dict[str, str],
                 looks: dict[str, StyleArray]) -> None:
    """One sheet, streamed row by row (openpyxl write-only mode keeps memory flat)."""
    frame = pd.DataFrame(rows(findings, titles), columns=COLUMNS)
    ws = wb.create_sheet(name)
    for i, column in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(column, 14)
    ws.freeze_panes = "B2"
    last_row = len(frame) + 1
    last_col = get_column_letter(len(COLUMNS))
    ws.auto_filter.ref = f"A1:{last_col}{last_row}"
    if len(frame):
        status_col = get_column_letter(COLUMNS.index("整改状态") + 1)
        dv = DataValidation(type="list", formula1='"' + ",".join(FEEDBACK_STATUSES) + '"', allow_blank=True,
                            showErrorMessage=False, promptTitle="整改状态",
                            prompt="整改完成填“已整改”；认为不是问题填“误报”并在反馈说明中写明理由。")
        dv.showInputMessage = True
        dv.add(f"{status_col}2:{status_col}{last_row}")
        ws.data_validations.append(dv)
    ws.append([_cell(ws, c, looks, "header") for c in COLUMNS])
    for f, values in zip(findings, frame.itertuples(index=False, name=None), strict=True):
        look = "overdue" if f.overdue else "cell"
        ws.append([_cell(ws, v, looks, look) for v in values])


def write_ledger(path: str | Path, findings: list[Finding], titles: dict[str, str], unit: str | None = None) -> Path:
    """Write the ledger to ``path`` (atomically); with ``unit``, only that unit's findings.

    ``unit`` is the finding's unit name ("" or 未分配 for unassigned pages). A unit's own
    ledger has the same layout (汇总 with its findings, then its own sheet) so one importer
    reads both.
    """
    path = Path(path)
    if unit is not None:
        wanted = "" if unit == NO_UNIT else unit
        findings = [f for f in findings if (f.unit or "") == wanted]
    ordered = sorted(findings, key=_sort_key)
    by_unit: dict[str, list[Finding]] = {}
    for f in ordered:
        by_unit.setdefault(f.unit or NO_UNIT, []).append(f)
    # Unit sheets in name order (stable night to night), unassigned findings last.
    by_unit = dict(sorted(by_unit.items(), key=lambda kv: (kv[0] == NO_UNIT, kv[0])))
    names = sheet_names(by_unit)
    tmp = path.with_name(path.name + ".tmp.xlsx")
    wb = Workbook(write_only=True)
    looks = _styles(wb)
    _write_sheet(wb, SUMMARY_SHEET, ordered, titles, looks)
    for u, items in by_unit.items():
        _write_sheet(wb, names[u], items, titles, looks)
    wb.save(tmp)
    os.replace(tmp, path)  # readers never see half a workbook
    return path


def write(out_dir: Path, data: ReportData) -> Path:
    return write_ledger(out_dir / "ledger.xlsx", data.findings, data.titles)
