"""Comparing what IPv6 and IPv4 serve: a changed counter or date is the same page, another
status is not; bodies are read up to the cap; GBK pages are decoded on both families."""

from __future__ import annotations

from pathlib import Path

import pytest

from audits.ipv6 import _probe_verdict
from crawler.ipv6_dns import OK, HostDns, Lookup
from crawler.ipv6_fetch import fetch_via
from crawler.ipv6probe import probe_url
from tests.support.ipv6_world import dual_reserved_port, stored_crawl
from tests.support.servers import LoopbackServer, Route

pytestmark = pytest.mark.timeout(60)

HOST = "www.test.gov.cn"
DUAL = HostDns(HOST, Lookup(OK, ["127.0.0.1"]), Lookup(OK, ["::1"]))
ARTICLE = "区政府召开常务会议，研究部署冬季安全生产、民生保障和重点项目建设等工作。" * 15


def gbk_page(counter: str) -> Route:
    html = (f"<html><head><meta charset=gb2312><title>测试区人民政府</title></head>"
            f"<body><p>{ARTICLE}</p><p>访问量：{counter}</p></body></html>")
    return Route(body=html.encode("gbk"), content_type="text/html")


def probe(tmp_path: Path, v4: dict, v6: dict) -> dict:
    port = dual_reserved_port()
    with LoopbackServer(v4, host="127.0.0.1", port=port), LoopbackServer(v6, host="::1", port=port):
        profile, store, _ = stored_crawl(tmp_path, {"site": {"start_urls": [f"http://{HOST}:{port}/"]},
                                                    "ipv6": {"timeout_s": 2.0}}, {})
        store.close()
        return probe_url(f"http://{HOST}:{port}/", DUAL, ["::1"], profile)


def test_a_changed_visit_counter_is_the_same_page(tmp_path: Path) -> None:
    result = probe(tmp_path, {"/": gbk_page("1024 更新于 2026-11-27 10:00:01")},
                   {"/": gbk_page("1025 更新于 2026-11-27 10:00:02")})
    assert result["v4"]["title"] == result["v6"]["title"] == "测试区人民政府"  # GBK decoded on both
    assert 0.8 <= result["similarity"] < 1.0
    assert _probe_verdict(result) == ("ok", "")


def test_another_status_over_ipv6_is_a_difference(tmp_path: Path) -> None:
    result = probe(tmp_path, {"/": gbk_page("1")}, {"/": Route(404, "<html><title>404</title></html>")})
    verdict, reason = _probe_verdict(result)
    assert verdict == "v6_differs" and "404" in reason and "200" in reason


def test_bodies_are_read_up_to_the_cap(tmp_path: Path) -> None:
    big = Route(body=b"<html><body>" + b"x" * (3 * 1024 * 1024) + b"</body></html>")
    port = dual_reserved_port()
    with LoopbackServer({"/": big}, host="::1", port=port):
        result = fetch_via(f"http://{HOST}:{port}/", "::1", 2.0, 100_000, "zhaocuo-test")
    assert result.status == 200 and result.size == 100_000


def test_one_failed_ipv6_try_is_retried_before_anything_is_said(tmp_path: Path) -> None:
    calls: list[int] = []

    def flaky(handler) -> None:  # noqa: ANN001 - BaseHTTPRequestHandler
        calls.append(1)
        route = gbk_page("1") if len(calls) > 1 else Route(503, "<html><title>忙</title></html>")
        body = route.body if isinstance(route.body, bytes) else route.body.encode()
        handler.send_response(route.status)
        handler.send_header("Content-Type", route.content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    result = probe(tmp_path, {"/": gbk_page("1")}, {"/": flaky})
    assert result["v6_first"]["status"] == 503 and result["v6"]["status"] == 200
    assert _probe_verdict(result) == ("ok", "")
    persistent = probe(tmp_path, {"/": gbk_page("1")}, {"/": Route(503, "<html><title>忙</title></html>")})
    assert persistent["v6_first"]["status"] == 503
    assert _probe_verdict(persistent)[0] == "v6_differs"


def test_a_redirect_to_the_servers_own_address_is_the_same_redirect(tmp_path: Path) -> None:
    def to_own_address(handler) -> None:  # noqa: ANN001 - BaseHTTPRequestHandler
        host, port = handler.server.server_address[:2]
        where = f"[{host}]" if ":" in host else host
        handler.send_response(302)
        handler.send_header("Location", f"http://{where}:{port}/index.html")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    result = probe(tmp_path, {"/": to_own_address}, {"/": to_own_address})
    assert result["v6"]["location"] != result["v4"]["location"]
    assert _probe_verdict(result) == ("ok", "")


def test_a_title_with_a_changing_date_is_the_same_title(tmp_path: Path) -> None:
    def titled(stamp: str) -> Route:
        return Route(body=f"<html><head><title>测试区人民政府 {stamp}</title></head><body>{ARTICLE}</body></html>")

    same = probe(tmp_path, {"/": titled("2026-11-27 10:00:01")}, {"/": titled("2026-11-27 10:00:02")})
    assert _probe_verdict(same) == ("ok", "")
    other = probe(tmp_path, {"/": titled("2026")}, {"/": titled("测试页 2026")})
    assert _probe_verdict(other)[0] == "v6_differs"
