"""The national 我为政府网站找错 platform's messages, in the same lifecycle and ledger as findings.

Citizens report a site's errors on the State Council's 我为政府网站找错 platform; the platform
forwards each message to the site, which must handle it within a deadline (办理时限, three
working days unless the platform says otherwise). ``zhaocuo import-platform EXPORT --config P``
reads the platform's message export (xlsx or csv) into the store; every later ``run`` or
``audit`` turns each message still open into a ``platform_message`` finding:

- on the problem page (问题页面), so it is routed to the unit whose ``paths`` match it, like any
  finding, and listed in that unit's ledger and mail;
- due on the platform's 办理时限 (a date, or "N个工作日" after 留言时间), else
  ``[platform] deadline_workdays`` working days after 留言时间; overdue like any finding;
- re-checked where the crawl can: a dead link (问题类型 or description says 链接/打不开/404 …)
  on a page fetched this run is still there while the page links a dead target (the one named
  in the description, or any); a typo whose wrong text is quoted (“布署”应为“部署”) is still
  there while the page's text holds it. Otherwise the message waits for a person: the platform
  export saying 已办结 (imported again), or the unit's ledger saying 已整改.

Import is all or nothing: the whole file is checked first — its header (the platform has used
several names for each column; missing columns are named), every row's 留言编号, 留言时间 and
问题页面 — and one bad row refuses the file with one line naming the file and the row.
The export is untrusted text written by citizens: every cell is bounded, nothing in it is
executed, and the reports escape it like any crawled text.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from zhaocuo.app import lifecycle, stores
from zhaocuo.app.profiles import load as load_profile
from zhaocuo.core.auditmeta import AuditMeta
from zhaocuo.core.finding import Finding, Severity
from zhaocuo.core.profile import Profile
from zhaocuo.core.safezip import NotAWorkbook, UnsafeZip, open_workbook
from zhaocuo.core.store import Crawl, Store, now_iso
from zhaocuo.core.units import unit_for
from zhaocuo.core.urlcanon import canonical
from zhaocuo.core.workdays import CalendarRangeError, deadline_after

STATE_KIND = "platform_message"
META = AuditMeta(name="platform_message", title="找错平台网民留言", severity=Severity.HIGH, requires=(),
                 description="国务院办公厅“我为政府网站找错”平台转来的网民留言，须在办理时限内核实、整改并答复。")

# Canonical column → the header names the platform's exports have used (the first is shown).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("留言编号", "编号", "留言ID", "留言标识", "问题编号", "工单编号", "工单号", "ID"),
    "time": ("留言时间", "提交时间", "留言日期", "反馈时间", "提出时间", "创建时间", "网民留言时间"),
    "page": ("问题页面", "问题网址", "问题页面地址", "问题页面网址", "问题页面链接", "问题链接", "错误页面", "错误页面地址",
             "错误网址", "页面地址", "页面网址", "页面链接", "网址", "链接地址", "URL"),
    "description": ("问题描述", "留言内容", "问题内容", "问题详情", "详细描述", "错误描述", "描述", "内容"),
    "state": ("办理状态", "处理状态", "留言状态", "状态", "办理情况"),
    "deadline": ("办理时限", "办理期限", "办理截止时间", "截止时间", "截止日期", "办结时限", "答复时限", "时限"),
    "kind": ("问题类型", "错误类型", "问题分类", "留言类型", "类型"),
    "site": ("网站名称", "站点名称", "网站"),
}
REQUIRED = ("id", "time", "page", "description")
CLOSED_STATES = ("已办结", "办结", "已回复", "已答复", "已处理", "处理完毕", "已完成", "已反馈", "已关闭", "已办理")
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024   # an xlsx is a zip: bound what it may inflate to
MAX_ROWS = 100_000
MAX_CELL = 2000
HEADER_ROWS = 10
MAX_WRONG = 8   # characters of a quoted wrong word that re-checking trusts

_DATE = re.compile(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_WORKDAYS = re.compile(r"^\s*(\d{1,2})\s*个?\s*工作日")
_DEAD_WORDS = re.compile(r"链接|死链|错链|打不开|无法打开|无法访问|不能访问|访问不了|404|页面不存在|失效")
_TYPO_WORDS = re.compile(r"错别字|错字|别字|错误表述|文字错误|用词错误|写错|笔误")
_QUOTED = re.compile(r"[“\"「『【‘']([^”\"」』】’']{1,30})[”\"」』】’']")
_URL = re.compile(r"https?://[^\s\"'<>“”，。；）)]+")


class PlatformError(Exception):
    """An export that cannot be imported; ``str()`` is the one line printed."""


@dataclass
class Message:
    id: str
    time: date
    page: str
    description: str
    state: str = ""
    deadline: str = ""          # as written: a date, "3个工作日" or ""
    kind: str = ""
    site: str = ""
    row: int = 0

    def to_state(self) -> dict[str, Any]:
        return {"id": self.id, "time": self.time.isoformat(), "page": self.page, "description": self.description,
                "state": self.state, "deadline": self.deadline, "kind": self.kind, "site": self.site}


# -- reading the export -------------------------------------------------------------------
def _norm(header: Any) -> str:
    text = "" if header is None else str(header)
    text = re.sub(r"[\s*＊]|[（(]\s*(?:必填|选填|可选)\s*[)）]", "", text)
    return text.upper() if text.isascii() else text


_LOOKUP = {_norm(v): key for key, names in COLUMNS.items() for v in names}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()[:MAX_CELL]


def _rows(path: Path) -> Iterator[list[Any]]:
    """The file's rows as lists of cell values (the first sheet of an xlsx)."""
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError:
        raise PlatformError(f"{path}: 文件不存在或无法读取 file not found or unreadable") from None
    if size > MAX_FILE_BYTES:
        raise PlatformError(f"{path}: 文件过大 file too large ({size} bytes > {MAX_FILE_BYTES})")
    if suffix == ".csv":
        yield from _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        yield from _xlsx_rows(path)
    elif suffix in (".xls", ".et"):
        raise PlatformError(f"{path}: 不支持旧版 Excel 格式，请另存为 .xlsx 或 .csv (old .xls not supported; save as xlsx or csv)")
    else:
        raise PlatformError(f"{path}: 导出文件应为 .xlsx 或 .csv the export must be .xlsx or .csv, not {suffix or 'no suffix'!r}")


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise PlatformError(f"{path}: 无法识别的文字编码（应为 UTF-8 或 GBK）unknown text encoding (expected UTF-8 or GBK)")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        yield from csv.reader(io.StringIO(text), delimiter=delimiter)
    except csv.Error as exc:
        raise PlatformError(f"{path}: CSV 格式错误 malformed csv ({exc})") from None


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    try:
        wb = open_workbook(path, MAX_UNZIPPED_BYTES)
    except UnsafeZip as exc:
        raise PlatformError(f"{path}: 拒绝读取 refused — {exc}") from None
    except NotAWorkbook as exc:
        raise PlatformError(f"{path}: 不是有效的 xlsx 文件 not a valid xlsx file ({exc})") from None
    try:
        ws = wb.worksheets[0]
        for values in ws.iter_rows(values_only=True):
            yield list(values)
    finally:
        wb.close()


