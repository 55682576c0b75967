"""Dead-link kinds and their look-alikes, against real servers on loopback and real DNS.

One small "zoo" site is crawled once (module fixture) through the real gatherers (Scrapy
child processes) with dnsmasq resolving www.test.gov.cn / ext.test.org.cn; each test
pins one kind (or one look-alike that must NOT be flagged) on the stored crawl and on the
dead_link audit's findings.
"""

from __future__ import annotations

import socket
import struct
import time
from datetime import date
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from audits import dead_link
from crawler import linkcheck, site
from crawler.urls import canonical
from tests.support.dns import Dnsmasq
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route, reserved_port
from zhaocuo.core.context import AuditContext
from zhaocuo.core.profile import load_profile
from zhaocuo.core.store import SQLiteStore

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)

TIMEOUT_S = 1.5


def page(title: str, body: str = "") -> str:
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"


def _throttled() -> Any:
    hits: list[float] = []

    def handler(h: BaseHTTPRequestHandler) -> None:
        hits.append(time.monotonic())
        if len(hits) == 1:
            h.send_response(429)
            h.send_header("Retry-After", "1")
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        body = page("限流后正常", "<p>正常内容</p>").encode()
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    handler.hits = hits  # type: ignore[attr-defined]
    return handler


def _reset(h: BaseHTTPRequestHandler) -> None:
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.close_connection = True
    h.connection.close()
    h.wfile = open("/dev/null", "wb")  # noqa: SIM115 - the socket is gone; swallow the handler's flush


def _hang(h: BaseHTTPRequestHandler) -> None:
    time.sleep(TIMEOUT_S * 4)
    h.close_connection = True


def _slow(h: BaseHTTPRequestHandler) -> None:
    time.sleep(TIMEOUT_S * 0.4)
    body = page("慢但正常", "<p>这个页面响应较慢，但可以访问。</p>").encode()
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def _head_refused(h: BaseHTTPRequestHandler, head_status: int = 405) -> None:
    if h.command == "HEAD":
        h.send_response(head_status)
        h.send_header("Content-Length", "0")
        h.end_headers()
        return
    body = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    h.send_response(200)
    h.send_header("Content-Type", "image/png")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def redirect(to: str, status: int = 302) -> Route:
    return Route(status, "", headers={"Location": to})


MENTIONS_404 = page("关于清理过期网页的通知", "<p>" + "为提升网站质量，区政府办公室近期对各部门网站开展了检查。" * 20
                    + "检查发现部分页面返回 404 错误，相关栏目已删除过期信息，请各单位及时整改。</p>")
NOT_FOUND_PAGE = page("温馨提示", "<p>抱歉，没有找到相关内容，请返回首页继续浏览。</p>")


