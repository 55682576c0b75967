"""Browser rendering: what the site spider and the new-media gatherer need to see pages as a browser does.

Many government pages build their lists (政策文件库, 行政执法公示, search results) with ``fetch()``
or jQuery after load, so the raw HTML holds a frame and no content. This module holds the hooks the
spider calls; the parts live beside it, one job each: ``crawler.chromium`` (binary, flags, blocked
resources, DNS rules), ``crawler.pagesettle`` (a rendered page's quiet period), ``crawler.playwright_handler``
(the shared scrapy-playwright handler), ``crawler.render_child`` (a renderer without the spider), and
``zhaocuo.core.htmlheur.looks_script_built`` (which raw pages look script-built). The hooks:

- ``playwright_settings(profile)``  Scrapy settings that route ``meta["playwright"]`` requests through
  scrapy-playwright with Debian's Chromium (merged into the spider's settings);
- ``wants_render(url, profile)``     the profile's ``crawl.render_js`` prefixes;
- ``render_meta(profile)``           the Request.meta of a rendered fetch.

Bounds, because everything crawled is untrusted and crawls are long:

- images, fonts and media are failed before the browser sends them, browser-wide
  (``chromium.block_resources``; ``abort_request`` too where a page is routed);
- a page's requests go from Chromium to the network directly; only a profile with access headers
  (crawler.access: set on the own hosts, stripped elsewhere) or a request that is no plain GET
  routes each request through Python (``SharedPlaywrightHandler._zc_routed``);
- navigation times out after ``crawl.render_timeout_s``; after ``load`` the page gets a bounded
  quiet period for its ``fetch()`` calls (``settle_page``), then must answer a trivial script
  within a few seconds — a page whose script spins forever fails with ``RenderHang`` instead of
  hanging the crawl (scrapy-playwright then closes the page and the spider's errback reports it);
- one Playwright driver and one Chromium per crawl, started on the first rendered page and
  shared by the http and https handlers (``SharedPlaywrightHandler``; stock scrapy-playwright
  starts a driver per scheme at engine start);
- rendering at crawl speed: ``crawl.render_concurrency`` pages render at once, each in a tab
  that is kept and navigated to the next page (a same-site navigation reuses the tab's renderer
  process: no process is started per page); a page settles when its requests are done and its
  DOM stops changing (``settle_page``), not after fixed waits, and its HTML is then read in its
  main world (``pagesettle.page_html``: no second helper-script injection per document) — the
  three, with the anti-bot check, in one script (``pagesettle.render_page``); a tab
  whose page failed or hung is closed, never reused;
- at most ``MAX_CONTEXTS`` browser contexts; each context serves one generation of
  ``[crawl] render_context_pages`` requests, then its tabs are closed and it is closed as soon as it is
  idle, so its cache and any leaks go with it and memory stays bounded on crawls of any length.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from crawler.chromium import host_resolver_rules, launch_options
from crawler.pagesettle import pass_challenge, render_page, settle_page
from crawler.tls import chromium_spki_pins
from zhaocuo.core.profile import Profile

MAX_CONTEXTS = 2
# The Scrapy setting that carries [crawl] render_context_pages to the handler (pages a context
# serves before it is recycled).
CONTEXT_PAGES_SETTING = "ZHAOCUO_RENDER_CONTEXT_PAGES"

_ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|wps|zip|rar|7z|jpe?g|png|gif|bmp|mp4|mp3|avi|flv)$", re.I)


def _timeout_ms(profile: Profile) -> int:
    return max(1000, int(profile.crawl.render_timeout_s * 1000))


def playwright_settings(profile: Profile) -> dict[str, Any]:
    """Scrapy settings that enable scrapy-playwright (download handlers, launch options…).
    Empty when this profile needs no browser (no render_js prefix, no automatic rendering and no
    re-check of anti-bot challenges)."""
    c = profile.crawl
    if not c.render_js and c.auto_render_share <= 0 and c.challenge_rechecks <= 0:
        return {}
    handler = "crawler.playwright_handler.SharedPlaywrightHandler"
    launch = launch_options()
    rules = host_resolver_rules(profile)
    if rules:
        launch["args"].append(f"--host-resolver-rules={rules}")
    pins = chromium_spki_pins(profile)
    if pins:
        # The site's own certificates, verified against crawl.ca_file here (crawler.tls): the
        # browser accepts exactly those, and verifies everything else with its own CAs.
        launch["args"].append(f"--ignore-certificate-errors-spki-list={','.join(pins)}")
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch,
        "PLAYWRIGHT_ABORT_REQUEST": "crawler.chromium.abort_request",
        "PLAYWRIGHT_MAX_CONTEXTS": MAX_CONTEXTS,
        # The handler bounds open tabs over all contexts to render_concurrency itself.
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": profile.crawl.render_concurrency,
        "ZHAOCUO_RENDER_CONCURRENCY": profile.crawl.render_concurrency,
        CONTEXT_PAGES_SETTING: max(1, profile.crawl.render_context_pages),
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": _timeout_ms(profile),
        # A crashed or killed browser is started again for the next rendered page.
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
    }


def wants_render(url: str, profile: Profile) -> bool:
    """True for URLs the profile says must be rendered (``crawl.render_js`` path prefixes).

    Prefixes are paths on the site's own hosts ("/xxgk/zfgs/"); a full URL prefix is also
    accepted. Attachments and images are never rendered: the browser would only download them."""
    if not profile.crawl.render_js:
        return False
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or _ATTACHMENT_EXT.search(parts.path):
        return False
    path = unquote(parts.path or "/")
    for prefix in profile.crawl.render_js:
        if prefix.startswith(("http://", "https://")):
            if url.startswith(prefix):
                return True
        elif profile.url_allowed(url) and path.startswith(unquote(prefix)):
            return True
    return False


def render_meta(profile: Profile) -> dict[str, Any]:
    """Request.meta for a rendered fetch (``playwright=True`` and its options).

    The context is chosen when the page is created (``SharedPlaywrightHandler._create_page``),
    so contexts are recycled in generations of ``[crawl] render_context_pages`` pages."""
    from scrapy_playwright.page import PageMethod

    timeout = _timeout_ms(profile)
    return {
        "playwright": True,
        "playwright_context": "zhaocuo-0",  # the handler routes it to the current generation
        "zhaocuo_recycle": True,
        "playwright_page_init_callback": "crawler.pagesettle.init_page",
        "playwright_page_goto_kwargs": {"wait_until": "load", "timeout": timeout},
        # Settle, check for an anti-bot challenge and read the HTML in one script; a page behind a
        # gateway shows its challenge first: the browser passes it (at most challenge_timeout_s)
        # and the page it reloads to is the one read.
        "playwright_page_methods": [PageMethod(render_page, profile.crawl.challenge_timeout_s)],
        "rendered": True,
    }


def challenge_meta(profile: Profile) -> dict[str, Any]:
    """Request.meta for the browser re-check of a URL a gateway answered with a challenge
    (crawler.challenge): the browser runs the challenge's script, which sets the gateway's
    cookie and reloads; ``pass_challenge`` waits (``[crawl] challenge_timeout_s`` at most) for
    the real page, whose status the handler then reports instead of the challenge's."""
    from scrapy_playwright.page import PageMethod

    limit = profile.crawl.challenge_timeout_s
    return {**render_meta(profile),
            "playwright_page_goto_kwargs": {"wait_until": "domcontentloaded", "timeout": max(1000, int(limit * 1000))},
            "playwright_page_methods": [PageMethod(pass_challenge, limit, must_pass=True), PageMethod(settle_page)],
            "zhaocuo_challenge": True}


def challenge_result(meta: dict[str, Any]) -> dict[str, Any] | None:
    """What ``pass_challenge`` (or ``render_page``, which returns the same) returned for this
    request (None before it ran or when it failed)."""
    for pm in meta.get("playwright_page_methods") or ():
        result = getattr(pm, "result", None)
        if getattr(pm, "method", None) in (pass_challenge, render_page) and isinstance(result, dict):
            return result
    return None


def playwright_settings_forced(profile: Profile) -> dict[str, Any]:
    """``playwright_settings`` even for a profile that turned rendering off (doctor, benchmark)."""
    import copy

    forced = copy.copy(profile.crawl)
    forced.render_js = ["/"]
    return playwright_settings(type(profile)(**{**profile.__dict__, "crawl": forced}))
