"""Weibo (微博) public pages: the mobile site (m.weibo.cn) and the desktop site (weibo.com).

m.weibo.cn renders cards: ``div.card`` holding ``div.weibo-text`` and a ``span.time`` label
("刚刚", "3小时前", "昨天 10:21", "11-15", "2023-11-15") next to a link to ``/status/ID`` or
``/detail/ID``. weibo.com renders ``article`` feeds with a time link whose class contains
``head-info_time`` (text "23-11-15 10:00", full time in its title) and a ``detail_wbtext`` body.
Both are matched on class fragments, because the build hashes change the rest of the name.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urljoin

import lxml.html

from crawler.newmedia.posts import Post, parse_when

_CARDS = ('//div[contains(concat(" ", normalize-space(@class), " "), " card ")]'
          ' | //article | //div[contains(@class, "WB_cardwrap")]')
_TEXT = './/*[contains(@class, "weibo-text") or contains(@class, "wbtext") or contains(@class, "WB_text")]'
_TIME = ('.//*[contains(@class, "time") or contains(@class, "head-info_time") or contains(@class, "WB_from")'
         ' or self::time]')
_LINK = ('.//a[contains(@href, "/status/") or contains(@href, "/detail/") or contains(@class, "head-info_time")'
         ' or contains(@class, "time")]/@href')


def extract(doc: lxml.html.HtmlElement | None, html: str, url: str, now: datetime) -> list[Post]:
    if doc is None:
        return []
    posts: dict[str, Post] = {}
    cards = doc.xpath(_CARDS)
    matched = set(cards)
    for card in cards:
        if any(anc in matched for anc in card.iterancestors()):
            continue  # the inner part of a card (m.weibo.cn wraps the text in an <article>)
        texts = card.xpath(_TEXT)
        if not texts:
            continue
        # A card nests in another card (repost): the innermost text is the post's own.
        body = " ".join(texts[0].text_content().split())
        when, raw = None, ""
        for t in card.xpath(_TIME):
            raw = (t.get("title") or t.get("datetime") or " ".join(t.text_content().split())).strip()
            when = parse_when(raw, now)
            if when:
                break
        links = card.xpath(_LINK)
        link = urljoin(url, str(links[0])) if links else ""
        key = link or f"{url}#{body[:40]}"
        if key in posts:
            continue
        posts[key] = Post(title=body[:120], url=link or url, date=when, raw_date=raw[:80])
    return list(posts.values())


def looks_like(html: str) -> bool:
    head = html[:2_000_000]
    return "weibo-text" in head or "detail_wbtext" in head or "WB_text" in head
