"""Every link a page carries: srcset, picture/source, CSS url() and @import, <link> rel variants,
meta content URLs, track src, formaction; hrefs no browser can follow are dead links of their own
kind (invalid_url, local_file), never dropped nor repaired; a disabled style sheet is not checked.

Unit tests pin crawler.extract; one crawl of a loopback site pins the whole path (stored links,
checks, and the dead_link findings a unit receives)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from audits import dead_link
from crawler import linkcheck, site
from crawler.extract import INVALID_URL, LOCAL_FILE, css_urls, extract, invalid_href, srcset_urls
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route
from zhaocuo.core.context import AuditContext
from zhaocuo.core.profile import load_profile
from zhaocuo.core.store import SQLiteStore

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)

BASE = "http://www.test.gov.cn/xwzx/index.html"


def targets(html: str, tag: str | None = None) -> list[str]:
    return [t for t, _, g in extract(html, BASE).links if tag is None or g == tag]


def test_srcset_descriptors_commas_and_data_uris() -> None:
    assert srcset_urls("a.jpg 1x, b.jpg 2x") == ["a.jpg", "b.jpg"]
    assert srcset_urls("s.jpg 480w,m.jpg 800w , l.jpg") == ["s.jpg", "m.jpg", "l.jpg"]
    assert srcset_urls("/img/a,b.jpg 1x, /img/c.jpg 2x") == ["/img/a,b.jpg", "/img/c.jpg"]  # a comma inside a URL
    assert srcset_urls("data:image/png;base64,iVBORw0KGgo= 1x, hi.png 2x") == [
        "data:image/png;base64,iVBORw0KGgo=", "hi.png"]
    assert srcset_urls("x.jpg, y.jpg") == ["x.jpg", "y.jpg"]  # trailing commas end a candidate
    html = ("<img src='a.jpg' srcset='a.jpg 1x, a@2x.jpg 2x, data:image/gif;base64,R0lGOD,lh 3x' alt='图'>"
            "<picture><source srcset='/p/wide.webp 800w, /p/narrow.webp 400w' type='image/webp'>"
            "<source src='/p/legacy.jpg'><img src='/p/fallback.jpg'></picture>")
    got = targets(html)
    assert "http://www.test.gov.cn/xwzx/a@2x.jpg" in got
    assert {"http://www.test.gov.cn/p/wide.webp", "http://www.test.gov.cn/p/narrow.webp"} <= set(targets(html, "source"))
    assert "http://www.test.gov.cn/p/fallback.jpg" in got and "http://www.test.gov.cn/p/legacy.jpg" in got
    assert not any(t.startswith("data:") or "R0lGOD" in t for t in got)


def test_css_url_in_style_attributes_blocks_and_import() -> None:
    assert css_urls("a{background:url( 'x.png' )} /* url(no.png) */ b{background:url(y.png)}") == ["x.png", "y.png"]
    assert css_urls('@import "print.css"; @import url(base.css) screen;') == ["print.css", "base.css"]
    html = ("<head><style>@import '/css/theme.css'; .b{background:url(\"../img/bg.jpg\")}</style></head>"
            "<body><div style=\"background-image:url(/img/banner.png)\">横幅</div>"
            "<td style='background:url(data:image/png;base64,AAAA)'></td></body>")
    assert set(targets(html, "css")) == {"http://www.test.gov.cn/css/theme.css", "http://www.test.gov.cn/img/bg.jpg",
                                         "http://www.test.gov.cn/img/banner.png"}


def test_link_rel_variants_and_disabled_stylesheet() -> None:
    html = ("<head><link rel='alternate' hreflang='en' href='/en/'>"
            "<link rel='alternate' type='application/rss+xml' title='通知公告' href='/rss/tzgg.xml'>"
            "<link rel='apple-touch-icon' href='/touch.png'><link rel='canonical' href='/xwzx/'>"
            "<link rel='preload' as='font' href='/f.woff2'><link rel='stylesheet' href='/live.css'>"
            "<link rel='stylesheet' href='/off.css' disabled><link rel='dns-prefetch' href='//cdn.test.gov.cn'>"
            "<link rel='preconnect' href='https://cdn.test.gov.cn'></head>")
    got = set(targets(html, "link"))
    assert got == {"http://www.test.gov.cn/en/", "http://www.test.gov.cn/rss/tzgg.xml", "http://www.test.gov.cn/touch.png",
                   "http://www.test.gov.cn/xwzx/", "http://www.test.gov.cn/f.woff2", "http://www.test.gov.cn/live.css"}


def test_meta_content_urls_track_formaction_poster() -> None:
    html = ("<head><meta property='og:image' content='/share/logo.png'><meta name='twitter:image' "
            "content='https://img.test.gov.cn/t.jpg'><meta property='og:title' content='/not/a/url'>"
            "<meta name='description' content='http://www.test.gov.cn/desc'></head><body>"
            "<video src='/v.mp4' poster='/v.jpg'><track kind='captions' src='/v.zh.vtt'></video>"
            "<form><button formaction='/submit.jsp'>提交</button><input type='image' src='/go.gif'></form></body>")
    assert set(targets(html, "metaurl")) == {"http://www.test.gov.cn/share/logo.png", "https://img.test.gov.cn/t.jpg"}
    assert targets(html, "track") == ["http://www.test.gov.cn/v.zh.vtt"]
    assert targets(html, "button") == ["http://www.test.gov.cn/submit.jsp"]
    assert "http://www.test.gov.cn/v.jpg" in targets(html, "img")
    assert "http://www.test.gov.cn/go.gif" in targets(html, "input")


@pytest.mark.parametrize(("href", "kind"), [
    ("http://", INVALID_URL), ("https://", INVALID_URL), ("http://localhost]", INVALID_URL), ("//////", INVALID_URL),
    ("http:// www.test.gov.cn/", INVALID_URL), ("http://www.test.gov.cn:99999/", INVALID_URL),
    ("http://[::1/", INVALID_URL), ("file:///C:/Users/admin/Desktop/通知.doc", LOCAL_FILE),
    ("C:\\Documents\\附件1.xls", LOCAL_FILE),
    ("http://www.test.gov.cn/", None), ("//cdn.test.gov.cn/a.js", None), ("http://[::1]:8080/", None),
    ("/a/b.html", None), ("b.html", None), ("http:b.html", None), ("mailto:x@test.gov.cn", None),
    ("javascript:;", None), ("#top", None), ("?page=2", None),
])
def test_invalid_href_kinds(href: str, kind: str | None) -> None:
    assert invalid_href(href) == kind


def test_invalid_hrefs_are_kept_as_written_not_repaired() -> None:
    ex = extract("<a href='http://'>占位</a><a href='//////'>斜杠</a><a href='http://localhost]'>本机</a>"
                 "<img src='file:///C:/图片/1.jpg' alt='照片'><a href='/ok.html'>正常</a>", BASE)
    assert [(h, k) for h, _, _, k in ex.invalid] == [
        ("http://", INVALID_URL), ("//////", INVALID_URL), ("http://localhost]", INVALID_URL),
        ("file:///C:/图片/1.jpg", LOCAL_FILE)]
    assert [t for t, _, _ in ex.links] == ["http://www.test.gov.cn/ok.html"]  # nothing resolved to the page or root
    assert ex.invalid[3][1:3] == ("照片", "img")


def page(title: str, body: str = "", head: str = "") -> str:
    return f"<html><head><meta charset='utf-8'><title>{title}</title>{head}</head><body>{body}</body></html>"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("links")
    routes = {
        "/": Route(body=page("某区人民政府", head="<link rel='stylesheet' href='/off.css' disabled>"
                             "<link rel='alternate' type='application/rss+xml' href='/rss.xml'>"
                             "<meta property='og:image' content='/share.png'>"
                             "<style>.top{background:url(/img/top-gone.png)}</style>",
                             body="<a href='/news.html'>新闻</a><a href='http://'>网上办事</a>"
                                  "<a href='//////'>友情链接</a><a href='http://localhost]'>内网系统</a>"
                                  "<a href='file:///C:/Users/admin/Desktop/附件.doc'>附件下载</a>"
                                  "<img src='/img/a.jpg' srcset='/img/a.jpg 1x, /img/a-2x.jpg 2x' alt='活动照片'>"
                                  "<div style='background:url(/img/bg.png)'>横幅</div>"
                                  "<video src='/v.mp4'><track src='/v.vtt'></video>")),
        "/news.html": Route(body=page("新闻", "<p>正文</p>")),
        "/img/a.jpg": Route(body=b"GIF89a", content_type="image/gif"),
        "/img/bg.png": Route(body=b"PNG", content_type="image/png"),
        "/v.mp4": Route(body=b"mp4", content_type="video/mp4"),
        "/share.png": Route(body=b"PNG", content_type="image/png"),
        "/rss.xml": Route(body="<rss/>", content_type="application/rss+xml"),
        "*": Route(404, page("页面不存在", "<p>您访问的页面不存在</p>")),
    }
    with LoopbackServer(routes) as srv:
        base = srv.url("")
        profile = load_profile(write_profile(tmp, {
            "site": {"name": "链接测试", "start_urls": [base + "/"], "own_site": True},
            "crawl": {"timeout_s": 3.0, "retries": 0, "auto_render_share": 0.0}}))
        store = SQLiteStore(profile.default_store_path())
        run_id, _ = store.begin_run()
        stats = site.gather(profile, store, run_id, False)
        stats.update(linkcheck.gather(profile, store, run_id, False))
        store.finish_run(run_id, "complete", stats)
        crawl = store.crawl()
        findings = list(dead_link.audit(AuditContext(crawl, profile, date(2026, 11, 27))))
        yield {"base": base, "findings": findings, "hits": list(srv.hits), "crawl": crawl}


def test_crawl_reports_dead_srcset_css_and_track_targets(crawled: dict[str, Any]) -> None:
    base = crawled["base"]
    dead = {f.target: f for f in crawled["findings"]}
    for path in ("/img/a-2x.jpg", "/img/top-gone.png", "/v.vtt"):
        assert base + path in dead, path
    assert dead[base + "/img/a-2x.jpg"].extra["tag"] == "img" and "图片" in dead[base + "/img/a-2x.jpg"].message
    assert "字幕文件" in dead[base + "/v.vtt"].message
    for path in ("/img/a.jpg", "/img/bg.png", "/share.png", "/rss.xml", "/news.html"):
        assert base + path not in dead, path


def test_crawl_reports_invalid_and_local_file_links_of_their_own_kind(crawled: dict[str, Any]) -> None:
    dead = {f.target: f for f in crawled["findings"]}
    for href in ("http://", "//////", "http://localhost]"):
        assert dead[href].extra["error_kind"] == "invalid_url", href
        assert "格式错误" in dead[href].message
    local = dead["file:///C:/Users/admin/Desktop/附件.doc"]
    assert local.extra["error_kind"] == "local_file" and "附件下载" in local.message
    assert crawled["base"] + "/" not in dead  # "//////" and "http://" were not repaired into the homepage


def test_disabled_stylesheet_is_not_fetched_nor_reported(crawled: dict[str, Any]) -> None:
    assert not any(p.startswith("/off.css") for _, p in crawled["hits"])
    assert not any(f.target.endswith("/off.css") for f in crawled["findings"])


def test_invalid_links_are_stored_once_with_a_check(crawled: dict[str, Any]) -> None:
    crawl = crawled["crawl"]
    stored = {lk.target: lk for lk in crawl.links_from(crawled["base"] + "/")}
    assert {"http://", "//////", "http://localhost]"} <= set(stored)
    assert crawl.link_check("http://localhost]").error_kind == "invalid_url"
