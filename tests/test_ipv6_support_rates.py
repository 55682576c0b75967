"""The IPv6 audit over a real little internet on loopback: dnsmasq answers A/AAAA/NS/CNAME,
HTTP servers listen on 127.0.0.1 only, ::1 only, both, with other content over v6, or hang
over v6. The audit must name exactly the failing hosts and compute the 二级/三级 rates."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from audits import ipv6 as ipv6_audit
from crawler import ipv6probe
from tests.support.dns import Dnsmasq, cname, local_domain, ns_record
from tests.support.ipv6_world import SilentListener, dual_reserved_port, stored_crawl
from tests.support.servers import LoopbackServer, Route
from zhaocuo.core.context import AuditContext
from zhaocuo.core.store import Crawl

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]  # starts processes or takes long: not in the fast tier (make test-fast)

OWN = "www.test.gov.cn"


def page(title: str, body: str) -> Route:
    return Route(body=f"<html><head><title>{title}</title></head><body><p>{body}</p></body></html>")


OWN_ROUTES = {
    "/": page("测试区人民政府", "欢迎访问测试区人民政府门户网站。" * 20),
    "/a.html": page("政务公开", "政务公开栏目内容，包括政策文件与解读。" * 20),
    "/b.html": page("政务服务", "政务服务栏目内容，办事指南与在线办理。" * 20),
    "/c.html": page("互动交流", "互动交流栏目内容。" * 20),
    "/d.html": page("数据发布", "数据发布栏目内容。" * 20),
}
GOOD = {"*": page("合作单位", "合作单位页面，IPv4 与 IPv6 内容相同。" * 20)}


def random_page(handler: BaseHTTPRequestHandler) -> None:
    """A page that is different on every request (a token list): over v4 as over v6."""
    body = ("<html><head><title>动态页面</title></head><body>"
            + " ".join(f"{random.getrandbits(64):016x}" for _ in range(200)) + "</body></html>").encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Start every server and the name server once; probe once; audit once."""
    tmp = tmp_path_factory.mktemp("ipv6")
    p = {name: dual_reserved_port() for name in ("own", "dual", "v4only", "v6only", "broken6", "diff",
                                             "dynamic", "slow6", "down")}
    with ExitStack() as stack:
        def serve(routes: dict, host: str, port: int) -> LoopbackServer:
            return stack.enter_context(LoopbackServer(routes, host=host, port=port))

        serve(OWN_ROUTES, "127.0.0.1", p["own"])
        serve(OWN_ROUTES, "::1", p["own"])
        serve(GOOD, "127.0.0.1", p["dual"])
        serve(GOOD, "::1", p["dual"])
        v4only = serve(GOOD, "127.0.0.1", p["v4only"])
        serve(GOOD, "::1", p["v6only"])
        serve(GOOD, "127.0.0.1", p["broken6"])            # AAAA published, nothing on ::1
        serve({"*": page("通知公告", "这是正常的通知公告内容，发布于二〇二六年。" * 20)}, "127.0.0.1", p["diff"])
        serve({"*": page("通知公告", "Welcome to the default nginx page of a forgotten v6 front end." * 10)},
              "::1", p["diff"])
        serve({"*": random_page}, "127.0.0.1", p["dynamic"])
        serve({"*": random_page}, "::1", p["dynamic"])
        serve(GOOD, "127.0.0.1", p["slow6"])
        stack.enter_context(SilentListener("::1", p["slow6"]))  # handshake, then silence
        both = ["127.0.0.1", "::1"]
        dns = stack.enter_context(Dnsmasq(
            hosts={OWN: both, "dual.other.cn": both, "v4only.other.cn": ["127.0.0.1"],
                   "v6only.other.cn": ["::1"], "broken6.other.cn": both, "diff.other.cn": both,
                   "dynamic.other.cn": both, "slow6.other.cn": both, "down.other.cn": both,
                   "ns1.test.gov.cn": both, "ns2.test.gov.cn": ["127.0.0.1"]},
            extra=[local_domain("test.gov.cn"), local_domain("other.cn"),
                   cname("alias.other.cn", "mid.other.cn"), cname("mid.other.cn", "dual.other.cn"),
                   ns_record("test.gov.cn", "ns1.test.gov.cn"), ns_record("test.gov.cn", "ns2.test.gov.cn")],
        ))

        def u(host: str, port: int, path: str = "/") -> str:
            return f"http://{host}:{port}{path}"

        home = u(OWN, p["own"])
        own = {path: u(OWN, p["own"], path) for path in ("/a.html", "/b.html", "/c.html", "/d.html")}
        pages = {
            # 二级: own a, b (ok); dual (ok); v4only (no AAAA); broken6 (refused); diff (other
            # content); gone (no DNS records: dead, left out); alias → mid → dual (ok).
            home: [(own["/a.html"], "a"), (own["/b.html"], "a"), (u("dual.other.cn", p["dual"]), "a"),
                   (u("v4only.other.cn", p["v4only"]), "a"), (u("broken6.other.cn", p["broken6"]), "a"),
                   (u("diff.other.cn", p["diff"], "/tzgg.html"), "a"), ("http://gone.other.cn/", "a"),
                   (u("alias.other.cn", p["dual"], "/x.html"), "a"), ("mailto:office@test.gov.cn", "a"),
                   (u("imgonly.other.cn", 80, "/logo.png"), "img")],
            # 三级: v6only (ok), slow6 (v6 timeout), dynamic (changes every time: ok), down (dead),
            # an IPv4 literal (no IPv6), another dual URL (ok), another v4only URL (no AAAA),
            # own c, d (ok). /a.html again and the homepage are not counted twice.
            own["/a.html"]: [(u("v6only.other.cn", p["v6only"]), "a"), (u("slow6.other.cn", p["slow6"]), "a"),
                             (u("dynamic.other.cn", p["dynamic"]), "a"), (u("down.other.cn", p["down"]), "a"),
                             (u("127.0.0.1", p["v4only"], "/literal"), "a"), (home, "a"),
                             (u("dual.other.cn", p["dual"], "/other.html"), "a")],
            own["/b.html"]: [(own["/a.html"], "a"), (own["/c.html"], "a"), (own["/d.html"], "a"),
                             (u("v4only.other.cn", p["v4only"], "/other"), "a")],
        }
        profile_data = {
            "site": {"name": "测试区人民政府", "start_urls": [home], "allowed_hosts": [OWN]},
            "dns": {"nameservers": [dns.nameserver], "timeout_s": 2.0},
            "ipv6": {"timeout_s": 1.0},
            "units": [{"name": "区政务公开办", "paths": ["/a.html"]}, {"name": "区行政审批局", "paths": ["/b.html"]},
                      {"name": "区政府办公室", "paths": ["/"]}],
        }
        profile, store, run_id = stored_crawl(tmp, profile_data, pages)
        stats = ipv6probe.gather(profile, store, run_id, progress=False)
        store.finish_run(run_id, "complete", stats)
        crawl = Crawl(store, store.run(run_id))
        findings = list(ipv6_audit.audit(AuditContext(crawl, profile, date(2026, 11, 27))))
        summary = ipv6_audit.summary(AuditContext(crawl, profile, date(2026, 11, 27)), findings)
        yield {"findings": findings, "summary": summary, "crawl": crawl, "stats": stats, "ports": p,
               "home": home, "own": own, "v4only_hits": v4only.hits}
        store.close()