@pytest.fixture(scope="module")
def zoo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("zoo")
    throttled = _throttled()
    closed_port = reserved_port()
    ext = LoopbackServer({"/live.html": Route(body=page("外部正常", "<a href='/deeper.html'>更深</a>")),
                          "/dead.html": Route(404, page("404 Not Found"))})
    routes: dict[str, Any] = {
        "/ok.html": Route(body=page("正常页面", "<p>内容</p>")),
        "/policy.html": Route(404, page("404 Not Found")),
        "/inner.html": Route(body=page("内页", "<a href='/gone.html'>旧通知</a><p>正文</p>"
                                       "<a href='/gone.html#top'>旧通知（再次）</a><img src='/logo-missing.png' alt='区徽'>")),
        "/gone.html": Route(404, page("404 Not Found")),
        "/logo-missing.png": Route(404, page("404 Not Found")),
        "/throttled.html": throttled,
        "/reset.html": _reset,
        "/hang.html": _hang,
        "/slow.html": _slow,
        "/soft404.html": Route(body=page("页面不存在", "<p>您访问的页面不存在或已被删除。</p>")),
        "/moved-away.html": Route(body=NOT_FOUND_PAGE),
        "/loop1.html": redirect("/loop2.html"),
        "/loop2.html": redirect("/loop1.html"),
        "/moved301.html": redirect("/ok.html", 301),
        "/mentions404.html": Route(body=MENTIONS_404),
        "/photo.png": _head_refused,
        "/head404.png": lambda h: _head_refused(h, 404),
        "/gbk.html": Route(body=("<html><head><meta charset='utf-8'><title>区政府办公室关于做好春节期间工作的通知</title>"
                                 "</head><body><p>各镇街道：现将有关事项通知如下。</p></body></html>").encode("gbk"),
                           content_type="text/html"),
        "*": Route(200, NOT_FOUND_PAGE),
    }
    for i in range(11):
        routes[f"/r{i}.html"] = redirect(f"/r{i + 1}.html")
    routes["/r11.html"] = Route(body=page("终点"))
    home_links = [
        ("/ok.html", "正常页面"), ("/policy.html", "政策解读"), ("/inner.html", "内页"), ("/gone.html", "旧通知"), ("/gone.html?utm_source=home", "旧通知（带跟踪参数）"),
        ("/throttled.html", "限流"), ("/reset.html", "重置"), ("/hang.html", "无响应"), ("/slow.html", "慢页面"),
        ("/soft404.html", "软404"), ("/moved-away.html", "已迁移"), ("/loop1.html", "循环"), ("/r0.html", "长跳转"),
        ("/moved301.html", "永久迁移"), ("/mentions404.html", "通知"), ("/photo.png", "图片新闻"), ("/head404.png", "图解"), ("/gbk.html", "国标"),
    ]
    with Dnsmasq(hosts={"www.test.gov.cn": ["127.0.0.1"], "ext.test.org.cn": ["127.0.0.1"]}) as dns, \
            LoopbackServer(routes) as srv, ext:
        base = f"http://www.test.gov.cn:{srv.port}"
        extra = (f"<a href='http://ext.test.org.cn:{ext.port}/live.html'>外部正常</a>"
                 f"<a href='http://ext.test.org.cn:{ext.port}/dead.html'>外部失效</a>"
                 f"<a href='http://nx.test.gov.cn:{srv.port}/x.html'>不存在的域名</a>"
                 f"<a href='http://127.0.0.1:{closed_port}/'>拒绝连接</a>"
                 f"<a href='https://ext.test.org.cn:{ext.port}/tls.html'>证书错误</a>")  # TLS to a plain-HTTP port
        srv.routes["/"] = Route(body=page("某区人民政府", "".join(f"<a href='{u}'>{a}</a>" for u, a in home_links) + extra))
        path = write_profile(tmp, {
            "site": {"name": "测试区", "start_urls": [base + "/"], "allowed_hosts": ["www.test.gov.cn"]},
            "crawl": {"timeout_s": TIMEOUT_S, "retries": 1, "max_backoff_s": 2.0, "auto_render_share": 0.0},
            "dns": {"nameservers": [dns.nameserver], "timeout_s": 1.0},
        })
        profile = load_profile(path)
        store = SQLiteStore(profile.default_store_path())
        run_id, _ = store.begin_run()
        stats = site.gather(profile, store, run_id, False)
        stats.update(linkcheck.gather(profile, store, run_id, False))
        store.finish_run(run_id, "complete", stats)
        crawl = store.crawl()
        findings = list(dead_link.audit(AuditContext(crawl, profile, date(2026, 11, 27))))
        yield {"base": base, "ext": f"http://ext.test.org.cn:{ext.port}", "crawl": crawl, "findings": findings,
               "srv": srv, "ext_srv": ext, "throttled": throttled, "stats": stats, "profile": profile,
               "closed_port": closed_port}


def dead(zoo: dict[str, Any], path_or_url: str) -> list[Any]:
    url = path_or_url if path_or_url.startswith("http") else zoo["base"] + path_or_url
    return [f for f in zoo["findings"] if f.target == url]


def test_http_404_on_homepage_is_high_with_anchor_in_message(zoo: dict[str, Any]) -> None:
    (f,) = dead(zoo, "/policy.html")
    assert f.url == zoo["base"] + "/"
    assert f.severity == "high"
    assert f.message == "页面中的链接“政策解读”无法访问（HTTP 404），请修改或删除该链接。"
    assert f.extra["status"] == 404 and f.extra["error_kind"] == "http" and f.extra["anchor"] == "政策解读"


