"""The crawl through the real command line (child processes, as cron runs it): summary
figures, findings, an unreachable start URL (exit 3), and resuming after a SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import psutil
import pytest

from tests.conftest import ROOT, run_cli
from tests.support.dns import Dnsmasq
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route, reserved_port
from zhaocuo.core.store import StoreError, open_store

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier


def page(title: str, body: str = "") -> str:
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"


FAST = {"timeout_s": 2.0, "retries": 1, "max_backoff_s": 0.2, "auto_render_share": 0.0}


def test_run_writes_summary_counts_and_dead_link_findings(tmp_path: Path) -> None:
    routes = {
        "/": Route(body=page("区政府", "<a href='/xw/'>新闻</a><a href='/zcjd.html'>政策解读</a>")),
        "/xw/": Route(body=page("新闻", "<a href='/xw/1.html'>一</a><a href='/xw/old.html'>旧闻</a>"
                                      "<a href='/zcjd.html'>政策解读</a>")),
        "/xw/1.html": Route(body=page("新闻一", "<p>内容</p>")),
    }
    with LoopbackServer(routes) as srv:
        prof = write_profile(tmp_path, {"site": {"name": "测试区", "start_urls": [srv.url("/")]}, "crawl": FAST,
                                        "ipv6": {"enabled": False}})
        out = tmp_path / "out"
        res = run_cli("run", "--config", str(prof), "--out", str(out), "--as-of", "2026-11-20", "--no-mail")
    assert res.returncode == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["pages_crawled"] == 3  # /, /xw/, /xw/1.html (the 404s are checks, not pages)
    assert summary["links_checked"] == 5  # the three pages + /zcjd.html + /xw/old.html, each once
    dead = [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    dead = [f for f in dead if f["audit"] == "dead_link"]
    pairs = {(f["url"].removeprefix(srv.base), f["target"].removeprefix(srv.base), f["severity"]) for f in dead}
    assert pairs == {("/", "/zcjd.html", "high"), ("/xw/", "/zcjd.html", "medium"), ("/xw/", "/xw/old.html", "medium")}
    assert "抓取 crawl: 已完成 done" in res.stderr  # plain progress lines when not on a terminal
    assert "\r" not in res.stderr


def test_unreachable_start_url_exits_3_with_one_line_naming_it(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{reserved_port()}/"
    prof = write_profile(tmp_path, {"site": {"start_urls": [url]}, "crawl": {**FAST, "down_window_s": 0.5},
                                    "ipv6": {"enabled": False}})
    res = run_cli("crawl", "--config", str(prof))
    assert res.returncode == 3
    lines = [ln for ln in res.stderr.splitlines() if "起始地址" in ln]
    assert len(lines) == 1 and url in lines[0] and "连接被拒绝 connection refused" in lines[0]
    assert "Traceback" not in res.stderr


def test_start_url_that_does_not_resolve_exits_3_naming_dns(tmp_path: Path) -> None:
    with Dnsmasq(hosts={"www.test.gov.cn": ["127.0.0.1"]}) as dns:
        url = "http://nosuch.test.gov.cn/"
        prof = write_profile(tmp_path, {"site": {"start_urls": [url]}, "crawl": {**FAST, "down_window_s": 0.5},
                                        "dns": {"nameservers": [dns.nameserver], "timeout_s": 1.0},
                                        "ipv6": {"enabled": False}})
        res = run_cli("crawl", "--config", str(prof))
    assert res.returncode == 3
    assert any(url in ln and "DNS" in ln for ln in res.stderr.splitlines())


def test_start_url_outside_allowed_hosts_is_a_profile_error_naming_the_key(tmp_path: Path) -> None:
    prof = write_profile(tmp_path, {"site": {"start_urls": ["http://www.test.gov.cn/"], "allowed_hosts": ["www.other.gov.cn"]},
                                    "crawl": FAST, "ipv6": {"enabled": False}})
    res = run_cli("crawl", "--config", str(prof))
    assert res.returncode == 2
    (line,) = [ln for ln in res.stderr.splitlines() if "site.allowed_hosts" in ln]
    assert str(prof) in line and "http://www.test.gov.cn/" in line


N_PAGES = 120


def _slow_page(h: BaseHTTPRequestHandler) -> None:
    time.sleep(0.03)
    n = int(h.path.strip("/p.html") or 0) if h.path.startswith("/p") else 0
    nxt = "".join(f"<a href='/p{i}.html'>第{i}页</a>" for i in range(n * 3 + 1, min(n * 3 + 4, N_PAGES)))
    body = page(f"第{n}页", f"<p>正文{n}</p>{nxt}").encode()
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def test_crawl_killed_with_sigkill_resumes_and_finishes(tmp_path: Path) -> None:
    routes: dict[str, Route | object] = {"/": _slow_page}
    routes.update({f"/p{i}.html": _slow_page for i in range(1, N_PAGES)})
    with LoopbackServer(routes) as srv:  # type: ignore[arg-type]
        prof = write_profile(tmp_path, {"site": {"start_urls": [srv.url("/")]},
                                        "crawl": {**FAST, "concurrency": 2, "per_host_concurrency": 2},
                                        "ipv6": {"enabled": False}})
        db = tmp_path / "site.sqlite"
        env = {**os.environ, "ZHAOCUO_HOME": str(tmp_path / "home")}
        proc = subprocess.Popen([sys.executable, "-m", "zhaocuo", "crawl", "--config", str(prof)], cwd=ROOT,
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            stored = 0
            while time.monotonic() < deadline and stored < 25:
                time.sleep(0.1)
                if db.exists():
                    try:
                        store = open_store(db, read_only=True)
                        try:
                            run = store.last_run(status=None)
                            stored = store.page_count(run.id) if run else 0
                        finally:
                            store.close()
                    except StoreError:
                        stored = 0
            assert 25 <= stored < N_PAGES, "the crawl should be mid-way when killed"
            for child in psutil.Process(proc.pid).children(recursive=True):  # the Scrapy child first
                child.send_signal(signal.SIGKILL)
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
        store = open_store(db, read_only=True)
        assert store.integrity_problems() == []
        (running,) = [store.last_run(status=None)]
        assert running is not None and running.status == "running" and store.run_count() == 1
        before = {f.url for f in store.iter_fetches(running.id, kinds=("html",))}
        store.close()
        hits_before = len(srv.hits)
        res = run_cli("crawl", "--config", str(prof), env={"ZHAOCUO_HOME": str(tmp_path / "home")})
        assert res.returncode == 0, res.stderr
        assert "resumed an interrupted crawl" in res.stderr
        again = [p for m, p in srv.hits[hits_before:] if m == "GET" and srv.url(p) in before]
    assert again == []  # pages stored before the kill are not fetched again
    store = open_store(db, read_only=True)
    run = store.last_run(status=None)
    assert store.run_count() == 1 and run is not None and run.status == "complete" and run.resumed
    assert store.page_count(run.id) == N_PAGES
    stats = run.stats
    store.close()
    assert stats["resumed"] is True and stats["pages_crawled"] == N_PAGES


def test_killing_the_cli_also_stops_its_crawl_child(tmp_path: Path) -> None:
    def slower(h: BaseHTTPRequestHandler) -> None:
        time.sleep(0.4)  # 120 pages one at a time: a minute of crawling left when the CLI dies
        _slow_page(h)

    routes: dict[str, Route | object] = {"/": slower}
    routes.update({f"/p{i}.html": slower for i in range(1, N_PAGES)})
    with LoopbackServer(routes) as srv:  # type: ignore[arg-type]
        prof = write_profile(tmp_path, {"site": {"start_urls": [srv.url("/")]},
                                        "crawl": {**FAST, "concurrency": 1, "per_host_concurrency": 1},
                                        "ipv6": {"enabled": False}})
        proc = subprocess.Popen([sys.executable, "-m", "zhaocuo", "crawl", "--config", str(prof)], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        children: list[psutil.Process] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not children:
            time.sleep(0.1)
            children = [c for c in psutil.Process(proc.pid).children(recursive=True)
                        if "crawler.site" in " ".join(c.cmdline())]
        assert children, "the crawl child did not start"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        gone, alive = psutil.wait_procs(children, timeout=10)
        for c in alive:
            c.kill()
    assert not alive  # no orphan crawl keeps writing into the store


def test_crawl_child_stopped_by_sigint_is_interrupted_and_the_next_run_resumes(tmp_path: Path) -> None:
    """SIGINT to the crawl child alone (not the CLI): Scrapy closes its spider gracefully, which
    once looked like a finished crawl ("clean crawl", a fraction of the pages, audited as the
    whole site). The run is recorded as interrupted, nothing is reported, and the next run
    resumes it without fetching the stored pages again."""
    routes: dict[str, Route | object] = {"/": _slow_page}
    routes.update({f"/p{i}.html": _slow_page for i in range(1, N_PAGES)})
    with LoopbackServer(routes) as srv:  # type: ignore[arg-type]
        prof = write_profile(tmp_path, {"site": {"start_urls": [srv.url("/")]},
                                        "crawl": {**FAST, "concurrency": 2, "per_host_concurrency": 2},
                                        "ipv6": {"enabled": False}})
        db = tmp_path / "site.sqlite"
        out = tmp_path / "out"
        proc = subprocess.Popen([sys.executable, "-m", "zhaocuo", "run", "--config", str(prof), "--out", str(out),
                                 "--no-mail"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            stored = 0
            while time.monotonic() < deadline and stored < 25:
                time.sleep(0.1)
                try:
                    store = open_store(db, read_only=True)
                    run = store.last_run(status=None)
                    stored = store.page_count(run.id) if run else 0
                    store.close()
                except StoreError:
                    stored = 0
            (child,) = [c for c in psutil.Process(proc.pid).children(recursive=True)
                        if "crawler.site" in " ".join(c.cmdline())]
            child.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 130, err
        assert "crawl interrupted" in err and "next run resumes" in err
        assert not (out / "findings.jsonl").exists(), "a partial crawl is never reported as the site"
        store = open_store(db, read_only=True)
        run = store.last_run(status=None)
        assert run is not None and run.status == "running" and store.last_run() is None
        assert run.stats["interrupted"]["reason"] == "spider closed: shutdown"
        partial = store.page_count(run.id)
        before = {f.url for f in store.iter_fetches(run.id, kinds=("html",))}
        store.close()
        assert 25 <= partial < N_PAGES
        hits_before = len(srv.hits)
        res = run_cli("run", "--config", str(prof), "--out", str(out), "--no-mail")
        assert res.returncode == 0, res.stderr
        assert "resumed an interrupted crawl" in res.stderr
        again = [p for m, p in srv.hits[hits_before:] if m == "GET" and srv.url(p) in before]
    assert again == []
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["pages_crawled"] == N_PAGES and summary["crawl"]["resumed"] is True
    assert summary["crawl"]["resumed_after"]["reason"] == "spider closed: shutdown"
