"""The rendering hooks in a real Scrapy + scrapy-playwright + Chromium run, on loopback.

Through ``crawler.render_child.render_urls`` (a minimal spider using exactly the settings and meta the
site spider merges): lists built with fetch() appear, images/fonts/media are never downloaded,
a page that never loads and a page whose script never yields are reported while the others
render, and browser contexts are recycled.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import psutil
import pytest

from crawler import render, render_child
from tests.support import newmedia_pages as pages
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route
from zhaocuo.core.profile import load_profile

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier

LIST = """<html><head><title>行政执法公示</title><link rel="stylesheet" href="/s.css">
<style>@font-face { font-family: x; src: url(/font.woff2); } body { font-family: x; }</style></head>
<body><ul id="list"></ul><img src="/big.png"><video src="/clip.mp4" autoplay></video>
<script>fetch('/api/list.json').then(r => r.json()).then(items => {
  document.getElementById('list').innerHTML = items.map(i => '<li><a href="' + i.url + '">' + i.title + '</a></li>').join('');
});</script></body></html>"""
SPIN = "<html><body><p>公示</p><script>setTimeout(() => { while (true) {} }, 50)</script></body></html>"
# A scrolling ticker changes the DOM forever: the page still renders, its wait bounded.
TICKER = """<html><body><p>滚动新闻</p><div id="t"></div>
<script>setInterval(() => { document.getElementById('t').textContent = '时间 ' + Date.now(); }, 20)</script></body></html>"""


def _profile(tmp: Path, base: str, **crawl: object):
    return load_profile(write_profile(tmp, {"site": {"start_urls": [base + "/"]}, "crawl": {"render_timeout_s": 4, **crawl}}))


def test_fetch_built_lists_render_and_media_is_never_downloaded(tmp_path: Path) -> None:
    routes = {"/list.html": Route(body=LIST), "/s.css": Route(body="p{}", content_type="text/css"),
              "/api/list.json": Route(body=json.dumps([{"url": "/cf/1.html", "title": "行政处罚决定书（临环罚〔2024〕3号）"}],
                                                      ensure_ascii=False), content_type="application/json")}
    with LoopbackServer(routes) as srv:
        (res,) = render_child.render_urls(_profile(tmp_path, srv.base), [srv.url("/list.html")])
        hits = {path for _, path in srv.hits}
    assert res["error"] == "" and res["status"] == 200
    assert '<a href="/cf/1.html">行政处罚决定书（临环罚〔2024〕3号）</a>' in res["html"]
    assert {"/list.html", "/api/list.json", "/s.css"} <= hits
    assert not hits & {"/big.png", "/font.woff2", "/clip.mp4"}


def test_a_page_that_never_loads_or_never_yields_is_reported_and_the_rest_render(tmp_path: Path) -> None:
    routes = {"/hang.html": pages.never_loads(30), "/spin.html": Route(body=SPIN),
              "/ok.html": Route(body="<html><body><p>正常页面</p></body></html>"), "/ticker.html": Route(body=TICKER)}
    with LoopbackServer(routes) as srv:
        results = render_child.render_urls(_profile(tmp_path, srv.base), [srv.url("/hang.html"), srv.url("/spin.html"),
                                                                     srv.url("/ok.html"), srv.url("/ticker.html")])
    by = {r["url"].rsplit("/", 1)[-1]: r for r in results}
    assert "Timeout 4000ms" in by["hang.html"]["error"] and by["hang.html"]["html"] == ""
    assert "RenderHang" in by["spin.html"]["error"] and "无响应" in by["spin.html"]["error"]
    assert by["ok.html"]["error"] == "" and "正常页面" in by["ok.html"]["html"]
    assert by["ticker.html"]["error"] == "" and "时间 1" in by["ticker.html"]["html"]


def _recording(seen: list[dict[str, str]], routes: dict[str, Route]):
    """A route answering ``routes`` (404 elsewhere) that records each request's path and headers."""
    def handle(h) -> None:
        seen.append({"path": h.path, **{k.lower(): v for k, v in h.headers.items()}})
        route = routes.get(h.path) or Route(404, "<html><body>Not Found</body></html>")
        body = route.body.encode() if isinstance(route.body, str) else route.body
        h.send_response(route.status)
        h.send_header("Content-Type", route.content_type)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
    return {"*": handle}


