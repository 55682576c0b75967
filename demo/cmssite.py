"""Look-alikes of the two CMS families that write column lists where plain HTML parsers do not
look, built like the real systems (made-up text): shared by the demo site, the tests and the
crawl benchmark.

- 大汉 jcms: a column page ``/col/colNNN/index.html`` with the first group of records inline in
  ``<script type="text/xml"><datastore>…``, jpage's set-up script, and ``/module/web/jpage/dataproxy.jsp``
  answering later groups (``?startrecord=46&endrecord=90&perpage=15`` with the column's ids posted as a
  form, or in the query string for a GET) with ``<datastore>…<totalrecord>…<totalpage>``.
- TRS WCM: a channel root that is only ``<meta http-equiv="Refresh" content="0;URL=./ywyw/">``, list
  pages ``index.html``, ``index_1.html`` … linked only by ``createPageHTML(n, cur, "index", "html")``,
  articles ``./YYYYMM/tYYYYMMDD_ID.html`` with ArticleTitle/PubDate/ContentSource metas.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlsplit

DATAPROXY = "/module/web/jpage/dataproxy.jsp"


@dataclass
class Record:
    url: str
    title: str
    day: date

    def li(self) -> str:
        return (f'<li><a href="{self.url}" target="_blank" title="{html.escape(self.title)}">'
                f"{html.escape(self.title)}</a><span>{self.day.isoformat()}</span></li>")


def hanweb_article_url(column_id: int, record_id: int, day: date) -> str:
    return f"/art/{day.year}/{day.month}/{day.day}/art_{column_id}_{record_id}.html"


def datastore(records: list[Record], next_href: str = "", total: int | None = None, per_page: int = 15) -> str:
    """The <datastore> XML of a group of records (a page's inline group, or a dataproxy answer)."""
    rows = "".join(f"<record><![CDATA[\n{r.li()}\n]]></record>\n" for r in records)
    tail = ""
    if total is not None:
        tail = f"<totalrecord>{total}</totalrecord><totalpage>{-(-total // per_page)}</totalpage>"
    return (f"<datastore>\n<nextgroup><![CDATA[{next_href}]]></nextgroup>\n<recordset>\n{rows}</recordset>\n"
            f"{tail}</datastore>")


@dataclass
class HanwebColumn:
    """One 大汉 column: its ids and all its records, newest first."""

    column_id: int
    name: str
    records: list[Record]
    unit_id: int = 0
    web_id: int = 1
    webname: str = "示例区人民政府"
    per_page: int = 15
    group_size: int = 3
    declare_total: bool = True     # the set-up script names totalRecord (else only the answers do)

    def __post_init__(self) -> None:
        self.unit_id = self.unit_id or 4000 + self.column_id

    @property
    def path(self) -> str:
        return f"/col/col{self.column_id}/index.html"

    @property
    def group(self) -> int:
        return self.per_page * self.group_size

    def next_href(self) -> str:
        return (f'<a href="{DATAPROXY}?page=1&webid={self.web_id}&path=/&columnid={self.column_id}'
                f'&unitid={self.unit_id}&webname={self.webname}&permissiontype=0"></a>')

    def page(self, chrome: str = "", crumbs: str = "") -> str:
        total = f"totalRecord: {len(self.records)}," if self.declare_total else ""
        inline = datastore(self.records[:self.group], self.next_href())
        return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{self.name}_{self.webname}</title>
<script language="javascript" src="/module/jslib/jquery/jquery.js"></script>
<script language="javascript" src="/module/web/jpage/jpage.js"></script></head><body>{chrome}
<div class="position">当前位置：<a href="/">首页</a> &gt; {crumbs}<span>{self.name}</span></div>
<div class="list"><div id="{self.unit_id}"><script type="text/xml">{inline}</script></div></div>
<script>$(document).ready(function() {{ $('#{self.unit_id}').jpage({{ dataStore: null, perPage: {self.per_page},
{total} groupSize: {self.group_size}, proxyUrl: '{DATAPROXY}', barPosition: 'bottom', showMode: 'full',
dataBefore: '<ul>', dataAfter: '</ul>' }}); }});</script></body></html>"""

    def answer(self, start: int, end: int) -> str:
        return datastore(self.records[start - 1:end], total=len(self.records), per_page=self.per_page)


@dataclass
class Dataproxy:
    """dataproxy.jsp for a set of 大汉 columns. ``get_only`` column ids answer a POST with 405 (the
    crawler falls back to GET); ``fail`` maps a column id to the HTTP status its later groups answer
    with; ``malformed`` column ids get a broken datastore. ``hits`` records (method, startrecord, columnid)."""

    columns: dict[int, HanwebColumn]
    get_only: set[int] = field(default_factory=set)
    fail: dict[int, int] = field(default_factory=dict)
    malformed: set[int] = field(default_factory=set)
    hits: list[tuple[str, int, int]] = field(default_factory=list)

    def __call__(self, method: str, target: str, body: bytes) -> tuple[int, str, bytes]:
        query = dict(parse_qsl(urlsplit(target).query, keep_blank_values=True))
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)) if method == "POST" else query
        try:
            start, end = int(query["startrecord"]), int(query["endrecord"])
            col = self.columns[int(form.get("columnid", "0"))]
        except (KeyError, ValueError):
            return 400, "text/html; charset=utf-8", "<html><body>参数错误</body></html>".encode()
        self.hits.append((method, start, col.column_id))
        if method == "POST" and col.column_id in self.get_only:
            return 405, "text/html; charset=utf-8", b"<html><body>Method Not Allowed</body></html>"
        if col.column_id in self.fail:
            return self.fail[col.column_id], "text/html; charset=utf-8", b"<html><body>Internal Error</body></html>"
        xml = col.answer(start, end)
        if col.column_id in self.malformed:
            xml = xml.replace("]]></record>", "</record>", 1)  # an unclosed CDATA
        return 200, "text/xml; charset=utf-8", f'<?xml version="1.0" encoding="utf-8"?>{xml}'.encode()


def trs_article_path(folder: str, day: date, doc_id: int) -> str:
    return f"{folder}{day.year}{day.month:02d}/t{day.year}{day.month:02d}{day.day:02d}_{doc_id}.html"


def trs_list_page(name: str, rows: list[tuple[str, str, date]], page: int, pages: int, chrome: str = "") -> str:
    """Page ``page`` (0-based) of a TRS list; rows are (href relative to the list folder, title, date)."""
    items = "".join(f'<li><a href="{h}" title="{html.escape(t)}" target="_blank">{html.escape(t)}</a>'
                    f"<span>{d.isoformat()}</span></li>" for h, t, d in rows)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}</title></head><body>{chrome}
<div class="location">当前位置：<a href="../../">首页</a> &gt; <span>{name}</span></div>
<div class="list"><ul>{items}</ul></div>
<script type="text/javascript" src="../../images/createpage.js"></script>
<div class="page"><script>createPageHTML({pages}, {page}, "index", "html")</script></div></body></html>"""


def trs_article(title: str, day: date, body: str, source: str = "示例区人民政府办公室") -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="ArticleTitle" content="{html.escape(title)}"><meta name="PubDate" content="{day.isoformat()} 09:30">
<meta name="ContentSource" content="{source}"></head><body>
<div class="article"><h1>{html.escape(title)}</h1><div class="info">来源：{source}</div>
<div class="TRS_Editor">{body}</div></div></body></html>"""


def meta_refresh(target: str) -> str:
    return (f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            f'<meta http-equiv="Refresh" content="0;URL={target}"></head></html>')


Answer = Callable[[str, str, bytes], tuple[int, str, bytes]]


def read_request(handler: Any) -> tuple[str, str, bytes]:
    """(method, path with query, body) of a BaseHTTPRequestHandler's request (body bounded)."""
    n = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(min(n, 65536)) if n > 0 else b""
    return handler.command, handler.path, body
