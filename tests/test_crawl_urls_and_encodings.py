"""Pure pieces of the crawl: URL canonicalisation, trap detection, decoding of GB pages,
visible-text extraction."""

from __future__ import annotations

import pytest

from crawler.decode import decode_body
from crawler.extract import extract
from crawler.urls import absolute, canonical, trap_reason


@pytest.mark.parametrize(("raw", "canon"), [
    ("HTTP://Www.Example.GOV.cn:80/a?b=2&a=1#top", "http://www.example.gov.cn/a?a=1&b=2"),
    ("https://www.example.gov.cn:443", "https://www.example.gov.cn/"),
    ("http://www.example.gov.cn:8080/x", "http://www.example.gov.cn:8080/x"),
    ("http://w.gov.cn/a.jsp;jsessionid=0AB12?id=3", "http://w.gov.cn/a.jsp?id=3"),
    ("http://w.gov.cn/a?utm_source=wx&utm_medium=m&id=3&JSESSIONID=x", "http://w.gov.cn/a?id=3"),
    ("http://w.gov.cn/x/./y/../z.html", "http://w.gov.cn/x/z.html"),
    ("http://w.gov.cn/%e6%94%bf%e5%8a%a1", "http://w.gov.cn/%E6%94%BF%E5%8A%A1"),
    ("http://w.gov.cn/政务", "http://w.gov.cn/%E6%94%BF%E5%8A%A1"),
])
def test_canonical_spelling(raw: str, canon: str) -> None:
    assert canonical(raw) == canon


@pytest.mark.parametrize("raw", ["//////", "////x", "http://", "http://localhost]", "file:///C:/a.doc", "https://[::1]:8443/",
                                 "http://w.gov.cn/a/../../b", "http://w.gov.cn/%zz?x=%", "mailto:a@b.cn", " http://W.gov.cn "])
def test_canonical_is_stable_on_odd_urls(raw: str) -> None:
    """A check is stored under canonical(url) and its links found again by canonicalising that
    key: the spelling must not move on a second pass ("//////" once lost two slashes a pass)."""
    once = canonical(raw)
    assert canonical(once) == once


def test_canonical_keeps_what_changes_the_page() -> None:
    assert canonical("http://w.gov.cn/A.html") != canonical("http://w.gov.cn/a.html")  # paths are case-sensitive
    assert canonical("http://w.gov.cn/list?page=2") != canonical("http://w.gov.cn/list?page=3")


def test_absolute_skips_non_fetchable_links_and_drops_fragments() -> None:
    base = "http://w.gov.cn/a/b.html"
    assert absolute(base, "c.html#p2") == "http://w.gov.cn/a/c.html"
    assert absolute(base, "?page=2") == "http://w.gov.cn/a/b.html?page=2"
    assert absolute(base, "..\\xxgk\\c.html") == "http://w.gov.cn/xxgk/c.html"  # as a browser reads it
    for href in ("mailto:x@w.gov.cn", "javascript:void(0)", "tel:12345", "data:image/png;base64,AA", "#top", "  "):
        assert absolute(base, href) is None


@pytest.mark.parametrize(("url", "reason"), [
    ("http://w.gov.cn/rl/2024/m/m/m/", "repeated_segment"),
    ("http://w.gov.cn/" + "/".join(f"d{i}" for i in range(14)) + "/", "path_too_deep"),
    ("http://w.gov.cn/s?q=" + "x" * 500, "url_too_long"),
    ("http://w.gov.cn/zwgk/zfxxgk/fdzdgknr/2024/01/t20240105_123.html", ""),
    ("http://w.gov.cn/a/b/a/b/", ""),  # two repeats are normal (e.g. /xxgk/bm/xxgk/)
])
def test_trap_reason(url: str, reason: str) -> None:
    assert trap_reason(url) == reason


GBK_PAGE = "<html><head><meta charset='utf-8'><title>关于做好2025年度镕铖项目申报工作的通知</title></head>" \
           "<body><p>各镇、街道：</p></body></html>"


def test_gbk_page_whose_meta_says_utf8_decodes() -> None:
    text, enc = decode_body(GBK_PAGE.encode("gbk"), "text/html")
    assert enc == "gb18030" and "镕铖项目" in text


def test_gb2312_declared_page_with_gbk_only_characters_decodes_as_gb18030() -> None:
    html = GBK_PAGE.replace("utf-8", "gb2312")
    text, enc = decode_body(html.encode("gbk"), "text/html; charset=gb2312")
    assert enc == "gb18030" and "镕铖" in text  # 镕 is not in GB2312: a strict gb2312 decode would fail


