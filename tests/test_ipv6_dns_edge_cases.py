"""DNS corner cases give a clear, stored result, never a crash: an unreachable name server, a
name without any record, a name with no address, a CNAME chain ending at an IPv4-only host."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from audits import ipv6 as ipv6_audit
from crawler import ipv6probe
from crawler.ipv6_dns import host_dns, make_resolver, parse_nameserver, read_hosts_file
from tests.support.dns import Dnsmasq, cname, local_domain, ns_record
from tests.support.ipv6_world import dual_reserved_port, stored_crawl
from tests.support.servers import LoopbackServer, Route, dead_udp_port
from zhaocuo.core.context import AuditContext
from zhaocuo.core.store import Crawl

pytestmark = [pytest.mark.timeout(60), pytest.mark.slow]  # dnsmasq and servers: not in the fast tier

AS_OF = date(2026, 11, 27)
PAGE = Route(body="<html><head><title>首页</title></head><body>测试区人民政府</body></html>")


def test_nameserver_forms_are_parsed() -> None:
    assert parse_nameserver("127.0.0.1:5353") == ("127.0.0.1", 5353)
    assert parse_nameserver("[::1]:5353") == ("::1", 5353)
    assert parse_nameserver("::1") == ("::1", 53)
    assert parse_nameserver("10.0.0.1") == ("10.0.0.1", 53)


def test_unreachable_nameserver_is_a_clear_result_not_a_failure_of_every_host(tmp_path: Path) -> None:
    dead_ns = f"127.0.0.1:{dead_udp_port()}"  # bound, never answers
    home = "http://www.test.gov.cn:8080/"
    profile, store, run_id = stored_crawl(tmp_path, {
        "site": {"start_urls": [home]},
        "dns": {"nameservers": [dead_ns], "timeout_s": 1.0},
    }, {home: [("http://www.other.cn/", "a")]})
    stats = ipv6probe.gather(profile, store, run_id, progress=False)
    crawl = Crawl(store, store.run(run_id))
    own = crawl.records("ipv6_host")["www.test.gov.cn"]
    assert own["dns"]["status"] in ("timeout", "error")
    assert "域名服务器" in own["dns"]["error"]
    assert own["probes"] == []  # nothing to connect to
    assert list(ipv6_audit.audit(AuditContext(crawl, profile, AS_OF))) == []
    summary = ipv6_audit.summary(AuditContext(crawl, profile, AS_OF), [])
    assert summary["homepage_ipv6"] == "无法检测"
    assert "域名服务器" in summary["homepage_reason"]
    assert summary["二级链接IPv6支持率"] is None
    assert summary["levels"]["二级"]["undetermined"] == 1
    assert stats["ipv6_hosts"] == 2
    store.close()


def test_missing_records_and_cname_chains_are_named() -> None:
    with Dnsmasq(hosts={"v4.test.gov.cn": ["127.0.0.1"], "ns1.test.gov.cn": ["127.0.0.1"]},
                 extra=[local_domain("test.gov.cn"), cname("alias.test.gov.cn", "mid.test.gov.cn"),
                        cname("mid.test.gov.cn", "v4.test.gov.cn"), ns_record("test.gov.cn", "ns1.test.gov.cn")]
                 ) as dns:
        resolver, why = make_resolver([dns.nameserver], 2.0)
        assert resolver is not None and why == ""
        gone = host_dns(resolver, "gone.test.gov.cn")
        assert gone.status == "nxdomain" and "NXDOMAIN" in gone.error
        # The zone apex exists (it has NS records) but has no address at all.
        apex = host_dns(resolver, "test.gov.cn")
        assert apex.status == "nodata" and apex.a.values == [] and apex.aaaa.values == []
        chained = host_dns(resolver, "alias.test.gov.cn")
        assert chained.status == "ok"
        assert chained.a.values == ["127.0.0.1"]
        assert chained.aaaa.status == "nodata"
        # The chain is kept even when the final name has no AAAA.
        assert chained.aaaa.cnames == ["alias.test.gov.cn → mid.test.gov.cn", "mid.test.gov.cn → v4.test.gov.cn"]
        assert chained.to_dict()["cnames"] == chained.aaaa.cnames


def test_cname_chain_to_an_ipv4_only_host_is_reported_with_its_chain(tmp_path: Path) -> None:
    port = dual_reserved_port()
    with LoopbackServer({"*": PAGE}, host="127.0.0.1", port=port), \
         LoopbackServer({"*": PAGE}, host="::1", port=port), \
         Dnsmasq(hosts={"www.test.gov.cn": ["127.0.0.1", "::1"], "cdn.other.cn": ["127.0.0.1"]},
                 extra=[local_domain("test.gov.cn"), local_domain("other.cn"),
                        cname("static.other.cn", "cdn.other.cn")]) as dns:
        home = f"http://www.test.gov.cn:{port}/"
        profile, store, run_id = stored_crawl(tmp_path, {
            "site": {"start_urls": [home]},
            "dns": {"nameservers": [dns.nameserver], "timeout_s": 2.0},
            "ipv6": {"timeout_s": 1.0},
        }, {home: [(f"http://static.other.cn:{port}/files/a.pdf", "a")]})
        ipv6probe.gather(profile, store, run_id, progress=False)
        crawl = Crawl(store, store.run(run_id))
        findings = list(ipv6_audit.audit(AuditContext(crawl, profile, AS_OF)))
    assert [f.extra["host"] for f in findings] == ["static.other.cn"]
    assert findings[0].extra["verdict"] == "no_aaaa"
    assert findings[0].extra["cnames"] == ["static.other.cn → cdn.other.cn"]
    # The own host was not reached by its NS (none published): a clear "no NS" fact, no crash.
    own = crawl.records("ipv6_host")["www.test.gov.cn"]
    assert own["ns"]["servers"] == [] and own["ns"]["error"]
    store.close()


def test_ipv4_mapped_aaaa_is_not_ipv6(tmp_path: Path) -> None:
    """An AAAA of ::ffff:127.0.0.1 is reached over IPv4: the host has no real IPv6 address."""
    with LoopbackServer({"*": PAGE}) as srv, \
         Dnsmasq(hosts={"www.test.gov.cn": ["127.0.0.1"], "mapped.other.cn": ["127.0.0.1", "::ffff:127.0.0.1"]},
                 extra=[local_domain("test.gov.cn"), local_domain("other.cn")]) as dns:
        home = f"http://www.test.gov.cn:{srv.port}/"
        profile, store, run_id = stored_crawl(tmp_path, {
            "site": {"start_urls": [home]},
            "dns": {"nameservers": [dns.nameserver], "timeout_s": 2.0},
            "ipv6": {"timeout_s": 1.0},
        }, {home: [(f"http://mapped.other.cn:{srv.port}/", "a")]})
        ipv6probe.gather(profile, store, run_id, progress=False)
        crawl = Crawl(store, store.run(run_id))
        rec = crawl.records("ipv6_host")["mapped.other.cn"]
        assert rec["dns"]["aaaa"]["values"] == ["::ffff:127.0.0.1"] and rec["v6_routable"] == []
        verdict, reason = ipv6_audit.host_verdict(rec)
        assert verdict == "no_aaaa" and "映射" in reason
        store.close()


def test_hosts_file_is_read_like_the_system_resolver(tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_text("# comment\n127.0.0.1 localhost\n10.1.2.3 oa.test.gov.cn OA.Test.gov.cn.\n"
                     "fd00::5 oa.test.gov.cn\nfe80::1%eth0 link.test.gov.cn\nnot-an-ip bad.test.gov.cn\n",
                     encoding="utf-8")
    table = read_hosts_file(hosts)
    assert table["oa.test.gov.cn"] == (["10.1.2.3", "10.1.2.3"], ["fd00::5"])
    assert table["link.test.gov.cn"] == ([], ["fe80::1"])
    assert "bad.test.gov.cn" not in table
    info = host_dns(None, "OA.test.gov.cn", "no resolver", table)
    assert info.status == "ok" and info.a.values == ["10.1.2.3"] and info.aaaa.source == "hosts"
    assert read_hosts_file(tmp_path / "missing") == {}
