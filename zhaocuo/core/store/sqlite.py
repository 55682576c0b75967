"""The SQLite store: what the crawl saw, kept so every audit can run again offline.

One file per site. Writers add rows inside a transaction and call ``commit()`` in batches;
SQLite's journal (WAL) makes every commit atomic, so a crawl killed at any moment leaves the
store as of its last commit, never half-written.

Gatherers that need their own data (IPv6 probes, new-media posts, …) put JSON records under
a ``kind`` of their own with ``put_record`` instead of adding tables, so a new gatherer
never needs a schema change.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from zhaocuo.core.store import rows as _row
from zhaocuo.core.store.base import DEFAULT_PAGE_KINDS, Store, StoreError
from zhaocuo.core.store.model import Fetch, Link, LinkCheck, Page, Run, now_iso
from zhaocuo.core.urlcanon import canonical

SCHEMA_VERSION = 2

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
    target_canon TEXT,               -- canonical(target): lookups by any spelling
    PRIMARY KEY (run_id, source, target)
);
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
# Created after the migrations: an index on a column an old store gains in a migration.
# Links are found by their canonical target only; the index by the target as written (schema v1)
# was never read and cost a third of every page's link inserts: dropped where an old store has it.
_INDEXES = ("CREATE INDEX IF NOT EXISTS links_target_canon ON links (run_id, target_canon);\n"
            "DROP INDEX IF EXISTS links_target;")

_BATCH = 500  # bound parameters per statement (SQLite allows 32,766; small keeps statements cheap)
COMPACT_FREE_RATIO = 0.25  # compact() rewrites the file once a quarter of it is free pages

def _kinds_clause(kinds: Iterable[str] | None) -> tuple[str, list[Any]]:
    if kinds is None:
        return "", []
    kinds = list(kinds)
    return f" AND kind IN ({','.join('?' * len(kinds))})", kinds


class SQLiteStore(Store):
    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        """Open (and create or migrate) the store at ``path``; ``read_only`` opens an existing
        file without changing it (``doctor``), and fails if it does not exist."""
        self.path = Path(str(path).removeprefix("sqlite:///"))
        if read_only:
            try:
                self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
                self.db.execute("SELECT 1 FROM runs LIMIT 1")
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: {exc}") from exc
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=60, isolation_level="DEFERRED")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        self._migrate()
        self.db.executescript(_INDEXES)
        self.db.commit()

    @property
    def url(self) -> str:
        return str(self.path.resolve())

    def _migrate(self) -> None:
        """Bring a store written by an older version up to SCHEMA_VERSION, in one transaction."""
        version = int(self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
        if version < 2:
            # Version 2: links keep their target's canonical form beside the target as written.
            cols = {r[1] for r in self.db.execute("PRAGMA table_info(links)")}
            if "target_canon" not in cols:
                self.db.execute("ALTER TABLE links ADD COLUMN target_canon TEXT")
            rows = self.db.execute("SELECT rowid, target FROM links WHERE target_canon IS NULL").fetchall()
            self.db.executemany("UPDATE links SET target_canon = ? WHERE rowid = ?",
                                [(canonical(t) or t, rowid) for rowid, t in rows])
            self.db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        self.db.commit()

    # -- runs ---------------------------------------------------------------------------
    def begin_run(self, profile_hash: str = "", resume: bool = True) -> tuple[int, bool]:
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
        run = self.run(run_id)
        merged = {**(run.stats if run else {}), **stats}
        self.db.execute("UPDATE runs SET stats = ? WHERE id = ?", (json.dumps(merged, ensure_ascii=False), run_id))
        self.db.commit()

    def run(self, run_id: int) -> Run | None:
        return _row.run(self.db.execute(f"SELECT {_row.RUN_COLS} FROM runs WHERE id = ?", (run_id,)).fetchone())

    def last_run(self, status: str | None = "complete") -> Run | None:
        sql = f"SELECT {_row.RUN_COLS} FROM runs"
        args: tuple[Any, ...] = ()
        if status:
            sql += " WHERE status = ?"
            args = (status,)
        return _row.run(self.db.execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone())

    def run_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])

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
            "INSERT OR IGNORE INTO links (run_id, source, target, anchor, tag, target_canon) VALUES (?,?,?,?,?,?)",
            [(run_id, lk.source, lk.target, lk.anchor, lk.tag, lk.target_canon or canonical(lk.target) or lk.target)
             for lk in links],
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

    def close(self) -> None:
        self.db.commit()
        self.db.close()

    def rollback(self) -> None:
        self.db.rollback()

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

    def get_states(self, kind: str, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        keys = list(dict.fromkeys(keys))
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(keys), _BATCH):
            chunk = keys[i:i + _BATCH]
            rows = self.db.execute(f"SELECT key, data FROM state WHERE kind = ? AND key IN ({','.join('?' * len(chunk))})",
                                   (kind, *chunk))
            out.update((k, json.loads(d)) for k, d in rows)
        return out

    def states_excluding(self, kind: str, field: str, values: Iterable[str]) -> dict[str, dict[str, Any]]:
        values = list(values)
        path = "$." + json.dumps(field)  # quoted: any field name is one JSON path step
        sql = "SELECT key, data FROM state WHERE kind = ?"
        if values:
            sql += (f" AND (json_extract(data, ?) IS NULL OR json_extract(data, ?) NOT IN "
                    f"({','.join('?' * len(values))}))")
        rows = self.db.execute(sql, (kind, path, path, *values) if values else (kind,))
        return {k: json.loads(d) for k, d in rows}

    def last_states(self, kind: str, limit: int) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT data FROM state WHERE kind = ? AND key GLOB '[0-9]*' AND key NOT GLOB '*[^0-9]*' "
            "ORDER BY CAST(key AS INTEGER) DESC LIMIT ?", (kind, max(0, limit))).fetchall()
        return [json.loads(d) for (d,) in reversed(rows)]

    # -- reading one run ----------------------------------------------------------------
    def iter_pages(self, run_id: int, kinds: Iterable[str] | None = DEFAULT_PAGE_KINDS) -> Iterator[Page]:
        clause, args = _kinds_clause(kinds)
        for row in self.db.execute(f"SELECT {_row.PAGE_COLS} FROM pages WHERE run_id = ?{clause} ORDER BY rowid",
                                   [run_id, *args]):
            yield _row.page(row)

    def get_page(self, run_id: int, url: str) -> Page | None:
        row = self.db.execute(f"SELECT {_row.PAGE_COLS} FROM pages WHERE run_id = ? AND url = ?", (run_id, url)).fetchone()
        return _row.page(row) if row else None

    def page_count(self, run_id: int, kind: str = "html") -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM pages WHERE run_id = ? AND kind = ?",
                                   (run_id, kind)).fetchone()[0])

    def page_kind(self, run_id: int, url: str) -> str | None:
        row = self.db.execute("SELECT kind FROM pages WHERE run_id = ? AND url = ?", (run_id, url)).fetchone()
        return (row[0] or "") if row else None

    def fetched_urls(self, run_id: int) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT url FROM pages WHERE run_id = ?", (run_id,))}

    def iter_fetches(self, run_id: int, kinds: Iterable[str] | None = None) -> Iterator[Fetch]:
        clause, args = _kinds_clause(kinds)
        for url, final_url, status, error, kind, depth in self.db.execute(
                f"SELECT url, final_url, status, error, kind, depth FROM pages WHERE run_id = ?{clause} ORDER BY rowid",
                [run_id, *args]):
            yield Fetch(url, final_url or url, status, error or "", kind or "", depth or 0)

    def iter_links(self, run_id: int) -> Iterator[Link]:
        for row in self.db.execute(f"SELECT {_row.LINK_COLS} FROM links WHERE run_id = ? ORDER BY rowid", (run_id,)):
            yield Link(*row)

    def iter_link_targets(self, run_id: int) -> Iterator[tuple[str, str]]:
        yield from self.db.execute("SELECT target, target_canon FROM links WHERE run_id = ? ORDER BY rowid", (run_id,))

    def links_from(self, run_id: int, source: str) -> list[Link]:
        rows = self.db.execute(f"SELECT {_row.LINK_COLS} FROM links WHERE run_id = ? AND source = ? ORDER BY rowid",
                               (run_id, source))
        return [Link(*r) for r in rows]

    def links_to(self, run_id: int, target: str) -> list[Link]:
        rows = self.db.execute(f"SELECT {_row.LINK_COLS} FROM links WHERE run_id = ? AND target_canon = ? ORDER BY rowid",
                               (run_id, canonical(target) or target))
        return [Link(*r) for r in rows]

    def iter_links_mentioning(self, run_id: int, needles: Iterable[str], tags: Iterable[str]) -> Iterator[Link]:
        # SQLite's lower() folds ASCII only: enough for host names (the caller parses exactly).
        return self._iter_links_containing("lower(target)", run_id, needles, tags)

    def iter_links_anchored(self, run_id: int, needles: Iterable[str], tags: Iterable[str]) -> Iterator[Link]:
        return self._iter_links_containing("anchor", run_id, needles, tags)

    def _iter_links_containing(self, column: str, run_id: int, needles: Iterable[str],
                               tags: Iterable[str]) -> Iterator[Link]:
        """Links of ``tags`` whose ``column`` (an SQL expression of ours) holds one of ``needles``."""
        needles, tags = sorted(set(needles)), sorted(set(tags))
        if not needles or not tags:
            return
        match = " OR ".join(f"instr({column}, ?) > 0" for _ in needles)
        for row in self.db.execute(
                f"SELECT {_row.LINK_COLS} FROM links WHERE run_id = ? AND tag IN ({','.join('?' * len(tags))})"
                f" AND ({match}) ORDER BY rowid", (run_id, *tags, *needles)):
            yield Link(*row)

    def iter_crawl_frontier(self, run_id: int) -> Iterator[tuple[str, int]]:
        for target, depth in self.db.execute(
                "SELECT l.target, p.depth FROM links l JOIN pages p ON p.run_id = l.run_id AND p.url = l.source "
                "WHERE l.run_id = ? AND p.kind = 'html' ORDER BY p.depth, l.rowid", (run_id,)):
            yield target, depth or 0

    def iter_link_checks(self, run_id: int) -> Iterator[LinkCheck]:
        for row in self.db.execute(f"SELECT {_row.CHECK_COLS} FROM link_checks WHERE run_id = ?", (run_id,)):
            yield _row.link_check(row)

    def get_link_check(self, run_id: int, url: str) -> LinkCheck | None:
        row = self.db.execute(f"SELECT {_row.CHECK_COLS} FROM link_checks WHERE run_id = ? AND url = ?",
                              (run_id, url)).fetchone()
        return _row.link_check(row) if row else None

    def link_check_count(self, run_id: int) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM link_checks WHERE run_id = ?", (run_id,)).fetchone()[0])

    def checked_urls(self, run_id: int) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT url FROM link_checks WHERE run_id = ?", (run_id,))}

    def records(self, run_id: int, kind: str) -> dict[str, dict[str, Any]]:
        rows = self.db.execute("SELECT key, data FROM records WHERE run_id = ? AND kind = ? ORDER BY rowid",
                               (run_id, kind))
        return {k: json.loads(d) for k, d in rows}

    def record_kinds(self, run_id: int) -> set[str]:
        return {k for (k,) in self.db.execute("SELECT DISTINCT kind FROM records WHERE run_id = ?", (run_id,))}

    # -- maintenance ----------------------------------------------------------------------
    def integrity_problems(self) -> list[str]:
        try:
            result = [r[0] for r in self.db.execute("PRAGMA integrity_check").fetchall()]
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        return [] if result == ["ok"] else result

    def prune_runs(self, keep: int) -> dict[str, int]:
        ids = [r[0] for r in self.db.execute("SELECT id FROM runs ORDER BY id DESC")]
        kept = set(ids[:max(1, keep)])
        kept |= {r[0] for r in self.db.execute("SELECT id FROM runs WHERE status = 'running'")}
        last = self.last_run("complete")
        if last is not None:
            kept.add(last.id)
        old = [i for i in ids if i not in kept]
        deleted: dict[str, int] = {}
        with self.transaction():
            for table in ("pages", "links", "link_checks", "records"):
                n = 0
                for i in range(0, len(old), _BATCH):
                    chunk = old[i:i + _BATCH]
                    n += self.db.execute(f"DELETE FROM {table} WHERE run_id IN ({','.join('?' * len(chunk))})",
                                         chunk).rowcount
                if n:
                    deleted[table] = n
        return deleted

    def compact(self, force: bool = False) -> bool:
        pages = int(self.db.execute("PRAGMA page_count").fetchone()[0])
        free = int(self.db.execute("PRAGMA freelist_count").fetchone()[0])
        if not force and (pages == 0 or free < pages * COMPACT_FREE_RATIO):
            return False
        self.db.commit()
        self.db.execute("VACUUM")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return True
