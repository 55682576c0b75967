"""大汉 (Hanweb) jcms columns: the datastore in the page and the later groups from dataproxy.jsp.

A jcms column page (``/col/colNNN/index.html``) holds its first group of records in
``<script type="text/xml"><datastore><nextgroup>…</nextgroup><recordset><record><![CDATA[<li>…</li>]]>
</record>…</recordset></datastore></script>``, which jpage.js renders, typically 3 pages × 15.
The page's set-up script (``$('#unit').jpage({perPage: 15, totalRecord: 1270, groupSize: 3,
proxyUrl: '/module/web/jpage/dataproxy.jsp', …})``) says the page size, the group size and the
total. jpage.js fetches every later group from ``dataproxy.jsp?startrecord=46&endrecord=90&perpage=15``
POSTing the column's ids (taken from the nextgroup link: ``col=1&appid=1&webid=…&path=/&columnid=…
&sourceContentType=1&unitid=…&webname=…&permissiontype=0``); the answer is the same ``<datastore>``
with ``<totalrecord>`` and ``<totalpage>``. We do the same, one request per group, with the same
request as a GET (form in the query string) when the POST is refused.

Everything here is pure (strings in, plans out): the spider (crawler/spider.py) sends the requests.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

_DATASTORE_OPEN = re.compile(r"<datastore\b[^>]*>", re.I)
_DATASTORE = re.compile(r"<datastore\b[^>]*>(.*?)</datastore\s*>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup\b[^>]*>(.*?)</nextgroup\s*>", re.S | re.I)
_RECORDSET = re.compile(r"<recordset\b[^>]*>(.*?)</recordset\s*>", re.S | re.I)
_RECORD_OPEN = re.compile(r"<record\b[^>]*>", re.I)
_RECORD = re.compile(r"<record\b[^>]*>\s*(?:<!\[CDATA\[(.*?)\]\]>|(?!<!\[CDATA\[)([^<]*(?:<(?!/record)[^<]*)*))\s*</record\s*>",
                     re.S | re.I)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.I)
_SETUP = re.compile(r"""(?:['"]#([\w-]+)['"]\s*\)\s*\.)?jpage\(\s*\{(.*?)\}\s*\)""", re.S | re.I)
_NUM = {name: re.compile(rf"""\b{name}\s*[:=]\s*['"]?(\d+)""", re.I)
        for name in ("perpage", "totalrecord", "groupsize")}
_PROXY = re.compile(r"""\bproxyUrl\s*[:=]\s*['"]([^'"]+)['"]""", re.I)
# The form jpage.js posts: these first, in this order, then whatever else the nextgroup link carries.
_FORM_ORDER = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid", "webname", "permissiontype")
_FORM_DEFAULTS = {"col": "1", "appid": "1", "sourceContentType": "1"}
DEFAULT_PER_PAGE = 15
DEFAULT_GROUP_SIZE = 3
MAX_RECORD_CHARS = 8000     # one record's fragment as stored (a row of a list, not an article)


class DatastoreError(ValueError):
    """The page or answer holds a datastore that cannot be read; ``str()`` says why (Chinese first)."""


@dataclass
class Unit:
    """One jpage list of a page: its inline records and how to fetch the rest."""

    index: int
    records: list[str]
    proxy: str = ""                                    # absolute dataproxy.jsp URL ("" = no later groups)
    form: list[tuple[str, str]] = field(default_factory=list)
    per_page: int = DEFAULT_PER_PAGE
    group_size: int = DEFAULT_GROUP_SIZE
    total: int | None = None
    error: str = ""

    @property
    def group_records(self) -> int:
        return max(1, self.per_page * self.group_size)

    def groups(self, max_records: int) -> int | None:
        """Groups the list has (the inline one included), bounded by ``max_records``; None when
        the total is unknown (then groups are fetched one after another until a short one)."""
        if self.total is None:
            return None if self.proxy and len(self.records) >= self.group_records else 1
        return max(1, math.ceil(min(self.total, max_records) / self.group_records))

    def bounds(self, group: int) -> tuple[int, int]:
        """(startrecord, endrecord) of group ``group`` (0 is the inline one), 1-based inclusive."""
        n = self.group_records
        return group * n + 1, (group + 1) * n

    def post(self, group: int) -> tuple[str, str]:
        """The URL and the urlencoded form jpage.js POSTs for ``group``."""
        start, end = self.bounds(group)
        return f"{self.proxy}?startrecord={start}&endrecord={end}&perpage={self.per_page}", urlencode(self.form)

    def get(self, group: int) -> str:
        """The same request as a GET: the form in the query string."""
        url, form = self.post(group)
        return f"{url}&{form}" if form else url

    def spec(self) -> dict[str, object]:
        """What a resumed crawl needs to fetch the missing groups (stored in the cms_list record)."""
        return {"index": self.index, "proxy": self.proxy, "form": [list(p) for p in self.form],
                "per_page": self.per_page, "group_size": self.group_size, "total": self.total}

    @classmethod
    def from_spec(cls, data: dict[str, object]) -> Unit:
        form = data.get("form") or []
        return cls(index=int(data.get("index") or 0), records=[], proxy=str(data.get("proxy") or ""),
                   form=[(str(k), str(v)) for k, v in form] if isinstance(form, list) else [],
                   per_page=int(data.get("per_page") or DEFAULT_PER_PAGE),
                   group_size=int(data.get("group_size") or DEFAULT_GROUP_SIZE),
                   total=int(data["total"]) if isinstance(data.get("total"), int) else None)


def recognise(html: str) -> bool:
    """A jcms page: a datastore in the page, or jpage set up with a dataproxy."""
    return "<datastore" in html or ("jpage" in html and "dataproxy" in html)


def records_of(body: str) -> tuple[list[str], int | None]:
    """The record fragments and ``<totalrecord>`` of one ``<datastore>`` (page or answer).

    Raises DatastoreError when the datastore is not closed, has no recordset, or holds a
    record that does not parse (an unclosed CDATA): a malformed datastore is an error the
    column reports, never an empty column."""
    if not _DATASTORE_OPEN.search(body):
        raise DatastoreError("没有 <datastore> 数据 (no datastore in the answer)")
    m = _DATASTORE.search(body)
    if m is None:
        raise DatastoreError("<datastore> 未闭合 (datastore not closed)")
    inner = m.group(1)
    rs = _RECORDSET.search(inner)
    if rs is None:
        raise DatastoreError("<datastore> 缺少 <recordset> (no recordset)")
    records = [(a if a is not None else b or "").strip()[:MAX_RECORD_CHARS] for a, b in _RECORD.findall(rs.group(1))]
    opened = len(_RECORD_OPEN.findall(rs.group(1)))
    if opened != len(records):
        raise DatastoreError(f"<record> 格式错误：{opened} 条中 {opened - len(records)} 条无法读取 "
                             "(malformed record, e.g. an unclosed CDATA)")
    t = _TOTAL.search(inner) or _TOTAL.search(body)
    return [r for r in records if r], int(t.group(1)) if t else None


def _setup_blocks(html: str) -> list[tuple[str, dict[str, int], str]]:
    """(unit id or "", numbers, proxyUrl) of every jpage({...}) set-up call of the page."""
    out = []
    for m in _SETUP.finditer(html):
        body = m.group(2)
        nums = {k: int(n.group(1)) for k, rx in _NUM.items() if (n := rx.search(body))}
        proxy = _PROXY.search(body)
        out.append((m.group(1) or "", nums, proxy.group(1) if proxy else ""))
    return out


def _form(query: str) -> list[tuple[str, str]]:
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k.lower() not in
             ("page", "startrecord", "endrecord", "perpage")]
    have = {k for k, _ in pairs}
    pairs += [(k, v) for k, v in _FORM_DEFAULTS.items() if k not in have]
    order = {k: i for i, k in enumerate(_FORM_ORDER)}
    return sorted(pairs, key=lambda kv: order.get(kv[0], len(order)))


