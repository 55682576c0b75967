"""The store: what the crawl saw and what lives across runs, behind one interface.

``Store`` (base.py) names every query the stages and the application need; ``SQLiteStore``
(sqlite.py) is the embedded backend; ``open_store`` opens whichever a URL or path names.
Nothing outside this package writes SQL.
"""

from __future__ import annotations

from pathlib import Path

from zhaocuo.core.store.base import Crawl, Store, StoreError
from zhaocuo.core.store.model import Fetch, Link, LinkCheck, Page, Run, now_iso
from zhaocuo.core.store.sqlite import SQLiteStore


def open_store(url: str | Path, read_only: bool = False) -> Store:
    """The store a ``--db`` value or ``[store]`` setting names: a SQLite file path (or
    ``sqlite:///PATH``). ``read_only`` opens an existing store without creating or migrating it."""
    return SQLiteStore(url, read_only=read_only)


__all__ = ["Crawl", "Fetch", "Link", "LinkCheck", "Page", "Run", "SQLiteStore", "Store", "StoreError", "now_iso", "open_store"]
