"""The store interface, run against every backend in tests/support/stores.py: what the
crawler writes, the audits read back, through named methods only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.stores import BACKENDS
from zhaocuo.core.store import Link, LinkCheck, Page, Store
from zhaocuo.core.urlcanon import canonical


@pytest.fixture(params=sorted(BACKENDS))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    st = BACKENDS[request.param](tmp_path)
    yield st
    st.close()


def test_store_round_trip_and_last_complete_run(store: Store) -> None:
    run_id, resumed = store.begin_run()
    assert not resumed
    store.add_page(run_id, Page(url="http://a/", status=200, title="首页", text="正文", html="<p>正文</p>",
                                headers={"content-type": "text/html"}))
    store.add_links(run_id, [Link("http://a/", "http://a/x", "公告")])
    store.add_link_check(run_id, LinkCheck("http://a/x", status=404))
    store.finish_run(run_id, "complete", {"pages_crawled": 1})
    crawl = store.crawl()
    page = crawl.page("http://a/")
    assert page is not None and page.html == "<p>正文</p>" and page.title == "首页"
    assert page.headers == {"content-type": "text/html"}
    assert [lk.anchor for lk in crawl.links_to("http://a/x")] == ["公告"]
    assert crawl.link_checks()["http://a/x"].status == 404
    assert crawl.stats == {"pages_crawled": 1} and store.run_count() == 1
    unfinished, _ = store.begin_run(resume=False)
    assert store.crawl().run_id == run_id, "audits read the last complete run"
    assert store.last_run(status=None).id == unfinished


def test_interrupted_run_is_resumed_or_restarted(store: Store) -> None:
    run_id, _ = store.begin_run()
    store.add_page(run_id, Page(url="http://a/", status=200))
    store.commit()
    again, resumed = store.begin_run(resume=True)
    assert (again, resumed) == (run_id, True)
    clean, resumed = store.begin_run(resume=False)
    assert clean != run_id and not resumed
    assert store.run(run_id).status == "interrupted"
    assert store.integrity_problems() == []


def test_page_lookup_by_link_target_as_written_finds_the_canonical_page(store: Store) -> None:
    """Links keep the target as written (raw Chinese, unsorted query); pages are stored
    canonical. Audits that follow a link to its page must still find it."""
    run_id, _ = store.begin_run()
    written = "http://A.gov.cn:80/zcjd/解读.html?b=2&a=1#top"
    store.add_page(run_id, Page(url=canonical(written), status=200, title="政策解读"))
    store.finish_run(run_id, "complete")
    crawl = store.crawl()
    assert canonical(written) != written
    page = crawl.page(written)
    assert page is not None and page.title == "政策解读"
    assert crawl.page("http://a.gov.cn/zcjd/other.html") is None


def test_links_to_matches_any_spelling_and_keeps_the_target_as_written(store: Store) -> None:
    run_id, _ = store.begin_run()
    store.add_links(run_id, [Link("http://a/1.html", "http://A/zcjd/解读.html?b=2&a=1", "解读"),
                             Link("http://a/2.html", "http://a/zcjd/%E8%A7%A3%E8%AF%BB.html?a=1&b=2", "政策解读"),
                             Link("http://a/3.html", "http://a/other.html", "其他")])
    store.finish_run(run_id, "complete")
    crawl = store.crawl()
    found = crawl.links_to("http://a/zcjd/解读.html?a=1&b=2")
    assert sorted(lk.source for lk in found) == ["http://a/1.html", "http://a/2.html"]
    assert {lk.target for lk in found} == {"http://A/zcjd/解读.html?b=2&a=1",
                                           "http://a/zcjd/%E8%A7%A3%E8%AF%BB.html?a=1&b=2"}
    assert [lk.target for lk in crawl.links_from("http://a/3.html")] == ["http://a/other.html"]
    assert [lk.source for lk in crawl.links()] == ["http://a/1.html", "http://a/2.html", "http://a/3.html"]


def test_link_checks_stream_and_single_lookups_agree_with_the_full_dict(store: Store) -> None:
    """Audits stream the checks (``iter_link_checks``) and look single URLs up (``link_check``)
    instead of holding every snippet; both must see exactly what ``link_checks()`` holds."""
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
    assert store.checked_urls(run_id) == {"http://a/x", "http://a/y"}
    assert crawl.link_check("http://a/y") == full["http://a/y"]
    assert crawl.link_check("http://a/y").snippet == "页面不存在，请返回首页"
    assert crawl.link_check("http://a/z") is None and crawl.link_check("http://A/y") is None  # exact URL only


def test_pages_by_kind_fetch_outcomes_and_counts(store: Store) -> None:
    run_id, _ = store.begin_run()
    store.add_page(run_id, Page(url="http://a/", status=200, kind="html", depth=0, text="首页"))
    store.add_page(run_id, Page(url="http://a/f.pdf", status=200, kind="attachment", depth=1))
    store.add_page(run_id, Page(url="http://a/zc-probe", status=404, kind="notfound_probe"))
    store.add_page(run_id, Page(url="http://a/gone", status=None, kind="html", error="refused", depth=1))
    store.commit()
    assert [p.url for p in store.iter_pages(run_id)] == ["http://a/", "http://a/f.pdf", "http://a/gone"]
    assert [p.url for p in store.iter_pages(run_id, kinds=None)] == [
        "http://a/", "http://a/f.pdf", "http://a/zc-probe", "http://a/gone"]
    assert store.page_count(run_id) == 2 and store.page_count(run_id, "notfound_probe") == 1
    assert store.page_kind(run_id, "http://a/f.pdf") == "attachment" and store.page_kind(run_id, "http://a/x") is None
    fetches = {f.url: f for f in store.iter_fetches(run_id)}
    assert fetches["http://a/gone"].error == "refused" and fetches["http://a/gone"].status is None
    assert fetches["http://a/"].final_url == "http://a/" and fetches["http://a/f.pdf"].depth == 1
    assert [f.url for f in store.iter_fetches(run_id, kinds=("notfound_probe",))] == ["http://a/zc-probe"]
    assert store.fetched_urls(run_id) == set(fetches)


def test_resume_frontier_lists_links_of_html_pages_shallow_first(store: Store) -> None:
    run_id, _ = store.begin_run()
    store.add_page(run_id, Page(url="http://a/deep.html", kind="html", depth=2))
    store.add_page(run_id, Page(url="http://a/", kind="html", depth=0))
    store.add_page(run_id, Page(url="http://a/f.pdf", kind="attachment", depth=1))
    store.add_links(run_id, [Link("http://a/deep.html", "http://a/d1"), Link("http://a/", "http://a/h1"),
                             Link("http://a/f.pdf", "http://a/from-pdf")])
    store.commit()
    assert list(store.iter_crawl_frontier(run_id)) == [("http://a/h1", 0), ("http://a/d1", 2)]


def test_links_mentioning_hosts_prefilters_by_tag_and_ascii_case(store: Store) -> None:
    run_id, _ = store.begin_run()
    store.add_links(run_id, [Link("http://a/1", "http://CDN.example.org/x.js", "", "script"),
                             Link("http://a/2", "http://cdn.example.org/page", "", "a"),
                             Link("http://a/3", "http://other.org/", "", "a")])
    store.commit()
    got = [lk.source for lk in store.iter_links_mentioning(run_id, ["cdn.example.org"], ["script"])]
    assert got == ["http://a/1"]
    assert list(store.iter_links_mentioning(run_id, [], ["a"])) == []


def test_records_state_and_transactions(store: Store) -> None:
    run_id, _ = store.begin_run()
    store.put_record(run_id, "ipv6", "a.gov.cn", {"ok": True})
    store.put_record(run_id, "newmedia", "acct", {"posts": 3})
    store.commit()
    assert store.records(run_id, "ipv6") == {"a.gov.cn": {"ok": True}}
    assert store.record_kinds(run_id) == {"ipv6", "newmedia"}
    store.put_state("finding", "f1", {"status": "new"})
    store.commit()
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.put_state("finding", "f2", {"status": "new"})
            store.delete_state("finding", "f1")
            raise RuntimeError("the import failed half-way")
    assert store.all_state("finding") == {"f1": {"status": "new"}}, "nothing of a failed transaction is kept"
    with store.transaction():
        store.put_state("finding", "f2", {"status": "open"})
    assert store.get_state("finding", "f2") == {"status": "open"} and store.get_state("x", "y") is None
