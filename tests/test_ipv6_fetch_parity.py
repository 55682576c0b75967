"""Comparing what IPv6 and IPv4 serve: a changed counter or date is the same page, another
status is not; bodies are read up to the cap; GBK pages are decoded on both families."""

from __future__ import annotations

from pathlib import Path

import pytest

from audits.ipv6 import _probe_verdict
from crawler.ipv6_dns import OK, HostDns, Lookup
from crawler.ipv6_fetch import fetch_via
from crawler.ipv6probe import probe_url
from tests.support.ipv6_world import dual_free_port, stored_crawl
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
    port = dual_free_port()
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
    port = dual_free_port()
    with LoopbackServer({"/": big}, host="::1", port=port):
        result = fetch_via(f"http://{HOST}:{port}/", "::1", 2.0, 100_000, "zhaocuo-test")
    assert result.status == 200 and result.size == 100_000
