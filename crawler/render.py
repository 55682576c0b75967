"""Browser rendering: what the site spider and the new-media gatherer need to see pages as a browser does.

Many government pages build their lists (政策文件库, 行政执法公示, search results) with ``fetch()``
or jQuery after load, so the raw HTML holds a frame and no content. The spider calls four hooks:

- ``playwright_settings(profile)``  Scrapy settings that route ``meta["playwright"]`` requests through
  scrapy-playwright with Debian's Chromium (merged into the spider's settings);
- ``wants_render(url, profile)``     the profile's ``crawl.render_js`` prefixes;
- ``looks_script_built(html, text)`` a raw page that should be fetched again rendered
  (the spider bounds these by ``crawl.auto_render_share``);
- ``render_meta(profile)``           the Request.meta of a rendered fetch.

Bounds, because everything crawled is untrusted and crawls are long:

- images, fonts and media are aborted before the browser downloads them (``abort_request``);
- navigation times out after ``crawl.render_timeout_s``; after ``load`` the page gets a bounded
  quiet period for its ``fetch()`` calls (``settle_page``), then must answer a trivial script
  within a few seconds — a page whose script spins forever fails with ``RenderHang`` instead of
  hanging the crawl (scrapy-playwright then closes the page and the spider's errback reports it);
- one Playwright driver and one Chromium per crawl, started on the first rendered page and
  shared by the http and https handlers (``SharedPlaywrightHandler``; stock scrapy-playwright
  starts a driver per scheme at engine start);
- at most ``MAX_CONTEXTS`` browser contexts of ``MAX_PAGES_PER_CONTEXT`` pages each; pages are
  closed after each fetch (scrapy-playwright's default) and each context serves one generation
  of ``PAGES_PER_CONTEXT_LIFE`` requests, then is closed as soon as it is idle, so its cache and
  any leaks go with it and memory stays bounded on crawls of any length.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import time
from typing import Any
from urllib.parse import unquote, urlsplit

from zhaocuo.profile import Profile

log = logging.getLogger("zhaocuo.render")

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm; Chromium then crashes tabs
    # A page's script heap is capped: a hostile page that allocates without end crashes its tab,
    # not the host. (No --renderer-process-limit: pages sharing a renderer would all hang behind
    # one page whose script never yields; memory is bounded by the number of open pages instead.)
    "--js-flags=--max-old-space-size=256",
    # Fewer helper processes (each costs tens of MB): GPU and network service inside the browser process.
    "--in-process-gpu", "--enable-features=NetworkServiceInProcess2",
    "--disable-extensions", "--mute-audio", "--disable-features=Translate,MediaRouter,OptimizationHints,SpareRendererForSitePerProcess",
]
# Resource types the browser never downloads: they cost bandwidth and memory and carry no text.
BLOCKED_RESOURCE_TYPES = frozenset({"image", "font", "media"})

MAX_CONTEXTS = 2
MAX_PAGES_PER_CONTEXT = 2
# Pages a context serves before it is recycled; the environment variable exists for tests and tuning.
PAGES_PER_CONTEXT_LIFE = max(1, int(os.environ.get("ZHAOCUO_RENDER_CONTEXT_LIFE", "64")))
# After ``load``: wait until no request of the page has been in flight for QUIET_MS, at most SETTLE_MAX_S.
QUIET_MS = 250
SETTLE_MAX_S = 5.0
# Then the DOM must stay unchanged for DOM_QUIET_MS (a slow machine may run the fetch() callbacks
# late), at most DOM_QUIET_MAX_MS (a scrolling news ticker never stops) …
DOM_QUIET_MS = 150
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
    else setTimeout(tick, 50);
  };
  setTimeout(tick, 50);
})"""

_ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|wps|zip|rar|7z|jpe?g|png|gif|bmp|mp4|mp3|avi|flv)$", re.I)


class RenderHang(Exception):
    """A rendered page did not settle into a usable state (its script never yields)."""


def chromium_path() -> str:
    """Debian's Chromium; ``ZHAOCUO_CHROMIUM`` overrides it (e.g. on another distribution)."""
    env = os.environ.get("ZHAOCUO_CHROMIUM")
    if env:
        return env
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium") or shutil.which("chromium-browser") or CHROMIUM


