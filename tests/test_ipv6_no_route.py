"""On a machine without any IPv6 route, the probe says so once and the audit judges nothing.

The machine is real: a child process in its own network namespace (``unshare --net``) where
only the loopback exists, so ::1 works and a global IPv6 address (2001:db8::10, what the
site's AAAA says) has no route at all — a v4-only office network as far as the kernel knows.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.ipv6probe import NO_ROUTE_MESSAGE

pytestmark = [pytest.mark.timeout(60), pytest.mark.slow]  # dnsmasq and servers: not in the fast tier

ROOT = Path(__file__).resolve().parent.parent

CHILD = r'''
import json, sys
from datetime import date
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from audits import ipv6 as ipv6_audit
from crawler import ipv6probe
from tests.support.dns import Dnsmasq, local_domain
from tests.support.ipv6_world import stored_crawl
from tests.support.servers import LoopbackServer, Route
from zhaocuo.app.lifecycle import audits_without_data
from zhaocuo.core.context import AuditContext
from zhaocuo.core.store import Crawl

page = Route(body="<html><head><title>首页</title></head><body>测试</body></html>")
with LoopbackServer({"*": page}) as srv, Dnsmasq(
        hosts={"www.test.gov.cn": ["127.0.0.1", "2001:db8::10"], "v4only.other.cn": ["127.0.0.1"]},
        extra=[local_domain("test.gov.cn"), local_domain("other.cn")]) as dns:
    home = f"http://www.test.gov.cn:{srv.port}/"
    profile, store, run_id = stored_crawl(Path(sys.argv[1]), {
        "site": {"start_urls": [home]},
        "dns": {"nameservers": [dns.nameserver], "timeout_s": 2.0},
        "ipv6": {"timeout_s": 1.0},
    }, {home: [(f"http://v4only.other.cn:{srv.port}/", "a")]})
    stats = ipv6probe.gather(profile, store, run_id, progress=True)
    crawl = Crawl(store, store.run(run_id))
    findings = list(ipv6_audit.audit(AuditContext(crawl, profile, date(2026, 11, 27))))
    summary = ipv6_audit.summary(AuditContext(crawl, profile, date(2026, 11, 27)), findings)
    print(json.dumps({"stats": stats, "findings": len(findings), "summary": summary,
                      "records": crawl.records("ipv6_host_no_route"), "hits": srv.hits,
                      "without_data": sorted(audits_without_data(crawl))}, ensure_ascii=False))
'''


def _netns_available() -> bool:
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False
    probe = subprocess.run(["unshare", "--net", "--", "ip", "link", "set", "lo", "up"], capture_output=True)
    return probe.returncode == 0


def test_no_ipv6_route_is_said_once_and_nothing_is_judged(tmp_path: Path) -> None:
    if not _netns_available():
        pytest.skip("unshare --net is not permitted here: cannot build a machine without IPv6 routes")
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    cmd = f"ip link set lo up && exec {sys.executable} {script} {tmp_path} {ROOT}"
    proc = subprocess.run(["unshare", "--net", "--", "sh", "-c", cmd], capture_output=True, text=True,
                          timeout=50, cwd=ROOT, env={"ZHAOCUO_HOME": str(tmp_path / "home"), "PATH": "/usr/sbin:/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert proc.stderr.count(NO_ROUTE_MESSAGE) == 1
    assert out["stats"]["ipv6_no_route"] is True
    assert out["findings"] == 0  # not even the v4-only linked host: nothing is judged
    s = out["summary"]
    assert s["no_route"] is True and s["note"] == NO_ROUTE_MESSAGE
    assert s["homepage_ipv6"] == "无法检测" and s["二级链接IPv6支持率"] is None
    assert s["lines"][0].startswith("首页 IPv6 访问：无法检测") and s["lines"][-1] == NO_ROUTE_MESSAGE
    assert "二级链接 IPv6 支持率：无法计算（共 1 个链接，可判定 0 个，支持 0 个）" in s["lines"]
    own = out["records"]["www.test.gov.cn"]
    # The DNS facts are still gathered and stored; no connection was attempted.
    assert own["dns"]["aaaa"]["values"] == ["2001:db8::10"]
    assert own["skipped"] == "no_route" and own["probes"] == []
    assert out["hits"] == []
    # The lifecycle sees an audit without data: last night's IPv6 findings are not "fixed".
    assert "ipv6" in out["without_data"]
