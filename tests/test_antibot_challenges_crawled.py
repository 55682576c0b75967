"""Sites behind anti-bot gateways, through the real CLI, crawler and Chromium.

Loopback servers imitate 瑞数 (HTTP 412, a ``$_ts`` page whose script file sets a cookie and
reloads) and 加速乐 (HTTP 521, an inline script that builds ``__jsl_clearance_s`` and reloads):
the page is served only once the script's cookie comes back. The district's own site sits
behind them (its homepage too), and links to a provincial portal behind them:

- links to challenged pages are not dead, pages behind them are crawled and audited (a typo
  and a dead link on such a page are found);
- look-alikes — a real 412, 521 and 503 error page without a cookie script, and an unknown
  vendor's 403 cookie script the browser cannot get through — stay dead;
- a challenge the browser cannot pass, or one beyond the budget, is "protected, not checked"
  (受防护，未检查): never dead, counted in summary.json and shown in the report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.support.antibot import gated, ruishu_script
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route
from zhaocuo.core.store import SQLiteStore

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]  # CLI, crawl children, Chromium, servers

HOME = """<html><head><title>临淄区人民政府</title></head><body><h1>临淄区人民政府</h1>
<a href="/zfxxgk/notice.html">通知公告</a> <a href="/about.html">区情概况</a> <a href="/zwgk/list.html">政务公开</a>
<a href="{portal}/r.html">省政府门户</a> <a href="{portal}/j.html">市政府门户</a> <a href="{portal}/never.html">政务服务网</a>
<a href="{portal}/g.html">区县网站</a> <a href="{portal}/e403.html">内部系统</a>
<a href="{portal}/e412.html">旧版网站</a> <a href="{portal}/e521.html">专题网站</a> <a href="{portal}/e503.html">维护中的网站</a>
</body></html>"""
NOTICE = """<html><head><title>关于冬季防火工作的通知</title></head><body><h1>关于冬季防火工作的通知</h1>
<p>各街道办事处：请认真布署冬季防火工作，确保安全。</p><a href="/zfxxgk/gone.html">附件：检查表</a></body></html>"""
ABOUT = "<html><head><title>区情概况</title></head><body><p>临淄区位于山东省中部。</p></body></html>"
LIST = "<html><head><title>政务公开</title></head><body><p>政务公开目录。</p></body></html>"
PORTAL = "<html><head><title>山东省人民政府</title></head><body><p>欢迎访问山东省人民政府门户网站。</p></body></html>"
PLAIN_412 = "<html><head><title>412 Precondition Failed</title></head><body><h1>Precondition Failed</h1></body></html>"
CLOUDFLARE_521 = ("<html><head><title>Web server is down</title></head><body><h1>Error 521</h1><p>"
                  + "The web server is not returning a connection. " * 8 + "</p></body></html>")
MAINTENANCE_503 = """<html><head><title>系统维护</title></head><body><p>系统维护中，请稍后访问。</p>
<script>setTimeout(function(){location.reload()}, 60000)</script></body></html>"""


def _portal() -> dict[str, Any]:
    page = Route(body=PORTAL)
    return {"/r.html": gated(page, "ruishu"), "/zcQbVtADbnLV/ts.js": ruishu_script(),
            "/j.html": gated(page, "jiasule"), "/never.html": gated(page, "ruishu", passable=False),
            "/g.html": gated(page, "generic"), "/e403.html": gated(page, "generic", passable=False),
            "/e412.html": Route(412, PLAIN_412), "/e521.html": Route(521, CLOUDFLARE_521),
            "/e503.html": Route(503, MAINTENANCE_503)}


def _own(portal: str) -> dict[str, Any]:
    return {"/": gated(Route(body=HOME.format(portal=portal)), "jiasule"),
            "/zfxxgk/notice.html": gated(Route(body=NOTICE), "ruishu"), "/zcQbVtADbnLV/ts.js": ruishu_script(),
            "/about.html": Route(body=ABOUT), "/zwgk/list.html": gated(Route(body=LIST), "jiasule")}


def _run(tmp: Path, start: str, crawl: dict[str, Any]) -> dict[str, Any]:
    tmp.mkdir(parents=True, exist_ok=True)
    profile = write_profile(tmp, {"site": {"start_urls": [start], "own_site": True},
                                  "crawl": {"retries": 0, "timeout_s": 5, "challenge_timeout_s": 8, **crawl},
                                  "ipv6": {"enabled": False}})
    proc = run_cli("run", "--config", str(profile), "--out", str(tmp / "out"), "--as-of", "2026-11-27", "--no-mail",
                   timeout=400)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    out = tmp / "out"
    findings = [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    return {"findings": findings, "summary": json.loads((out / "summary.json").read_text(encoding="utf-8")),
            "report": (out / "report.html").read_text(encoding="utf-8"), "store": SQLiteStore(tmp / "site.sqlite"),
            "stderr": proc.stderr}


@pytest.fixture(scope="module")
def gateways(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    with LoopbackServer(_portal()) as portal, LoopbackServer(_own(portal.base)) as own:
        got = _run(tmp_path_factory.mktemp("gateways"), own.url("/"), {})
        got["own"], got["portal"] = own, portal
        yield got


def _dead(got: dict[str, Any]) -> dict[str, str]:
    return {f["target"]: f["evidence"] for f in got["findings"] if f["audit"] == "dead_link"}


def test_links_to_pages_behind_a_412_or_521_challenge_are_not_dead(gateways: dict[str, Any]) -> None:
    portal, dead = gateways["portal"], _dead(gateways)
    assert portal.url("/r.html") not in dead and portal.url("/j.html") not in dead
    crawl = gateways["store"].crawl()
    for path in ("/r.html", "/j.html", "/g.html"):
        check = crawl.link_check(portal.url(path))
        assert check is not None and (check.status, check.error_kind, check.title) == (200, "", "山东省人民政府")


def test_pages_behind_a_challenge_are_crawled_and_audited(gateways: dict[str, Any]) -> None:
    own, crawl = gateways["own"], gateways["store"].crawl()
    home, notice = crawl.page(own.url("/")), crawl.page(own.url("/zfxxgk/notice.html"))
    assert home is not None and home.rendered and home.status == 200 and home.title == "临淄区人民政府"
    assert notice is not None and notice.rendered and notice.status == 200 and "布署" in notice.text
    assert crawl.page(own.url("/about.html")) is not None  # found on the homepage the browser got through to
    typos = [f for f in gateways["findings"] if f["audit"] == "typo" and f["text"] == "布署"]
    assert [f["url"] for f in typos] == [own.url("/zfxxgk/notice.html")]
    assert (own.url("/zfxxgk/notice.html"), own.url("/zfxxgk/gone.html")) in {
        (f["url"], f["target"]) for f in gateways["findings"] if f["audit"] == "dead_link"}
    assert "site_unreachable" not in {f["audit"] for f in gateways["findings"]}  # a 521 homepage is not "down"


def test_the_cookie_the_browser_got_lets_plain_requests_through(gateways: dict[str, Any]) -> None:
    """The homepage's 加速乐 cookie, handed from the browser to the crawler, opens the site's other
    pages behind the same gateway without the browser."""
    page = gateways["store"].crawl().page(gateways["own"].url("/zwgk/list.html"))
    assert page is not None and page.title == "政务公开" and page.status == 200 and not page.rendered


def test_error_pages_that_look_like_gateways_stay_dead(gateways: dict[str, Any]) -> None:
    portal, dead = gateways["portal"], _dead(gateways)
    assert dead.get(portal.url("/e412.html")) == "HTTP 412"
    assert dead.get(portal.url("/e521.html")) == "HTTP 521"
    assert dead.get(portal.url("/e503.html")) == "HTTP 503"
    # An unknown vendor's 403 cookie script the browser cannot get through keeps its 403: only a
    # gateway's own signature can make a link "protected" (one that lets the browser in is fine).
    assert dead.get(portal.url("/e403.html")) == "HTTP 403"
    assert portal.url("/g.html") not in dead


def test_a_challenge_the_browser_cannot_pass_is_protected_not_dead(gateways: dict[str, Any]) -> None:
    portal, summary = gateways["portal"], gateways["summary"]
    never = portal.url("/never.html")
    assert never not in _dead(gateways)
    check = gateways["store"].crawl().link_check(never)
    assert check is not None and check.error_kind == "protected" and check.status == 412
    assert "瑞数" in check.error and "未能通过验证" in check.error
    assert summary["coverage"]["links_protected"] == 1
    assert summary["coverage"]["challenges"]["passed"] >= 5  # homepage, notice, r.html, j.html, g.html
    assert summary["dead_link"]["protected_targets"] == 1
    assert [p["target"] for p in summary["dead_link"]["protected"]] == [never]
    assert "受防护，未检查" in gateways["report"] and never in gateways["report"]


def test_challenges_beyond_the_budget_are_protected_not_dead(tmp_path: Path) -> None:
    """No browser re-check at all (budget 0): the gateways' pages are protected, not checked —
    never dead — and the look-alikes are still dead."""
    with LoopbackServer(_portal()) as portal, LoopbackServer({"/": Route(body=HOME.format(portal=portal.base))}) as own:
        got = _run(tmp_path, own.url("/"), {"challenge_rechecks": 0})
    dead = _dead(got)
    for path in ("/r.html", "/j.html", "/never.html"):
        assert portal.url(path) not in dead
        check = got["store"].crawl().link_check(portal.url(path))
        assert check is not None and check.error_kind == "protected" and "challenge_rechecks" in check.error
    assert {portal.url(p) for p in ("/e412.html", "/e521.html", "/e503.html", "/e403.html")} <= set(dead)
    assert got["summary"]["coverage"]["links_protected"] == 3
    assert got["summary"]["coverage"]["challenges"]["rechecked"] == 0


def test_a_homepage_the_browser_cannot_pass_is_said_not_taken_for_down_or_clean(tmp_path: Path) -> None:
    home = Route(body=HOME.format(portal="http://127.0.0.1:9"))
    with LoopbackServer({"/": gated(home, "ruishu", passable=False), "/zcQbVtADbnLV/ts.js": ruishu_script()}) as own:
        got = _run(tmp_path, own.url("/"), {"challenge_timeout_s": 3})
    assert got["findings"] == []  # neither "site unreachable" nor anything else guessed
    assert got["summary"]["coverage"]["start_protected"] == [own.url("/")]
    assert "起始地址受反爬虫网关防护" in got["stderr"] and own.url("/") in got["stderr"]
    assert "受反爬虫网关防护，浏览器未能通过验证" in got["report"]
