"""What only the SQLite backend has to prove: a kill keeps what was committed, an old store is
migrated in place, read-only opening changes nothing, and the store needs no stage."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from zhaocuo.core.store import Page, SQLiteStore, StoreError, open_store
from zhaocuo.core.urlcanon import canonical


def test_a_kill_keeps_what_was_committed(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite")
    run_id, _ = store.begin_run()
    store.add_page(run_id, Page(url="http://a/", status=200))
    store.commit()
    store.add_page(run_id, Page(url="http://a/uncommitted", status=200))
    store.db.close()  # a kill: the open transaction is lost, the committed page is kept
    store = SQLiteStore(tmp_path / "s.sqlite")
    assert store.fetched_urls(run_id) == {"http://a/"}
    assert store.begin_run(resume=True) == (run_id, True)
    assert store.integrity_problems() == []


def test_a_version_1_store_gains_canonical_link_targets(tmp_path: Path) -> None:
    """Stores written before links kept their canonical target are migrated when opened."""
    path = tmp_path / "old.sqlite"
    SQLiteStore(path).close()
    db = sqlite3.connect(path)
    db.executescript("DROP INDEX links_target_canon; ALTER TABLE links DROP COLUMN target_canon;"
                     "CREATE INDEX links_target ON links (run_id, target);"  # version 1's index by the target as written
                     "UPDATE meta SET value = '1' WHERE key = 'schema_version';")
    db.execute("INSERT INTO runs (id, started_at, status) VALUES (1, '2026-11-01T00:00:00+00:00', 'complete')")
    db.execute("INSERT INTO links (run_id, source, target, anchor, tag) VALUES (1, 'http://a/', 'http://A/x?b=1&a=2', '', 'a')")
    db.commit()
    db.close()
    store = open_store(path)
    assert [lk.source for lk in store.crawl(1).links_to("http://a/x?a=2&b=1")] == ["http://a/"]
    assert canonical("http://A/x?b=1&a=2") == "http://a/x?a=2&b=1"
    db = sqlite3.connect(path)
    version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'links'")}
    assert version == "2" and "links_target_canon" in indexes and "links_target" not in indexes  # never read: dropped


def test_read_only_opening_changes_nothing_and_needs_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = SQLiteStore(path)
    store.begin_run()
    store.close()
    before = path.read_bytes()
    ro = open_store(path, read_only=True)
    assert ro.run_count() == 1 and ro.integrity_problems() == []
    ro.close()
    assert path.read_bytes() == before
    with pytest.raises(StoreError, match="missing.sqlite"):
        open_store(tmp_path / "missing.sqlite", read_only=True)
    assert not (tmp_path / "missing.sqlite").exists()


@pytest.mark.slow
def test_canonical_lives_in_the_core_and_the_store_needs_no_stage() -> None:
    """The store canonicalises with the core's function; crawler.urls re-exports that very
    function, so the crawler, the audits and the store agree on one spelling."""
    import crawler.urls
    import zhaocuo.core.urlcanon

    assert crawler.urls.canonical is zhaocuo.core.urlcanon.canonical
    code = "import sys, zhaocuo.core.store; assert not [m for m in sys.modules if m.split('.')[0] == 'crawler'], 'crawler'"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).returncode == 0


def test_compact_gives_pruned_space_back_only_when_much_is_free(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = SQLiteStore(path)
    for n in range(6):
        run_id, _ = store.begin_run(resume=False)
        for i in range(200):
            store.add_page(run_id, Page(url=f"http://a/{i}", status=200, text=f"{n}-{i}-" + "正文" * 400))
        store.finish_run(run_id, "complete")
    assert store.compact() is False, "nothing is free yet"
    store.prune_runs(keep=1)
    before = path.stat().st_size
    assert store.compact() is True
    assert path.stat().st_size < before / 3
    assert store.crawl().page_count() == 200 and store.integrity_problems() == []
