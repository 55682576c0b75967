"""互动回应差 end to end: a site with message boards (tests/board_pages.py) served on loopback,
crawled and audited by the real CLI with ``--as-of`` fixing today."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import run_cli
from tests.support.board_pages import AS_OF, board_site, page
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)


def crawl_and_audit(folder: Path, routes: dict[str, Route], **sections: dict) -> Path:
    with LoopbackServer(routes) as srv:
        profile = write_profile(folder, {
            "site": {"name": "示例区人民政府", "start_urls": [srv.url("/")], "allowed_hosts": ["127.0.0.1"],
                     "own_site": True},
            "crawl": {"max_pages": 200, "concurrency": 4, "timeout_s": 5.0, "retries": 0, "check_external": False},
            "ipv6": {"enabled": False},
            **sections,
        })
        out = folder / "out"
        done = run_cli("run", "--config", str(profile), "--out", str(out), "--as-of", AS_OF.isoformat(), "--no-mail",
                       timeout=180, env={"ZHAOCUO_HOME": str(folder / "home")})
        assert done.returncode == 0, done.stderr[-2000:]
    return out


def findings(out: Path, audit: str) -> dict[str, dict]:
    rows = [json.loads(x) for x in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    return {urlsplit(r["url"]).path + (f"?{urlsplit(r['url']).query}" if urlsplit(r["url"]).query else ""): r
            for r in rows if r["audit"] == audit}


@pytest.fixture(scope="module")
def boards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crawl_and_audit(tmp_path_factory.mktemp("boards"), board_site(), interaction={"reply_within_days": 5},
                           mail={"smtp": "127.0.0.1:25", "sender": "zhaocuo@example.gov.cn",
                                 "office": ["gkb@example.gov.cn"]})


def test_only_messages_unanswered_for_more_than_three_months_are_vetoes(boards: Path) -> None:
    got = findings(boards, "interaction_unanswered")
    # 区长信箱 #1 (3 months and 1 day), 咨询投诉 #38 (on the third page of a board paged by query
    # string), 网上留言 #23 (its list prints no asked date: read from its own page).
    assert set(got) == {"/hdjl/qzxx/1.html", "/hdjl/zxts/detail.jsp?id=38", "/hdjl/lyb/23.html"}
    first = got["/hdjl/qzxx/1.html"]
    assert first["severity"] == "veto" and first["column"] == "区长信箱"
    assert first["extra"]["days_waiting"] == 93 and "2026-08-19" in first["message"] and "93天" in first["message"]
    assert got["/hdjl/zxts/detail.jsp?id=38"]["column"] == "咨询投诉"


def test_look_alikes_stay_quiet(boards: Path) -> None:
    quiet = {"/hdjl/qzxx/2.html",   # exactly three months
             "/hdjl/qzxx/3.html",   # two months
             "/hdjl/qzxx/4.html",   # answered after four months
             "/hdjl/qzxx/5.html",   # 已转办: responded to, not yet answered
             "/hdjl/qzxx/6.html",   # pinned, old, answered
             "/hdjl/lyb/21.html"}   # the list prints its reply date only
    got = findings(boards, "interaction_unanswered")
    assert not quiet & set(got)
    assert not [u for u in got if u.startswith(("/xwdt/", "/zwfw/", "/hdjl/cjwt", "/hdjl/zxjd/"))]


def test_response_times_count_late_answers(boards: Path) -> None:
    s = json.loads((boards / "summary.json").read_text(encoding="utf-8"))["interaction_unanswered"]
    by_name = {b["name"]: b for b in s["boards"]}
    assert set(by_name) == {"区长信箱", "咨询投诉", "网上留言", "网上咨询"}
    assert by_name["咨询投诉"]["messages"] == 40 and by_name["咨询投诉"]["pages"] == 4
    qzxx = by_name["区长信箱"]
    assert (qzxx["messages"], qzxx["answered"], qzxx["open"], qzxx["accepted"]) == (8, 4, 3, 1)
    # #4 waited 4 months (2026-05-20 → 2026-09-20, 123 days): it is the slowest answer of the board.
    assert qzxx["p90_reply_days"] == 123.0 and qzxx["over_three_months"] == 1
    assert by_name["网上留言"]["median_reply_days"] == 87.5   # 170 and 5 days
    assert s["over_three_months"] == 3 and s["messages"] == 54
    assert s["oldest_open"]["column"] == "区长信箱" and s["oldest_open"]["state"] == "accepted"
    assert 0 < s["answered_share"] < 1


def test_a_board_behind_a_login_is_not_checkable(boards: Path) -> None:
    s = json.loads((boards / "summary.json").read_text(encoding="utf-8"))["interaction_unanswered"]
    assert [(c["name"], c["status"]) for c in s["uncheckable"]] == [("书记信箱", "login")]
    assert not any("sjxx" in u or "login" in u for u in findings(boards, "interaction_unanswered"))
    report = (boards / "report.html").read_text(encoding="utf-8")
    assert "书记信箱" in report and "无法检查" in report


def test_the_office_mail_veto_panel_says_it(boards: Path) -> None:
    mails = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
             for p in (boards / "outbox").rglob("*.eml")]
    office = [m for m in mails if "gkb@example.gov.cn" in m.get("To", "")]
    assert len(office) == 1
    text = office[0].get_body(("plain",)).get_content()
    line = next(x for x in text.splitlines() if "互动回应差" in x)
    assert "有风险" in line and "3 条留言超过3个月未回应" in line and "书记信箱" in line and "无法检查" in line


def test_local_reply_rule_gives_medium_findings(boards: Path) -> None:
    got = findings(boards, "interaction_slow")
    # 5 working days: #7 asked Sat 10-31, due Fri 11-06, answered 11-14; #2 and #3 and 咨询投诉 #6 still open.
    assert set(got) == {"/hdjl/qzxx/7.html", "/hdjl/qzxx/2.html", "/hdjl/qzxx/3.html", "/hdjl/zxts/detail.jsp?id=6"}
    assert {f["severity"] for f in got.values()} == {"medium"}
    assert got["/hdjl/qzxx/7.html"]["extra"]["due"] == "2026-11-06"


def test_veto_panel_and_audit_table_name_the_interaction_audits(boards: Path) -> None:
    report = (boards / "report.html").read_text(encoding="utf-8")
    assert "互动回应差" in report and "interaction_unanswered" in report and "interaction_slow" in report
    assert "留言答复" in report


def test_a_site_without_any_interaction_channel_is_a_veto(tmp_path: Path) -> None:
    out = crawl_and_audit(tmp_path, board_site(with_boards=False))
    got = findings(out, "interaction_unanswered")
    assert list(got) == ["/"] and got["/"]["extra"]["kind"] == "no_channel"
    assert got["/"]["severity"] == "veto" and "未提供" in got["/"]["message"]


def test_a_site_whose_only_mailbox_is_dead_is_a_veto(tmp_path: Path) -> None:
    nav = [("首页", "/"), ("区长信箱", "/hdjl/qzxx/")]
    routes = {"/": Route(body=page("首页", "<p>欢迎访问。</p>", nav=nav))}  # /hdjl/qzxx/ answers 404
    got = findings(crawl_and_audit(tmp_path, routes), "interaction_unanswered")
    assert list(got) == ["/"] and got["/"]["extra"]["why"] == "dead" and "区长信箱" in got["/"]["message"]


@pytest.mark.parametrize("refresh", [False, True])
def test_a_mailbox_the_crawl_cannot_follow_is_no_missing_channel(tmp_path: Path, refresh: bool) -> None:
    """A javascript: mailbox on the homepage, or on the page a meta-refresh homepage sends to."""
    body = '<p><a href="javascript:void(0)" onclick="openMail()">区长信箱</a></p>'
    home = page("首页", body, nav=[("首页", "/")])
    routes = {"/": Route(body=home)}
    if refresh:
        routes = {"/": Route(body='<html><head><meta http-equiv="refresh" content="0;url=/index.html"></head></html>'),
                  "/index.html": Route(body=home)}
    assert findings(crawl_and_audit(tmp_path, routes), "interaction_unanswered") == {}


def test_a_departments_site_without_a_channel_is_judged_only_when_asked(tmp_path: Path) -> None:
    """A department's site may use its portal's unified platform: "auto" leaves it alone."""
    routes = board_site(with_boards=False)
    with LoopbackServer(routes) as srv:
        profile = write_profile(tmp_path, {
            "site": {"name": "示例区教育局", "start_urls": [srv.url("/")], "allowed_hosts": ["127.0.0.1"]},
            "crawl": {"max_pages": 50, "timeout_s": 5.0, "retries": 0, "check_external": False},
            "ipv6": {"enabled": False}})
        env = {"ZHAOCUO_HOME": str(tmp_path / "home")}
        done = run_cli("run", "--config", str(profile), "--out", str(tmp_path / "auto"), "--as-of", AS_OF.isoformat(),
                       "--no-mail", timeout=180, env=env)
        assert done.returncode == 0, done.stderr[-2000:]
    assert findings(tmp_path / "auto", "interaction_unanswered") == {}
    profile.write_text(profile.read_text(encoding="utf-8") + '\n[interaction]\nchannel_required = "yes"\n',
                       encoding="utf-8")
    again = run_cli("audit", "--config", str(profile), "--out", str(tmp_path / "yes"), "--as-of", AS_OF.isoformat(),
                    timeout=120, env=env)
    assert again.returncode == 0, again.stderr[-2000:]
    assert list(findings(tmp_path / "yes", "interaction_unanswered")) == ["/"]
