"""A rendered page's life inside scrapy-playwright: count its requests in flight, then wait
(bounded) until network and DOM are quiet, and check that its script still answers.

The counters live on the page object itself (``page._zhaocuo_activity``), so they go away with
the page and nothing is kept in module globals.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from crawler.challenge import MAX_BYTES, recognise

log = logging.getLogger("zhaocuo.render")

# After ``load``: wait until no request of the page has been in flight for QUIET_MS, at most SETTLE_MAX_S.
# Settled by what the page does, not by fixed waits: a page whose lists arrive at once is done in
# about QUIET_MS + DOM_QUIET_MS; one that fetches in steps is followed until it stops.
QUIET_MS = 100
SETTLE_MAX_S = 5.0
POLL_S = 0.02
# Then the DOM must stay unchanged for DOM_QUIET_MS (a slow machine may run the fetch() callbacks
# late), at most DOM_QUIET_MAX_MS (a scrolling news ticker never stops) …
DOM_QUIET_MS = 100
DOM_QUIET_MAX_MS = 2000
# … and the page must answer that script within RESPONSIVE_S, or it is reported as hung.
RESPONSIVE_S = 5.0
_DOM_QUIET_JS = """([quiet, max]) => new Promise(resolve => {
  const start = performance.now(); let last = start;
  const obs = new MutationObserver(() => { last = performance.now(); });
  obs.observe(document, {subtree: true, childList: true, characterData: true});
  const tick = () => {
    const now = performance.now();
    if (now - last >= quiet || now - start >= max) { obs.disconnect(); resolve(now - start); }
    else setTimeout(tick, 20);
  };
  setTimeout(tick, 20);
})"""


# The document as page.content() gives it (doctype + outerHTML, Playwright's own code), serialised
# in the page's main world. Playwright's page.content() runs in its isolated utility world, which
# costs each new document a second injection of Playwright's helper script (the settle check
# already put one in the main world): measured about 10 ms of renderer CPU per page, a quarter of
# its work on a simple page. A page that breaks its own serialiser only loses its own content.
_HTML_JS = """() => {
  let html = document.doctype ? new XMLSerializer().serializeToString(document.doctype) : '';
  if (document.documentElement) html += document.documentElement.outerHTML;
  return html;
}"""


class RenderHang(Exception):
    """A rendered page did not settle into a usable state (its script never yields)."""


# -- the page lifecycle inside scrapy-playwright -------------------------------------------------
class _Activity:
    """Requests of one page in flight and the time of the last start or end."""

    __slots__ = ("inflight", "last")

    def __init__(self) -> None:
        self.inflight = 0
        self.last = time.monotonic()


async def init_page_tracking(page: Any) -> None:
    """Count the page's requests in flight (for ``settle_page``); call before navigating."""
    _track(page)


async def init_page(page: Any, request: Any) -> None:
    """playwright_page_init_callback: track the page's requests (for ``settle_page``); forget any
    HTML a reused tab kept from its last page (``render_page``)."""
    page._zhaocuo_html = None
    _track(page)


def _track(page: Any) -> _Activity:
    """The page's request counter, installed once: a page reused for the next URL (the
    handler's pool) keeps its listeners and starts counting afresh."""
    activity = getattr(page, "_zhaocuo_activity", None)
    if activity is not None:
        activity.last = time.monotonic()
        return activity
    activity = _Activity()
    page._zhaocuo_activity = activity

    def started(_r: Any) -> None:
        activity.inflight += 1
        activity.last = time.monotonic()

    def ended(_r: Any) -> None:
        activity.inflight = max(0, activity.inflight - 1)
        activity.last = time.monotonic()

    page.on("request", started)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)
    return activity


async def close_context(ctx: Any) -> None:
    try:
        await ctx.close()
    except Exception as exc:  # noqa: BLE001 - already closed or browser gone: nothing left to free
        log.debug("context close: %s", exc)


async def settle_page(page: Any, quiet_ms: int = QUIET_MS, max_s: float = SETTLE_MAX_S,
                      responsive_s: float = RESPONSIVE_S) -> None:
    """Wait (bounded) until the page's own requests are done, then check it still answers.

    A list loaded by ``fetch()`` after ``load`` appears within the quiet period (network quiet,
    then DOM quiet); endless polling only costs ``max_s``, an endless ticker DOM_QUIET_MAX_MS.
    A page whose script never yields raises RenderHang (reported)."""
    await _network_quiet(page, quiet_ms, max_s)
    try:
        await asyncio.wait_for(page.evaluate(_DOM_QUIET_JS, [DOM_QUIET_MS, DOM_QUIET_MAX_MS]), timeout=responsive_s)
    except TimeoutError:
        raise RenderHang(f"页面脚本无响应 page script not responding after {responsive_s:.0f} s: {page.url}") from None


