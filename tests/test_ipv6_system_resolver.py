"""Without ``dns.nameservers`` the probe asks the system resolver (/etc/hosts, /etc/resolv.conf).

Real, and still loopback only: a child process in its own network and mount namespaces,
where /etc/resolv.conf and /etc/hosts are replaced (bind mounts, visible to that child only),
the first naming 127.0.0.1, where dnsmasq answers on port 53 of that namespace's loopback.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.timeout(60), pytest.mark.slow]  # dnsmasq and servers: not in the fast tier

ROOT = Path(__file__).resolve().parent.parent

CHILD = r'''
import json, sys
from datetime import date
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from zhaocuo.core.context import AuditContext
from audits import ipv6 as ipv6_audit
from crawler import ipv6probe
from tests.support.dns import Dnsmasq, local_domain
from tests.support.ipv6_world import dual_reserved_port, stored_crawl
from tests.support.servers import LoopbackServer, Route
from zhaocuo.core.store import Crawl

page = {"*": Route(body="<html><head><title>首页</title></head><body>测试</body></html>")}
port = dual_reserved_port()
dns = Dnsmasq(hosts={"www.test.gov.cn": ["127.0.0.1", "::1"], "v4only.other.cn": ["127.0.0.1"]},
              extra=[local_domain("test.gov.cn"), local_domain("other.cn")])
dns.port = 53  # where the system resolver looks
with LoopbackServer(page, host="127.0.0.1", port=port), LoopbackServer(page, host="::1", port=port), dns:
    home = f"http://www.test.gov.cn:{port}/"
    profile, store, run_id = stored_crawl(Path(sys.argv[1]), {
        "site": {"start_urls": [home]}, "ipv6": {"timeout_s": 1.0}},
        {home: [(f"http://v4only.other.cn:{port}/", "a"), (f"http://intranet.test.gov.cn:{port}/", "a"),
                (f"http://oa.test.gov.cn:{port}/", "a")]})
    ipv6probe.gather(profile, store, run_id, progress=False)
    crawl = Crawl(store, store.run(run_id))
    findings = list(ipv6_audit.audit(AuditContext(crawl, profile, date(2026, 11, 27))))
    summary = ipv6_audit.summary(AuditContext(crawl, profile, date(2026, 11, 27)), findings)
    print(json.dumps({"hosts": [f.extra["host"] for f in findings], "homepage": summary["homepage_ipv6"],
                      "site": crawl.records("ipv6_site")["census"]}, ensure_ascii=False))
'''


def test_system_resolver_is_used_without_profile_nameservers(tmp_path: Path) -> None:
    if not shutil.which("unshare"):
        pytest.skip("unshare is not installed")
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n", encoding="utf-8")
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost\n127.0.0.1 intranet.test.gov.cn\n::1 intranet.test.gov.cn\n"
                     "127.0.0.1 oa.test.gov.cn  # v4 only\n", encoding="utf-8")
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    cmd = (f"ip link set lo up && mount --bind {resolv} /etc/resolv.conf && mount --bind {hosts} /etc/hosts && "
           f"exec {sys.executable} {script} {tmp_path} {ROOT}")
    proc = subprocess.run(["unshare", "--net", "--mount", "--", "sh", "-c", cmd], capture_output=True, text=True,
                          timeout=50, cwd=ROOT, env={"ZHAOCUO_HOME": str(tmp_path / "home"),
                                                      "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    if proc.returncode != 0 and ("Operation not permitted" in proc.stderr or "unshare failed" in proc.stderr):
        pytest.skip(f"namespaces not permitted here: {proc.stderr.strip()[:200]}")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["site"]["nameservers"] == []  # nothing in the profile: the system's resolver answered
    assert out["homepage"] == "是"
    # intranet.* has both families in the hosts file (not in DNS): fine. oa.* has only an IPv4
    # line there and DNS does not know it: no IPv6.
    assert out["hosts"] == ["oa.test.gov.cn", "v4only.other.cn"]
