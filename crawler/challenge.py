"""Anti-bot challenges: answers that a WAF gateway gives a client without JavaScript instead
of the page, recognised by their signatures so that they are never taken for dead links.

Many government sites sit behind such gateways. The common shapes:

- 瑞数 (Riversecurity): HTTP 412 (some versions 200/202), an empty page whose inline script
  starts with ``$_ts=window['$_ts']`` and a script file that computes a cookie and reloads;
- 加速乐 (Jiasule, Zhidao Chuangyu): HTTP 521, a one-line script
  ``document.cookie=…;location.href=location.pathname+location.search`` (obfuscated), then a
  second 521 whose script names the ``__jsl_clearance`` cookie; ``__jsluid`` set in a header;
- other vendors' "访问验证" / "浏览器安全检查" pages: a short page whose script sets a cookie and
  reloads or redirects.

A browser runs the script, sends the cookie back and gets the page; a plain client (Scrapy,
every open-source link checker) gets the challenge every time. ``recognise`` is pure (no
I/O, no Scrapy), bounded (it reads at most ``MAX_BYTES``) and strict: a false "challenge"
would hide a real dead link, so a page is a challenge only when it is small, shows almost no
text, and carries a gateway's own marker or a script that both sets a cookie and navigates.
Real error pages (404, 410, 500, 502…) are never challenges, whatever their scripts do.

The crawl hands the cookies the browser got through with to its plain requests to the same
site (crawler.spider, ``gateway_cookies``): while the gateway accepts them, the site's other
pages need no browser.

``Challenge.known`` separates the gateways' own signatures (a marker, or the 412/521 status
they use, which a server never answers a plain GET with otherwise) from a generic cookie
script on a 403/503/200: only a known challenge that the browser could not pass is reported
as "受防护，未检查" (protected, not checked); a generic one keeps its raw result.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from crawler.decode import decode_body
from zhaocuo.core.store import PROTECTED, LinkCheck, now_iso

# Statuses a challenge comes with. 404/410/5xx other than 503 are errors whatever they hold.
STATUSES = frozenset({200, 202, 403, 412, 503, 521})
# Statuses only anti-bot gateways answer a plain GET with (412 Precondition Failed needs
# conditional headers we never send; 521 is not a standard status at all).
GATEWAY_STATUSES = frozenset({412, 521})
MAX_BYTES = 64 * 1024       # a challenge page is a few KB; real pages are larger
MAX_BYTES_200 = 16 * 1024   # an HTTP 200 without a gateway's marker: only a very small page is read
MAX_VISIBLE_CHARS = 200     # letters/digits/Han shown outside scripts and styles

_SCRIPT = re.compile(r"<script\b([^>]{0,500})>(.*?)</script\s*>", re.I | re.S)
_SCRIPT_SRC = re.compile(r"\bsrc\s*=\s*[\"']?([^\"'\s>]{1,500})", re.I)
_HIDDEN = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_TAG = re.compile(r"<[^>]{0,2000}>")
_TITLE = re.compile(r"<title\b[^>]{0,200}>(.*?)</title\s*>", re.I | re.S)
_MEANINGFUL = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]")
_META_REFRESH = re.compile(r"<meta\b[^>]{0,300}http-equiv\s*=\s*[\"']?refresh", re.I)
# document.cookie = …  /  document["cookie"] = …  (an assignment, not a comparison or a read)
_COOKIE_SET = re.compile(r"document\s*(?:\.\s*cookie|\[\s*[\"']cookie[\"']\s*\])\s*=(?!=)", re.I)
# location.reload() / .replace( / .assign( / location.href = / window.location = / location = …
_NAVIGATE = re.compile(
    r"location\s*\.\s*(?:reload|replace|assign)\s*\(|location\s*\.\s*(?:href|pathname|search|hash)\s*=(?!=)|"
    r"(?<![\w$.])(?:(?:window|self|top|document)\s*\.\s*)?location\s*=(?!=)", re.I)
# 瑞数: $_ts=window['$_ts'] … $_ts.nsd / $_ts.cd; the marker sits in every version's first page.
_RUISHU = re.compile(r"\$_ts\s*=\s*window\s*\[|\$_ts\s*\.\s*(?:nsd|cd|lcd)\b")
_JIASULE = re.compile(r"__jsl_clearance|__jsluid", re.I)
# Words a verification page says about itself (not "访问被拒绝": that is a refusal, not a test).
_VERIFY_WORDS = ("访问验证", "安全验证", "人机验证", "正在验证", "验证中，请稍", "浏览器安全检查", "正在检查您的浏览器",
                 "正在进行安全检测")
_VERIFY = re.compile("|".join(_VERIFY_WORDS) + r"|checking your browser|just a moment|please wait while we verify|"
                     r"ddos protection", re.I)

LABELS = {"ruishu": "瑞数", "jiasule": "加速乐", "verify": "访问验证页", "cookie_script": "脚本验证页"}


@dataclass(frozen=True)
class Challenge:
    """What a gateway answered: ``vendor`` (a key of LABELS), the status it came with, and
    whether the signature is a gateway's own (``known``: unpassed → protected) or only generic."""

    vendor: str
    status: int
    known: bool

    @property
    def label(self) -> str:
        return f"{LABELS.get(self.vendor, self.vendor)}（HTTP {self.status}）"


