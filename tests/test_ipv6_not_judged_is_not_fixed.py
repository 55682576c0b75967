"""A host that failed over IPv6 last night and cannot be probed tonight (its name server
does not answer) is not "fixed": the follow-up must not close a finding nobody re-checked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from audits import ipv6 as ipv6_audit
from crawler import ipv6probe
from tests.support.dns import Dnsmasq, local_domain
from tests.support.ipv6_world import dual_reserved_port, stored_crawl
from tests.support.servers import LoopbackServer, Route, dead_udp_port
from zhaocuo.app import lifecycle
from zhaocuo.core.context import AuditContext
from zhaocuo.core.store import Crawl, Link, Page

pytestmark = [pytest.mark.timeout(90), pytest.mark.slow]  # dnsmasq and servers: not in the fast tier

OWN = "www.test.gov.cn"


def night(store, profile, run_id: int, as_of: date) -> tuple[list, list]:
    ipv6probe.gather(profile, store, run_id, progress=False)
    store.finish_run(run_id, "complete")
    crawl = Crawl(store, store.run(run_id))
    return lifecycle.apply(store, profile, crawl, list(ipv6_audit.audit(AuditContext(crawl, profile, as_of))), as_of)


def test_untestable_host_keeps_its_finding_open(tmp_path: Path) -> None:
    port = dual_reserved_port()
    home = f"http://{OWN}:{port}/"
    body = "<html><head><title>门户</title></head><body>" + "欢迎访问。" * 40 + "</body></html>"
    with LoopbackServer({"*": Route(body=body)}, host="127.0.0.1", port=port), \
         Dnsmasq(hosts={OWN: ["127.0.0.1"]}, extra=[local_domain("test.gov.cn")]) as dns:
        profile, store, run1 = stored_crawl(tmp_path, {
            "site": {"start_urls": [home]},
            "dns": {"nameservers": [dns.nameserver], "timeout_s": 1.0},
            "ipv6": {"timeout_s": 1.0},
        }, {home: [(home + "a.html", "a")]})
        findings, fixed = night(store, profile, run1, date(2026, 11, 26))
        assert [(f.audit, f.key, f.severity, f.status) for f in findings] == [("ipv6", OWN, "veto", "new")]

    # Night two: the same page crawled again, but the profile's name server no longer answers.
    dead_ns = f"127.0.0.1:{dead_udp_port()}"
    profile.dns.nameservers = [dead_ns]
    run2, _ = store.begin_run("test", resume=False)
    store.add_page(run2, Page(url=home, status=200, title="门户", kind="html"))
    store.add_links(run2, [Link(source=home, target=home + "a.html", tag="a")])
    store.commit()
    findings, fixed = night(store, profile, run2, date(2026, 11, 27))
    crawl = Crawl(store, store.run(run2))
    assert ipv6_audit.undetermined(AuditContext(crawl, profile, date(2026, 11, 27))) == {OWN}
    assert findings == [] and fixed == []  # not judged tonight: neither reported nor closed
