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
- A target that answers with an anti-bot gateway's challenge (crawler.challenge: 瑞数 412,
  加速乐 521, "访问验证" pages) is re-checked in the browser, which runs the challenge, within
  ``crawl.challenge_rechecks`` for the run; one the browser cannot get through is stored with
  error_kind "protected" (受防护，未检查), never as dead.
- When the crawl stopped on its page budget (``max_pages``), links to the site's own pages it
  did not reach are not checked (that would be crawling on past the budget: a page farm links
  millions); they are counted (``links_own_not_crawled``) and the report says so.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from crawler.frontier import ApproxSeen
from crawler.urls import looks_like_page
from zhaocuo.core.profile import Profile
from zhaocuo.core.store import Store

GET_CAP_BYTES = 64 * 1024


def gather(profile: Profile, store: Store, run_id: int, progress: bool = True, limiter: str = "") -> dict[str, Any]:
    import json
    import tempfile

    from crawler.scrapyrun import run_child

    # One pass over the run's links, here; the child gets the list (at most max_links_checked).
    todo = todo_targets(profile, store, run_id, profile.crawl.max_links_checked)
    counts = {"links_unchecked_over_budget": todo.over, "links_own_not_crawled": todo.own_not_crawled}
    if not todo.urls:
        return {"links_checked": store.link_check_count(run_id), "links_checked_by_checker": 0, **counts}
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="zhaocuo-todo-", encoding="utf-8") as fh:
        json.dump({"urls": todo.urls, "over": todo.over, "own_not_crawled": todo.own_not_crawled}, fh)
        fh.flush()
        stats = run_child("crawler.linkcheck", profile, store, run_id, progress, ["--todo", fh.name],
                          limiter=limiter)
    stats["links_checked"] = store.link_check_count(run_id)
    run = store.run(run_id)
    earlier = int((run.stats if run else {}).get("errors", 0) or 0)
    stats["errors"] = earlier + int(stats.get("links_dead_or_failed", 0))
    return stats


@dataclass
class Todo:
    urls: list[str]        # canonical targets to check, in first-seen order
    over: int              # distinct targets left unchecked over max_links_checked (approximate)
    own_not_crawled: int   # site pages not crawled because the page budget ran out (approximate)


def page_budget_reached(store: Store, run_id: int) -> bool:
    run = store.run(run_id)
    return bool(run and (run.stats.get("frontier") or {}).get("page_budget_reached"))


def todo_targets(profile: Profile, store: Store, run_id: int, limit: int, count_over: bool = True) -> Todo:
    """Canonical targets without a check yet, in first-seen order, at most ``limit``.

    When the crawl stopped on its page budget, the site's own pages it did not reach are not
    checked here either — checking them would be crawling on past ``max_pages`` (a page farm
    links millions) — but counted, and the report says so. Memory is bounded by ``limit``:
    targets over it are counted in a fixed-size filter (crawler.frontier), not a set.
    ``count_over`` false: stop at the first target over the limit (a quick "anything to do?")."""
    done = store.checked_urls(run_id)
    skip_own = page_budget_reached(store, run_id)
    own_origin: dict[str, bool] = {}  # scheme://host:port → on the crawled site
    out: list[str] = []
    queued: set[str] = set()
    over_seen = ApproxSeen() if count_over else None
    own_seen = ApproxSeen() if skip_own else None
    over = 0
    for target, url in store.iter_link_targets(run_id):  # url: canonical(target), as stored
        if own_seen is not None:
            end = target.find("/", target.find("//") + 2)
            origin = target if end < 0 else target[:end]
            own = own_origin.get(origin)
            if own is None:
                own = own_origin[origin] = len(own_origin) < 10_000 and profile.url_allowed(target)
            if own and looks_like_page(target):
                if url not in done:
                    own_seen.add(target)
                continue
        if url in done or url in queued:
            continue
        if not profile.crawl.check_external and not profile.url_allowed(url):
            continue
        if len(out) >= limit:
            if over_seen is None:
                break
            if over_seen.add(url):
                over += 1
            continue
        queued.add(url)
        out.append(url)
    return Todo(out, over, own_seen.count if own_seen is not None else 0)


def main(argv: list[str] | None = None) -> int:
    from crawler.linkspider import LinkCheckSpider
    from crawler.scrapyrun import child_main

    # The browser (started only when needed) re-checks targets a gateway answered with a challenge.
    return child_main(argv, "crawler.linkcheck", LinkCheckSpider, "linkcheck", "链接检查",
                      rendering=True, extra_settings={"COOKIES_ENABLED": False})


if __name__ == "__main__":
    sys.exit(main())
