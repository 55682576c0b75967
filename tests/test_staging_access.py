"""Reaching a staging site: HTTP basic auth and extra headers from the environment, and a
certificate from an internal CA (a test CA made here) trusted through ``[crawl] ca_file``.

Real servers on loopback: the staging site answers 401 without the credentials and the
gateway header; another site (127.0.0.2) records every header it receives. The crawl, the link
checker and the browser (a list built by fetch() that needs the credentials too) all reach
staging; the other site never sees a credential, not even through a redirect; and the secrets
appear in no output file, no store file and no line on stdout or stderr.
"""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route
from tests.support.tlscerts import https_base, make_ca, tls_server
from zhaocuo.core.store import SQLiteStore

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)

USER, PASSWORD, TOKEN = "vendor-ci-7f3k", "s3cret-Pa55-q9z", "gw-token-4h8m2x"
BASIC = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
SECRETS = (USER, PASSWORD, TOKEN, BASIC.split()[1], "leak-pass-77")
ENV = {"STG_USER": USER, "STG_PASS": PASSWORD, "STG_TOKEN": TOKEN}

LIST = """<html><head><title>信息公开</title></head><body><ul id="list"></ul>
<script>fetch('/api/list.json').then(r => r.json()).then(items => {
  document.getElementById('list').innerHTML = items.map(i => '<li><a href="' + i.url + '">' + i.title + '</a></li>').join('');
});</script></body></html>"""


def _page(title: str, body: str) -> Route:
    return Route(body=f"<html><head><title>{title}</title></head><body>{body}</body></html>")


def _site(other: str) -> dict[str, Route]:
    return {
        "/": _page("示范区人民政府", f'<a href="/a.html">概况</a> <a href="/xxgk/list.html">信息公开</a> '
                                  f'<img src="/logo.png"> <a href="/go-out">上级网站</a> <a href="{other}/page.html">友情链接</a>'),
        "/a.html": _page("概况", "示范区位于东部。"),
        "/b.html": _page("预算公开", "预算公开内容。"),
        "/xxgk/list.html": Route(body=LIST),
        "/api/list.json": Route(body=json.dumps([{"url": "/b.html", "title": "预算公开"}]), content_type="application/json"),
        "/logo.png": Route(body=b"\x89PNG\r\n", content_type="image/png"),
        # A redirect to another site, with credentials in the Location: neither ours nor its go anywhere.
        "/go-out": Route(302, headers={"Location": other.replace("://", "://leak-user:leak-pass-77@") + "/landing.html"}),
    }


def _guarded(routes: dict[str, Route], seen: list[dict[str, str]]) -> dict[str, Any]:
    """Routes behind basic auth and the gateway headers (401 otherwise), recording what came in."""
    def handle(h: Any) -> None:
        seen.append({"path": h.path, **{k.lower(): v for k, v in h.headers.items()}})
        ok = (h.headers.get("Authorization") == BASIC and h.headers.get("X-Gateway-Token") == TOKEN
              and h.headers.get("X-Env") == "staging")
        route = routes.get(h.path.split("?")[0]) if ok else Route(401, "<html><body>401</body></html>",
                                                                 {"WWW-Authenticate": 'Basic realm="staging"'})
        route = route or Route(404, "<html><body>Not Found</body></html>")
        body = route.body.encode() if isinstance(route.body, str) else route.body
        h.send_response(route.status)
        for k, v in {"Content-Type": route.content_type, **route.headers}.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)
    return {"*": handle}


def _recording(seen: list[dict[str, str]]) -> dict[str, Any]:
    def handle(h: Any) -> None:
        seen.append({"path": h.path, **{k.lower(): v for k, v in h.headers.items()}})
        body = b"<html><head><title>other</title></head><body>other site</body></html>"
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)
    return {"*": handle}


