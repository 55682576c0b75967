"""Douyin (抖音) public user pages (www.douyin.com/user/…).

The page embeds its first screen of data as URL-encoded JSON in ``<script id="RENDER_DATA">``:
items carry ``awemeId``/``aweme_id``, ``desc`` and ``createTime``/``create_time`` (Unix seconds).
The rendered list (``ul[data-e2e="scroll-list"]``) shows no dates, but each ``/video/ID`` link
has one: a Douyin id keeps its creation time in its top 32 bits.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urljoin

import lxml.html

from crawler.newmedia.posts import Post, from_snowflake_id, from_timestamp

_VIDEO = re.compile(r"/(?:video|note)/(\d{15,20})")
MAX_JSON_CHARS = 5_000_000
MAX_ITEMS = 500


def _walk(node: Any, out: list[dict[str, Any]], depth: int = 0) -> None:
    if depth > 40 or len(out) >= MAX_ITEMS:
        return
    if isinstance(node, dict):
        if ("awemeId" in node or "aweme_id" in node) and ("createTime" in node or "create_time" in node):
            out.append(node)
            return
        for v in node.values():
            _walk(v, out, depth + 1)
    elif isinstance(node, list):
        for v in node:
            _walk(v, out, depth + 1)


def from_render_data(doc: lxml.html.HtmlElement, url: str, now: datetime) -> list[Post]:
    found = doc.xpath('//script[@id="RENDER_DATA"]/text()')
    if not found:
        return []
    raw = str(found[0])[:MAX_JSON_CHARS]
    try:
        data = json.loads(unquote(raw))
    except ValueError:
        return []
    items: list[dict[str, Any]] = []
    _walk(data, items)
    posts = []
    for it in items:
        vid = str(it.get("awemeId") or it.get("aweme_id"))
        ts = it.get("createTime") or it.get("create_time")
        posts.append(Post(title=str(it.get("desc") or "")[:200], url=urljoin(url, f"/video/{vid}"),
                          date=from_timestamp(ts, now) or from_snowflake_id(vid, now), raw_date=str(ts)))
    return posts


def from_links(doc: lxml.html.HtmlElement, url: str, now: datetime) -> list[Post]:
    posts: dict[str, Post] = {}
    for a in doc.iter("a"):
        m = _VIDEO.search(a.get("href") or "")
        if not m:
            continue
        link = urljoin(url, a.get("href") or "")
        if link in posts:
            continue
        title = " ".join(a.text_content().split()) or next(iter(a.xpath(".//img/@alt")), "")
        posts[link] = Post(title=str(title)[:200], url=link, date=from_snowflake_id(m.group(1), now),
                           raw_date=f"id {m.group(1)}")
    return list(posts.values())


def extract(doc: lxml.html.HtmlElement | None, html: str, url: str, now: datetime) -> list[Post]:
    if doc is None:
        return []
    return from_render_data(doc, url, now) or from_links(doc, url, now)


def looks_like(html: str) -> bool:
    head = html[:2_000_000]
    return 'id="RENDER_DATA"' in head or 'data-e2e="scroll-list"' in head
