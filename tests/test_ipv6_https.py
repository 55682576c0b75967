"""HTTPS over a chosen address: the probe sends the URL's host name as SNI and Host over
IPv6 and IPv4 alike, keeps the URL's port, and a self-signed certificate does not stop it."""

from __future__ import annotations

import ssl
import subprocess
from datetime import date
from pathlib import Path

import pytest

from audits import ipv6 as ipv6_audit
from crawler import ipv6probe
from crawler.ipv6_fetch import fetch_via
from tests.support.dns import Dnsmasq, local_domain
from tests.support.ipv6_world import dual_reserved_port, stored_crawl
from tests.support.servers import LoopbackServer
from zhaocuo.core.context import AuditContext
from zhaocuo.core.store import Crawl

pytestmark = [pytest.mark.timeout(60), pytest.mark.slow]  # dnsmasq and servers: not in the fast tier

HOST = "www.test.gov.cn"


def self_signed(folder: Path) -> ssl.SSLContext:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={HOST}",
                    "-addext", f"subjectAltName=DNS:{HOST}"], check=True, capture_output=True, timeout=30)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def tls_server(routes: dict, host: str, port: int, ctx: ssl.SSLContext) -> LoopbackServer:
    srv = LoopbackServer(routes, host=host, port=port)
    srv.httpd.socket = ctx.wrap_socket(srv.httpd.socket, server_side=True)
    return srv


def test_https_over_both_families_with_sni_host_and_port(tmp_path: Path) -> None:
    if not Path("/usr/bin/openssl").exists():
        pytest.skip("openssl is needed to make a test certificate")
    ctx = self_signed(tmp_path)
    seen_sni: list[str | None] = []
    ctx.sni_callback = lambda sock, name, _ctx: seen_sni.append(name)
    hosts_seen: list[str] = []

    def page(handler) -> None:  # noqa: ANN001 - BaseHTTPRequestHandler
        hosts_seen.append(handler.headers.get("Host", ""))
        body = "<html><head><title>测试区人民政府</title></head><body>欢迎访问</body></html>".encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    port = dual_reserved_port()
    routes = {"*": page}
    with tls_server(routes, "127.0.0.1", port, ctx), tls_server(routes, "::1", port, ctx), \
         Dnsmasq(hosts={HOST: ["127.0.0.1", "::1"]}, extra=[local_domain("test.gov.cn")]) as dns:
        home = f"https://{HOST}:{port}/"
        v6 = fetch_via(home, "::1", 2.0, 65536, "zhaocuo-test")
        assert v6.status == 200 and v6.title == "测试区人民政府" and v6.family == 6
        assert seen_sni == [HOST] and hosts_seen == [f"{HOST}:{port}"]
        profile, store, run_id = stored_crawl(tmp_path, {
            "site": {"start_urls": [home]},
            "dns": {"nameservers": [dns.nameserver], "timeout_s": 2.0},
            "ipv6": {"timeout_s": 2.0},
        }, {home: [(f"https://{HOST}:{port}/a.html", "a")]})
        ipv6probe.gather(profile, store, run_id, progress=False)
        crawl = Crawl(store, store.run(run_id))
        findings = list(ipv6_audit.audit(AuditContext(crawl, profile, date(2026, 11, 27))))
        summary = ipv6_audit.summary(AuditContext(crawl, profile, date(2026, 11, 27)), findings)
        store.close()
    assert findings == []
    assert summary["homepage_ipv6"] == "是" and summary["二级链接IPv6支持率"] == 100.0
    assert set(seen_sni) == {HOST}


def test_unreachable_https_port_over_ipv6_is_refused_not_a_crash(tmp_path: Path) -> None:
    port = dual_reserved_port()  # nothing listens on ::1 there
    result = fetch_via(f"https://{HOST}:{port}/", "::1", 1.0, 65536, "zhaocuo-test")
    assert result.status is None and result.error_kind == "refused" and "拒绝" in result.error
