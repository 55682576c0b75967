"""`make demo`: serve the demo site on loopback, audit it with the real CLI, print the report's path.

Steps: start demo.server.DemoServer on 127.0.0.1 (a free port), write config/demo.toml into
the output folder with that port filled in, start a fresh store (so the demo gives the same
result every time), then run the nightly job twice, exactly as cron would
(``python -m zhaocuo run --config … --out … --no-mail --as-of DATE`` in a child process):

1. the earlier night (EARLIER_AS_OF): the site still has one more dead link;
2. the demo night (DEMO_AS_OF): that link is gone — so the report shows it fixed —, a new
   dead link appeared (新发现), the other problems are seen a second time (未整改, past their
   deadline: 已逾期) and the trends chart has two runs.

The as-of dates are fixed: the demo's pages carry dates, and only against a fixed "today" is
a column stale (通知公告, newest item 2026-02-27) or fresh (工作动态, 2026-11-18) for sure.
The last line printed is the absolute path of the demo night's report.html.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from demo.server import DemoServer

ROOT = Path(__file__).resolve().parent.parent
PROFILE_TEMPLATE = ROOT / "config" / "demo.toml"
EARLIER_AS_OF = "2026-11-12"   # a Thursday: medium findings are due 5 working days later, 11-19
DEMO_AS_OF = "2026-11-20"      # the Friday after: those deadlines have passed

# How the site differs between the nights (demo/site pages carry these placeholders): a dead
# link removed during the week (fixed on the demo night), one added (new on the demo night).
EARLIER_NIGHT = {
    "EARLIER_NIGHT_ONLY": '<li><a href="/bm/jyj/tzgg-2018.html">2018年教育收费公示</a></li>',
}
DEMO_NIGHT = {
    "DEMO_NIGHT_ONLY": '<li><a href="/bm/wjj/2026-dongji-paiban.html">2026年冬季门诊排班表</a></li>',
}


class DemoError(Exception):
    """The demo could not produce a report; ``str()`` says why."""


def write_profile(out_root: Path, port: int) -> Path:
    """demo-out/demo.toml: the demo profile with the server's port filled in."""
    text = PROFILE_TEMPLATE.read_text(encoding="utf-8").replace("__PORT__", str(port))
    path = out_root / "demo.toml"
    path.write_text(text, encoding="utf-8")
    return path


def fresh_store(out_root: Path) -> None:
    """Remove the previous demo's store: ports change between demos, so old findings would
    never be re-crawled and would pile up; a clean store makes every demo run the same."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        (out_root / f"demo.sqlite{suffix}").unlink(missing_ok=True)


def _night(profile: Path, out_dir: Path, as_of: str, quiet: bool, timeout: float) -> None:
    cmd = [sys.executable, "-m", "zhaocuo", "run", "--config", str(profile), "--out", str(out_dir),
           "--no-mail", "--as-of", as_of]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL if quiet else sys.stderr,
                              stderr=subprocess.PIPE if quiet else None, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise DemoError(f"zhaocuo run --as-of {as_of} 超过 {timeout:.0f} 秒未结束 did not finish in time") from None
    if proc.returncode != 0:  # no --fail-on here: anything but 0 is a failure
        lines = (proc.stderr or "").strip().splitlines()
        detail = f": {lines[-1]}" if lines else ""
        raise DemoError(f"zhaocuo run --as-of {as_of} 退出码 exit code {proc.returncode}{detail}")


def run_demo(out_root: Path | None = None, as_of: str = DEMO_AS_OF, earlier: str | None = EARLIER_AS_OF,
             quiet: bool = False, timeout: float = 900) -> Path:
    """Serve, audit (the earlier night, then ``as_of``), and return the absolute path of
    the last night's report.html. ``earlier=None`` runs one night only."""
    out_root = (out_root or ROOT / "demo-out").resolve()
    out_root.mkdir(parents=True, exist_ok=True)
    if earlier and earlier >= as_of:
        earlier = None  # a custom --as-of on or before the earlier night: one night only
    fresh_store(out_root)
    report_dir = out_root / "report"
    nights = ([(earlier, out_root / f"report-{earlier}", EARLIER_NIGHT)] if earlier else []) + [(as_of, report_dir, DEMO_NIGHT)]
    with DemoServer() as server:
        profile = write_profile(out_root, server.port)
        if not quiet:
            print(f"演示站点 demo site: {server.url('/')}  (配置 profile: {profile})", file=sys.stderr, flush=True)
        for day, folder, fills in nights:
            server.fills = dict(fills)
            if not quiet:
                print(f"\n== 检查基准日 as of {day} → {folder}", file=sys.stderr, flush=True)
            _night(profile, folder, day, quiet, timeout)
    report = report_dir / "report.html"
    if not report.is_file():
        raise DemoError(f"没有生成报告 no report at {report}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.run", description="找错演示 zhaocuo demo")
    parser.add_argument("--out", type=Path, default=ROOT / "demo-out", help="output folder (default: demo-out/)")
    parser.add_argument("--as-of", default=DEMO_AS_OF, help=f"检查基准日 (default {DEMO_AS_OF})")
    parser.add_argument("--one-night", action="store_true", help="skip the earlier night")
    args = parser.parse_args(argv)
    try:
        report = run_demo(args.out, args.as_of, earlier=None if args.one_night else EARLIER_AS_OF)
    except DemoError as exc:
        print(f"演示失败 demo failed: {exc}", file=sys.stderr)
        return 2
    print("演示完成 demo done. 报告 report (浏览器打开 open in a browser):", file=sys.stderr)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
