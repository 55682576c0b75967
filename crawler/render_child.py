"""A standalone renderer: the crawl's browser settings and hooks without the site spider, in a
child process (Twisted's reactor cannot restart). Used by ``zhaocuo doctor``, the render
benchmark and tests of the hooks."""

from __future__ import annotations

import os
import time
from typing import Any

from crawler.pagesettle import SETTLE_MAX_S
from crawler.render import playwright_settings, playwright_settings_forced, render_meta
from zhaocuo.core import environment
from zhaocuo.core.profile import Profile


def render_urls(profile: Profile, urls: list[str], concurrency: int = 8,
                stats: dict[str, Any] | None = None, env: dict[str, str] | None = None,
                on_start: Any = None) -> list[dict[str, Any]]:
    """Render ``urls`` through Scrapy + scrapy-playwright with this module's settings and meta, in
    a child process (Twisted's reactor cannot restart). One dict per URL: url, status, html, error,
    elapsed_s; ``stats`` (if given) receives the crawler's playwright/* counters; ``on_start``
    is called with the child's Popen (the benchmark samples its memory). Used by ``zhaocuo
    doctor``, the render benchmark and tests of the hooks."""
    import json
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "urls.json")
        out = os.path.join(tmp, "out.jsonl")
        with open(src, "w", encoding="utf-8") as fh:
            json.dump({"profile": str(profile.path), "urls": urls, "concurrency": concurrency, "out": out}, fh)
        limit = 120 + len(urls) * (profile.crawl.render_timeout_s + SETTLE_MAX_S + 5) / concurrency
        with open(os.path.join(tmp, "stderr"), "w+", encoding="utf-8") as err:
            proc = subprocess.Popen([sys.executable, "-m", "crawler.render_child", src], stdout=subprocess.DEVNULL,
                                    stderr=err, text=True, env={**os.environ, **(env or {})})
            if on_start is not None:
                on_start(proc)
            try:
                code = proc.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise RuntimeError(f"渲染进程超时 render child exceeded {limit:.0f} s") from None
            err.seek(0)
            if code != 0:
                raise RuntimeError(f"渲染进程失败 render child failed ({code}): {err.read()[-2000:]}")
        if stats is not None and os.path.exists(out + ".stats"):
            with open(out + ".stats", encoding="utf-8") as fh:
                stats.update(json.load(fh))
        with open(out, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]


def _child(job_file: str) -> None:
    """Child process of ``render_urls``: a minimal spider that only renders the given URLs."""
    import json

    import scrapy
    from scrapy.crawler import CrawlerProcess

    from zhaocuo.core.profile import load_profile

    with open(job_file, encoding="utf-8") as fh:
        job = json.load(fh)
    profile = load_profile(job["profile"])
    out = open(job["out"], "w", encoding="utf-8")  # noqa: SIM115 - closed when the spider closes
    started: dict[str, float] = {}

    def emit(url: str, status: int | None, html: str, error: str) -> None:
        out.write(json.dumps({"url": url, "status": status, "html": html, "error": error,
                              "elapsed_s": round(time.monotonic() - started.get(url, time.monotonic()), 3)},
                             ensure_ascii=False) + "\n")
        out.flush()

    class RenderSpider(scrapy.Spider):
        name = "zhaocuo-render"
        site_profile = profile  # the browser's access headers go to this profile's own hosts only

        async def start(self):  # type: ignore[override]
            for url in job["urls"]:
                started[url] = time.monotonic()
                yield scrapy.Request(url, meta=render_meta(profile), callback=self.parse, errback=self.failed,
                                     dont_filter=True)

        def parse(self, response):  # type: ignore[override]
            emit(response.request.url, response.status, response.text, "")

        def failed(self, failure):  # type: ignore[no-untyped-def]
            emit(failure.request.url, None, "", f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500])

    settings = {
        "LOG_LEVEL": environment.log_level(environment.RENDER_LOG, "ERROR"),
        "ROBOTSTXT_OBEY": False,
        "CONCURRENT_REQUESTS": job["concurrency"],
        "CONCURRENT_REQUESTS_PER_DOMAIN": job["concurrency"],
        "RETRY_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "USER_AGENT": profile.crawl.user_agent,
        **playwright_settings(profile),
    }
    if "DOWNLOAD_HANDLERS" not in settings:  # a profile that disables rendering still renders here
        settings.update(playwright_settings_forced(profile))
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(RenderSpider)
    process.crawl(crawler)
    process.start()
    out.close()
    counters = {k: v for k, v in (crawler.stats.get_stats() or {}).items() if k.startswith(("playwright/", "zhaocuo/"))}
    with open(job["out"] + ".stats", "w", encoding="utf-8") as fh:
        json.dump(counters, fh, default=str)


if __name__ == "__main__":
    import sys

    _child(sys.argv[1])
