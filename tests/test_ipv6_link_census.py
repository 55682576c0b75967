"""Which links are 二级 and 三级, and the probe's bounds (hosts probed, time budget)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from audits import ipv6 as ipv6_audit
from audits.ipv6 import _linking_pages
from crawler import ipv6probe
from crawler.ipv6probe import LEVEL2, LEVEL3, link_census
from tests.support.dns import Dnsmasq, local_domain
from tests.support.ipv6_world import stored_crawl
from zhaocuo.core.context import AuditContext
from zhaocuo.core.store import Crawl, Page

pytestmark = pytest.mark.timeout(60)

AS_OF = date(2026, 11, 27)
SITE = "http://www.test.gov.cn:8080"


def test_levels_by_click_distance_with_urls_told_apart_canonically(tmp_path: Path) -> None:
    # The profile writes the start URL without a slash; the crawler stores it canonically.
    profile, store, run_id = stored_crawl(tmp_path, {"site": {"start_urls": [SITE]}}, {
        f"{SITE}/": [(f"{SITE}/a.html", "a"), (f"{SITE}/a.html?utm_source=wx", "a"),
                     ("http://WWW.TEST.GOV.CN:8080/b.html", "a"), ("http://ext.other.cn/", "a"),
                     ("http://cdn.other.cn/x.js", "script"), ("javascript:void(0)", "a"), (f"{SITE}/", "a")],
        f"{SITE}/a.html": [(f"{SITE}/", "a"), (f"{SITE}/b.html", "a"), (f"{SITE}/c.html", "a"),
                           ("http://ext.other.cn/", "a"), ("http://deep.other.cn/", "iframe")],
        f"{SITE}/c.html": [("http://four.other.cn/", "a")],  # 四级: not counted
    })
    census = link_census(Crawl(store, store.run(run_id)), profile)
    assert census.homepage == f"{SITE}/" and census.homepage_stored
    assert {h: len(u) for h, u in census.levels[LEVEL2].items()} == {"www.test.gov.cn": 2, "ext.other.cn": 1}
    assert {h: len(u) for h, u in census.levels[LEVEL3].items()} == {"www.test.gov.cn": 1, "deep.other.cn": 1}
    assert census.hosts()[0] == "www.test.gov.cn"
    store.close()


def test_homepage_redirecting_to_another_host_makes_both_hosts_own(tmp_path: Path) -> None:
    profile, store, run_id = stored_crawl(tmp_path, {"site": {"start_urls": ["http://test.gov.cn/"]}}, {})
    store.add_page(run_id, Page(url="http://test.gov.cn/", final_url="https://www.test.gov.cn/", status=200))
    store.add_links(run_id, [])
    store.commit()
    census = link_census(Crawl(store, store.run(run_id)), profile)
    assert census.own_hosts == ["test.gov.cn", "www.test.gov.cn"]
    store.close()


@pytest.mark.slow
def test_hosts_over_the_cap_and_the_time_budget_are_left_undetermined(tmp_path: Path) -> None:
    with Dnsmasq(hosts={"www.test.gov.cn": ["127.0.0.1", "::1"], "a.other.cn": ["127.0.0.1", "::1"],
                        "b.other.cn": ["127.0.0.1"], "c.other.cn": ["127.0.0.1", "::1"]},
                 extra=[local_domain("test.gov.cn"), local_domain("other.cn")]) as dns:
        home = f"{SITE}/"
        profile, store, run_id = stored_crawl(tmp_path, {
            "site": {"start_urls": [home]},
            "dns": {"nameservers": [dns.nameserver], "timeout_s": 2.0},
            # three hosts probed (own first, then by link count); no time at all for connections
            "ipv6": {"max_hosts": 3, "max_total_s": 0.0, "timeout_s": 1.0},
        }, {home: [("http://a.other.cn/1", "a"), ("http://a.other.cn/2", "a"), ("http://b.other.cn/1", "a"),
                   ("http://c.other.cn/", "a")]})
        stats = ipv6probe.gather(profile, store, run_id, progress=False)
    crawl = Crawl(store, store.run(run_id))
    records = crawl.records("ipv6_host")
    assert sorted(records) == ["a.other.cn", "b.other.cn", "www.test.gov.cn"] and stats["ipv6_hosts"] == 3
    site = crawl.records("ipv6_site")["census"]
    assert site["hosts_over_cap"] == ["c.other.cn"]
    assert records["a.other.cn"]["skipped"] == "time_budget" and records["a.other.cn"]["probes"] == []
    assert ipv6_audit.host_verdict(records["a.other.cn"])[0] == "skipped"
    # A missing AAAA is a DNS fact: known without any connection.
    findings = list(ipv6_audit.audit(AuditContext(crawl, profile, AS_OF)))
    assert [f.extra["host"] for f in findings] == ["b.other.cn"]
    summary = ipv6_audit.summary(AuditContext(crawl, profile, AS_OF), findings)
    level = summary["levels"]["二级"]
    assert (level["supported"], level["unsupported"], level["undetermined"]) == (0, 1, 3)
    assert level["determined_share"] == 25.0
    assert summary["hosts_over_cap"] == 1
    store.close()


@pytest.mark.slow
def test_odd_links_from_untrusted_pages_give_results_not_crashes(tmp_path: Path) -> None:
    with Dnsmasq(hosts={"www.test.gov.cn": ["127.0.0.1", "::1"], "odd.other.cn": ["127.0.0.1", "::1"]},
                 extra=[local_domain("test.gov.cn"), local_domain("other.cn")]) as dns:
        home = f"{SITE}/"
        profile, store, run_id = stored_crawl(tmp_path, {
            "site": {"start_urls": [home]},
            "dns": {"nameservers": [dns.nameserver], "timeout_s": 2.0},
            "ipv6": {"timeout_s": 1.0},
        }, {home: [("http://odd.other.cn:99999/", "a"), ("http://政府.other.cn/", "a"),
                   ("http://" + "a" * 70 + ".other.cn/", "a"), ("http://a..b.other.cn/", "a")]})
        ipv6probe.gather(profile, store, run_id, progress=False)
    crawl = Crawl(store, store.run(run_id))
    records = crawl.records("ipv6_host")
    verdicts = {h: ipv6_audit.host_verdict(r)[0] for h, r in records.items() if h != "www.test.gov.cn"}
    assert verdicts == {"odd.other.cn": "down", "政府.other.cn": "dns_failed",
                        "a" * 70 + ".other.cn": "dns_failed", "a..b.other.cn": "dns_failed"}
    assert "Port out of range" in records["odd.other.cn"]["probes"][0]["v6"]["error"]
    assert list(ipv6_audit.audit(AuditContext(crawl, profile, AS_OF))) == []
    store.close()


def test_linking_pages_whatever_the_case_of_the_host_not_look_alikes(tmp_path: Path) -> None:
    _, store, run_id = stored_crawl(tmp_path, {"site": {"start_urls": [f"{SITE}/"]}}, {
        f"{SITE}/a.html": [("http://v4.other.cn/x", "a"), ("https://v4.other.cn:8443/y", "a"),
                           ("http://v4.other.cn.evil.cn/", "a"), ("http://CAPS.OTHER.CN/", "a")],
        f"{SITE}/b.html": [("http://v4.other.cn/logo.png", "img"), ("http://caps.other.cn/z", "area")],
        f"{SITE}/c.html": [("http://Caps.Other.cn/", "a")],
    })
    store.finish_run(run_id, "complete")
    pages = _linking_pages(store.crawl(run_id), {"v4.other.cn", "caps.other.cn", "upper.other.cn"})
    assert pages["v4.other.cn"] == [f"{SITE}/a.html"]  # not the look-alike host, not the image
    assert sorted(pages["caps.other.cn"]) == [f"{SITE}/a.html", f"{SITE}/b.html", f"{SITE}/c.html"]
    assert pages["upper.other.cn"] == []
    store.close()
