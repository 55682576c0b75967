"""`zhaocuo run` end to end: the real crawl (names through dnsmasq), then the IPv6 probe in the
same run, then the audit: findings.jsonl carries the IPv6 findings, summary.json the rates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.dns import Dnsmasq, local_domain
from tests.support.ipv6_world import dual_reserved_port
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route

pytestmark = [pytest.mark.timeout(240), pytest.mark.slow]  # dnsmasq and servers: not in the fast tier


def html(title: str, body: str) -> Route:
    return Route(body=f"<html><head><title>{title}</title></head><body>{body}</body></html>")


def test_run_reports_ipv6_findings_and_rates(tmp_path: Path) -> None:
    own, ext = dual_reserved_port(), dual_reserved_port()
    site = f"http://www.test.gov.cn:{own}"
    routes = {
        "/": html("测试区人民政府", f'<a href="/a.html">政务公开</a> <a href="{site}/b.html">政务服务</a>'
                                  f' <a href="http://v4only.other.cn:{ext}/">合作单位</a>'
                                  f' <a href="http://dual.other.cn:{ext}/">省政府</a>'),
        "/a.html": html("政务公开", f'<a href="http://v4only.other.cn:{ext}/zl.html">资料</a>'
                                    f' <a href="{site}/c.html">年报</a>'),
        "/b.html": html("政务服务", "办事指南"),
        "/c.html": html("年报", "2025 年政府信息公开工作年度报告"),
    }
    other = {"*": html("合作单位", "内容")}
    with LoopbackServer(routes, host="127.0.0.1", port=own), LoopbackServer(routes, host="::1", port=own), \
         LoopbackServer(other, host="127.0.0.1", port=ext), LoopbackServer(other, host="::1", port=ext), \
         Dnsmasq(hosts={"www.test.gov.cn": ["127.0.0.1", "::1"], "dual.other.cn": ["127.0.0.1", "::1"],
                        "v4only.other.cn": ["127.0.0.1"]},
                 extra=[local_domain("test.gov.cn"), local_domain("other.cn")]) as dns:
        profile = write_profile(tmp_path, {
            "site": {"name": "测试区人民政府", "start_urls": [f"{site}/"], "allowed_hosts": ["www.test.gov.cn"]},
            "crawl": {"max_pages": 20, "timeout_s": 5.0, "retries": 0},
            "dns": {"nameservers": [dns.nameserver], "timeout_s": 2.0},
            "ipv6": {"timeout_s": 2.0},
            "units": [{"name": "区政务公开办", "paths": ["/a.html"]}],
            # The text audits load language models: not what this test is about, and slow.
            "audits": {"disabled": ["typo", "serious_error", "outdated_expression"]},
        })
        out = tmp_path / "out"
        proc = run_cli("run", "--config", str(profile), "--out", str(out), "--no-mail", "--as-of", "2026-11-27")
    assert proc.returncode == 0, proc.stderr
    findings = [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    ipv6 = [f for f in findings if f["audit"] == "ipv6"]
    assert [f["extra"]["host"] for f in ipv6] == ["v4only.other.cn"]
    assert ipv6[0]["severity"] == "medium" and ipv6[0]["url"] == f"{site}/"
    assert ipv6[0]["extra"]["units"] == ["区政务公开办"]  # /a.html links to it too
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    s = summary["ipv6"]
    assert s["homepage_ipv6"] == "是"
    # 二级: a, b, dual supported; v4only not → 75%. 三级: c supported, v4only/zl not → 50%.
    assert s["二级链接IPv6支持率"] == 75.0
    assert s["三级链接IPv6支持率"] == 50.0
    assert summary["findings"]["ipv6"] == 1
