"""Debian's Chromium as the crawler starts it: the binary, the flags, what it never downloads,
and the host-resolver rules that make it use the profile's name servers.

Shared by the site spider's scrapy-playwright handler, the new-media gatherer and ``doctor``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from typing import Any

from zhaocuo.core import environment
from zhaocuo.core.profile import Profile

# Debian's chromium-headless-shell first: the same build without the desktop browser's UI layers,
# about a third less CPU per rendered page (docs/ARCHITECTURE.md); the full chromium is the fallback.
HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
CHROMIUM = "/usr/bin/chromium"
# Playwright 1.65's list (chromiumSwitches.ts: HTTP stays HTTP, no paint holding, no storage
# partitioning, no requests to Google at start…), then ours: SpareRenderer… (no idle renderer kept)
# and RenderDocument — with it Chromium builds a new frame (its widget and compositor) in the
# renderer for every document a tab navigates to; without it a tab's frame is kept from page to
# page, as Chromium did for years (each page still gets its own document and window). Measured on
# the render benchmark's pages: about a quarter less Chromium CPU a page (74 → 55-61 ms).
DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding", "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect", "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled",
    "PreconnectToSearch",
    "Translate", "SpareRendererForSitePerProcess", "RenderDocument",
)
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm; Chromium then crashes tabs
    # A page's script heap is capped: a hostile page that allocates without end crashes its tab,
    # not the host. (No --renderer-process-limit: pages sharing a renderer would all hang behind
    # one page whose script never yields; memory is bounded by the number of open pages instead.)
    "--js-flags=--max-old-space-size=256",
    # Fewer helper processes (each costs tens of MB): GPU and network service inside the browser process.
    "--in-process-gpu", "--enable-features=NetworkServiceInProcess2,CDPScreenshotNewSurface,SkipListAccountsWithoutGaiaCookies",
    "--disable-extensions", "--mute-audio",
    # Chromium reads only the last --disable-features (and --enable-features): Playwright's own lists
    # (it passes them first) are repeated here, or an argument of ours would switch its choices back
    # on — among them the HTTPS upgrade of http:// navigations, which would render another page.
    "--disable-features=" + ",".join(DISABLED_FEATURES),
]
# Resource types the browser never downloads: they cost bandwidth and memory and carry no text.
BLOCKED_RESOURCE_TYPES = frozenset({"image", "font", "media"})
# The same types as the DevTools protocol names them (Network.ResourceType).
_CDP_BLOCKED_TYPES = ("Image", "Font", "Media")

log = logging.getLogger("zhaocuo.render")


def chromium_path() -> str:
    """Debian's chromium-headless-shell when installed, else Debian's full chromium;
    ``ZHAOCUO_CHROMIUM`` overrides both (e.g. on another distribution)."""
    env = environment.chromium_override()
    if env:
        return env
    for exe in (HEADLESS_SHELL, CHROMIUM):
        if os.path.exists(exe):
            return exe
    return shutil.which("chromium") or shutil.which("chromium-browser") or CHROMIUM


def launch_options() -> dict[str, Any]:
    """Playwright ``chromium.launch`` options shared by the spider and the new-media gatherer."""
    return {"executable_path": chromium_path(), "headless": True, "args": list(LAUNCH_ARGS), "timeout": 60_000}


def abort_request(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: True for images, fonts and media (they are never downloaded)."""
    return request.resource_type in BLOCKED_RESOURCE_TYPES


async def block_resources(browser: Any) -> Any:
    """Make the whole browser fail every image, font and media request before it is sent.

    One DevTools session on the browser target asks Chromium to pause exactly those resource
    types (``Fetch.enable`` with resourceType patterns; every other request goes straight to the
    network, no round trip) and fails each paused one as ``route.abort()`` would ("Failed": the
    page sees the same error event). Browser-wide, so every tab, frame and context of the
    browser is covered, and routing each request of a page through Python (scrapy-playwright's
    ``page.route``) is needed only for what must change a request (crawler.playwright_handler).
    Returns the session (kept by the caller: it lives as long as the browser)."""
    session = await browser.new_browser_cdp_session()

    async def fail(request_id: str) -> None:
        try:
            await session.send("Fetch.failRequest", {"requestId": request_id, "errorReason": "Failed"})
        except Exception as exc:  # noqa: BLE001 - its tab or the browser is already gone
            log.debug("blocked request: %s", exc)

    pending: set[asyncio.Task] = set()  # the loop keeps only weak references to tasks

    def paused(event: dict) -> None:
        task = asyncio.get_running_loop().create_task(fail(event["requestId"]))
        pending.add(task)
        task.add_done_callback(pending.discard)

    session.on("Fetch.requestPaused", paused)
    await session.send("Fetch.enable", {"patterns": [
        {"urlPattern": "*", "resourceType": kind, "requestStage": "Request"} for kind in _CDP_BLOCKED_TYPES]})
    return session


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