def test_gb18030_only_characters_decode() -> None:
    html = "<html><body>𠀀字与䶮</body></html>"
    text, _ = decode_body(html.encode("gb18030"), "")
    assert "𠀀字与䶮" in text


def test_utf8_page_whose_header_says_gbk_stays_utf8() -> None:
    text, enc = decode_body(GBK_PAGE.encode("utf-8"), "text/html; charset=gbk")
    assert enc == "utf-8" and "镕铖项目" in text


def test_big5_declared_page_uses_declared_charset() -> None:
    html = "<html><head><meta charset='big5'></head><body>臺灣政府</body></html>"
    text, enc = decode_body(html.encode("big5"), "")
    assert enc == "big5" and "臺灣政府" in text


def test_visible_text_drops_scripts_and_keeps_block_breaks() -> None:
    ex = extract("<html><head><title>标题</title><style>p{}</style></head><body><div>第一段<script>var x='隐藏';"
                 "</script>续</div><p>第二段<br>第三行</p><table><tr><td>甲</td><td>乙</td></tr></table></body></html>",
                 "http://w.gov.cn/")
    assert ex.title == "标题"
    assert ex.text.split("\n") == ["第一段续", "第二段", "第三行", "甲", "乙"]


def test_links_cover_every_tag_and_keep_anchor_text() -> None:
    html = ("<html><head><link rel='stylesheet' href='/s.css'><script src='/a.js'></script></head><body>"
            "<a href='/x.html'>政策 解读</a><img src='/i.png' alt='图'><iframe src='/f.html'></iframe>"
            "<map><area href='/m.html' title='地图'></map><embed src='/v.swf'><object data='/o.pdf'></object>"
            "<a href='/y.html'><img src='/logo.png' alt='首页'></a><a href='mailto:a@b.cn'>信箱</a></body></html>")
    ex = extract(html, "http://w.gov.cn/")
    got = {(t.removeprefix("http://w.gov.cn"), a, tag) for t, a, tag in ex.links}
    assert ("/x.html", "政策 解读", "a") in got
    assert ("/y.html", "首页", "a") in got
    assert {tag for _, _, tag in got} == {"a", "img", "script", "link", "iframe", "area", "embed", "object"}
    assert not any("mailto" in t for t, _, _ in got)


def test_meta_refresh_target_is_a_link() -> None:
    ex = extract("<html><head><meta http-equiv='Refresh' content='0; URL=/col/index.html'></head><body></body></html>",
                 "http://w.gov.cn/")
    assert ex.links == [("http://w.gov.cn/col/index.html", "", "meta")]
    ex = extract("<html><head><meta http-equiv='refresh' content='30'></head></html>", "http://w.gov.cn/")
    assert ex.links == []  # a plain reload names no target


def test_canonical_fast_path_agrees_with_the_full_parse() -> None:
    """URLs already in their one spelling skip the parse; the answer must be the same."""
    from zhaocuo.core.urlcanon import _canonical, _simple

    urls = ["http://a.gov.cn/x/y.html", "http://a.gov.cn:8080/a", "http://127.0.0.1:18765/farm/1.html",
            "http://a.gov.cn/~u/", "http://A.gov.cn/x", "http://a.gov.cn:80/x", "https://a.gov.cn:443/",
            "http://a.gov.cn:080/a", "http://a.gov.cn/a/../b", "http://a.gov.cn/.well-known/x", "http://a.gov.cn",
            "http://a.gov.cn/a b", "http://a.gov.cn/%41", "http://a.gov.cn./x", "https://a.gov.cn:99999/x",
            "http://a.gov.cn/a;jsessionid=1", "http://[::1]:80/", "http://a.gov.cn/a?b=1", "https://a.gov.cn:8443/p"]
    for url in urls:
        assert canonical(url) == _canonical(url), url
    assert _simple("http://a.gov.cn/x/y.html") and not _simple("http://a.gov.cn:80/x")
    assert not _simple("http://a.gov.cn/a/./b") and not _simple("http://A.gov.cn/")


def test_anchor_text_is_the_same_whether_or_not_the_anchor_has_children() -> None:
    from crawler.extract import extract

    html = ("<html><body><a href='/1'> 通知\n公告 </a><a href='/2'><span>工作</span>动态</a>"
            "<a href='/3'>政务<!-- x -->公开</a><a href='/4' title='标题'></a>"
            "<a href='/5'><img src='/i.png' alt='图片'></a></body></html>")
    anchors = [a for _, a, tag in extract(html, "http://h.gov.cn/").links if tag == "a"]
    assert anchors == ["通知\n公告", "工作动态", "政务公开", "标题", "图片"]