def _all_output(folder: Path, proc: Any) -> str:
    """Every file under ``folder`` (xlsx unzipped, SQLite files as bytes) and the run's stdout/stderr."""
    parts = [proc.stdout, proc.stderr]
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                parts += [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
        else:
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


def _profile(folder: Path, base: str, crawl: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_profile(folder, {
        "site": {"name": "示范区人民政府", "start_urls": [base + "/"], "allowed_hosts": ["127.0.0.1"], "own_site": True},
        "crawl": {"max_pages": 30, "concurrency": 4, "timeout_s": 5.0, "retries": 0, "render_js": ["/xxgk/"],
                  "render_timeout_s": 10.0, **crawl},
        "ipv6": {"enabled": False},
    })


AUTH = {"auth_user_env": "STG_USER", "auth_password_env": "STG_PASS", "headers": {"X-Env": "staging"},
        "headers_env": {"X-Gateway-Token": "STG_TOKEN"}}


def test_basic_auth_staging_is_crawled_rendered_and_credentials_go_nowhere_else(tmp_path: Path) -> None:
    staging_seen: list[dict[str, str]] = []
    other_seen: list[dict[str, str]] = []
    with LoopbackServer(_recording(other_seen), host="127.0.0.2") as other:
        with LoopbackServer(_guarded(_site(other.base), staging_seen)) as srv:
            profile = _profile(tmp_path, srv.base, AUTH)
            proc = run_cli("run", "--config", str(profile), "--out", str(tmp_path / "out"), "--as-of", "2026-05-20",
                           "--no-mail", timeout=240, env={**ENV, "ZHAOCUO_LOG": "DEBUG"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    crawl = SQLiteStore(tmp_path / "site.sqlite").crawl()
    assert crawl.page(srv.url("/a.html")) is not None
    listed = crawl.page(srv.url("/xxgk/list.html"))
    assert listed is not None and listed.rendered and "预算公开" in listed.text  # the browser's fetch() got in
    assert crawl.page(srv.url("/b.html")) is not None  # reached only through the rendered list
    assert not [c for c in crawl.link_checks().values() if c.status == 401]
    findings = [json.loads(x) for x in (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    assert not [f for f in findings if f["audit"] == "dead_link"]
    assert any(s["path"] == "/api/list.json" and s.get("authorization") == BASIC for s in staging_seen)
    # The other site was linked and redirected to, and never saw a credential or a gateway header.
    assert {"/page.html", "/landing.html"} <= {s["path"] for s in other_seen}
    for s in other_seen:
        assert not {"authorization", "x-gateway-token", "x-env"} & set(s), s
    text = _all_output(tmp_path, proc)
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked"


def test_missing_credentials_stop_the_run_before_any_request(tmp_path: Path) -> None:
    seen: list[dict[str, str]] = []
    with LoopbackServer(_guarded({}, seen)) as srv:
        profile = _profile(tmp_path, srv.base, AUTH)
        proc = run_cli("crawl", "--config", str(profile), timeout=60, env={"STG_USER": USER, "STG_TOKEN": TOKEN})
    assert proc.returncode == 2
    assert "crawl.auth_password_env" in proc.stderr and "STG_PASS" in proc.stderr
    assert seen == [] and USER not in proc.stderr and TOKEN not in proc.stderr


@pytest.fixture(scope="module")
def internal_ca(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("internal-ca")
    ca, stranger = make_ca("示范区内部 CA"), make_ca("Unknown CA")
    ca_file = ca.write(folder / "internal-ca.pem")
    expired = tls_server(_recording([]), ca.server_context(folder, ["127.0.0.2"], expired=True), host="127.0.0.2")
    unknown = tls_server(_recording([]), stranger.server_context(folder, ["127.0.0.3"]), host="127.0.0.3")
    with expired, unknown:
        site = {
            "/": _page("示范区人民政府", f'<a href="/a.html">概况</a> <a href="/xxgk/list.html">信息公开</a> '
                                      f'<a href="{https_base(expired)}/x.html">证书过期的网站</a> '
                                      f'<a href="{https_base(unknown)}/y.html">证书链不完整的网站</a>'),
            "/a.html": _page("概况", "示范区位于东部。"), "/b.html": _page("预算公开", "预算公开内容。"),
            "/xxgk/list.html": Route(body=LIST),
            "/api/list.json": Route(body=json.dumps([{"url": "/b.html", "title": "预算公开"}]),
                                    content_type="application/json"),
        }
        with tls_server(site, ca.server_context(folder, ["127.0.0.1"])) as srv:
            base = https_base(srv)
            trusted = _profile(folder / "trusted", base, {"ca_file": str(ca_file)})
            ok = run_cli("run", "--config", str(trusted), "--out", str(folder / "trusted" / "out"),
                         "--as-of", "2026-05-20", "--no-mail", timeout=240)
            plain = _profile(folder / "plain", base, {})
            refused = run_cli("crawl", "--config", str(plain), timeout=120)
    return {"folder": folder, "base": base, "ok": ok, "refused": refused, "expired": https_base(expired),
            "unknown": https_base(unknown)}


def test_a_site_with_an_internal_ca_is_crawled_and_rendered_with_ca_file(internal_ca: dict[str, Any]) -> None:
    assert internal_ca["ok"].returncode == 0, internal_ca["ok"].stderr[-3000:]
    crawl = SQLiteStore(internal_ca["folder"] / "trusted" / "site.sqlite").crawl()
    base = internal_ca["base"]
    assert crawl.page(base + "/a.html") is not None
    listed = crawl.page(base + "/xxgk/list.html")
    assert listed is not None and listed.rendered and "预算公开" in listed.text  # Chromium trusted it too
    assert crawl.page(base + "/b.html") is not None


def test_certificates_are_verified_an_expired_one_is_a_dead_link(internal_ca: dict[str, Any]) -> None:
    out = internal_ca["folder"] / "trusted" / "out" / "findings.jsonl"
    dead = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if '"dead_link"' in x]
    assert [(f["target"], f["extra"]["error_kind"]) for f in dead] == [(internal_ca["expired"] + "/x.html", "ssl")]
    assert "证书已过期" in dead[0]["message"]


def test_an_unknown_issuer_on_another_site_is_judged_as_a_browser_would(internal_ca: dict[str, Any]) -> None:
    """A browser completes a chain the server left incomplete; OpenSSL cannot tell that from an
    unknown CA, so another site's link is judged by its answer, not called dead."""
    crawl = SQLiteStore(internal_ca["folder"] / "trusted" / "site.sqlite").crawl()
    check = crawl.link_check(internal_ca["unknown"] + "/y.html")
    assert check is not None and check.status == 200 and not check.error_kind


def test_without_ca_file_the_internal_certificate_is_refused_with_a_hint(internal_ca: dict[str, Any]) -> None:
    refused = internal_ca["refused"]
    assert refused.returncode != 0
    assert "crawl.ca_file" in refused.stderr and internal_ca["base"] in refused.stderr


def test_a_gate_that_could_not_get_in_fails_instead_of_passing(tmp_path: Path) -> None:
    """Wrong credentials: the start page answers 401, nothing is crawled, nothing can be new —
    and still the gate must not pass (exit 3, the site could not be reached)."""
    prod = tmp_path / "prod"
    prod.mkdir()
    (prod / "findings.jsonl").write_text("", encoding="utf-8")
    with LoopbackServer(_guarded({"/": _page("首页", "欢迎")}, [])) as srv:
        profile = _profile(tmp_path, srv.base, AUTH)
        proc = run_cli("run", "--config", str(profile), "--out", str(tmp_path / "out"), "--baseline", str(prod),
                       "--fail-on-new", "high", timeout=120, env={**ENV, "STG_PASS": "wrong-password-1"})
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert "crawl.auth_user_env" in proc.stderr and "wrong-password-1" not in _all_output(tmp_path, proc)


def test_the_ipv6_probe_sends_credentials_only_over_verified_tls(tmp_path: Path) -> None:
    """The probe compares IPv4 and IPv6 answers without judging certificates — but a request that
    carries the site's credentials is verified (system CAs + ca_file) or not sent."""
    from crawler.ipv6_fetch import fetch_via

    ca = make_ca("probe CA")
    ca_file = str(ca.write(tmp_path / "ca.pem"))
    seen: list[dict[str, str]] = []
    with tls_server(_recording(seen), ca.server_context(tmp_path, ["127.0.0.1"])) as srv:
        url = https_base(srv) + "/"
        plain = fetch_via(url, "127.0.0.1", 3.0, 65536, "zhaocuo-test")
        refused = fetch_via(url, "127.0.0.1", 3.0, 65536, "zhaocuo-test", headers={"Authorization": BASIC})
        trusted = fetch_via(url, "127.0.0.1", 3.0, 65536, "zhaocuo-test", headers={"Authorization": BASIC},
                            ca_file=ca_file)
    assert plain.status == 200 and trusted.status == 200
    assert refused.status is None and refused.error_kind == "ssl"
    assert [s.get("authorization") for s in seen] == [None, BASIC]  # the refused request never got there
