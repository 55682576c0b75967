"""``zhaocuo worker``: one worker of a site group, on any machine (RQ on the group's Redis).

What a worker does: it takes the next site crawl from the group's queue in Redis (RQ), runs
the usual gatherers for that site (``crawler.run_crawl``: the Scrapy crawl, new-media
accounts, the link checker, the IPv6 probes) into the site's namespace of the shared
PostgreSQL store, and takes the next. Audits and reports are the group run's
(``zhaocuo group run``): a crawl is audited once, by the process that waits for the night.

Why whole site crawls as jobs (RQ) rather than a shared Scrapy frontier (scrapy-redis): the
site crawl keeps its own frontier (crawler/spider.py: scope, depth, page budget, traps,
query-variant budgets, message boards, automatic rendering — decided as URLs enter it) and
its resume (a crawl picks up from what the store holds). A group has many sites, so sites
are the unit of work; per-host politeness across workers is kept in the same Redis
(crawler.hostlimit).

Leases: RQ records each job a worker runs with a heartbeat; a worker that dies (killed,
machine lost) stops beating, and after ``--lease-s`` its job is put back in the queue
(RQ's abandoned-job retry) and another worker takes it. The crawl then *resumes* the site's
unfinished run from the store: what the dead worker stored stays, what it had taken and not
stored is fetched again — nothing is lost. The work horse (the process running the job) is
told to die with its worker, and the crawler children with it.

SIGTERM (systemd's stop): finish the crawl in hand, then exit (RQ's warm shutdown); a
second SIGTERM stops at once (the crawl resumes elsewhere).
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import os
import shutil
import signal
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

from zhaocuo.core import environment

QUEUE_NAME = "zhaocuo-crawl"
DEFAULT_HEARTBEAT_S = 10
DEFAULT_LEASE_S = 60
RETRIES = 3  # a job whose worker died (or that raised) is tried again this many times


class QueueError(Exception):
    """The queue cannot be reached or its URL is wrong; ``str()`` names it."""


def connect(url: str) -> Any:
    """A Redis connection for ``redis://HOST:PORT/N`` (or ``rediss://``, ``unix://``), checked."""
    import redis

    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise QueueError(f"--queue {url!r}: 应为 redis://主机:端口/库号 expected redis://HOST:PORT/N")
    try:
        conn = redis.Redis.from_url(url, socket_connect_timeout=10, health_check_interval=30)
        conn.ping()
    except (redis.RedisError, ValueError) as exc:
        raise QueueError(f"--queue {_shown(url)}: 无法连接 cannot connect ({exc})") from None
    return conn


