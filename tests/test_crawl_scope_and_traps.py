"""The site crawl's scope rules against real loopback servers: traps stop early without
eating the page budget, URLs are canonicalised, robots.txt is honoured (or not, for the
user's own site), depth/page budgets hold, allowed hosts match the start URLs' ports (others only when named), politeness holds."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from tests.support.crawling import crawl_site, links, page
from tests.support.servers import LoopbackServer, Route

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier


def _calendar(h: BaseHTTPRequestHandler) -> None:
    """An endless calendar: every page links to the next "month" one level deeper."""
    body = page("日历", f"<a href='{h.path}m/'>下个月</a>").encode()
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def _search(h: BaseHTTPRequestHandler) -> None:
    """Endless query variations: every result page links to the next page number."""
    n = int(h.path.split("page=")[-1]) if "page=" in h.path else 0
    body = page("搜索", f"<a href='/search.html?page={n + 1}'>下一页</a>").encode()
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


class TrapRoutes(dict):
    def get(self, key: str, default: Any = None) -> Any:
        if key.startswith("/rl/"):
            return _calendar
        if key.startswith("/search.html"):
            return _search
        return super().get(key, default)


def test_calendar_and_query_traps_stop_early_and_leave_the_budget_for_real_pages(tmp_path: Path) -> None:
    real = [f"/news/{i}.html" for i in range(10)]
    routes = TrapRoutes({"/": Route(body=page("首页", links("/rl/2024/m/", "/search.html?page=1", "/news/"))),
                         "/news/": Route(body=page("新闻", links(*real)))})
    for p in real:
        routes[p] = Route(body=page("新闻稿", "<p>正文</p>"))
    with LoopbackServer() as srv:
        srv.routes = routes
        crawl, stats = crawl_site(tmp_path, srv.url("/"), crawl={"max_pages": 40, "max_query_variants": 5})
    urls = crawl.fetched_urls()
    assert {srv.url(p) for p in real} <= urls  # the real pages were all crawled
    calendar = [u for u in urls if "/rl/" in u]
    search = [u for u in urls if "search.html" in u]
    assert len(calendar) <= 3  # /rl/2024/m/, /m/m/ — the third repeat of "m" is a trap
    assert len(search) <= 5  # crawl.max_query_variants
    assert stats["crawl_skipped"]["trap_repeated_segment"] >= 1
    assert stats["crawl_skipped"]["trap_query_variants"] >= 1
    assert stats["pages_crawled"] == crawl.page_count() < 40


def test_urls_are_canonicalised_so_one_page_is_fetched_once(tmp_path: Path) -> None:
    with LoopbackServer({"/a.html": Route(body=page("甲"))}) as srv:
        host = f"127.0.0.1:{srv.port}"
        home = page("首页", links("/a.html?utm_source=wechat", f"HTTP://{host.upper()}/a.html#part2",
                                  "/a.html;jsessionid=ABC123", "a.html", f"http://{host}/./a.html"))
        srv.routes["/"] = Route(body=home)
        crawl, _ = crawl_site(tmp_path, srv.url("/"))
        gets = [p for m, p in srv.hits if m == "GET" and p.startswith("/a.html")]  # not the random not-found probe (…caaa.html)
    assert len(gets) == 1
    assert srv.url("/a.html") in crawl.fetched_urls()
    stored = {lk.target for lk in crawl.links_from(srv.url("/"))}
    assert srv.url("/a.html?utm_source=wechat") in stored  # links keep the target as written (minus fragment)
    assert all("#" not in t for t in stored)


def _robots_site() -> dict[str, Route]:
    return {"/": Route(body=page("首页", links("/open.html", "/private/secret.html"))),
            "/open.html": Route(body=page("公开")),
            "/private/secret.html": Route(body=page("内部")),
            "/robots.txt": Route(body="User-agent: *\nDisallow: /private/\n", content_type="text/plain")}


def test_robots_txt_is_honoured(tmp_path: Path) -> None:
    with LoopbackServer(_robots_site()) as srv:
        crawl, stats = crawl_site(tmp_path, srv.url("/"), check_links=True)
    assert srv.url("/open.html") in crawl.fetched_urls()
    assert srv.url("/private/secret.html") not in crawl.fetched_urls()
    assert not [p for _, p in srv.hits if p.startswith("/private/")]
    assert crawl.link_checks()[srv.url("/private/secret.html")].error_kind == "skipped"


def test_robots_txt_is_ignored_on_the_users_own_site(tmp_path: Path) -> None:
    with LoopbackServer(_robots_site()) as srv:
        crawl, _ = crawl_site(tmp_path, srv.url("/"), site={"own_site": True})
    assert srv.url("/private/secret.html") in crawl.fetched_urls()


def test_max_depth_and_max_pages_hold(tmp_path: Path) -> None:
    routes = {"/": Route(body=page("首页", links("/d1.html"))),
              "/d1.html": Route(body=page("一", links("/d2.html"))),
              "/d2.html": Route(body=page("二", links("/d3.html"))),
              "/d3.html": Route(body=page("三"))}
    with LoopbackServer(routes) as srv:
        crawl, _ = crawl_site(tmp_path / "depth", srv.url("/"), crawl={"max_depth": 2})
        assert srv.url("/d2.html") in crawl.fetched_urls() and srv.url("/d3.html") not in crawl.fetched_urls()
        crawl, stats = crawl_site(tmp_path / "pages", srv.url("/"), crawl={"max_pages": 2})
        assert crawl.page_count() == stats["pages_crawled"] == 2


def test_another_port_of_an_allowed_host_is_checked_not_crawled_unless_named(tmp_path: Path) -> None:
    """An admin application on another port of the site's host, linked from a page, is
    link-checked only: its pages (and their titles) never enter the crawl — unless
    ``allowed_hosts`` names that port ("host:port")."""
    admin = {"/b.html": Route(body=page("后台管理系统", links("/b2.html"))), "/b2.html": Route(body=page("用户列表"))}
    with LoopbackServer(admin) as other:
        home = page("首页", links(other.url("/b.html"), f"http://localhost:{other.port}/b.html"))
        with LoopbackServer({"/": Route(body=home)}) as srv:
            crawl, _ = crawl_site(tmp_path / "default", srv.url("/"), check_links=True)
            named, _ = crawl_site(tmp_path / "named", srv.url("/"), check_links=True,
                                  site={"allowed_hosts": ["127.0.0.1", f"127.0.0.1:{other.port}"]})
    assert {p.url for p in crawl.pages()} == {srv.url("/")}, "another port: not crawled"
    assert crawl.link_checks()[other.url("/b.html")].status == 200, "but its link is checked"
    assert other.url("/b2.html") not in crawl.link_checks(), "and nothing behind it is followed"
    assert crawl.page(other.url("/b.html")) is None
    assert {other.url("/b.html"), other.url("/b2.html")} <= named.fetched_urls(), "a named port is crawled"
    assert f"http://localhost:{other.port}/b.html" not in named.fetched_urls()  # another host: checked only
    assert named.link_checks()[f"http://localhost:{other.port}/b.html"].status == 200


def test_per_host_concurrency_and_requests_per_second_are_respected(tmp_path: Path) -> None:
    lock = threading.Lock()
    state = {"now": 0, "max": 0}
    stamps: list[float] = []

    def slowish(h: BaseHTTPRequestHandler) -> None:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
            stamps.append(time.monotonic())
        time.sleep(0.05)
        body = page("页").encode()
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
        with lock:
            state["now"] -= 1

    pages = [f"/p{i}.html" for i in range(12)]
    routes: dict[str, Any] = {"/": Route(body=page("首页", links(*pages)))}
    routes.update({p: slowish for p in pages})
    with LoopbackServer(routes) as srv:
        crawl_site(tmp_path / "conc", srv.url("/"), crawl={"per_host_concurrency": 2})
        assert 1 <= state["max"] <= 2  # without the limit holding, all 12 arrive at once
        stamps.clear()
        crawl_site(tmp_path / "rps", srv.url("/"), crawl={"requests_per_second": 10.0})
    # 10 requests/s: 11 gaps of ≥ 0.1 s as sent. Only a lower bound on the whole span is asserted
    # (a busy machine can only stretch it; single gaps jitter with arrival times).
    assert len(stamps) == 12 and stamps[-1] - stamps[0] >= 0.9


def test_attachments_on_allowed_hosts_are_stored_as_attachment_pages(tmp_path: Path) -> None:
    routes = {"/": Route(body=page("首页", links("/files/notice.pdf", "/img/a.png"))),
              "/files/notice.pdf": Route(body=b"%PDF-1.4\n%fake\n", content_type="application/pdf"),
              "/img/a.png": Route(body=b"\x89PNG....", content_type="image/png")}
    with LoopbackServer(routes) as srv:
        crawl, stats = crawl_site(tmp_path, srv.url("/"), check_links=True)
    kinds = {p.url: p.kind for p in crawl.pages(kinds=None)}
    assert kinds[srv.url("/files/notice.pdf")] == "attachment"
    assert srv.url("/img/a.png") not in kinds  # images are link targets, not pages
    assert crawl.link_checks()[srv.url("/img/a.png")].method == "HEAD"
    assert stats["pages_crawled"] == 1  # attachments are not counted as crawled pages


def test_response_bodies_are_bounded_by_max_page_bytes(tmp_path: Path) -> None:
    big = page("长页面", "<p>" + "政务公开内容。" * 60000 + "</p>")  # ~1.2 MB
    with LoopbackServer({"/": Route(body=page("首页", links("/big.html"))), "/big.html": Route(body=big)}) as srv:
        crawl, _ = crawl_site(tmp_path, srv.url("/"), crawl={"max_page_bytes": 100_000})
    p = crawl.page(srv.url("/big.html"))
    assert p.title == "长页面" and 90_000 <= p.size <= 200_000  # truncated after ~100 KB, still stored


def test_check_external_false_and_max_links_checked_bound_the_checker(tmp_path: Path) -> None:
    with LoopbackServer({"/x.html": Route(body=page("外"))}) as other:
        home = page("首页", links(f"http://localhost:{other.port}/x.html", "/i1.png", "/i2.png", "/i3.png"))
        with LoopbackServer({"/": Route(body=home)}) as srv:
            crawl, stats = crawl_site(tmp_path, srv.url("/"), check_links=True,
                                      crawl={"check_external": False, "max_links_checked": 2})
    checks = crawl.link_checks()
    assert f"http://localhost:{other.port}/x.html" not in checks  # external: not checked at all
    assert not other.hits
    assert sum(1 for u in checks if u.endswith(".png")) == 2  # the budget, in link order
    assert stats["links_unchecked_over_budget"] == 1


def test_a_homepage_that_is_only_a_meta_refresh_is_followed(tmp_path: Path) -> None:
    routes = {"/": Route(body="<html><head><meta http-equiv='refresh' content='0;url=/col/index.html'></head></html>"),
              "/col/index.html": Route(body=page("某区人民政府", links("/col/a.html"))),
              "/col/a.html": Route(body=page("甲"))}
    with LoopbackServer(routes) as srv:
        crawl, _ = crawl_site(tmp_path, srv.url("/"))
    assert {srv.url("/col/index.html"), srv.url("/col/a.html")} <= crawl.fetched_urls()
