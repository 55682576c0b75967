"""The demo's proofreading pages (demo/site/text/), served by the demo server and audited by the
real CLI: each planted defect is reported, and the look-alikes on the control pages are not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.profiles import write_profile

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    from tests.support.servers import LoopbackServer

    tmp = tmp_path_factory.mktemp("demotext")
    with LoopbackServer(root=ROOT / "demo" / "site") as srv:
        profile = write_profile(tmp, {
            "site": {"name": "示范区人民政府", "start_urls": [srv.url("/text/art_typo.html"), srv.url("/text/art_clean.html"),
                                                         srv.url("/text/archive_2017.html"), srv.url("/text/gongshi.html"),
                                                         srv.url("/text/ldxx.html")]},
            "crawl": {"max_pages": 12, "max_depth": 1, "check_external": False},
            "ipv6": {"enabled": False},
        })
        proc = run_cli("run", "--config", str(profile), "--out", str(tmp / "out"), "--as-of", "2026-11-20",
                       "--no-mail", timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [json.loads(x) for x in (tmp / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines() if x]


def _text(findings: list[dict], page: str) -> set[tuple[str, str, str]]:
    return {(f["audit"], f["text"], f["suggestion"]) for f in findings if f["url"].endswith(page)
            and f["audit"] in ("typo", "serious_error", "outdated_expression", "privacy_leak")}


def test_planted_defects_are_reported(findings: list[dict]) -> None:
    got = _text(findings, "/text/art_typo.html")
    assert {("typo", "布署", "部署"), ("typo", "截止目前", "截至目前"), ("typo", "犯", "范"),
            ("serious_error", "张明化", "张明华"), ("outdated_expression", "环境保护局", "生态环境局"),
            ("serious_error", "习近平新时代中国特色社会主义思像", "习近平新时代中国特色社会主义思想")} <= got
    assert {("privacy_leak", "370305********1231", ""), ("privacy_leak", "138****2345", "")} == _text(
        findings, "/text/gongshi.html")
    assert ("privacy_leak", "370305********4567", "") in _text(findings, "/text/files/jiuzhu.docx")


def test_control_pages_stay_quiet(findings: list[dict]) -> None:
    assert _text(findings, "/text/art_clean.html") == set()
    assert _text(findings, "/text/archive_2017.html") == set()
    assert _text(findings, "/text/ldxx.html") == set()
