"""The link checker's Scrapy spider (see crawler.linkcheck for what is checked and how).

Kept apart from crawler.linkcheck so the parent process, which only starts the child, never
imports Scrapy (about 40 MB it would hold for the whole run).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http import Response

from crawler import render
from crawler.challenge import STATUSES, Challenge, Rechecks, protected_check
from crawler.challenge import from_response as challenge_of
from crawler.decode import decode_body
from crawler.extract import extract
from crawler.linkcheck import GET_CAP_BYTES, Todo, todo_targets
from crawler.middlewares import classify_exception
from crawler.pagesettle import ChallengeNotPassed
from crawler.progress import Progress
from crawler.scrapyrun import SignalledSpider, StoreWriter, fetch_outcome
from crawler.spider import header, is_html, snippet
from crawler.urls import looks_like_page
from zhaocuo.core.profile import Profile
from zhaocuo.core.store import LinkCheck, now_iso, open_store


class LinkCheckSpider(SignalledSpider, scrapy.Spider):
    name = "zhaocuo-linkcheck"

    def __init__(self, profile: Profile, store_path: str, run_id: int, progress: bool = False,
                 todo_file: str = "", **kw: Any) -> None:
        super().__init__(**kw)
        self.profile = profile
        self.store = open_store(store_path)
        self.run_id = run_id
        self.writer = StoreWriter(self.store, run_id)
        self.progress = Progress("链接检查 links", enabled=progress)
        if todo_file:  # prepared by crawler.linkcheck.gather (one pass over the links, in the parent)
            with open(todo_file, encoding="utf-8") as fh:
                todo = Todo(**json.load(fh))
        else:
            todo = todo_targets(profile, self.store, run_id, profile.crawl.max_links_checked)
        self.todo, self.over_budget, self.own_not_crawled = todo.urls, todo.over, todo.own_not_crawled
        self.total = len(self.todo)
        self.done = 0
        self.dead = 0
        self.in_flight = 0
        self.started = time.monotonic()
        self._wake: asyncio.Event | None = None
        self.max_in_flight = max(4, profile.crawl.concurrency * 2)
        self.obey = not profile.site.own_site
        # Anti-bot challenges: what the site crawl left of the run's budget of browser re-checks.
        run = self.store.run(run_id)
        used = int(((run.stats if run else {}).get("challenge_pages") or {}).get("rechecked", 0) or 0)
        self.rechecks = Rechecks(max(0, profile.crawl.challenge_rechecks - used))

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
        meta = {"zc_url": url, "zc_attempts": 1, "zc_t0": t0 or time.monotonic(), "zc_body": body,
                "zc_max_decoded": GET_CAP_BYTES}
        if not (self.obey and self.profile.url_allowed(url)):
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
        if check.error_kind and check.judged:
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
            # HEAD refused: the same target again with GET (it keeps this target's in-flight slot);
            # with its body when a gateway's challenge may be what refused it.
            return self._request(url, "GET", body=response.status in STATUSES, t0=meta.get("zc_t0"))
        ctype = header(response, "Content-Type")
        if not redirect_error and (meta.get("zhaocuo_challenge") or response.status >= 400):
            challenge = challenge_of(response.status, response.body, ctype,
                                     b"; ".join(response.headers.getlist("Set-Cookie")).decode("latin-1"))
            if meta.get("zhaocuo_challenge"):
                pending = self.rechecks.pending.pop(url, None)
                if challenge is None:
                    self.rechecks.passed += 1  # through: the real page's answer is stored below
                elif self._protected(request, challenge if pending is None else pending, "浏览器复查后仍是验证页"):
                    return None
            elif challenge is not None:
                if self.rechecks.take(url, challenge):
                    # The browser runs the challenge (it keeps this target's in-flight slot).
                    return scrapy.Request(url, callback=self.on_response, errback=self.on_error, dont_filter=True,
                                          meta={**render.challenge_meta(self.profile), "zc_url": url, "zc_attempts": 1,
                                                "zc_t0": meta.get("zc_t0"), "zc_no_retry": True,
                                                "dont_obey_robotstxt": True})
                if self._protected(request, challenge, "超出浏览器复查上限（[crawl] challenge_rechecks）"):
                    return None
        title = text = ""
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
        elif meta.get("zhaocuo_challenge"):
            # The browser did not get through: protected, not checked; a generic challenge keeps
            # the answer it came with (an error stays an error).
            challenge = self.rechecks.pending.pop(url, None)
            why = exc.why if isinstance(exc, ChallengeNotPassed) else f"浏览器复查失败（{type(exc).__name__}）"
            if challenge is not None and self._protected(request, challenge, why):
                return None
            status = challenge.status if challenge is not None else None
            self._store(LinkCheck(url=url, status=status, final_url=request.url,
                                  error_kind=fetch_outcome(status, "" if status else "other"), error="" if status else why,
                                  method="GET", checked_at=now_iso()))
            return None
        else:
            kind, message = classify_exception(exc), (meta.get("zc_tls_problem") or str(exc))[:300]
            if self._head_refused(request, None, kind):
                return self._request(url, "GET", body=False, t0=meta.get("zc_t0"))
        self._store(LinkCheck(
            url=url, status=None, final_url=request.url, error_kind=kind, error=message, method=request.method,
            attempts=meta.get("zc_attempts", 1), elapsed_ms=int((time.monotonic() - meta["zc_t0"]) * 1000),
            redirects=list(meta.get("zc_chain") or []), checked_at=now_iso(),
        ))
        return None

    def _protected(self, request: scrapy.Request, challenge: Challenge, why: str) -> bool:
        """Store the target as protected, not checked (never dead) when the challenge is a
        gateway's own (crawler.challenge ``known``); False for a generic one (judged as it came)."""
        if not challenge.known:
            return False
        self.rechecks.protected += 1
        self._store(protected_check(request.meta["zc_url"], request.url, request.method, request.meta, challenge, why))
        return True

    def stats(self) -> dict[str, Any]:
        return {
            "challenge_links": self.rechecks.stats(),
            "links_checked_by_checker": self.done,
            "links_unchecked_over_budget": self.over_budget + max(0, self.total - self.done),
            "links_dead_or_failed": self.dead,
            "links_own_not_crawled": self.own_not_crawled,
            "linkcheck_elapsed_s": round(time.monotonic() - self.started, 2),
        }