def test_inner_page_dead_link_is_medium_and_one_finding_per_page_target_pair(zoo: dict[str, Any]) -> None:
    found = dead(zoo, "/gone.html")
    by_page = {f.url: f for f in found}
    assert len(found) == 2 == len(by_page)  # homepage + inner page; the inner page's second link is the same pair
    assert by_page[zoo["base"] + "/"].severity == "high"
    assert by_page[zoo["base"] + "/inner.html"].severity == "medium"
    assert len({f.id for f in found}) == 2


def test_two_spellings_of_one_dead_target_on_a_page_give_one_finding(zoo: dict[str, Any]) -> None:
    home = [f for f in zoo["findings"] if f.url == zoo["base"] + "/" and "/gone.html" in f.target]
    assert len(home) == 1 and home[0].target == zoo["base"] + "/gone.html"


def test_dead_image_is_named_as_image(zoo: dict[str, Any]) -> None:
    (f,) = dead(zoo, "/logo-missing.png")
    assert f.message.startswith("页面中的图片“区徽”无法访问")


def test_429_then_200_is_not_dead_and_retry_after_is_respected(zoo: dict[str, Any]) -> None:
    assert dead(zoo, "/throttled.html") == []
    assert len(zoo["throttled"].hits) == 2  # the wait itself: test_retry_waits_at_least_retry_after
    check = zoo["crawl"].link_checks()[zoo["base"] + "/throttled.html"]
    assert check.status == 200 and check.attempts == 2


def test_connection_reset_is_dead_after_retries(zoo: dict[str, Any]) -> None:
    (f,) = dead(zoo, "/reset.html")
    assert f.extra["error_kind"] == "reset"
    assert "连接被重置" in f.message
    hits = [p for m, p in zoo["srv"].hits if p == "/reset.html"]
    # retries = 1: two attempts; Twisted may resend a request once on a reused keep-alive connection.
    assert 2 <= len(hits) <= 4
    assert zoo["crawl"].link_checks()[zoo["base"] + "/reset.html"].attempts == 2


def test_server_that_never_answers_is_dead_as_timeout(zoo: dict[str, Any]) -> None:
    (f,) = dead(zoo, "/hang.html")
    assert f.extra["error_kind"] == "timeout"


def test_slow_but_live_page_is_not_dead(zoo: dict[str, Any]) -> None:
    assert dead(zoo, "/slow.html") == []
    assert zoo["crawl"].page(zoo["base"] + "/slow.html").title == "慢但正常"


def test_soft_404_by_wording_is_dead(zoo: dict[str, Any]) -> None:
    (f,) = dead(zoo, "/soft404.html")
    assert f.extra["error_kind"] == "soft404" and f.extra["status"] == 200


def test_soft_404_matching_the_sites_not_found_page_is_dead(zoo: dict[str, Any]) -> None:
    probes = list(zoo["crawl"].pages(kinds=("notfound_probe",)))
    assert len(probes) == 1 and probes[0].status == 200 and probes[0].title == "温馨提示"
    (f,) = dead(zoo, "/moved-away.html")
    assert f.extra["error_kind"] == "soft404"


def test_page_that_merely_mentions_404_is_not_dead(zoo: dict[str, Any]) -> None:
    assert dead(zoo, "/mentions404.html") == []


def test_redirect_loop_is_dead(zoo: dict[str, Any]) -> None:
    (f,) = dead(zoo, "/loop1.html")
    assert f.extra["error_kind"] == "redirect_loop"


def test_chain_of_11_redirects_is_dead_but_a_301_to_a_live_page_is_not(zoo: dict[str, Any]) -> None:
    (f,) = dead(zoo, "/r0.html")
    assert f.extra["error_kind"] == "too_many_redirects"
    assert dead(zoo, "/moved301.html") == []
    check = zoo["crawl"].link_checks()[zoo["base"] + "/moved301.html"]
    assert check.status == 200 and check.final_url == zoo["base"] + "/ok.html"


def test_head_refused_with_405_but_get_fine_is_not_dead(zoo: dict[str, Any]) -> None:
    assert dead(zoo, "/photo.png") == []
    methods = [m for m, p in zoo["srv"].hits if p == "/photo.png"]
    assert methods == ["HEAD", "GET"]


def test_head_answered_404_but_get_fine_is_not_dead(zoo: dict[str, Any]) -> None:
    assert dead(zoo, "/head404.png") == []
    assert [m for m, p in zoo["srv"].hits if p == "/head404.png"] == ["HEAD", "GET"]


