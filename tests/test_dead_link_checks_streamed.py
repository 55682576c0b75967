"""The dead_link audit judges each stored check as it streams by and keeps only the dead
ones: a 100,000-URL run must not hold every snippet (~220 MB) in the audit process. The
findings are those of the full-dict reading: 404s, soft 404s judged from the snippet, links
written in a non-canonical spelling, checks stored under the spelling as written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from audits import dead_link
from tests.support.profiles import write_profile
from zhaocuo.core.context import AuditContext
from zhaocuo.core.profile import load_profile
from zhaocuo.core.store import Crawl, Link, LinkCheck, Page, SQLiteStore

SITE = "http://www.test.gov.cn"


def test_dead_link_streams_the_checks_and_reports_the_dead_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    profile = load_profile(write_profile(tmp_path, {"site": {"start_urls": [SITE + "/"]}}))
    store = SQLiteStore(tmp_path / "s.sqlite")
    run_id, _ = store.begin_run()
    store.add_page(run_id, Page(url=SITE + "/", status=200, title="某区人民政府", text="首页"))
    checks = [
        LinkCheck(SITE + "/", status=200, title="某区人民政府", snippet="区政府召开常务会议。" * 40),
        LinkCheck(SITE + "/gone.html", status=404, error_kind="http", final_url=SITE + "/gone.html"),
        LinkCheck(SITE + "/soft.html", status=200, title="提示", snippet="抱歉，您访问的页面不存在或已被删除！",
                  final_url=SITE + "/err.html", redirects=[SITE + "/soft.html", SITE + "/err.html"]),
        LinkCheck(SITE + "/live.html", status=200, title="通知", snippet="关于开展安全检查的通知。" * 30),
        LinkCheck(SITE + "/Old Path.html", status=None, error_kind="timeout"),  # an old store: as written
    ]
    for check in checks:
        store.add_link_check(run_id, check)
    store.add_links(run_id, [
        Link(SITE + "/", SITE + "/gone.html?utm_source=wx", "旧通知"),  # checked under its canonical URL
        Link(SITE + "/", SITE + "/soft.html", "政策解读"),
        Link(SITE + "/", SITE + "/live.html", "通知"),
        Link(SITE + "/list.html", SITE + "/Old Path.html", "", "img"),
        Link(SITE + "/list.html", SITE + "/unchecked.html", "超出检查预算"),
    ])
    store.finish_run(run_id, "complete")

    def whole_dict(self: Crawl) -> dict[str, LinkCheck]:
        raise AssertionError("dead_link loaded every check with its snippet")

    monkeypatch.setattr(Crawl, "link_checks", whole_dict)
    found = {f.target: f for f in dead_link.audit(AuditContext(store.crawl(), profile, date(2026, 11, 27)))}
    assert set(found) == {SITE + "/gone.html?utm_source=wx", SITE + "/soft.html", SITE + "/Old Path.html"}
    gone, soft, old = found[SITE + "/gone.html?utm_source=wx"], found[SITE + "/soft.html"], found[SITE + "/Old Path.html"]
    assert (gone.extra["error_kind"], gone.extra["status"], gone.severity) == ("http", 404, "high")
    assert soft.extra["error_kind"] == "soft404" and "页面不存在" in soft.evidence
    assert soft.extra["final_url"] == SITE + "/err.html" and soft.extra["redirects"] == [SITE + "/soft.html", SITE + "/err.html"]
    assert (old.extra["error_kind"], old.severity) == ("timeout", "medium")
