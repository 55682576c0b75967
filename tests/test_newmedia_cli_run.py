"""New-media accounts through the real CLI: the stale one vetoed, its post's typo and dead link
reported, all routed to the account's unit; the fresh one left alone; --fail-on veto exits 1."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from crawler.newmedia.posts import now_beijing
from tests.conftest import run_cli
from tests.support import newmedia_pages as pages
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier


def test_stale_account_and_its_posts_are_reported_to_its_unit(tmp_path: Path) -> None:
    today = now_beijing().date()
    stale_day = (today - timedelta(days=20)).isoformat()
    routes: dict[str, object] = {"/": Route(body="<html><head><title>区政府</title></head><body><p>首页</p></body></html>")}
    routes.update(pages.weibo_mobile("/wb", [stale_day, "2023-01-02"],
                                     texts=["【冬季防火】全区上下要再接再励，做好冬季防火工作。", "【通知】元旦假期安排"]))
    routes.update(pages.douyin_user("/dy", ages=[3]))
    with LoopbackServer(routes) as srv:
        profile = write_profile(tmp_path, {
            "site": {"start_urls": [srv.url("/")], "own_site": True},
            "crawl": {"retries": 0, "render_timeout_s": 8},
            "ipv6": {"enabled": False},
            "units": [{"name": "区政府办公室", "paths": ["/"]}, {"name": "区融媒体中心"}, {"name": "区文旅局"}],
            "newmedia": [{"name": "临淄发布微博", "url": srv.url("/wb/u/1234567890"), "platform": "weibo", "unit": "区融媒体中心"},
                         {"name": "临淄发布抖音", "url": srv.url("/dy/user/MS4wLjABAAAA"), "platform": "douyin", "unit": "区文旅局"}],
        })
        proc = run_cli("run", "--config", str(profile), "--out", str(tmp_path / "out"), "--as-of", today.isoformat(),
                       "--no-mail", "--fail-on", "veto", timeout=240)
    assert proc.returncode == 1, proc.stderr[-2000:]  # a veto finding exists
    findings = [json.loads(x) for x in (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    account = srv.url("/wb/u/1234567890")
    on_account = {(f["audit"], f["text"], f["target"]): f for f in findings if f["url"] == account}
    stale = [f for f in findings if f["audit"] == "newmedia_stale"]
    assert [(f["url"], f["severity"], f["unit"]) for f in stale] == [(account, "veto", "区融媒体中心")]
    assert "20天未更新" in stale[0]["message"]
    typo = on_account[("typo", "再接再励", "")]
    assert typo["unit"] == "区融媒体中心" and typo["suggestion"] == "再接再厉"
    dead = on_account[("dead_link", "", srv.url("/wb/status/4900000000000000"))]
    assert dead["unit"] == "区融媒体中心"
    assert not [f for f in findings if f["url"] == srv.url("/dy/user/MS4wLjABAAAA") and f["audit"] == "newmedia_stale"]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["findings"]["newmedia_stale"] == 1 and summary["crawl"]["newmedia_accounts"] == 2
