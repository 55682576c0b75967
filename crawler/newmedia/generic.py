"""The generic adapter: any page of dated links (a 政务新媒体 矩阵 page, a column of a portal…).

A link is a post when a date stands in its anchor, in its own list row (li, tr, dd…), or in its
URL (/2024/03/05/, t20240305_). Rows are kept short (a whole page body is not a "row"), so a date
elsewhere on the page is never lent to an undated link. In free text only full dates
("2024-03-05", "2024年3月5日") and relative phrases ("3小时前", "昨天") count: a bare "3-5" in a
title ("第3-5条") is not a date. A short "11-15" counts only as the whole text of its own
element (``<span class="date">11-15</span>``), which is how lists print it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html

from crawler.newmedia.posts import Post, _plausible, parse_when
from zhaocuo.core.dates import DATE_RE, url_date

_ROW_TAGS = ("li", "tr", "dd", "dt", "p", "article", "section", "div", "td")
MAX_ROW_CHARS = 300
MAX_POSTS = 500
_RELATIVE = re.compile(r"刚刚|\d+\s*(?:秒|分钟|个?小时|天|周|个?月|年)前|今天|昨天|前天")
_ALONE_MONTH_DAY = re.compile(r"^[\[(（【]?\s*\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?(?:\s+\d{1,2}:\d\d)?\s*[\])）】]?$")


def free_text_date(text: str, now: datetime) -> date | None:
    """A full date or a relative phrase in running text, else None."""
    if not text:
        return None
    if DATE_RE.search(text) or _RELATIVE.search(text):
        return parse_when(text, now)
    return None


def _row(a: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The nearest short row around ``a`` holding no other link (never the page body)."""
    el = a.getparent()
    for _ in range(4):
        if el is None or el.tag in ("body", "html"):
            return None
        if len(" ".join(el.text_content().split())) > MAX_ROW_CHARS:
            return None
        if el.tag in _ROW_TAGS:
            return el if len(el.xpath(".//a[@href]")) == 1 else None
        el = el.getparent()
    return None


def _row_date(row: lxml.html.HtmlElement, a: lxml.html.HtmlElement, now: datetime) -> tuple[date | None, str]:
    for t in row.iter("time"):
        d = parse_when(t.get("datetime") or t.text_content(), now)
        if d:
            return d, t.get("datetime") or t.text_content()
    for el in row.iter():
        if el is a or not isinstance(el.tag, str) or len(el):
            continue
        text = " ".join(el.text_content().split())
        if _ALONE_MONTH_DAY.match(text):
            return parse_when(text, now), text
    text = " ".join(row.text_content().split())
    anchor = " ".join(a.text_content().split())
    rest = text.replace(anchor, " ") if anchor else text
    return free_text_date(rest, now), rest


def extract(doc: lxml.html.HtmlElement | None, html: str, url: str, now: datetime) -> list[Post]:
    """Every dated link of the page as a post."""
    if doc is None:
        return []
    posts: dict[str, Post] = {}
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "#")):
            continue
        try:
            target = urldefrag(urljoin(url, href))[0]
        except ValueError:
            continue
        if urlsplit(target).scheme not in ("http", "https") or target in posts:
            continue
        anchor = " ".join(a.text_content().split())
        title = (a.get("title") or anchor).strip()
        when, raw = free_text_date(anchor, now), anchor
        if when is None:
            row = _row(a)
            if row is not None:
                when, raw = _row_date(row, a, now)
        if when is None:
            when, raw = _plausible(url_date(target), now), target
        if when is None:
            continue
        if title and DATE_RE.fullmatch(title.strip()):
            title = ""  # the anchor was only the date
        posts[target] = Post(title=title[:200], url=target, date=when, raw_date=raw[:80])
        if len(posts) >= MAX_POSTS:
            break
    return list(posts.values())
