"""The store: what the crawl saw and what lives across runs, behind one interface.

``Store`` (base.py) names every query the stages and the application need; ``SQLiteStore``
(sqlite.py) is the embedded backend, ``PostgresStore`` (postgres.py) the server backend a site
group shares; ``open_store`` opens whichever a URL or path names. Nothing outside this package
writes SQL. The PostgreSQL driver is imported only when a ``postgresql://`` store is opened, so
a single site on SQLite needs nothing more installed.
"""

from __future__ import annotations

from pathlib import Path

from zhaocuo.core.store.base import Crawl, Store, StoreError
from zhaocuo.core.store.model import (
    NOT_CHECKED,
    PROTECTED,
    SKIPPED,
    Fetch,
    Link,
    LinkCheck,
    Page,
    Run,
    now_iso,
)
from zhaocuo.core.store.names import is_server_url, namespace_of, with_namespace
from zhaocuo.core.store.sqlite import SQLiteStore


def open_store(url: str | Path, read_only: bool = False) -> Store:
    """The store a ``--db`` value or ``[store]`` setting names: a SQLite file path (or
    ``sqlite:///PATH``), or ``postgresql://USER@HOST:PORT/DB?site=NAME`` (one site's namespace
    in a shared database). ``read_only`` opens an existing store without creating or migrating it."""
    if is_server_url(str(url)):
        from zhaocuo.core.store.postgres import PostgresStore

        return PostgresStore(str(url), read_only=read_only)
    return SQLiteStore(url, read_only=read_only)


__all__ = ["NOT_CHECKED", "PROTECTED", "SKIPPED", "Crawl", "Fetch", "Link", "LinkCheck", "Page", "Run", "SQLiteStore", "Store", "StoreError",
           "is_server_url", "namespace_of", "now_iso", "open_store", "with_namespace"]
