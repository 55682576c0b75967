import sqlite3
from pathlib import Path

from zhaocuo.core.store import Link, LinkCheck, Page, SQLiteStore


def test_store_round_trip_and_last_complete_run(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite")
    run_id, resumed = store.begin_run()
    assert not resumed
    store.add_page(run_id, Page(url="http://a/", status=200, title="首页", text="正文", html="<p>正文</p>"))
    store.add_links(run_id, [Link("http://a/", "http://a/x", "公告")])
    store.add_link_check(run_id, LinkCheck("http://a/x", status=404))
    store.finish_run(run_id, "complete", {"pages_crawled": 1})
    crawl = store.crawl()
    page = crawl.page("http://a/")
    assert page is not None and page.html == "<p>正文</p>" and page.title == "首页"
    assert [lk.anchor for lk in crawl.links_to("http://a/x")] == ["公告"]
    assert crawl.link_checks()["http://a/x"].status == 404


def test_interrupted_run_is_resumed_or_restarted(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite")
    run_id, _ = store.begin_run()
    store.add_page(run_id, Page(url="http://a/", status=200))
    store.commit()
    store.add_page(run_id, Page(url="http://a/uncommitted", status=200))
    store.db.close()  # a kill: the open transaction is lost, the committed page is kept
    store = SQLiteStore(tmp_path / "s.sqlite")
    assert store.fetched_urls(run_id) == {"http://a/"}
    again, resumed = store.begin_run(resume=True)
    assert (again, resumed) == (run_id, True)
    clean, resumed = store.begin_run(resume=False)
    assert clean != run_id and not resumed
    assert store.run(run_id).status == "interrupted"
    assert sqlite3.connect(tmp_path / "s.sqlite").execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_page_lookup_by_link_target_as_written_finds_the_canonical_page(tmp_path: Path) -> None:
    """Links keep the target as written (raw Chinese, unsorted query); pages are stored
    canonical. Audits that follow a link to its page must still find it."""
    from crawler.urls import canonical

    store = SQLiteStore(tmp_path / "s.sqlite")
    run_id, _ = store.begin_run()
    written = "http://A.gov.cn:80/zcjd/解读.html?b=2&a=1#top"
    store.add_page(run_id, Page(url=canonical(written), status=200, title="政策解读"))
    store.finish_run(run_id, "complete")
    crawl = store.crawl()
    assert canonical(written) != written
    page = crawl.page(written)
    assert page is not None and page.title == "政策解读"
    assert crawl.page("http://a.gov.cn/zcjd/other.html") is None


def test_link_checks_stream_and_single_lookups_agree_with_the_full_dict(tmp_path: Path) -> None:
    """Audits stream the checks (``iter_link_checks``) and look single URLs up (``link_check``)
    instead of holding every snippet; both must see exactly what ``link_checks()`` holds."""
    store = SQLiteStore(tmp_path / "s.sqlite")
    run_id, _ = store.begin_run()
    store.add_link_check(run_id, LinkCheck("http://a/x", status=404, error_kind="http"))
    store.add_link_check(run_id, LinkCheck("http://a/y", status=200, title="提示", snippet="页面不存在，请返回首页",
                                           redirects=["http://a/old", "http://a/y"]))
    store.finish_run(run_id, "complete")
    other, _ = store.begin_run()  # another run's checks are not this crawl's
    store.add_link_check(other, LinkCheck("http://a/z", status=200))
    store.finish_run(other, "failed")
    crawl = store.crawl(run_id)
    full = crawl.link_checks()
    assert {c.url: c for c in crawl.iter_link_checks()} == full
    assert crawl.link_check_count() == len(full) == 2
    assert crawl.link_check("http://a/y") == full["http://a/y"]
    assert crawl.link_check("http://a/y").snippet == "页面不存在，请返回首页"
    assert crawl.link_check("http://a/z") is None and crawl.link_check("http://A/y") is None  # exact URL only


def test_canonical_lives_in_the_core_and_the_store_needs_no_stage() -> None:
    """Crawl.page() canonicalises with the core's function; crawler.urls re-exports that very
    function, so the crawler, the audits and the store agree on one spelling."""
    import subprocess
    import sys

    import crawler.urls
    import zhaocuo.core.urlcanon

    assert crawler.urls.canonical is zhaocuo.core.urlcanon.canonical
    code = "import sys, zhaocuo.core.store; assert not [m for m in sys.modules if m.split('.')[0] == 'crawler'], 'crawler'"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).returncode == 0


def test_a_transaction_commits_all_or_nothing(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite")
    with store.transaction():
        store.put_state("k", "a", {"n": 1})
        store.put_state("k", "b", {"n": 2})
    try:
        with store.transaction():
            store.put_state("k", "c", {"n": 3})
            store.delete_state("k", "a")
            raise RuntimeError("a bad row")
    except RuntimeError:
        pass
    store.close()
    again = SQLiteStore(tmp_path / "s.sqlite")
    assert again.all_state("k") == {"a": {"n": 1}, "b": {"n": 2}}
