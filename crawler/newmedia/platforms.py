"""Which adapter reads an account page: by the profile's ``platform``, else by host, else by content."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import ModuleType
from urllib.parse import urlsplit

import lxml.html

from crawler.newmedia import douyin, generic, toutiao, wechat, weibo
from crawler.newmedia.posts import Post

ADAPTERS: dict[str, ModuleType] = {"wechat": wechat, "weibo": weibo, "douyin": douyin, "toutiao": toutiao,
                                   "generic": generic}
ALIASES = {"weixin": "wechat", "微信": "wechat", "公众号": "wechat", "微博": "weibo", "抖音": "douyin",
           "头条": "toutiao", "今日头条": "toutiao", "auto": "auto", "": "auto"}
_HOSTS = {"mp.weixin.qq.com": "wechat", "weibo.com": "weibo", "weibo.cn": "weibo", "douyin.com": "douyin",
          "toutiao.com": "toutiao"}

Extractor = Callable[[lxml.html.HtmlElement | None, str, str, datetime], list[Post]]


def normalise(platform: str) -> str:
    """The adapter name for a profile's ``platform`` value ("auto" when it names none we know)."""
    p = (platform or "").strip().lower()
    p = ALIASES.get(p, p)
    return p if p in ADAPTERS or p == "auto" else "unknown"


def detect(url: str, html: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    for suffix, name in _HOSTS.items():
        if host == suffix or host.endswith("." + suffix):
            return name
    for name in ("wechat", "weibo", "douyin", "toutiao"):
        if ADAPTERS[name].looks_like(html):
            return name
    return "generic"


def extract(platform: str, doc: lxml.html.HtmlElement | None, html: str, url: str,
            now: datetime) -> tuple[str, list[Post]]:
    """(adapter used, posts). A platform adapter that finds nothing falls back to the generic one,
    so a redesigned platform page still yields its dated links."""
    name = normalise(platform)
    if name in ("auto", "unknown"):
        name = detect(url, html)
    posts = ADAPTERS[name].extract(doc, html, url, now)
    if not posts and name != "generic":
        fallback = generic.extract(doc, html, url, now)
        if fallback:
            return "generic", fallback
    return name, posts
