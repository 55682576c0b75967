"""The command line (fixed by CONTRACT.md): run, crawl, audit, check-text, plus doctor and feedback.

Exit codes: 0 fine, 1 findings at or above ``--fail-on``, 2 usage, profile or input error
(one line naming the file, key or URL at fault).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path

from zhaocuo.core.profile import Profile, ProfileError, load_profile
from zhaocuo.core.store import SQLiteStore

LEVELS = ("veto", "high", "medium", "low")


class UsageError(Exception):
    """Bad input that is not a profile error; ``str()`` is the line printed."""


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


def _store(profile: Profile, db: str | None) -> SQLiteStore:
    from zhaocuo.app.stores import StoreOpenError, open_store

    try:
        return open_store(profile, db)
    except StoreOpenError as exc:
        raise UsageError(f"--db {exc}" if db else str(exc)) from None


def _crawl(profile: Profile, store: SQLiteStore) -> None:
    from crawler import run_crawl

    result = run_crawl(profile, store, progress=True)
    s = result.stats
    word = "继续上次中断的抓取 resumed an interrupted crawl" if result.resumed else "全新抓取 clean crawl"
    print(f"抓取完成 crawl done (run {result.run_id}, {word}): {s.get('pages_crawled', 0)} 页 pages, "
          f"{s.get('links_checked', 0)} 链接 links checked, {s.get('elapsed_s', 0)} s", file=sys.stderr)


def _audit(profile: Profile, store: SQLiteStore, args: argparse.Namespace, started: float) -> int:
    from zhaocuo.app.runner import audit_and_report, exit_code

    out = _out_dir(args.out)
    as_of = _as_of(args.as_of)
    try:
        result = audit_and_report(profile, store, out, as_of, started=started)
    except LookupError as exc:
        raise UsageError(str(exc)) from None
    if getattr(args, "mail", True):
        _mail(profile, store, out, result, send=not args.no_mail)
    print(f"发现问题 findings: {len(result.findings)} (已整改 fixed: {len(result.fixed)})", file=sys.stderr)
    report = out / "report.html"
    print(f"报告 report: {report if report.exists() else out / 'findings.jsonl'}")
    return exit_code(result.findings, args.fail_on)


def _mail(profile: Profile, store: SQLiteStore, out: Path, result, send: bool) -> None:
    from zhaocuo.app import delivery

    delivery.deliver(profile, store, out, result, send=send)


def _preflight(profile: Profile) -> None:
    """Read the inputs a profile names before a long crawl, so a malformed catalogue
    spreadsheet, a missing model folder or a damaged sound-alike model stops the run now
    (exit 2), not after hours."""
    if profile.columns.catalog_file:
        from audits._catalog import load_catalog

        load_catalog(profile)
    if profile.text.macbert_dir and not profile.resolve_path(profile.text.macbert_dir).is_dir():
        raise ProfileError(profile.path, "text.macbert_dir",
                           f"模型目录不存在 model folder not found: {profile.text.macbert_dir}")
    if profile.text.thorough:
        from audits import _soundalike

        try:
            _soundalike.model()
        except RuntimeError as exc:  # the message names the model file
            raise ProfileError(profile.path, "text.thorough", str(exc)) from None


def cmd_run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    profile = load_profile(args.config)
    _preflight(profile)
    _out_dir(args.out)
    _as_of(args.as_of)
    store = _store(profile, args.db)
    _crawl(profile, store)
    return _audit(profile, store, args, started)


def cmd_crawl(args: argparse.Namespace) -> int:
    profile = load_profile(args.config)
    _preflight(profile)
    store = _store(profile, args.db)
    _crawl(profile, store)
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    started = time.monotonic()
    profile = load_profile(args.config)
    store = _store(profile, args.db)
    args.mail = False
    return _audit(profile, store, args, started)


def cmd_check_text(args: argparse.Namespace) -> int:
    from audits._proofread import check_text_lines

    profile = load_profile(args.config) if args.config else None
    if args.file in (None, "-"):
        stream = sys.stdin
    else:
        try:
            stream = open(args.file, encoding="utf-8")  # noqa: SIM115 - closed at exit
        except OSError as exc:
            raise UsageError(f"{args.file}: 无法读取 cannot read ({exc.strerror})") from None
    lines = (line.rstrip("\n").rstrip("\r") for line in stream)
    for n, errors in enumerate(check_text_lines(lines, profile, thorough=True if args.thorough else None), start=1):
        print(json.dumps({"line": n, "errors": errors}, ensure_ascii=False), flush=True)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from zhaocuo.app.doctor import doctor

    return doctor(args)


def cmd_feedback(args: argparse.Namespace) -> int:
    from zhaocuo.app.feedback import import_feedback

    return import_feedback(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="zhaocuo", description="找错 — 政府网站与政务新媒体检查 government website auditor")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser, out: bool = True) -> None:
        sp.add_argument("--config", required=True, metavar="PROFILE.toml")
        sp.add_argument("--db", metavar="URL", help="store (sqlite:///path or a path); default: derived from the profile")
        if out:
            sp.add_argument("--out", required=True, metavar="DIR")
            sp.add_argument("--as-of", metavar="YYYY-MM-DD")
            sp.add_argument("--fail-on", choices=LEVELS)

    sp = sub.add_parser("run", help="crawl + audit + report (+ mail)")
    common(sp)
    sp.add_argument("--no-mail", action="store_true", help="write the outbox only, send nothing")
    sp.set_defaults(func=cmd_run)
    sp = sub.add_parser("crawl", help="gather only")
    common(sp, out=False)
    sp.set_defaults(func=cmd_crawl)
    sp = sub.add_parser("audit", help="audit the last crawl again, no network")
    common(sp)
    sp.set_defaults(func=cmd_audit, no_mail=True)
    sp = sub.add_parser("check-text", help="proofread plain text, one paragraph a line")
    sp.add_argument("file", nargs="?", metavar="FILE|-")
    sp.add_argument("--config", metavar="PROFILE.toml")
    sp.add_argument("--thorough", action="store_true",
                    help="also compare with same-sounding words (slower; as [text] thorough = true)")
    sp.set_defaults(func=cmd_check_text)
    sp = sub.add_parser("doctor", help="check the browser, the store and the profile")
    sp.add_argument("--config", metavar="PROFILE.toml")
    sp.add_argument("--db", metavar="URL")
    sp.set_defaults(func=cmd_doctor)
    sp = sub.add_parser("feedback", help="import a ledger returned by a unit (整改状态 filled)")
    sp.add_argument("ledger", metavar="LEDGER.xlsx")
    sp.add_argument("--config", required=True, metavar="PROFILE.toml")
    sp.add_argument("--db", metavar="URL")
    sp.set_defaults(func=cmd_feedback)
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=os.environ.get("ZHAOCUO_LOG", "WARNING"), format="%(levelname)s %(name)s: %(message)s")
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
        from crawler import CrawlError

        if isinstance(exc, CrawlError):
            print(f"错误 error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