def units_of(html: str, page_url: str) -> list[Unit]:
    """Every datastore of a jcms page, each with its records and its later-group plan.

    A unit whose datastore is malformed is returned with ``error`` set (and no records)."""
    blocks = _setup_blocks(html)
    units: list[Unit] = []
    pos = 0
    for i, m in enumerate(_DATASTORE_OPEN.finditer(html)):
        if m.start() < pos:
            continue
        rest = html[m.start():]
        close = re.search(r"</datastore\s*>", rest, re.I)
        chunk = rest[:close.end()] if close else rest[:200_000]
        pos = m.start() + len(chunk)
        unit = Unit(index=i, records=[])
        try:
            unit.records, unit.total = records_of(chunk)
        except DatastoreError as exc:
            unit.error = f"大汉数据源格式错误：{exc}"
            units.append(unit)
            continue
        ng = _NEXTGROUP.search(chunk)
        href = _HREF.search(ng.group(1)) if ng else None
        unit_id = ""
        if href:
            link = urljoin(page_url, href.group(1).replace("&amp;", "&"))
            parts = urlsplit(link)
            unit.form = _form(parts.query)
            unit_id = dict(unit.form).get("unitid", "")
            unit.proxy = f"{parts.scheme}://{parts.netloc}{parts.path}"
        block = next((b for b in blocks if b[0] and b[0] == unit_id), None)
        if block is None and len(blocks) == 1:
            block = blocks[0]
        if block is not None:
            nums, proxy = block[1], block[2]
            unit.per_page = nums.get("perpage") or unit.per_page
            unit.group_size = nums.get("groupsize") or unit.group_size
            if unit.total is None and "totalrecord" in nums:
                unit.total = nums["totalrecord"]
            if proxy and unit.form:
                unit.proxy = urljoin(page_url, proxy)
        units.append(unit)
    return units


def answer_of(body: str, unit: Unit, group: int, first_record: str) -> tuple[list[str], int | None]:
    """The records and total of a dataproxy.jsp answer for ``group``. An answer that repeats the
    first group (the server ignored startrecord) is an error, not more records."""
    records, total = records_of(body)
    if group > 0 and records and first_record and records[0] == first_record:
        raise DatastoreError(f"dataproxy.jsp 第{group + 1}组返回的仍是第一组记录（未接受 startrecord 参数）")
    return records, total
