"""[store] keep_runs through the real CLI: older crawls' pages and links are deleted after a
night, the findings' history (first_seen, statuses, trends) is kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route
from zhaocuo.core.store import open_store

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier


def _page(title: str, body: str) -> str:
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"


def test_keep_runs_deletes_old_pages_and_keeps_the_findings_history(tmp_path: Path) -> None:
    routes = {"/": Route(body=_page("首页", "<a href='/a.html'>通知</a> <a href='/gone.html'>旧通知</a>")),
              "/a.html": Route(body=_page("通知", "<p>正文。</p>"))}
    with LoopbackServer(routes) as srv:
        cfg = write_profile(tmp_path, {
            "site": {"name": "保留测试", "start_urls": [srv.url("/")], "own_site": True},
            "crawl": {"timeout_s": 3.0, "retries": 0, "check_external": False, "attachments": False},
            "ipv6": {"enabled": False},
            "store": {"path": str(tmp_path / "s.sqlite"), "keep_runs": 2},
        })
        days = ["2026-03-02", "2026-03-03", "2026-03-04"]
        for n, day in enumerate(days):
            proc = run_cli("run", "--config", str(cfg), "--out", str(tmp_path / f"out{n}"), "--as-of", day,
                           "--no-mail", timeout=180)
            assert proc.returncode == 0, proc.stderr
        assert "kept the last 2 crawls" in proc.stderr
    dead = [json.loads(line) for line in (tmp_path / "out2" / "findings.jsonl").read_text("utf-8").splitlines()]
    dead = [f for f in dead if f["audit"] == "dead_link"]
    assert len(dead) == 1 and dead[0]["status"] == "open" and dead[0]["first_seen"] == days[0], \
        "the finding's history outlives the pages of the crawl that first saw it"
    store = open_store(tmp_path / "s.sqlite")
    try:
        runs = [store.run(i) for i in (1, 2, 3)]
        assert [r.status for r in runs] == ["complete"] * 3
        assert store.fetched_urls(1) == set() and list(store.iter_links(1)) == []
        assert store.page_count(2) == store.page_count(3) == 2
        assert runs[0].stats.get("pages_crawled") == 2, "the run's counts stay"
        assert [r["run"] for r in store.last_states("run", 30)] == [1, 2, 3], "trends keep every night"
        assert store.integrity_problems() == []
    finally:
        store.close()
