"""Render account pages with Playwright directly (the same Chromium, arguments and bounds as the spider).

Why not Scrapy here: a profile lists a handful of accounts, not thousands of pages, so a
scheduler, a reactor and a child process buy nothing; Playwright's asyncio API runs in the
calling process, gives each account its own browser context (no cookies shared between
platforms) and lets us wait for a list built by ``fetch()`` the same way (``settle_page``).
Every step is bounded: navigation by ``render_timeout_s``, settling by ``pagesettle.SETTLE_MAX_S``,
a page's answer to a trivial script by ``pagesettle.RESPONSIVE_S``, and the whole account by an
overall deadline, so one hung platform page never stops the run.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from crawler import chromium, pagesettle
from zhaocuo.core.store import now_iso

MAX_PARALLEL = 3


@dataclass
class Rendered:
    url: str
    final_url: str = ""
    status: int | None = None
    html: str = ""
    error: str = ""
    fetched_at: str = ""
    content_type: str = ""


async def _route(route, request) -> None:  # type: ignore[no-untyped-def]
    if chromium.abort_request(request):
        await route.abort()
    else:
        await route.continue_()


async def _render_one(browser, url: str, timeout_s: float, user_agent: str) -> Rendered:  # type: ignore[no-untyped-def]
    out = Rendered(url=url, fetched_at=now_iso())
    context = await browser.new_context(user_agent=user_agent, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        await context.route("**/*", _route)
        page = await context.new_page()
        await pagesettle.init_page_tracking(page)
        response = await page.goto(url, wait_until="load", timeout=timeout_s * 1000)
        if response is not None:
            out.status = response.status
            out.content_type = (await response.all_headers()).get("content-type", "")
        await pagesettle.settle_page(page)
        out.final_url = page.url
        out.html = await asyncio.wait_for(page.content(), timeout=pagesettle.RESPONSIVE_S)
        if out.status is not None and out.status >= 400:
            out.error = f"HTTP {out.status}"
    except pagesettle.RenderHang as exc:
        out.error = str(exc)
    except TimeoutError:
        out.error = f"页面加载超时 page did not finish loading within {timeout_s:.0f} s"
    except Exception as exc:  # noqa: BLE001 - any browser failure is this account's error, not the run's
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "Timeout" in msg:
            msg = f"页面加载超时 page did not finish loading within {timeout_s:.0f} s"
        out.error = msg[:300]
    finally:
        try:
            await asyncio.wait_for(context.close(), timeout=10)
        except Exception:  # noqa: BLE001 - a context that will not close goes with the browser
            pass
    return out


async def _render_all(urls: list[str], timeout_s: float, user_agent: str) -> list[Rendered]:
    from playwright.async_api import async_playwright

    limit = asyncio.Semaphore(MAX_PARALLEL)
    per_page = timeout_s + pagesettle.SETTLE_MAX_S + 2 * pagesettle.RESPONSIVE_S + 10
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**chromium.launch_options())
        try:
            async def one(url: str) -> Rendered:
                async with limit:
                    try:
                        return await asyncio.wait_for(_render_one(browser, url, timeout_s, user_agent), per_page)
                    except TimeoutError:
                        return Rendered(url=url, fetched_at=now_iso(),
                                        error=f"页面加载超时 page did not finish loading within {per_page:.0f} s")
            return await asyncio.gather(*(one(u) for u in urls))
        finally:
            await browser.close()


def render_pages(urls: list[str], timeout_s: float, user_agent: str) -> list[Rendered]:
    """Render each URL (in order); a failure is the Rendered's ``error``, never an exception,
    except when the browser itself cannot start (that is raised: nothing can be rendered)."""
    if not urls:
        return []
    return asyncio.run(_render_all(urls, timeout_s, user_agent))