def test_exactly_the_failing_hosts_are_reported(world: dict[str, Any]) -> None:
    by_host = {f.extra["host"]: f for f in world["findings"]}
    assert sorted(by_host) == ["127.0.0.1", "broken6.other.cn", "diff.other.cn", "slow6.other.cn",
                               "v4only.other.cn"]
    assert by_host["v4only.other.cn"].extra["verdict"] == "no_aaaa"
    assert by_host["broken6.other.cn"].extra["verdict"] == "v6_refused"
    assert by_host["slow6.other.cn"].extra["verdict"] == "v6_timeout"
    assert by_host["diff.other.cn"].extra["verdict"] == "v6_differs"
    assert by_host["127.0.0.1"].extra["verdict"] == "no_aaaa"
    assert all(f.severity == "medium" and f.audit == "ipv6" for f in world["findings"])


def test_look_alikes_are_left_alone(world: dict[str, Any]) -> None:
    """v6-only, dual-stack, a CNAME chain to a dual host, a page that changes on every request,
    a dead host and a name without records are no IPv6 findings."""
    hosts = {f.extra["host"] for f in world["findings"]}
    for ok in (OWN, "dual.other.cn", "v6only.other.cn", "alias.other.cn", "dynamic.other.cn",
               "down.other.cn", "gone.other.cn", "imgonly.other.cn"):
        assert ok not in hosts
    records = world["crawl"].records("ipv6_host")
    assert ipv6_audit.host_verdict(records["down.other.cn"])[0] == "down"
    assert ipv6_audit.host_verdict(records["gone.other.cn"])[0] == "dns_failed"
    assert "域名不存在" in ipv6_audit.host_verdict(records["gone.other.cn"])[1]
    assert "imgonly.other.cn" not in records  # an image is a resource, not a link


