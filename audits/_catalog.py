"""The 主动公开事项目录 (disclosure catalogue): what the site promises to publish.

Items come from the profile's ``[[catalog]]`` and from a spreadsheet named by
``[columns].catalog_file`` (xlsx or csv) in the common layout of the 政务公开 standard
catalogues: 公开事项 (一级事项 / 二级事项), 公开内容, 公开依据, 公开时限, 公开主体,
公开渠道, 公开对象, 公开方式, 公开层级, 责任单位. Headers are found by their words (the
header row need not be the first, the 一级/二级 split may sit on a second header row) and
merged cells are filled in (a 一级事项 or a 责任单位 merged over several rows belongs to each
of them — otherwise every row but the first would look incomplete).

A spreadsheet that cannot be read raises ProfileError naming the file and the row: a wrong
catalogue must stop the run, not silently audit nothing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from zhaocuo.core.context import AuditContext
from zhaocuo.core.profile import CatalogItem, Profile, ProfileError

# Canonical field → the words that identify its header cell (first match wins, so the more
# specific words come first: "公开事项" would otherwise catch the 一级/二级 split).
_HEADERS: list[tuple[str, tuple[str, ...]]] = [
    ("level1", ("一级事项", "一级")),
    ("level2", ("二级事项", "二级", "三级")),
    ("item", ("公开事项", "事项名称", "事项")),
    ("content", ("公开内容", "内容")),
    ("basis", ("公开依据", "依据")),
    ("time_limit", ("公开时限", "时限")),
    ("unit", ("责任单位", "责任部门", "责任科室", "责任主体", "责任")),
    ("subject", ("公开主体", "主体")),
    ("channel", ("公开渠道", "渠道")),
    ("audience", ("公开对象", "对象")),
    ("method", ("公开方式", "方式")),
    ("level", ("公开层级", "层级")),
    ("max_age_days", ("更新周期天", "最长间隔天", "max_age_days")),
    ("seq", ("序号", "编号")),
]
# The six elements every catalogue row must name (the 2024 work plan), with their labels.
REQUIRED = {"subject": "公开主体", "content": "公开内容", "time_limit": "公开时限", "method": "公开方式",
            "channel": "公开渠道", "unit": "责任单位"}
MAX_ROWS = 20000
_EMPTY = {"", "nan", "none", "/", "-", "—", "无", "——"}


@dataclass
class Entry:
    """One catalogue item, from the profile or from a spreadsheet row."""

    name: str
    level1: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    max_age_days: int = 0
    unit: str = ""
    aliases: list[str] = field(default_factory=list)
    source: str = "profile"          # "profile" or the spreadsheet path
    row: int = 0                     # 1-based spreadsheet row (as Excel shows it)

    @property
    def missing(self) -> list[str]:
        """The labels of the required elements this row leaves empty."""
        return [label for key, label in REQUIRED.items() if not self.fields.get(key, "").strip()]


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = re.sub(r"\s+", " ", str(value)).strip()
    return "" if text.lower() in _EMPTY else text


def _header_key(cell: str) -> str | None:
    compact = re.sub(r"\s+", "", cell)
    for key, words in _HEADERS:
        if any(w in compact for w in words):
            return key
    return None


def _read_rows(path: Path, shown: str) -> list[list[str]]:
    """The sheet as rows of strings, merged cells filled with their value."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            import pandas as pd

            try:
                frame = pd.read_csv(path, header=None, dtype=str, encoding="utf-8-sig", keep_default_na=False)
            except UnicodeDecodeError:
                frame = pd.read_csv(path, header=None, dtype=str, encoding="gb18030", keep_default_na=False)
            return [[_cell(v) for v in row] for row in frame.itertuples(index=False)][:MAX_ROWS]
        if suffix in (".xlsx", ".xlsm"):
            import openpyxl
            import pandas as pd

            book = openpyxl.load_workbook(path, data_only=True)
            sheet = book.worksheets[0]
            merged = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in sheet.merged_cells.ranges]
            for r1, c1, r2, c2 in merged:
                value = sheet.cell(r1, c1).value
                sheet.unmerge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
                for r in range(r1, min(r2, r1 + MAX_ROWS) + 1):
                    for c in range(c1, c2 + 1):
                        sheet.cell(r, c).value = value
            values = list(sheet.iter_rows(values_only=True, max_row=min(sheet.max_row, MAX_ROWS)))
            frame = pd.DataFrame(values)
            return [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    except FileNotFoundError:
        raise ProfileError(shown, "columns.catalog_file", "目录文件不存在 catalogue file not found") from None
    except ProfileError:
        raise
    except Exception as exc:  # noqa: BLE001 - any unreadable spreadsheet is an input error naming the file
        raise ProfileError(shown, "columns.catalog_file",
                           f"无法读取目录表 cannot read the catalogue spreadsheet ({type(exc).__name__}: {exc})") from None
    raise ProfileError(shown, "columns.catalog_file",
                       f"目录表应为 .xlsx 或 .csv 文件 the catalogue must be .xlsx or .csv, not {suffix or 'no suffix'!r}")


def read_catalog_file(path: Path, shown: str | None = None) -> list[Entry]:
    """Entries of a catalogue spreadsheet; ProfileError naming the file (and row) if malformed."""
    shown = shown or str(path)
    rows = _read_rows(path, shown)
    header_at, keys = -1, {}
    for i, row in enumerate(rows[:15]):
        found = {j: k for j, c in enumerate(row) if c and (k := _header_key(c))}
        if len(set(found.values()) & {"content", "time_limit", "subject", "channel", "method", "unit",
                                      "item", "level1", "level2"}) >= 3:
            header_at, keys = i, found
            break
    if header_at < 0:
        raise ProfileError(shown, "columns.catalog_file",
                           "前15行中找不到表头(公开事项、公开内容、公开时限、公开主体…) no header row with the catalogue "
                           "columns in the first 15 rows")
    start = header_at + 1
    # Two-row header: 公开事项 over 一级事项 / 二级事项.
    if start < len(rows):
        sub = {j: k for j, c in enumerate(rows[start]) if c and (k := _header_key(c)) in ("level1", "level2")}
        if sub:
            keys.update(sub)
            start += 1
    for j, k in list(keys.items()):
        if k == "seq":
            del keys[j]
    if not ({"level1", "level2", "item"} & set(keys.values())):
        raise ProfileError(shown, f"第{header_at + 1}行 row {header_at + 1}",
                           "表头缺少“公开事项”(一级/二级事项)列 the header has no 公开事项 column")
    entries: list[Entry] = []
    for i in range(start, len(rows)):
        row = rows[i]
        if not any(row):
            continue
        if sum(1 for j, k in keys.items() if j < len(row) and row[j] and _header_key(row[j]) == k) >= 3:
            continue  # the header again: a header merged over two rows, or repeated on a new page
        values: dict[str, str] = {}
        for j, k in keys.items():
            if j < len(row) and row[j] and not values.get(k):
                values[k] = row[j]
        level1, level2, item = values.get("level1", ""), values.get("level2", ""), values.get("item", "")
        name = level2 or item or level1
        excel_row = i + 1
        if not name:
            if len([v for v in row if v]) <= 1:
                continue  # a note or a total line under the table, not an item
            raise ProfileError(shown, f"第{excel_row}行 row {excel_row}",
                               "缺少公开事项名称 the row names no 公开事项 (一级/二级事项)")
        max_age = 0
        if raw := values.get("max_age_days"):
            try:
                max_age = int(float(raw))
            except ValueError:
                raise ProfileError(shown, f"第{excel_row}行 row {excel_row}",
                                   f"更新周期应为天数 max_age_days must be a number of days, not {raw!r}") from None
        entries.append(Entry(name=name, level1=level1 if level1 != name else "", fields=values, max_age_days=max_age,
                             unit=values.get("unit", ""), source=shown, row=excel_row))
    return entries


def load_catalog(profile: Profile) -> list[Entry]:
    """Every catalogue item: ``[[catalog]]`` first, then the spreadsheet's rows (read now;
    audits share one reading per run through ``catalog(ctx)``)."""
    entries = [_from_profile(i, item) for i, item in enumerate(profile.catalog)]
    if profile.columns.catalog_file:
        path = profile.resolve_path(profile.columns.catalog_file)
        entries += read_catalog_file(path, str(path))
    return entries


def catalog(ctx: AuditContext) -> list[Entry]:
    """The catalogue, read once per run (five audits read it)."""
    return ctx.get(_catalog)


def _catalog(ctx: AuditContext) -> list[Entry]:
    return load_catalog(ctx.profile)


def _from_profile(i: int, item: CatalogItem) -> Entry:
    fields = {"content": item.content, "basis": item.basis, "time_limit": item.time_limit, "subject": item.subject,
              "channel": item.channel, "method": item.method, "unit": item.unit}
    return Entry(name=item.name, fields=fields, max_age_days=item.max_age_days, unit=item.unit,
                 aliases=list(item.aliases), source="profile", row=i)


# -- names --------------------------------------------------------------------------------
# Usual ways one column is written on different sites (each set is one column).
VARIANTS: list[set[str]] = [
    {"年报", "年度报告", "信息公开年报", "政府信息公开年报", "政府信息公开工作年度报告", "工作年度报告"},
    {"政府信息公开指南", "公开指南", "信息公开指南"},
    {"政府信息公开制度", "公开制度", "信息公开制度"},
    {"通知公告", "通知", "公告", "公示公告", "通知通告", "公告公示"},
    {"政策文件", "政策", "文件", "政府文件", "规范性文件"},
    {"政策解读", "解读", "文件解读"},
    {"工作动态", "动态", "政务动态", "部门动态", "新闻动态", "要闻动态", "工作信息"},
    {"人事信息", "人事", "人事任免", "人事管理", "任免信息"},
    {"规划计划", "规划", "计划", "发展规划", "规划信息", "计划总结"},
    {"机构职能", "机构设置", "机构信息", "机构概况", "内设机构"},
    {"领导信息", "领导简介", "领导分工", "单位领导", "领导之窗"},
    {"财政预决算", "预决算", "财政资金", "预算决算", "部门预决算"},
    {"法定主动公开内容", "法定主动公开", "主动公开"},
]
_STRIP = re.compile(r"[\s\u3000·、，,。（）()【】\[\]“”\"'《》:：]+|栏目$|专栏$|信息$")


def normalise(name: str) -> str:
    n = _STRIP.sub("", name or "")
    return n or re.sub(r"\s+", "", name or "")


def name_forms(name: str) -> set[str]:
    """A name, its normalised form and every usual variant of it."""
    n = normalise(name)
    out = {n, re.sub(r"\s+", "", name)}
    for group in VARIANTS:
        normal = {normalise(g) for g in group}
        if n in normal:
            out |= normal
    return {o for o in out if o}


def names_match(wanted: str, have: str, aliases: list[str] | None = None) -> bool:
    """Does the site's column ``have`` carry the catalogue item ``wanted``? Equal up to the
    usual variants, or one written name containing the other (政府信息公开年报 ⊃ 年报) —
    generous on purpose: a missing_column finding must mean the column is really absent.
    Containment is tried on the written names only, not on the short variants (文件, 政策),
    which would match nearly anything."""
    have_n = normalise(have)
    have_forms = name_forms(have)
    for w in [wanted, *(aliases or [])]:
        if name_forms(w) & have_forms:
            return True
        a = normalise(w)
        if min(len(a), len(have_n)) >= 2 and (a in have_n or have_n in a):
            return True
    return False


# -- 公开时限 → freshness ------------------------------------------------------------------
# Working days → calendar days, conservatively (a finding must never come early): five
# working days span seven calendar days, rounded up, plus 7 days of slack because one
# statutory holiday (Spring Festival, National Day) can stop the count for a week.
HOLIDAY_SLACK_DAYS = 7
_WORKDAYS = re.compile(r"(\d+)\s*个?\s*工作\s*日")
_DAYS = re.compile(r"(?<![月\d])(\d+)\s*个?\s*(?:自然)?\s*[日天]")
_MONTHS = re.compile(r"(\d+)\s*个\s*月")
_YEARLY_DUE = re.compile(r"每年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
           "十五": 15, "二十": 20, "三十": 30}


def _arabic(text: str) -> str:
    for word, n in sorted(_CN_NUM.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"{word}(?=\s*个?\s*(?:工作日|日|天|月))", str(n), text)
    return text


def time_limit_days(text: str, as_of: date) -> int | None:
    """The longest gap (calendar days) the 公开时限 allows between two items, or None when the
    text gives no period (实时, 长期, 及时 …: the name's rule applies)."""
    if not text:
        return None
    t = _arabic(text)
    if m := _YEARLY_DUE.search(t):
        # "每年1月31日前": the last due date on or before as_of must have been met, i.e. an item
        # published in the year before it. Max age = days since that due date + one year.
        month, day = int(m.group(1)), int(m.group(2))
        try:
            due = date(as_of.year, month, day)
        except ValueError:
            return None
        if due > as_of:
            due = date(as_of.year - 1, month, day) if not (month == 2 and day == 29) else due - timedelta(days=365)
        return (as_of - due).days + 366
    if m := _WORKDAYS.search(t):
        return math.ceil(int(m.group(1)) * 7 / 5) + HOLIDAY_SLACK_DAYS
    if m := _MONTHS.search(t):
        return int(m.group(1)) * 31
    if m := _DAYS.search(t):
        return int(m.group(1))
    if any(w in t for w in ("每年", "年度", "按年", "每一年")):
        return 366 + 31  # a yearly item may come any time in its year's first month
    if any(w in t for w in ("每季度", "按季度", "季度")):
        return 92 + 31
    if any(w in t for w in ("每月", "按月", "月度")):
        return 31 + 10
    return None


def entry_for_column(column_name: str, entries: list[Entry]) -> Entry | None:
    """The catalogue item a site column carries (exact normalised name first, then variants)."""
    n = normalise(column_name)
    for e in entries:
        if normalise(e.name) == n:
            return e
    for e in entries:
        if names_match(e.name, column_name, e.aliases):
            return e
    return None


def unit_of(entry: Entry | None, profile: Profile) -> str:
    """The entry's 责任单位 when the profile knows that unit (or the profile's own [[catalog]]
    names it); "" lets the runner pick the unit by the page's path."""
    if entry is None or not entry.unit:
        return ""
    if entry.source == "profile" or any(u.name == entry.unit for u in profile.units):
        return entry.unit
    return ""
