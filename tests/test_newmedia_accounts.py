"""New-media accounts end to end through the gatherer: rendered platform pages → stored posts → audit.

One loopback server mimics each platform's public page (lists built with fetch()); the
gatherer renders them with the real Chromium, the audit judges the stored records.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from audits import newmedia_stale
from crawler.newmedia import gather
from crawler.newmedia.posts import now_beijing
from tests.support import newmedia_pages as pages
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route
from zhaocuo.core.context import AuditContext
from zhaocuo.core.profile import load_profile
from zhaocuo.core.store import Page, SQLiteStore

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)

ACCOUNTS = [
    # name, path, platform, unit
    ("微信文章-新", "/wx1/s/article", "wechat", "区委宣传部"),
    ("微信合集-旧", "/wx2/mp/appmsgalbum", "auto", "区融媒体中心"),
    ("微博-新", "/wb1/u/1234567890", "weibo", "区委宣传部"),
    ("微博-旧", "/wb2/u/1234567890", "weibo", "区应急局"),
    ("抖音-新", "/dy1/user/MS4wLjABAAAA", "douyin", "区文旅局"),
    ("抖音-旧", "/dy2/user/MS4wLjABAAAA", "douyin", "区文旅局"),
    ("头条-新", "/tt1/c/user/token/MS4wLjAB", "toutiao", "区政府办"),
    ("通用-旧", "/gen/list", "generic", "区教体局"),
    ("无日期", "/nd/page", "auto", "区司法局"),
    ("打不开", "/gone", "auto", "区民政局"),
    ("卡死", "/hang", "auto", "区卫健局"),
]


@pytest.fixture(scope="module")
def gathered(tmp_path_factory: pytest.TempPathFactory):
    today = now_beijing().date()
    old = (today - timedelta(days=40)).isoformat()
    routes: dict[str, object] = {}
    routes.update(pages.wechat_article("/wx1", age_days=2))
    routes.update(pages.wechat_album("/wx2", ages=[20, 35, 60]))
    routes.update(pages.weibo_mobile("/wb1", ["3小时前", "昨天 10:21", "2023-05-01"]))
    routes.update(pages.weibo_mobile("/wb2", [(today - timedelta(days=30)).strftime("%Y-%m-%d"), "2023-01-02"]))
    routes.update(pages.douyin_user("/dy1", ages=[1, 9]))
    routes.update(pages.douyin_user("/dy2", ages=[16, 40]))
    routes.update(pages.toutiao_user("/tt1", ["5天前", "2023-11-15"]))
    routes.update(pages.generic_list("/gen", [old, "2020-01-01"], typo="关于布署冬季防火工作的通知"))
    routes.update(pages.undated("/nd"))
    routes["/gone"] = Route(404, "<html><body>页面不存在</body></html>")
    routes["/hang"] = pages.never_loads(30)
    tmp = tmp_path_factory.mktemp("nm")
    with LoopbackServer(routes) as srv:
        profile_path = write_profile(tmp, {
            "site": {"start_urls": [srv.url("/")]},
            "crawl": {"render_timeout_s": 6},
            "units": [{"name": u} for u in sorted({a[3] for a in ACCOUNTS if a[3]})],
            "newmedia": [{"name": n, "url": srv.url(p), "platform": pf, "unit": u} for n, p, pf, u in ACCOUNTS],
        })
        profile = load_profile(profile_path)
        store = SQLiteStore(tmp / "nm.sqlite")
        run_id, _ = store.begin_run("t")
        # The site crawl already stored this address as one of the site's pages: it stays as crawled.
        store.add_page(run_id, Page(url=srv.url("/tt1/c/user/token/MS4wLjAB"), kind="html", text="站点抓取的版本"))
        stats = gather(profile, store, run_id, progress=False)
        store.finish_run(run_id, "complete", stats)
        yield profile, store, stats, srv, today
    store.close()


def _accounts(store: SQLiteStore) -> dict[str, dict]:
    return {a["account"]: a for a in store.crawl().records("newmedia_account").values()}


def test_every_platform_yields_its_posts_only_after_rendering(gathered) -> None:
    profile, store, stats, srv, today = gathered
    acc = _accounts(store)
    assert stats["newmedia_accounts"] == len(ACCOUNTS)
    assert acc["微信文章-新"]["platform"] == "wechat" and acc["微信文章-新"]["posts"] == 1
    assert acc["微信文章-新"]["newest"] == (today - timedelta(days=2)).isoformat()
    assert acc["微信合集-旧"]["platform"] == "wechat"  # detected from the page, platform = "auto"
    assert acc["微信合集-旧"]["posts"] == 3 and acc["微信合集-旧"]["newest"] == (today - timedelta(days=20)).isoformat()
    assert acc["微博-新"]["posts"] == 3
    assert acc["微博-新"]["newest"] in (today.isoformat(), (today - timedelta(days=1)).isoformat())  # "3小时前"
    assert acc["抖音-新"]["newest"] == (today - timedelta(days=1)).isoformat()  # from the video id
    assert acc["抖音-旧"]["newest"] == (today - timedelta(days=16)).isoformat()
    assert acc["头条-新"]["newest"] == (today - timedelta(days=5)).isoformat()
    assert acc["通用-旧"]["posts"] == 2 and acc["通用-旧"]["newest"] == (today - timedelta(days=40)).isoformat()
    posts = [p for p in store.crawl().records("newmedia_post").values() if p["account"] == "微博-新"]
    assert {p["url"] for p in posts} == {srv.url(f"/wb1/status/49{i:014d}") for i in range(3)}
    assert all(set(p) >= {"account", "title", "date", "url", "platform"} for p in posts)


def test_account_pages_are_stored_rendered_with_their_text_and_links(gathered) -> None:
    profile, store, stats, srv, today = gathered
    crawl = store.crawl()
    page = crawl.page(srv.url("/wx1/s/article"))
    assert page is not None and page.kind == "newmedia" and page.rendered
    assert "为进一步做好疫情防控工作" in page.text  # #js_content, filled by fetch()
    assert page.title == "关于做好冬季安全生产工作的通知"
    gen = crawl.page(srv.url("/gen/list"))
    assert gen is not None and "关于布署冬季防火工作的通知" in gen.text  # proofread by the text audits
    targets = {lk.target for lk in crawl.links_from(srv.url("/wx1/s/article"))}
    assert srv.url("/wx1/files/notice-2.html") in targets  # checked by the link checker after us
    assert srv.url("/gen/posts/0.html") in {lk.target for lk in crawl.links_from(srv.url("/gen/list"))}
    assert all(p.kind == "newmedia" for p in crawl.pages(kinds=["newmedia"]))
    site_page = crawl.page(srv.url("/tt1/c/user/token/MS4wLjAB"))
    assert site_page is not None and (site_page.kind, site_page.text) == ("html", "站点抓取的版本")
    # A failed account page keeps no text or links: a platform's error page is not the account's content.
    gone = crawl.page(srv.url("/gone"))
    assert gone is not None and gone.error == "HTTP 404" and gone.text == "" and crawl.links_from(srv.url("/gone")) == []


def test_broken_and_hung_accounts_are_recorded_without_stopping_the_others(gathered) -> None:
    profile, store, stats, srv, today = gathered
    acc = _accounts(store)
    assert acc["打不开"]["ok"] is False and acc["打不开"]["error"] == "HTTP 404"
    assert acc["卡死"]["ok"] is False and "超时" in acc["卡死"]["error"]
    assert stats["newmedia_failed"] == 2 and stats["newmedia_ok"] == len(ACCOUNTS) - 2
    assert acc["无日期"]["ok"] is True and acc["无日期"]["dated_posts"] == 0


def test_stale_accounts_are_vetoed_and_fresh_ones_left_alone(gathered) -> None:
    profile, store, stats, srv, today = gathered
    findings = list(newmedia_stale.audit(AuditContext(store.crawl(), profile, today)))
    by_account = {f.extra["account"]: f for f in findings}
    stale = {n for n, f in by_account.items() if f.extra["kind"] == "stale"}
    assert stale == {"微信合集-旧", "微博-旧", "抖音-旧", "通用-旧"}
    for name in stale:
        f = by_account[name]
        assert f.severity == "veto" and f.url == srv.url(dict((a[0], a[1]) for a in ACCOUNTS)[name])
        assert f.unit == dict((a[0], a[3]) for a in ACCOUNTS)[name]
        assert "未更新" in f.message
    assert by_account["抖音-旧"].extra["age_days"] == 16
    assert by_account["打不开"].extra["kind"] == "unreachable" and by_account["打不开"].severity == "high"
    assert by_account["卡死"].extra["kind"] == "unreachable"
    assert by_account["无日期"].extra["kind"] == "undated" and by_account["无日期"].severity == "high"
    for fresh in ("微信文章-新", "微博-新", "抖音-新", "头条-新"):
        assert fresh not in by_account


def test_a_missing_browser_judges_no_account(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHAOCUO_CHROMIUM", str(tmp_path / "no-chromium"))
    profile = load_profile(write_profile(tmp_path, {
        "site": {"start_urls": ["http://127.0.0.1:9/"]},
        "units": [{"name": "区委宣传部"}],
        "newmedia": [{"name": "临淄发布", "url": "http://127.0.0.1:9/wb", "platform": "weibo", "unit": "区委宣传部"}],
    }))
    store = SQLiteStore(tmp_path / "x.sqlite")
    run_id, _ = store.begin_run("t")
    stats = gather(profile, store, run_id, progress=False)
    store.finish_run(run_id, "complete", stats)
    assert "浏览器无法启动" in stats["newmedia_error"]
    assert store.crawl().records("newmedia_account") == {}  # not the units' fault: nothing to report to them
    assert list(newmedia_stale.audit(AuditContext(store.crawl(), profile, now_beijing().date()))) == []
    store.close()
