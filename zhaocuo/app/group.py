"""``zhaocuo group run``: a site group's night (a city's or a province's 政府网站群).

GROUP.toml names the group, its site profiles (globs relative to the file), the shared
Redis queue and the shared PostgreSQL store (docs/group.md). The night:

1. seed: one crawl job per site in the queue (``zhaocuo.app.worker``; a site whose crawl is
   still queued or running from an interrupted group run is waited for, not crawled twice);
2. work: ``--local-workers`` workers on this machine (default 1) join the workers running on
   other machines (``zhaocuo worker``); all of them take jobs from the same queue and keep
   per-host limits together (crawler.hostlimit);
3. wait: poll the jobs; a job whose worker stopped beating is put back in the queue for
   another worker (RQ's abandoned-job retry, run here too so a night never waits for a busy
   worker to notice); each site is audited as soon as its crawl is complete — once, here —
   with its reports in ``DIR/sites/NAME/`` and its units' mail, exactly as ``zhaocuo run``;
4. the bulletin (``reports.bulletin``): bulletin.html, bulletin.xlsx, bulletin.json.

Exit codes as ``run``'s, over the whole group: 3 when a site could not be reached, else 4 when
some mail could not be sent, else 1 when a finding crosses ``--fail-on``; 2 for bad input.
"""

from __future__ import annotations

import argparse
import glob
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from zhaocuo.core.profile import Profile, ProfileError

POLL_S = 1.0
LOCAL_RESTARTS = 3  # a local worker that dies is started again this many times


@dataclass
class GroupSection:
    name: str = ""
    sites: list[str] = field(default_factory=list)
    queue: str = ""
    store: str = ""
    local_workers: int = 1
    crawl_timeout_h: float = 24.0


@dataclass
class GroupSite:
    key: str          # the profile's file stem: DIR/sites/KEY/
    profile: Profile


@dataclass
class Group:
    path: Path
    conf: GroupSection
    sites: list[GroupSite]


def load_group(path: str | Path) -> Group:
    """Read GROUP.toml and every site profile it names; ProfileError names the file and key."""
    import tomllib

    from zhaocuo.app.profiles import load
    from zhaocuo.core.profile import _build  # the profile's own table checker: same messages
    from zhaocuo.core.store import is_server_url

    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(path, "", "文件不存在 file not found") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(path, "", f"无法读取 cannot read: {exc}") from None
    for key in data:
        if key != "group":
            raise ProfileError(path, key, "未知的配置节 unknown section (known: group)")
    conf: GroupSection = _build(path, "group", GroupSection, data.get("group", {}))
    if not conf.name:
        raise ProfileError(path, "group.name", "网站群须有名称 the group needs a name")
    if not conf.queue.startswith(("redis://", "rediss://", "unix://")):
        raise ProfileError(path, "group.queue", f"应为 redis://主机:端口/库号 expected redis://HOST:PORT/N, got {conf.queue!r}")
    if not is_server_url(conf.store):
        raise ProfileError(path, "group.store", "应为共享的 PostgreSQL 数据库 expected postgresql://USER@HOST:PORT/DB, "
                                                f"got {conf.store!r}")
    if urlsplit(conf.store).password is not None:
        raise ProfileError(path, "group.store", "地址中不能写密码 no password in the URL (PGPASSWORD or ~/.pgpass)")
    if conf.local_workers < 0:
        raise ProfileError(path, "group.local_workers", "不能为负数 must be 0 or more")
    files: list[Path] = []
    for i, pattern in enumerate(conf.sites):
        found = sorted(Path(p) for p in glob.glob(str(path.parent / pattern)))
        if not found:
            raise ProfileError(path, f"group.sites[{i}]", f"没有匹配的站点配置 no site profile matches {pattern!r}")
        files += [f for f in found if f not in files]
    if not files:
        raise ProfileError(path, "group.sites", "至少列出一个站点配置 list at least one site profile")
    sites: list[GroupSite] = []
    keys: dict[str, Path] = {}
    spaces: dict[str, Path] = {}
    for f in files:
        profile = load(f)
        if f.stem in keys:
            raise ProfileError(path, "group.sites", f"两个站点配置同名 two profiles named {f.stem!r}: {keys[f.stem]}, {f}")
        ns = profile.store_namespace()
        if ns in spaces:
            raise ProfileError(f, "site.name", f"与 {spaces[ns]} 的站点名称相同 the same site name as {spaces[ns]}: "
                                               "each site of a group needs its own name (its history in the store)")
        keys[f.stem], spaces[ns] = f, f
        sites.append(GroupSite(f.stem, profile))
    return Group(path, conf, sites)


