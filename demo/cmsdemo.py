"""The demo's CMS columns (dynamic routes of demo.server): a 大汉 column paging through
dataproxy.jsp by POST, a 大汉 column whose dataproxy.jsp answers only GET, and a TRS channel whose
root is a meta-refresh stub and whose list pages are named only by createPageHTML.

The defects (a typo 布署 and a dead attachment) sit on articles reachable only through a later
datastore group or the TRS list's last page: without CMS-aware gathering the audit never sees them.
Text and names are made up.
"""

from __future__ import annotations

from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler

from demo.cmssite import (
    DATAPROXY,
    Dataproxy,
    HanwebColumn,
    Record,
    hanweb_article_url,
    meta_refresh,
    read_request,
    trs_article,
    trs_article_path,
    trs_list_page,
)

NEWEST = date(2026, 11, 18)
_TOPICS = ("城区道路改造", "老旧小区改造", "污水管网建设", "学校扩建", "社区卫生服务中心建设", "农贸市场提升")


def _column(column_id: int, name: str, n: int, step: int) -> HanwebColumn:
    recs = []
    for i in range(n):
        day = NEWEST - timedelta(days=step * i)
        recs.append(Record(hanweb_article_url(column_id, column_id * 1000 + i, day),
                           f"{_TOPICS[i % len(_TOPICS)]}项目进展情况（第{n - i}期）", day))
    return HanwebColumn(column_id, name, recs, webname="示范区人民政府")


ZDXM = _column(201, "重点项目", 120, 2)      # groups of 45: the third group (records 91-120) by POST
HQZC = _column(202, "惠企政策", 60, 5)       # POST refused: the second group by GET
PROXY = Dataproxy({201: ZDXM, 202: HQZC}, get_only={202})
# Articles with a defect, reachable only through a later group.
DEFECTS = {ZDXM.records[100].url: "/files/zdxm-2025-jhb.pdf", HQZC.records[50].url: "/files/hqzc-2025-sbb.doc"}

TRS_FOLDER = "/zwgk/gzdt/ywyw/"
TRS_PAGES = 4
TRS_ROWS = [(trs_article_path("./", NEWEST - timedelta(days=4 * i), 8100 + i), f"示范区政务工作要闻（第{40 - i}期）",
             NEWEST - timedelta(days=4 * i)) for i in range(40)]
TRS_DEFECT = TRS_FOLDER + TRS_ROWS[35][0][2:]      # on index_3.html only
_ARTICLES = {r.url: (r.title, r.day) for c in (ZDXM, HQZC) for r in c.records}
_TRS = {TRS_FOLDER + h[2:]: (t, d) for h, t, d in TRS_ROWS}
_HTML = {"Content-Type": "text/html; charset=utf-8"}


def _chrome(title: str) -> str:
    return (f'<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="{ZDXM.path}">重点项目</a></li>'
            f'<li><a href="{HQZC.path}">惠企政策</a></li><li><a href="/zwgk/gzdt/">工作要闻</a></li></ul></div>')


def _article_body(path: str, title: str) -> str:
    body = "<p>项目按计划推进，各责任单位认真落实工作要求。</p>"
    if path in DEFECTS or path == TRS_DEFECT:
        gone = DEFECTS.get(path, "/files/ywyw-2025-gzap.doc")
        body += (f"<p>会议围绕{title}对下一阶段工作进行了布署，明确了时间节点。</p>"
                 f'<p>附件：<a href="{gone}">工作计划表</a></p>')
    return body


def hanweb_page(column: HanwebColumn) -> tuple[int, dict[str, str], bytes]:
    return 200, _HTML, column.page(_chrome(column.name)).encode("utf-8")


def dataproxy(handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
    status, ctype, body = PROXY(*read_request(handler))
    return status, {"Content-Type": ctype}, body


def article(handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes] | None:
    """A 大汉 or TRS article of the demo, or None (then the demo's files answer)."""
    path = handler.path.split("?")[0]
    if path in _ARTICLES:
        title, day = _ARTICLES[path]
        html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
                f'<meta name="PubDate" content="{day.isoformat()} 10:00"></head><body>{_chrome(title)}'
                f'<div class="article"><h1>{title}</h1><div class="info">发布日期：{day.isoformat()}</div>'
                f"{_article_body(path, title)}</div></body></html>")
        return 200, _HTML, html.encode("utf-8")
    if path in _TRS:
        title, day = _TRS[path]
        return 200, _HTML, trs_article(title, day, _article_body(path, title)).encode("utf-8")
    return None


def trs_page(page: int) -> tuple[int, dict[str, str], bytes]:
    rows = TRS_ROWS[page * 10:(page + 1) * 10]
    return 200, _HTML, trs_list_page("工作要闻", rows, page, TRS_PAGES, _chrome("工作要闻")).encode("utf-8")


def routes() -> dict[str, object]:
    """Path → route, for demo.server.ROUTES (articles are answered by ``article``)."""
    out: dict[str, object] = {
        ZDXM.path: lambda _: hanweb_page(ZDXM), f"/col/col{ZDXM.column_id}/": lambda _: hanweb_page(ZDXM),
        HQZC.path: lambda _: hanweb_page(HQZC), f"/col/col{HQZC.column_id}/": lambda _: hanweb_page(HQZC),
        DATAPROXY: dataproxy,
        "/zwgk/gzdt/": lambda _: (200, _HTML, meta_refresh("./ywyw/").encode("utf-8")),
        TRS_FOLDER: lambda _: trs_page(0),
    }
    for p in range(TRS_PAGES):
        out[TRS_FOLDER + ("index.html" if p == 0 else f"index_{p}.html")] = (lambda q: lambda _: trs_page(q))(p)
    return out
