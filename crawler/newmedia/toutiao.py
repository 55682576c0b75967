"""Toutiao (今日头条) public account pages (www.toutiao.com/c/user/token/…).

Feed cards (class fragments ``profile-article-card``, ``feed-card-article``, ``feed-card-wrapper``)
hold a title link to ``/article/ID``, ``/group/ID``, ``/item/ID`` or ``/w/ID`` and a time label
(class fragment ``time``: "3小时前", "11-15", "2023-11-15"). Without a label the id gives the date:
like Douyin's, a Toutiao id keeps its creation time in its top 32 bits.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urljoin

import lxml.html

from crawler.newmedia.posts import Post, from_snowflake_id, parse_when

_ITEM = re.compile(r"/(?:article|group|item|w|video)/(?:a)?(\d{15,20})")
_CARDS = ('//*[contains(@class, "profile-article-card") or contains(@class, "feed-card-article")'
          ' or contains(@class, "feed-card-wrapper") or contains(@class, "feed-card-w")]')


def extract(doc: lxml.html.HtmlElement | None, html: str, url: str, now: datetime) -> list[Post]:
    if doc is None:
        return []
    posts: dict[str, Post] = {}
    cards = doc.xpath(_CARDS) or [doc]
    for card in cards:
        for a in card.iter("a"):
            m = _ITEM.search(a.get("href") or "")
            title = " ".join(a.text_content().split())
            if not m or not title:
                continue
            link = urljoin(url, a.get("href") or "")
            if link in posts:
                continue
            when, raw = None, ""
            if card is not doc:
                for t in card.xpath('.//*[contains(@class, "time")]'):
                    raw = " ".join(t.text_content().split())
                    when = parse_when(raw, now)
                    if when:
                        break
            if when is None:
                when, raw = from_snowflake_id(m.group(1), now), f"id {m.group(1)}"
            posts[link] = Post(title=title[:200], url=link, date=when, raw_date=raw[:80])
            break  # one post per card: the first titled item link
    return list(posts.values())


def looks_like(html: str) -> bool:
    head = html[:2_000_000]
    return "profile-article-card" in head or "feed-card-article" in head