def launch_options() -> dict[str, Any]:
    """Playwright ``chromium.launch`` options shared by the spider and the new-media gatherer."""
    return {"executable_path": chromium_path(), "headless": True, "args": list(LAUNCH_ARGS), "timeout": 60_000}


def abort_request(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: True for images, fonts and media (they are never downloaded)."""
    return request.resource_type in BLOCKED_RESOURCE_TYPES


def _timeout_ms(profile: Profile) -> int:
    return max(1000, int(profile.crawl.render_timeout_s * 1000))


def host_resolver_rules(profile: Profile) -> str:
    """Chromium's ``--host-resolver-rules`` mapping the site's own hosts to the addresses the
    profile's ``[dns]`` name servers give; "" without name servers.

    Chromium resolves names itself and knows nothing of the profile's servers: a staging host
    that only they know (the vendor's CI case) would be crawled fine but fail in the browser,
    and its script-built lists would be lost. Resolved once, at crawl start; a host the servers
    cannot resolve is left to the browser (its fetch then fails and is reported as usual)."""
    if not profile.dns.nameservers:
        return ""
    from crawler.ipv6_dns import make_resolver

    resolver, _ = make_resolver(profile.dns.nameservers, profile.dns.timeout_s)
    if resolver is None:
        return ""
    rules = []
    for host in sorted({h.lower().rstrip(".") for h in profile.site.allowed_hosts}):
        if not host or host.replace(".", "").isdigit() or ":" in host:
            continue  # an address needs no lookup
        for rtype in ("A", "AAAA"):
            try:
                answer = resolver.resolve(host, rtype)
            except Exception:  # noqa: BLE001 - NXDOMAIN, timeout…: leave the name to the browser
                continue
            address = answer[0].to_text()
            rules.append(f"MAP {host} {address if rtype == 'A' else f'[{address}]'}")
            break
    return ", ".join(rules)


def playwright_settings(profile: Profile) -> dict[str, Any]:
    """Scrapy settings that enable scrapy-playwright (download handlers, launch options…).
    Empty when this profile needs no browser (no render_js prefix and no automatic rendering)."""
    if not profile.crawl.render_js and profile.crawl.auto_render_share <= 0:
        return {}
    handler = "crawler.render.SharedPlaywrightHandler"
    launch = launch_options()
    rules = host_resolver_rules(profile)
    if rules:
        launch["args"].append(f"--host-resolver-rules={rules}")
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch,
        "PLAYWRIGHT_ABORT_REQUEST": "crawler.render.abort_request",
        "PLAYWRIGHT_MAX_CONTEXTS": MAX_CONTEXTS,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": MAX_PAGES_PER_CONTEXT,
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
        elif profile.host_allowed(parts.hostname) and path.startswith(unquote(prefix)):
            return True
    return False


# Inline code that loads content after the page is parsed.
_LOADER = re.compile(
    r"\bfetch\s*\(|XMLHttpRequest|\$\.(?:ajax|get|getJSON|post)\s*\(|jQuery\.(?:ajax|get|getJSON|post)\s*\(|"
    r"\baxios\b|\.load\s*\(\s*['\"]|new\s+Vue\s*\(|createApp\s*\(|ReactDOM|ng-app|ng-repeat|v-for=|"
    r"layui\.(?:table|laypage|flow)|\$\(\s*['\"][^'\"]{1,100}['\"]\s*\)\.(?:html|append)\s*\(",
    re.I,
)
_SCRIPT_SRC = re.compile(r"<script\b[^>]{0,500}?\bsrc\s*=\s*[\"']?([^\"'\s>]{1,500})", re.I)
# Libraries nearly every government page loads whatever its content: on their own they are no
# sign that a short page (网站地图, 联系我们, an empty column) fills itself by script, and rendering
# such a page would start a browser (hundreds of MB) for nothing.
_LIBRARY_SCRIPT = re.compile(
    r"(?:^|/)(?:jquery|bootstrap|layer|swiper|superslide|common|public|base|util|polyfill|html5shiv|respond|"
    r"hm|analytics|gtag|tongji|zoom|wza|barrier|aria|font)[^/]*$|hm\.baidu\.com/|cnzz\.com/", re.I)
# An empty element whose id/class names it as the page's content, list or app mount point.
# Quantifiers are bounded: a hostile page with a megabyte-long attribute must not cost seconds.
_EMPTY_CONTAINER = re.compile(
    r"<(div|ul|ol|tbody|table|section|main|dl)\b[^>]{0,300}?\b(?:id|class)\s*=\s*[\"'][^\"'>]{0,80}?"
    r"(?:list|content|app|root|result|data|article|news|items?|main|container)[^\"'>]{0,80}[\"'][^>]{0,300}>"
    r"\s{0,200}(?:<!--.{0,500}?-->\s{0,200}){0,3}</\1\s*>",
    re.I | re.S,
)
_LOADING_HINT = re.compile(r"加载中|正在加载|数据加载|loading\.\.\.|\{\{\s*[\w.]+\s*\}\}", re.I)
_MEANINGFUL = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]")
LITTLE_TEXT = 150


def looks_script_built(html: str, text: str) -> bool:
    """True when a raw page has little text but scripts that load its content.

    Two shapes are recognised: an application shell (little visible text, a script that loads
    or a script file) and a page frame whose list is filled later (loader code or a script file,
    plus an empty list/content container, a "加载中" hint or unfilled ``{{ }}`` templates).
    A long page with an analytics script or a visit counter is left alone: only the evidence of
    missing content makes a page worth the browser's cost."""
    if not html or "<script" not in html.lower():
        return False
    meaningful = len(_MEANINGFUL.findall(text[:20000]))
    if meaningful >= 3000:
        return False  # the content is there already
    head = html[:300_000]
    loader = bool(_LOADER.search(head))
    script_file = any(not _LIBRARY_SCRIPT.search(src.split("?")[0]) for src in _SCRIPT_SRC.findall(head))
    if meaningful < LITTLE_TEXT and (loader or script_file):
        return True
    empty = bool(_EMPTY_CONTAINER.search(head))
    hint = bool(_LOADING_HINT.search(text[:20000]))
    return (loader and (empty or hint)) or (script_file and empty)


# -- one browser per crawl, started on the first rendered page --------------------------------------
def _shared_handler_class() -> type:
    """scrapy-playwright's handler, changed in two ways that matter for memory:

    - Scrapy builds one handler per scheme; stock, the http and the https handler each start
      their own Playwright driver (and would each launch a Chromium, each with its own limits).
      Here both schemes get the same instance, so a crawl has one driver, one browser and one
      set of MAX_CONTEXTS / MAX_PAGES_PER_CONTEXT bounds;
    - the driver starts on the first rendered request instead of at engine start, so a crawl
      that renders nothing (most pages, most nights) never pays for it.

    Built lazily (module ``__getattr__``) so importing this module does not import Playwright."""
    from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

    shared: dict[int, Any] = {}

    class SharedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):  # type: ignore[misc]
        _zc_generation = 0
        _zc_served = 0

        def __init__(self, crawler: Any) -> None:
            super().__init__(crawler)
            self._zc_pending: dict[str, int] = {}

        @classmethod
        def from_crawler(cls, crawler: Any) -> Any:
            inst = shared.get(id(crawler))
            if inst is None or inst._zc_crawler is not crawler:
                inst = cls(crawler)
                inst._zc_crawler = crawler
                shared[id(crawler)] = inst
            return inst

        async def _maybe_launch_in_thread(self) -> None:
            return None  # started on demand in _download_request

        def _engine_started(self) -> Any:
            return None

        async def _download_request(self, request: Any, spider: Any = None) -> Any:
            lock = getattr(self, "_zc_launch_lock", None)
            if lock is None:
                lock = self._zc_launch_lock = asyncio.Lock()
            async with lock:
                if not hasattr(self, "browser_provider"):
                    await self._launch()
            return await super()._download_request(request, spider)

        # -- context recycling, decided when a page is created (download time) -------------
        async def _create_page(self, request: Any, spider: Any) -> Any:
            """Route a rendered request to the current context generation, then retire old ones.

            A context serves PAGES_PER_CONTEXT_LIFE pages; the next request opens generation
            n+1. Routing happens here, not when the request was built, so no request ever goes
            to an old generation again; an old context is closed once none of its pages is open
            and no request is waiting for a page in it (scrapy-playwright's page semaphores are
            keyed by name, so a context must never be closed under a waiting request)."""
            if not request.meta.get("zhaocuo_recycle"):
                return await super()._create_page(request, spider)
            if self._zc_served >= PAGES_PER_CONTEXT_LIFE:
                self._zc_generation += 1
                self._zc_served = 0
            name = f"zhaocuo-{self._zc_generation}"
            self._zc_served += 1
            request.meta["playwright_context"] = name
            self._zc_pending[name] = self._zc_pending.get(name, 0) + 1
            try:
                page = await super()._create_page(request, spider)
            finally:
                self._zc_pending[name] -= 1
            page.on("close", lambda _p: self._zc_retire())
            self._zc_retire()
            return page

        def _zc_retire(self) -> None:
            current = f"zhaocuo-{self._zc_generation}"
            for name, wrapper in list(self.context_wrappers.items()):
                if not name.startswith("zhaocuo-") or name == current or getattr(wrapper, "zc_closing", False):
                    continue
                if self._zc_pending.get(name, 0) > 0 or any(not p.is_closed() for p in wrapper.context.pages):
                    continue
                wrapper.zc_closing = True
                self._zc_pending.pop(name, None)
                log.debug("recycling browser context %s", name)
                asyncio.get_running_loop().create_task(_close_context(wrapper.context))

        async def close(self) -> None:
            if getattr(self, "_zc_closed", False):
                return  # registered for http and https: closed once
            self._zc_closed = True
            shared.pop(id(self._zc_crawler), None)
            await super().close()

    return SharedPlaywrightHandler


_lazy: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    if name == "SharedPlaywrightHandler":
        if name not in _lazy:
            _lazy[name] = _shared_handler_class()
        return _lazy[name]
    raise AttributeError(name)


# -- the page lifecycle inside scrapy-playwright -------------------------------------------------
_inflight: dict[Any, int] = {}
_last_activity: dict[Any, float] = {}


async def init_page_tracking(page: Any) -> None:
    """Count the page's requests in flight (for ``settle_page``); call before navigating."""
    _track(page)


async def init_page(page: Any, request: Any) -> None:
    """playwright_page_init_callback: track the page's requests (for ``settle_page``)."""
    _track(page)


def _track(page: Any) -> None:
    _inflight[page] = 0
    _last_activity[page] = time.monotonic()

    def started(_r: Any) -> None:
        _inflight[page] = _inflight.get(page, 0) + 1
        _last_activity[page] = time.monotonic()

    def ended(_r: Any) -> None:
        _inflight[page] = max(0, _inflight.get(page, 0) - 1)
        _last_activity[page] = time.monotonic()

    page.on("request", started)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)
    page.on("close", lambda p: (_inflight.pop(p, None), _last_activity.pop(p, None)))


