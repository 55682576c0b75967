"""The PostgreSQL store: a site group's sites in one shared database, each in its own namespace.

A URL names the database and the site: ``postgresql://zhaocuo@db.example:5432/zhaocuo?site=NAME``.
Each site's runs, pages, links, checks, records and cross-run state (finding lifecycle,
suppressions, outbox…) live in a schema of their own (``zc_`` + a hash of the name, listed
in ``public.zhaocuo_sites``), so one site can never read or overwrite another's, and the
queries are those of the SQLite store. The tool creates and migrates every schema itself,
under an advisory lock, so workers opening the same new site at once do not race.

Differences from SQLite that the code absorbs:
- insertion order (SQLite's rowid) is a ``seq`` column; a replaced row moves to the end, as
  SQLite's INSERT OR REPLACE does;
- URLs may exceed a B-tree key's size, so keys are unique indexes on ``md5(url)``;
- TEXT cannot hold NUL characters: a crawled NUL is stored as U+FFFD;
- streams (``iter_pages``…) read in keyset pages of a few hundred rows on the writing
  connection, so they see its uncommitted writes, survive a commit and never hold a whole
  100,000-page run in memory.
Passwords are refused in the URL (they would be printed in summary.json and process lists):
libpq reads them from ``PGPASSWORD`` or ``~/.pgpass``.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import psycopg

from zhaocuo.core.store import rows as _row
from zhaocuo.core.store.base import DEFAULT_PAGE_KINDS, Store, StoreError
from zhaocuo.core.store.model import Fetch, Link, LinkCheck, Page, Run, now_iso
from zhaocuo.core.urlcanon import canonical

SCHEMA_VERSION = 1
DEFAULT_SITE = "default"
_BATCH = 500       # rows per keyset page of a stream
_PAGE_BATCH = 100  # pages carry their HTML: fewer per round trip

_REGISTRY = """
CREATE TABLE IF NOT EXISTS public.zhaocuo_sites (
    name TEXT PRIMARY KEY,
    schema_name TEXT UNIQUE NOT NULL,
    created_at TEXT NOT NULL
)"""

# Migrations, in order: (version, statements). A store at version N runs every step above N,
# all in one transaction. Version 1 is the whole schema.
_MIGRATIONS: list[tuple[int, list[str]]] = [
    (1, [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
        """CREATE TABLE runs (
            id BIGSERIAL PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,
            profile_hash TEXT,
            resumed INTEGER NOT NULL DEFAULT 0,
            stats TEXT)""",
        """CREATE TABLE pages (
            seq BIGSERIAL, run_id BIGINT NOT NULL, url TEXT NOT NULL, final_url TEXT, status INTEGER,
            content_type TEXT, kind TEXT, encoding TEXT, title TEXT, text TEXT, html BYTEA,
            content_hash TEXT, fetched_at TEXT, depth INTEGER, rendered INTEGER NOT NULL DEFAULT 0,
            error TEXT, size BIGINT, headers TEXT)""",
        "CREATE UNIQUE INDEX pages_key ON pages (run_id, md5(url))",
        "CREATE INDEX pages_order ON pages (run_id, seq)",
        """CREATE TABLE links (
            seq BIGSERIAL, run_id BIGINT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
            anchor TEXT, tag TEXT, target_canon TEXT)""",
        "CREATE UNIQUE INDEX links_key ON links (run_id, md5(source), md5(target))",
        "CREATE INDEX links_order ON links (run_id, seq)",
        "CREATE INDEX links_canon ON links (run_id, md5(target_canon))",
        """CREATE TABLE link_checks (
            seq BIGSERIAL, run_id BIGINT NOT NULL, url TEXT NOT NULL, status INTEGER, final_url TEXT,
            error_kind TEXT, error TEXT, method TEXT, attempts INTEGER, elapsed_ms BIGINT,
            content_type TEXT, title TEXT, snippet TEXT, redirects TEXT, checked_at TEXT)""",
        "CREATE UNIQUE INDEX link_checks_key ON link_checks (run_id, md5(url))",
        "CREATE INDEX link_checks_order ON link_checks (run_id, seq)",
        """CREATE TABLE records (
            seq BIGSERIAL, run_id BIGINT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL)""",
        "CREATE UNIQUE INDEX records_key ON records (run_id, kind, md5(key))",
        """CREATE TABLE state (kind TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL)""",
        "CREATE UNIQUE INDEX state_key ON state (kind, md5(key))",
    ]),
]
_TABLES = ("meta", "runs", "pages", "links", "link_checks", "records", "state")


def schema_for(site: str) -> str:
    """The schema of one site's namespace: ASCII, fixed length, the same on every machine."""
    return "zc_" + hashlib.sha1(site.encode("utf-8")).hexdigest()[:24]


