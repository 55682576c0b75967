"""The store: what the crawl saw, kept so every audit can run again offline.

SQLite by default, one file per profile. Writers add rows inside a transaction and call
``commit()`` in batches; SQLite's journal makes every commit atomic, so a crawl killed at
any moment leaves the store as of its last commit, never half-written. ``Store`` is the
interface a server database could implement later; ``SQLiteStore`` is the one we ship.

Gatherers that need their own data (IPv6 probes, new-media posts, …) put JSON records under
a ``kind`` of their own with ``put_record`` instead of adding tables, so a new gatherer
never needs a schema change.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zhaocuo.core.urlcanon import canonical

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,            -- running | complete | interrupted | failed
    profile_hash TEXT,
    resumed INTEGER NOT NULL DEFAULT 0,
    stats TEXT
);
CREATE TABLE IF NOT EXISTS pages (
    run_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    final_url TEXT,
    status INTEGER,
    content_type TEXT,
    kind TEXT,                       -- html | attachment | notfound_probe | newmedia | other
    encoding TEXT,
    title TEXT,
    text TEXT,
    html BLOB,                       -- zlib-compressed decoded HTML (utf-8)
    content_hash TEXT,
    fetched_at TEXT,
    depth INTEGER,
    rendered INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    size INTEGER,
    headers TEXT,
    PRIMARY KEY (run_id, url)
);
CREATE TABLE IF NOT EXISTS links (
    run_id INTEGER NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,            -- absolute URL as written (fragment removed)
    anchor TEXT,
    tag TEXT,                        -- a | img | script | link | iframe | area | embed | ...
    PRIMARY KEY (run_id, source, target)
);
CREATE INDEX IF NOT EXISTS links_target ON links (run_id, target);
CREATE TABLE IF NOT EXISTS link_checks (
    run_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    status INTEGER,
    final_url TEXT,
    error_kind TEXT,                 -- '' | dns | refused | timeout | reset | redirect_loop | too_many_redirects | ssl | http | other | skipped
    error TEXT,
    method TEXT,
    attempts INTEGER,
    elapsed_ms INTEGER,
    content_type TEXT,
    title TEXT,
    snippet TEXT,
    redirects TEXT,                  -- JSON list of the URLs in the redirect chain
    checked_at TEXT,
    PRIMARY KEY (run_id, url)
);
CREATE TABLE IF NOT EXISTS records (
    run_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, kind, key)
);
CREATE TABLE IF NOT EXISTS state (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
"""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Page:
    url: str
    status: int | None = None
    final_url: str = ""
    content_type: str = ""
    kind: str = "html"
    encoding: str = ""
    title: str = ""
    text: str = ""
    html: str = ""
    content_hash: str = ""
    fetched_at: str = ""
    depth: int = 0
    rendered: bool = False
    error: str = ""
    size: int = 0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Link:
    source: str
    target: str
    anchor: str = ""
    tag: str = "a"


@dataclass
class LinkCheck:
    url: str
    status: int | None = None
    final_url: str = ""
    error_kind: str = ""
    error: str = ""
    method: str = ""
    attempts: int = 1
    elapsed_ms: int = 0
    content_type: str = ""
    title: str = ""
    snippet: str = ""
    redirects: list[str] = field(default_factory=list)
    checked_at: str = ""


@dataclass
class Run:
    id: int
    started_at: str
    finished_at: str | None
    status: str
    resumed: bool
    stats: dict[str, Any]


class Store:
    """The interface; see SQLiteStore. Kept abstract so a server database can follow."""

    def begin_run(self, profile_hash: str = "", resume: bool = True) -> tuple[int, bool]:
        raise NotImplementedError

    def finish_run(self, run_id: int, status: str, stats: dict[str, Any] | None = None) -> None:
        raise NotImplementedError


