"""CMS columns gathered without a browser, on a loopback site built like the real systems:

- 大汉 columns whose records page through dataproxy.jsp: by POST, by GET when the POST is refused,
  with and without a declared total; one whose later groups answer HTTP 500 and one whose page holds
  a malformed datastore (a crawl error for that column, stored as such);
- a TRS channel whose root is a meta-refresh stub and whose list pages are named only by
  createPageHTML.

Every record and every later page is gathered, each group or page with one request (a refused POST
costs one GET more), and a defect on an article reachable only through group 3 and later, or only
through index_4.html, is found by the dead-link audit.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from audits import dead_link
from crawler import linkcheck, site
from crawler.cms import hanweb
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
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route
from zhaocuo.core.cmsrecords import GROUP_KIND, LIST_KIND, group_key, read_lists
from zhaocuo.core.context import AuditContext
from zhaocuo.core.profile import load_profile
from zhaocuo.core.store import Page, SQLiteStore

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)

NEWEST = date(2024, 6, 28)


def hanweb_column(column_id: int, name: str, n: int, **kw: Any) -> HanwebColumn:
    recs = [Record(hanweb_article_url(column_id, column_id * 1000 + i, NEWEST - timedelta(days=i)),
                   f"{name}示例信息第{i + 1}条", NEWEST - timedelta(days=i)) for i in range(n)]
    return HanwebColumn(column_id, name, recs, **kw)


COLUMNS = {
    11: hanweb_column(11, "通知公告", 150),                         # 4 groups by POST (defect in groups 3 and 4)
    12: hanweb_column(12, "政策文件", 100),                         # POST refused: GET
    13: hanweb_column(13, "部门动态", 120, declare_total=False),    # total only in the answers
    14: hanweb_column(14, "工作动态", 90),                          # later groups answer HTTP 500
    15: hanweb_column(15, "人事信息", 10),                          # one group, nothing to request
}
BROKEN_PAGE = ("<html><head><meta charset='utf-8'><title>规划计划</title></head><body><div id='4016'>"
               "<script type='text/xml'><datastore><recordset><record><![CDATA[<li><a href='/x.html'>x</a></li>"
               "</record></recordset></datastore></script></div></body></html>")
# The articles that carry a defect: only listed in a late group / on the last TRS list page.
DEFECT_ARTICLES = {COLUMNS[11].records[100].url, COLUMNS[11].records[140].url, COLUMNS[12].records[95].url,
                   COLUMNS[13].records[110].url}
TRS_ROWS = [(trs_article_path("./", NEWEST - timedelta(days=3 * i), 7000 + i), f"工作要闻示例第{i + 1}条",
             NEWEST - timedelta(days=3 * i)) for i in range(50)]
TRS_PAGES = 5  # index.html … index_4.html, ten rows each
TRS_DEFECT = "/gzdt/ywyw/" + TRS_ROWS[45][0][2:]


def article(title: str, day: date, body: str) -> str:
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
            f"<div>发布日期：{day.isoformat()}</div><div class='content'>{body}</div></body></html>")


def html_response(h: BaseHTTPRequestHandler, status: int, body: str, ctype: str = "text/html; charset=utf-8") -> None:
    data = body.encode("utf-8")
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(data)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("cms")
    proxy = Dataproxy(COLUMNS, get_only={12}, fail={14: 500})
    by_url = {r.url: (r, c) for c in COLUMNS.values() for r in c.records}
    trs_by_path = {"/gzdt/ywyw/" + h[2:]: (t, d) for h, t, d in TRS_ROWS}

    def dataproxy(h: BaseHTTPRequestHandler) -> None:
        method, path, body = read_request(h)
        status, ctype, data = proxy(method, path, body)
        html_response(h, status, data.decode("utf-8"), ctype)

    def anything(h: BaseHTTPRequestHandler) -> None:
        path = h.path.split("?")[0]
        if path in by_url:
            rec, _ = by_url[path]
            extra = "<a href='/files/gone.pdf'>附件</a>" if path in DEFECT_ARTICLES else ""
            html_response(h, 200, article(rec.title, rec.day, f"<p>正文内容。</p>{extra}"))
        elif path in trs_by_path:
            title, day = trs_by_path[path]
            extra = "<a href='/files/trs-gone.doc'>附件</a>" if path == TRS_DEFECT else ""
            html_response(h, 200, trs_article(title, day, f"<p>正文内容。</p>{extra}"))
        else:
            html_response(h, 404, "<html><body>页面不存在</body></html>")

    routes: dict[str, Any] = {DATAPROXY: dataproxy, "*": anything}
    nav = "".join(f"<li><a href='{c.path}'>{c.name}</a></li>" for c in COLUMNS.values())
    nav += "<li><a href='/col/col16/index.html'>规划计划</a></li><li><a href='/gzdt/'>工作动态</a></li>"
    chrome = f"<ul class='nav'>{nav}</ul>"
    routes["/"] = Route(body=f"<html><head><meta charset='utf-8'><title>示例区人民政府</title></head><body>{chrome}</body></html>")
    for c in COLUMNS.values():
        routes[c.path] = Route(body=c.page(chrome))
    routes["/col/col16/index.html"] = Route(body=BROKEN_PAGE)
    routes["/gzdt/"] = Route(body=meta_refresh("./ywyw/"))
    for p in range(TRS_PAGES):
        name = "index.html" if p == 0 else f"index_{p}.html"
        routes[f"/gzdt/ywyw/{name}"] = Route(body=trs_list_page("工作要闻", TRS_ROWS[p * 10:(p + 1) * 10], p, TRS_PAGES, chrome))
    routes["/gzdt/ywyw/"] = routes["/gzdt/ywyw/index.html"]
    with LoopbackServer(routes) as srv:
        base = srv.url("")
        profile = load_profile(write_profile(tmp, {
            "site": {"name": "大汉测试", "start_urls": [base + "/"], "own_site": True},
            "crawl": {"timeout_s": 3.0, "retries": 0, "auto_render_share": 0.0, "concurrency": 8}}))
        store = SQLiteStore(profile.default_store_path())
        run_id, _ = store.begin_run()
        stats = site.gather(profile, store, run_id, False)
        stats.update(linkcheck.gather(profile, store, run_id, False))
        store.finish_run(run_id, "complete", stats)
        crawl = store.crawl()
        findings = list(dead_link.audit(AuditContext(crawl, profile, date(2024, 7, 1))))
        yield {"base": base, "crawl": crawl, "findings": findings, "hits": list(srv.hits), "proxy": proxy,
               "profile_path": profile.path,
               "stats": stats, "lists": read_lists(crawl.records(LIST_KIND), crawl.records(GROUP_KIND))}


def test_every_datastore_record_is_gathered_and_its_article_crawled(crawled: dict[str, Any]) -> None:
    base, lists, crawl = crawled["base"], crawled["lists"], crawled["crawl"]
    for cid in (11, 12, 13, 15):
        col = COLUMNS[cid]
        got = lists[base + col.path]
        assert got.error == "", got.error
        assert len(got.records) == len(col.records), cid
        assert [re.search(r'href="([^"]+)"', r).group(1) for r in got.records] == [r.url for r in col.records]
    fetched = crawl.fetched_urls()
    assert all(base + r.url in fetched for c in (11, 12, 13, 15) for r in COLUMNS[c].records)


def test_one_request_per_group_post_then_get_when_refused(crawled: dict[str, Any]) -> None:
    hits = Counter((m, cid) for m, _, cid in crawled["proxy"].hits)
    assert hits[("POST", 11)] == 3 and hits[("GET", 11)] == 0        # groups 2-4 of 150 records
    assert hits[("POST", 12)] == 2 and hits[("GET", 12)] == 2        # 405, then the same group by GET
    assert hits[("POST", 13)] == 2                                    # total learnt from the first answer
    assert not any(cid == 15 for _, _, cid in crawled["proxy"].hits)  # 10 records: all inline
    starts = sorted(s for m, s, cid in crawled["proxy"].hits if cid == 11)
    assert starts == [46, 91, 136]
    assert crawled["stats"]["cms"]["requests"] == sum(hits.values())


def test_defects_behind_later_groups_and_trs_index_4_are_found(crawled: dict[str, Any]) -> None:
    base = crawled["base"]
    dead = {(f.url, f.target) for f in crawled["findings"]}
    for path in DEFECT_ARTICLES:
        assert (base + path, base + "/files/gone.pdf") in dead, path
    assert (base + TRS_DEFECT, base + "/files/trs-gone.doc") in dead


def test_trs_pages_named_only_by_create_page_html_are_crawled_once(crawled: dict[str, Any]) -> None:
    got = Counter(p for _, p in crawled["hits"] if p.startswith("/gzdt/ywyw/index"))
    assert got == {f"/gzdt/ywyw/index_{i}.html": 1 for i in range(1, TRS_PAGES)}
    trs = crawled["lists"][crawled["base"] + "/gzdt/ywyw/"]
    assert trs.family == "trs" and len(trs.pages) == TRS_PAGES - 1
    fetched = crawled["crawl"].fetched_urls()
    assert all(crawled["base"] + "/gzdt/ywyw/" + h[2:] in fetched for h, _, _ in TRS_ROWS)


def test_erroring_dataproxy_and_malformed_datastore_are_column_errors(crawled: dict[str, Any]) -> None:
    base, lists = crawled["base"], crawled["lists"]
    failing = lists[base + COLUMNS[14].path]
    assert "dataproxy.jsp 第2组（记录46–90）无法读取" in failing.error and "HTTP 500" in failing.error
    assert len(failing.records) == 45  # the inline group stands
    broken = lists[base + "/col/col16/index.html"]
    assert broken.error.startswith("大汉数据源格式错误") and broken.records == []
    assert crawled["stats"]["cms"]["errors"] >= 2


def test_resumed_crawl_requests_the_groups_an_interrupted_one_left(tmp_path: Any) -> None:
    col = hanweb_column(21, "通知公告", 150)
    proxy = Dataproxy({21: col})

    def dataproxy(h: BaseHTTPRequestHandler) -> None:
        status, ctype, data = proxy(*read_request(h))
        html_response(h, status, data.decode("utf-8"), ctype)

    routes: dict[str, Any] = {DATAPROXY: dataproxy, "*": Route(200, article("示例", NEWEST, "<p>正文</p>"))}
    with LoopbackServer(routes) as srv:
        base = srv.url("")
        profile = load_profile(write_profile(tmp_path, {
            "site": {"name": "续抓测试", "start_urls": [base + col.path], "own_site": True},
            "crawl": {"timeout_s": 3.0, "retries": 0, "auto_render_share": 0.0}}))
        store = SQLiteStore(profile.default_store_path())
        run_id, _ = store.begin_run()
        # What the interrupted crawl had committed: the column page and its inline group only.
        unit = hanweb.units_of(col.page(), base + col.path)[0]
        store.add_page(run_id, Page(url=base + col.path, status=200, final_url=base + col.path, content_type="text/html",
                                    kind="html", title=col.name, text="", html=col.page(), content_hash="x", depth=0))
        store.put_record(run_id, LIST_KIND, base + col.path, {"family": "hanweb", "pages": [], "units": [unit.spec()],
                                                             "groups": 4})
        store.put_record(run_id, GROUP_KIND, group_key(base + col.path, 0), {
            "list": base + col.path, "group": 0, "records": unit.records, "total": 150, "error": ""})
        store.commit()
        again, resumed = store.begin_run()
        assert again == run_id and resumed
        site.gather(profile, store, run_id, False)
        store.finish_run(run_id, "complete", {})
        lists = read_lists(store.crawl().records(LIST_KIND), store.crawl().records(GROUP_KIND))
    assert sorted(s for _, s, _ in proxy.hits) == [46, 91, 136]
    got = lists[base + col.path]
    assert got.error == "" and len(got.records) == 150


def test_columns_see_every_record_and_page_and_no_blank_column(crawled: dict[str, Any]) -> None:
    from audits import blank_column
    from audits._columns import discover
    from zhaocuo.core.context import AuditContext

    crawl, base = crawled["crawl"], crawled["base"]
    profile = load_profile(crawled["profile_path"])
    found = discover(AuditContext(crawl, profile, date(2024, 7, 1)))
    by_url = {c.url: c for c in found.columns}
    for cid in (11, 12, 13, 15):
        col = by_url[base + COLUMNS[cid].path]
        assert col.count == len(COLUMNS[cid].records), cid
        assert col.newest is not None and col.newest.date == NEWEST and col.cms_error == "" and not col.is_blank
        assert col.family == "hanweb" and not col.script_built
    trs = by_url[base + "/gzdt/ywyw/"]
    assert trs.count == len(TRS_ROWS) and len(trs.pages) == TRS_PAGES and trs.family == "trs"
    assert base + "/gzdt/" not in by_url  # the meta-refresh root is no column of its own
    for bad in (COLUMNS[14].path, "/col/col16/index.html"):
        col = by_url[base + bad]
        assert col.cms_error and not col.is_blank
    findings = list(blank_column.audit(AuditContext(crawl, profile, date(2024, 7, 1))))
    assert findings == []
    unreadable = blank_column.summary(AuditContext(crawl, profile, date(2024, 7, 1)), findings)["unreadable"]
    assert {u["url"] for u in unreadable} == {base + COLUMNS[14].path, base + "/col/col16/index.html"}
    assert any("HTTP 500" in u["error"] for u in unreadable)


def test_report_veto_panel_lists_unreadable_columns_not_blank() -> None:
    from reports.html import veto_panel

    summary = {"pages_crawled": 10, "blank_column": {"count": 0, "unreadable": [
        {"name": "工作动态", "url": "http://x/col/col14/index.html", "error": "大汉 dataproxy.jsp 第2组（记录46–90）无法读取"}]}}
    panel = veto_panel([], summary, {"blank_column": "空白栏目"})
    assert panel["unreadable_columns"][0]["name"] == "工作动态" and "第2组" in panel["unreadable_columns"][0]["error"]
    assert not panel["at_risk"]