def _media_page(other: str) -> dict[str, Route]:
    """LIST, plus a fetch() to another site (whose answer CORS hides from the page; it is still sent)."""
    page = LIST.replace("</body>", f"<script>fetch('{other}/elsewhere.json').catch(() => null);</script></body>")
    return {"/list.html": Route(body=page), "/s.css": Route(body="p{}", content_type="text/css"),
            "/api/list.json": Route(body=json.dumps([{"url": "/cf/1.html", "title": "行政处罚决定书"}], ensure_ascii=False),
                                    content_type="application/json")}


def test_without_access_headers_pages_are_not_routed_and_send_the_crawls_user_agent(tmp_path: Path) -> None:
    """No request of the page goes through Python (no route), yet the document and its fetch()
    carry the crawl's User-Agent as before, and images, fonts and media are never downloaded."""
    seen: list[dict[str, str]] = []
    elsewhere: list[dict[str, str]] = []
    stats: dict = {}
    with LoopbackServer(_recording(elsewhere, {}), host="127.0.0.2") as other:
        with LoopbackServer(_recording(seen, _media_page(other.base))) as srv:
            profile = _profile(tmp_path, srv.base)  # the default User-Agent (ASCII)
            (res,) = render_child.render_urls(profile, [srv.url("/list.html")], stats=stats)
    assert res["error"] == "" and "行政处罚决定书" in res["html"]
    assert stats["zhaocuo/render_unrouted"] == 1
    by_path = {s["path"]: s for s in seen}
    assert {"/list.html", "/api/list.json", "/s.css"} <= set(by_path)
    assert not {"/big.png", "/font.woff2", "/clip.mp4"} & set(by_path)
    ua = profile.crawl.user_agent
    assert ua.isascii() and by_path["/list.html"]["user-agent"] == by_path["/api/list.json"]["user-agent"] == ua
    assert [s["path"] for s in elsewhere] == ["/elsewhere.json"]


def test_a_user_agent_beyond_latin1_reaches_a_pages_own_requests_as_question_marks(tmp_path: Path) -> None:
    """Why docs/profile.md asks for an ASCII user_agent: unrouted, the document's request carries
    it as Scrapy sends it (UTF-8; read here as Latin-1), but Chromium sends the page's own
    requests with characters beyond Latin-1 as "?"."""
    seen: list[dict[str, str]] = []
    ua = "zhaocuo/0.1 (政府网站检查)"
    with LoopbackServer(_recording([], {}), host="127.0.0.2") as other:
        with LoopbackServer(_recording(seen, _media_page(other.base))) as srv:
            profile = _profile(tmp_path, srv.base, user_agent=ua)
            (res,) = render_child.render_urls(profile, [srv.url("/list.html")])
    assert res["error"] == ""
    by_path = {s["path"]: s for s in seen}
    assert by_path["/list.html"]["user-agent"].encode("latin-1").decode("utf-8") == ua
    assert by_path["/api/list.json"]["user-agent"] == "zhaocuo/0.1 (??????)"


def test_with_access_headers_pages_are_routed_and_the_headers_reach_only_the_own_host(tmp_path: Path) -> None:
    seen: list[dict[str, str]] = []
    elsewhere: list[dict[str, str]] = []
    stats: dict = {}
    with LoopbackServer(_recording(elsewhere, {}), host="127.0.0.2") as other:
        with LoopbackServer(_recording(seen, _media_page(other.base))) as srv:
            profile = _profile(tmp_path, srv.base, headers={"X-Env": "staging"})
            (res,) = render_child.render_urls(profile, [srv.url("/list.html")], stats=stats)
    assert res["error"] == "" and "行政处罚决定书" in res["html"]
    assert not stats.get("zhaocuo/render_unrouted")
    by_path = {s["path"]: s for s in seen}
    assert by_path["/list.html"]["x-env"] == by_path["/api/list.json"]["x-env"] == "staging"
    assert not {"/big.png", "/font.woff2", "/clip.mp4"} & set(by_path)
    assert [s["path"] for s in elsewhere] == ["/elsewhere.json"] and "x-env" not in elsewhere[0]
    for path in ("/list.html", "/api/list.json"):
        assert by_path[path]["user-agent"].encode("latin-1").decode("utf-8") == profile.crawl.user_agent, path


