"""One broken link, one row: 7 dead targets linked from 800 pages of a loopback site, crawled
by the real CLI, are 800 lines in findings.jsonl (one per page and target, as the contract
says, each with its group's id) but 7 rows in the ledger, 7 cases in junit.xml, 7 items in
the unit's mail and the report."""

from __future__ import annotations

import email
import io
import json
import xml.etree.ElementTree as ET
from email.policy import default as default_policy
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import run_cli
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)

PAGES, TARGETS = 800, 7


def _site() -> dict[str, Route]:
    def page(title: str, body: str) -> Route:
        return Route(body=f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>')

    # A list of lists keeps every page within a few clicks (depth ≤ 2).
    routes = {"/": page("测试区人民政府", "".join(f'<a href="/jyj/list{k}.html">栏目{k}</a>' for k in range(PAGES // 50)))}
    for k in range(PAGES // 50):
        links = "".join(f'<a href="/jyj/p{n}.html">通知{n}</a>' for n in range(k * 50, (k + 1) * 50))
        routes[f"/jyj/list{k}.html"] = page(f"栏目{k}", links)
    for n in range(PAGES):
        routes[f"/jyj/p{n}.html"] = page(f"通知{n}", f'<p>通知正文。</p><a href="/gone/{n % TARGETS}.html">附件</a>')
    return routes


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("grouped")
    with LoopbackServer(_site()) as srv:
        cfg = write_profile(folder, {
            "site": {"name": "测试区人民政府", "start_urls": [srv.url("/")], "allowed_hosts": ["127.0.0.1"],
                     "own_site": True},
            "crawl": {"max_pages": 1000, "concurrency": 16, "per_host_concurrency": 16, "timeout_s": 5.0,
                      "retries": 0, "attachments": False},
            "ipv6": {"enabled": False},
            # interaction_unanswered too: this portal has no interaction channel (a veto of its own).
            "audits": {"disabled": ["typo", "serious_error", "outdated_expression", "privacy_leak",
                                    "interaction_unanswered"]},
            "units": [{"name": "区教体局", "paths": ["/jyj/"], "email": "jyj@test.gov.cn"}],
            "mail": {"smtp": "127.0.0.1:9", "sender": "zhaocuo@test.gov.cn", "office": ["gkb@test.gov.cn"],
                     "security": "none"},
        })
        proc = run_cli("run", "--config", str(cfg), "--out", str(folder / "out"), "--as-of", "2026-11-02",
                       "--no-mail", timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return folder / "out"


def test_findings_jsonl_keeps_one_line_per_page_and_target_with_the_group_id(night: Path) -> None:
    rows = [json.loads(x) for x in (night / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    dead = [r for r in rows if r["audit"] == "dead_link"]
    assert len(dead) == PAGES
    groups: dict[str, set[str]] = {}
    for r in dead:
        groups.setdefault(r["group"], set()).add(r["target"])
    assert len(groups) == TARGETS and all(len(targets) == 1 for targets in groups.values())
    summary = json.loads((night / "summary.json").read_text(encoding="utf-8"))
    assert summary["findings"]["dead_link"] == PAGES and summary["dead_link_targets"] == TARGETS


def test_the_ledger_has_one_row_per_target_and_lists_every_page(night: Path) -> None:
    book = openpyxl.load_workbook(night / "ledger.xlsx", read_only=True)
    rows = list(book["汇总"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    dead = [r for r in body if r[header.index("原文")] and "/gone/" in r[header.index("原文")]]
    assert len(dead) == TARGETS
    assert all("共 11" in r[header.index("页面地址")] for r in dead)  # 114 or 115 pages each
    pages = list(book["链接所在页面"].iter_rows(values_only=True))
    assert len(pages) - 1 == PAGES


def test_junit_has_one_case_per_target(night: Path) -> None:
    root = ET.parse(night / "junit.xml").getroot()
    (suite,) = [s for s in root if s.get("name") == "dead_link"]
    cases = suite.findall("testcase")
    assert len(cases) == TARGETS and suite.get("failures") == str(TARGETS)
    text = cases[0].find("failure").text
    assert "个页面 pages" in text and text.count("/jyj/p") == 50  # the first 50 pages named
    assert "另有" in text


def test_the_units_mail_and_the_report_count_targets(night: Path) -> None:
    (eml,) = (night / "outbox").glob("*区教体局*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=default_policy)
    assert f"待整改 {TARGETS} 项" in str(msg["Subject"])
    (att,) = list(msg.iter_attachments())
    sheet = openpyxl.load_workbook(io.BytesIO(att.get_content()), read_only=True).worksheets[0]
    assert sheet.title == "区教体局" and len(list(sheet.iter_rows(values_only=True))) - 1 == TARGETS
    report = (night / "report.html").read_text(encoding="utf-8")
    others = sum(1 for x in (night / "findings.jsonl").read_text(encoding="utf-8").splitlines()
                 if json.loads(x)["audit"] != "dead_link")  # e.g. the portal's missing interaction channel
    assert f"合并为 <b>{TARGETS + others}</b> 项" in report and report.count("<details><summary>") == TARGETS
