"""Real templates read right (made-up look-alikes of markup seen on real sites): channel roots that
only redirect, list rows whose link holds no text or opens by script, dates inside link text and in
labelled cells of card layouts, unlabelled date lines under a title, 文号 of every common form, a
policy that cites others inline, profile and article pages linked from menus, forwarded notices.

Pages go through the crawler's own extraction (crawler.extract: text, links with their tags) into a
real store, so the audits read them as they read a crawl."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from audits import blank_column, policy_unexplained, stale_column
from audits._columns import discover
from audits._policy import parse_policy
from crawler.extract import extract
from tests.support.profiles import write_profile
from zhaocuo.core.context import AuditContext
from zhaocuo.core.dates import page_date, title_line_date
from zhaocuo.core.htmlheur import article_title
from zhaocuo.core.profile import Profile, load_profile
from zhaocuo.core.store import Crawl, Link, Page, SQLiteStore

BASE = "http://www.test.gov.cn"
AS_OF = date(2026, 11, 27)
NAV = [("首页", "/"), ("工作动态", "/gzdt/"), ("通知公告", "/tzgg/"), ("政务公开", "/zwgk/")]


def ago(days: int) -> str:
    return (AS_OF - timedelta(days=days)).isoformat()


def page(title: str, body: str, nav: list[tuple[str, str]] | None = None, head: str = "") -> str:
    menu = "".join(f'<li><a href="{h}">{n}</a></li>' for n, h in (nav or NAV))
    return (f'<html><head><meta charset="utf-8"><title>{title}_测试区人民政府</title>{head}</head><body>'
            f'<div class="nav"><ul>{menu}</ul></div><div class="main">{body}</div>'
            '<div class="foot">主办：测试区人民政府办公室</div></body></html>')


def rows(items: list[tuple[str, str, str]]) -> str:
    return "<ul class='list'>" + "".join(f"<li><a href='{u}' title='{t}'>{t}</a><span>{d}</span></li>"
                                         for u, t, d in items) + "</ul>"


def build(tmp_path: Path, pages: dict[str, str], extra: dict[str, Any] | None = None) -> tuple[Crawl, Profile]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    profile = load_profile(write_profile(tmp_path, {"site": {"name": "测试区", "start_urls": [BASE + "/"]},
                                                    **(extra or {})}))
    store = SQLiteStore(tmp_path / "crawl.sqlite")
    run_id, _ = store.begin_run()
    for depth, (path, html) in enumerate(pages.items()):
        url = BASE + path
        ex = extract(html, url)
        store.add_page(run_id, Page(url=url, status=200, final_url=url, content_type="text/html", kind="html",
                                    title=ex.title, text=ex.text, html=html, content_hash=str(depth), depth=min(depth, 2)))
        store.add_links(run_id, [Link(url, t, a, g) for t, a, g in dict.fromkeys(ex.links)])
    store.finish_run(run_id, "complete", {})
    return store.crawl(), profile


def home() -> str:
    return page("首页", rows([("/gzdt/ywyw/1.html", "区长调研重点项目", ago(2))]))


def test_meta_refresh_and_script_redirect_roots_are_not_blank_columns(tmp_path: Path) -> None:
    refresh = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
               '<meta http-equiv="Refresh" content="0;URL=./ywyw/"></head></html>')
    script = "<html><head><script>window.location.href='./gsgg/';</script></head><body></body></html>"
    elsewhere = ("<html><head><script>var lm=\"通知公告\"\nif(lm==\"通知公告\"){document.write('<meta http-equiv="
                 "\"Refresh\" content=\"0;URL=http://other.test.gov.cn/tzgg/\" />');}</script></head></html>")
    pages = {"/": home(), "/gzdt/": refresh, "/zwgk/": script, "/tzgg/": elsewhere,
             "/gzdt/ywyw/": page("要闻要闻", rows([("/gzdt/ywyw/1.html", "区长调研重点项目", ago(2)),
                                                 ("/gzdt/ywyw/2.html", "区政府常务会议召开", ago(9))])),
             "/zwgk/gsgg/": page("公示公告", rows([("/zwgk/gsgg/1.html", "拟任职干部公示公告", ago(20))]))}
    crawl, profile = build(tmp_path, pages)
    assert list(blank_column.audit(AuditContext(crawl, profile, AS_OF))) == []
    cols = {c.url: c for c in discover(AuditContext(crawl, profile, AS_OF)).columns}
    assert BASE + "/gzdt/" not in cols and BASE + "/zwgk/" not in cols and BASE + "/tzgg/" not in cols
    landed = cols[BASE + "/gzdt/ywyw/"]
    assert landed.count == 2 and "nav" in landed.sources  # the menu's 工作动态 lands on the real list
    assert cols[BASE + "/zwgk/gsgg/"].count == 1


def test_rows_with_image_only_empty_or_script_links_keep_their_dates(tmp_path: Path) -> None:
    body = ("<ul class='list'>"
            f"<li><a href='/tzgg/1.html'><img src='/i/1.jpg'></a><p>关于春节假期安排的通知</p><span>{ago(3)}</span></li>"
            f"<li><a href='/tzgg/2.html'></a><b>关于开展安全检查的通知</b><span>{ago(10)}</span></li>"
            f"<li><a href='javascript:;' title='关于征集意见建议的公告'>关于征集意见建议的公告</a><span>{ago(40)}</span></li>"
            f"<li><a href='javascript:void(0)' onclick='openArt(9)'>关于调整办公时间的通知</a><span>{ago(60)}</span></li>"
            "</ul>")
    crawl, profile = build(tmp_path, {"/": home(), "/tzgg/": page("通知公告", body)})
    col = next(c for c in discover(AuditContext(crawl, profile, AS_OF)).columns if c.url == BASE + "/tzgg/")
    assert col.count == 4 and col.newest is not None and col.newest.date.isoformat() == ago(3)
    titles = {i.title for i in col.items.values()}
    assert "关于春节假期安排的通知" in titles and "关于开展安全检查的通知" in titles
    # menus and pagers opened by script are not items
    nav_js = page("通知公告", body.replace("</ul>", "<li><a href='javascript:;'>更多通知公告内容</a></li></ul>"))
    crawl2, _ = build(tmp_path / "b", {"/": home(), "/tzgg/": nav_js})
    assert next(c for c in discover(AuditContext(crawl2, profile, AS_OF)).columns if c.url == BASE + "/tzgg/").count == 4


def test_dates_inside_card_links_and_labelled_cells(tmp_path: Path) -> None:
    cards = "<ul>" + "".join(
        f"<a href='/gzdt/{i}.html' class='box'><img src='/i/{i}.jpg'><h3>[图]示例学校开展活动第{i}次({ago(i * 5)})</h3>"
        f"<p>示例学校开展活动第{i}次</p></a>" for i in range(1, 4)) + "</ul>"
    labelled = "<ul>" + "".join(
        f"<li><a href='/tzgg/{i}.html'><h2>示例工作情况报告{i}</h2><div class='note'><div>现将工作情况报告如下……</div>"
        f"<p><i>主题分类：教育</i><i class='date'>日间：{ago(i * 7)} </i></p></div></a></li>" for i in range(1, 4)) + "</ul>"
    crawl, profile = build(tmp_path, {"/": home(), "/gzdt/": page("工作动态", cards), "/tzgg/": page("通知公告", labelled)})
    cols = {c.url: c for c in discover(AuditContext(crawl, profile, AS_OF)).columns}
    gzdt, tzgg = cols[BASE + "/gzdt/"], cols[BASE + "/tzgg/"]
    assert gzdt.count == 3 and gzdt.newest.date.isoformat() == ago(5)  # type: ignore[union-attr]
    assert gzdt.items[BASE + "/gzdt/1.html"].title == "[图]示例学校开展活动第1次"
    assert tzgg.count == 3 and tzgg.newest.date.isoformat() == ago(7)  # type: ignore[union-attr]
    # A day named in the title is not when the row was posted: that row is dated by its article.
    named = rows([]).replace("</ul>", "<li><a href='/tzgg/9.html'>2024年3月5日区长接待日安排</a></li></ul>")
    crawl2, _ = build(tmp_path / "b", {"/": home(), "/tzgg/": page("通知公告", named)})
    assert next(c for c in discover(AuditContext(crawl2, profile, AS_OF)).columns if c.url == BASE + "/tzgg/").dated == []


def test_unlabelled_date_line_under_the_title() -> None:
    html = "<html><head><title>示例单位召开工作会议_测试区</title></head><body></body></html>"
    text = "首页\n示例单位召开工作会议\n2020-09-01 14:54:50\n会议强调……\n2019-01-01"
    assert title_line_date(html, text) == date(2020, 9, 1)
    assert page_date(html, text, BASE + "/a/b.html") == date(2020, 9, 1)
    # a list page's rows carry dates too, but none under the page's title line
    listing = "首页\n通知公告\n关于A的通知\n2020-09-01\n关于B的通知\n2020-08-01"
    assert title_line_date("<title>列表_测试区</title>", listing) is None
    assert article_title("<meta name='ArticleTitle' content='示例标题'><h1>别的</h1>", "站点") == "示例标题"
    assert article_title("<h1><a href='/'><img alt='logo'></a></h1><h1>示例文章标题</h1>", "示例网站") == "示例文章标题"
    assert article_title("", "示例文章标题_测试区人民政府") == "示例文章标题"


def policy_page(title: str, body: str) -> Page:
    html = f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"
    ex = extract(html, BASE + "/zcwj/1.html")
    return Page(url=BASE + "/zcwj/1.html", status=200, title=ex.title, text=ex.text, html=html)


def test_document_numbers_of_every_common_form() -> None:
    cases = {
        "<p>国令第707号</p>": "国令第707号",
        "<p>中华人民共和国国务院令第588号</p>": "中华人民共和国国务院令第588号",
        "<p>国发〔2024〕5号</p>": "国发〔2024〕5号",
        "<p>鲁政办字〔2024〕12号</p>": "鲁政办字〔2024〕12号",
        "<p>鲁政发〔2024〕第5号</p>": "鲁政发〔2024〕5号",
        "<p>测政规[2023]3号</p>": "测政规〔2023〕3号",
    }
    for body, no in cases.items():
        doc = parse_policy(policy_page("示例管理办法", f"{body}<p>发布日期：2024-03-05</p><p>第一条 为规范管理……</p>"))
        assert doc is not None and doc.doc_no == no, body
    prefixed = parse_policy(policy_page("苏发改服价发[2018]1348号省发展改革委关于示例收费减免的通知",
                                        "<p>【信息发布时间：2019-05-31】</p>"))
    assert prefixed is not None and prefixed.doc_no == "苏发改服价发〔2018〕1348号"
    assert prefixed.title == "省发展改革委关于示例收费减免的通知" and str(prefixed.published) == "2019-05-31"


def test_policy_citing_documents_inline_is_a_policy_and_a_list_of_documents_is_not() -> None:
    citing = ("<p>测政发〔2024〕3号</p><p>发布日期：2024-03-05</p><p>为贯彻落实国发〔2023〕1号、鲁政发〔2023〕2号和"
              "市政发〔2023〕9号文件精神，结合本区实际，现就进一步做好示例工作提出如下意见，请各单位认真贯彻执行。</p>")
    doc = parse_policy(policy_page("关于进一步做好示例工作的意见", citing))
    assert doc is not None and doc.doc_no == "测政发〔2024〕3号"
    listing = "".join(f"<p><a href='/zcwj/{i}.html'>关于示例事项{i}的通知 测政办发〔2024〕{i}号</a> 2024-03-0{i}</p>"
                      for i in range(1, 5))
    assert parse_policy(policy_page("政策文件", f"<p>发布日期：2024-03-05</p>{listing}")) is None


def test_profile_and_article_pages_linked_from_menus_are_not_columns(tmp_path: Path) -> None:
    nav = [*NAV, ("领导简介", "/ldjj/"), ("区情概况", "/qqgk/2024/03/05/art_1.html")]
    pages = {"/": page("首页", rows([("/gzdt/1.html", "区长调研", ago(2))]), nav=nav),
             "/ldjj/": page("领导简介", "<h2>张示例</h2><p>区长，负责区政府全面工作。</p>", nav=nav),
             "/qqgk/2024/03/05/art_1.html": page("区情概况", "<p>发布日期：2024-03-05</p><p>示例区位于……</p>", nav=nav),
             "/gzdt/": page("工作动态", rows([("/gzdt/1.html", "区长调研", ago(2))]), nav=nav)}
    crawl, profile = build(tmp_path, pages)
    urls = {c.url for c in discover(AuditContext(crawl, profile, AS_OF)).columns}
    assert BASE + "/gzdt/" in urls
    assert BASE + "/ldjj/" not in urls and BASE + "/qqgk/2024/03/05/art_1.html" not in urls
    assert list(stale_column.audit(AuditContext(crawl, profile, AS_OF))) == []


def test_forwarded_higher_level_notice_needs_no_interpretation(tmp_path: Path) -> None:
    own = page("测试区示例资金管理办法", "<p>测政发〔2024〕3号</p><p>发布日期：2024-03-05</p><p>第一条 为规范……</p>")
    forwarded = page("关于转发《省人社厅关于示例补贴发放工作的通知》的通知",
                     "<p>测人社发〔2024〕4号</p><p>发布日期：2024-03-06</p><p>现将《省人社厅关于示例补贴发放工作的通知》"
                     "转发给你们，请遵照执行。</p>")
    crawl, profile = build(tmp_path, {"/": home(), "/zcwj/1.html": own, "/zcwj/2.html": forwarded})
    found = list(policy_unexplained.audit(AuditContext(crawl, profile, AS_OF)))
    assert [f.url for f in found] == [BASE + "/zcwj/1.html"]


def test_breadcrumbs_with_a_separate_label_or_dash_separators_name_the_column(tmp_path: Path) -> None:
    label_apart = ("<div class='ewb-loc'><span>当前位置：</span><a href='/'>首页</a> <span>&gt;</span>"
                   "<a href='/xwzx/'>新闻动态</a> <span>&gt;</span><span class='cur'>通知公告</span></div>")
    dashes = "<div class='dq'>当前位置： <a href='/'>首页</a> - <a href='/jgsz/'>机构设置</a> - 科室动态</div>"
    crawl, profile = build(tmp_path, {
        "/": home(),
        "/tzgg/": page("列表页", label_apart + rows([("/tzgg/1.html", "关于示例事项的通知", ago(3))])),
        "/gzdt/": page("列表页", dashes + rows([("/gzdt/1.html", "示例科室开展活动", ago(3))]))})
    names = {c.url: c.name for c in discover(AuditContext(crawl, profile, AS_OF)).columns}
    assert names[BASE + "/tzgg/"] == "通知公告" and names[BASE + "/gzdt/"] == "科室动态"
