"""``zhaocuo feedback LEDGER.xlsx --config P``: import a ledger a unit sent back.

Units fill 整改状态 with 已整改 (fixed — the next crawl checks it) or 误报 (a false alarm,
with the reason in 反馈说明 — that finding id is suppressed in later runs; when the reason
says the wording is intended, e.g. 原文无误 / 专有名词 / 特定用法, the same text is
suppressed on the whole site for the text audits). Rows are matched by 问题编号.

All or nothing: the whole file is checked first — it is an xlsx, every sheet with findings
has the ledger's columns unchanged, every id is one this store knows, every status is one we
understand, every 误报 has a reason — and only then is anything written, in one
transaction. Any problem prints one message naming the file (and sheet and row) and exits 2.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from zhaocuo.app import lifecycle
from zhaocuo.app.profiles import load as load_profile
from zhaocuo.app.stores import StoreOpenError, open_store
from zhaocuo.core.finding import STATUS_LABELS
from zhaocuo.core.store import SQLiteStore, now_iso

# The ledger's header (reports/ledger.py COLUMNS): an interface, checked exactly.
LEDGER_COLUMNS = ("序号", "问题类型", "严重程度", "责任单位", "页面标题", "页面地址", "问题描述", "原文", "建议修改",
                  "发现日期", "整改期限", "整改状态", "问题编号", "反馈说明")
FIXED, FALSE_ALARM = "已整改", "误报"
# Statuses the ledger itself writes (a unit that leaves them means "no feedback on this row").
_UNCHANGED = {"", *STATUS_LABELS.values(), "整改中"}
_OVERDUE_SUFFIXES = ("（已逾期）", "(已逾期)")
# A 误报 reason with one of these says the wording itself is intended: suppress it site-wide.
INTENDED_WORDING = ("原文无误", "专有名词", "特定用法", "固定用法", "固定表述", "人名", "地名", "机构名称", "引用原文")
MAX_ROWS = 200_000


class FeedbackError(Exception):
    """A ledger that cannot be imported; ``str()`` is the one line printed."""


@dataclass
class Row:
    sheet: str
    row: int          # spreadsheet row number, as the user sees it
    fid: str
    status: str
    reason: str


def _cell(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _normal_status(value: str) -> str:
    for suffix in _OVERDUE_SUFFIXES:
        value = value.removesuffix(suffix)
    return value.strip()


def read_ledger(path: Path) -> list[Row]:
    """Every row of every sheet that carries 整改状态 feedback; raises FeedbackError."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.is_file():
        raise FeedbackError(f"{path}: 文件不存在 file not found")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FeedbackError(f"{path}: 不是整改台账 xlsx 文件 not an xlsx ledger ({type(exc).__name__})") from None
    rows: list[Row] = []
    try:
        for ws in wb.worksheets:
            it = ws.iter_rows(values_only=True)
            header = next(it, None)
            if header is None or all(v is None for v in header):
                continue  # an empty sheet a user added
            names = tuple(_cell(v) for v in header)
            while names and names[-1] == "":
                names = names[:-1]
            if names != LEDGER_COLUMNS:
                missing = [c for c in LEDGER_COLUMNS if c not in names]
                extra = [c for c in names if c not in LEDGER_COLUMNS]
                detail = ("缺少列 missing: " + "、".join(missing)) if missing else ""
                if extra:
                    detail += ("；" if detail else "") + "多出或改名的列 unexpected: " + "、".join(extra)
                if not detail:
                    detail = "列的顺序被改动 columns reordered"
                raise FeedbackError(f"{path}: 工作表 sheet “{ws.title}” 第 1 行表头与整改台账不一致 "
                                    f"header differs from the ledger ({detail})")
            i_id, i_status, i_reason = (LEDGER_COLUMNS.index(c) for c in ("问题编号", "整改状态", "反馈说明"))
            for n, values in enumerate(it, start=2):
                if n > MAX_ROWS:
                    raise FeedbackError(f"{path}: 工作表 “{ws.title}” 超过 {MAX_ROWS} 行 too many rows")
                values = tuple(values) + (None,) * (len(LEDGER_COLUMNS) - len(values))
                if all(_cell(v) == "" for v in values):
                    continue
                rows.append(Row(ws.title, n, _cell(values[i_id]), _normal_status(_cell(values[i_status])),
                                _cell(values[i_reason])))
    finally:
        wb.close()
    if not rows:
        raise FeedbackError(f"{path}: 没有找到整改台账的数据行 no ledger rows found")
    return rows


