"""newmedia_stale judges stored records only: the 14-day line, future dates, failures kept apart."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from audits import newmedia_stale
from tests.support.profiles import write_profile
from zhaocuo.core.context import AuditContext
from zhaocuo.core.profile import load_profile
from zhaocuo.core.store import SQLiteStore

AS_OF = date(2024, 3, 20)
URL = "https://weibo.com/u/100"


def _audit(tmp_path: Path, posts: list[str], ok: bool = True, error: str = "", unit: str = "区委宣传部"):
    tmp_path.mkdir(parents=True, exist_ok=True)
    profile = load_profile(write_profile(tmp_path, {
        "site": {"start_urls": ["http://www.example.gov.cn/"]},
        "units": [{"name": unit}] if unit else [],
        "newmedia": [{"name": "临淄发布", "url": URL, "platform": "weibo", "unit": unit}],
    }))
    store = SQLiteStore(tmp_path / "s.sqlite")
    run_id, _ = store.begin_run("t")
    for i, d in enumerate(posts):
        store.put_record(run_id, "newmedia_post", str(i), {"account": "临淄发布", "account_url": URL, "title": f"帖{i}",
                                                            "date": d, "url": f"{URL}/{i}", "platform": "weibo"})
    store.put_record(run_id, "newmedia_account", "临淄发布", {
        "account": "临淄发布", "url": URL, "platform": "weibo", "unit": "", "ok": ok, "error": error,
        "posts": len(posts), "dated_posts": len([d for d in posts if d])})
    store.finish_run(run_id, "complete", {})
    findings = list(newmedia_stale.audit(AuditContext(store.crawl(), profile, AS_OF)))
    store.close()
    return findings


def test_fourteen_days_is_still_fresh_fifteen_is_stale(tmp_path: Path) -> None:
    assert _audit(tmp_path / "a", ["2024-03-06", "2024-01-01"]) == []
    (f,) = _audit(tmp_path / "b", ["2024-03-05", "2024-01-01"])
    assert (f.audit, f.severity, f.url, f.unit) == ("newmedia_stale", "veto", URL, "区委宣传部")
    assert f.extra["age_days"] == 15 and f.extra["newest"] == "2024-03-05"
    assert "临淄发布" in f.message and "15天" in f.message


def test_the_newest_post_counts_not_the_first_listed(tmp_path: Path) -> None:
    assert _audit(tmp_path, ["2023-01-01", "2024-03-19", ""]) == []


def test_a_post_dated_after_as_of_does_not_make_an_account_fresh(tmp_path: Path) -> None:
    (f,) = _audit(tmp_path, ["2024-05-01", "2024-02-01"])
    assert f.extra["kind"] == "stale" and f.extra["newest"] == "2024-02-01"


def test_unreadable_and_undated_accounts_are_reported_apart_from_stale(tmp_path: Path) -> None:
    (down,) = _audit(tmp_path / "a", [], ok=False, error="HTTP 404")
    assert down.extra["kind"] == "unreachable" and down.severity == "high" and "HTTP 404" in down.message
    assert "无法访问" in down.message
    (nodate,) = _audit(tmp_path / "b", ["", ""])
    assert nodate.extra["kind"] == "undated" and nodate.severity == "high" and "未找到带日期" in nodate.message
    assert len({down.id, nodate.id}) == 2


def test_the_finding_id_stays_the_same_while_the_account_stays_stale(tmp_path: Path) -> None:
    (a,) = _audit(tmp_path / "a", ["2024-02-01"])
    (b,) = _audit(tmp_path / "b", ["2024-01-15"])
    assert a.id == b.id and a.message != b.message


def test_unit_falls_back_to_the_record_when_the_profile_has_none(tmp_path: Path) -> None:
    (f,) = _audit(tmp_path, ["2024-01-01"], unit="")
    assert f.unit == ""  # the runner then routes by URL prefix


@pytest.mark.slow
def test_an_unknown_platform_is_a_profile_error_naming_the_key(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    profile = write_profile(tmp_path, {"site": {"start_urls": ["http://www.example.gov.cn/"]},
                                       "newmedia": [{"name": "临淄发布", "url": URL, "platform": "weibp"}]})
    proc = run_cli("crawl", "--config", str(profile), timeout=60)
    assert proc.returncode == 2
    assert "newmedia[0].platform" in proc.stderr and "weibp" in proc.stderr and str(profile) in proc.stderr
