"""The site crawl gatherer: ``gather(profile, store, run_id, progress) -> stats``.

``gather`` runs the Scrapy crawl (crawler.spider.SiteSpider) in a child process —
``python -m crawler.site`` — because Twisted's reactor cannot restart inside one process
and the CLI and tests gather repeatedly. The child writes pages, links and link checks into
the store in batches and a JSON stats file at the end. When no start URL could be reached
at all (DNS failure, refused, timeout…), ``gather`` raises ``crawler.CrawlError`` with a
one-line Chinese + English message naming the URL and the reason.
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
}


def gather(profile: Profile, store: Store, run_id: int, progress: bool = True) -> dict[str, Any]:
    from crawler import CrawlError
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
    stats = run_child("crawler.site", profile, store, run_id, progress, args)
    start_status: dict[str, str] = stats.pop("start_status", {}) or {}
    if start_status and all(start_status.values()):
        url, reason = next(iter(start_status.items()))
        kind = reason.split(":", 1)[0]
        detail = reason.split(":", 1)[1].strip() if ":" in reason else ""
        raise CrawlError(f"无法访问起始地址 start URL unreachable: {url} — {_REASONS.get(kind, kind)}"
                         + (f" ({detail[:240]})" if detail else ""))
    stats["resumed"] = resumed
    return stats


def main(argv: list[str] | None = None) -> int:
    from crawler.scrapyrun import child_main
    from crawler.spider import SiteSpider

    return child_main(argv, "crawler.site", SiteSpider, "crawl", "抓取")


if __name__ == "__main__":
    sys.exit(main())
