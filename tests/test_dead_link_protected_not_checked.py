"""A link target an anti-bot gateway kept from the checker (error_kind "protected") is not
dead, is listed apart (受防护，未检查), and does not close an earlier finding: nothing was learnt
of it tonight. A real 412 stored as an HTTP error stays dead. In-process store: the fast tier."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from audits import dead_link
from reports.html import coverage_lines
from tests.support.profiles import write_profile
from zhaocuo.app import lifecycle
from zhaocuo.app.runner import coverage
from zhaocuo.core.context import AuditContext
from zhaocuo.core.profile import load_profile
from zhaocuo.core.store import Link, LinkCheck, Page, SQLiteStore

SITE = "http://www.test.gov.cn"
PORTAL = "http://www.shandong.gov.cn/"
OLD = "http://old.test.gov.cn/"


def _night(store: SQLiteStore, portal: LinkCheck) -> int:
    run_id, _ = store.begin_run(resume=False)
    store.add_page(run_id, Page(url=SITE + "/", status=200, title="某区人民政府", text="首页"))
    store.add_link_check(run_id, LinkCheck(SITE + "/", status=200, title="某区人民政府", snippet="首页。" * 50))
    store.add_link_check(run_id, portal)
    store.add_link_check(run_id, LinkCheck(OLD, status=412, error_kind="http", final_url=OLD))  # a plain 412
    store.add_links(run_id, [Link(SITE + "/", PORTAL, "省政府"), Link(SITE + "/", OLD, "旧版网站")])
    store.finish_run(run_id, "complete")
    return run_id


def test_protected_target_is_listed_apart_and_not_fixed(tmp_path: Path) -> None:
    profile = load_profile(write_profile(tmp_path, {"site": {"start_urls": [SITE + "/"]}}))
    store = SQLiteStore(tmp_path / "s.sqlite")
    # Night one: the portal answered 404 (a real dead link).
    _night(store, LinkCheck(PORTAL, status=404, error_kind="http", final_url=PORTAL))
    ctx = AuditContext(store.crawl(), profile, date(2026, 11, 26))
    first, _ = lifecycle.apply(store, profile, ctx.crawl, list(dead_link.audit(ctx)), ctx.as_of, ctx=ctx)
    assert {f.target for f in first} == {PORTAL, OLD}

    # Night two: a gateway's challenge the browser could not pass.
    _night(store, LinkCheck(PORTAL, status=412, error_kind="protected", final_url=PORTAL,
                            error="受防护，未检查：瑞数（HTTP 412），浏览器 20 秒内未能通过验证"))
    ctx = AuditContext(store.crawl(), profile, date(2026, 11, 27))
    found = list(dead_link.audit(ctx))
    assert [(f.target, f.evidence) for f in found] == [(OLD, "HTTP 412")]  # the plain 412 stays dead
    assert dead_link.undetermined(ctx) >= {PORTAL}
    summary = dead_link.summary(ctx, found)
    assert summary["protected_targets"] == 1
    assert summary["protected"] == [{"target": PORTAL, "status": 412, "pages": 1, "linked_from": [SITE + "/"],
                                     "reason": "受防护，未检查：瑞数（HTTP 412），浏览器 20 秒内未能通过验证"}]
    kept, fixed = lifecycle.apply(store, profile, ctx.crawl, found, ctx.as_of, ctx=ctx)
    assert [f.target for f in kept] == [OLD]
    assert fixed == []  # the portal was not re-checked: its finding is not "fixed"


def test_coverage_counts_challenges_of_crawl_and_link_check(tmp_path: Path) -> None:
    profile = load_profile(write_profile(tmp_path, {"site": {"start_urls": [SITE + "/"]}}))
    stats = {"challenge_pages": {"seen": 3, "rechecked": 3, "passed": 2, "protected": 1},
             "challenge_links": {"seen": 5, "rechecked": 2, "passed": 1, "protected": 4}}
    cov = coverage(stats, profile)
    assert cov["challenges"] == {"seen": 8, "rechecked": 5, "passed": 3, "protected": 5}
    assert cov["links_protected"] == 5
    assert any("5 个地址受反爬虫网关防护" in line and "受防护，未检查" in line for line in coverage_lines(cov))
    assert not [line for line in coverage_lines(coverage({}, profile)) if "防护" in line]
