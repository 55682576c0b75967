"""stale_column, blank_column and stale_homepage at their edges, on stored crawls."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from audits import blank_column, stale_column, stale_homepage
from tests.support.columnsite import AS_OF, BASE, NAV, ago, build, homepage, layout, list_page
from zhaocuo.core.context import AuditContext
from zhaocuo.core.store import Crawl


def site(gzdt_days: int = 3, tzgg_days: int = 30, rsxx_days: int = 100, home_days: int = 2,
         zcwj: str | None = None) -> dict[str, str]:
    return {
        "/": homepage([("/gzdt/1.html", "最新动态", ago(home_days))]),
        "/gzdt/": list_page("工作动态", "/gzdt/", [("/gzdt/1.html", "最新动态", ago(gzdt_days)),
                                                   ("/gzdt/0.html", "旧动态", ago(gzdt_days + 30))]),
        "/tzgg/": list_page("通知公告", "/tzgg/", [("/tzgg/1.html", "通知", ago(tzgg_days))]),
        "/rsxx/": list_page("人事信息", "/rsxx/", [("/rsxx/1.html", "任免", ago(rsxx_days))]),
        "/zcwj/": zcwj or list_page("政策文件", "/zcwj/", [("/zcwj/1.html", "办法", ago(10))]),
        "/sitemap.html": layout("<p>网站地图</p>", "网站地图"),
        "/wza/": layout("", "无障碍"),
    }


def stale(tmp_path: Path, pages: dict[str, str], **profile) -> dict[str, object]:
    crawl, prof = build(tmp_path, pages, profile)
    return {f.column: f for f in stale_column.audit(AuditContext(crawl, prof, AS_OF))}


def test_dynamic_column_at_13_14_and_15_days(tmp_path: Path) -> None:
    assert stale(tmp_path / "a", site(gzdt_days=13)) == {}
    assert stale(tmp_path / "b", site(gzdt_days=14)) == {}  # "超过两周": 14 days is still in time
    found = stale(tmp_path / "c", site(gzdt_days=15))
    assert set(found) == {"工作动态"}
    f = found["工作动态"]
    assert f.url == BASE + "/gzdt/" and f.severity == "high" and f.extra["days_since_update"] == 15
    assert f.extra["max_age_days"] == 14 and "15天" in f.message and ago(15) in f.message


def test_notice_and_personnel_columns_use_their_own_periods(tmp_path: Path) -> None:
    assert stale(tmp_path / "a", site(tzgg_days=180, rsxx_days=365)) == {}
    found = stale(tmp_path / "b", site(tzgg_days=181, rsxx_days=366))
    assert {c: f.extra["max_age_days"] for c, f in found.items()} == {"通知公告": 180, "人事信息": 365}


def test_newest_item_on_the_second_page_is_not_stale(tmp_path: Path) -> None:
    pager = '<div class="page"><a href="/gzdt/index_1.html">下一页</a></div>'
    pages = site()
    pages["/gzdt/"] = list_page("工作动态", "/gzdt/", [("/gzdt/0.html", "置顶旧闻", ago(200))], pager)
    pages["/gzdt/index_1.html"] = list_page("工作动态", "/gzdt/", [("/gzdt/1.html", "最新动态", ago(5))])
    assert stale(tmp_path, pages) == {}


def test_a_column_of_no_class_has_no_rule_unless_configured(tmp_path: Path) -> None:
    nav = [*NAV, ("专题专栏", "/ztzl/")]
    pages = site()
    pages["/"] = layout(pages["/"].split('<div class="main">')[1], "首页", nav=nav)
    pages["/ztzl/"] = list_page("专题专栏", "/ztzl/", [("/ztzl/1.html", "创城专题", ago(900))])
    assert stale(tmp_path / "a", pages) == {}
    found = stale(tmp_path / "b", pages, columns={"max_age_days": {"专题专栏": 365, "工作动态": 2}})
    assert set(found) == {"专题专栏", "工作动态"} and found["工作动态"].extra["max_age_days"] == 2


def test_summary_counts_against_the_veto_threshold(tmp_path: Path) -> None:
    crawl, prof = build(tmp_path, site(gzdt_days=20, tzgg_days=200, rsxx_days=400))
    found = list(stale_column.audit(AuditContext(crawl, prof, AS_OF)))
    s = stale_column.summary(AuditContext(crawl, prof, AS_OF), found)
    assert s["count"] == 3 and s["veto_threshold"] == 5 and s["veto"] is False and s["columns_found"] == 4
    by_name = {c["name"]: c for c in s["columns"]}
    assert by_name["工作动态"] == {"name": "工作动态", "url": BASE + "/gzdt/", "items": 2, "pages": 1,
                                 "newest_date": ago(20), "max_age_days": 14, "blank": False, "stale": True}
    assert by_name["政策文件"]["stale"] is False and by_name["政策文件"]["max_age_days"] == 180


def test_blank_columns_and_navigation_that_is_not_a_column(tmp_path: Path) -> None:
    empty_list = layout('<ul class="list"></ul><p>暂无信息</p>', "政策文件", [("政策文件", "/zcwj/")])
    crawl, prof = build(tmp_path, site(zcwj=empty_list))
    found = list(blank_column.audit(AuditContext(crawl, prof, AS_OF)))
    assert [(f.column, f.url) for f in found] == [("政策文件", BASE + "/zcwj/")]
    assert "暂无信息" in found[0].message and found[0].severity == "high"
    s = blank_column.summary(AuditContext(crawl, prof, AS_OF), found)
    assert s == {"count": 1, "veto_threshold": 5, "veto": False, "unreadable": []}
    assert list(stale_column.audit(AuditContext(crawl, prof, AS_OF))) == []  # a blank column is not also "stale"


def test_five_blank_columns_reach_the_veto(tmp_path: Path) -> None:
    names = [("栏目一", "/l1/"), ("栏目二", "/l2/"), ("栏目三", "/l3/"), ("栏目四", "/l4/"), ("栏目五", "/l5/")]
    nav = [("首页", "/"), *names]
    pages = {"/": layout("", "首页", nav=nav)}
    pages.update({h: layout("<p>暂无信息</p>", n, [(n, h)], nav=nav) for n, h in names})
    crawl, prof = build(tmp_path, pages)
    found = list(blank_column.audit(AuditContext(crawl, prof, AS_OF)))
    assert len(found) == 5 and blank_column.summary(AuditContext(crawl, prof, AS_OF), found)["veto"] is True


def test_homepage_at_13_and_15_days(tmp_path: Path) -> None:
    crawl, prof = build(tmp_path / "a", site(home_days=13, gzdt_days=13))
    assert list(stale_homepage.audit(AuditContext(crawl, prof, AS_OF))) == []
    assert stale_homepage.summary(AuditContext(crawl, prof, AS_OF), [])["days_since_update"] == 13
    crawl, prof = build(tmp_path / "b", site(home_days=15, gzdt_days=15))
    (f,) = stale_homepage.audit(AuditContext(crawl, prof, AS_OF))
    assert f.severity == "veto" and f.url == BASE + "/" and f.extra["days_since_update"] == 15
    assert stale_homepage.summary(AuditContext(crawl, prof, AS_OF), [f])["veto"] is True


def test_homepage_dated_through_its_linked_articles(tmp_path: Path) -> None:
    """No dates printed on the homepage: the linked articles' own 发布日期 count."""
    from tests.support.columnsite import article

    pages = {"/": layout('<div class="focus"><a href="/gzdt/9.html">焦点新闻</a></div>', "首页"),
             "/gzdt/9.html": article("工作动态", "/gzdt/", "焦点新闻", ago(4))}
    crawl, prof = build(tmp_path, pages)
    assert list(stale_homepage.audit(AuditContext(crawl, prof, AS_OF))) == []
    assert stale_homepage.summary(AuditContext(crawl, prof, AS_OF), [])["newest_date"] == ago(4)