class SQLiteStore(Store):
    def __init__(self, path: str | Path) -> None:
        self.path = Path(str(path).removeprefix("sqlite:///"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=60, isolation_level="DEFERRED")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        self.db.commit()

    # -- runs ---------------------------------------------------------------------------
    def begin_run(self, profile_hash: str = "", resume: bool = True) -> tuple[int, bool]:
        """Start a crawl run. An interrupted earlier run is resumed (same id) when ``resume``;
        otherwise it is marked interrupted and a clean run starts. Returns (run_id, resumed)."""
        row = self.db.execute("SELECT id FROM runs WHERE status = 'running' ORDER BY id DESC LIMIT 1").fetchone()
        if row and resume:
            self.db.execute("UPDATE runs SET resumed = resumed + 1 WHERE id = ?", (row[0],))
            self.db.commit()
            return row[0], True
        self.db.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
        cur = self.db.execute(
            "INSERT INTO runs (started_at, status, profile_hash) VALUES (?, 'running', ?)", (now_iso(), profile_hash)
        )
        self.db.commit()
        return int(cur.lastrowid or 0), False

    def finish_run(self, run_id: int, status: str, stats: dict[str, Any] | None = None) -> None:
        self.db.execute(
            "UPDATE runs SET status = ?, finished_at = ?, stats = ? WHERE id = ?",
            (status, now_iso(), json.dumps(stats or {}, ensure_ascii=False), run_id),
        )
        self.db.commit()

    def update_run_stats(self, run_id: int, stats: dict[str, Any]) -> None:
        """Merge ``stats`` into the run's stats (gatherers after the site crawl add theirs)."""
        run = self.run(run_id)
        merged = {**(run.stats if run else {}), **stats}
        self.db.execute("UPDATE runs SET stats = ? WHERE id = ?", (json.dumps(merged, ensure_ascii=False), run_id))
        self.db.commit()

    def _run(self, row: tuple[Any, ...] | None) -> Run | None:
        if not row:
            return None
        return Run(row[0], row[1], row[2], row[3], bool(row[4]), json.loads(row[5] or "{}"))

    def run(self, run_id: int) -> Run | None:
        return self._run(self.db.execute(
            "SELECT id, started_at, finished_at, status, resumed, stats FROM runs WHERE id = ?", (run_id,)
        ).fetchone())

    def last_run(self, status: str | None = "complete") -> Run | None:
        sql = "SELECT id, started_at, finished_at, status, resumed, stats FROM runs"
        args: tuple[Any, ...] = ()
        if status:
            sql += " WHERE status = ?"
            args = (status,)
        return self._run(self.db.execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone())

    # -- writing (call commit() in batches) ---------------------------------------------
    def add_page(self, run_id: int, page: Page) -> None:
        html = zlib.compress(page.html.encode("utf-8"), 1) if page.html else None
        self.db.execute(
            "INSERT OR REPLACE INTO pages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (run_id, page.url, page.final_url or page.url, page.status, page.content_type, page.kind,
             page.encoding, page.title, page.text, html, page.content_hash, page.fetched_at or now_iso(),
             page.depth, int(page.rendered), page.error, page.size, json.dumps(page.headers, ensure_ascii=False)),
        )

    def add_links(self, run_id: int, links: Iterable[Link]) -> None:
        self.db.executemany(
            "INSERT OR IGNORE INTO links VALUES (?,?,?,?,?)",
            [(run_id, lk.source, lk.target, lk.anchor, lk.tag) for lk in links],
        )

    def add_link_check(self, run_id: int, check: LinkCheck) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO link_checks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (run_id, check.url, check.status, check.final_url, check.error_kind, check.error, check.method,
             check.attempts, check.elapsed_ms, check.content_type, check.title, check.snippet,
             json.dumps(check.redirects, ensure_ascii=False), check.checked_at or now_iso()),
        )

    def put_record(self, run_id: int, kind: str, key: str, data: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO records VALUES (?,?,?,?)",
            (run_id, kind, key, json.dumps(data, ensure_ascii=False)),
        )

    def commit(self) -> None:
        self.db.commit()

    @contextmanager
    def transaction(self) -> Iterator[SQLiteStore]:
        """Writes inside commit together or not at all (an imported ledger, a review decision):
        an exception rolls every one of them back."""
        self.db.commit()  # what came before is not part of it
        try:
            yield self
        except BaseException:
            self.db.rollback()
            raise
        self.db.commit()

    def close(self) -> None:
        self.db.commit()
        self.db.close()

    # -- state that lives across runs (finding lifecycle, suppressions, outbox…) ---------
    def get_state(self, kind: str, key: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT data FROM state WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        return json.loads(row[0]) if row else None

    def put_state(self, kind: str, key: str, data: dict[str, Any]) -> None:
        self.db.execute("INSERT OR REPLACE INTO state VALUES (?,?,?)", (kind, key, json.dumps(data, ensure_ascii=False)))

    def delete_state(self, kind: str, key: str) -> None:
        self.db.execute("DELETE FROM state WHERE kind = ? AND key = ?", (kind, key))

    def all_state(self, kind: str) -> dict[str, dict[str, Any]]:
        rows = self.db.execute("SELECT key, data FROM state WHERE kind = ?", (kind,)).fetchall()
        return {k: json.loads(d) for k, d in rows}

    # -- reading ------------------------------------------------------------------------
    def crawl(self, run_id: int | None = None) -> Crawl:
        """The stored crawl audits read: the given run, or the last complete one."""
        run = self.run(run_id) if run_id is not None else self.last_run("complete")
        if run is None:
            raise LookupError(f"{self.path}: 没有已完成的抓取 no completed crawl in this store")
        return Crawl(self, run)

    def fetched_urls(self, run_id: int) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT url FROM pages WHERE run_id = ?", (run_id,))}


def _page(row: tuple[Any, ...]) -> Page:
    return Page(
        url=row[0], final_url=row[1] or row[0], status=row[2], content_type=row[3] or "", kind=row[4] or "",
        encoding=row[5] or "", title=row[6] or "", text=row[7] or "",
        html=zlib.decompress(row[8]).decode("utf-8") if row[8] else "",
        content_hash=row[9] or "", fetched_at=row[10] or "", depth=row[11] or 0, rendered=bool(row[12]),
        error=row[13] or "", size=row[14] or 0, headers=json.loads(row[15] or "{}"),
    )


def _link_check(r: tuple[Any, ...]) -> LinkCheck:
    return LinkCheck(
        url=r[0], status=r[1], final_url=r[2] or "", error_kind=r[3] or "", error=r[4] or "",
        method=r[5] or "", attempts=r[6] or 0, elapsed_ms=r[7] or 0, content_type=r[8] or "",
        title=r[9] or "", snippet=r[10] or "", redirects=json.loads(r[11] or "[]"), checked_at=r[12] or "",
    )


_CHECK_COLS = ("url, status, final_url, error_kind, error, method, attempts, elapsed_ms, content_type, "
               "title, snippet, redirects, checked_at")
_PAGE_COLS = ("url, final_url, status, content_type, kind, encoding, title, text, html, content_hash, "
              "fetched_at, depth, rendered, error, size, headers")


class Crawl:
    """Read-only view of one stored crawl run: what every audit receives.

    Iterators stream from SQLite so a 100,000-page crawl is never loaded whole.
    """

    def __init__(self, store: SQLiteStore, run: Run) -> None:
        self.store = store
        self.run = run
        self.run_id = run.id
        self._checks: dict[str, LinkCheck] | None = None

    @property
    def stats(self) -> dict[str, Any]:
        return self.run.stats

    def pages(self, kinds: Iterable[str] | None = ("html", "attachment", "newmedia")) -> Iterator[Page]:
        sql = f"SELECT {_PAGE_COLS} FROM pages WHERE run_id = ?"
        args: list[Any] = [self.run_id]
        if kinds is not None:
            kinds = list(kinds)
            sql += f" AND kind IN ({','.join('?' * len(kinds))})"
            args += kinds
        for row in self.store.db.execute(sql + " ORDER BY rowid", args):
            yield _page(row)

    def page(self, url: str) -> Page | None:
        """The stored page for ``url`` as written in a link or in its canonical form: pages
        are stored under the crawler's canonical URL (sorted query, percent-encoded path…),
        links keep the target as written, so a lookup by link target must try both."""
        sql = f"SELECT {_PAGE_COLS} FROM pages WHERE run_id = ? AND url = ?"
        row = self.store.db.execute(sql, (self.run_id, url)).fetchone()
        if row is None:
            canon = canonical(url)
            if canon and canon != url:
                row = self.store.db.execute(sql, (self.run_id, canon)).fetchone()
        return _page(row) if row else None

    def page_count(self) -> int:
        return self.store.db.execute(
            "SELECT COUNT(*) FROM pages WHERE run_id = ? AND kind = 'html'", (self.run_id,)
        ).fetchone()[0]

    def fetched_urls(self) -> set[str]:
        return self.store.fetched_urls(self.run_id)

    def links(self) -> Iterator[Link]:
        for row in self.store.db.execute(
            "SELECT source, target, anchor, tag FROM links WHERE run_id = ? ORDER BY rowid", (self.run_id,)
        ):
            yield Link(*row)

    def links_from(self, source: str) -> list[Link]:
        rows = self.store.db.execute(
            "SELECT source, target, anchor, tag FROM links WHERE run_id = ? AND source = ? ORDER BY rowid",
            (self.run_id, source),
        )
        return [Link(*r) for r in rows]

    def links_to(self, target: str) -> list[Link]:
        rows = self.store.db.execute(
            "SELECT source, target, anchor, tag FROM links WHERE run_id = ? AND target = ? ORDER BY rowid",
            (self.run_id, target),
        )
        return [Link(*r) for r in rows]

    def iter_link_checks(self) -> Iterator[LinkCheck]:
        """Every check of the run, one at a time: an audit that judges each check (snippet
        included) and keeps only its verdict holds one snippet at a time, not 100,000."""
        for row in self.store.db.execute(
            f"SELECT {_CHECK_COLS} FROM link_checks WHERE run_id = ?", (self.run_id,)
        ):
            yield _link_check(row)

    def link_check(self, url: str) -> LinkCheck | None:
        """The check stored under exactly ``url`` (checks are stored canonical), or None."""
        row = self.store.db.execute(
            f"SELECT {_CHECK_COLS} FROM link_checks WHERE run_id = ? AND url = ?", (self.run_id, url)
        ).fetchone()
        return _link_check(row) if row else None

    def link_check_count(self) -> int:
        """How many URLs were checked, counted in SQLite rather than by loading the checks."""
        return self.store.db.execute(
            "SELECT COUNT(*) FROM link_checks WHERE run_id = ?", (self.run_id,)
        ).fetchone()[0]

    def link_checks(self) -> dict[str, LinkCheck]:
        """Every check by URL, snippets included, kept for the next call. Convenient for tests
        and small runs, but about 2 KB a check (220 MB at 100,000): audits stream with
        ``iter_link_checks()`` and look single URLs up with ``link_check()``."""
        if self._checks is None:
            self._checks = {c.url: c for c in self.iter_link_checks()}
        return self._checks

    def records(self, kind: str) -> dict[str, dict[str, Any]]:
        rows = self.store.db.execute(
            "SELECT key, data FROM records WHERE run_id = ? AND kind = ? ORDER BY rowid", (self.run_id, kind)
        )
        return {k: json.loads(d) for k, d in rows}