def maybe_challenge(status: int | None, body: bytes) -> bool:
    """A cheap first test on raw bytes (every response passes here): only a small body with a
    status challenges come with and a script can be one; a 200 page also needs a sign of one."""
    if status not in STATUSES or not body or len(body) > MAX_BYTES:
        return False
    head = body.lower()
    if b"<script" not in head:
        return False
    if status not in (200, 202):
        return True
    if b"$_ts" in head or b"__jsl" in head:
        return True
    # A generic challenge page is a few KB; a real page that merely sets a cookie in a script
    # (a font-size switch, analytics) is larger: measured on real pages, none under 16 KB.
    return len(body) <= MAX_BYTES_200 and (
        ((b"document.cookie" in head or b"document[" in head) and b"location" in head)
        or b"checking your browser" in head or b"just a moment" in head
        or any(word in body for word in _VERIFY_BYTES))


# The same words in UTF-8 and GBK (a GBK byte may fall in A-Z: compared before lower()).
_VERIFY_BYTES = tuple(w.encode(enc) for w in _VERIFY_WORDS for enc in ("utf-8", "gb18030"))


def recognise(status: int | None, html: str, set_cookie: str = "") -> Challenge | None:
    """The challenge this answer is, or None for an ordinary page (or error page).

    ``html``: the decoded body (or a browser's DOM); ``set_cookie``: the response's Set-Cookie
    header values joined, where the gateway names its cookie (加速乐's ``__jsluid``)."""
    if status not in STATUSES or not html or len(html) > MAX_BYTES:
        return None
    if not (_RUISHU.search(html) or _COOKIE_SET.search(html) or _VERIFY.search(html) or _JIASULE.search(html)
            or _JIASULE.search(set_cookie)):
        return None  # no sign of any challenge anywhere: the common case, decided cheaply
    scripts = _SCRIPT.findall(html)
    if not scripts:
        return None
    visible = _TAG.sub(" ", _HIDDEN.sub(" ", html))
    if len(_MEANINGFUL.findall(visible)) > MAX_VISIBLE_CHARS:
        return None  # a page with content: whatever its scripts do, it is the page
    code = "\n".join(body for _, body in scripts)
    sources = " ".join(m for attrs, _ in scripts for m in _SCRIPT_SRC.findall(attrs))
    if _RUISHU.search(code):
        return Challenge("ruishu", status, True)
    sets_cookie = bool(_COOKIE_SET.search(code))
    navigates = bool(_NAVIGATE.search(code) or _META_REFRESH.search(html))
    if _JIASULE.search(code) or _JIASULE.search(set_cookie):
        if sets_cookie or status == 521:
            return Challenge("jiasule", status, True)
    title = _TITLE.search(html)
    says_verify = bool(_VERIFY.search(visible) or (title and _VERIFY.search(title.group(1))))
    if says_verify and (sets_cookie or navigates or sources):
        return Challenge("verify", status, True)
    if sets_cookie and navigates:
        if status == 521:
            return Challenge("jiasule", status, True)
        return Challenge("cookie_script", status, status in GATEWAY_STATUSES)
    return None


def protected_check(url: str, final_url: str, method: str, meta: dict[str, Any], challenge: Challenge,
                    why: str) -> LinkCheck:
    """The check stored for a URL a gateway kept from the checker: error_kind "protected"
    (受防护，未检查: never dead), the challenge's status, and which gateway and why the browser did
    not get through. ``meta``: the request's (attempts, start time, redirect chain)."""
    started = meta.get("zc_t0") or time.monotonic()
    return LinkCheck(url=url, status=challenge.status, final_url=final_url, error_kind=PROTECTED,
                     error=f"受防护，未检查：{challenge.label}，{why}", method=method,
                     attempts=meta.get("zc_attempts", 1), elapsed_ms=int((time.monotonic() - started) * 1000),
                     redirects=list(meta.get("zc_chain") or []), checked_at=now_iso())


def from_response(status: int | None, body: bytes, content_type: str = "", set_cookie: str = "") -> Challenge | None:
    """``recognise`` for raw response bytes (decoded as crawler.decode does), after the cheap
    byte test that every response passes."""
    if not maybe_challenge(status, body):
        return None
    html, _ = decode_body(body, content_type)
    return recognise(status, html, set_cookie)


@dataclass
class Rechecks:
    """A gatherer's budget of browser re-checks (``[crawl] challenge_rechecks`` for the run,
    crawl and link check together) and what came of them: the counts summary.json shows."""

    left: int
    seen: int = 0
    rechecked: int = 0
    passed: int = 0
    protected: int = 0
    # URL → its challenge, while the browser re-checks it (at most the budget).
    pending: dict[str, Challenge] = field(default_factory=dict)

    def take(self, url: str, challenge: Challenge) -> bool:
        """Count a challenged URL; True when it may be re-checked in the browser."""
        self.seen += 1
        if self.left <= 0:
            return False
        self.left -= 1
        self.rechecked += 1
        self.pending[url] = challenge
        return True

    def stats(self) -> dict[str, Any]:
        return {"seen": self.seen, "rechecked": self.rechecked, "passed": self.passed, "protected": self.protected}
