"""Which pages go through the browser: render_js prefixes, and raw pages that look script-built.

Detection must catch application shells and list frames filled by scripts, and must leave
alone long pages that merely carry analytics, a visit counter or a jQuery include.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.chromium import LAUNCH_ARGS
from crawler.newmedia.page import parse, visible_text
from crawler.render import playwright_settings, render_meta, wants_render
from tests.support.profiles import write_profile
from zhaocuo.core.htmlheur import looks_script_built
from zhaocuo.core.profile import load_profile

ARTICLE = "<p>" + "为深入贯彻落实党中央、国务院关于优化营商环境的决策部署，进一步提升政务服务水平，现将有关事项通知如下。" * 30 + "</p>"
TONGJI = """<script>var _hmt = _hmt || []; (function() { var hm = document.createElement("script");
hm.src = "https://hm.baidu.com/hm.js?abc"; var s = document.getElementsByTagName("script")[0];
s.parentNode.insertBefore(hm, s); })();</script>"""
COUNTER = """<script src="/js/jquery.min.js"></script><span id="count"></span>
<script>$.ajax({url: '/visit', success: function(n) { $('#count').text(n); }});</script>"""


def _check(html: str) -> bool:
    return looks_script_built(html, visible_text(parse(html)))


@pytest.mark.parametrize("html", [
    # An application shell: no text, a bundle that builds everything.
    '<html><body><div id="app"></div><script src="/static/js/app.3f9a.js"></script></body></html>',
    # A column frame with navigation text, its list filled by fetch() into an empty container.
    """<html><body><div class="nav">首页 政务公开 政策文件 政策解读 政务服务 互动交流 走进临淄</div>
    <ul class="news-list"></ul><script>fetch('/api/list').then(r => r.json()).then(render);</script></body></html>""",
    # jQuery list with a "loading" hint.
    """<html><body><div class="nav">首页 政务公开</div><div id="zfgs">数据加载中…</div>
    <script>$.getJSON('/zfgs.json', function(d) { $('#zfgs').html(d.html); });</script></body></html>""",
    # Vue template not yet filled.
    """<html><body><div id="vm"><h2>{{ title }}</h2><p v-for="x in items">{{ x.name }}</p></div>
    <script src="/vue.js"></script><script>new Vue({el: '#vm', data: {title: '', items: []}})</script></body></html>""",
    # External loader script and an empty list container.
    """<html><body><h1>行政执法公示</h1><p>本栏目公示行政执法结果。</p><table class="data-table"><tbody class="list"></tbody></table>
    <script src="/js/zfgs-list.js"></script></body></html>""",
])
def test_script_built_pages_are_detected(html: str) -> None:
    assert _check(html)


@pytest.mark.parametrize("html", [
    f"<html><body>{ARTICLE}{TONGJI}</body></html>",  # analytics on a full article
    f"<html><body><div class='content'>{ARTICLE}</div>{COUNTER}</body></html>",  # a visit counter
    "<html><body><p>联系电话：0533-7182345</p></body></html>",  # short, but no script at all
    f"<html><body><div class='content'>{ARTICLE}</div><div class='clear'></div><script src='/jquery.js'></script></body></html>",
    "",
])
def test_ordinary_pages_are_left_alone(html: str) -> None:
    assert not _check(html)


@pytest.fixture
def profile(tmp_path: Path):
    return load_profile(write_profile(tmp_path, {
        "site": {"start_urls": ["http://www.zibo.gov.cn/"], "allowed_hosts": ["www.zibo.gov.cn"]},
        "crawl": {"render_js": ["/xxgk/zfgs/", "/政务公开/", "https://zwfw.sd.gov.cn/zb/"], "render_timeout_s": 12},
    }))


def test_render_js_prefixes_match_paths_on_the_site_and_full_urls(profile) -> None:
    assert wants_render("http://www.zibo.gov.cn/xxgk/zfgs/index.html", profile)
    assert not wants_render("http://www.zibo.gov.cn:8080/xxgk/zfgs/", profile)  # another port: checked, not crawled
    assert wants_render("http://www.zibo.gov.cn/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/list.html", profile)
    assert wants_render("https://zwfw.sd.gov.cn/zb/list?page=2", profile)
    assert not wants_render("http://www.zibo.gov.cn/xxgk/other/", profile)
    assert not wants_render("http://other.gov.cn/xxgk/zfgs/index.html", profile)  # another host: checked, not crawled
    assert not wants_render("http://www.zibo.gov.cn/xxgk/zfgs/2024年报.pdf", profile)  # attachments never


def test_settings_use_debian_chromium_block_media_and_bound_time(profile) -> None:
    s = playwright_settings(profile)
    assert s["DOWNLOAD_HANDLERS"] == {"http": "crawler.playwright_handler.SharedPlaywrightHandler",
                                      "https": "crawler.playwright_handler.SharedPlaywrightHandler"}
    assert s["PLAYWRIGHT_LAUNCH_OPTIONS"]["executable_path"] in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium")
    assert {"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic"} <= set(s["PLAYWRIGHT_LAUNCH_OPTIONS"]["args"])
    assert s["PLAYWRIGHT_LAUNCH_OPTIONS"]["args"] == LAUNCH_ARGS
    assert s["PLAYWRIGHT_ABORT_REQUEST"] == "crawler.chromium.abort_request"
    assert s["PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT"] == 12000
    assert s["PLAYWRIGHT_MAX_CONTEXTS"] > 1 and s["PLAYWRIGHT_MAX_PAGES_PER_CONTEXT"] >= 1
    meta = render_meta(profile)
    assert meta["playwright"] is True and meta["playwright_page_goto_kwargs"]["timeout"] == 12000


def test_the_headless_shell_is_the_default_browser_the_full_chromium_the_fallback(monkeypatch) -> None:
    from crawler import chromium

    installed = {"/usr/bin/chromium-headless-shell", "/usr/bin/chromium"}
    monkeypatch.delenv("ZHAOCUO_CHROMIUM", raising=False)
    monkeypatch.setattr(chromium.os.path, "exists", lambda path: path in installed)
    assert chromium.chromium_path() == "/usr/bin/chromium-headless-shell"
    installed.discard("/usr/bin/chromium-headless-shell")
    assert chromium.chromium_path() == "/usr/bin/chromium"
    monkeypatch.setenv("ZHAOCUO_CHROMIUM", "/opt/chrome/chrome")
    assert chromium.chromium_path() == "/opt/chrome/chrome"


def test_our_chromium_flags_keep_playwrights_disabled_features() -> None:
    """Chromium reads only the last --disable-features: ours must carry Playwright's list, above
    all HttpsUpgrades (http:// pages would otherwise be rendered from https://)."""
    flags = [a for a in LAUNCH_ARGS if a.startswith("--disable-features=")]
    assert len(flags) == 1
    disabled = set(flags[0].split("=", 1)[1].split(","))
    assert {"HttpsUpgrades", "HttpsFirstBalancedModeAutoEnable", "PaintHolding", "ThirdPartyStoragePartitioning",
            "AvoidCorsURLLoaderRestartOnRedirect"} <= disabled


def test_no_browser_when_the_profile_renders_nothing(tmp_path: Path) -> None:
    off = load_profile(write_profile(tmp_path, {"site": {"start_urls": ["http://www.zibo.gov.cn/"]},
                                                "crawl": {"auto_render_share": 0.0, "challenge_rechecks": 0}}))
    assert playwright_settings(off) == {}
    assert not wants_render("http://www.zibo.gov.cn/xxgk/zfgs/", off)
    # Re-checking anti-bot challenges needs the handler; it starts the browser only for one.
    off.crawl.challenge_rechecks = 10
    assert playwright_settings(off)["DOWNLOAD_HANDLERS"]["http"].endswith("SharedPlaywrightHandler")


def test_abort_request_blocks_images_fonts_and_media_only() -> None:
    from crawler.chromium import abort_request

    class R:
        def __init__(self, kind: str) -> None:
            self.resource_type = kind

    assert [abort_request(R(k)) for k in ("image", "font", "media")] == [True, True, True]
    assert [abort_request(R(k)) for k in ("document", "script", "xhr", "fetch", "stylesheet")] == [False] * 5


@pytest.mark.timeout(60)  # catastrophic backtracking would run far past this guard (each page takes ms)
def test_detection_ends_on_hostile_markup() -> None:
    hostile = [
        '<div class="' + "x" * 200_000 + '"><script>fetch("/a")</script>',   # one huge attribute
        '<ul id="list"><!--' + "y" * 200_000 + "<script>fetch('/a')</script>",  # a comment never closed
        "<div " + 'a="b" ' * 50_000 + "><script src='x.js'></script>",        # a huge tag
        ("$('" + "z" * 5000) * 50 + "<script>",                                 # unclosed jQuery selectors
    ]
    results = [looks_script_built(html, "") for html in hostile]
    assert results[0] is True  # an empty page whose only content a fetch() builds, however long its attribute


@pytest.mark.parametrize("html", [
    # Short pages that merely load the site's usual libraries: no browser for them.
    "<html><head><script src='/js/jquery.min.js'></script><script src='/js/common.js?v=2'></script></head>"
    "<body><div class='main'><p>网站地图</p></div></body></html>",
    "<html><head><script src='https://hm.baidu.com/hm.js?abc'></script></head><body><p>联系我们</p></body></html>",
])
def test_short_pages_with_only_library_scripts_are_left_alone(html: str) -> None:
    assert not _check(html)