def _shown(url: str) -> str:
    """A Redis URL without its password, for messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def queue(conn: Any) -> Any:
    from rq import Queue
    from rq.serializers import JSONSerializer

    return Queue(QUEUE_NAME, connection=conn, serializer=JSONSerializer)


def job_id(group: str, site: str) -> str:
    """One job id per site of a group: a night's seeding finds a crawl of that site already
    queued or running (an earlier, interrupted group run) and waits for it instead of starting
    a second crawl of the same site."""
    return "zhaocuo-crawl-" + hashlib.sha1(f"{group}\x1f{site}".encode()).hexdigest()[:20]


def job_spec(group: str, site: str, profile_path: Path, ca_pem: str = "") -> dict[str, Any]:
    """What a worker on another machine needs to crawl a site: the profile as the group run
    read it (its text, so every worker crawls with the same settings) and the CA file it names."""
    return {"group": group, "site": site, "profile_path": str(profile_path.resolve()),
            "profile_text": profile_path.read_text(encoding="utf-8"), "ca_pem": ca_pem}


def materialize(spec: dict[str, Any]) -> Path:
    """The profile file to crawl with: the group's own file when this machine has it unchanged
    (one machine, or a shared folder); else a private copy of its text (and its CA file, at the
    same relative path) in a temporary folder."""
    path = Path(spec["profile_path"])
    try:
        if path.read_text(encoding="utf-8") == spec["profile_text"]:
            return path
    except OSError:
        pass
    folder = Path(tempfile.mkdtemp(prefix="zhaocuo-job-"))
    copy = folder / path.name
    copy.write_text(spec["profile_text"], encoding="utf-8")
    if spec.get("ca_pem"):
        import tomllib

        ca = str((tomllib.loads(spec["profile_text"]).get("crawl") or {}).get("ca_file") or "")
        if ca and not Path(ca).is_absolute():
            (folder / ca).parent.mkdir(parents=True, exist_ok=True)
            (folder / ca).write_text(spec["ca_pem"], encoding="utf-8")
    return copy


def crawl_site(spec: dict[str, Any], db: str = "", queue_url: str = "") -> dict[str, Any]:
    """The job: crawl one site of the group into its namespace of the worker's store (``db``,
    set by the worker). A run left unfinished (its worker died) is resumed. A site that cannot
    be reached is a result (``status: failed``), not an error to retry."""
    import time

    from zhaocuo.app.stores import StoreOpenError, open_store
    from zhaocuo.core.profile import load_profile

    started = time.monotonic()
    who = os.environ.get("RQ_WORKER_ID") or socket.gethostname()  # RQ names the work horse's worker
    path = materialize(spec)
    copied = path.parent if str(path) != spec["profile_path"] else None
    try:
        profile = load_profile(path)
        try:
            store = open_store(profile, db)
        except StoreOpenError as exc:
            raise RuntimeError(str(exc)) from None
        return _crawl(profile, store, queue_url, who, started)
    finally:
        if copied is not None:
            shutil.rmtree(copied, ignore_errors=True)


def _crawl(profile: Any, store: Any, queue_url: str, who: str, started: float) -> dict[str, Any]:
    import time

    from crawler import CrawlError, run_crawl

    try:
        try:
            result = run_crawl(profile, store, progress=False, resume=True, limiter=queue_url)
        except CrawlError as exc:
            run = store.last_run(status=None)
            return {"status": "failed", "error": str(exc), "run_id": run.id if run else None,
                    "worker": who, "elapsed_s": round(time.monotonic() - started, 2)}
        return {"status": "complete", "run_id": result.run_id, "resumed": result.resumed,
                "pages": result.stats.get("pages_crawled", 0), "worker": who,
                "elapsed_s": round(time.monotonic() - started, 2)}
    finally:
        store.close()


def worker_class() -> type:
    """RQ's forking Worker, with the group's lease length, its store and queue handed to each
    job, and a work horse that dies with its worker."""
    from rq import Worker

    class CrawlWorker(Worker):  # type: ignore[misc, valid-type]
        lease_s = DEFAULT_LEASE_S
        store_url = ""
        queue_url = ""

        def get_heartbeat_ttl(self, job: Any, working_time: float = 0.0) -> int:
            """How long a job stays ours without a heartbeat: after that it is abandoned and
            retried elsewhere (RQ adds a fixed 60 s; a group wants to choose)."""
            return int(self.job_monitoring_interval + self.lease_s)

        def main_work_horse(self, job: Any, queue: Any) -> None:
            parent = os.getppid()
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            if os.getppid() != parent:  # the worker died before the line above
                os._exit(1)
            super().main_work_horse(job, queue)

        def perform_job(self, job: Any, queue: Any, execution: Any) -> bool:
            job.kwargs = {**job.kwargs, "db": self.store_url, "queue_url": self.queue_url}
            return bool(super().perform_job(job, queue, execution))

    return CrawlWorker


def run_worker(args: argparse.Namespace) -> int:
    """``zhaocuo worker``: take site crawls until stopped (or, with ``--burst``, until the
    queue is empty)."""
    from zhaocuo.core.store import is_server_url

    if not is_server_url(args.db):
        print(f"错误 error: --db {args.db!r}: 网站群须使用共享的 PostgreSQL 数据库 a site group's workers share one "
              "PostgreSQL store: postgresql://USER@HOST:PORT/DB", file=sys.stderr)
        return 2
    try:
        conn = connect(args.queue)
    except QueueError as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return 2
    from zhaocuo.core.store import StoreError, open_store

    try:  # fail now, not at the first job, when the store cannot be reached (creating nothing)
        open_store(args.db, read_only=True).close()
    except StoreError as exc:
        if "no store for site" not in str(exc):
            print(f"错误 error: --db {exc}", file=sys.stderr)
            return 2
    cls = worker_class()
    cls.lease_s = args.lease_s
    cls.store_url = args.db
    cls.queue_url = args.queue
    name = args.name or f"{socket.gethostname()}.{os.getpid()}"
    from rq.serializers import JSONSerializer

    w = cls([queue(conn)], connection=conn, name=name, serializer=JSONSerializer, job_monitoring_interval=args.heartbeat_s,
            worker_ttl=max(20, args.heartbeat_s * 3), maintenance_interval=max(5, args.lease_s // 2))
    print(f"网站群工作进程 group worker {name}: 队列 queue {_shown(args.queue)}, 数据库 store {args.db}", file=sys.stderr)
    w.work(burst=args.burst, logging_level=environment.log_level(), with_scheduler=False)
    return 0


def add_parser(sub: Any) -> None:
    sp = sub.add_parser("worker", help="网站群工作进程：从 Redis 队列领取站点抓取 one worker of a site group "
                                       "(takes site crawls from the group's Redis queue)")
    sp.add_argument("--queue", required=True, metavar="redis://HOST:PORT/N", help="网站群的 Redis 队列 the group's queue")
    sp.add_argument("--db", required=True, metavar="postgresql://…",
                    help="网站群共享的 PostgreSQL 数据库 the group's shared store (each site its own namespace)")
    sp.add_argument("--name", help="工作进程名称 this worker's name (default: host.pid)")
    sp.add_argument("--burst", action="store_true", help="队列为空时退出 exit when the queue is empty")
    sp.add_argument("--heartbeat-s", type=int, default=DEFAULT_HEARTBEAT_S, metavar="S",
                    help=f"心跳间隔 heartbeat interval, seconds (default {DEFAULT_HEARTBEAT_S})")
    sp.add_argument("--lease-s", type=int, default=DEFAULT_LEASE_S, metavar="S",
                    help="工作进程失联多久后其任务由其他进程接手 how long after a worker's last heartbeat its crawl "
                         f"is taken over by another (default {DEFAULT_LEASE_S})")