def _parse_time(value: str) -> date | None:
    m = _DATE.search(value)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _page_url(value: str) -> str | None:
    value = value.strip()
    if value and "://" not in value and re.match(r"^[\w.-]+\.[a-z]{2,}(?::\d+)?(/|$)", value, re.I):
        value = "http://" + value  # the platform sometimes drops the scheme
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        return None
    return value


def read_export(path: Path) -> list[Message]:
    """Every message of the export; raises PlatformError naming the file (and row) at fault."""
    header: dict[str, int] | None = None
    header_row = 0
    messages: list[Message] = []
    seen: dict[str, Message] = {}
    for n, values in enumerate(_rows(path), start=1):
        cells = [_cell(v) for v in values]
        if header is None:
            found = {_LOOKUP[_norm(c)]: i for i, c in reversed(list(enumerate(cells))) if _norm(c) in _LOOKUP}
            if len(found) >= 2:
                header, header_row = found, n
                missing = [k for k in REQUIRED if k not in header]
                if missing:
                    names = "；".join(f"{COLUMNS[k][0]}（可写作 {'、'.join(COLUMNS[k][1:5])}）" for k in missing)
                    raise PlatformError(f"{path}: 第 {n} 行表头缺少列 header row {n} lacks columns: {names}")
            elif n >= HEADER_ROWS:
                break
            continue
        if not any(cells):
            continue
        if len(messages) >= MAX_ROWS:
            raise PlatformError(f"{path}: 超过 {MAX_ROWS} 条留言 too many rows")

        def get(key: str, cells: list[str] = cells, header: dict[str, int] = header) -> str:
            i = header.get(key)
            return cells[i] if i is not None and i < len(cells) else ""

        where = f"{path}: 第 {n} 行 row {n}"
        mid = get("id")
        if not mid:
            raise PlatformError(f"{where}: 留言编号为空 missing 留言编号")
        asked = _parse_time(get("time"))
        if asked is None:
            raise PlatformError(f"{where}: 留言时间 {get('time')!r} 不是日期 is not a date")
        page = _page_url(get("page"))
        if page is None:
            raise PlatformError(f"{where}: 问题页面 {get('page')!r} 不是网址 is not an http(s) URL")
        description = get("description")
        if not description:
            raise PlatformError(f"{where}: 问题描述为空 missing 问题描述")
        deadline = get("deadline")
        if deadline and _parse_time(deadline) is None and not _WORKDAYS.match(deadline):
            raise PlatformError(f"{where}: 办理时限 {deadline!r} 既不是日期也不是“N个工作日” "
                                "is neither a date nor N个工作日")
        msg = Message(mid, asked, page, description, get("state"), deadline, get("kind"), get("site"), n)
        prev = seen.get(mid)
        if prev is not None:
            if prev.to_state() != msg.to_state():
                raise PlatformError(f"{where}: 留言编号 {mid!r} 与第 {prev.row} 行重复且内容不同 "
                                    f"duplicates row {prev.row} with different content")
            continue
        seen[mid] = msg
        messages.append(msg)
    if header is None:
        raise PlatformError(f"{path}: 前 {HEADER_ROWS} 行找不到表头 no header in the first {HEADER_ROWS} rows "
                            f"(需要列 required: {'、'.join(COLUMNS[k][0] for k in REQUIRED)})")
    if not messages:
        raise PlatformError(f"{path}: 第 {header_row} 行表头之后没有留言 no message after the header")
    return messages


