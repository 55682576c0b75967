"""Column discovery from a stored crawl: navigation, breadcrumbs, dated lists, pagination.

The stores here are filled directly (pages and links as the crawler stores them) so each
rule is pinned without a crawl; tests/test_columns_end_to_end.py crawls real loopback sites.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from audits._columns import discover
from tests.support.columnsite import AS_OF, BASE, NAV, ago, article, build, homepage, layout, list_page
from zhaocuo.core.context import AuditContext


def test_columns_come_from_navigation_with_items_dates_and_counts(tmp_path: Path) -> None:
    pages = {
        "/": homepage([("/gzdt/a1.html", "区长调研", ago(3))]),
        "/gzdt/": list_page("工作动态", "/gzdt/", [("/gzdt/a1.html", "区长调研", ago(3)),
                                                   ("/gzdt/a2.html", "召开会议", ago(20))]),
        "/tzgg/": list_page("通知公告", "/tzgg/", [("/tzgg/b1.html", "停水通知", ago(40))]),
        "/rsxx/": layout("<p>暂无信息</p>", "人事信息", [("人事信息", "/rsxx/")]),
        "/zcwj/": list_page("政策文件", "/zcwj/", []),
        "/sitemap.html": layout("<p>网站地图</p>", "网站地图"),
        "/wza/": layout("", "无障碍"),
    }
    found = discover(AuditContext(*build(tmp_path, pages), AS_OF))
    cols = {c.name: c for c in found.columns}
    assert set(cols) == {"工作动态", "通知公告", "人事信息", "政策文件"}  # 首页, 网站地图, 无障碍 are not columns
    assert cols["工作动态"].count == 2 and cols["工作动态"].newest.date == AS_OF - timedelta(days=3)
    assert cols["工作动态"].url == BASE + "/gzdt/"
    assert cols["通知公告"].newest.url == BASE + "/tzgg/b1.html"
    assert cols["人事信息"].is_blank and cols["人事信息"].blank_marker
    assert cols["政策文件"].is_blank and not cols["政策文件"].blank_marker
    assert not cols["工作动态"].is_blank
    assert found.homepage_items and found.homepage_items[0].date == AS_OF - timedelta(days=3)


def test_pagination_is_followed_through_stored_pages(tmp_path: Path) -> None:
    pager = '<div class="page"><a href="/tzgg/index_1.html">下一页</a><a href="/tzgg/index_1.html">尾页</a></div>'
    pager2 = '<div class="page"><a href="/tzgg/">上一页</a><a href="/tzgg/">首页</a></div>'
    pages = {
        "/": homepage([]),
        "/tzgg/": list_page("通知公告", "/tzgg/", [("/tzgg/x.html", "旧通知", ago(400))], pager),
        "/tzgg/index_1.html": list_page("通知公告", "/tzgg/", [("/tzgg/y.html", "新通知", ago(2))], pager2),
    }
    found = discover(AuditContext(*build(tmp_path, pages), AS_OF))
    (col,) = [c for c in found.columns if c.name == "通知公告"]
    assert col.url == BASE + "/tzgg/"
    assert col.pages == [BASE + "/tzgg/", BASE + "/tzgg/index_1.html"]
    assert col.newest.date == AS_OF - timedelta(days=2)


def test_trs_create_page_html_pager_is_understood(tmp_path: Path) -> None:
    script = '<script>createPageHTML(2, 0, "index", "html");</script>'
    pages = {
        "/": homepage([]),
        "/tzgg/": list_page("通知公告", "/tzgg/", [("/tzgg/x.html", "旧通知", ago(400))], script),
        "/tzgg/index_1.html": list_page("通知公告", "/tzgg/", [("/tzgg/y.html", "新通知", ago(9))]),
    }
    found = discover(AuditContext(*build(tmp_path, pages), AS_OF))
    (col,) = [c for c in found.columns if c.name == "通知公告"]
    assert len(col.pages) == 2 and col.newest.date == AS_OF - timedelta(days=9)


def test_undated_list_rows_take_the_articles_own_date(tmp_path: Path) -> None:
    rows = '<ul class="list"><li><a href="/gzdt/a1.html">区长调研重点项目建设</a></li></ul>'
    pages = {
        "/": homepage([]),
        "/gzdt/": layout(rows, "工作动态", [("工作动态", "/gzdt/")]),
        "/gzdt/a1.html": article("工作动态", "/gzdt/", "区长调研重点项目建设", ago(5)),
    }
    found = discover(AuditContext(*build(tmp_path, pages), AS_OF))
    (col,) = [c for c in found.columns if c.name == "工作动态"]
    assert col.newest is not None and col.newest.date == AS_OF - timedelta(days=5)


def test_articles_reached_by_breadcrumb_date_their_column(tmp_path: Path) -> None:
    """A column whose list is built by script (nothing in the stored list HTML) still gets
    its items from the articles whose breadcrumb names it."""
    pages = {
        "/": layout('<a href="/gzdt/a9.html">一篇动态</a>', "首页"),
        "/gzdt/": layout('<div id="list"></div>', "工作动态", [("工作动态", "/gzdt/")]),
        "/gzdt/a9.html": article("工作动态", "/gzdt/", "一篇动态", ago(1)),
    }
    found = discover(AuditContext(*build(tmp_path, pages), AS_OF))
    (col,) = [c for c in found.columns if c.name == "工作动态"]
    assert col.count == 1 and col.newest.source == "breadcrumb"


def test_a_content_page_is_not_a_blank_column(tmp_path: Path) -> None:
    nav = [*NAV, ("政府信息公开指南", "/gkzn/")]
    guide = layout("<h1>政府信息公开指南</h1><p>为了更好地提供政府信息公开服务，依据《中华人民共和国政府信息公开条例》，"
                   "编制本指南。凡需要获取本机关政府信息的公民、法人或者其他组织可以查阅本指南。</p>",
                   "政府信息公开指南", [("政府信息公开指南", "/gkzn/")], nav=nav)
    pages = {"/": layout("", "首页", nav=nav), "/gkzn/": guide}
    found = discover(AuditContext(*build(tmp_path, pages), AS_OF))
    (col,) = [c for c in found.columns if c.name == "政府信息公开指南"]
    assert not col.is_blank


def test_a_sidebar_of_sibling_columns_does_not_fill_a_blank_column(tmp_path: Path) -> None:
    side = ('<div class="side"><a href="/a/">专题一</a><a href="/b/">专题二</a><a href="/c/">专题三</a>'
            '<a href="/d/">专题四</a></div>')
    nav = [("首页", "/"), ("专题一", "/a/"), ("专题二", "/b/"), ("专题三", "/c/"), ("专题四", "/d/")]
    pages = {"/": layout("", "首页", nav=nav[:1])}
    for name, href in nav[1:]:
        body = side + ("<p>暂无信息</p>" if href == "/d/" else "")
        pages[href] = layout(body, name, [(name, href)], nav=nav)
    found = discover(AuditContext(*build(tmp_path, pages), AS_OF))
    cols = {c.name: c for c in found.columns}
    assert {n for n, c in cols.items() if c.is_blank} == {"专题一", "专题二", "专题三", "专题四"}


def test_an_unrendered_script_built_list_is_not_called_blank(tmp_path: Path) -> None:
    """The stored HTML of a list filled by $.ajax holds only the placeholder: no evidence."""
    script = '<ul id="list"><li>暂无信息</li></ul><script>$.ajax({url: "/api/list", success: fill});</script>'
    pages = {"/": homepage([]), "/tzgg/": layout(script, "通知公告", [("通知公告", "/tzgg/")])}
    (col,) = [c for c in discover(AuditContext(*build(tmp_path / "a", pages), AS_OF)).columns if c.name == "通知公告"]
    assert col.script_built and not col.is_blank
    (col,) = [c for c in discover(AuditContext(*build(tmp_path / "b", pages, rendered={"/tzgg/"}), AS_OF)).columns
              if c.name == "通知公告"]
    assert col.is_blank  # rendered by the browser and still empty: blank


def test_a_landing_page_of_sub_columns_is_not_blank(tmp_path: Path) -> None:
    nav = [("首页", "/"), ("政务公开", "/zwgk/")]
    subs = '<div class="box"><h3><a href="/zwgk/ndbg/">政府信息公开年报</a></h3></div>' \
           '<div class="box"><h3><a href="/zwgk/rsxx/">人事信息</a></h3></div>'
    pages = {
        "/": layout(subs, "首页", nav=nav),
        "/zwgk/": layout(subs, "政务公开", [("政务公开", "/zwgk/")], nav=nav),
        "/zwgk/ndbg/": list_page("政府信息公开年报", "/zwgk/ndbg/", [("/zwgk/ndbg/1.html", "2025年年报", ago(300))]),
        "/zwgk/rsxx/": list_page("人事信息", "/zwgk/rsxx/", [("/zwgk/rsxx/1.html", "任免", ago(30))]),
    }
    cols = {c.name: c for c in discover(AuditContext(*build(tmp_path, pages), AS_OF)).columns}
    assert {"政务公开", "政府信息公开年报", "人事信息"} <= set(cols)
    assert not cols["政务公开"].is_blank


def test_an_article_with_a_related_news_box_is_not_a_column(tmp_path: Path) -> None:
    related = "".join(f'<li><a href="/gzdt/r{i}.html">相关新闻{i}</a><span>{ago(400 + i)}</span></li>' for i in range(3))
    story = layout(f'<h1>区长调研</h1><p>正文。</p><ul class="related">{related}</ul>', "区长调研",
                   [("工作动态", "/gzdt/")])
    pages = {"/": homepage([]),
             "/gzdt/": list_page("工作动态", "/gzdt/", [("/gzdt/a1.html", "区长调研", ago(2))]),
             "/gzdt/a1.html": story}
    cols = discover(AuditContext(*build(tmp_path, pages), AS_OF)).columns
    assert [c.url for c in cols] == [BASE + "/gzdt/"]


def test_dated_rows_in_a_box_called_column_are_items_not_menu_entries(tmp_path: Path) -> None:
    rows = "".join(f'<li><a href="/gzdt/{i}.html">短讯{i}</a><span>{ago(i + 1)}</span></li>' for i in range(3))
    box = f'<div class="column-list"><ul>{rows}</ul></div>'
    pages = {"/": layout(box, "首页"), "/gzdt/": list_page("工作动态", "/gzdt/", [("/gzdt/0.html", "短讯0", ago(1))])}
    pages.update({f"/gzdt/{i}.html": article("工作动态", "/gzdt/", f"短讯{i}", ago(i + 1)) for i in range(3)})
    found = discover(AuditContext(*build(tmp_path, pages), AS_OF))
    assert [c.name for c in found.columns] == ["工作动态"]
    assert not any(n.startswith("短讯") for n in found.nav_names)


def test_a_mailbox_page_with_a_form_is_not_blank(tmp_path: Path) -> None:
    nav = [("首页", "/"), ("区长信箱", "/qzxx/")]
    form = '<form action="/submit"><input type="text" name="t"><textarea name="c"></textarea></form>'
    pages = {"/": layout("", "首页", nav=nav), "/qzxx/": layout(form, "区长信箱", [("区长信箱", "/qzxx/")], nav=nav)}
    (col,) = discover(AuditContext(*build(tmp_path, pages), AS_OF)).columns
    assert col.name == "区长信箱" and not col.is_blank


def test_list_rows_as_sites_write_them(tmp_path: Path) -> None:
    """A category link beside the title, the date inside the link, a day named in a title."""
    rows = (f'<li><a href="/tzgg/">[通知公告]</a><a href="/tzgg/1.html">关于开展冬季安全检查的通知</a>'
            f'<span>{ago(3)}</span></li>'
            f'<li><a href="/tzgg/2.html"><span>关于供暖的公告</span><span>[{ago(5)}]</span></a></li>'
            f'<li><a href="/tzgg/3.html">2025年3月5日区长接待日安排</a></li>')
    pages = {"/": homepage([]),
             "/tzgg/": layout(f'<ul class="list">{rows}</ul>', "通知公告", [("通知公告", "/tzgg/")]),
             "/tzgg/3.html": article("通知公告", "/tzgg/", "2025年3月5日区长接待日安排", ago(8))}
    (col,) = [c for c in discover(AuditContext(*build(tmp_path, pages), AS_OF)).columns if c.name == "通知公告"]
    dates = {u.removeprefix(BASE): (i.date, i.source) for u, i in col.items.items()}
    assert dates == {"/tzgg/1.html": (AS_OF - timedelta(days=3), "list"),
                     "/tzgg/2.html": (AS_OF - timedelta(days=5), "list"),
                     "/tzgg/3.html": (AS_OF - timedelta(days=8), "page")}


def test_the_breadcrumb_is_the_trail_not_a_css_position_class(tmp_path: Path) -> None:
    widget = '<div class="position-relative"><a href="/ztzl/">专题</a></div>'
    page = list_page("通知公告", "/tzgg/", [("/tzgg/1.html", "通知", ago(3))]).replace('<div class="position">',
                                                                                   widget + '<div class="position">')
    found = discover(AuditContext(*build(tmp_path, {"/": homepage([]), "/tzgg/": page}), AS_OF))
    assert [c.name for c in found.columns] == ["通知公告"]
    assert "专题" not in found.nav_names


# A page of chrome and content as the sample reads it: comments, nested and bare elements,
# a script with a pager, text in tails, a label inside a link.
_MIXED = ("<html><head><title>标题</title><script>createPageHTML(3, 0, 'index', 'html')</script></head><body>"
          "<div class='nav'><a href='/a/'>工作动态</a><!-- 注释 --> 尾巴 <a href='/b/'><span>通知</span>公告</a></div>"
          "<p>正文<b>加粗</b>之后</p><ul><li><a href='/c/1.html'>第一条</a> 2024-03-05</li><li></li></ul>"
          "<div class='position'>当前位置：<a href='/'>首页</a> &gt; <a href='/a/'>工作动态</a></div>"
          "<noscript>请开启脚本</noscript></body></html>")


def test_the_template_sample_reads_the_same_blocks_as_a_full_read(tmp_path: Path) -> None:
    from audits._columns import _extract, _page_blocks

    _, profile = build(tmp_path, {"/": homepage([])})
    full = _extract(BASE + "/x.html", 1, "标题", "", _MIXED, profile, AS_OF)
    assert full is not None and "工作动态" in full.blocks and "尾巴" in full.blocks
    assert _page_blocks(_MIXED) == full.blocks
    assert _page_blocks("   ") is None


def test_an_anchors_text_is_read_the_same_with_or_without_children() -> None:
    import lxml.html

    from audits._columns import _text

    doc = lxml.html.fromstring(_MIXED)
    anchors = list(doc.iter("a"))
    assert [_text(a) for a in anchors] == [a.text_content() for a in anchors]
    assert _text(anchors[1]) == "通知公告" and _text(lxml.html.fromstring("<a href='/'></a>")) == ""
