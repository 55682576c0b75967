"""The store interface: every query the stages and the application need, by name.

A backend (``SQLiteStore`` today; a server database next) implements ``Store``; nothing
outside ``zhaocuo.core.store`` writes SQL. Audits read a ``Crawl``: one stored run, read
through the same named methods, so an audit never knows which backend holds its data.

URLs: pages and link checks are stored under the crawler's canonical URL; a link keeps its
target as written (what the report shows) and, beside it, the canonical form, so a lookup by
any spelling of a URL is one indexed query (``links_to``, ``Crawl.page``).
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from zhaocuo.core.store.model import Fetch, Link, LinkCheck, Page, Run
from zhaocuo.core.urlcanon import canonical

DEFAULT_PAGE_KINDS = ("html", "attachment", "newmedia")


class StoreError(Exception):
    """The store cannot be opened or read (missing, damaged, unreachable); ``str()`` names it."""


class Store(abc.ABC):
    """One site's store: crawl runs (pages, links, link checks, gatherers' records) and the
    state that lives across runs (finding lifecycle, suppressions, outbox…)."""

    # -- identity ---------------------------------------------------------------------------
    @property
    @abc.abstractmethod
    def url(self) -> str:
        """What ``open_store`` (and a child process's ``--db``) needs to open this store again."""

    # -- runs ---------------------------------------------------------------------------------
    @abc.abstractmethod
    def begin_run(self, profile_hash: str = "", resume: bool = True) -> tuple[int, bool]:
        """Start a crawl run. An interrupted earlier run is resumed (same id) when ``resume``;
        otherwise it is marked interrupted and a clean run starts. Returns (run_id, resumed)."""

    @abc.abstractmethod
    def finish_run(self, run_id: int, status: str, stats: dict[str, Any] | None = None) -> None: ...

    @abc.abstractmethod
    def update_run_stats(self, run_id: int, stats: dict[str, Any]) -> None:
        """Merge ``stats`` into the run's stats (gatherers after the site crawl add theirs)."""

    @abc.abstractmethod
    def run(self, run_id: int) -> Run | None: ...

    @abc.abstractmethod
    def last_run(self, status: str | None = "complete") -> Run | None: ...

    @abc.abstractmethod
    def run_count(self) -> int: ...

    # -- writing (call commit() in batches) ---------------------------------------------------
    @abc.abstractmethod
    def add_page(self, run_id: int, page: Page) -> None: ...

    @abc.abstractmethod
    def add_links(self, run_id: int, links: Iterable[Link]) -> None: ...

    @abc.abstractmethod
    def add_link_check(self, run_id: int, check: LinkCheck) -> None: ...

    @abc.abstractmethod
    def put_record(self, run_id: int, kind: str, key: str, data: dict[str, Any]) -> None: ...

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None:
        """Drop everything written since the last commit."""

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """``with store.transaction():`` everything written inside is committed together, or
        nothing is (an exception rolls it all back)."""
        self.commit()  # what was written before is not part of this transaction
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        self.commit()

    # -- state that lives across runs -----------------------------------------------------------
    @abc.abstractmethod
    def get_state(self, kind: str, key: str) -> dict[str, Any] | None: ...

    @abc.abstractmethod
    def put_state(self, kind: str, key: str, data: dict[str, Any]) -> None: ...

    @abc.abstractmethod
    def delete_state(self, kind: str, key: str) -> None: ...

    @abc.abstractmethod
    def all_state(self, kind: str) -> dict[str, dict[str, Any]]: ...

    @abc.abstractmethod
    def get_states(self, kind: str, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The documents of those ``keys`` that exist (absent keys are left out): a night's
        findings look up their own history without loading every finding ever seen."""

    @abc.abstractmethod
    def states_excluding(self, kind: str, field: str, values: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Documents of ``kind`` whose top-level ``field`` is none of ``values`` (a document
        without the field is included): the lifecycle reads the findings still open, not the
        history of every finding ever fixed."""

    @abc.abstractmethod
    def last_states(self, kind: str, limit: int) -> list[dict[str, Any]]:
        """The documents of the ``limit`` highest integer keys of ``kind``, lowest key first
        (keys that are not integers are ignored): trends read only the nights they draw."""

    # -- reading one run ------------------------------------------------------------------------
    @abc.abstractmethod
    def iter_pages(self, run_id: int, kinds: Iterable[str] | None = DEFAULT_PAGE_KINDS) -> Iterator[Page]:
        """The run's pages of those kinds (every kind for None), in the order they were stored."""

    @abc.abstractmethod
    def get_page(self, run_id: int, url: str) -> Page | None:
        """The page stored under exactly ``url``."""

    @abc.abstractmethod
    def page_count(self, run_id: int, kind: str = "html") -> int: ...

    @abc.abstractmethod
    def page_kind(self, run_id: int, url: str) -> str | None:
        """The kind of the page stored under exactly ``url`` (None: not stored)."""

    @abc.abstractmethod
    def fetched_urls(self, run_id: int) -> set[str]: ...

    @abc.abstractmethod
    def iter_fetches(self, run_id: int, kinds: Iterable[str] | None = None) -> Iterator[Fetch]:
        """Every stored page's fetch outcome without its text or HTML, in stored order."""

    @abc.abstractmethod
    def iter_links(self, run_id: int) -> Iterator[Link]:
        """Every link of the run, in the order the crawl stored them."""

    @abc.abstractmethod
    def iter_link_targets(self, run_id: int) -> Iterator[tuple[str, str]]:
        """(target as written, canonical(target)) of every link of the run, in stored order: the
        canonical form is the one stored with the link, not computed again (a page farm's three
        million links cost a row each, not a parse each)."""

    @abc.abstractmethod
    def links_from(self, run_id: int, source: str) -> list[Link]: ...

    @abc.abstractmethod
    def links_to(self, run_id: int, target: str) -> list[Link]:
        """Links whose target is ``target`` in any spelling (compared canonical)."""

    @abc.abstractmethod
    def iter_links_mentioning(self, run_id: int, needles: Iterable[str], tags: Iterable[str]) -> Iterator[Link]:
        """Links with one of ``tags`` whose target contains one of ``needles`` (ASCII
        case-insensitive): a cheap pre-filter, the caller parses the target exactly."""

    @abc.abstractmethod
    def iter_links_anchored(self, run_id: int, needles: Iterable[str], tags: Iterable[str]) -> Iterator[Link]:
        """Links with one of ``tags`` whose anchor text contains one of ``needles`` (exact,
        case-sensitive), in stored order: an audit looking for a few words among millions of
        anchors (a page farm's) reads only the links that carry them."""

    @abc.abstractmethod
    def iter_crawl_frontier(self, run_id: int) -> Iterator[tuple[str, int]]:
        """(target, depth of its source) for every link found on the run's HTML pages, shallow
        sources first: what a resumed crawl seeds its frontier from."""

    @abc.abstractmethod
    def iter_link_checks(self, run_id: int) -> Iterator[LinkCheck]: ...

    @abc.abstractmethod
    def get_link_check(self, run_id: int, url: str) -> LinkCheck | None:
        """The check stored under exactly ``url`` (checks are stored canonical)."""

    @abc.abstractmethod
    def link_check_count(self, run_id: int) -> int: ...

    @abc.abstractmethod
    def checked_urls(self, run_id: int) -> set[str]: ...

    @abc.abstractmethod
    def records(self, run_id: int, kind: str) -> dict[str, dict[str, Any]]: ...

    @abc.abstractmethod
    def record_kinds(self, run_id: int) -> set[str]: ...

    # -- maintenance ----------------------------------------------------------------------------
    @abc.abstractmethod
    def integrity_problems(self) -> list[str]:
        """What the backend's own consistency check reports ([] when the store is sound)."""

    @abc.abstractmethod
    def prune_runs(self, keep: int) -> dict[str, int]:
        """Delete the pages, links, link checks and records of every crawl run but the newest
        ``keep`` (at least 1), the last complete one and any still running; the runs
        themselves (their stats) and all cross-run state (finding history, lifecycle, claims,
        outbox) are kept. Returns the number of rows deleted per table ({} when none)."""

    @abc.abstractmethod
    def compact(self, force: bool = False) -> bool:
        """Give the space freed by ``prune_runs`` back to the system when a large part of the
        store is free (always with ``force``). Returns whether it compacted. Slow on a large
        store: call it now and then, not after every run."""

    # -- the view audits read -------------------------------------------------------------------
    def crawl(self, run_id: int | None = None) -> Crawl:
        """The stored crawl audits read: the given run, or the last complete one."""
        run = self.run(run_id) if run_id is not None else self.last_run("complete")
        if run is None:
            raise LookupError(f"{self.url}: 没有已完成的抓取 no completed crawl in this store")
        return Crawl(self, run)


class Crawl:
    """Read-only view of one stored crawl run: what every audit receives.

    Iterators stream from the store so a 100,000-page crawl is never loaded whole.
    """

    def __init__(self, store: Store, run: Run) -> None:
        self.store = store
        self.run = run
        self.run_id = run.id
        self._checks: dict[str, LinkCheck] | None = None

    @property
    def stats(self) -> dict[str, Any]:
        return self.run.stats

    def pages(self, kinds: Iterable[str] | None = DEFAULT_PAGE_KINDS) -> Iterator[Page]:
        return self.store.iter_pages(self.run_id, kinds)

    def page(self, url: str) -> Page | None:
        """The stored page for ``url`` as written in a link or in its canonical form (pages are
        stored under the crawler's canonical URL: sorted query, percent-encoded path…)."""
        page = self.store.get_page(self.run_id, url)
        if page is None:
            canon = canonical(url)
            if canon and canon != url:
                page = self.store.get_page(self.run_id, canon)
        return page

    def page_count(self) -> int:
        return self.store.page_count(self.run_id, "html")

    def fetched_urls(self) -> set[str]:
        return self.store.fetched_urls(self.run_id)

    def fetches(self, kinds: Iterable[str] | None = None) -> Iterator[Fetch]:
        return self.store.iter_fetches(self.run_id, kinds)

    def links(self) -> Iterator[Link]:
        return self.store.iter_links(self.run_id)

    def links_from(self, source: str) -> list[Link]:
        return self.store.links_from(self.run_id, source)

    def links_to(self, target: str) -> list[Link]:
        return self.store.links_to(self.run_id, target)

    def links_mentioning(self, needles: Iterable[str], tags: Iterable[str]) -> Iterator[Link]:
        return self.store.iter_links_mentioning(self.run_id, needles, tags)

    def links_anchored(self, needles: Iterable[str], tags: Iterable[str]) -> Iterator[Link]:
        return self.store.iter_links_anchored(self.run_id, needles, tags)

    def iter_link_checks(self) -> Iterator[LinkCheck]:
        """Every check of the run, one at a time: an audit that judges each check (snippet
        included) and keeps only its verdict holds one snippet at a time, not 100,000."""
        return self.store.iter_link_checks(self.run_id)

    def link_check(self, url: str) -> LinkCheck | None:
        """The check stored under exactly ``url`` (checks are stored canonical), or None."""
        return self.store.get_link_check(self.run_id, url)

    def link_check_count(self) -> int:
        return self.store.link_check_count(self.run_id)

    def link_checks(self) -> dict[str, LinkCheck]:
        """Every check by URL, snippets included, kept for the next call. Convenient for tests
        and small runs, but about 2 KB a check (220 MB at 100,000): audits stream with
        ``iter_link_checks()`` and look single URLs up with ``link_check()``."""
        if self._checks is None:
            self._checks = {c.url: c for c in self.iter_link_checks()}
        return self._checks

    def records(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.store.records(self.run_id, kind)

    def record_kinds(self) -> set[str]:
        return self.store.record_kinds(self.run_id)