async def _network_quiet(page: Any, quiet_ms: int, max_s: float) -> None:
    """Wait until no request of the page has been in flight for ``quiet_ms`` (at most ``max_s``);
    counted in Python from the page's request events, no round trip to the browser."""
    activity = getattr(page, "_zhaocuo_activity", None)
    if activity is None:
        activity = _track(page)  # a page not created through init_page (e.g. the new-media gatherer's)
    deadline = time.monotonic() + max_s
    while time.monotonic() < deadline:
        idle_for = time.monotonic() - activity.last
        if activity.inflight == 0 and idle_for * 1000 >= quiet_ms:
            break
        await asyncio.sleep(POLL_S)


async def render_page(page: Any, challenge_limit_s: float) -> dict[str, Any]:
    """PageMethod of every rendered page (crawler.render.render_meta): ``settle_page``, the
    anti-bot check of ``pass_challenge`` and the read of the HTML (``page_html``) in one script.

    Each of them was a round trip of its own (Python → driver → browser → back, plus a wait for
    the load state after each page method): one evaluate does the three, once the network is
    quiet — the DOM-quiet wait, then the document's status and challenge markup, then its HTML,
    kept on the tab for the ``content()`` that follows. Only a page that is (or still loads) a
    gateway's challenge, whose document is not complete (loaded) or that is navigating again
    takes the step-by-step way: ``pass_challenge`` (at most ``challenge_limit_s``), then
    ``settle_page``, then the load. Returns what ``pass_challenge`` returns."""
    page._zhaocuo_html = None
    await _network_quiet(page, QUIET_MS, SETTLE_MAX_S)
    try:
        out = await asyncio.wait_for(
            page.evaluate(_SETTLED_JS, [DOM_QUIET_MS, DOM_QUIET_MAX_MS, MAX_BYTES, CHALLENGE_MAX_ELEMENTS]),
            timeout=RESPONSIVE_S)
    except TimeoutError:
        raise RenderHang(f"页面脚本无响应 page script not responding after {RESPONSIVE_S:.0f} s: {page.url}") from None
    except Exception as exc:  # noqa: BLE001 - navigating again (context destroyed): step by step
        log.debug("render %s: %s", page.url, exc)
        out = None
    doc = out.get("doc") if isinstance(out, dict) else None
    if isinstance(doc, dict) and doc.get("ready") == "complete" and not _challenge_shown(doc):
        html = out.get("html")
        page._zhaocuo_html = html if isinstance(html, str) else None
        return {"status": int(doc.get("status") or 0) or None, "url": page.url, "passed": True}
    result = await pass_challenge(page, challenge_limit_s)
    await settle_page(page)
    await page.wait_for_load_state()  # the page's navigation timeout bounds it
    return result


# -- anti-bot challenges (crawler.challenge) ------------------------------------------------------
CHALLENGE_POLL_S = 0.1
# The current document as the browser has it: the status its own navigation answered with
# (PerformanceNavigationTiming.responseStatus; 0 where unknown), whether it is parsed, and its
# markup when it may be a challenge. A document without scripts, or with more elements than any
# challenge has, is not serialised at all (size -1): every rendered page passes here.
CHALLENGE_MAX_ELEMENTS = 400
_DOCUMENT_JS = """([limit, maxElements]) => {
  const nav = performance.getEntriesByType('navigation')[0];
  const out = {status: nav ? (nav.responseStatus || 0) : 0, ready: document.readyState, size: -1, html: ''};
  const root = document.documentElement;
  if (!root || document.scripts.length === 0 || document.getElementsByTagName('*').length > maxElements) return out;
  const html = root.outerHTML;
  out.size = html.length;
  if (html.length <= limit) out.html = html;
  return out;
}"""


# render_page's one script: the DOM-quiet wait, then the document (as _DOCUMENT_JS) and its HTML
# (as _HTML_JS; null where the page broke the serialiser: page_html then asks Playwright).
_SETTLED_JS = f"""([quiet, max, limit, maxElements]) => ({_DOM_QUIET_JS})([quiet, max]).then(() => ({{
  doc: ({_DOCUMENT_JS})([limit, maxElements]),
  html: (() => {{ try {{ return ({_HTML_JS})(); }} catch (e) {{ return null; }} }})(),
}}))"""


class ChallengeNotPassed(Exception):
    """The browser ran a gateway's challenge but was still shown it when the time ran out.
    ``why`` is the short Chinese reason the stored check gives."""

    def __init__(self, why: str, url: str) -> None:
        self.why = why
        super().__init__(f"{why} challenge not passed: {url}")


