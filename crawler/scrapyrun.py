"""What the site crawl and the link checker share: Scrapy settings from the profile, the
batched store writer, the fetch outcome → LinkCheck mapping, and the child-process runner.

Why a child process: Twisted's reactor cannot be restarted inside one process, and the CLI
and the tests gather many times. The parent (``gather``) starts ``python -m crawler.site``
or ``python -m crawler.linkcheck``; the child writes the store and a small JSON stats file;
the store is the only thing they share. A killed child leaves the store as of its last
commit (SQLite WAL), which is what resuming relies on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from zhaocuo.core import environment
from zhaocuo.core.profile import Profile
from zhaocuo.core.store import Link, LinkCheck, Page, Store

ROOT = Path(__file__).resolve().parent.parent

# Downloader middlewares replaced by ours (crawler.middlewares) or not needed: scope, depth,
# and dedupe are decided by the spiders themselves (one canonical URL set, lazily fed).
_DISABLED_DOWNLOADER = (
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware",
    "scrapy.downloadermiddlewares.retry.RetryMiddleware",
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware",
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware",
    "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware",
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware",
)
_DISABLED_SPIDER = (
    "scrapy.spidermiddlewares.depth.DepthMiddleware",
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware",
    "scrapy.spidermiddlewares.referer.RefererMiddleware",
)


def scrapy_settings(profile: Profile, obey_robots: bool, rendering: bool = True, limiter: str = "") -> dict[str, Any]:
    """Scrapy settings for one profile (politeness, timeouts, DNS, retries, rendering).
    ``limiter``: a site group's Redis, where per-host limits hold for all workers together
    (crawler.hostlimit)."""
    from crawler import render
    from crawler.dnsresolver import SETTING_NAMESERVERS, SETTING_TIMEOUT
    from crawler.tls import ca_path

    c = profile.crawl
    s: dict[str, Any] = {
        "BOT_NAME": "zhaocuo",
        "USER_AGENT": c.user_agent,
        "ROBOTSTXT_OBEY": obey_robots,
        "CONCURRENT_REQUESTS": c.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": c.per_host_concurrency,
        "DOWNLOAD_DELAY": (1.0 / c.requests_per_second) if c.requests_per_second > 0 else 0.0,
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        "DOWNLOAD_TIMEOUT": c.timeout_s,
        "DOWNLOAD_MAXSIZE": 0,       # bounded by our own bytes_received handler (truncates, not fails)
        "DOWNLOAD_WARNSIZE": 0,
        "HTTPERROR_ALLOW_ALL": True,
        "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",
        # Callbacks yield nothing (the spiders write the store themselves); Scrapy would
        # otherwise start CONCURRENT_ITEMS (100) asyncio tasks per response to drain the
        # empty output — measured as the largest single cost of the crawl loop.
        "CONCURRENT_ITEMS": 1,
        "DOWNLOADER": "crawler.downloader.PoliteDownloader",
        # Certificates are verified (system CAs + crawl.ca_file); see crawler.tls.
        "DOWNLOADER_CLIENTCONTEXTFACTORY": "crawler.tls_scrapy.VerifyingContextFactory",
        "ZHAOCUO_CA_FILE": ca_path(profile),
        "LOG_LEVEL": environment.log_level(environment.SCRAPY_LOG, "ERROR"),
        "LOGSTATS_INTERVAL": 0,
        "TELNETCONSOLE_ENABLED": False,
        "MEMUSAGE_ENABLED": False,
        "COOKIES_ENABLED": True,
        "REDIRECT_ENABLED": False,
        "RETRY_ENABLED": False,
        "METAREFRESH_ENABLED": False,
        "DNSCACHE_ENABLED": True,
        "DNS_TIMEOUT": profile.dns.timeout_s,
        "TWISTED_DNS_RESOLVER": "crawler.dnsresolver.DnspythonResolver",
        SETTING_NAMESERVERS: list(profile.dns.nameservers),
        SETTING_TIMEOUT: profile.dns.timeout_s,
        "ZHAOCUO_MAX_DECODED_BYTES": c.max_page_bytes,
        "ZHAOCUO_RETRIES": c.retries,
        "ZHAOCUO_MAX_BACKOFF": c.max_backoff_s,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "REACTOR_THREADPOOL_MAXSIZE": 20,
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue",
        "DOWNLOADER_MIDDLEWARES": {
            **{k: None for k in _DISABLED_DOWNLOADER},
            "crawler.access.SiteAccessMiddleware": 540,
            "crawler.middlewares.PatientRetryMiddleware": 550,
            "crawler.tls_scrapy.TlsProblemMiddleware": 560,
            "crawler.middlewares.RedirectChainMiddleware": 600,
            # Bounded inflation instead of Scrapy's (which inflates a gzip bomb whole).
            "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
            "crawler.middlewares.BoundedDecompressionMiddleware": 590,
        },
        "SPIDER_MIDDLEWARES": {k: None for k in _DISABLED_SPIDER},
        "EXTENSIONS": {"scrapy.extensions.telnet.TelnetConsole": None, "scrapy.extensions.logstats.LogStats": None},
    }
    if limiter:
        from crawler import hostlimit

        s[hostlimit.SETTING] = limiter
        s[hostlimit.LEASE_SETTING] = c.timeout_s + c.render_timeout_s + 30
        s["DOWNLOADER_MIDDLEWARES"]["crawler.hostlimit.HostLimitMiddleware"] = hostlimit.PRIORITY
    extra = (render.playwright_settings(profile) or {}) if rendering else {}
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(s.get(key), dict):
            s[key] = {**s[key], **value}
        else:
            s[key] = value
    return s


class StoreWriter:
    """Batched writes: commit every ``every`` rows or ``seconds``, whichever comes first.

    Rows are only committed by ``maybe_flush()``, which the spiders call once a response is
    fully handled, so a page, its links and its check always land in the same commit: a
    kill loses at most the open batch, and never leaves a page without its check (resume
    relies on that). SQLite keeps every committed batch whole."""

    def __init__(self, store: Store, run_id: int, every: int = 200, seconds: float = 1.0) -> None:
        self.store = store
        self.run_id = run_id
        self.every = every
        self.seconds = seconds
        self.pending = 0
        self.last = time.monotonic()

    def page(self, page: Page) -> None:
        self.store.add_page(self.run_id, page)
        self.pending += 1

    def links(self, links: list[Link]) -> None:
        if links:
            self.store.add_links(self.run_id, links)
            self.pending += len(links) // 20 + 1

    def check(self, check: LinkCheck) -> None:
        self.store.add_link_check(self.run_id, check)
        self.pending += 1

    def record(self, kind: str, key: str, data: dict[str, Any]) -> None:
        self.store.put_record(self.run_id, kind, key, data)
        self.pending += 1

    def maybe_flush(self) -> None:
        if self.pending and (self.pending >= self.every or time.monotonic() - self.last >= self.seconds):
            self.flush()

    def flush(self) -> None:
        self.store.commit()
        self.pending = 0
        self.last = time.monotonic()


# The child's exit status when its spider closed for any reason but "finished" (SIGINT or
# SIGTERM sent to the child alone, a close requested by Scrapy…): what it gathered is stored,
# the crawl is not complete.
EXIT_INTERRUPTED = 75


def run_child(module: str, profile: Profile, store: Store, run_id: int, progress: bool,
              extra_args: list[str] | None = None, limiter: str = "") -> dict[str, Any]:
    """Run ``python -m MODULE`` for this run and return the stats it wrote.

    The child's stderr is the parent's (the progress line reaches the terminal). A child that
    ended early for any reason — its spider closed before finishing, a signal, a crash, the
    out-of-memory killer — raises ``crawler.CrawlInterrupted``: the run stays open and the next
    run resumes it, never taking the partial crawl for a complete one.
    """
    from crawler import CrawlInterrupted

    store.commit()  # the child writes: the parent must hold no open write transaction
    with tempfile.TemporaryDirectory(prefix="zhaocuo-") as tmp:
        stats_file = Path(tmp) / "stats.json"
        cmd = [sys.executable, "-m", module, "--config", str(profile.path.resolve()), "--db", store.url,
               "--run-id", str(run_id), "--stats-file", str(stats_file)]
        if progress:
            cmd.append("--progress")
        if limiter:
            cmd += ["--limiter", limiter]
        cmd += extra_args or []
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
        proc = subprocess.Popen(cmd, cwd=str(ROOT), env=env, preexec_fn=_die_with_parent)  # noqa: PLW1509
        try:
            code = proc.wait()
        except BaseException:  # Ctrl-C in the parent: stop the child, keep what it stored
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
            raise
        stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else {}
        if code != 0 or stats.get("interrupted") or not stats_file.exists():
            reason = stats.get("interrupted") or _exit_reason(code)
            raise CrawlInterrupted(module, reason, stats)
        return stats


def _exit_reason(code: int) -> str:
    """"killed by SIGKILL" for a negative status, "exit status N" otherwise."""
    import signal

    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to send SIGTERM when the parent dies, so a killed
    CLI never leaves an orphan crawl writing into the store next to the next night's run."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the child outlives a killed parent, as any process would


def write_stats(path: str, stats: dict[str, Any]) -> None:
    tmp = path + ".tmp"
    Path(tmp).write_text(json.dumps(stats, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def child_main(argv: list[str] | None, prog: str, spider_cls: type, stat_prefix: str, what: str,
               rendering: bool = True, extra_settings: dict[str, Any] | None = None) -> int:
    """The body of a gatherer's child process (``python -m crawler.site`` / ``crawler.linkcheck``):
    read the arguments ``run_child`` passes, run ``spider_cls`` to completion and write its
    stats, with the child's CPU seconds and peak RSS (for the benchmark) under ``stat_prefix``."""
    import argparse
    import resource

    from zhaocuo.core.profile import load_profile

    p = argparse.ArgumentParser(prog=prog)
    p.add_argument("--config", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--run-id", type=int, required=True)
    p.add_argument("--stats-file", required=True)
    p.add_argument("--progress", action="store_true")
    p.add_argument("--resumed", action="store_true")
    p.add_argument("--limiter", default="", help="a site group's Redis: per-host limits for all workers")
    p.add_argument("--todo", help="a JSON file of work the parent prepared (the link checker's targets)")
    args = p.parse_args(argv)
    profile = load_profile(args.config)
    from crawler.access import SiteAccess, redact_logs

    redact_logs(SiteAccess(profile), install=True)
    settings = {**scrapy_settings(profile, obey_robots=not profile.site.own_site, rendering=rendering,
                                  limiter=args.limiter),
                **(extra_settings or {})}
    holder: dict[str, Any] = {}

    class Spider(spider_cls):  # type: ignore[misc, valid-type]
        def on_closed(self, spider: Any, reason: str) -> None:
            super().on_closed(spider, reason)
            holder["stats"] = self.stats()
            holder["reason"] = reason

    kwargs: dict[str, Any] = {"resumed": True} if args.resumed else {}
    if args.todo:
        kwargs["todo_file"] = args.todo
    run_scrapy(settings, Spider, profile=profile, store_path=args.db, run_id=args.run_id,
               progress=args.progress, **kwargs)
    if "stats" not in holder:
        print(f"{prog}: {what}未正常结束 did not finish", file=sys.stderr)
        return 1
    usage = resource.getrusage(resource.RUSAGE_SELF)
    holder["stats"][f"{stat_prefix}_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 2)
    holder["stats"][f"{stat_prefix}_peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
    if holder.get("reason") != "finished":
        # Scrapy closes with "shutdown" on SIGINT/SIGTERM: a partial crawl, not a complete one.
        holder["stats"]["interrupted"] = f"spider closed: {holder.get('reason')}"
        write_stats(args.stats_file, holder["stats"])
        print(f"{prog}: {what}被中断 interrupted ({holder.get('reason')})", file=sys.stderr)
        return EXIT_INTERRUPTED
    write_stats(args.stats_file, holder["stats"])
    return 0


class SignalledSpider:
    """Mixin for our two Scrapy spiders: connects their ``on_headers`` (stop bodies we will not
    read), ``on_bytes`` (byte caps) and ``on_closed`` to Scrapy's signals. Scrapy is imported
    only when a spider is built, so this module stays light for the parent process."""

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
        from scrapy import signals

        spider = super().from_crawler(crawler, *args, **kwargs)  # type: ignore[misc]
        crawler.signals.connect(spider.on_headers, signal=signals.headers_received)
        crawler.signals.connect(spider.on_bytes, signal=signals.bytes_received)
        crawler.signals.connect(spider.on_closed, signal=signals.spider_closed)
        return spider


def run_scrapy(settings: dict[str, Any], spider_cls: type, **kwargs: Any) -> None:
    """Run one spider to completion in this (child) process."""
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess({**settings, "LOG_INSTALL_ROOT_HANDLER": False})
    process.crawl(spider_cls, **kwargs)
    process.start()


def fetch_outcome(status: int | None, error_kind: str) -> str:
    """error_kind for a finished fetch: the transport error, 'http' for 4xx/5xx, else ''."""
    if error_kind:
        return error_kind
    if status is not None and status >= 400:
        return "http"
    return ""
