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

import argparse
import asyncio
import sys
import time
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http import Response

from crawler.decode import decode_body
from crawler.extract import extract
from crawler.middlewares import classify_exception
from crawler.progress import Progress
from crawler.scrapyrun import StoreWriter, fetch_outcome
from crawler.spider import header, is_html, snippet
from crawler.urls import canonical, host_of, looks_like_page
from zhaocuo.profile import Profile
from zhaocuo.store import LinkCheck, SQLiteStore, now_iso

GET_CAP_BYTES = 64 * 1024


def gather(profile: Profile, store: SQLiteStore, run_id: int, progress: bool = True) -> dict[str, Any]:
    from crawler.scrapyrun import run_child

    if not _todo(profile, store, run_id, limit=1)[0]:
        total = store.db.execute("SELECT COUNT(*) FROM link_checks WHERE run_id = ?", (run_id,)).fetchone()[0]
        return {"links_checked": total, "links_checked_by_checker": 0}
    stats = run_child("crawler.linkcheck", profile, store, run_id, progress)
    stats["links_checked"] = store.db.execute(
        "SELECT COUNT(*) FROM link_checks WHERE run_id = ?", (run_id,)).fetchone()[0]
    run = store.run(run_id)
    earlier = int((run.stats if run else {}).get("errors", 0) or 0)
    stats["errors"] = earlier + int(stats.get("links_dead_or_failed", 0))
    return stats


def _todo(profile: Profile, store: SQLiteStore, run_id: int, limit: int) -> tuple[list[str], int]:
    """Canonical targets without a check yet, in first-seen order, at most ``limit``; and how
    many more there were (left unchecked: over the budget)."""
    done = {r[0] for r in store.db.execute("SELECT url FROM link_checks WHERE run_id = ?", (run_id,))}
    out: list[str] = []
    over = 0
    queued: set[str] = set()
    for (target,) in store.db.execute("SELECT target FROM links WHERE run_id = ? ORDER BY rowid", (run_id,)):
        url = canonical(target)
        if url in done or url in queued:
            continue
        if not profile.crawl.check_external and not profile.host_allowed(host_of(url)):
            continue
        queued.add(url)
        if len(out) >= limit:
            over += 1
            if limit == 1:
                break  # only asked whether there is anything to do
            continue
        out.append(url)
    return out, over