async def _close_context(ctx: Any) -> None:
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
    if page not in _inflight:
        _track(page)  # a page not created through init_page (e.g. the new-media gatherer's)
    deadline = time.monotonic() + max_s
    while time.monotonic() < deadline:
        idle_for = time.monotonic() - _last_activity.get(page, 0.0)
        if _inflight.get(page, 0) == 0 and idle_for * 1000 >= quiet_ms:
            break
        await asyncio.sleep(0.05)
    try:
        await asyncio.wait_for(page.evaluate(_DOM_QUIET_JS, [DOM_QUIET_MS, DOM_QUIET_MAX_MS]), timeout=responsive_s)
    except TimeoutError:
        raise RenderHang(f"页面脚本无响应 page script not responding after {responsive_s:.0f} s: {page.url}") from None


def render_meta(profile: Profile) -> dict[str, Any]:
    """Request.meta for a rendered fetch (``playwright=True`` and its options).

    The context is chosen when the page is created (``SharedPlaywrightHandler._create_page``),
    so contexts are recycled in generations of PAGES_PER_CONTEXT_LIFE pages."""
    from scrapy_playwright.page import PageMethod

    timeout = _timeout_ms(profile)
    return {
        "playwright": True,
        "playwright_context": "zhaocuo-0",  # the handler routes it to the current generation
        "zhaocuo_recycle": True,
        "playwright_page_init_callback": "crawler.render.init_page",
        "playwright_page_goto_kwargs": {"wait_until": "load", "timeout": timeout},
        "playwright_page_methods": [PageMethod(settle_page)],
        "rendered": True,
    }


