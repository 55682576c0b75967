"""The store interface, run against every backend in tests/support/stores.py: what the
crawler writes, the audits read back, through named methods only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.stores import BACKENDS, backend_params
from zhaocuo.core.store import Link, LinkCheck, Page, Store
from zhaocuo.core.urlcanon import canonical


@pytest.fixture(params=backend_params())
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    st = BACKENDS[request.param](tmp_path, request)
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


def test_link_targets_come_with_their_stored_canonical_form(store: Store) -> None:
    run_id, _ = store.begin_run()
    store.add_links(run_id, [Link("http://a/1", "HTTP://A:80/x?b=2&a=1#top", "", "a"),
                             Link("http://a/1", "http://a/y", "", "img", target_canon="http://a/y"),
                             Link("http://a/2", "http://a/./z/../w", "", "a")])
    store.commit()
    got = list(store.iter_link_targets(run_id))
    assert got == [(t, canonical(t)) for t, _ in got]
    assert [t for t, _ in got] == ["HTTP://A:80/x?b=2&a=1#top", "http://a/y", "http://a/./z/../w"]
    assert got[0][1] == "http://a/x?a=1&b=2"


def test_links_anchored_by_tag_and_exact_words_in_stored_order(store: Store) -> None:
    run_id, _ = store.begin_run()
    store.add_links(run_id, [Link("http://a/1", "http://a/mail", "区长 信箱", "a"),
                             Link("http://a/2", "http://a/x", "第1条", "a"),
                             Link("http://a/3", "http://a/img", "网上信箱", "img"),
                             Link("http://a/4", "http://a/ask", "在线咨询", "area"),
                             Link("http://a/5", "http://a/nul", "", "a")])
    store.commit()
    got = [lk.source for lk in store.iter_links_anchored(run_id, ["信箱", "咨询"], ["a", "area"])]
    assert got == ["http://a/1", "http://a/4"]
    assert list(store.iter_links_anchored(run_id, ["信 箱"], ["a"])) == []
    assert list(store.iter_links_anchored(run_id, [], ["a"])) == []


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


def _crawl_run(store: Store, n: int, status: str = "complete") -> int:
    run_id, _ = store.begin_run(resume=False)
    store.add_page(run_id, Page(url=f"http://a/{n}", status=200, html="<p>" + "页" * 2000 + "</p>"))
    store.add_links(run_id, [Link(f"http://a/{n}", "http://a/x")])
    store.add_link_check(run_id, LinkCheck("http://a/x", status=404))
    store.put_record(run_id, "ipv6", "a", {"ok": n})
    store.finish_run(run_id, status, {"pages_crawled": 1, "n": n})
    return run_id


def test_prune_runs_deletes_old_crawls_and_keeps_runs_state_and_the_last_complete(store: Store) -> None:
    """keep_runs: older crawls' pages, links, checks and records go; the runs' stats and every
    cross-run document (finding history, claims) stay, and audits still read the last crawl."""
    runs = [_crawl_run(store, n) for n in range(4)]
    store.put_state("finding", "f1", {"status": "fixed", "first_seen": "2026-01-01"})
    deleted = store.prune_runs(keep=2)
    assert deleted == {"pages": 2, "links": 2, "link_checks": 2, "records": 2}
    assert store.fetched_urls(runs[0]) == set() and list(store.iter_links(runs[1])) == []
    assert store.link_check_count(runs[1]) == 0 and store.records(runs[0], "ipv6") == {}
    assert store.fetched_urls(runs[3]) == {"http://a/3"} and store.page_count(runs[2]) == 1
    assert store.run(runs[0]).stats["n"] == 0 and store.run_count() == 4
    assert store.get_state("finding", "f1") == {"status": "fixed", "first_seen": "2026-01-01"}
    assert store.prune_runs(keep=2) == {}, "pruning twice deletes nothing more"
    # The newest runs failed: the last complete crawl (what audits read) is kept all the same.
    failed = [_crawl_run(store, n, "failed") for n in (4, 5)]
    store.prune_runs(keep=1)
    assert store.crawl().run_id == runs[3] and store.crawl().page_count() == 1
    assert store.fetched_urls(failed[0]) == set() and store.fetched_urls(failed[1]) == {"http://a/5"}
    assert store.compact(force=True) is True
    assert store.crawl().page(f"http://a/{3}").html.startswith("<p>页") and store.integrity_problems() == []


def test_prune_runs_keeps_a_running_crawl(store: Store) -> None:
    first = _crawl_run(store, 0)
    running, _ = store.begin_run(resume=False)
    store.add_page(running, Page(url="http://a/partial", status=200))
    store.commit()
    newer = [_crawl_run(store, n) for n in (1, 2)]
    assert store.run(running).status == "interrupted", "begin_run(resume=False) closed it"
    resumable, _ = store.begin_run(resume=False)
    store.add_page(resumable, Page(url="http://a/r", status=200))
    store.commit()
    store.prune_runs(keep=1)
    assert store.fetched_urls(resumable) == {"http://a/r"}, "the crawl in progress keeps its pages"
    assert store.fetched_urls(newer[1]) == {"http://a/2"}, "and so does the last complete one"
    assert store.fetched_urls(first) == set() and store.fetched_urls(running) == set()


def test_state_lookups_by_keys_by_field_and_last_integer_keys(store: Store) -> None:
    for key, status in (("a", "new"), ("b", "fixed"), ("c", "open"), ("d", None)):
        store.put_state("finding", key, {"status": status} if status else {"first_seen": "2026-01-01"})
    store.put_state("other", "a", {"status": "x"})
    for run in (2, 10, 9, 1):
        store.put_state("run", str(run), {"run": run})
    store.put_state("run", "draft", {"run": -1})
    store.commit()
    assert store.get_states("finding", ["a", "b", "zz", "a"]) == {"a": {"status": "new"}, "b": {"status": "fixed"}}
    assert store.get_states("finding", []) == {}
    assert set(store.get_states("finding", [f"k{i}" for i in range(1200)] + ["c"])) == {"c"}
    assert set(store.states_excluding("finding", "status", ["fixed"])) == {"a", "c", "d"}
    assert set(store.states_excluding("finding", "status", ["fixed", "new"])) == {"c", "d"}
    assert set(store.states_excluding("finding", "status", [])) == {"a", "b", "c", "d"}
    assert [d["run"] for d in store.last_states("run", 3)] == [2, 9, 10]
    assert [d["run"] for d in store.last_states("run", 30)] == [1, 2, 9, 10]
    assert store.last_states("run", 0) == []


def test_hostile_values_round_trip_exactly_or_safely(store: Store) -> None:
    """Crawled data is untrusted: a URL far longer than an index key, NUL characters in text
    (a server database's TEXT cannot hold them: they come back as U+FFFD), Chinese everywhere."""
    run_id, _ = store.begin_run()
    long_url = "http://a/" + "长" * 3000 + ".html?q=" + "x" * 5000
    store.add_page(run_id, Page(url=long_url, status=200, title="标题\x00尾", text="正文"))
    store.add_links(run_id, [Link(long_url, long_url + "#", "锚\x00"), Link(long_url, "http://a/b", "")])
    store.add_link_check(run_id, LinkCheck(long_url, status=200, snippet="片段"))
    store.put_state("finding", long_url, {"text": "含\x00空字符"})
    store.finish_run(run_id, "complete")
    crawl = store.crawl()
    page = crawl.page(long_url)
    assert page is not None and page.title in ("标题\x00尾", "标题\ufffd尾")
    assert [lk.target for lk in crawl.links_from(long_url)] == [long_url + "#", "http://a/b"]
    assert crawl.link_check(long_url).snippet == "片段"
    assert store.get_state("finding", long_url) == {"text": "含\x00空字符"}


def test_streams_keep_stored_order_across_batches_and_commits(store: Store) -> None:
    """Streams read in order past any batch size, see what was written before they started,
    and go on after a commit made while they are read (the resumed crawl does both)."""
    run_id, _ = store.begin_run()
    store.add_links(run_id, [Link("http://a/", f"http://a/{i}.html") for i in range(1234)])
    store.add_page(run_id, Page(url="http://a/2", kind="html"))
    store.add_page(run_id, Page(url="http://a/1", kind="html"))
    store.add_page(run_id, Page(url="http://a/2", kind="html", title="again"))  # replaced: now last
    seen = []
    for i, link in enumerate(store.iter_links(run_id)):
        seen.append(link.target)
        if i == 600:
            store.commit()
    assert seen == [f"http://a/{i}.html" for i in range(1234)]
    assert [(p.url, p.title) for p in store.iter_pages(run_id)] == [("http://a/1", ""), ("http://a/2", "again")]
