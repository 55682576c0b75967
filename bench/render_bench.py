"""Benchmark: render ≥500 JavaScript-built pages through the real crawl and measure memory.

Generates a site whose every page builds its content with fetch() (an index, list pages whose
links come from JSON, article pages whose text comes from JSON), serves it on loopback from a
separate process (Debian's nginx, as crawl_bench.py starts it), and runs the real command line
``zhaocuo crawl`` with ``crawl.render_js = ["/"]`` — so every page goes through the site
spider, scrapy-playwright and Debian's Chromium exactly as in a nightly run. While it runs, the
resident memory of the whole process tree (CLI, Scrapy child, Playwright driver, every
Chromium process) is sampled with psutil; the peak is printed with the pages per second.

RSS summed over processes counts shared pages (Chromium's libraries) once per process, so it
overstates; PSS (shares split between processes) is printed too. Target: peak < 1.5 GB.

    .venv/bin/python bench/render_bench.py [--pages 500] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.crawl_bench import serve_folder  # noqa: E402 - after the repository is on the path
from zhaocuo.core.store import open_store  # noqa: E402

PER_LIST = 50
PARAGRAPH = ("为深入贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署，进一步提升政府网站建设管理水平，"
             "区政府办公室组织开展了政府网站和政务新媒体常态化检查工作。")


def build_site(folder: Path, pages: int) -> int:
    """Write the site; returns how many HTML pages it has."""
    lists = (pages + PER_LIST - 1) // PER_LIST
    (folder / "list").mkdir(parents=True)
    (folder / "art").mkdir()
    (folder / "api" / "list").mkdir(parents=True)
    (folder / "api" / "art").mkdir(parents=True)
    links = "".join(f'<li><a href="/list/{i}.html">政务公开栏目{i}</a></li>' for i in range(lists))
    (folder / "index.html").write_text(
        f"<html><head><meta charset='utf-8'><title>基准测试区人民政府</title></head><body>"
        f"<div id='nav'></div><ul>{links}</ul>"
        "<script>fetch('/api/nav.json').then(r => r.json()).then(d => {"
        "document.getElementById('nav').textContent = d.title;});</script></body></html>", encoding="utf-8")
    (folder / "api" / "nav.json").write_text(json.dumps({"title": "首页 政务公开 政务服务 互动交流"}, ensure_ascii=False),
                                              encoding="utf-8")
    n = 0
    for i in range(lists):
        items = []
        for _ in range(PER_LIST):
            if n >= pages:
                break
            items.append({"url": f"/art/{n}.html", "title": f"关于做好第{n}项重点工作的通知", "date": "2026-11-20"})
            (folder / "art" / f"{n}.html").write_text(
                f"<html><head><meta charset='utf-8'><title>通知{n}</title></head><body><h1 id='t'></h1>"
                f"<div id='content'></div><img src='/art/{n}.png'>"
                f"<script>fetch('/api/art/{n}.json').then(r => r.json()).then(a => {{"
                "document.getElementById('t').textContent = a.title;"
                "document.getElementById('content').innerHTML = a.html;});</script></body></html>", encoding="utf-8")
            body = "".join(f"<p>{PARAGRAPH}</p>" for _ in range(6))
            nxt = f'<p><a href="/art/{(n + 1) % pages}.html">下一篇</a> <a href="/list/{i}.html">返回列表</a></p>'
            (folder / "api" / "art" / f"{n}.json").write_text(
                json.dumps({"title": f"关于做好第{n}项重点工作的通知", "html": body + nxt}, ensure_ascii=False), encoding="utf-8")
            n += 1
        (folder / "api" / "list" / f"{i}.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        (folder / "list" / f"{i}.html").write_text(
            f"<html><head><meta charset='utf-8'><title>栏目{i}</title></head><body><ul id='list'></ul>"
            f"<script>fetch('/api/list/{i}.json').then(r => r.json()).then(items => {{"
            "document.getElementById('list').innerHTML = items.map(x => "
            "'<li><a href=\"' + x.url + '\">' + x.title + '</a><span>' + x.date + '</span></li>').join('');"
            "});</script></body></html>", encoding="utf-8")
    return 1 + lists + n


class TreeSampler(threading.Thread):
    """Peak RSS and PSS of a process and all its descendants, sampled every ``every`` seconds."""

    def __init__(self, pid: int, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.every = every
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_procs = 0
        self.chromium_peak_rss = 0
        self.peak_kinds: dict[str, int] = {}
        self.cpu: dict[int, tuple[str, float]] = {}  # pid → (kind, CPU seconds last seen)
        self.stop = threading.Event()

    def cpu_by_kind(self) -> dict[str, float]:
        """CPU seconds (user + system) each kind of process used, as last sampled."""
        out: dict[str, float] = {}
        for kind, seconds in self.cpu.values():
            out[kind] = out.get(kind, 0.0) + seconds
        return out

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                break
            rss = pss = chrome = 0
            kinds: dict[str, int] = {}
            for p in procs:
                try:
                    info = p.memory_full_info()
                except psutil.Error:
                    continue
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
                try:
                    cmd = p.cmdline()
                    kind = next((a[7:] for a in cmd if a.startswith("--type=")), "")
                    if "chrom" in p.name():
                        chrome += info.rss
                        kind = f"chromium:{kind or 'browser'}"
                    else:
                        kind = kind or ("node" if "node" in p.name() else p.name())
                    kinds[kind] = kinds.get(kind, 0) + 1
                    times = p.cpu_times()
                    cpu_kind = kind if kind != "python" else ("python:CLI" if p.pid == self.root.pid else "python:crawl")
                    self.cpu[p.pid] = (cpu_kind, times.user + times.system)
                except psutil.Error:
                    pass
            if rss > self.peak_rss:
                self.peak_kinds = kinds
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self.chromium_peak_rss = max(self.chromium_peak_rss, chrome)
            self.peak_procs = max(self.peak_procs, len(procs))
            self.stop.wait(self.every)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=500, help="article pages (index and list pages come on top)")
    ap.add_argument("--set", nargs=2, action="append", default=[], metavar=("KEY", "VALUE"),
                    help="another [crawl] key of the profile (e.g. --set render_concurrency 12)")
    ap.add_argument("--keep", metavar="DIR", help="keep the site, profile and store in DIR")
    args = ap.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="zhaocuo-render-bench-"))
    if work.exists() and args.keep:
        shutil.rmtree(work)
    site = work / "site"
    total = build_site(site, args.pages)
    port = free_port()
    server = serve_folder(site, port, work)  # nginx: a Python server would take the CPU the browser needs
    try:
        profile = work / "bench.toml"
        profile.write_text(
            f'[site]\nname = "渲染基准"\nstart_urls = ["http://127.0.0.1:{port}/"]\nown_site = true\n'
            f'[crawl]\nrender_js = ["/"]\nmax_pages = {total + 10}\nconcurrency = 16\nper_host_concurrency = 16\n'
            'render_timeout_s = 30.0\ncheck_external = false\n' + "".join(f"{k} = {v}\n" for k, v in args.set) +
            f'[ipv6]\nenabled = false\n[store]\npath = "{work / "bench.sqlite"}"\n', encoding="utf-8")
        print(f"站点 site: {total} 个页面 pages, 全部由脚本生成 all built by fetch(); 渲染中 rendering …", flush=True)
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "zhaocuo", "crawl", "--config", str(profile)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "ZHAOCUO_HOME": str(work / "home")})
        sampler = TreeSampler(proc.pid)
        sampler.start()
        out, err = proc.communicate()
        elapsed = time.monotonic() - started
        sampler.stop.set()
        sampler.join()
        if proc.returncode != 0:
            print(err[-3000:], file=sys.stderr)
            return 1
        store = open_store(work / "bench.sqlite", read_only=True)
        last = store.last_run(status=None)
        rendered = with_text = 0
        for page in (store.iter_pages(last.id, kinds=("html",)) if last else ()):
            if page.rendered:
                rendered += 1
                with_text += "重点工作" in page.text or "政务公开栏目" in page.text
        stats = last.stats if last else {}
        store.close()
        crawl_s = stats.get("crawl_elapsed_s") or elapsed
        mb = 1024 * 1024
        print(f"渲染页面 rendered pages: {rendered} (正文由脚本生成且已抓到 with script-built text: {with_text or 0})")
        print(f"耗时 wall time: {elapsed:.1f} s 全程 whole CLI; 站点抓取 site crawl {crawl_s:.1f} s")
        print(f"速度 pages/s: {rendered / crawl_s:.2f} (抓取阶段 crawl phase), {rendered / elapsed:.2f} (全程 whole CLI)")
        print(f"内存峰值 peak memory (CLI + Scrapy + Playwright + Chromium, {sampler.peak_procs} 个进程 processes): "
              f"RSS {sampler.peak_rss / mb:.0f} MB, PSS {sampler.peak_pss / mb:.0f} MB; "
              f"其中 Chromium RSS {sampler.chromium_peak_rss / mb:.0f} MB")
        target = 1.5 * 1024 * mb
        verdict = "达标 met" if sampler.peak_rss < target else ("PSS 达标 met by PSS" if sampler.peak_pss < target else "未达标 missed")
        print(f"目标 target: 峰值 < 1.5 GB — {verdict}")
        cpu = sampler.cpu_by_kind()
        print(f"CPU 秒 CPU seconds ({sum(cpu.values()):.1f} 合计 total): "
              + ", ".join(f"{k} {v:.1f}" for k, v in sorted(cpu.items(), key=lambda kv: -kv[1])))
        print("峰值时的进程 processes at the RSS peak: " + ", ".join(f"{k} ×{n}" for k, n in sorted(sampler.peak_kinds.items())))
        return 0 if rendered >= min(500, total) else 1
    finally:
        server.terminate()
        server.wait(10)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
