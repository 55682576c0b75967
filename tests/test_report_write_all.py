"""write_all writes every report into the run's folder, atomically; ``zhaocuo audit`` over a
stored crawl produces them all without the network."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

import reports
from reports import html as report_html
from tests.conftest import run_cli
from tests.support.profiles import write_profile
from tests.support.reportdata import report_data
from zhaocuo.core.finding import Finding
from zhaocuo.core.profile import load_profile
from zhaocuo.core.store import Link, LinkCheck, Page, SQLiteStore

SITE = "http://127.0.0.1:8000/"
OUTPUTS = {"findings.jsonl", "fixed.jsonl", "summary.json", "report.html", "ledger.xlsx", "junit.xml"}


def _profile_path(tmp_path: Path) -> Path:
    return write_profile(tmp_path, {
        "site": {"name": "示范区人民政府", "start_urls": [SITE]},
        "units": [{"name": "区教育局", "paths": ["/bm/jyj/"]}],
    })


def _store(profile_path: Path) -> SQLiteStore:
    store = SQLiteStore(load_profile(profile_path).default_store_path())
    run_id, _ = store.begin_run()
    store.add_page(run_id, Page(url=SITE, status=200, title="示范区人民政府", text="首页"))
    store.add_page(run_id, Page(url=SITE + "bm/jyj/", status=200, title="区教育局<script>", text="教育"))
    store.add_links(run_id, [Link(SITE, SITE + "bm/jyj/", "教育局"), Link(SITE + "bm/jyj/", SITE + "gone.html", "旧通知")])
    store.add_link_check(run_id, LinkCheck(url=SITE + "bm/jyj/", status=200))
    store.add_link_check(run_id, LinkCheck(url=SITE + "gone.html", status=404, error_kind="http"))
    store.finish_run(run_id, "complete", {"elapsed_s": 0.5, "pages_crawled": 2})
    return store


def test_write_all_writes_every_report_atomically(tmp_path: Path) -> None:
    profile_path = _profile_path(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("old report")
    findings = [Finding("dead_link", "medium", SITE + "bm/jyj/", "链接“旧通知”无法打开（404）。",
                        target=SITE + "gone.html", unit="区教育局", page_title="区教育局<script>", status="new",
                        first_seen="2026-11-20", deadline="2026-11-27")]
    summary = {"pages_crawled": 2, "links_checked": 2, "elapsed_s": 0.1, "findings": {"dead_link": 1},
               "audit_errors": {}}
    written = reports.write_all(out, report_data(findings, [], summary, load_profile(profile_path), date(2026, 11, 20)))
    assert {p.name for p in written} == OUTPUTS
    assert {p.name for p in out.iterdir()} == OUTPUTS, "no temporary file is left behind"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "old report" not in html and "区教育局&lt;script&gt;" in html
    assert openpyxl.load_workbook(out / "ledger.xlsx").sheetnames == ["汇总", "区教育局", "链接所在页面", "填报说明"]


@pytest.mark.slow
def test_cli_audit_over_a_stored_crawl_writes_all_reports(tmp_path: Path) -> None:
    profile_path = _profile_path(tmp_path)
    _store(profile_path).close()
    out = tmp_path / "report"
    proc = run_cli("audit", "--config", str(profile_path), "--out", str(out), "--as-of", "2026-11-20", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert OUTPUTS <= {p.name for p in out.iterdir()}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["pages_crawled"] == 2
    assert str(out / "report.html") in proc.stdout
    assert "示范区人民政府" in (out / "report.html").read_text(encoding="utf-8")


def test_a_failing_writer_does_not_cost_the_other_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> Path:
        raise RuntimeError("template bug")

    monkeypatch.setattr(report_html, "write", broken)
    profile_path = _profile_path(tmp_path)
    out = tmp_path / "out"
    findings = [Finding("dead_link", "medium", SITE, "链接无法打开。", target=SITE + "gone.html")]
    summary = {"pages_crawled": 2, "links_checked": 2, "elapsed_s": 0.1, "findings": {}, "audit_errors": {}}
    with pytest.raises(RuntimeError, match="template bug"):
        reports.write_all(out, report_data(findings, [], summary, load_profile(profile_path), date(2026, 11, 20)))
    assert {p.name for p in out.iterdir()} == OUTPUTS - {"report.html"}
