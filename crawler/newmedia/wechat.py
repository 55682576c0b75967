"""WeChat official accounts (微信公众号) as their public web pages show them.

Two page shapes exist on mp.weixin.qq.com without the WeChat client:

- an article page (/s/…): the title in ``#activity-name`` (also ``var msg_title``, og:title),
  the publish time in the page's script variables (``var ct = "1700000000"``, ``publish_time``,
  ``create_time``) and in ``#publish_time`` once the script ran, the body in ``#js_content``.
  The article is the account's post;
- an album (合集) page (/mp/appmsgalbum…): ``li.album__list-item`` rows with ``data-link``,
  ``data-title`` and a create time (Unix seconds) in ``.js_article_create_time`` or an attribute.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urljoin

import lxml.html

from crawler.newmedia.posts import Post, from_timestamp, parse_when

_CT = re.compile(r"""\b(?:var\s+)?(?:ct|create_time|publish_time|ori_create_time)\s*[=:]\s*["']?(\d{10,13})["']?""")
_PUBLISH_STR = re.compile(r"""\b(?:var\s+)?publish_time\s*[=:]\s*["'](\d{4}-\d{1,2}-\d{1,2}[^"']*)["']""")
_TITLE = re.compile(r"""\bvar\s+msg_title\s*=\s*(?:['"])(.*?)(?:['"])\s*(?:\.html\(false\))?\s*;""")
_LINK = re.compile(r"""\bvar\s+msg_link\s*=\s*["']([^"']+)["']""")
_MAX_SCAN = 2_000_000


def _text(doc: lxml.html.HtmlElement, css_id: str) -> str:
    found = doc.xpath(f'//*[@id="{css_id}"]')
    return " ".join(found[0].text_content().split()) if found else ""


def _meta(doc: lxml.html.HtmlElement, prop: str) -> str:
    found = doc.xpath(f'//meta[@property="{prop}" or @name="{prop}"]/@content')
    return str(found[0]).strip() if found else ""


def article(doc: lxml.html.HtmlElement, html: str, url: str, now: datetime) -> Post | None:
    """The post an article page is, or None when the page is not an article."""
    if not doc.xpath('//*[@id="js_content"]') and not _CT.search(html[:_MAX_SCAN]):
        return None
    title = _text(doc, "activity-name") or _meta(doc, "og:title")
    if not title:
        m = _TITLE.search(html[:_MAX_SCAN])
        title = m.group(1).strip() if m else ""
    when, raw = None, ""
    m = _CT.search(html[:_MAX_SCAN])
    if m:
        when, raw = from_timestamp(m.group(1), now), m.group(0)
    if when is None:
        m = _PUBLISH_STR.search(html[:_MAX_SCAN])
        if m:
            when, raw = parse_when(m.group(1), now), m.group(0)
    if when is None:
        shown = _text(doc, "publish_time")
        when, raw = parse_when(shown, now), shown
    link = _meta(doc, "og:url")
    if not link:
        m = _LINK.search(html[:_MAX_SCAN])
        link = m.group(1).replace("&amp;", "&") if m else url
    return Post(title=title[:200], url=urljoin(url, link), date=when, raw_date=raw[:80])


def album(doc: lxml.html.HtmlElement, url: str, now: datetime) -> list[Post]:
    posts = []
    for li in doc.xpath('//li[contains(concat(" ", normalize-space(@class), " "), " album__list-item ")]'):
        link = li.get("data-link") or next(iter(li.xpath(".//a/@href")), "")
        title = li.get("data-title") or " ".join(li.text_content().split())[:200]
        raw = li.get("data-create_time") or li.get("data-create-time") or ""
        if not raw:
            cells = li.xpath('.//*[contains(@class, "create_time") or contains(@class, "create-time")]')
            raw = " ".join(cells[0].text_content().split()) if cells else ""
        when = from_timestamp(raw, now) if raw.isdigit() else parse_when(raw, now)
        if link:
            posts.append(Post(title=title[:200], url=urljoin(url, str(link)), date=when, raw_date=raw[:80]))
    return posts


def extract(doc: lxml.html.HtmlElement | None, html: str, url: str, now: datetime) -> list[Post]:
    if doc is None:
        return []
    posts = album(doc, url, now)
    if posts:
        return posts
    one = article(doc, html, url, now)
    return [one] if one else []


def looks_like(html: str) -> bool:
    """Content sniffing for platform "auto" on an unknown host (a mirror, a test server)."""
    head = html[:_MAX_SCAN]
    return 'id="js_content"' in head or "album__list-item" in head or "rich_media_title" in head
