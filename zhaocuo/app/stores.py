"""Which store a command opens: ``--db``, else the profile's (``[store] path`` / ``url`` or the site's name).

``--db`` and ``[store] url`` may name a shared PostgreSQL database (``postgresql://…``): the
site then opens its own namespace in it, named like its SQLite file would be (the site's name).

A store holds a site's history — first-seen dates, deadlines, 误报 decisions, the outbox —
so it must be found again whichever copy, path or symlink of the profile runs. Versions
before 0.2 named the default store from a hash of the profile's path; such a store is
adopted once (moved to the site-named file, with a line saying so), never silently replaced
by an empty one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from zhaocuo.core.profile import Profile
from zhaocuo.core.store import Store, StoreError, is_server_url, with_namespace
from zhaocuo.core.store import open_store as open_path

_SIDE_FILES = ("", "-wal", "-shm")  # SQLite's database, write-ahead log and its index


class StoreOpenError(Exception):
    """A store that cannot be opened; ``str()`` names the path."""


def chosen_path(profile: Profile, db: str | None) -> Path:
    """The SQLite store a command uses, without touching anything (see ``location``)."""
    return Path(db.removeprefix("sqlite:///")) if db else profile.default_store_path()


def location(profile: Profile, db: str | None) -> str | Path:
    """The store a command uses: a PostgreSQL URL with the site's namespace, or a SQLite path."""
    if db and is_server_url(db):
        return with_namespace(db, profile.store_namespace())
    if not db and profile.store_url():
        return profile.store_url()
    return chosen_path(profile, db)


def legacy_store(profile: Profile) -> Path | None:
    """A store of an older version this profile should adopt: only for the default location,
    only when the site-named store does not exist yet."""
    if profile.default_store_path().exists():
        return None
    return next((p for p in profile.legacy_store_paths() if p.exists()), None)


def adopt(profile: Profile) -> Path | None:
    """Move an older path-hashed store to the site-named path (database, WAL and its index
    together, so nothing committed is lost); say so on stderr. Returns the old path."""
    old = legacy_store(profile)
    if old is None:
        return None
    new = profile.default_store_path()
    new.parent.mkdir(parents=True, exist_ok=True)
    for suffix in _SIDE_FILES:
        src = Path(str(old) + suffix)
        if src.exists():
            os.replace(src, Path(str(new) + suffix))
    print(f"已沿用原有数据库 adopted the existing store: {old} → {new} "
          f"(今后按站点名称“{profile.site.name}”查找 now found by the site's name)", file=sys.stderr)
    return old


def open_store(profile: Profile, db: str | None, must_exist: bool = False) -> Store:
    """The store for this profile (adopting an older one first). ``must_exist``: a command
    that only reads history (feedback) refuses to create an empty store."""
    where = location(profile, db)
    if isinstance(where, str):
        return _open_server(where, must_exist)
    if not db:
        adopt(profile)
    if must_exist and not where.exists():
        raise StoreOpenError(f"{where}: 没有检查记录 no store for this profile yet (run `zhaocuo run` first)")
    try:
        store = open_path(where)
    except Exception as exc:  # noqa: BLE001 - any failure to open is reported with the path
        raise StoreOpenError(f"{where}: 无法打开数据库 cannot open the store ({exc})") from None
    return store


def _open_server(url: str, must_exist: bool) -> Store:
    """One site's namespace in a shared database; ``must_exist``: refuse to create it."""
    try:
        if must_exist:
            open_path(url, read_only=True).close()
        return open_path(url)
    except StoreError as exc:
        msg = str(exc)
        if must_exist and "no store for site" in msg:
            msg += " (run `zhaocuo run` first)"
        raise StoreOpenError(msg) from None
