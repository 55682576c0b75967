"""A site group's night on real Redis and PostgreSQL: three test sites crawled by two worker
processes (`zhaocuo worker`) and audited by `zhaocuo group run` give the same findings as three
single-site runs on SQLite; per-host politeness holds across both workers (timed at the
loopback servers); each crawl is audited once; the bulletin ranks the sites and marks the
failing one 不合格, in JSON, HTML and xlsx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.support.groupsites import (
    LEADERS,
    Recorder,
    site_routes,
    start_worker,
    stop,
    timed_server,
    write_group,
)
from tests.support.profiles import write_profile
from tests.support.services import RedisServer, redis_available
from zhaocuo.core.store import open_store, with_namespace

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)

AS_OF = "2026-11-20"
RPS = 20.0  # per host, for all workers together: request starts at least 50 ms apart
CRAWL = {"timeout_s": 5.0, "retries": 1, "max_backoff_s": 0.2, "auto_render_share": 0.0, "concurrency": 4,
         "per_host_concurrency": 1, "requests_per_second": RPS}
SITES = {"alpha": ("甲站", 6, False), "beta": ("乙站", 8, True), "gamma": ("丙站", 5, False)}


def findings(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / "findings.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory, postgres_url: str) -> Iterator[dict[str, Any]]:
    why = redis_available()
    if why:
        pytest.skip(why)
    tmp = tmp_path_factory.mktemp("group")
    rec = Recorder()
    servers = {key: timed_server(rec, site_routes(label, n, veto)) for key, (label, n, veto) in SITES.items()}
    with RedisServer() as redis, servers["alpha"], servers["beta"], servers["gamma"]:
        (tmp / "sites").mkdir()
        profiles = {key: write_profile(tmp / "sites", {
            "site": {"name": f"群测{label}", "start_urls": [servers[key].url("/")]}, "crawl": CRAWL,
            "ipv6": {"enabled": False}, "leaders": LEADERS}, name=f"{key}.toml") for key, (label, _, _) in SITES.items()}
        single = {}
        for key, prof in profiles.items():  # each site alone, on its own SQLite store, no Redis
            res = run_cli("run", "--config", str(prof), "--out", str(tmp / "single" / key), "--as-of", AS_OF,
                          "--no-mail")
            assert res.returncode == 0, res.stderr
            single[key] = findings(tmp / "single" / key)
        rec.reset()
        workers = [start_worker(redis.url_for(1), postgres_url, f"w{i}") for i in (1, 2)]
        try:
            group = run_cli("group", "run", "--config", str(write_group(tmp, "测试市网站群", redis.url_for(1), postgres_url)),
                            "--out", str(tmp / "night"), "--as-of", AS_OF, "--no-mail", timeout=300)
        finally:
            codes = [stop(w) for w in workers]
        logs = [w.stdout.read() if w.stdout else "" for w in workers]
        yield {"tmp": tmp, "single": single, "group": group, "rec": rec, "worker_codes": codes, "logs": logs,
               "pg": postgres_url}


def test_group_of_three_sites_on_two_workers_finds_what_three_single_runs_find(night: dict[str, Any]) -> None:
    group = night["group"]
    assert group.returncode == 0, group.stderr
    for key in SITES:
        got = findings(night["tmp"] / "night" / "sites" / key)
        assert sorted(f["id"] for f in got) == sorted(f["id"] for f in night["single"][key]), key
        assert got, f"{key}: the sites have findings (a dead link at least) to compare"
        for name in ("fixed.jsonl", "summary.json", "report.html", "ledger.xlsx", "junit.xml"):
            assert (night["tmp"] / "night" / "sites" / key / name).is_file(), (key, name)
    # Both workers crawled (three sites, two workers): the group log names the worker of each site.
    assert "w1" in group.stderr and "w2" in group.stderr, group.stderr
    assert night["worker_codes"] == [0, 0], night["logs"]


def test_per_host_politeness_holds_across_both_workers(night: dict[str, Any]) -> None:
    """All three sites are on 127.0.0.1 (one host, three ports): with per_host_concurrency = 1 and
    20 requests per second, the two workers together never had two requests at the host at once
    and kept to the rate on average (twice the rate would mean each worker went alone). Single gaps
    are not asserted: arrival times jitter on a busy machine."""
    rec: Recorder = night["rec"]
    gaps = rec.gaps("127.0.0.1")
    assert len(gaps) >= 30, "the group's crawls and link checks reached the servers"
    assert rec.peak["127.0.0.1"] == 1
    assert sum(gaps) / len(gaps) >= 0.9 / RPS


def test_each_site_has_its_namespace_and_was_audited_once(night: dict[str, Any]) -> None:
    for key, (label, _, _) in SITES.items():
        store = open_store(with_namespace(night["pg"], f"群测{label}"), read_only=True)
        try:
            runs = store.last_states("run", 10)
            assert len(runs) == 1 and store.run_count() == 1, key  # one crawl, audited once
            summary = json.loads((night["tmp"] / "night" / "sites" / key / "summary.json").read_text(encoding="utf-8"))
            assert summary["crawl_run"] == runs[0]["run"] and summary["site"] == f"群测{label}"
            assert summary["pages_crawled"] == store.page_count(summary["crawl_run"])
        finally:
            store.close()


def test_bulletin_ranks_the_sites_and_fails_the_one_with_a_veto(night: dict[str, Any]) -> None:
    out = night["tmp"] / "night"
    doc = json.loads((out / "bulletin.json").read_text(encoding="utf-8"))
    sites = doc["sites"]
    assert [s["profile"] for s in sites][0] == "beta", "the failing site first"
    assert [(s["name"], s["verdict"]) for s in sites][0] == ("群测乙站", "不合格")
    assert sites[0]["veto"] == ["serious_error"] and sites[0]["findings"]["serious_error"] == 1
    assert {s["verdict"] for s in sites[1:]} == {"合格"} and all(s["veto"] == [] for s in sites[1:])
    assert {s["profile"] for s in sites} == set(SITES) and [s["rank"] for s in sites] == [1, 2, 3]
    for s in sites:
        assert s["findings"]["dead_link"] == 1 and s["report"] == f"sites/{s['profile']}/report.html"
    html = (out / "bulletin.html").read_text(encoding="utf-8")
    assert html.index("群测乙站") < html.index("群测甲站") and "不合格" in html and "严重表述错误" in html
    assert 'href="sites/beta/report.html"' in html
    from openpyxl import load_workbook

    ws = load_workbook(out / "bulletin.xlsx").active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    assert [r[1] for r in rows][0] == "群测乙站" and rows[0][3] == "不合格" and rows[0][4] == "严重表述错误"
