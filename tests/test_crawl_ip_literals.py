"""IP-literal URLs are fetched, never looked up in DNS: a link to ``http://[::1]:PORT/`` or
``http://127.0.0.1:PORT/`` is checked against the server itself, with the system resolver
and with the profile's name servers alike; a literal nobody listens on is refused, not "dns"."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler import linkcheck, site
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route, dead_udp_port, reserved_port
from zhaocuo.core.profile import load_profile
from zhaocuo.core.store import SQLiteStore

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier


@pytest.mark.parametrize("resolver", ["system", "nameservers"])
def test_ipv6_and_ipv4_literal_links_are_checked_not_looked_up(tmp_path: Path, resolver: str) -> None:
    closed = reserved_port("::1")
    with LoopbackServer({"/": Route(body="<html><title>六</title><body>v6</body></html>")}, host="::1") as v6:
        home = (f"<html><title>首页</title><body><a href='{v6.url('/')}'>v6</a>"
                f"<a href='http://[::1]:{closed}/x.html'>closed</a></body></html>")
        with LoopbackServer({"/": Route(body=home)}) as srv:
            # A name server that never answers: a literal must not even ask it.
            dns = {"nameservers": [f"127.0.0.1:{dead_udp_port()}"], "timeout_s": 1.0} if resolver == "nameservers" else {}
            profile = load_profile(write_profile(tmp_path, {
                "site": {"start_urls": [srv.url("/")]}, "dns": dns,
                "crawl": {"timeout_s": 2.0, "retries": 0, "auto_render_share": 0.0}}))
            store = SQLiteStore(profile.default_store_path())
            run_id, _ = store.begin_run()
            site.gather(profile, store, run_id, False)
            linkcheck.gather(profile, store, run_id, False)
    checks = {c.url: c for c in store.iter_link_checks(run_id)}
    assert checks[srv.url("/")].status == 200, "the IPv4-literal start URL"
    assert checks[v6.url("/")].status == 200 and checks[v6.url("/")].error_kind == ""
    assert checks[f"http://[::1]:{closed}/x.html"].error_kind == "refused"