def test_homepage_with_nothing_dated_is_no_evidence(tmp_path: Path) -> None:
    crawl, prof = build(tmp_path, {"/": layout("<p>欢迎访问</p>", "首页")})
    assert list(stale_homepage.audit(AuditContext(crawl, prof, AS_OF))) == []
    assert stale_homepage.summary(AuditContext(crawl, prof, AS_OF), [])["newest_date"] is None


def test_no_homepage_verdict_when_the_homepage_was_not_fetched(tmp_path: Path) -> None:
    pages = site(gzdt_days=40)
    crawl, prof = build(tmp_path, pages, statuses={"/": 500})
    assert list(stale_homepage.audit(AuditContext(crawl, prof, AS_OF))) == []
    assert stale_homepage.summary(AuditContext(crawl, prof, AS_OF), [])["newest_date"] is None


def test_script_built_pages_the_crawl_did_not_render_are_not_judged(tmp_path: Path) -> None:
    """Static placeholders of a page filled by $.ajax say nothing about its freshness."""
    ajax = '<script>$.ajax({url: "/api/news", success: fill});</script>'
    pages = site(gzdt_days=40, home_days=40)
    pages["/"] = pages["/"].replace("</body>", ajax + "</body>")
    pages["/gzdt/"] = pages["/gzdt/"].replace("</body>", ajax + "</body>")
    crawl, prof = build(tmp_path / "a", pages)
    assert list(stale_homepage.audit(AuditContext(crawl, prof, AS_OF))) == []
    assert stale_homepage.summary(AuditContext(crawl, prof, AS_OF), [])["script_built_unrendered"] is True
    assert "工作动态" not in {f.column for f in stale_column.audit(AuditContext(crawl, prof, AS_OF))}
    crawl, prof = build(tmp_path / "b", pages, rendered={"/", "/gzdt/"})  # rendered: judged as usual
    assert len(list(stale_homepage.audit(AuditContext(crawl, prof, AS_OF)))) == 1
    assert "工作动态" in {f.column for f in stale_column.audit(AuditContext(crawl, prof, AS_OF))}