# -- a standalone renderer: the same settings and hooks, without the site spider -------------------
def render_urls(profile: Profile, urls: list[str], concurrency: int = 8,
                stats: dict[str, Any] | None = None, env: dict[str, str] | None = None,
                on_start: Any = None) -> list[dict[str, Any]]:
    """Render ``urls`` through Scrapy + scrapy-playwright with this module's settings and meta, in
    a child process (Twisted's reactor cannot restart). One dict per URL: url, status, html, error,
    elapsed_s; ``stats`` (if given) receives the crawler's playwright/* counters; ``on_start``
    is called with the child's Popen (the benchmark samples its memory). Used by ``zhaocuo
    doctor``, the render benchmark and tests of the hooks."""
    import json
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "urls.json")
        out = os.path.join(tmp, "out.jsonl")
        with open(src, "w", encoding="utf-8") as fh:
            json.dump({"profile": str(profile.path), "urls": urls, "concurrency": concurrency, "out": out}, fh)
        limit = 120 + len(urls) * (profile.crawl.render_timeout_s + SETTLE_MAX_S + 5) / concurrency
        with open(os.path.join(tmp, "stderr"), "w+", encoding="utf-8") as err:
            proc = subprocess.Popen([sys.executable, "-m", "crawler.render", src], stdout=subprocess.DEVNULL,
                                    stderr=err, text=True, env={**os.environ, **(env or {})})
            if on_start is not None:
                on_start(proc)
            try:
                code = proc.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise RuntimeError(f"渲染进程超时 render child exceeded {limit:.0f} s") from None
            err.seek(0)
            if code != 0:
                raise RuntimeError(f"渲染进程失败 render child failed ({code}): {err.read()[-2000:]}")
        if stats is not None and os.path.exists(out + ".stats"):
            with open(out + ".stats", encoding="utf-8") as fh:
                stats.update(json.load(fh))
        with open(out, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]


