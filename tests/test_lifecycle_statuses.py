"""Findings across nights: new → open → fixed → reopened, first_seen kept, skipped pages prove
nothing, re-auditing the same crawl changes nothing, 误报 and 已整改 from feedback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.support.profiles import write_profile
from zhaocuo.app import lifecycle
from zhaocuo.core.finding import Finding
from zhaocuo.core.profile import load_profile
from zhaocuo.core.store import Page, SQLiteStore

A = "http://www.test.gov.cn/a.html"
B = "http://www.test.gov.cn/b.html"


def _crawl(store: SQLiteStore, pages: dict[str, int | None]):
    """A finished crawl run holding ``pages`` (url → HTTP status; None = fetch error)."""
    run_id, _ = store.begin_run(resume=False)
    for url, status in pages.items():
        store.add_page(run_id, Page(url=url, status=status, error="" if status else "timeout"))
    store.finish_run(run_id, "complete")
    return store.crawl(run_id)


def _typo(url: str, text: str, unit: str = "区教体局") -> Finding:
    return Finding(audit="typo", severity="medium", url=url, text=text, suggestion="部署",
                   unit=unit, message=f"页面中“{text}”疑似错别字。")


def _setup(tmp_path: Path):
    profile = load_profile(write_profile(tmp_path, {"site": {"start_urls": ["http://www.test.gov.cn/"]}}))
    return profile, SQLiteStore(tmp_path / "s.sqlite")


def _status(findings: list[Finding]) -> dict[str, str]:
    return {f.text: f.status for f in findings}


def test_statuses_across_three_nights_and_first_seen_survives(tmp_path: Path) -> None:
    profile, store = _setup(tmp_path)
    night1 = _crawl(store, {A: 200, B: 200})
    found, fixed = lifecycle.apply(store, profile, night1, [_typo(A, "布署"), _typo(B, "帐号")], date(2026, 11, 2))
    assert _status(found) == {"布署": "new", "帐号": "new"} and fixed == []
    assert {f.first_seen for f in found} == {"2026-11-02"}

    # Night 2: page B could not be fetched (error) — its finding is neither seen nor fixed.
    night2 = _crawl(store, {A: 200, B: None})
    found, fixed = lifecycle.apply(store, profile, night2, [_typo(A, "布署")], date(2026, 11, 3))
    assert _status(found) == {"布署": "open"} and fixed == []
    assert found[0].first_seen == "2026-11-02"

    # Night 3: B fetched again and the problem is gone → fixed; A's problem still open.
    night3 = _crawl(store, {A: 200, B: 200})
    found, fixed = lifecycle.apply(store, profile, night3, [_typo(A, "布署")], date(2026, 11, 4))
    assert _status(found) == {"布署": "open"}
    assert [(f.text, f.status, f.first_seen) for f in fixed] == [("帐号", "fixed", "2026-11-02")]

    # Night 4: B's problem is back → reopened, first_seen kept; the fixed list is empty again.
    night4 = _crawl(store, {A: 200, B: 200})
    found, fixed = lifecycle.apply(store, profile, night4, [_typo(A, "布署"), _typo(B, "帐号")], date(2026, 11, 5))
    assert _status(found) == {"布署": "open", "帐号": "reopened"} and fixed == []
    assert {f.first_seen for f in found} == {"2026-11-02"}


def test_reauditing_the_same_crawl_does_not_flip_statuses(tmp_path: Path) -> None:
    profile, store = _setup(tmp_path)
    night1 = _crawl(store, {A: 200, B: 200})
    for _ in range(3):
        found, fixed = lifecycle.apply(store, profile, night1, [_typo(A, "布署"), _typo(B, "帐号")], date(2026, 11, 2))
        assert _status(found) == {"布署": "new", "帐号": "new"}
    night2 = _crawl(store, {A: 200, B: 200})
    for _ in range(3):
        found, fixed = lifecycle.apply(store, profile, night2, [_typo(A, "布署")], date(2026, 11, 3))
        assert _status(found) == {"布署": "open"}
        assert [f.text for f in fixed] == ["帐号"]
    runs = lifecycle.recent_runs(store)
    assert [(r["run"], r["new"], r["open"], r["fixed"]) for r in runs] == [(night1.run_id, 2, 0, 0),
                                                                          (night2.run_id, 0, 1, 1)]


def test_removed_page_counts_as_rechecked_but_server_error_does_not(tmp_path: Path) -> None:
    profile, store = _setup(tmp_path)
    lifecycle.apply(store, profile, _crawl(store, {A: 200, B: 200}), [_typo(A, "布署"), _typo(B, "帐号")],
                    date(2026, 11, 2))
    _, fixed = lifecycle.apply(store, profile, _crawl(store, {A: 503, B: 404}), [], date(2026, 11, 3))
    # A answered 503 (a bad night proves nothing); B is gone (404), and its typo with it.
    assert [f.text for f in fixed] == ["帐号"]


def test_disabled_audit_does_not_mark_its_findings_fixed(tmp_path: Path) -> None:
    profile, store = _setup(tmp_path)
    lifecycle.apply(store, profile, _crawl(store, {A: 200}), [_typo(A, "布署")], date(2026, 11, 2))
    profile.audits.disabled = ["typo"]
    _, fixed = lifecycle.apply(store, profile, _crawl(store, {A: 200}), [], date(2026, 11, 3))
    assert fixed == []


def test_crashed_audit_does_not_mark_its_findings_fixed(tmp_path: Path) -> None:
    profile, store = _setup(tmp_path)
    lifecycle.apply(store, profile, _crawl(store, {A: 200}), [_typo(A, "布署")], date(2026, 11, 2))
    _, fixed = lifecycle.apply(store, profile, _crawl(store, {A: 200}), [], date(2026, 11, 3),
                               failed_audits={"typo": "RuntimeError: boom"})
    assert fixed == []
    _, fixed = lifecycle.apply(store, profile, _crawl(store, {A: 200}), [], date(2026, 11, 4))
    assert [f.text for f in fixed] == ["布署"]


def test_audit_without_gathered_data_does_not_mark_fixed(tmp_path: Path) -> None:
    from audits import newmedia_stale

    kind = next(r for r in newmedia_stale.META.requires if r.startswith("records:")).removeprefix("records:")
    profile, store = _setup(tmp_path)
    home = "http://www.test.gov.cn/"
    finding = Finding(audit="newmedia_stale", severity="veto", url=home, message="账号超过14天未更新。")
    lifecycle.apply(store, profile, _crawl(store, {home: 200}), [finding], date(2026, 11, 2))
    # The new-media gatherer did not run this night (switched off or failed): no records, no verdict.
    night = _crawl(store, {home: 200})
    assert "newmedia_stale" in lifecycle.audits_without_data(night)
    _, fixed = lifecycle.apply(store, profile, night, [], date(2026, 11, 3))
    assert fixed == []
    night = _crawl(store, {home: 200})
    store.put_record(night.run_id, kind, home, {"ok": True})
    store.commit()
    _, fixed = lifecycle.apply(store, profile, night, [], date(2026, 11, 4))
    assert [f.audit for f in fixed] == ["newmedia_stale"]


def test_suppressed_ids_and_texts_are_dropped_and_never_fixed(tmp_path: Path) -> None:
    profile, store = _setup(tmp_path)
    lifecycle.apply(store, profile, _crawl(store, {A: 200, B: 200}),
                    [_typo(A, "布署"), _typo(B, "帐号"), _typo(B, "其它")], date(2026, 11, 2))
    store.put_state(lifecycle.SUPPRESSED_KIND, _typo(A, "布署").id, {"reason": "误报"})
    store.put_state(lifecycle.SUPPRESSED_TEXT_KIND, lifecycle.text_key("typo", "帐号"), {"text": "帐号"})
    # 帐号 now also appears on A: a site-wide text suppression covers that place too.
    found, fixed = lifecycle.apply(store, profile, _crawl(store, {A: 200, B: 200}),
                                   [_typo(A, "布署"), _typo(B, "帐号"), _typo(A, "帐号"), _typo(B, "其它")],
                                   date(2026, 11, 3))
    assert [f.text for f in found] == ["其它"] and found[0].status == "open"
    _, fixed = lifecycle.apply(store, profile, _crawl(store, {A: 200, B: 200}), [], date(2026, 11, 4))
    assert [f.text for f in fixed] == ["其它"]


def test_claimed_fix_still_present_is_reopened_with_a_note(tmp_path: Path) -> None:
    profile, store = _setup(tmp_path)
    night1 = _crawl(store, {A: 200, B: 200})
    lifecycle.apply(store, profile, night1, [_typo(A, "布署"), _typo(B, "帐号")], date(2026, 11, 2))
    for f in (_typo(A, "布署"), _typo(B, "帐号")):
        store.put_state(lifecycle.CLAIM_KIND, f.id, {"claimed_on": "2026-11-02", "after_run": night1.run_id})
    # Re-auditing the crawl the unit already answered does not judge the claim.
    found, _ = lifecycle.apply(store, profile, night1, [_typo(A, "布署"), _typo(B, "帐号")], date(2026, 11, 2))
    assert _status(found) == {"布署": "new", "帐号": "new"}

    night2 = _crawl(store, {A: 200, B: 200})
    found, fixed = lifecycle.apply(store, profile, night2, [_typo(A, "布署")], date(2026, 11, 3))
    assert _status(found) == {"布署": "reopened"}
    assert found[0].extra["claimed_fixed"] == "2026-11-02"
    assert found[0].message.endswith(lifecycle.CLAIM_NOTE)
    assert [f.text for f in fixed] == ["帐号"]
    assert store.get_state(lifecycle.CLAIM_KIND, _typo(B, "帐号").id)["result"] == "confirmed"
    # The claim was checked once; the next night the finding is simply still open.
    found, _ = lifecycle.apply(store, profile, _crawl(store, {A: 200}), [_typo(A, "布署")], date(2026, 11, 4))
    assert _status(found) == {"布署": "open"} and "claimed_fixed" not in found[0].extra


def test_run_counts_per_unit_are_recorded_for_trends(tmp_path: Path) -> None:
    profile, store = _setup(tmp_path)
    lifecycle.apply(store, profile, _crawl(store, {A: 200, B: 200}),
                    [_typo(A, "布署", "区教体局"), _typo(B, "帐号", "区卫健局")], date(2026, 11, 2))
    lifecycle.apply(store, profile, _crawl(store, {A: 200, B: 200}),
                    [_typo(A, "布署", "区教体局")], date(2026, 11, 20))
    last = lifecycle.recent_runs(store)[-1]
    assert last["units"]["区教体局"] == {"open": 1, "total": 1, "overdue": 1}
    assert last["units"]["区卫健局"] == {"fixed": 1}
    assert (last["open"], last["fixed"], last["overdue"]) == (1, 1, 1)


def test_a_night_reads_open_findings_not_the_whole_history(tmp_path: Path) -> None:
    """Findings fixed long ago stay in the store (history) but a night does not load them: it
    reads the open ones, its own, and what it fixed itself when judged again."""
    profile, store = _setup(tmp_path)
    night1 = _crawl(store, {A: 200, B: 200})
    old = [_typo(B, f"旧错{i}") for i in range(50)]
    lifecycle.apply(store, profile, night1, [_typo(A, "布署"), *old], date(2026, 11, 2))
    night2 = _crawl(store, {A: 200, B: 200})
    lifecycle.apply(store, profile, night2, [_typo(A, "布署")], date(2026, 11, 3))  # the 50 are fixed
    assert len(store.all_state(lifecycle.STATE_KIND)) == 51

    loaded: list[int] = []
    real_excluding, real_get = store.states_excluding, store.get_states

    def counting_excluding(kind, field, values):
        got = real_excluding(kind, field, values)
        loaded.append(len(got))
        return got

    def counting_get(kind, keys):
        got = real_get(kind, keys)
        loaded.append(len(got))
        return got

    real_all = store.all_state

    def guarded_all(kind):
        assert kind != lifecycle.STATE_KIND, "the whole history of findings was read"
        return real_all(kind)

    store.all_state = guarded_all  # type: ignore[method-assign]
    store.states_excluding, store.get_states = counting_excluding, counting_get  # type: ignore[method-assign]
    night3 = _crawl(store, {A: 200, B: 200})
    found, fixed = lifecycle.apply(store, profile, night3, [_typo(A, "布署"), _typo(B, "旧错7")], date(2026, 11, 4))
    assert _status(found) == {"布署": "open", "旧错7": "reopened"} and fixed == []
    assert sum(loaded) <= 3, f"documents read: {loaded}"
    # Judging night 2 again still knows the 50 it had fixed.
    loaded.clear()
    found, fixed = lifecycle.apply(store, profile, night2, [_typo(A, "布署")], date(2026, 11, 3))
    assert len(fixed) == 50 and _status(found) == {"布署": "open"}