async def pass_challenge(page: Any, limit_s: float, must_pass: bool = False) -> dict[str, Any]:
    """PageMethod of every rendered page: wait, at most ``limit_s``, until an anti-bot
    gateway's script has set its cookie and the page it reloads to is no challenge any more
    (an ordinary page returns at once).

    Returns ``{"status": the current page's HTTP status, "url": …, "passed": bool}``; the
    handler gives the Scrapy response that status (scrapy-playwright would report the first
    navigation's, the challenge's). ``must_pass`` (the re-check of a URL known to be
    challenged): raise ChallengeNotPassed instead when the page is still a challenge at the
    end — the spiders then report the URL as protected, not checked, never as dead."""
    deadline = time.monotonic() + max(0.5, limit_s)
    challenged = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            doc = await asyncio.wait_for(page.evaluate(_DOCUMENT_JS, [MAX_BYTES, CHALLENGE_MAX_ELEMENTS]), timeout=left)
        except TimeoutError:
            break
        except Exception as exc:  # noqa: BLE001 - navigating (context destroyed): look again
            log.debug("challenge wait: %s", exc)
            doc = None
        if doc is not None and doc.get("ready") != "loading":
            status = int(doc.get("status") or 0)  # 0: the browser does not say
            if not _challenge_shown(doc):
                # Unknown after a challenge: the page it let through (judged on its content).
                result = {"status": status or (200 if must_pass else None), "url": page.url, "passed": True}
                if challenged or must_pass:
                    result["cookies"] = await _gateway_cookies(page)
                return result
            challenged = True
        await asyncio.sleep(CHALLENGE_POLL_S)
    if must_pass:
        url = page.url
        try:  # stop the challenge's reload loop before the tab is closed
            await asyncio.wait_for(page.goto("about:blank"), timeout=RESPONSIVE_S)
        except Exception as exc:  # noqa: BLE001 - a tab that cannot even do that is closed anyway
            log.debug("challenge stop: %s", exc)
        raise ChallengeNotPassed(f"浏览器 {limit_s:g} 秒内未能通过验证", url)
    return {"status": None, "url": page.url, "passed": False}  # judged as it came, as before


def _challenge_shown(doc: dict[str, Any]) -> bool:
    """Whether the document ``_DOCUMENT_JS`` described is a gateway's challenge (crawler.challenge)."""
    size = int(doc.get("size", -1))
    return 0 <= size <= MAX_BYTES and recognise(int(doc.get("status") or 0) or 200, doc.get("html") or "") is not None


MAX_COOKIES = 50
MAX_COOKIE_CHARS = 4096


async def _gateway_cookies(page: Any) -> dict[str, str]:
    """The cookies the browser holds for the page it got through to (the gateway's among them),
    bounded: the site spider sends them with its plain requests to the same site, so a gateway
    whose cookie stays valid (加速乐's ``__jsl_clearance``) lets those through without the browser."""
    try:
        cookies = await asyncio.wait_for(page.context.cookies([page.url]), timeout=RESPONSIVE_S)
    except Exception as exc:  # noqa: BLE001 - a closed context: nothing to hand over
        log.debug("cookies of %s: %s", page.url, exc)
        return {}
    out: dict[str, str] = {}
    for c in cookies[:MAX_COOKIES]:
        name, value = str(c.get("name") or ""), str(c.get("value") or "")
        if name and len(name) + len(value) <= MAX_COOKIE_CHARS:
            out[name] = value
    return out


async def page_html(page: Any, responsive_s: float = RESPONSIVE_S) -> str:
    """The page's HTML as ``page.content()`` returns it, read in the main world (see _HTML_JS)
    within ``responsive_s`` (RenderHang otherwise). Where the main world cannot answer (the page
    is navigating again, its script broke the serialiser) Playwright's own ``content()`` is asked.
    The HTML ``render_page`` read at the end of its wait is used, once, without asking again."""
    html = getattr(page, "_zhaocuo_html", None)
    page._zhaocuo_html = None
    if isinstance(html, str):
        return html
    try:
        html = await asyncio.wait_for(page.evaluate(_HTML_JS), timeout=responsive_s)
    except TimeoutError:
        raise RenderHang(f"页面脚本无响应 page script not responding after {responsive_s:.0f} s: {page.url}") from None
    except Exception as exc:  # noqa: BLE001 - navigating, or a page that replaced XMLSerializer
        log.debug("main-world serialisation failed, asking Playwright: %s", exc)
        html = None
    if not isinstance(html, str):
        html = await type(page).content(page)
    return html


def read_html_in_main_world(page: Any) -> None:
    """Make ``page.content()`` (what scrapy-playwright calls for the response body) read the
    document with ``page_html``: set once on a tab the crawl creates, kept for every page it
    renders."""
    async def content() -> str:
        return await page_html(page)

    page.content = content