def store_messages(store: Store, path: Path, messages: list[Message]) -> tuple[int, int]:
    """Write every message in one transaction; (new, updated)."""
    known = store.all_state(STATE_KIND)
    new = updated = 0
    with store.transaction():  # all rows or none
        for m in messages:
            prev = known.get(m.id)
            data = {**m.to_state(), "file": str(path), "row": m.row, "imported_at": now_iso(),
                    "first_imported": (prev or {}).get("first_imported") or now_iso()}
            if prev is None:
                new += 1
            elif {k: prev.get(k) for k in m.to_state()} != m.to_state():
                updated += 1
            store.put_state(STATE_KIND, m.id, data)
    return new, updated


def import_platform(args: argparse.Namespace) -> int:
    """The CLI entry: 0 when imported, 2 (one line naming the file and row) when refused."""
    profile = load_profile(args.config)
    path = Path(args.export)
    db = getattr(args, "db", None)
    try:
        store = stores.open_store(profile, db)
    except stores.StoreOpenError as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return 2
    try:
        messages = read_export(path)
        new, updated = store_messages(store, path, messages)
    except PlatformError as exc:
        print(f"错误 error: {exc}；未导入任何内容 nothing imported", file=sys.stderr)
        return 2
    finally:
        store.close()
    closed = sum(1 for m in messages if closed_state(m.state))
    print(f"已导入 imported {path}: {len(messages)} 条留言 messages（新增 new {new}，更新 updated {updated}，"
          f"平台显示已办结 closed {closed}）；下次 zhaocuo run 或 audit 时列入整改台账 (in the ledger from the next run)")
    return 0