class LinkCheckSpider(scrapy.Spider):
    name = "zhaocuo-linkcheck"

    def __init__(self, profile: Profile, store_path: str, run_id: int, progress: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.profile = profile
        self.store = SQLiteStore(store_path)
        self.run_id = run_id
        self.writer = StoreWriter(self.store, run_id)
        self.progress = Progress("链接检查 links", enabled=progress)
        self.todo, self.over_budget = _todo(profile, self.store, run_id, profile.crawl.max_links_checked)
        self.total = len(self.todo)
        self.done = 0
        self.dead = 0
        self.in_flight = 0
        self.started = time.monotonic()
        self._wake: asyncio.Event | None = None
        self.max_in_flight = max(4, profile.crawl.concurrency * 2)
        self.obey = not profile.site.own_site

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> LinkCheckSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_headers, signal=signals.headers_received)
        crawler.signals.connect(spider.on_bytes, signal=signals.bytes_received)
        crawler.signals.connect(spider.on_closed, signal=signals.spider_closed)
        return spider

    def on_headers(self, headers: Any, body_length: int, request: scrapy.Request, spider: Any) -> None:
        if "zc_url" not in request.meta or request.method == "HEAD":
            return
        ct = (headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if not request.meta.get("zc_body") or (ct and "html" not in ct and not ct.startswith("text/")):
            raise StopDownload(fail=False)

    def on_bytes(self, data: bytes, request: scrapy.Request, spider: Any) -> None:
        if "zc_url" not in request.meta:
            return  # robots.txt and other requests of Scrapy's own
        got = request.meta.get("zc_bytes", 0) + len(data)
        request.meta["zc_bytes"] = got
        if got >= GET_CAP_BYTES:
            raise StopDownload(fail=False)

    def on_closed(self, spider: Any, reason: str) -> None:
        self.writer.flush()
        self.progress.close(self.done, self.total - self.done, self.dead)

    def _request(self, url: str, method: str, body: bool, t0: float | None = None) -> scrapy.Request:
        meta = {"zc_url": url, "zc_attempts": 1, "zc_t0": t0 or time.monotonic(), "zc_body": body}
        if not (self.obey and self.profile.host_allowed(host_of(url))):
            meta["dont_obey_robotstxt"] = True
        return scrapy.Request(url, method=method, callback=self.on_response, errback=self.on_error,
                              meta=meta, dont_filter=True)

    def _first(self, url: str) -> scrapy.Request:
        if looks_like_page(url):
            return self._request(url, "GET", body=True)
        return self._request(url, "HEAD", body=False)

    def _requests(self) -> Iterator[scrapy.Request]:
        for url in self.todo:
            yield self._first(url)

    async def start(self) -> Any:
        self._wake = asyncio.Event()
        pending = self._requests()
        exhausted = False
        while True:
            while not exhausted and self.in_flight < self.max_in_flight:
                req = next(pending, None)
                if req is None:
                    exhausted = True
                    break
                self.in_flight += 1
                yield req
            if exhausted and self.in_flight == 0:
                break
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=0.5)
            except TimeoutError:
                pass
            self.writer.maybe_flush()
            self.progress.update(self.done, self.total - self.done, self.dead)

    def _store(self, check: LinkCheck) -> None:
        self.writer.check(check)
        self.writer.maybe_flush()
        self.done += 1
        if check.error_kind and check.error_kind != "skipped":
            self.dead += 1
        self.in_flight -= 1
        if self._wake is not None:
            self._wake.set()

    def _head_refused(self, request: scrapy.Request, status: int | None, error_kind: str) -> bool:
        if request.method != "HEAD":
            return False
        if status is not None:
            # Any error status is confirmed by GET: some servers and CDNs answer HEAD with 403,
            # 404 or 405 for files a browser gets fine, and a false dead link costs more than a request.
            return status >= 400 and status != 429
        return error_kind in ("reset", "other")

    def on_response(self, response: Response) -> Any:
        request = response.request
        assert request is not None
        meta = request.meta
        url = meta["zc_url"]
        redirect_error = meta.get("zc_redirect_error", "")
        if not redirect_error and self._head_refused(request, response.status, ""):
            # HEAD refused: the same target again with GET (it keeps this target's in-flight slot)
            return self._request(url, "GET", body=False, t0=meta.get("zc_t0"))
        title = text = ""
        ctype = header(response, "Content-Type")
        if response.body and is_html(ctype, response.body):
            try:
                decoded, _ = decode_body(response.body, ctype)
                ex = extract(decoded, response.url)
                title, text = ex.title, ex.text
            except Exception:  # noqa: BLE001 - a hostile body must not stop the checker
                pass
        self._store(LinkCheck(
            url=url, status=response.status, final_url=response.url,
            error_kind=fetch_outcome(response.status, redirect_error), error=redirect_error,
            method=request.method, attempts=meta.get("zc_attempts", 1),
            elapsed_ms=int((time.monotonic() - meta["zc_t0"]) * 1000), content_type=ctype,
            title=title[:500], snippet=snippet(text), redirects=list(meta.get("zc_chain") or []),
            checked_at=now_iso(),
        ))
        return None

    def on_error(self, failure: Any) -> Any:
        request: scrapy.Request = failure.request
        meta = request.meta
        url = meta["zc_url"]
        exc = failure.value
        if isinstance(exc, IgnoreRequest):
            kind, message = "skipped", "robots.txt"
        else:
            kind, message = classify_exception(exc), str(exc)[:300]
            if self._head_refused(request, None, kind):
                return self._request(url, "GET", body=False, t0=meta.get("zc_t0"))
        self._store(LinkCheck(
            url=url, status=None, final_url=request.url, error_kind=kind, error=message, method=request.method,
            attempts=meta.get("zc_attempts", 1), elapsed_ms=int((time.monotonic() - meta["zc_t0"]) * 1000),
            redirects=list(meta.get("zc_chain") or []), checked_at=now_iso(),
        ))
        return None

    def stats(self) -> dict[str, Any]:
        return {
            "links_checked_by_checker": self.done,
            "links_unchecked_over_budget": self.over_budget + max(0, self.total - self.done),
            "links_dead_or_failed": self.dead,
            "linkcheck_elapsed_s": round(time.monotonic() - self.started, 2),
        }


def main(argv: list[str] | None = None) -> int:
    from crawler.scrapyrun import run_scrapy, scrapy_settings, write_stats
    from zhaocuo.profile import load_profile

    p = argparse.ArgumentParser(prog="python -m crawler.linkcheck")
    p.add_argument("--config", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--run-id", type=int, required=True)
    p.add_argument("--stats-file", required=True)
    p.add_argument("--progress", action="store_true")
    args = p.parse_args(argv)
    profile = load_profile(args.config)
    settings = scrapy_settings(profile, obey_robots=not profile.site.own_site, rendering=False)
    settings["COOKIES_ENABLED"] = False
    holder: dict[str, Any] = {}

    class Spider(LinkCheckSpider):
        def on_closed(self, spider: Any, reason: str) -> None:
            super().on_closed(spider, reason)
            holder["stats"] = self.stats()

    run_scrapy(settings, Spider, profile=profile, store_path=args.db, run_id=args.run_id, progress=args.progress)
    if "stats" not in holder:
        print("crawler.linkcheck: 检查未正常结束 the link check did not finish", file=sys.stderr)
        return 1
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    holder["stats"]["linkcheck_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 2)  # CPU seconds, for the benchmark
    holder["stats"]["linkcheck_peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
    write_stats(args.stats_file, holder["stats"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