def _t(value: str | None) -> str | None:
    """TEXT cannot hold NUL: keep everything else exactly."""
    return value.replace("\x00", "\ufffd") if value and "\x00" in value else value


def _js(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)  # JSON escapes NUL itself


def split_url(url: str) -> tuple[str, str, str]:
    """(conninfo for libpq, site name, the URL as ``Store.url`` shows it). Raises StoreError for
    a password in the URL."""
    parts = urlsplit(url)
    if parts.password is not None:
        raise StoreError(f"{parts.scheme}://{parts.hostname or ''}{parts.path}: 数据库地址中不能写密码 no password in "
                         "the store URL; libpq reads it from PGPASSWORD or ~/.pgpass")
    params = parse_qsl(parts.query, keep_blank_values=True)
    site = next((v for k, v in params if k == "site"), "") or DEFAULT_SITE
    rest = [(k, v) for k, v in params if k != "site"]
    conninfo = urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(rest), ""))
    shown = urlunsplit(("postgresql", parts.netloc, parts.path,
                        urlencode([*rest, ("site", site)], quote_via=quote), ""))
    return conninfo, site, shown


class PostgresStore(Store):
    def __init__(self, url: str, read_only: bool = False) -> None:
        """Open one site's namespace of the database ``url`` names, creating and migrating it
        (``read_only``: an existing namespace only, changing nothing — ``doctor``)."""
        conninfo, self.site, self._url = split_url(url)
        self.schema = schema_for(self.site)
        where = unquote(self._url)
        try:
            self.db = psycopg.connect(conninfo, connect_timeout=10, options=f"-c search_path={self.schema}")
        except psycopg.Error as exc:
            raise StoreError(f"{where}: 无法连接数据库 cannot connect ({str(exc).strip().splitlines()[0]})") from None
        try:
            if read_only:
                found = self._registry_exists() and self._one(
                    "SELECT EXISTS (SELECT 1 FROM public.zhaocuo_sites WHERE name = %s)", (self.site,))[0]
                self.db.rollback()
                if not found:
                    raise StoreError(f"{where}: 该站点尚无数据 no store for site {self.site!r} in this database")
                self.db.read_only = True
                return
            self._create_or_migrate()
        except psycopg.Error as exc:
            self.db.close()
            raise StoreError(f"{where}: {str(exc).strip().splitlines()[0]}") from None

    def _registry_exists(self) -> bool:
        row = self.db.execute("SELECT to_regclass('public.zhaocuo_sites') IS NOT NULL").fetchone()
        return bool(row and row[0])

    def _create_or_migrate(self) -> None:
        """Create the namespace or bring it up to SCHEMA_VERSION, in one transaction under an
        advisory lock: two workers opening a new site at once create it once."""
        with self.db.transaction():
            self.db.execute("SELECT pg_advisory_xact_lock(hashtext('zhaocuo-schema'))")
            self.db.execute(_REGISTRY)
            self.db.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            self.db.execute("INSERT INTO public.zhaocuo_sites VALUES (%s, %s, %s) ON CONFLICT (name) DO NOTHING",
                            (self.site, self.schema, now_iso()))
            version = 0
            if self.db.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()[0]:
                row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(f"{unquote(self._url)}: 数据库由更新的版本创建 written by a newer zhaocuo "
                                 f"(schema {version} > {SCHEMA_VERSION})")
            for step, statements in _MIGRATIONS:
                if step > version:
                    for sql in statements:
                        self.db.execute(sql)
            if version < SCHEMA_VERSION:
                self.db.execute("INSERT INTO meta VALUES ('schema_version', %s) ON CONFLICT (key) "
                                "DO UPDATE SET value = EXCLUDED.value", (str(SCHEMA_VERSION),))

    @property
    def url(self) -> str:
        return self._url

    def _one(self, sql: str, args: Any = None) -> Any:
        return self.db.execute(sql, args).fetchone()

    def _seq_stream(self, table: str, cols: str, where: str, args: list[Any], batch: int = _BATCH,
                    ) -> Iterator[tuple[Any, ...]]:
        """``cols`` of ``table`` rows matching ``where`` in insertion order, in keyset pages."""
        last = -1
        while True:
            rows = self.db.execute(f"SELECT {cols}, seq FROM {table} WHERE {where} AND seq > %s "
                                   f"ORDER BY seq LIMIT {batch}", [*args, last]).fetchall()
            for row in rows:
                yield row[:-1]
            if len(rows) < batch:
                return
            last = rows[-1][-1]

    # -- runs ---------------------------------------------------------------------------
    def begin_run(self, profile_hash: str = "", resume: bool = True) -> tuple[int, bool]:
        row = self._one("SELECT id FROM runs WHERE status = 'running' ORDER BY id DESC LIMIT 1")
        if row and resume:
            self.db.execute("UPDATE runs SET resumed = resumed + 1 WHERE id = %s", (row[0],))
            self.db.commit()
            return int(row[0]), True
        self.db.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
        new = self._one("INSERT INTO runs (started_at, status, profile_hash) VALUES (%s, 'running', %s) RETURNING id",
                        (now_iso(), profile_hash))
        self.db.commit()
        return int(new[0]), False

    def finish_run(self, run_id: int, status: str, stats: dict[str, Any] | None = None) -> None:
        self.db.execute("UPDATE runs SET status = %s, finished_at = %s, stats = %s WHERE id = %s",
                        (status, now_iso(), _js(stats or {}), run_id))
        self.db.commit()

    def update_run_stats(self, run_id: int, stats: dict[str, Any]) -> None:
        run = self.run(run_id)
        merged = {**(run.stats if run else {}), **stats}
        self.db.execute("UPDATE runs SET stats = %s WHERE id = %s", (_js(merged), run_id))
        self.db.commit()

    def run(self, run_id: int) -> Run | None:
        return _row.run(self._one(f"SELECT {_row.RUN_COLS} FROM runs WHERE id = %s", (run_id,)))

    def last_run(self, status: str | None = "complete") -> Run | None:
        if status:
            return _row.run(self._one(f"SELECT {_row.RUN_COLS} FROM runs WHERE status = %s ORDER BY id DESC LIMIT 1",
                                  (status,)))
        return _row.run(self._one(f"SELECT {_row.RUN_COLS} FROM runs ORDER BY id DESC LIMIT 1"))

    def run_count(self) -> int:
        return int(self._one("SELECT COUNT(*) FROM runs")[0])

    # -- writing (call commit() in batches) ---------------------------------------------
    def add_page(self, run_id: int, page: Page) -> None:
        html = zlib.compress(page.html.encode("utf-8"), 1) if page.html else None
        self.db.execute(
            f"INSERT INTO pages (run_id, {_row.PAGE_COLS}) VALUES "
            "(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) "
            "ON CONFLICT (run_id, md5(url)) DO UPDATE SET seq = nextval(pg_get_serial_sequence('pages', 'seq')), "
            + ", ".join(f"{c} = EXCLUDED.{c}" for c in _row.PAGE_COLS.split(", ") if c != "url"),
            (run_id, _t(page.url), _t(page.final_url or page.url), page.status, _t(page.content_type), page.kind,
             _t(page.encoding), _t(page.title), _t(page.text), html, page.content_hash, page.fetched_at or now_iso(),
             page.depth, int(page.rendered), _t(page.error), page.size, _js(page.headers)),
        )

    def add_links(self, run_id: int, links: Iterable[Link]) -> None:
        rows = [(run_id, _t(lk.source), _t(lk.target), _t(lk.anchor), lk.tag, _t(canonical(lk.target) or lk.target))
                for lk in links]
        if rows:
            with self.db.cursor() as cur:
                cur.executemany(
                    "INSERT INTO links (run_id, source, target, anchor, tag, target_canon) VALUES (%s,%s,%s,%s,%s,%s) "
                    "ON CONFLICT (run_id, md5(source), md5(target)) DO NOTHING", rows)

    def add_link_check(self, run_id: int, check: LinkCheck) -> None:
        self.db.execute(
            f"INSERT INTO link_checks (run_id, {_row.CHECK_COLS}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) "
            "ON CONFLICT (run_id, md5(url)) DO UPDATE SET seq = nextval(pg_get_serial_sequence('link_checks', 'seq')), "
            + ", ".join(f"{c} = EXCLUDED.{c}" for c in _row.CHECK_COLS.split(", ") if c != "url"),
            (run_id, _t(check.url), check.status, _t(check.final_url), check.error_kind, _t(check.error),
             check.method, check.attempts, check.elapsed_ms, _t(check.content_type), _t(check.title),
             _t(check.snippet), _js(check.redirects), check.checked_at or now_iso()),
        )

    def put_record(self, run_id: int, kind: str, key: str, data: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO records (run_id, kind, key, data) VALUES (%s,%s,%s,%s) ON CONFLICT (run_id, kind, md5(key)) "
            "DO UPDATE SET seq = nextval(pg_get_serial_sequence('records', 'seq')), data = EXCLUDED.data",
            (run_id, kind, _t(key), _js(data)))

    def commit(self) -> None:
        self.db.commit()

    def close(self) -> None:
        if self.db.closed:
            return
        if not self.db.read_only:
            self.db.commit()
        self.db.close()

    def rollback(self) -> None:
        self.db.rollback()

    # -- state that lives across runs ---------------------------------------------------
    def get_state(self, kind: str, key: str) -> dict[str, Any] | None:
        row = self._one("SELECT data FROM state WHERE kind = %s AND md5(key) = md5(%s) AND key = %s",
                        (kind, _t(key), _t(key)))
        return json.loads(row[0]) if row else None

    def put_state(self, kind: str, key: str, data: dict[str, Any]) -> None:
        self.db.execute("INSERT INTO state VALUES (%s,%s,%s) ON CONFLICT (kind, md5(key)) DO UPDATE SET data = EXCLUDED.data",
                        (kind, _t(key), _js(data)))

    def delete_state(self, kind: str, key: str) -> None:
        self.db.execute("DELETE FROM state WHERE kind = %s AND md5(key) = md5(%s)", (kind, _t(key)))

    def all_state(self, kind: str) -> dict[str, dict[str, Any]]:
        rows = self.db.execute("SELECT key, data FROM state WHERE kind = %s", (kind,)).fetchall()
        return {k: json.loads(d) for k, d in rows}

    def get_states(self, kind: str, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        keys = [_t(k) or "" for k in dict.fromkeys(keys)]
        if not keys:
            return {}
        digests = [hashlib.md5(k.encode("utf-8")).hexdigest() for k in keys]
        rows = self.db.execute("SELECT key, data FROM state WHERE kind = %s AND md5(key) = ANY(%s) AND key = ANY(%s)",
                               (kind, digests, keys))
        return {k: json.loads(d) for k, d in rows}

    def states_excluding(self, kind: str, field: str, values: Iterable[str]) -> dict[str, dict[str, Any]]:
        values = list(values)
        sql, args = "SELECT key, data FROM state WHERE kind = %s", [kind]
        if values:
            sql += " AND ((data::jsonb ->> %s) IS NULL OR (data::jsonb ->> %s) <> ALL(%s))"
            args += [field, field, values]
        return {k: json.loads(d) for k, d in self.db.execute(sql, args)}

    def last_states(self, kind: str, limit: int) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT data FROM state WHERE kind = %s AND key ~ '^[0-9]+$' "
                               "ORDER BY key::numeric DESC LIMIT %s", (kind, max(0, limit))).fetchall()
        return [json.loads(d) for (d,) in reversed(rows)]

    # -- reading one run ----------------------------------------------------------------
    def iter_pages(self, run_id: int, kinds: Iterable[str] | None = DEFAULT_PAGE_KINDS) -> Iterator[Page]:
        where, args = _kinds("run_id = %s", [run_id], kinds)
        for row in self._seq_stream("pages", _row.PAGE_COLS, where, args, _PAGE_BATCH):
            yield _row.page(row)

    def get_page(self, run_id: int, url: str) -> Page | None:
        row = self._one(f"SELECT {_row.PAGE_COLS} FROM pages WHERE run_id = %s AND md5(url) = md5(%s) AND url = %s",
                        (run_id, _t(url), _t(url)))
        return _row.page(row) if row else None

    def page_count(self, run_id: int, kind: str = "html") -> int:
        return int(self._one("SELECT COUNT(*) FROM pages WHERE run_id = %s AND kind = %s", (run_id, kind))[0])

    def page_kind(self, run_id: int, url: str) -> str | None:
        row = self._one("SELECT kind FROM pages WHERE run_id = %s AND md5(url) = md5(%s) AND url = %s",
                        (run_id, _t(url), _t(url)))
        return (row[0] or "") if row else None

    def fetched_urls(self, run_id: int) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT url FROM pages WHERE run_id = %s", (run_id,))}

    def iter_fetches(self, run_id: int, kinds: Iterable[str] | None = None) -> Iterator[Fetch]:
        where, args = _kinds("run_id = %s", [run_id], kinds)
        for url, final_url, status, error, kind, depth in self._seq_stream(
                "pages", "url, final_url, status, error, kind, depth", where, args):
            yield Fetch(url, final_url or url, status, error or "", kind or "", depth or 0)

    def iter_links(self, run_id: int) -> Iterator[Link]:
        for row in self._seq_stream("links", _row.LINK_COLS, "run_id = %s", [run_id]):
            yield Link(*row)

    def iter_link_targets(self, run_id: int) -> Iterator[tuple[str, str]]:
        yield from self._seq_stream("links", "target, target_canon", "run_id = %s", [run_id])

    def links_from(self, run_id: int, source: str) -> list[Link]:
        rows = self.db.execute(f"SELECT {_row.LINK_COLS} FROM links WHERE run_id = %s AND md5(source) = md5(%s) "
                               "AND source = %s ORDER BY seq", (run_id, _t(source), _t(source)))
        return [Link(*r) for r in rows]

    def links_to(self, run_id: int, target: str) -> list[Link]:
        canon = _t(canonical(target) or target)
        rows = self.db.execute(f"SELECT {_row.LINK_COLS} FROM links WHERE run_id = %s AND md5(target_canon) = md5(%s) "
                               "AND target_canon = %s ORDER BY seq", (run_id, canon, canon))
        return [Link(*r) for r in rows]

    def iter_links_mentioning(self, run_id: int, needles: Iterable[str], tags: Iterable[str]) -> Iterator[Link]:
        # lower() folds more than ASCII here: a wider pre-filter, the caller parses exactly.
        return self._iter_links_containing("lower(target)", run_id, needles, tags)

    def iter_links_anchored(self, run_id: int, needles: Iterable[str], tags: Iterable[str]) -> Iterator[Link]:
        return self._iter_links_containing("anchor", run_id, needles, tags)

    def _iter_links_containing(self, column: str, run_id: int, needles: Iterable[str],
                               tags: Iterable[str]) -> Iterator[Link]:
        """Links of ``tags`` whose ``column`` (an SQL expression of ours) holds one of ``needles``."""
        needles, tags = sorted(set(needles)), sorted(set(tags))
        if not needles or not tags:
            return
        match = " OR ".join(f"strpos({column}, %s) > 0" for _ in needles)
        for row in self._seq_stream("links", _row.LINK_COLS, f"run_id = %s AND tag = ANY(%s) AND ({match})",
                                    [run_id, tags, *[_t(n) for n in needles]]):
            yield Link(*row)

    def iter_crawl_frontier(self, run_id: int) -> Iterator[tuple[str, int]]:
        last: tuple[int, int] = (-1, -1)
        while True:
            rows = self.db.execute(
                "SELECT l.target, COALESCE(p.depth, 0), l.seq FROM links l JOIN pages p "
                "ON p.run_id = l.run_id AND md5(p.url) = md5(l.source) AND p.url = l.source "
                "WHERE l.run_id = %s AND p.kind = 'html' AND (COALESCE(p.depth, 0), l.seq) > (%s, %s) "
                f"ORDER BY COALESCE(p.depth, 0), l.seq LIMIT {_BATCH}", (run_id, *last)).fetchall()
            for target, depth, _ in rows:
                yield target, depth
            if len(rows) < _BATCH:
                return
            last = (rows[-1][1], rows[-1][2])

    def iter_link_checks(self, run_id: int) -> Iterator[LinkCheck]:
        for row in self._seq_stream("link_checks", _row.CHECK_COLS, "run_id = %s", [run_id]):
            yield _row.link_check(row)

    def get_link_check(self, run_id: int, url: str) -> LinkCheck | None:
        row = self._one(f"SELECT {_row.CHECK_COLS} FROM link_checks WHERE run_id = %s AND md5(url) = md5(%s) AND url = %s",
                        (run_id, _t(url), _t(url)))
        return _row.link_check(row) if row else None

    def link_check_count(self, run_id: int) -> int:
        return int(self._one("SELECT COUNT(*) FROM link_checks WHERE run_id = %s", (run_id,))[0])

    def checked_urls(self, run_id: int) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT url FROM link_checks WHERE run_id = %s", (run_id,))}

    def records(self, run_id: int, kind: str) -> dict[str, dict[str, Any]]:
        rows = self.db.execute("SELECT key, data FROM records WHERE run_id = %s AND kind = %s ORDER BY seq",
                               (run_id, kind))
        return {k: json.loads(d) for k, d in rows}

    def record_kinds(self, run_id: int) -> set[str]:
        return {k for (k,) in self.db.execute("SELECT DISTINCT kind FROM records WHERE run_id = %s", (run_id,))}

    # -- maintenance ----------------------------------------------------------------------
    def integrity_problems(self) -> list[str]:
        """PostgreSQL keeps its own pages consistent (WAL); what can go wrong here is a
        namespace missing tables or at another schema version than this code's."""
        problems: list[str] = []
        try:
            for table in _TABLES:
                if not self._one("SELECT to_regclass(%s) IS NOT NULL", (f'"{self.schema}".{table}',))[0]:
                    problems.append(f"table {table} missing in schema {self.schema}")
            if not problems:
                row = self._one("SELECT value FROM meta WHERE key = 'schema_version'")
                if not row or int(row[0]) != SCHEMA_VERSION:
                    problems.append(f"schema version {row[0] if row else None}, expected {SCHEMA_VERSION}")
        except psycopg.Error as exc:
            problems.append(str(exc).strip().splitlines()[0])
        finally:
            if self.db.read_only:
                self.db.rollback()
        return problems


    def prune_runs(self, keep: int) -> dict[str, int]:
        ids = [r[0] for r in self.db.execute("SELECT id FROM runs ORDER BY id DESC")]
        kept = set(ids[:max(1, keep)])
        kept |= {r[0] for r in self.db.execute("SELECT id FROM runs WHERE status = 'running'")}
        last = self.last_run("complete")
        if last is not None:
            kept.add(last.id)
        old = [i for i in ids if i not in kept]
        deleted: dict[str, int] = {}
        if not old:
            return deleted
        with self.transaction():
            for table in ("pages", "links", "link_checks", "records"):
                n = self.db.execute(f"DELETE FROM {table} WHERE run_id = ANY(%s)", (old,)).rowcount
                if n:
                    deleted[table] = n
        return deleted

    def compact(self, force: bool = False) -> bool:
        """PostgreSQL's autovacuum makes deleted rows' space reusable by itself; ``force`` runs
        VACUUM on the crawl tables now (outside a transaction, as VACUUM must)."""
        if not force:
            return False
        self.db.commit()
        self.db.autocommit = True
        try:
            for table in ("pages", "links", "link_checks", "records"):
                self.db.execute(f'VACUUM "{self.schema}".{table}')
        finally:
            self.db.autocommit = False
        return True


def _kinds(where: str, args: list[Any], kinds: Iterable[str] | None) -> tuple[str, list[Any]]:
    if kinds is None:
        return where, args
    return f"{where} AND kind = ANY(%s)", [*args, list(kinds)]
