"""The demo's new-media accounts (config/demo.toml): one stale on both demo nights, one fresh on both."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from audits import newmedia_stale
from crawler.newmedia import gather
from demo.run import DEMO_AS_OF, EARLIER_AS_OF, write_profile
from demo.server import DemoServer
from zhaocuo.core.context import AuditContext
from zhaocuo.core.profile import load_profile
from zhaocuo.core.store import SQLiteStore

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier


def test_demo_weibo_account_is_stale_and_wechat_album_fresh_on_both_nights(tmp_path: Path) -> None:
    with DemoServer() as srv:
        profile = load_profile(write_profile(tmp_path, srv.port))
        store = SQLiteStore(tmp_path / "nm.sqlite")
        run_id, _ = store.begin_run("demo")
        stats = gather(profile, store, run_id, progress=False)
        store.finish_run(run_id, "complete", stats)
    assert stats["newmedia_ok"] == 2
    for as_of in (EARLIER_AS_OF, DEMO_AS_OF):
        findings = list(newmedia_stale.audit(AuditContext(store.crawl(), profile, date.fromisoformat(as_of))))
        assert [(f.extra["account"], f.extra["kind"], f.unit, f.severity) for f in findings] == [
            ("示范区卫健", "stale", "区卫生健康局", "veto")], as_of
        assert findings[0].extra["newest"] == "2026-10-15"
    posts = store.crawl().records("newmedia_post").values()
    assert sorted(p["date"] for p in posts if p["account"] == "示范发布") == ["2026-11-03", "2026-11-10", "2026-11-18"]
    store.close()
