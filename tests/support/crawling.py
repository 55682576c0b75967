"""Crawl a loopback site in this process (crawler.site.gather, then optionally the link
checker) into a fresh store, with short timeouts: the crawl tests' common step. Also the
smallest pages they serve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crawler import linkcheck, site
from tests.support.profiles import write_profile
from zhaocuo.core.profile import load_profile
from zhaocuo.core.store import Crawl, SQLiteStore


def page(title: str, body: str = "") -> str:
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"


def links(*hrefs: str) -> str:
    return "".join(f"<a href='{h}'>{h}</a>" for h in hrefs)


def crawl_site(tmp: Path, start: str, check_links: bool = False, **sections: dict[str, Any]) -> tuple[Crawl, dict[str, Any]]:
    tmp.mkdir(parents=True, exist_ok=True)
    crawl_cfg = {"timeout_s": 2.0, "retries": 1, "max_backoff_s": 0.2, "auto_render_share": 0.0,
                 **sections.pop("crawl", {})}
    path = write_profile(tmp, {"site": {"start_urls": [start], **sections.pop("site", {})}, "crawl": crawl_cfg, **sections})
    profile = load_profile(path)
    store = SQLiteStore(profile.default_store_path())
    run_id, _ = store.begin_run()
    stats = site.gather(profile, store, run_id, False)
    if check_links:
        stats.update(linkcheck.gather(profile, store, run_id, False))
    store.finish_run(run_id, "complete", stats)
    return store.crawl(), stats