# -- the messages as findings of a run ---------------------------------------------------
def in_use(store: Store) -> bool:
    """Has this store ever imported platform messages (then reports list the audit name)?"""
    return bool(store.all_state(STATE_KIND))


def closed_state(state: str) -> bool:
    return any(w in state for w in CLOSED_STATES) and not re.search(r"未|待|中$", state)


@dataclass
class PlatformRun:
    findings: list[Finding] = field(default_factory=list)
    resolved: set[str] = field(default_factory=set)     # finding ids closed this run (platform or recheck)
    summary: dict[str, Any] = field(default_factory=dict)


def kind_of(m: dict[str, Any]) -> str:
    """dead_link, typo or other, from 问题类型 first, then the description."""
    kind, text = str(m.get("kind", "")), str(m.get("description", ""))
    for source in (kind, text):
        if _TYPO_WORDS.search(source):
            return "typo"
        if _DEAD_WORDS.search(source):
            return "dead_link"
    return "other"


def wrong_text(description: str) -> str:
    """The wrong text a typo message quotes, or "" when it cannot be told from the right one:
    “布署”应为“部署” (the first), 将“部署”误写为“布署” (the second), one short quote (that one;
    a long one names a title or a sentence, not the wrong word)."""
    quoted = _QUOTED.findall(description)
    if len(quoted) == 1:
        return quoted[0] if len(quoted[0]) <= MAX_WRONG else ""
    if len(quoted) >= 2:
        between = description.split(quoted[0], 1)[1].split(quoted[1], 1)[0]
        if re.search(r"应为|应是|应该是|应改为|改为|更正为", between):
            return quoted[0] if len(quoted[0]) <= MAX_WRONG else ""
        if re.search(r"误写为|错写为|写成|写为|误作|错为", between):
            return quoted[1] if len(quoted[1]) <= MAX_WRONG else ""
    return ""


def recheck(m: dict[str, Any], crawl: Crawl | None, profile: Profile,
            findings: list[Finding]) -> tuple[str, str, str]:
    """("present" | "fixed" | "manual", the wrong text or dead target, a note) for one message.
    "fixed" only on evidence: the page fetched this run, every link in question checked."""
    kind = kind_of(m)
    if crawl is None or kind == "other" or kind in profile.audits.disabled:
        return "manual", "", ""
    page_url = canonical(m["page"]) or m["page"]
    page = crawl.page(page_url)
    fetched = page is not None and page.status is not None and 200 <= page.status < 300 and not page.error
    if kind == "dead_link":
        check = crawl.link_check(page_url)
        if check is not None and (check.error_kind or (check.status or 0) >= 400) and check.judged:
            return "present", page_url, "复查：问题页面本身无法访问"
        if not fetched or page is None:
            return "manual", "", ""
        dead = {canonical(f.target) or f.target for f in findings if f.audit == "dead_link" and f.url == page.url}
        linked = {canonical(lk.target) or lk.target for lk in crawl.links_from(page.url)}
        named = [canonical(u) or u for u in _URL.findall(str(m.get("description", "")))]
        asked = [u for u in named if u in linked] if named else sorted(linked)
        if still := [u for u in asked if u in dead]:
            return "present", still[0], "复查：页面仍有失效链接"
        unchecked = [u for u in asked if (c := crawl.link_check(u)) is None or not c.judged]
        if unchecked:
            return "manual", "", ""
        return "fixed", "", "复查：页面已无失效链接"
    wrong = wrong_text(str(m.get("description", "")))
    if not wrong or not fetched or page is None:
        return "manual", wrong, ""
    if wrong in (page.text or ""):
        return "present", wrong, f"复查：页面仍有“{wrong}”"
    return "fixed", wrong, f"复查：页面已无“{wrong}”"


