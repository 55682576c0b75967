"""Browser rendering hooks the site spider calls (scrapy-playwright with Debian's Chromium).

STUB — the rendering issue replaces the bodies; the signatures are what crawler.site uses.
"""

from __future__ import annotations

from typing import Any

from zhaocuo.profile import Profile


def playwright_settings(profile: Profile) -> dict[str, Any]:
    """Scrapy settings that enable scrapy-playwright (download handlers, launch options…).
    Empty when this profile needs no browser."""
    return {}


def wants_render(url: str, profile: Profile) -> bool:
    """True for URLs the profile says must be rendered (``crawl.render_js`` path prefixes)."""
    return False


def looks_script_built(html: str, text: str) -> bool:
    """True when a raw page has little text but scripts that load its content."""
    return False


def render_meta(profile: Profile) -> dict[str, Any]:
    """Request.meta for a rendered fetch (``playwright=True`` and its options)."""
    return {}
