"""Gathering: fetch what the audits will judge and store it; never judge anything here.

A crawl is a run in the store, filled by gatherers in turn:

- ``crawler.site``       the site crawl with Scrapy (pages, links, link checks, attachments,
                         browser-rendered pages through scrapy-playwright);
- ``crawler.newmedia``   the government new-media accounts (``[[newmedia]]``);
- ``crawler.linkcheck``  every link target of the run without a check yet, checked once;
- ``crawler.ipv6probe``  DNS and IPv6 reachability of the site's and linked hosts.

Each gatherer module exposes ``gather(profile, store, run_id, progress) -> dict`` (its stats,
merged into the run's stats). Scrapy's reactor cannot restart inside one process, so the
site crawl runs in a child process; the store is the only thing the stages share.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import logging
import time
from dataclasses import dataclass
from typing import Any

from zhaocuo.core.profile import Profile
from zhaocuo.core.store import Store, now_iso

log = logging.getLogger("zhaocuo.crawler")

UNREACHABLE = "unreachable"  # the status of a run whose start URLs never answered
GATHERERS = ["crawler.site", "crawler.newmedia", "crawler.linkcheck", "crawler.ipv6probe"]


class CrawlError(Exception):
    """The crawl cannot produce a usable result (e.g. the start URL is unreachable).
    ``str()`` is the one-line message the CLI prints."""


class CrawlInterrupted(Exception):
    """A gatherer's child process ended before its work was done (a signal, a crash, the
    out-of-memory killer, its spider closed early). What it stored is kept and the run stays
    open: the next run resumes it."""

    def __init__(self, gatherer: str, reason: str, stats: dict[str, Any] | None = None) -> None:
        self.gatherer = gatherer
        self.reason = reason
        self.stats = stats or {}
        super().__init__(f"{gatherer}: {reason}")


@dataclass
class CrawlResult:
    run_id: int
    resumed: bool
    stats: dict[str, Any]

    @property
    def unreachable(self) -> dict[str, Any] | None:
        """{url, reason, tries} when no start URL answered (the run's status is "unreachable")."""
        return self.stats.get("site_unreachable")


def profile_hash(profile: Profile) -> str:
    return hashlib.sha1(profile.path.read_bytes()).hexdigest()[:12]


def run_crawl(profile: Profile, store: Store, progress: bool = True, resume: bool = True,
              limiter: str = "") -> CrawlResult:
    """Run every gatherer into one store run. An interrupted earlier run is resumed.

    ``limiter``: a site group worker's Redis; the gatherers that fetch many URLs (those whose
    ``gather`` takes ``limiter``: the site crawl and the link checker) keep their per-host
    limits there, together with every other worker's (crawler.hostlimit)."""
    started = time.monotonic()
    run_id, resumed = store.begin_run(profile_hash(profile), resume=resume)
    stats: dict[str, Any] = {"resumed": resumed}
    if resumed:
        previous = (store.run(run_id) or None)
        if previous is not None and previous.stats.get("interrupted"):
            stats["resumed_after"] = previous.stats["interrupted"]
    try:
        for name in GATHERERS:
            try:
                mod = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name == name:  # gatherer not built yet
                    continue
                raise
            shared = {"limiter": limiter} if limiter and "limiter" in inspect.signature(mod.gather).parameters else {}
            stats.update(mod.gather(profile, store, run_id, progress, **shared) or {})
            store.update_run_stats(run_id, stats)
            if stats.get("site_unreachable"):
                # Nothing else to gather from a site that does not answer; the run is kept (its
                # tries are the evidence) but never becomes "the last complete crawl".
                stats["elapsed_s"] = round(time.monotonic() - started, 2)
                store.finish_run(run_id, UNREACHABLE, stats)
                return CrawlResult(run_id, resumed, stats)
    except CrawlError:
        stats["elapsed_s"] = round(time.monotonic() - started, 2)
        store.finish_run(run_id, "failed", stats)
        raise
    except CrawlInterrupted as exc:
        # Recorded, and left "running": begin_run(resume=True) picks it up next time.
        stats["interrupted"] = {"gatherer": exc.gatherer, "reason": exc.reason, "at": now_iso(),
                                "pages_stored": store.page_count(run_id)}
        store.update_run_stats(run_id, stats)
        raise
    stats["elapsed_s"] = round(time.monotonic() - started, 2)
    store.finish_run(run_id, "complete", stats)
    return CrawlResult(run_id, resumed, stats)