def _count_drivers(proc, seen: list[int]) -> None:
    """Sample the render child's process tree: how many Playwright drivers run at once."""
    def watch() -> None:
        while proc.poll() is None:
            try:
                kids = psutil.Process(proc.pid).children(recursive=True)
                drivers = {k.pid for k in kids if "run-driver" in " ".join(k.cmdline())}
                # A driver's child between fork and exec still shows the driver's command line.
                seen.append(sum(1 for k in kids if k.pid in drivers and k.ppid() not in drivers))
            except psutil.Error:
                pass
            time.sleep(0.1)
    threading.Thread(target=watch, daemon=True).start()


# The rendered HTML is read in the page's main world: the doctype and the script-built text come
# back as page.content() gives them, and a page that broke the serialiser there still gives its
# document (read through Playwright's isolated world instead).
DOCTYPE = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html><body><div id="c"></div><script>document.getElementById('c').textContent = '脚本写入的正文';</script></body></html>"""
BROKEN_SERIALISER = """<!DOCTYPE html><html><body><div id="c"></div>
<script>document.getElementById('c').textContent = '改了序列化器的页面'; window.XMLSerializer = null;</script></body></html>"""


def test_the_html_comes_with_its_doctype_and_a_page_that_breaks_the_serialiser_still_renders(tmp_path: Path) -> None:
    routes = {"/doctype.html": Route(body=DOCTYPE), "/broken.html": Route(body=BROKEN_SERIALISER)}
    with LoopbackServer(routes) as srv:
        results = render_child.render_urls(_profile(tmp_path, srv.base), [srv.url("/doctype.html"), srv.url("/broken.html")])
    by = {r["url"].rsplit("/", 1)[-1]: r for r in results}
    assert by["doctype.html"]["error"] == "" and by["doctype.html"]["html"].startswith(
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
        "<html")
    assert '<div id="c">脚本写入的正文</div>' in by["doctype.html"]["html"]
    assert by["broken.html"]["error"] == "" and by["broken.html"]["html"].startswith("<!DOCTYPE html><html")
    assert '<div id="c">改了序列化器的页面</div>' in by["broken.html"]["html"]


def test_tabs_are_reused_contexts_recycled_and_pages_bounded(tmp_path: Path) -> None:
    """Rendering at crawl speed: a tab is navigated to the next page instead of being closed
    (no renderer process started per page), at most render_concurrency tabs are open, and
    contexts are still recycled (their tabs closed with them)."""
    routes = {f"/p{i}.html": Route(body=f"<html><body><p>第{i}页</p></body></html>") for i in range(10)}
    stats: dict = {}
    drivers: list[int] = []
    with LoopbackServer(routes) as srv:
        results = render_child.render_urls(_profile(tmp_path, srv.base, render_concurrency=2, render_context_pages=4),
                                           [srv.url(f"/p{i}.html") for i in range(10)], stats=stats,
                                           on_start=lambda proc: _count_drivers(proc, drivers))
    # One Playwright driver and one browser for both schemes (stock scrapy-playwright starts one per scheme).
    assert max(drivers) == 1 and stats["playwright/browser_count"] == 1
    assert sorted(r["error"] for r in results) == [""] * 10
    assert {r["url"].rsplit("/", 1)[-1]: f"第{r['url'][-6]}页" in r["html"] for r in results} == {
        f"p{i}.html": True for i in range(10)}, "a reused tab shows its own page, never the last one"
    assert stats["playwright/context_count"] > render.MAX_CONTEXTS  # old contexts closed, new ones made
    assert stats["playwright/context_count/max_concurrent"] <= render.MAX_CONTEXTS
    # Two renders at a time (the tab bound); a tab of a retired generation may still be listed
    # while Playwright finishes closing it, so one more than the bound can be counted at a
    # context switch (seen in 2 of 6 clean-clone runs; never more than one).
    assert stats["playwright/page_count/max_concurrent"] <= 2 + 1
    assert stats["zhaocuo/tabs_reused"] >= 4 and stats["playwright/page_count"] <= 6
