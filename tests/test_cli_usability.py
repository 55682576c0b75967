"""The command line as a clerk or a cron job meets it: every option says what it does,
``--version`` answers, ``--fail-on`` says why it failed, and a profile naming an audit that
does not exist stops with exit 2 naming the key."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route
from zhaocuo import __version__
from zhaocuo.app.cli import build_parser

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_every_option_of_every_command_has_a_description() -> None:
    parser = build_parser()
    missing = []
    for name, sub in _subparsers(parser).items():
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            if not (action.help or "").strip():
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []
    help_text = _subparsers(parser)["run"].format_help()
    for option in ("--out", "--as-of", "--fail-on", "--config", "--no-mail", "--db"):
        assert option in help_text


def test_version() -> None:
    proc = run_cli("--version", timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == f"zhaocuo {__version__}"


def test_fail_on_prints_counts_and_the_findings_that_crossed(tmp_path: Path) -> None:
    # A portal needs an interaction channel (interaction_unanswered's no-channel veto): a mailbox link.
    home = ('<html><head><meta charset="utf-8"><title>测试区人民政府</title></head><body><p>欢迎。</p>'
            '<a href="/gone-1.html">一</a><a href="/gone-2.html">二</a>'
            '<a href="mailto:qzxx@example.gov.cn">区长信箱</a></body></html>')
    with LoopbackServer({"/": Route(body=home)}) as srv:
        profile = write_profile(tmp_path, {
            "site": {"start_urls": [srv.url("/")], "allowed_hosts": ["127.0.0.1"], "own_site": True},
            "crawl": {"max_pages": 10, "timeout_s": 5.0, "retries": 0}, "ipv6": {"enabled": False}})
        proc = run_cli("run", "--config", str(profile), "--out", str(tmp_path / "out"), "--as-of", "2026-11-02",
                       "--no-mail", "--fail-on", "high", timeout=180)
    assert proc.returncode == 1, proc.stderr[-1500:]
    (head,) = [line for line in proc.stderr.splitlines() if line.startswith("--fail-on high:")]
    assert "单项否决 veto 0" in head and "严重 high 2" in head and "2 finding(s) at or above high" in head
    listed = [line for line in proc.stderr.splitlines() if line.startswith("  [严重]")]
    assert len(listed) == 2 and all("dead_link" in line for line in listed)
    assert any("gone-1.html" in line for line in listed) and any("gone-2.html" in line for line in listed)

    # The same night judged at veto: exit 0, and it says so.
    proc = run_cli("audit", "--config", str(profile), "--out", str(tmp_path / "again"), "--as-of", "2026-11-02",
                   "--fail-on", "veto", timeout=120)
    assert proc.returncode == 0 and "none at or above veto" in proc.stderr


def test_an_unknown_audit_name_is_exit_2_naming_the_key(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, {"site": {"start_urls": ["http://127.0.0.1:9/"]},
                                       "audits": {"disabled": ["typo", "ipv66"]}})
    proc = run_cli("audit", "--config", str(profile), "--out", str(tmp_path / "out"), timeout=120)
    assert proc.returncode == 2 and "audits.disabled[1]" in proc.stderr and "ipv66" in proc.stderr
    profile = write_profile(tmp_path, {"site": {"start_urls": ["http://127.0.0.1:9/"]},
                                       "audits": {"severity": {"deadlink": "high"}}})
    proc = run_cli("crawl", "--config", str(profile), timeout=120)
    assert proc.returncode == 2 and "audits.severity.deadlink" in proc.stderr
    # A contract name this build has no module for yet is not a typo.
    profile = write_profile(tmp_path, {"site": {"start_urls": ["http://127.0.0.1:9/"]},
                                       "audits": {"disabled": ["interaction_slow"]}})
    proc = run_cli("audit", "--config", str(profile), "--out", str(tmp_path / "out"), timeout=120)
    assert "audits.disabled" not in proc.stderr
