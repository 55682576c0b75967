"""The scrapy-playwright download handler the crawl uses (see ``SharedPlaywrightHandler``).

Importing this module imports Playwright: Scrapy imports it only through the
``DOWNLOAD_HANDLERS`` setting that ``crawler.render.playwright_settings`` returns for a profile
that renders, so a crawl that renders nothing never loads the browser stack.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from playwright.async_api import Page
from scrapy_playwright._utils import _attach_page_event_handlers, _maybe_execute_page_init_callback
from scrapy_playwright.handler import DEFAULT_CONTEXT_NAME, ScrapyPlaywrightDownloadHandler

from crawler.chromium import block_resources
from crawler.pagesettle import close_context, read_html_in_main_world, render_page
from crawler.render import CONTEXT_PAGES_SETTING, challenge_result

log = logging.getLogger("zhaocuo.render")
CLOSE_TIMEOUT_S = 10.0

async def _nothing() -> None:
    return None


# -- one browser per crawl, started on the first rendered page --------------------------------------
class SharedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):  # type: ignore[misc]
    """scrapy-playwright's handler, changed where it matters for memory and CPU:

    - Scrapy builds one handler per scheme; stock, the http and the https handler each start
      their own Playwright driver (and would each launch a Chromium, each with its own limits).
      Here both schemes get the same instance (kept on the crawler), so a crawl has one driver,
      one browser, MAX_CONTEXTS contexts and one bound on open tabs (render_concurrency);
    - the driver starts on the first rendered request instead of at engine start, so a crawl
      that renders nothing (most pages, most nights) never pays for it;
    - a page is routed (``page.route("**")``: every request it makes, its document, scripts and
      fetch() calls, goes Chromium → driver → Python → back) only when a request must be changed:
      the site's access headers (crawler.access) on its own hosts, or a request that is no plain
      GET. Otherwise the browser sends the page's requests itself, with the crawl's User-Agent
      (a context header, as the routed path sets it) and the Scrapy request's Referer on the
      navigation; images, fonts and media are failed browser-wide before they are sent
      (``crawler.chromium.block_resources``) either way. Measured on the render benchmark: the
      route round trips were about a third of the CPU a rendered page cost (docs/ARCHITECTURE.md)."""

    _zc_generation = 0
    _zc_served = 0

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        # Scrapy leaves the root logger at NOTSET and filters in its handler, so scrapy-playwright
        # thinks DEBUG is on and hangs a logger on every request and response of every page, each
        # asking the driver for the headers (a round trip apiece: 5 of the 12 a benchmark page
        # made). Its logger gets the crawl's level instead: the lines come back with DEBUG.
        logging.getLogger("scrapy-playwright").setLevel(crawler.settings.get("LOG_LEVEL") or "DEBUG")
        self._zc_pending: dict[str, int] = {}
        self._zc_context_pages = max(1, crawler.settings.getint(CONTEXT_PAGES_SETTING, 500))
        self._zc_idle: dict[str, list[Any]] = {}  # context name → tabs kept for the next page
        self._zc_access: Any = None
        if self.process_request_headers is not None:
            self._zc_headers_base = self.process_request_headers
            self.process_request_headers = self._zc_headers

    async def _zc_headers(self, *, browser_type_name: str, playwright_request: Any,
                          scrapy_request_data: dict) -> dict[str, str]:
        """Every request the browser makes — the page, its scripts' fetch() calls, redirects —
        carries the site's access headers (crawler.access) when it goes to the site's own hosts
        and never otherwise, whatever the page's own request carried."""
        headers = dict(await self._zc_headers_base(browser_type_name=browser_type_name,
                                                   playwright_request=playwright_request,
                                                   scrapy_request_data=scrapy_request_data))
        self._zc_site_access().apply(playwright_request.url, headers)
        return headers

    def _zc_site_access(self) -> Any:
        if self._zc_access is None:
            from crawler.access import SiteAccess

            spider = self._zc_crawler.spider
            self._zc_access = SiteAccess(getattr(spider, "profile", None) or spider.site_profile)
        return self._zc_access

    def _zc_routed(self, request: Any) -> bool:
        """Whether this request's page must route every request through Python: the site's
        access headers must be set (own hosts) and stripped (other hosts) on each, or the
        navigation itself is not a plain GET (method and body are set by the route)."""
        return (request.method.upper() != "GET" or bool(request.body)
                or (self.process_request_headers is not None and self._zc_site_access().active))

    @classmethod
    def from_crawler(cls, crawler: Any) -> Any:
        inst = getattr(crawler, "_zhaocuo_playwright_handler", None)
        if inst is None:
            inst = cls(crawler)
            inst._zc_crawler = crawler
            crawler._zhaocuo_playwright_handler = inst
        return inst

    async def _maybe_launch_in_thread(self) -> None:
        return None  # started on demand in _download_request

    async def _maybe_launch_browser(self) -> None:
        """Launch as scrapy-playwright does, then block images, fonts and media browser-wide
        (also after a crashed browser was started again). Runs while the first context is
        created, under scrapy-playwright's context lock: no page exists before the block."""
        await super()._maybe_launch_browser()
        if getattr(self, "_zc_blocking", (None, None))[0] is not self.browser:
            self._zc_blocking = (self.browser, await block_resources(self.browser))

    async def _create_browser_context(self, name: str, context_kwargs: dict | None, spider: Any = None) -> Any:
        """Every context sends the crawl's User-Agent (Scrapy's ``USER_AGENT``) on every request,
        as scrapy-playwright's route did; the page's scripts still see the browser's own
        ``navigator.userAgent``, as before. One difference where a page is not routed: Chromium
        sends the page's own requests (fetch(), scripts) with characters beyond Latin-1 as "?"
        (hence an ASCII ``user_agent``, docs/profile.md); the document's request carries it exactly."""
        kwargs = dict(context_kwargs or {})
        agent = self._zc_crawler.settings.get("USER_AGENT")
        if agent and "extra_http_headers" not in kwargs:
            kwargs["extra_http_headers"] = {"User-Agent": agent}
        return await super()._create_browser_context(name, kwargs, spider)

    def _engine_started(self) -> Any:
        return None

    # -- tabs: at most render_concurrency open, each kept for the next page ----------------------
    def _zc_bound(self) -> asyncio.Semaphore:
        sem = getattr(self, "_zc_slots", None)
        if sem is None:
            sem = self._zc_slots = asyncio.Semaphore(
                max(1, self._zc_crawler.settings.getint("ZHAOCUO_RENDER_CONCURRENCY", 8)))
        return sem

    async def _download_request(self, request: Any, spider: Any = None) -> Any:
        """Launch on demand; render within the tab bound; give a healthy tab back to the pool.

        scrapy-playwright closes a page after each response unless ``playwright_include_page``:
        here every recycled request sets it, and the tab is then either kept (unrouted, for the
        next page of the same context generation) or closed — always closed when the page
        failed, timed out or hung, so a bad page never poisons the next."""
        lock = getattr(self, "_zc_launch_lock", None)
        if lock is None:
            lock = self._zc_launch_lock = asyncio.Lock()
        async with lock:
            if not hasattr(self, "browser_provider"):
                await self._launch()
        if not request.meta.get("zhaocuo_recycle"):
            return self._zc_real_status(request, await super()._download_request(request, spider))
        async with self._zc_bound():
            request.meta["playwright_include_page"] = True
            try:
                response = await super()._download_request(request, spider)
            except BaseException:
                await self._zc_discard(request.meta.pop("playwright_page", None))
                raise
            await self._zc_keep(request.meta.pop("playwright_page", None), request)
            return self._zc_real_status(request, response)

    async def _download_request_with_retry(self, request: Any, spider: Any) -> Any:
        """scrapy-playwright's, without its ``page.route("**")`` where no request of the page
        needs changing (``_zc_routed``); the rest as there: event handlers, init callback, the
        page closed after a failure unless the request keeps it."""
        if self._zc_routed(request):
            return await super()._download_request_with_retry(request=request, spider=spider)
        page = request.meta.get("playwright_page")
        if not isinstance(page, Page) or page.is_closed():
            page = await self._create_page(request=request, spider=spider)
        context_name = request.meta.setdefault("playwright_context", DEFAULT_CONTEXT_NAME)
        _attach_page_event_handlers(page=page, request=request, spider=spider, context_name=context_name)
        referer = request.headers.get("Referer")
        if referer:
            goto = dict(request.meta.get("playwright_page_goto_kwargs") or {})
            goto.setdefault("referer", referer.decode("latin-1"))
            request.meta["playwright_page_goto_kwargs"] = goto
        await _maybe_execute_page_init_callback(page=page, request=request, context_name=context_name, spider=spider)
        self.stats.inc_value("zhaocuo/render_unrouted")
        try:
            return await self._download_request_with_page(request, page, spider)
        except Exception:
            if not request.meta.get("playwright_include_page") and not page.is_closed():
                await page.close()
                self.stats.inc_value("playwright/page_count/closed")
            raise

    async def _apply_page_methods(self, page: Any, request: Any, spider: Any) -> None:
        """``render_page`` alone (every rendered page) runs without scrapy-playwright's
        ``wait_for_load_state`` after it: it reads a page only once its document is complete,
        and waits for the load itself where it took the step-by-step way."""
        methods = request.meta.get("playwright_page_methods") or ()
        if len(methods) != 1 or getattr(methods[0], "method", None) is not render_page:
            return await super()._apply_page_methods(page, request, spider)
        pm = methods[0]
        pm.result = await render_page(page, *pm.args, **pm.kwargs)

    async def _get_response_and_download(self, request: Any, page: Any, spider: Any) -> Any:
        """scrapy-playwright's; then the navigation's response answers ``security_details()`` and
        ``server_addr()`` without asking the browser: scrapy-playwright asks for both after every
        page (two round trips) only to fill ``playwright_security_details`` and
        ``Response.ip_address``, which nothing here reads."""
        response, download = await super()._get_response_and_download(request, page, spider)
        if response is not None:
            response.security_details = response.server_addr = _nothing
        return response, download

    @staticmethod
    def _zc_real_status(request: Any, response: Any) -> Any:
        """A rendered response carries the status of the page the browser ended on: behind an
        anti-bot gateway, the page it got through to (scrapy-playwright reports the first
        navigation's: the challenge's 412 or 521)."""
        passed = challenge_result(request.meta)
        if passed is None or not passed.get("status") or passed["status"] == response.status:
            return response
        return response.replace(status=int(passed["status"]))

    async def _zc_discard(self, page: Any) -> None:
        """Close a tab, within CLOSE_TIMEOUT_S: a tab stuck in a reload loop (a gateway's
        challenge that never lets it through) must not hold its request, and the crawl, for ever;
        a tab left open goes with its context when that is recycled."""
        if page is not None and not page.is_closed():
            try:
                await asyncio.wait_for(page.close(), timeout=CLOSE_TIMEOUT_S)
                self.stats.inc_value("playwright/page_count/closed")
            except Exception as exc:  # noqa: BLE001 - already gone with its browser or context
                log.debug("page close: %s", exc)

    async def _zc_keep(self, page: Any, request: Any) -> None:
        name = request.meta.get("playwright_context", "")
        if page is None or page.is_closed():
            return
        if name != f"zhaocuo-{self._zc_generation}":
            await self._zc_discard(page)  # an older generation: let its context retire
            self._zc_retire()
            return
        if self._zc_routed(request):
            try:
                await page.unroute("**")  # scrapy-playwright routes it again for the next request
            except Exception:  # noqa: BLE001 - a tab that cannot be unrouted is not reused
                await self._zc_discard(page)
                return
        self._zc_idle.setdefault(name, []).append(page)
        self.stats.inc_value("zhaocuo/tabs_kept")

    # -- context recycling, decided when a page is created (download time) -------------
    async def _create_page(self, request: Any, spider: Any) -> Any:
        """A kept tab of the current context generation, else a new one in it; then retire old
        generations.

        A context serves ``[crawl] render_context_pages`` pages; the next request opens generation
        n+1 (and the kept tabs of older ones are closed). Routing happens here, not when the
        request was built, so no request ever goes to an old generation again; an old context
        is closed once none of its pages is open and no request is waiting for a page in it
        (scrapy-playwright's page semaphores are keyed by name, so a context must never be
        closed under a waiting request)."""
        if not request.meta.get("zhaocuo_recycle"):
            return await super()._create_page(request, spider)
        if self._zc_served >= self._zc_context_pages:
            self._zc_generation += 1
            self._zc_served = 0
            for old in [n for n in self._zc_idle if n != f"zhaocuo-{self._zc_generation}"]:
                for tab in self._zc_idle.pop(old):
                    await self._zc_discard(tab)
        name = f"zhaocuo-{self._zc_generation}"
        self._zc_served += 1
        request.meta["playwright_context"] = name
        idle = self._zc_idle.get(name) or []
        while idle:
            tab = idle.pop()
            if not tab.is_closed():
                self.stats.inc_value("zhaocuo/tabs_reused")
                return tab
        self._zc_pending[name] = self._zc_pending.get(name, 0) + 1
        try:
            page = await super()._create_page(request, spider)
        finally:
            self._zc_pending[name] -= 1
        page.on("close", lambda _p: self._zc_retire())
        read_html_in_main_world(page)
        self._zc_retire()
        return page

    def _zc_retire(self) -> None:
        """Close contexts of older generations that hold no open tab and no waiting request."""
        current = f"zhaocuo-{self._zc_generation}"
        for name, wrapper in list(self.context_wrappers.items()):
            if not name.startswith("zhaocuo-") or name == current or getattr(wrapper, "zc_closing", False):
                continue
            if self._zc_pending.get(name, 0) > 0 or any(not p.is_closed() for p in wrapper.context.pages):
                continue
            wrapper.zc_closing = True
            self._zc_pending.pop(name, None)
            log.debug("recycling browser context %s", name)
            asyncio.get_running_loop().create_task(close_context(wrapper.context))

    async def close(self) -> None:
        if getattr(self, "_zc_closed", False):
            return  # registered for http and https: closed once
        self._zc_closed = True
        self._zc_crawler._zhaocuo_playwright_handler = None
        await super().close()
