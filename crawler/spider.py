"""The site spider: crawls the allowed hosts breadth-first and stores pages, links and the
check of every URL it fetched (a crawled page's own fetch is its link check).

The frontier is ours, not Scrapy's scheduler: ``start()`` feeds Scrapy lazily from a deque
of (url, depth) with at most ~2× the concurrency in flight, so 100,000 known URLs cost a
set of strings and a deque of tuples, not 100,000 Request objects. Scope, depth, page
budget, traps and query variants are decided when a URL enters the frontier.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http import Response

from crawler import cms, render
from crawler.attachments import extract_text
from crawler.challenge import Challenge, Rechecks, protected_check
from crawler.challenge import from_response as challenge_of
from crawler.cms import hanweb
from crawler.decode import decode_body
from crawler.extract import INVALID_URL, LOCAL_FILE, extract
from crawler.frontier import ApproxSeen, frontier_cap
from crawler.middlewares import classify_exception
from crawler.pagesettle import ChallengeNotPassed
from crawler.progress import Progress
from crawler.scrapyrun import SignalledSpider, StoreWriter, fetch_outcome
from crawler.urls import canonical, is_attachment, looks_like_page, origin_of, path_key, trap_reason
from zhaocuo.core.cmsrecords import GROUP_KIND, LIST_KIND, group_key
from zhaocuo.core.htmlheur import looks_like_message_list, looks_script_built
from zhaocuo.core.profile import Profile
from zhaocuo.core.store import Link, LinkCheck, Page, now_iso, open_store

log = logging.getLogger("zhaocuo.crawler")

# A link check keeps the first ~2 KB (UTF-8) of the target's text: enough for the soft-404
# judgement (audits._soft404 looks at the first 600 characters), and small enough to keep for
# every check of a 100,000-URL run (dead_link streams them and holds only the dead ones).
SNIPPET_BYTES = 2048


def snippet(text: str) -> str:
    head = text[:SNIPPET_BYTES]
    raw = head.encode("utf-8")
    return head if len(raw) <= SNIPPET_BYTES else raw[:SNIPPET_BYTES].decode("utf-8", "ignore")
HTML_TYPES = ("text/html", "application/xhtml+xml")
INVALID_REASONS = {INVALID_URL: "链接地址格式错误，浏览器无法打开", LOCAL_FILE: "链接指向编辑者本机的文件（file:），访客无法打开"}


def is_html(content_type: str, body: bytes) -> bool:
    ct = content_type.split(";")[0].strip().lower()
    if ct in HTML_TYPES:
        return True
    if not ct or ct in ("text/plain", "application/octet-stream"):
        head = body[:512].lstrip().lower()
        return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head
    return False


def header(response: Response, name: str) -> str:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else ""


@dataclass
class _CmsUnit:
    """A 大汉 datastore being read: its list page, plan and what the groups so far said."""

    list_url: str
    unit: hanweb.Unit
    depth: int
    first_record: str = ""
    planned: set[int] = field(default_factory=set)


# Invalid hrefs (http://, //////…) stored with a check of their own, at most: beyond that
# they are still stored as links, without a new check.
MAX_INVALID_CHECKS = 50_000


class SiteSpider(SignalledSpider, scrapy.Spider):
    name = "zhaocuo-site"

    def __init__(self, profile: Profile, store_path: str, run_id: int, progress: bool = False,
                 resumed: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.profile = profile
        self.crawl_cfg = profile.crawl
        self.store = open_store(store_path)
        self.run_id = run_id
        self.writer = StoreWriter(self.store, run_id)
        self.progress = Progress("抓取 crawl", enabled=progress)
        self.resumed = resumed
        self.frontier: deque[tuple[str, int, str]] = deque()  # (canonical url, depth, kind)
        # Exactly remembered: only URLs queued or fetched (crawler.frontier bounds them by
        # max_pages); every URL dropped is counted once in a fixed-size filter instead.
        self.seen: set[str] = set()
        self.frontier_cap = frontier_cap(profile.crawl.max_pages)
        self.dropped = ApproxSeen()
        self.links_cut = 0
        # URLs fetched or queued as pages under their own address.
        self.page_urls: set[str] = set()
        self.query_variants: Counter[str] = Counter()
        self.origins_probed: set[str] = set()
        self.invalid_checked: set[str] = set()  # invalid hrefs already stored with their check
        self._scope_memo: dict[str, bool] = {}
        # CMS family rules (crawler/cms): 大汉 datastore units by key, their group requests by
        # frontier key (unit key, group, method, earlier failure), datastores already planned.
        self.cms_disabled = frozenset(profile.cms.disabled)
        self.cms_units: dict[str, _CmsUnit] = {}
        self.cms_specs: dict[str, tuple[str, int, str, str]] = {}
        self.cms_seen: set[str] = set()
        self.cms_requests = 0
        self.cms_stats: Counter[str] = Counter()
        self.in_flight = 0
        self.pages_in_flight = 0
        self.pages_done = 0
        self.errors = 0
        self.auto_rendered = 0
        # Anti-bot challenges (crawler.challenge): re-checked in the browser within the budget.
        self.rechecks = Rechecks(profile.crawl.challenge_rechecks)
        # Origin → the cookies the browser got past its gateway with (bounded: crawler.pagesettle).
        self.gateway_cookies: dict[str, dict[str, str]] = {}
        self.start_protected: list[str] = []  # start URLs the browser could not get past a gateway to
        self.skipped: Counter[str] = Counter()
        self.start_urls_canon = [canonical(u) for u in profile.site.start_urls]
        self.start_status: dict[str, str] = {}  # canonical start URL → "" (ok) or the failure
        # Each failed try of a start URL (when, what), and probes waiting for their time: a site
        # is called unreachable only after crawl.down_probes tries over crawl.down_window_s.
        self.start_attempts: dict[str, list[dict[str, str]]] = {}
        self.probes_pending = 0
        self.started = time.monotonic()
        self._wake: asyncio.Event | None = None
        self.max_in_flight = max(4, profile.crawl.concurrency * 2)

    # -- scrapy plumbing (signals: crawler.scrapyrun.SignalledSpider) ------------------------
    def on_headers(self, headers: Any, body_length: int, request: scrapy.Request, spider: Any) -> None:
        """Stop downloading bodies we will not read (images, archives…) right after headers."""
        if "zc_url" not in request.meta or request.method == "HEAD" or request.meta.get("zc_kind") == "probe":
            return
        ct = (headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if not ct or "html" in ct or "xml" in ct or ct.startswith("text/plain"):
            return
        if self.crawl_cfg.attachments and is_attachment(request.url, ct):
            return
        raise StopDownload(fail=False)

    def on_bytes(self, data: bytes, request: scrapy.Request, spider: Any) -> None:
        if "zc_url" not in request.meta:
            return  # robots.txt and other requests of Scrapy's own
        got = request.meta.get("zc_bytes", 0) + len(data)
        request.meta["zc_bytes"] = got
        if got > self.crawl_cfg.max_page_bytes:
            raise StopDownload(fail=False)

    def on_closed(self, spider: Any, reason: str) -> None:
        self.writer.flush()
        self.progress.close(self.pages_done, len(self.frontier), self.errors)

    # -- the frontier -----------------------------------------------------------------------
    def _seed(self) -> None:
        """Start URLs, and on resume the in-scope links of stored pages not fetched yet."""
        done: set[str] = set()
        if self.resumed:
            done = self.store.fetched_urls(self.run_id)
            done |= self.store.checked_urls(self.run_id)
            self.pages_done = self.store.page_count(self.run_id, "html")
            for fetch in self.store.iter_fetches(self.run_id, kinds=("notfound_probe",)):
                self.origins_probed.add(origin_of(fetch.url))
            self.seen |= done
            self.page_urls |= done
            for canon in self.start_urls_canon:
                if canon in done:
                    self.start_status[canon] = ""
        for url in self.profile.site.start_urls:
            self._enqueue(canonical(url), 0)
        # Columns the profile names ([[columns]]) are fetched even when no page links them.
        for col in self.profile.declared_columns:
            if col.url and col.rule != "ignore":
                self._enqueue(canonical(col.url), 1)
        if self.resumed:
            for target, depth in self.store.iter_crawl_frontier(self.run_id):
                self._enqueue(canonical(target), depth + 1)
            self.skipped["resume_seeded"] = len(self.frontier)
            self._cms_resume()

    def _enqueue(self, url: str, depth: int, board: bool = False) -> None:
        """Queue ``url`` unless seen, out of scope, too deep, a trap or past its path's budget of
        query-string variants. ``board``: found on a page that lists citizens' messages, whose
        pages (list.jsp?page=N) and messages (detail.jsp?id=N) share one path each and may be
        thousands: they get ``[interaction] max_messages`` instead of ``max_query_variants``."""
        if url in self.seen:
            return
        if not self._in_scope(url):
            return  # other hosts and ports are checked by crawler.linkcheck, never crawled
        if len(self.frontier) >= self.frontier_cap:
            self._drop(url, "frontier_full")  # first: a farm's millions of links cost one check each
            return
        if depth > self.crawl_cfg.max_depth:
            # Breadth-first: the first sighting of a URL is at its smallest depth, so a URL
            # too deep now is too deep for good.
            self._drop(url, "depth")
            return
        if looks_like_page(url):
            kind = "page"
        elif is_attachment(url) and self.crawl_cfg.attachments:
            kind = "attachment"
        else:
            return  # images, scripts… : link targets only (crawler.linkcheck)
        reason = trap_reason(url)
        if reason:
            self._drop(url, f"trap_{reason}")
            return
        if kind == "page" and self.pages_done >= self.crawl_cfg.max_pages:
            self._drop(url, "max_pages")
            return
        if "?" in url:
            key = path_key(url)
            limit = self.crawl_cfg.max_query_variants
            if board:
                limit = max(limit, self.profile.interaction.max_messages)
            if self.query_variants[key] >= limit:
                self._drop(url, "trap_query_variants")
                return
            self.query_variants[key] += 1
        self.seen.add(url)
        self.page_urls.add(url)
        self.frontier.append((url, depth, kind))
        origin = origin_of(url)
        if origin not in self.origins_probed:
            self.origins_probed.add(origin)
            self.frontier.appendleft((f"{origin}/zhaocuo-404-{secrets.token_hex(6)}.html", 0, "probe"))
        self._poke()

    def _in_scope(self, url: str) -> bool:
        """``profile.url_allowed``, remembered per scheme://host:port (a bounded memo: a page may
        link thousands of hosts)."""
        end = url.find("/", url.find("//") + 2)
        origin = url if end < 0 else url[:end]
        found = self._scope_memo.get(origin)
        if found is None:
            if len(self._scope_memo) >= 4096:
                self._scope_memo.clear()
            found = self._scope_memo[origin] = self.profile.url_allowed(url)
        return found

    def _start_failed(self, url: str, failure: str) -> None:
        """A try of a start URL failed: note it and, unless the URL answered already or its tries
        are spent, try again later in the window (one attempt each, no backoff: the probes are
        the retries)."""
        if self.start_status.get(url) == "":
            return  # it answered once: reachable
        self.start_status[url] = failure
        tries = self.start_attempts.setdefault(url, [])
        tries.append({"at": now_iso(), "error": failure[:300]})
        probes = self.crawl_cfg.down_probes
        if len(tries) >= probes:
            return
        delay = self.crawl_cfg.down_window_s / max(1, probes - 1)
        self.probes_pending += 1

        def due() -> None:
            self.probes_pending -= 1
            self.frontier.appendleft((url, 0, "start_probe"))
            self._poke()

        asyncio.get_running_loop().call_later(delay, due)

    def _drop(self, url: str, reason: str) -> None:
        """Not crawled, not remembered: counted once per URL (approximately, see crawler.frontier)."""
        if self.dropped.add(url):
            self.skipped[reason] += 1

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _budget_left(self) -> bool:
        return self.pages_done + self.pages_in_flight + self.cms_requests < self.crawl_cfg.max_pages

    def _request(self, url: str, depth: int, kind: str, render_it: bool = False, auto: bool = False,
                 challenge: bool = False) -> scrapy.Request:
        meta: dict[str, Any] = {"zc_depth": depth, "zc_kind": kind, "zc_url": url, "zc_attempts": 1,
                                "zc_t0": time.monotonic()}
        if kind == "probe":
            meta["dont_obey_robotstxt"] = True
        if challenge:  # a gateway answered with a challenge: the browser runs it (crawler.challenge)
            meta.update(render.challenge_meta(self.profile))
            meta["zc_rendered"] = True
            meta["zc_no_retry"] = True
        elif render_it or (kind == "page" and render.wants_render(url, self.profile)):
            meta.update(render.render_meta(self.profile) or {})
            meta["zc_rendered"] = True
            meta["zc_refetch"] = auto
        cookies = self.gateway_cookies.get(origin_of(url)) if self.gateway_cookies and not meta.get("playwright") else None
        return scrapy.Request(url, callback=self.on_response, errback=self.on_error, meta=meta,
                              dont_filter=True, priority=-depth, cookies=cookies)

    async def start(self) -> Any:
        self._wake = asyncio.Event()
        self._seed()
        while True:
            while self.frontier and self.in_flight < self.max_in_flight:
                url, depth, kind = self.frontier[0]
                if kind in ("page", "cms", "challenge") and not self._budget_left():
                    if self.pages_in_flight:
                        break  # a page in flight may fail and give its budget back
                    for left, _, left_kind in self.frontier:
                        if left_kind == "page":
                            self._drop(left, "max_pages")
                    self.frontier.clear()
                    break
                self.frontier.popleft()
                render_it = kind == "render"
                again = kind == "start_probe"
                challenge = kind == "challenge"
                if render_it or again or challenge:
                    kind = "page"
                self.in_flight += 1
                if kind == "page" and not render_it:
                    self.pages_in_flight += 1
                if kind == "cms":
                    self.cms_requests += 1
                    yield self._cms_request(url, depth)
                    continue
                request = self._request(url, depth, kind, render_it=render_it, auto=render_it, challenge=challenge)
                if again:
                    request.meta["zc_no_retry"] = True
                yield request
            if not self.frontier and self.in_flight == 0 and self.probes_pending == 0:
                break
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=0.5)
            except TimeoutError:
                pass
            self.writer.maybe_flush()
            self.progress.update(self.pages_done, len(self.frontier) + self.in_flight, self.errors)

    def _finish(self, request: scrapy.Request, page_stored: bool) -> None:
        self.writer.maybe_flush()  # after the page, its links and its check: one commit holds all three
        self.in_flight -= 1
        if request.meta.get("zc_kind") == "page" and not request.meta.get("zc_refetch"):
            self.pages_in_flight -= 1
        if page_stored:
            self.pages_done += 1
        self._poke()

    # -- responses ----------------------------------------------------------------------------
    def on_response(self, response: Response) -> None:
        request = response.request
        assert request is not None
        stored = False
        try:
            stored = self._handle(response, request)
        except Exception:  # noqa: BLE001 - one hostile page must not end the crawl
            log.exception("failed to process %s", response.url)
            self.errors += 1
        finally:
            self._finish(request, stored)

    def _check(self, response: Response, request: scrapy.Request, url: str, error_kind: str = "",
               title: str = "", text: str = "") -> LinkCheck:
        chain = list(request.meta.get("zc_chain") or [])
        return LinkCheck(
            url=url, status=response.status, final_url=response.url,
            error_kind=fetch_outcome(response.status, error_kind),
            error=error_kind, method=request.method, attempts=request.meta.get("zc_attempts", 1),
            elapsed_ms=int((time.monotonic() - request.meta.get("zc_t0", time.monotonic())) * 1000),
            content_type=header(response, "Content-Type"), title=title[:500], snippet=snippet(text),
            redirects=chain, checked_at=now_iso(),
        )

    def _handle(self, response: Response, request: scrapy.Request) -> bool:
        meta = request.meta
        url: str = meta["zc_url"]
        kind: str = meta["zc_kind"]
        depth: int = meta["zc_depth"]
        redirect_error = meta.get("zc_redirect_error", "")
        ctype = header(response, "Content-Type")
        body = response.body
        if kind in ("page", "attachment") and not meta.get("zc_refetch") and self._challenged(response, request):
            return False
        if url in self.start_urls_canon:
            failure = redirect_error or (f"http: HTTP {response.status}" if response.status >= 500 else "")
            if failure:
                self._start_failed(url, failure)
            else:
                self.start_status[url] = ""
        if kind == "probe":
            text_html, enc = decode_body(body, ctype)
            ex = extract(text_html, response.url) if is_html(ctype, body) else None
            self.writer.page(Page(url=url, status=response.status, final_url=response.url, content_type=ctype,
                                  kind="notfound_probe", encoding=enc, title=ex.title if ex else "",
                                  text=ex.text if ex else "", html=text_html[:200_000] if ex else "",
                                  content_hash=hashlib.sha1(body).hexdigest(), depth=0, size=len(body)))
            return False
        if meta.get("zc_refetch") and (redirect_error or response.status >= 300 or not is_html(ctype, body)):
            # The browser's second look failed: the raw fetch's page and check stand.
            self.skipped["render_failed"] += 1
            return False
        if redirect_error or response.status >= 300 or not self._in_scope(response.url):
            # Dead, redirected away from the site, or an error page: its check is all we keep.
            if response.status >= 400 or redirect_error:
                self.errors += 1
            title = text = ""
            if is_html(ctype, body) and body:
                decoded, _ = decode_body(body[:65536], ctype)
                ex = extract(decoded, response.url)
                title, text = ex.title, ex.text
            self.writer.check(self._check(response, request, url, redirect_error, title, text))
            return False
        if kind == "attachment" or (self.crawl_cfg.attachments and is_attachment(response.url, ctype)):
            # A truncated attachment cannot be parsed: keep it as fetched, without text.
            text = extract_text(body, ctype, response.url) if body and "download_stopped" not in response.flags else ""
            self.writer.page(Page(url=url, status=response.status, final_url=response.url, content_type=ctype,
                                  kind="attachment", title="", text=text, content_hash=hashlib.sha1(body).hexdigest(),
                                  depth=depth, size=len(body)))
            self.writer.check(self._check(response, request, url))
            return False
        if not is_html(ctype, body):
            self.writer.check(self._check(response, request, url))
            return False
        final = canonical(response.url)
        if final != url:
            if final in self.page_urls:
                # An old address redirecting to a page crawled under its own address: storing it
                # twice would report every defect of that page twice. Its check is all we keep.
                self.writer.check(self._check(response, request, url))
                return False
            self.seen.add(final)  # reached through a redirect: do not fetch it again when linked
            self.page_urls.add(final)
        html, encoding = decode_body(body, ctype)
        ex = extract(html, response.url)
        rendered = bool(meta.get("zc_rendered"))
        read_by_rule = cms.hanweb.recognise(html) and "hanweb" not in self.cms_disabled
        if (not rendered and not read_by_rule and self._may_auto_render() and looks_script_built(html, ex.text)):
            self.auto_rendered += 1
            self.frontier.appendleft((url, depth, "render"))  # fetched again through the browser
        self.writer.page(Page(url=url, status=response.status, final_url=response.url, content_type=ctype,
                              kind="html", encoding=encoding, title=ex.title, text=ex.text, html=html,
                              content_hash=hashlib.sha1(ex.text.encode("utf-8")).hexdigest(), depth=depth,
                              rendered=rendered, size=len(body),
                              headers={"last-modified": header(response, "Last-Modified")} if response.headers.get("Last-Modified") else {}))
        found = cms.read(html, response.url, self.cms_disabled, self.profile.cms.max_list_pages)
        if found is not None:
            self._cms_page(found, url, depth, ex)
        seen_targets: set[str] = set()
        links: list[Link] = []
        page_links = ex.links
        if len(page_links) > self.crawl_cfg.max_links_per_page:
            # Every budget bounds memory: a page of a million anchors keeps its first ones.
            self.links_cut += len(page_links) - self.crawl_cfg.max_links_per_page
            page_links = page_links[:self.crawl_cfg.max_links_per_page]
        for target, anchor, tag in page_links:
            if target in seen_targets:
                continue
            seen_targets.add(target)
            links.append(Link(source=url, target=target, anchor=anchor, tag=tag, target_canon=canonical(target)))
        for raw, anchor, tag, kind in ex.invalid:
            # An href no browser can follow: a link of its own kind, checked here without a fetch.
            key = canonical(raw) or raw
            links.append(Link(source=url, target=raw, anchor=anchor, tag=tag))
            if key not in self.invalid_checked and len(self.invalid_checked) < MAX_INVALID_CHECKS:
                self.invalid_checked.add(key)
                self.writer.check(LinkCheck(url=key, status=None, final_url=raw, error_kind=kind,
                                            error=INVALID_REASONS[kind], method="", checked_at=now_iso()))
        self.writer.links(links)
        self.writer.check(self._check(response, request, url, "", ex.title, ex.text))
        board = looks_like_message_list(ex.text)
        for link in links[:len(seen_targets)]:
            if link.tag in ("a", "area", "iframe", "frame", "meta", "pager"):
                self._enqueue(link.target_canon, depth + 1, board)
        return not meta.get("zc_refetch")

    # -- CMS family rules (crawler/cms) --------------------------------------------------------
    def _cms_page(self, found: cms.CmsPage, url: str, depth: int, ex: Any) -> None:
        """Turn what a family rule read into crawl work: further list pages and datastore record
        links become the page's links; later 大汉 groups are queued as dataproxy.jsp requests."""
        self.cms_stats[f"lists_{found.family}"] += 1
        ex.links.extend((p, "", "pager") for p in found.pages)
        units = []
        for unit in found.units:
            ident = f"{unit.proxy}?{unit.form}" if unit.proxy else f"{url}#{unit.index}"
            if ident in self.cms_seen:
                continue  # the same datastore under another address of the column
            self.cms_seen.add(ident)
            units.append(unit)
            links, invalid = cms.record_links(unit.records, ex.base)
            ex.links.extend(links)
            ex.invalid.extend(invalid)
            self.cms_stats["records"] += len(unit.records)
            key = f"{url}\x1f{unit.index}"
            state = _CmsUnit(url, unit, depth, unit.records[0] if unit.records else "")
            self.cms_units[key] = state
            self.writer.record(GROUP_KIND, group_key(url, unit.index * 10000), {
                "list": url, "group": 0, "start": 1, "end": len(unit.records), "request": "inline",
                "status": None, "records": unit.records, "total": unit.total, "error": unit.error})
            if unit.error:
                self.cms_stats["errors"] += 1
                continue
            state.planned.add(0)
            groups = unit.groups(self.profile.cms.max_records)
            for g in range(1, groups if groups is not None else 2):
                self._cms_plan(key, g)
        self._cms_list_record(url, found.family, found.pages, units)

    def _cms_list_record(self, url: str, family: str, pages: list[str], units: list[hanweb.Unit]) -> None:
        states = [self.cms_units.get(f"{url}\x1f{u.index}") for u in units]
        self.writer.record(LIST_KIND, url, {
            "family": family, "pages": pages, "units": [u.spec() for u in units],
            "groups": sum(len(s.planned) if s is not None and not s.unit.error else 1 for s in states),
        })

    def _cms_plan(self, key: str, group: int, method: str = "POST", failure: str = "") -> None:
        state = self.cms_units[key]
        if method == "POST":
            if group in state.planned:
                return
            state.planned.add(group)
        frontier_key = f"{state.unit.proxy}#zc-cms-{len(self.cms_specs)}"
        self.cms_specs[frontier_key] = (key, group, method, failure)
        if method == "GET":
            self.frontier.appendleft((frontier_key, state.depth, "cms"))
        else:
            self.frontier.append((frontier_key, state.depth, "cms"))
        self._poke()

    def _cms_request(self, frontier_key: str, depth: int) -> scrapy.Request:
        key, group, method, _ = self.cms_specs[frontier_key]
        unit = self.cms_units[key].unit
        meta: dict[str, Any] = {"zc_depth": depth, "zc_kind": "cms", "zc_url": frontier_key, "zc_attempts": 1,
                                "zc_t0": time.monotonic()}
        self.cms_stats["requests"] += 1
        if method == "POST":
            target, form = unit.post(group)
            return scrapy.Request(target, method="POST", body=form, meta=meta, dont_filter=True, priority=-depth,
                                  headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                                           "X-Requested-With": "XMLHttpRequest"},
                                  callback=self.on_cms, errback=self.on_cms_error)
        return scrapy.Request(unit.get(group), meta=meta, dont_filter=True, priority=-depth,
                              callback=self.on_cms, errback=self.on_cms_error)

    def on_cms(self, response: Response) -> None:
        request = response.request
        assert request is not None
        try:
            self._cms_answer(response, request)
        except Exception:  # noqa: BLE001 - one hostile answer must not end the crawl
            log.exception("failed to process %s", response.url)
            self.errors += 1
        finally:
            self._finish(request, False)

    def on_cms_error(self, failure: Any) -> None:
        request: scrapy.Request = failure.request
        try:
            if isinstance(failure.value, IgnoreRequest):
                self._cms_failed(request.meta["zc_url"], "robots.txt 不允许抓取", final=True)
            else:
                kind = classify_exception(failure.value)
                self._cms_failed(request.meta["zc_url"], f"{kind}: {str(failure.value)[:120]}")
        finally:
            self._finish(request, False)

    def _cms_answer(self, response: Response, request: scrapy.Request) -> None:
        frontier_key = request.meta["zc_url"]
        key, group, method, _ = self.cms_specs[frontier_key]
        state = self.cms_units[key]
        ctype = header(response, "Content-Type")
        text, _ = decode_body(response.body, ctype)
        if request.meta.get("zc_redirect_error") or response.status >= 300:
            self._cms_failed(frontier_key, f"HTTP {response.status}")
            return
        if "<datastore" not in text[:200_000].lower():
            self._cms_failed(frontier_key, "答复中没有 <datastore> 数据")
            return
        start, end = state.unit.bounds(group)
        where = f"大汉 dataproxy.jsp 第{group + 1}组（记录{start}–{end}）"
        try:
            records, total = hanweb.answer_of(text, state.unit, group, state.first_record)
        except hanweb.DatastoreError as exc:
            self._cms_group_record(state, group, f"{method} {request.url}", response.status, [], None,
                                   f"{where}格式错误：{exc}")
            return
        self._cms_group_record(state, group, f"{method} {request.url}", response.status, records, total, "")
        self.cms_stats["records"] += len(records)
        links, invalid = cms.record_links(records, state.list_url)
        stored: list[Link] = []
        for target, anchor, tag in links:
            stored.append(Link(source=state.list_url, target=target, anchor=anchor, tag=tag))
            if tag in ("a", "area"):
                self._enqueue(canonical(target), state.depth + 1)
        for raw, anchor, tag, kind in invalid:
            stored.append(Link(source=state.list_url, target=raw, anchor=anchor, tag=tag))
            ckey = canonical(raw) or raw
            if ckey not in self.invalid_checked:
                self.invalid_checked.add(ckey)
                self.writer.check(LinkCheck(url=ckey, status=None, final_url=raw, error_kind=kind,
                                            error=INVALID_REASONS[kind], method="", checked_at=now_iso()))
        self.writer.links(stored)
        unit = state.unit
        before = len(state.planned)
        limit = unit.groups(self.profile.cms.max_records)
        if unit.total is None and total is not None:
            unit.total = total  # the answer says how many there are: plan every remaining group
            limit = unit.groups(self.profile.cms.max_records)
            for g in range(1, limit or 1):
                self._cms_plan(key, g)
        elif limit is None and len(records) >= unit.group_records:
            cap = -(-self.profile.cms.max_records // unit.group_records)
            if group + 1 < cap:
                self._cms_plan(key, group + 1)  # no total anywhere: the next group after a full one
        if len(state.planned) != before:
            self._cms_list_record(state.list_url, "hanweb", [], [s.unit for k, s in self.cms_units.items()
                                                                  if s.list_url == state.list_url])

    def _cms_failed(self, frontier_key: str, why: str, final: bool = False) -> None:
        """A group's request failed: a POST is tried once more as a GET; then the group is an error."""
        key, group, method, earlier = self.cms_specs[frontier_key]
        if method == "POST" and not final:
            self._cms_plan(key, group, "GET", why)
            return
        state = self.cms_units[key]
        start, end = state.unit.bounds(group)
        tried = f"POST {earlier}；GET {why}" if earlier else f"{method} {why}"
        self.errors += 1
        self._cms_group_record(state, group, f"{method} {state.unit.proxy}", None, [], None,
                               f"大汉 dataproxy.jsp 第{group + 1}组（记录{start}–{end}）无法读取：{tried}")

    def _cms_group_record(self, state: _CmsUnit, group: int, request: str, status: int | None,
                          records: list[str], total: int | None, error: str) -> None:
        start, end = state.unit.bounds(group)
        if error:
            self.cms_stats["errors"] += 1
            log.warning("%s: %s", state.list_url, error)
        self.writer.record(GROUP_KIND, group_key(state.list_url, state.unit.index * 10000 + group), {
            "list": state.list_url, "group": group, "start": start, "end": end, "request": request,
            "status": status, "records": records, "total": total, "error": error})

    def _cms_resume(self) -> None:
        """A resumed crawl requests the 大汉 groups the interrupted one planned but did not store."""
        lists = self.store.records(self.run_id, LIST_KIND)
        groups = self.store.records(self.run_id, GROUP_KIND)
        for url, data in lists.items():
            for spec in data.get("units") or []:
                unit = hanweb.Unit.from_spec(spec)
                if not unit.proxy:
                    continue
                key = f"{url}\x1f{unit.index}"
                first = groups.get(group_key(url, unit.index * 10000)) or {}
                state = _CmsUnit(url, unit, 1, (first.get("records") or [""])[0])
                self.cms_units[key] = state
                self.cms_seen.add(f"{unit.proxy}?{unit.form}")
                have = {g for g in range(int(data.get("groups") or 1))
                        if group_key(url, unit.index * 10000 + g) in groups}
                state.planned |= have
                for g in range(1, int(data.get("groups") or 1)):
                    if g not in have:
                        self._cms_plan(key, g)

    def _challenged(self, response: Response, request: scrapy.Request) -> bool:
        """True when the answer is an anti-bot challenge that this method dealt with: the URL
        is queued for the browser (within ``[crawl] challenge_rechecks``), or stored as
        protected, not checked. A generic challenge (crawler.challenge: not ``known``) that cannot
        be re-checked keeps its raw result; so does the browser's answer once it got through."""
        url = request.meta["zc_url"]
        challenge = challenge_of(response.status, response.body, header(response, "Content-Type"),
                                 b"; ".join(response.headers.getlist("Set-Cookie")).decode("latin-1"))
        if request.meta.get("zhaocuo_challenge"):
            if challenge is None:
                self.rechecks.passed += 1  # through: the real page is handled as any other
                self.rechecks.pending.pop(url, None)
                passed = render.challenge_result(request.meta) or {}
                if passed.get("cookies") and len(self.gateway_cookies) < 100:
                    # Sent with the plain requests to this site from now on (``_request``).
                    self.gateway_cookies[origin_of(url)] = dict(passed["cookies"])
                return False
            return self._protected(request, self.rechecks.pending.pop(url, challenge), "浏览器复查后仍是验证页")
        if challenge is None:
            return False
        if url in self.start_urls_canon:
            self.start_status[url] = ""  # the site answers: through a gateway
        if request.meta["zc_kind"] != "page":
            self.rechecks.seen += 1
            return self._protected(request, challenge, "附件不经浏览器复查")
        if self.rechecks.take(url, challenge):
            self.frontier.appendleft((url, request.meta["zc_depth"], "challenge"))
            self._poke()
            return True
        return self._protected(request, challenge, "超出浏览器复查上限（[crawl] challenge_rechecks）")

    def _protected(self, request: scrapy.Request, challenge: Challenge, why: str) -> bool:
        """Store the URL's check as protected, not checked (never dead), unless the challenge is
        only generic: then False, and the answer is judged as it came (an error stays an error)."""
        if not challenge.known:
            return False
        self.rechecks.protected += 1
        url = request.meta["zc_url"]
        if url in self.start_urls_canon:
            self.start_protected.append(url)
        self.writer.check(protected_check(url, request.url, request.method, request.meta, challenge, why))
        return True

    def _challenge_failed(self, request: scrapy.Request, exc: BaseException) -> None:
        """The browser did not get through (the challenge stayed, the browser failed or timed
        out): protected, not checked — or, for a generic challenge, the raw answer as it came."""
        url = request.meta["zc_url"]
        challenge = self.rechecks.pending.pop(url, None)
        if challenge is None:
            return
        why = exc.why if isinstance(exc, ChallengeNotPassed) else f"浏览器复查失败（{type(exc).__name__}）"
        if self._protected(request, challenge, why):
            return
        self.writer.check(LinkCheck(
            url=url, status=challenge.status, final_url=request.url, error_kind=fetch_outcome(challenge.status, ""),
            method=request.method, checked_at=now_iso()))

    def _may_auto_render(self) -> bool:
        share = self.crawl_cfg.auto_render_share
        return share > 0 and self.auto_rendered < share * max(self.pages_done, 10)

    def on_error(self, failure: Any) -> None:
        request: scrapy.Request = failure.request
        try:
            url = request.meta["zc_url"]
            exc = failure.value
            if isinstance(exc, IgnoreRequest):  # robots.txt said no
                self.skipped["robots"] += 1
                return
            if request.meta.get("zhaocuo_challenge"):
                self._challenge_failed(request, exc)
                return
            kind = classify_exception(exc)
            self.errors += 1
            if url in self.start_urls_canon:
                self._start_failed(url, f"{kind}: {request.meta.get('zc_tls_problem') or exc}")
            if request.meta.get("zc_kind") == "probe":
                return
            if request.meta.get("zc_refetch"):
                self.skipped["render_failed"] += 1  # the raw fetch's page and check stand
                return
            self.writer.check(LinkCheck(
                url=url, status=None, final_url=request.url, error_kind=kind,
                error=(request.meta.get("zc_tls_problem") or str(exc))[:300],
                method=request.method, attempts=request.meta.get("zc_attempts", 1),
                elapsed_ms=int((time.monotonic() - request.meta.get("zc_t0", time.monotonic())) * 1000),
                redirects=list(request.meta.get("zc_chain") or []), checked_at=now_iso(),
            ))
        finally:
            self._finish(request, False)

    def stats(self) -> dict[str, Any]:
        return {
            "pages_crawled": self.pages_done,
            "urls_known": len(self.seen),
            "crawl_errors": self.errors,
            "errors": self.errors,
            "crawl_skipped": dict(self.skipped),
            "auto_rendered": self.auto_rendered,
            "challenge_pages": self.rechecks.stats(),
            "start_protected": self.start_protected,
            "crawl_elapsed_s": round(time.monotonic() - self.started, 2),
            "start_status": self.start_status,
            "cms": dict(self.cms_stats),
            "start_attempts": self.start_attempts,
            # What the crawl did not fetch, each URL counted once (approximately: crawler.frontier).
            "frontier": {"cap": self.frontier_cap, "urls_dropped": self.dropped.count,
                         "page_budget_reached": self.skipped.get("max_pages", 0) > 0,
                         "links_cut": self.links_cut},
        }