def _seed(q: Any, group: Group, site: GroupSite) -> Any:
    """The site's crawl job: the one still queued or running (an interrupted group run's), or
    a new one."""
    from rq import Retry
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    from zhaocuo.app import worker

    jid = worker.job_id(group.conf.name, site.profile.store_namespace())
    try:
        old = Job.fetch(jid, connection=q.connection, serializer=q.serializer)
        status = old.get_status()
        if status in (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED):
            print(f"站点 {site.profile.site.name}: 抓取已在进行，等待其完成 a crawl of this site is already "
                  f"{status.value}; waiting for it", file=sys.stderr)
            return old
        old.delete()
    except NoSuchJobError:
        pass
    ca = site.profile.crawl.ca_file
    pem = site.profile.resolve_path(ca).read_text(encoding="utf-8") if ca else ""
    spec = worker.job_spec(group.conf.name, site.profile.store_namespace(), site.profile.path, pem)
    return q.enqueue(worker.crawl_site, spec, job_id=jid, retry=Retry(max=worker.RETRIES),
                     job_timeout=int(group.conf.crawl_timeout_h * 3600), result_ttl=7 * 86400,
                     failure_ttl=7 * 86400, description=f"crawl {site.key}")


def _start_local(group: Group, n: int) -> subprocess.Popen[bytes]:
    from crawler.scrapyrun import ROOT, _die_with_parent

    cmd = [sys.executable, "-m", "zhaocuo", "worker", "--queue", group.conf.queue, "--db", group.conf.store,
           "--name", f"{os.uname().nodename}.{os.getpid()}.local{n}"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    return subprocess.Popen(cmd, cwd=str(ROOT), env=env, preexec_fn=_die_with_parent)  # noqa: PLW1509


def _stop_local(procs: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM: an idle worker exits at once, a busy one after its crawl (warm shutdown)."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(600)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def _failure(job: Any) -> str:
    result = job.latest_result()
    text = (getattr(result, "exc_string", "") or "").strip().splitlines()
    return text[-1][:300] if text else f"job {job.get_status().value}"


def run(args: argparse.Namespace) -> int:
    from rq.job import JobStatus
    from rq.registry import StartedJobRegistry

    from reports import bulletin
    from zhaocuo.app import cli, worker

    started = time.monotonic()
    group = load_group(args.config)
    out = cli._out_dir(args.out)
    as_of = cli._as_of(args.as_of)
    for site in group.sites:
        cli._preflight(site.profile)
    try:
        conn = worker.connect(group.conf.queue)
    except worker.QueueError as exc:
        raise cli.UsageError(f"{group.path}: group.queue: {exc}") from None
    _check_store(group)
    q = worker.queue(conn)
    jobs = {site.key: _seed(q, group, site) for site in group.sites}
    n_local = group.conf.local_workers if args.local_workers is None else args.local_workers
    local = [_start_local(group, i) for i in range(n_local)]
    restarts = 0
    results: dict[str, bulletin.SiteResult] = {}
    codes: list[int] = []
    registry = StartedJobRegistry(queue=q)
    crashed: list[BaseException] = []
    told = time.monotonic()
    try:
        pending = dict(jobs)
        while pending:
            registry.cleanup()  # a dead worker's crawl goes back to the queue
            for key, job in list(pending.items()):
                status = job.get_status(refresh=True)
                if status == JobStatus.FINISHED:
                    del pending[key]
                    site = next(s for s in group.sites if s.key == key)
                    try:
                        results[key] = _audit_site(site, group, out, as_of, job.return_value() or {}, args, codes)
                    except Exception as exc:  # noqa: BLE001 - audit the other sites, write the bulletin, then raise
                        crashed.append(exc)
                        results[key] = _failed_site(site, f"检查失败 audit failed: {type(exc).__name__}: {exc}", [])
                elif status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
                    del pending[key]
                    site = next(s for s in group.sites if s.key == key)
                    results[key] = _failed_site(site, _failure(job), codes)
            for i, p in enumerate(local):
                if p.poll() is not None and restarts < LOCAL_RESTARTS:
                    print(f"本机工作进程退出 local worker exited ({p.returncode}); 重新启动 restarting", file=sys.stderr)
                    local[i] = _start_local(group, i)
                    restarts += 1
            if pending and time.monotonic() - told > 60:
                told = time.monotonic()
                print(f"等待抓取 waiting for {len(pending)} crawl(s): " + "，".join(
                    f"{k} {j.get_status().value}" for k, j in list(pending.items())[:10]), file=sys.stderr)
            if pending:
                time.sleep(POLL_S)
    finally:
        _stop_local(local)
    from audits import titles

    names = {"site_unreachable": "站点无法访问", **titles()}
    paths = bulletin.write(out, group.conf.name, as_of, [results[s.key] for s in group.sites], names)
    judged = bulletin.rank(list(results.values()))
    failed = [j.site.name for j in judged if j.verdict == bulletin.FAIL]
    print(f"网站群 {group.conf.name}: {len(group.sites)} 个网站，不合格 {len(failed)} 个"
          f"{'（' + '、'.join(failed) + '）' if failed else ''}；用时 {time.monotonic() - started:.0f} s", file=sys.stderr)
    print(f"通报 bulletin: {paths[1]}")
    if crashed:
        raise crashed[0]
    for code in (cli.EXIT_UNREACHABLE, cli.EXIT_MAIL, 1):  # run's order: an outage first, then mail
        if code in codes:
            return code
    return 0


def _check_store(group: Group) -> None:
    from zhaocuo.app import cli
    from zhaocuo.core.store import StoreError, open_store

    try:
        open_store(group.conf.store, read_only=True).close()
    except StoreError as exc:
        if "no store for site" not in str(exc):
            raise cli.UsageError(f"{group.path}: group.store: {exc}") from None


def _audit_site(site: GroupSite, group: Group, out: Path, as_of: date, crawl: dict[str, Any],
                args: argparse.Namespace, codes: list[int]) -> Any:
    """Audit and report one site whose crawl is complete, as ``zhaocuo run`` does after its crawl."""
    from reports.bulletin import SiteResult
    from zhaocuo.app import cli
    from zhaocuo.app.runner import audit_and_report, exit_code
    from zhaocuo.app.stores import open_store

    name = site.profile.site.name
    if crawl.get("status") != "complete":
        return _failed_site(site, str(crawl.get("error") or "抓取失败 crawl failed"), codes)
    t0 = time.monotonic()
    store = open_store(site.profile, group.conf.store)
    try:
        site_out = out / "sites" / site.key
        result = audit_and_report(site.profile, store, site_out, as_of, run_id=int(crawl["run_id"]))
        if cli._mail(site.profile, store, site_out, result, send=not args.no_mail):
            codes.append(cli.EXIT_MAIL)
        cli._retain(site.profile, store)
    finally:
        store.close()
    codes.append(exit_code(result.findings, args.fail_on))
    if (result.summary.get("crawl") or {}).get("site_unreachable"):
        codes.append(cli.EXIT_UNREACHABLE)  # the reports carry the site_unreachable veto, as run's
    print(f"站点 {name}: {crawl.get('pages', 0)} 页 pages（{crawl.get('worker', '')}"
          f"{'，续抓 resumed' if crawl.get('resumed') else ''}），问题 findings {len(result.findings)}，"
          f"检查用时 {time.monotonic() - t0:.1f} s → {site_out / 'report.html'}", file=sys.stderr)
    data = result.data
    return SiteResult(name=name, profile=site.key, findings=result.findings, summary=result.summary,
                      homepage=data.homepage if data else None, crawled=True,
                      trend=list(data.trend_runs) if data else [])


def _failed_site(site: GroupSite, error: str, codes: list[int]) -> Any:
    from reports.bulletin import SiteResult

    codes.append(3)  # cli.EXIT_UNREACHABLE
    print(f"站点 {site.profile.site.name}: 无法完成抓取 could not be crawled: {error}", file=sys.stderr)
    return SiteResult(name=site.profile.site.name, profile=site.key, crawled=False, error=error)


def add_parser(sub: Any) -> None:
    from zhaocuo.app.cli import LEVELS

    sp = sub.add_parser("group", help="网站群 a site group (city or province): group run")
    gsub = sp.add_subparsers(dest="group_command", required=True, metavar="run",
                             help="run: 网站群的一次检查 a group's night")
    run_p = gsub.add_parser("run", help="网站群的一次检查：分发抓取、等待、逐站检查与报告、生成检查通报 a group's "
                                        "night: seed the crawls, wait, audit and report each site, write the bulletin")
    run_p.add_argument("--config", required=True, metavar="GROUP.toml", help="网站群配置 the group's file (docs/group.md)")
    run_p.add_argument("--out", required=True, metavar="DIR",
                       help="输出目录：sites/NAME/ 各站报告，bulletin.html/.xlsx/.json 通报 output folder")
    run_p.add_argument("--as-of", metavar="YYYY-MM-DD", help="以该日为“今天” the day every date rule counts from")
    run_p.add_argument("--no-mail", action="store_true", help="只写发件箱，不发送 write the outboxes only, send nothing")
    run_p.add_argument("--fail-on", choices=LEVELS, metavar="LEVEL",
                       help="任一网站有该严重程度及以上的问题时退出码为 1 exit 1 when a finding at or above LEVEL "
                            "exists on any site")
    run_p.add_argument("--local-workers", type=int, metavar="N",
                       help="本机同时运行的工作进程数（默认 [group] local_workers = 1；0 表示只用其他机器上的工作进程）"
                            "workers to run on this machine (default: [group] local_workers, 1)")
    run_p.set_defaults(func=run)