def test_dates_after_as_of_count_up_to_the_crawl_day_only(tmp_path: Path) -> None:
    """Re-auditing an older night: items posted after it but before the crawl are real (the
    column was updated); a date after the crawl itself is a typo and is ignored."""
    from datetime import timedelta

    pages = site()
    pages["/gzdt/"] = list_page("工作动态", "/gzdt/", [("/gzdt/1.html", "新动态", ago(3)), ("/gzdt/0.html", "旧", ago(40))])
    typo = (AS_OF + timedelta(days=30)).isoformat()
    pages["/tzgg/"] = list_page("通知公告", "/tzgg/", [("/tzgg/1.html", "日期写错的通知", typo),
                                                   ("/tzgg/0.html", "旧通知", ago(200))])
    crawl, prof = build(tmp_path, pages)
    run = dataclasses.replace(crawl.run, started_at=f"{AS_OF}T01:00:00+00:00", finished_at=f"{AS_OF}T02:00:00+00:00")
    crawl = Crawl(crawl.store, run)  # crawled on AS_OF
    earlier = AS_OF - timedelta(days=10)
    found = {f.column: f for f in stale_column.audit(AuditContext(crawl, prof, earlier))}
    assert "工作动态" not in found  # its 3-days-ago item was posted after `earlier`, before the crawl
    assert found["通知公告"].extra["newest_date"] == ago(200)


def test_an_empty_page_reached_only_by_a_pager_is_not_a_blank_column(tmp_path: Path) -> None:
    pager = '<div class="page"><a href="/search/result_3.html">下一页</a></div>'
    pages = site()
    pages["/search/result_2.html"] = layout(f"<p>没有相关信息</p>{pager}", "检索结果")
    crawl, prof = build(tmp_path, pages)
    assert list(blank_column.audit(AuditContext(crawl, prof, AS_OF))) == []


def test_findings_name_pages_by_the_stored_urls(tmp_path: Path) -> None:
    """The lifecycle calls a finding fixed only when its url was fetched again: findings must
    carry the store's URLs, not a normalised spelling of them."""
    pages = site(home_days=20, gzdt_days=20)
    pages[""] = pages.pop("/")  # stored as "http://www.test.gov.cn", without the slash
    crawl, prof = build(tmp_path, pages)
    (home,) = stale_homepage.audit(AuditContext(crawl, prof, AS_OF))
    assert home.url == BASE and crawl.page(home.url) is not None
    (col,) = [f for f in stale_column.audit(AuditContext(crawl, prof, AS_OF)) if f.column == "工作动态"]
    assert crawl.page(col.url) is not None


def test_a_column_reached_as_dir_and_as_index_html_is_counted_once(tmp_path: Path) -> None:
    pages = site(tzgg_days=200)
    pages["/tzgg/index.html"] = pages["/tzgg/"].replace('href="/tzgg/"', 'href="/tzgg/index.html"')
    crawl, prof = build(tmp_path, pages)
    assert [f.column for f in stale_column.audit(AuditContext(crawl, prof, AS_OF))].count("通知公告") == 1
