"""Soft 404: a page that answers 200 but says the page does not exist.

Government CMSs often answer a deleted article with "200 OK" and a page saying 页面不存在 /
信息已删除, or redirect every unknown address to one error page. Such a link is as dead as
a 404 for the visitor, and the national check counts it so. The judgement must leave alone
a normal page that merely mentions "404" or "删除" in its body (a notice about deleting
records, a road named 404), so the text rule only applies to a *short* page, and the title
rule only to titles that are themselves an error message.
"""

from __future__ import annotations

import difflib
import re
from urllib.parse import urlsplit

# Phrases that say "this page does not exist" and that an ordinary article almost never
# contains: enough in a title or anywhere in a page of error-page size.
_STRONG = (
    "页面不存在", "网页不存在", "页面未找到", "找不到页面", "找不到该页面", "找不到您要的页面", "页面找不到",
    "访问的页面不存在", "页面已删除", "页面已被删除", "信息已删除", "信息已被删除", "内容已删除", "内容已被删除",
    "文章已删除", "文章不存在", "信息不存在", "文档不存在", "栏目不存在", "已被删除或不存在", "不存在或已被删除",
    "不存在或已删除", "页面无法访问", "无法找到该页", "page not found", "404 not found", "页面不见了", "页面走丢了",
)
# Phrases a normal notice may use ("返回 404 错误", "not found in …"): only in a title, or
# in a page whose whole text is a one-line message.
_WEAK = ("not found", "404错误", "错误404", "404 错误", "404页面", "file not found", "已删除", "已被删除", "已撤销",
         "已下线")
_STRONG_RE = re.compile("|".join(re.escape(p) for p in _STRONG), re.I)
_WEAK_RE = re.compile("|".join(re.escape(p) for p in _WEAK), re.I)
# A title that is only an error code ("404", "404 - 页面", "Error 404").
_TITLE_404 = re.compile(r"^\W*(error\s*)?(404|410)\b", re.I)
# Error pages keep the site's header and footer, so "error-page size" is generous; an
# article that quotes the phrase is longer.
SHORT_TEXT_CHARS = 600
VERY_SHORT_TEXT_CHARS = 30


def _short(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def says_not_found(title: str, text: str) -> str:
    """The phrase that makes this page an error page, or "" when it is a normal page."""
    title = (title or "").strip()
    if title:
        m = _STRONG_RE.search(title) or _WEAK_RE.search(title)
        if m:
            return m.group(0)
        if _TITLE_404.match(title):
            return title[:20]
    body = _short(text)
    if body and len(body) < SHORT_TEXT_CHARS:
        m = _STRONG_RE.search(text)
        if m:
            return m.group(0)
    if body and len(body) < VERY_SHORT_TEXT_CHARS:
        m = _WEAK_RE.search(body)
        if m:
            return m.group(0)
    return ""


_ROOT_PATHS = {"/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/index.php", "/index.asp",
               "/index.aspx", "/default.htm", "/default.html", "/default.aspx", "/default.asp"}


def _is_root(url: str) -> bool:
    try:
        return (urlsplit(url).path or "/") in _ROOT_PATHS
    except ValueError:
        return False


def _similar(a: str, b: str) -> bool:
    a, b = _short(a)[:1000], _short(b)[:1000]
    if not a and not b:
        return True
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.9


def probe_is_usable(probe_title: str, probe_text: str, home_title: str, home_text: str) -> bool:
    """Whether the host's answer to a nonexistent address can identify soft 404s at all.

    Not when it is the homepage again, or a script shell with next to no text (a single-page
    application answers every address with the same shell): then every page of the site
    would "match", and flagging them all would be the worst kind of false alarm."""
    if len(_short(probe_text)) < 10:
        return False
    if (probe_title or "").strip() == (home_title or "").strip() and _similar(probe_text, home_text):
        return False
    return True


def matches_probe(url: str, final_url: str, title: str, text: str, probe_status: int | None, probe_url: str,
                  probe_final_url: str, probe_title: str, probe_text: str) -> bool:
    """True when the page looks like the host's own answer to a nonexistent address.

    Only meaningful when the probe got 200 (a site that answers real 404s needs no
    comparison). A site that sends unknown addresses to its homepage would make every
    link to the homepage "match", so a homepage (or a probe landing on one) never does.
    """
    if probe_status is None or not 200 <= probe_status < 300:
        return False
    if _is_root(url) or _is_root(final_url) or _is_root(probe_final_url):
        return False
    if probe_final_url and probe_final_url != probe_url and final_url == probe_final_url:
        return True  # redirected to the very page unknown addresses land on
    if not probe_title or (title or "").strip() != probe_title.strip():
        return False
    # The probe's text may echo the address asked for; near-identical is enough.
    return _similar(text, probe_text)
