"""A single site keeps working exactly as before with no Redis and no PostgreSQL: `zhaocuo run`
on SQLite never imports their drivers (psycopg, redis, rq), in the CLI or in its crawler
child processes. Shadow packages that refuse to import stand for "not installed"."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier

BLOCKED = ("psycopg", "psycopg_binary", "redis", "rq")


def test_run_on_sqlite_imports_no_group_driver(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow"
    for name in BLOCKED:
        (shadow / name).mkdir(parents=True)
        (shadow / name / "__init__.py").write_text(
            f"raise ImportError('{name} is not installed here (imported by a single-site run)')\n")
    page = "<html><head><meta charset='utf-8'><title>{}</title></head><body>{}</body></html>"
    routes = {"/": Route(body=page.format("区政府", "<a href='/a.html'>通知</a><a href='/gone.html'>旧</a>")),
              "/a.html": Route(body=page.format("通知", "<p>内容</p>"))}
    with LoopbackServer(routes) as srv:
        prof = write_profile(tmp_path, {"site": {"name": "单站", "start_urls": [srv.url("/")]},
                                        "crawl": {"timeout_s": 2.0, "retries": 1, "auto_render_share": 0.0},
                                        "ipv6": {"enabled": False}})
        out = tmp_path / "out"
        res = run_cli("run", "--config", str(prof), "--out", str(out), "--as-of", "2026-11-20", "--no-mail",
                      env={"PYTHONPATH": os.pathsep.join(filter(None, [str(shadow), os.environ.get("PYTHONPATH")]))})
    assert res.returncode == 0, res.stderr
    assert "is not installed here" not in res.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["pages_crawled"] == 2 and summary["store"].endswith("site.sqlite")
    dead = [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [f["target"] for f in dead if f["audit"] == "dead_link"] == [srv.url("/gone.html")]