def _child(job_file: str) -> None:
    """Child process of ``render_urls``: a minimal spider that only renders the given URLs."""
    import json

    import scrapy
    from scrapy.crawler import CrawlerProcess

    from zhaocuo.profile import load_profile

    with open(job_file, encoding="utf-8") as fh:
        job = json.load(fh)
    profile = load_profile(job["profile"])
    out = open(job["out"], "w", encoding="utf-8")  # noqa: SIM115 - closed when the spider closes
    started: dict[str, float] = {}

    def emit(url: str, status: int | None, html: str, error: str) -> None:
        out.write(json.dumps({"url": url, "status": status, "html": html, "error": error,
                              "elapsed_s": round(time.monotonic() - started.get(url, time.monotonic()), 3)},
                             ensure_ascii=False) + "\n")
        out.flush()

    class RenderSpider(scrapy.Spider):
        name = "zhaocuo-render"

        async def start(self):  # type: ignore[override]
            for url in job["urls"]:
                started[url] = time.monotonic()
                yield scrapy.Request(url, meta=render_meta(profile), callback=self.parse, errback=self.failed,
                                     dont_filter=True)

        def parse(self, response):  # type: ignore[override]
            emit(response.request.url, response.status, response.text, "")

        def failed(self, failure):  # type: ignore[no-untyped-def]
            emit(failure.request.url, None, "", f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500])

    settings = {
        "LOG_LEVEL": os.environ.get("ZHAOCUO_RENDER_LOG", "ERROR"),
        "ROBOTSTXT_OBEY": False,
        "CONCURRENT_REQUESTS": job["concurrency"],
        "CONCURRENT_REQUESTS_PER_DOMAIN": job["concurrency"],
        "RETRY_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "USER_AGENT": profile.crawl.user_agent,
        **playwright_settings(profile),
    }
    if "DOWNLOAD_HANDLERS" not in settings:  # a profile that disables rendering still renders here
        settings.update(playwright_settings_forced(profile))
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(RenderSpider)
    process.crawl(crawler)
    process.start()
    out.close()
    counters = {k: v for k, v in (crawler.stats.get_stats() or {}).items() if k.startswith("playwright/")}
    with open(job["out"] + ".stats", "w", encoding="utf-8") as fh:
        json.dump(counters, fh, default=str)


def playwright_settings_forced(profile: Profile) -> dict[str, Any]:
    """``playwright_settings`` even for a profile that turned rendering off (doctor, benchmark)."""
    import copy

    forced = copy.copy(profile.crawl)
    forced.render_js = ["/"]
    return playwright_settings(type(profile)(**{**profile.__dict__, "crawl": forced}))


if __name__ == "__main__":
    import sys

    _child(sys.argv[1])
