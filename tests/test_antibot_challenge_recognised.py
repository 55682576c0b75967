"""Anti-bot challenges are recognised by their signatures, and nothing else is (crawler.challenge).

A false "challenge" would hide a real dead link, so the look-alikes matter most: real error
pages (404, 412, 521, 503) without a cookie script, pages with content, scripts that only read
a cookie. Pure functions: the fast tier.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.challenge import MAX_BYTES, Rechecks, from_response, maybe_challenge, recognise
from tests.support.antibot import JIASULE_PAGE, RUISHU_PAGE
from tests.support.profiles import write_profile
from zhaocuo.core.profile import ProfileError, load_profile

JIASULE_SECOND = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><script>
var _0x1f=['cookie','__jsl_clearance_s'];function go(a){var b=a.tn+'='+a.ct;document[_0x1f[0]]=b;
location.href=location.pathname+location.search}go({"bts":["1686","_1c"],"chars":"ab","ct":"x","ha":"sha1",
"tn":"__jsl_clearance_s","vt":"3600","wt":"1500"})</script></body></html>"""
VERIFY_200 = """<html><head><title>访问验证</title></head><body><p>正在进行安全检测，请稍候……</p>
<script>document.cookie="waf_verify=8f3a; path=/";window.location.href=window.location.href;</script></body></html>"""
GENERIC_403 = """<html><body><script>document.cookie='t=1;path=/';location.reload()</script></body></html>"""
# Look-alikes: real error pages and ordinary pages.
NOT_FOUND_WITH_REDIRECT = """<html><head><title>页面不存在</title></head><body><p>您访问的页面不存在，3秒后返回首页。</p>
<script>document.cookie="from404=1";setTimeout(function(){location.href="/"},3000)</script></body></html>"""
PLAIN_412 = "<html><head><title>412 Precondition Failed</title></head><body><h1>Precondition Failed</h1></body></html>"
CLOUDFLARE_521 = ("<html><head><title>Web server is down | 521</title></head><body><h1>Web server is down</h1>"
                  "<p>" + "The web server is not returning a connection. As a result, the web page is not displaying. " * 4
                  + "</p><script>document.getElementById('cf-footer').classList.remove('hidden')</script></body></html>")
MAINTENANCE_503 = """<html><head><title>系统维护</title></head><body><p>系统维护中，请稍后访问。</p>
<script>setTimeout(function(){location.reload()}, 60000)</script></body></html>"""
ARTICLE = ("<html><head><title>关于做好冬季防火工作的通知</title><script src='/js/jquery.cookie.js'></script></head><body>"
           + "<p>各街道办事处、区直各部门：冬季是火灾多发季节，请切实做好防火工作。</p>" * 20
           + "<a onclick=\"document.cookie='font=big';location.reload()\">大字版</a></body></html>")
READS_COOKIE = """<html><body><script>if (document.cookie == "") { location.href = "/login.html"; }</script></body></html>"""


@pytest.mark.parametrize("status,html,vendor,known", [
    (412, RUISHU_PAGE, "ruishu", True),
    (200, RUISHU_PAGE, "ruishu", True),           # some versions answer 200/202 with the same page
    (521, JIASULE_PAGE, "jiasule", True),
    (521, JIASULE_SECOND, "jiasule", True),
    (200, VERIFY_200, "verify", True),
    (412, GENERIC_403, "cookie_script", True),    # 412 to a plain GET: only gateways answer so
    (403, GENERIC_403, "cookie_script", False),   # generic: unpassed, it keeps its raw result
    (503, GENERIC_403, "cookie_script", False),
])
def test_gateway_challenges_are_recognised(status: int, html: str, vendor: str, known: bool) -> None:
    found = recognise(status, html)
    assert found is not None and (found.vendor, found.known, found.status) == (vendor, known, status)
    assert maybe_challenge(status, html.encode("utf-8"))
    assert from_response(status, html.encode("utf-8"), "text/html; charset=utf-8") == found


def test_jiasule_is_named_by_its_cookie_header_too() -> None:
    script = "<script>document.cookie='a'+'='+(1+2);location.href=location.pathname</script>"
    assert recognise(403, script, "__jsluid_s=7f3c; path=/").vendor == "jiasule"
    assert recognise(403, script).vendor == "cookie_script"


@pytest.mark.parametrize("status,html", [
    (404, NOT_FOUND_WITH_REDIRECT),   # an error page that sets a cookie and goes home is still an error
    (410, RUISHU_PAGE),               # gone is gone, whatever the page holds
    (500, GENERIC_403),
    (502, JIASULE_PAGE),
    (412, PLAIN_412),                 # a real 412 without a script
    (521, CLOUDFLARE_521),            # a real "web server is down" page: text, no cookie
    (503, MAINTENANCE_503),           # reloads, sets no cookie, says nothing of verification
    (200, ARTICLE),                   # a page with content: its scripts do not make it a challenge
    (403, READS_COOKIE),              # reads the cookie, sets none
    (403, ""),
    (None, GENERIC_403),
])
def test_look_alikes_are_not_challenges(status: int | None, html: str) -> None:
    assert recognise(status, html) is None
    assert from_response(status, html.encode("utf-8"), "text/html") is None


def test_big_pages_and_pages_without_script_are_never_read_further() -> None:
    big = GENERIC_403.replace("<body>", "<body>" + "<!-- x -->" * (MAX_BYTES // 10 + 1))
    assert recognise(412, big) is None
    assert not maybe_challenge(412, big.encode())
    assert not maybe_challenge(412, PLAIN_412.encode())
    # A 200 page needs a sign of a challenge before it is decoded at all.
    assert not maybe_challenge(200, b"<html><script>var a=1;</script><p>hello</p></html>")
    assert maybe_challenge(200, VERIFY_200.encode("gb18030"))


def test_gbk_verification_page_is_recognised() -> None:
    body = VERIFY_200.replace("<head>", '<head><meta charset="gbk">').encode("gb18030")
    found = from_response(200, body, "text/html")
    assert found is not None and found.vendor == "verify"


def test_recheck_budget_counts_every_challenge_and_stops_at_its_limit() -> None:
    budget = Rechecks(left=2)
    challenge = recognise(412, RUISHU_PAGE)
    assert challenge is not None
    assert [budget.take(f"http://a.gov.cn/{i}", challenge) for i in range(4)] == [True, True, False, False]
    assert budget.stats() == {"seen": 4, "rechecked": 2, "passed": 0, "protected": 0}
    assert set(budget.pending) == {"http://a.gov.cn/0", "http://a.gov.cn/1"}
    assert Rechecks(left=0).take("http://a.gov.cn/", challenge) is False


def test_challenge_keys_are_checked_by_the_profile_loader(tmp_path: Path) -> None:
    site = {"start_urls": ["https://www.example.gov.cn/"]}
    ok = load_profile(write_profile(tmp_path, {"site": site, "crawl": {"challenge_rechecks": 0}}))
    assert ok.crawl.challenge_rechecks == 0 and ok.crawl.challenge_timeout_s > 0
    with pytest.raises(ProfileError, match="crawl.challenge_rechecks"):
        load_profile(write_profile(tmp_path, {"site": site, "crawl": {"challenge_rechecks": -1}}))
    with pytest.raises(ProfileError, match="crawl.challenge_timeout_s"):
        load_profile(write_profile(tmp_path, {"site": site, "crawl": {"challenge_timeout_s": 0}}))
