"""A worker killed (SIGKILL, its whole process group: a machine lost) halfway through a site's
crawl loses no page: its job is taken over by the other worker once its lease runs out, and the
crawl resumes the same run from what the store holds. The other worker, told to stop (SIGTERM)
while it holds the crawl, finishes it and only then exits."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.support.groupsites import Recorder, site_routes, start_worker, timed_server, write_group
from tests.support.profiles import write_profile
from tests.support.services import RedisServer, redis_available
from zhaocuo.core.store import StoreError, open_store, with_namespace

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier

PAGES = 60
SITE = "杀测大站"


def wait_for(check, timeout: float, what: str):  # noqa: ANN001, ANN201 - a tiny poll helper
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def stored_pages(url: str) -> int:
    try:
        store = open_store(url, read_only=True)
    except StoreError:
        return 0
    try:
        run = store.last_run(status=None)
        return store.page_count(run.id) if run else 0
    finally:
        store.close()


def test_killed_worker_loses_no_page_and_a_stopped_one_finishes_first(tmp_path: Path, postgres_url: str) -> None:
    why = redis_available()
    if why:
        pytest.skip(why)
    from rq.job import Job
    from rq.serializers import JSONSerializer

    from zhaocuo.app.worker import connect, job_id

    rec = Recorder()
    with RedisServer() as redis, timed_server(rec, site_routes("大站", PAGES), delay_s=0.2) as srv:
        (tmp_path / "sites").mkdir()
        write_profile(tmp_path / "sites", {
            "site": {"name": SITE, "start_urls": [srv.url("/")]}, "ipv6": {"enabled": False},
            "crawl": {"timeout_s": 5.0, "retries": 1, "auto_render_share": 0.0, "concurrency": 2,
                      "per_host_concurrency": 2}}, name="big.toml")
        store_url = with_namespace(postgres_url, SITE)
        a = start_worker(redis.url, postgres_url, "doomed")
        b = group = None
        try:
            group = subprocess.Popen([sys.executable, "-m", "zhaocuo", "group", "run", "--config",
                                      str(write_group(tmp_path, "杀测网站群", redis.url, postgres_url)),
                                      "--out", str(tmp_path / "night"), "--as-of", "2026-11-20", "--no-mail"],
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            wait_for(lambda: stored_pages(store_url) >= 8, 120, "the first worker to store pages")
            os.killpg(a.pid, signal.SIGKILL)
            a.wait(10)
            before = stored_pages(store_url)
            assert before < PAGES, "killed halfway, not after the crawl"
            b = start_worker(redis.url, postgres_url, "survivor")
            job = Job.fetch(job_id("杀测网站群", SITE), connection=connect(redis.url), serializer=JSONSerializer)

            def taken_over() -> bool:
                job.refresh()
                return job.get_status().value == "started" and job.worker_name == "survivor"

            wait_for(taken_over, 60, "the other worker to take the crawl over")
            b.send_signal(signal.SIGTERM)  # stop while it holds the crawl: it must finish it first
            out, err = group.communicate(timeout=240)
            assert group.returncode == 0, err
            assert b.wait(60) == 0
            result = job.return_value()
        finally:
            for p in (a, b, group):
                if p is not None and p.poll() is None:
                    os.killpg(p.pid, signal.SIGKILL) if p is not group else p.kill()
                    p.wait(10)
    assert result["status"] == "complete" and result["resumed"] is True and result["worker"] == "survivor"
    store = open_store(store_url, read_only=True)
    try:
        run = store.run(result["run_id"])
        assert run.status == "complete" and store.run_count() == 1, "the same run, resumed, not a new one"
        prefix = srv.url("")
        pages = {u.removeprefix(prefix) for u in store.fetched_urls(run.id) if store.page_kind(run.id, u) == "html"}
        assert pages == {"/", "/list.html", *(f"/art/{i}.html" for i in range(PAGES))}
    finally:
        store.close()
    summary = json.loads((tmp_path / "night" / "sites" / "big" / "summary.json").read_text(encoding="utf-8"))
    assert summary["pages_crawled"] == PAGES + 2 and summary["crawl"]["resumed"] is True
    found = [json.loads(line) for line in (tmp_path / "night" / "sites" / "big" / "findings.jsonl").read_text(
        encoding="utf-8").splitlines()]
    assert [f["target"] for f in found if f["audit"] == "dead_link"] == [srv.url("/gone.html")]
    assert "survivor" in err and "续抓 resumed" in err