def test_dns_failure_through_dnsmasq_is_dead(zoo: dict[str, Any]) -> None:
    (f,) = dead(zoo, f"http://nx.test.gov.cn:{zoo['srv'].port}/x.html")
    assert f.extra["error_kind"] == "dns" and "域名无法解析" in f.message


def test_connection_refused_is_dead(zoo: dict[str, Any]) -> None:
    (f,) = dead(zoo, f"http://127.0.0.1:{zoo['closed_port']}/")
    assert f.extra["error_kind"] == "refused"


def test_tls_failure_is_dead_as_ssl(zoo: dict[str, Any]) -> None:
    (f,) = dead(zoo, zoo["ext"].replace("http://", "https://") + "/tls.html")
    assert f.extra["error_kind"] == "ssl"


def test_external_links_are_checked_not_crawled(zoo: dict[str, Any]) -> None:
    assert dead(zoo, zoo["ext"] + "/live.html") == []
    (f,) = dead(zoo, zoo["ext"] + "/dead.html")
    assert f.extra["status"] == 404
    assert "/deeper.html" not in [p for _, p in zoo["ext_srv"].hits]
    assert zoo["crawl"].page(zoo["ext"] + "/live.html") is None


def test_gbk_page_with_lying_meta_decodes(zoo: dict[str, Any]) -> None:
    p = zoo["crawl"].page(zoo["base"] + "/gbk.html")
    assert p.title == "区政府办公室关于做好春节期间工作的通知"
    assert "各镇街道：现将有关事项通知如下。" in p.text
    assert p.encoding == "gb18030"


def test_every_distinct_url_checked_once(zoo: dict[str, Any]) -> None:
    crawl = zoo["crawl"]
    checks = crawl.link_checks()
    targets = {canonical(lk.target) for lk in crawl.links()}
    assert targets <= set(checks)  # every link target has its check, under its canonical URL
    gets = [p for m, p in zoo["srv"].hits if p == "/gone.html"]
    assert gets == ["/gone.html"]  # linked three times from two pages: fetched once
    assert zoo["stats"]["pages_crawled"] == crawl.page_count()


def test_only_dead_targets_are_reported(zoo: dict[str, Any]) -> None:
    reported = {f.target.removeprefix(zoo["base"]) for f in zoo["findings"]}
    expected = {"/policy.html", "/gone.html", "/logo-missing.png", "/reset.html", "/hang.html", "/soft404.html",
                "/moved-away.html", "/loop1.html", "/r0.html", zoo["ext"] + "/dead.html",
                f"http://nx.test.gov.cn:{zoo['srv'].port}/x.html", f"http://127.0.0.1:{zoo['closed_port']}/",
                zoo["ext"].replace("http://", "https://") + "/tls.html"}
    assert reported == expected


def test_site_answering_unknown_addresses_with_its_homepage_gets_no_soft_404_alarms(tmp_path: Path) -> None:
    home = page("某区人民政府", "<a href='/zh/'>中文版</a><a href='/news.html'>新闻</a><p>" + "区政府召开常务会议。" * 20 + "</p>")
    routes = {"/": Route(body=home), "/zh/": Route(body=home),  # an alias of the homepage: alive
              "/news.html": Route(body=page("某区人民政府", "<p>新闻正文</p>")), "*": Route(body=home)}
    with LoopbackServer(routes) as srv:
        path = write_profile(tmp_path, {"site": {"start_urls": [srv.url("/")]},
                                        "crawl": {"timeout_s": 2.0, "retries": 1, "max_backoff_s": 0.2,
                                                  "auto_render_share": 0.0}})
        profile = load_profile(path)
        store = SQLiteStore(profile.default_store_path())
        run_id, _ = store.begin_run()
        stats = site.gather(profile, store, run_id, False)
        stats.update(linkcheck.gather(profile, store, run_id, False))
        store.finish_run(run_id, "complete", stats)
    crawl = store.crawl()
    assert [p.status for p in crawl.pages(kinds=("notfound_probe",))] == [200]
    assert list(dead_link.audit(AuditContext(crawl, profile, date(2026, 11, 27)))) == []
