"""The site's own host failing over IPv6 is a single-veto finding on the homepage; the same
redirect over both families is not a difference."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from audits import ipv6 as ipv6_audit
from crawler import ipv6probe
from tests.support.dns import Dnsmasq, local_domain
from tests.support.ipv6_world import dual_reserved_port, stored_crawl
from tests.support.servers import LoopbackServer, Route
from zhaocuo.core.context import AuditContext
from zhaocuo.core.store import Crawl

pytestmark = [pytest.mark.timeout(60), pytest.mark.slow]  # dnsmasq and servers: not in the fast tier

AS_OF = date(2026, 11, 27)
OWN = "www.test.gov.cn"


def site(title: str) -> dict[str, Route]:
    body = f"<html><head><title>{title}</title></head><body>{'欢迎访问门户网站。' * 30}</body></html>"
    return {"*": Route(body=body)}


def probe(tmp: Path, v4_routes: dict | None, v6_routes: dict | None, addresses: list[str]
          ) -> tuple[list[Any], dict[str, Any], str]:
    port = dual_reserved_port()
    servers = []
    if v4_routes is not None:
        servers.append(LoopbackServer(v4_routes, host="127.0.0.1", port=port))
    if v6_routes is not None:
        servers.append(LoopbackServer(v6_routes, host="::1", port=port))
    for s in servers:
        s.__enter__()
    try:
        with Dnsmasq(hosts={OWN: addresses}, extra=[local_domain("test.gov.cn")]) as dns:
            home = f"http://{OWN}:{port}/"
            profile, store, run_id = stored_crawl(tmp, {
                "site": {"start_urls": [home]},
                "dns": {"nameservers": [dns.nameserver], "timeout_s": 2.0},
                "ipv6": {"timeout_s": 1.0},
                "units": [{"name": "区政府办公室", "paths": ["/"]}],
            }, {home: [(f"http://{OWN}:{port}/a.html", "a"), (f"http://{OWN}:{port}/b.html", "a")]})
            ipv6probe.gather(profile, store, run_id, progress=False)
            crawl = Crawl(store, store.run(run_id))
            findings = list(ipv6_audit.audit(AuditContext(crawl, profile, AS_OF)))
            summary = ipv6_audit.summary(AuditContext(crawl, profile, AS_OF), findings)
            store.close()
            return findings, summary, home
    finally:
        for s in servers:
            s.__exit__()


def test_own_host_without_aaaa_is_a_veto_on_the_homepage(tmp_path: Path) -> None:
    findings, summary, home = probe(tmp_path, site("测试区人民政府"), None, ["127.0.0.1"])
    assert len(findings) == 1
    f = findings[0]
    assert f.severity == "veto" and f.extra["host"] == OWN and f.extra["verdict"] == "no_aaaa"
    assert f.url == home
    assert f.unit == "区政府办公室" and "单项否决" in f.message
    assert summary["homepage_ipv6"] == "否"
    assert summary["二级链接IPv6支持率"] == 0.0
    assert [p["host"] for p in summary["levels"]["二级"]["pulling_down"]] == [OWN]


def test_own_host_serving_another_site_over_ipv6_is_a_veto(tmp_path: Path) -> None:
    findings, summary, _ = probe(tmp_path, site("测试区人民政府"), site("Welcome to nginx!"), ["127.0.0.1", "::1"])
    assert [(f.severity, f.extra["verdict"]) for f in findings] == [("veto", "v6_differs")]
    assert "Welcome to nginx!" in findings[0].extra["reason"]
    assert summary["homepage_ipv6"] == "否"


def test_same_redirect_over_both_families_is_ipv6_ready(tmp_path: Path) -> None:
    redirect = {"/": Route(302, "", headers={"Location": "/index.html"}), **site("测试区人民政府")}
    findings, summary, _ = probe(tmp_path, redirect, dict(redirect), ["127.0.0.1", "::1"])
    assert findings == []
    assert summary["homepage_ipv6"] == "是"
    assert summary["二级链接IPv6支持率"] == 100.0


def test_redirect_elsewhere_over_ipv6_only_is_a_difference(tmp_path: Path) -> None:
    v6 = {"/": Route(302, "", headers={"Location": "http://parked.example.invalid/"}), **site("测试区人民政府")}
    findings, _, _ = probe(tmp_path, site("测试区人民政府"), v6, ["127.0.0.1", "::1"])
    assert [f.extra["verdict"] for f in findings] == ["v6_differs"]
    assert "302" in findings[0].extra["reason"]