def test_findings_list_linking_pages_and_their_units(world: dict[str, Any]) -> None:
    by_host = {f.extra["host"]: f for f in world["findings"]}
    v4only = by_host["v4only.other.cn"]
    # Linked from the homepage (二级) and from /b.html (三级): the homepage is where it stands.
    assert v4only.url == world["home"]
    assert v4only.extra["pages"] == sorted([world["home"], world["own"]["/b.html"]])
    assert v4only.extra["units"] == ["区政府办公室", "区行政审批局"]
    assert v4only.extra["levels"] == {"二级": 1, "三级": 1}
    assert "v4only.other.cn" in v4only.message and "IPv6" in v4only.message
    slow = by_host["slow6.other.cn"]
    assert slow.url == world["own"]["/a.html"] and slow.unit == "区政务公开办"
    assert slow.extra["units"] == ["区政务公开办"]


def test_support_rates_and_hosts_pulling_them_down(world: dict[str, Any]) -> None:
    s = world["summary"]
    assert s["homepage_ipv6"] == "是"
    # 二级: own a, b + dual + alias supported (4); v4only, broken6, diff not (3); gone left out.
    assert s["levels"]["二级"]["supported"] == 4 and s["levels"]["二级"]["unsupported"] == 3
    assert s["levels"]["二级"]["undetermined"] == 1
    assert s["二级链接IPv6支持率"] == pytest.approx(57.1)
    # 三级: v6only, dynamic, dual/other, own c, d supported (5); slow6, literal, v4only/other not (3);
    # down left out.
    assert s["levels"]["三级"]["supported"] == 5 and s["levels"]["三级"]["unsupported"] == 3
    assert s["三级链接IPv6支持率"] == pytest.approx(62.5)
    assert {p["host"] for p in s["levels"]["二级"]["pulling_down"]} == {
        "v4only.other.cn", "broken6.other.cn", "diff.other.cn"}
    assert {p["host"] for p in s["levels"]["三级"]["pulling_down"]} == {
        "slow6.other.cn", "127.0.0.1", "v4only.other.cn"}


def test_own_host_dns_facts_name_servers_and_latency(world: dict[str, Any]) -> None:
    s = world["summary"]
    assert s["dns"]["aaaa"] == ["::1"]
    assert s["dns"]["ns_zone"] == "test.gov.cn"
    assert s["dns"]["ns_servers"] == [{"name": "ns1.test.gov.cn", "ipv6": True},
                                      {"name": "ns2.test.gov.cn", "ipv6": False}]
    assert s["dns"]["ns_ipv6"] is True
    assert s["latency_ms"]["ipv4"] > 0 and s["latency_ms"]["ipv6"] > 0
    assert s["homepage_similarity"] == 1.0
    # Answered on both families: own (homepage, a, b), dual (2 URLs), alias, diff, dynamic.
    assert s["latency_ms_median_all"]["urls"] == 8


def test_cname_chain_is_followed_and_recorded(world: dict[str, Any]) -> None:
    rec = world["crawl"].records("ipv6_host")["alias.other.cn"]
    assert rec["dns"]["cnames"] == ["alias.other.cn → mid.other.cn", "mid.other.cn → dual.other.cn"]
    assert rec["dns"]["aaaa"]["values"] == ["::1"]
    assert ipv6_audit.host_verdict(rec)[0] == "ok"


def test_probe_connects_to_the_named_address_with_the_right_host_and_port(world: dict[str, Any]) -> None:
    rec = world["crawl"].records("ipv6_host")["diff.other.cn"]
    probe = rec["probes"][0]
    assert probe["v6"]["address"] == "::1" and probe["v4"]["address"] == "127.0.0.1"
    assert probe["v6"]["title"] == probe["v4"]["title"] == "通知公告"
    assert probe["similarity"] < ipv6_audit.PARITY <= probe["v4_self_similarity"]
    # The v4-only server saw requests for the linked paths (Host-based routing works the same).
    assert ("GET", "/") in world["v4only_hits"] and ("GET", "/other") in world["v4only_hits"]


def test_summary_lines_word_the_scores_for_the_report(world: dict[str, Any]) -> None:
    lines = world["summary"]["lines"]
    assert lines[0] == "首页 IPv6 访问：是"
    assert "二级链接 IPv6 支持率：57.1%（共 8 个链接，可判定 7 个，支持 4 个）" in lines
    assert "三级链接 IPv6 支持率：62.5%（共 9 个链接，可判定 8 个，支持 5 个）" in lines
    pulling = next(line for line in lines if line.startswith("拉低二级"))
    assert all(h in pulling for h in ("v4only.other.cn", "broken6.other.cn", "diff.other.cn"))
    assert any(line.startswith("首页响应时间：IPv4 ") for line in lines)
