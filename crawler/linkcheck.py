"""The link checker gatherer: every link target of the run checked once.

Runs after crawler.site and crawler.newmedia. Every distinct target in the run's ``links``
table (canonicalised, so ``?utm_source=`` variants are one URL) that has no LinkCheck yet
— pages the crawl fetched already have theirs — is checked once, in a child process
(``python -m crawler.linkcheck``, for the same reactor reason as the crawl).

How a target is checked (the choice the issue asks to document):
- Targets that look like pages (no file extension, or .html/.php/.jsp…) get one bounded
  GET: the first 64 KB only (Scrapy's StopDownload from a bytes_received handler), and no
  body at all once the headers say it is not HTML. A HEAD would say 200 for a soft 404;
  64 KB is enough for the title and the first ~2 KB of text the soft-404 judgement reads.
- Files (images, PDF, DOC, XLS, scripts, styles…) get HEAD; where HEAD is refused — any
  4xx/5xx (405 and 501 most often, but some servers answer HEAD with 403/404 for files a
  browser gets), or an error that is not DNS/refused/timeout — a GET follows, stopped right
  after the headers.
- 429/503, timeouts and resets are retried with backoff (crawler.middlewares) before the
  result is stored; robots.txt is honoured for the site's own hosts unless ``own_site``
  (a disallowed target is stored with error_kind "skipped"), never for other hosts.
- At most ``crawl.max_links_checked`` targets; ``crawl.check_external = false`` checks
  only targets on the allowed hosts.
"""

from __future__ import annotations

import sys
from typing import Any

from crawler.urls import canonical
from zhaocuo.core.profile import Profile
from zhaocuo.core.store import Store

GET_CAP_BYTES = 64 * 1024


def gather(profile: Profile, store: Store, run_id: int, progress: bool = True, limiter: str = "") -> dict[str, Any]:
    from crawler.scrapyrun import run_child

    if not todo_targets(profile, store, run_id, limit=1, count_over=False)[0]:
        return {"links_checked": store.link_check_count(run_id), "links_checked_by_checker": 0}
    stats = run_child("crawler.linkcheck", profile, store, run_id, progress, limiter=limiter)
    stats["links_checked"] = store.link_check_count(run_id)
    run = store.run(run_id)
    earlier = int((run.stats if run else {}).get("errors", 0) or 0)
    stats["errors"] = earlier + int(stats.get("links_dead_or_failed", 0))
    return stats


def todo_targets(profile: Profile, store: Store, run_id: int, limit: int,
                 count_over: bool = True) -> tuple[list[str], int]:
    """Canonical targets without a check yet, in first-seen order, at most ``limit``; and how
    many more there were (left unchecked: over the budget; not counted when ``count_over``
    is false, for a quick "anything to do?")."""
    done = store.checked_urls(run_id)
    out: list[str] = []
    over = 0
    queued: set[str] = set()
    for link in store.iter_links(run_id):
        url = canonical(link.target)
        if url in done or url in queued:
            continue
        if not profile.crawl.check_external and not profile.url_allowed(url):
            continue
        queued.add(url)
        if len(out) >= limit:
            over += 1
            if not count_over:
                break
            continue
        out.append(url)
    return out, over


def main(argv: list[str] | None = None) -> int:
    from crawler.linkspider import LinkCheckSpider
    from crawler.scrapyrun import child_main

    return child_main(argv, "crawler.linkcheck", LinkCheckSpider, "linkcheck", "链接检查",
                      rendering=False, extra_settings={"COOKIES_ENABLED": False})


if __name__ == "__main__":
    sys.exit(main())
