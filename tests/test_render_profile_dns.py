"""Rendered pages resolve the site's hosts through the profile's name servers.

Chromium resolves names itself; a staging host that only the profile's ``[dns]`` servers know
(the vendor's CI case) would be reached by the crawler but fail in the browser, and every
script-built list on it would be silently lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.dns import Dnsmasq
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route
from zhaocuo.core.store import SQLiteStore

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier

HOST = "www.staging.test.gov.cn"
LIST = """<html><head><title>政府公示</title></head><body><ul id="list"></ul>
<script>fetch('/api/list.json').then(r => r.json()).then(items => {
  document.getElementById('list').innerHTML = items.map(i => '<li><a href="' + i.url + '">' + i.title + '</a></li>').join('');
});</script></body></html>"""


def test_browser_uses_the_profiles_name_servers_for_the_sites_hosts(tmp_path: Path) -> None:
    routes = {
        "/": Route(body="<html><head><title>首页</title></head><body><a href='/js/list.html'>政府公示</a></body></html>"),
        "/js/list.html": Route(body=LIST),
        "/api/list.json": Route(body=json.dumps([{"url": "/js/gone.html", "title": "行政处罚决定书"}], ensure_ascii=False),
                                content_type="application/json"),
    }
    with LoopbackServer(routes) as srv, Dnsmasq(hosts={HOST: ["127.0.0.1"]}) as dns:
        base = f"http://{HOST}:{srv.port}"
        profile = write_profile(tmp_path, {
            "site": {"start_urls": [base + "/"], "own_site": True},
            "crawl": {"render_js": ["/js/"], "render_timeout_s": 8, "retries": 0, "timeout_s": 5},
            "dns": {"nameservers": [dns.nameserver], "timeout_s": 2.0},
            "ipv6": {"enabled": False}, "audits": {"disabled": ["typo"]},
        })
        proc = run_cli("run", "--config", str(profile), "--out", str(tmp_path / "out"), "--no-mail", timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    page = SQLiteStore(tmp_path / "site.sqlite").crawl().page(base + "/js/list.html")
    assert page is not None and page.rendered and "行政处罚决定书" in page.text
    findings = [json.loads(x) for x in (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (base + "/js/list.html", base + "/js/gone.html") in {(f["url"], f["target"]) for f in findings
                                                               if f["audit"] == "dead_link"}
