"""The site crawl gatherer: ``gather(profile, store, run_id, progress) -> stats``.

``gather`` runs the Scrapy crawl (crawler.spider.SiteSpider) in a child process —
``python -m crawler.site`` — because Twisted's reactor cannot restart inside one process
and the CLI and tests gather repeatedly. The child writes pages, links and link checks into
the store in batches and a JSON stats file at the end. Every try of each start URL is kept
(record kind ``homepage_probe``); when no start URL answered after ``crawl.down_probes`` tries
over ``crawl.down_window_s`` (refused, timeout, DNS failure, 5xx…), the stats carry
``site_unreachable`` and the run ends there (crawler.run_crawl): the audits then report the
``site_unreachable`` veto instead of judging an empty crawl.
"""

from __future__ import annotations

import sys
from typing import Any

from zhaocuo.core.profile import Profile
from zhaocuo.core.store import Store

_REASONS = {
    "dns": "域名无法解析 DNS lookup failed",
    "refused": "连接被拒绝 connection refused",
    "timeout": "连接超时 timed out",
    "reset": "连接被重置 connection reset",
    "ssl": "SSL/TLS 错误 SSL/TLS error",
    "other": "无法访问 fetch failed",
    "http": "服务器错误 server error",
    "redirect_loop": "循环跳转 redirect loop",
    "too_many_redirects": "跳转次数过多 too many redirects",
}
HOMEPAGE_RECORD = "homepage_probe"


def gather(profile: Profile, store: Store, run_id: int, progress: bool = True, limiter: str = "") -> dict[str, Any]:
    from crawler.scrapyrun import run_child
    from zhaocuo.core.profile import ProfileError

    outside = [u for u in profile.site.start_urls if not profile.url_allowed(u)]
    if len(outside) == len(profile.site.start_urls):
        # Nothing could be crawled at all: say which key to fix instead of an empty report.
        raise ProfileError(profile.path, "site.allowed_hosts",
                           f"起始地址的主机不在允许抓取的主机中 the start URL's host is not allowed: {outside[0]}")
    run = store.run(run_id)
    resumed = bool(run and run.resumed)
    args = ["--resumed"] if resumed else []
    stats = run_child("crawler.site", profile, store, run_id, progress, args, limiter=limiter)
    start_status: dict[str, str] = stats.pop("start_status", {}) or {}
    attempts: dict[str, list[dict[str, str]]] = stats.pop("start_attempts", {}) or {}
    down = bool(start_status) and all(start_status.values())
    for url, failure in start_status.items():
        # What the site_unreachable audit judges: every try of each start URL, and whether the
        # site answered at all. Written on good nights too, so the audit knows it was checked.
        store.put_record(run_id, HOMEPAGE_RECORD, url, {
            "url": url, "reachable": not failure, "site_reachable": not down,
            "reason": describe(failure) if failure else "", "attempts": attempts.get(url, []),
            "probes": profile.crawl.down_probes, "window_s": profile.crawl.down_window_s})
    store.commit()
    if down:
        url, failure = next(iter(start_status.items()))
        stats["site_unreachable"] = {"url": url, "reason": describe(failure), "tries": len(attempts.get(url, []))}
    stats["resumed"] = resumed
    return stats


def describe(failure: str) -> str:
    """"refused: Connection was refused…" → "连接被拒绝 connection refused (Connection was refused…)"."""
    kind, _, detail = failure.partition(":")
    return _REASONS.get(kind, kind) + (f" ({detail.strip()[:240]})" if detail.strip() else "")


def main(argv: list[str] | None = None) -> int:
    from crawler.scrapyrun import child_main
    from crawler.spider import SiteSpider

    return child_main(argv, "crawler.site", SiteSpider, "crawl", "抓取")


if __name__ == "__main__":
    sys.exit(main())