def plan(path: Path, rows: list[Row], known: dict[str, dict[str, Any]]) -> dict[str, Row]:
    """Check every row; the feedback to apply by finding id. Raises FeedbackError on the first
    problem, naming the sheet and row. The same id on two sheets (汇总 and the unit's own)
    must not say two different things."""
    chosen: dict[str, Row] = {}
    for r in rows:
        where = f"{path}: 工作表 “{r.sheet}” 第 {r.row} 行 row {r.row}"
        if not r.fid:
            raise FeedbackError(f"{where}: 问题编号为空 missing 问题编号")
        if r.fid not in known:
            raise FeedbackError(f"{where}: 未知的问题编号 unknown finding id {r.fid!r} "
                                "(不是本配置检查出的问题 not a finding of this profile's store)")
        if r.status in (FIXED, FALSE_ALARM):
            if r.status == FALSE_ALARM and not r.reason:
                raise FeedbackError(f"{where}: 填写“误报”时须在“反馈说明”中写明理由 a 误报 needs a reason in 反馈说明")
            prev = chosen.get(r.fid)
            if prev and (prev.status, prev.reason) != (r.status, r.reason):
                raise FeedbackError(f"{where}: 与工作表 “{prev.sheet}” 第 {prev.row} 行的反馈矛盾 "
                                    f"contradicts sheet {prev.sheet!r} row {prev.row} ({prev.status} / {r.status})")
            chosen[r.fid] = r
        elif r.status not in _UNCHANGED:
            raise FeedbackError(f"{where}: 整改状态只能填写“已整改”或“误报”, 实为 {r.status!r} "
                                "(整改状态 must be 已整改 or 误报)")
    return chosen


def intended_wording(reason: str) -> bool:
    return any(word in reason for word in INTENDED_WORDING)


def apply_feedback(store: SQLiteStore, path: Path, feedback: dict[str, Row], known: dict[str, dict[str, Any]],
                   today: date) -> dict[str, int]:
    """Write suppressions and claims in one transaction; counts of what was recorded."""
    last = store.last_run(status=None)
    after_run = last.id if last else 0
    counts = {"fixed": 0, "false_alarm": 0, "text": 0}
    with store.db:  # one transaction: all rows or none
        for fid, r in feedback.items():
            finding = known[fid].get("finding", {})
            source = {"file": str(path), "sheet": r.sheet, "row": r.row, "imported_at": now_iso()}
            if r.status == FIXED:
                store.put_state(lifecycle.CLAIM_KIND, fid, {"claimed_on": today.isoformat(), "after_run": after_run,
                                                            "checked_run": None, **source})
                counts["fixed"] += 1
                continue
            store.put_state(lifecycle.SUPPRESSED_KIND, fid, {
                "reason": r.reason, "audit": finding.get("audit", ""), "url": finding.get("url", ""),
                "text": finding.get("text", ""), **source})
            store.delete_state(lifecycle.CLAIM_KIND, fid)
            counts["false_alarm"] += 1
            audit, text = finding.get("audit", ""), finding.get("text", "")
            if audit in lifecycle.TEXT_AUDITS and text and intended_wording(r.reason):
                store.put_state(lifecycle.SUPPRESSED_TEXT_KIND, lifecycle.text_key(audit, text),
                                {"audit": audit, "text": text, "reason": r.reason, "finding": fid, **source})
                counts["text"] += 1
    return counts


def import_feedback(args: argparse.Namespace) -> int:
    """The CLI entry: 0 when imported, 2 (with one line naming file/sheet/row) when refused."""
    profile = load_profile(args.config)
    if not args.ledger:
        print("错误 error: 请给出交回的台账文件 name the returned ledger (zhaocuo feedback LEDGER.xlsx --config P)",
              file=sys.stderr)
        return 2
    path = Path(args.ledger)
    try:
        store = open_store(profile, getattr(args, "db", None), must_exist=True)
    except StoreOpenError as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return 2
    try:
        known = store.all_state(lifecycle.STATE_KIND)
        feedback = plan(path, read_ledger(path), known)
        counts = apply_feedback(store, path, feedback, known, date.today())
    except FeedbackError as exc:
        print(f"错误 error: {exc}；未导入任何内容 nothing imported", file=sys.stderr)
        return 2
    finally:
        store.close()
    if not feedback:
        print(f"{path}: 没有填写“已整改”或“误报”的行, 未作任何改动 no row says 已整改 or 误报; nothing changed")
        return 0
    print(f"已导入 imported {path}: 已整改 {counts['fixed']} 条 (下次抓取复查 checked by the next crawl), "
          f"误报 {counts['false_alarm']} 条 (其中按原文全站屏蔽 {counts['text']} 条 suppressed site-wide by text)")
    return 0