def due_date(m: dict[str, Any], profile: Profile) -> tuple[str, bool]:
    """The message's deadline (ISO) and whether it was estimated past the official holiday data."""
    written = str(m.get("deadline") or "")
    asked = date.fromisoformat(m["time"])
    if (d := _parse_time(written)) is not None:
        return d.isoformat(), False
    n = int(w.group(1)) if (w := _WORKDAYS.match(written)) else profile.platform.deadline_workdays
    try:
        due = deadline_after(asked, n)
    except CalendarRangeError:
        return "", False
    return due.day.isoformat(), due.estimated


def for_run(store: Store, crawl: Crawl | None, profile: Profile, as_of: date,
            findings: Iterable[Finding]) -> PlatformRun:
    """The stored platform messages as this run's findings (open ones), and the ids to close."""
    out = PlatformRun()
    messages = store.all_state(STATE_KIND)
    if not messages or META.name in profile.audits.disabled:
        return out
    audit_findings = list(findings)
    claims = store.all_state(lifecycle.CLAIM_KIND)
    severity = profile.audits.severity.get(META.name, str(META.severity))
    counts = {"messages": len(messages), "open": 0, "closed_on_platform": 0, "fixed_on_recheck": 0,
              "claimed_fixed": 0, "still_present": 0, "manual": 0, "overdue": 0}
    for mid, m in sorted(messages.items()):
        page_url = canonical(m["page"]) or m["page"]
        probe = Finding(audit=META.name, severity=severity, url=page_url, key=mid, message="")
        if closed_state(str(m.get("state", ""))):
            out.resolved.add(probe.id)
            counts["closed_on_platform"] += 1
            continue
        result, evidence, note = recheck(m, crawl, profile, audit_findings)
        if result == "fixed":
            out.resolved.add(probe.id)
            counts["fixed_on_recheck"] += 1
            continue
        if result == "manual" and claims.get(probe.id):
            # Nothing the crawl can see: the unit's 已整改 closes it (the platform closes it too).
            out.resolved.add(probe.id)
            counts["claimed_fixed"] += 1
            continue
        due, estimated = due_date(m, profile)
        kind = kind_of(m)
        description = str(m.get("description", ""))
        message = (f"网民通过“我为政府网站找错”平台留言（编号 {mid}，{m['time']}）：{description[:300]}"
                   f"{'。' if not description.endswith(('。', '！', '？', '.')) else ''}请核实整改，并在办理时限"
                   f"{'（' + due + '）' if due else ''}内通过平台答复。" + (f"（{note}）" if note else "（需人工核实）"))
        out.findings.append(Finding(
            # text and target stay empty: they are part of the id, which must not move when a
            # re-check first finds the wrong text or the dead target.
            audit=META.name, severity=severity, url=page_url, key=mid, message=message,
            unit=unit_for(page_url, profile.units), evidence=description[:500],
            extra={"platform_id": mid, "asked": m["time"], "kind": kind, "recheck": result, "found": evidence,
                   "platform_state": m.get("state", ""), "due": due, "due_estimated": estimated,
                   "deadline_written": m.get("deadline", "")},
        ))
        counts["open"] += 1
        counts["still_present" if result == "present" else "manual"] += 1
        counts["overdue"] += bool(due and due < as_of.isoformat())
    out.summary = counts
    return out
