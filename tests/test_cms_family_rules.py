"""The CMS family rules of crawler/cms as pure functions of made-up markup built like the real
systems: 大汉 datastores and their later-group plan, TRS/开普云 pager scripts, 新点 pagination,
last-page links; and the stored records read back (zhaocuo.core.cmsrecords)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from crawler import cms
from crawler.cms import hanweb, paging
from demo.cmssite import HanwebColumn, Record, hanweb_article_url, meta_refresh, trs_list_page
from zhaocuo.core.cmsrecords import GROUP_KIND, LIST_KIND, group_key, read_lists

BASE = "http://www.test.gov.cn"


def column(n: int, **kw: object) -> HanwebColumn:
    day = date(2024, 6, 30)
    recs = [Record(hanweb_article_url(101, 9000 + i, day - timedelta(days=i)), f"示例通知第{i}号", day - timedelta(days=i))
            for i in range(n)]
    return HanwebColumn(101, "通知公告", recs, **kw)  # type: ignore[arg-type]


def test_hanweb_unit_reads_inline_records_setup_and_form() -> None:
    col = column(200)
    units = hanweb.units_of(col.page(), BASE + col.path)
    assert len(units) == 1
    u = units[0]
    assert len(u.records) == 45 and "art_101_9000.html" in u.records[0]
    assert (u.per_page, u.group_size, u.total) == (15, 3, 200)
    assert u.proxy == BASE + "/module/web/jpage/dataproxy.jsp"
    assert [k for k, _ in u.form] == ["col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid",
                                      "webname", "permissiontype"]
    assert u.groups(5000) == 5 and u.groups(100) == 3  # max_records bounds the plan
    url, form = u.post(1)
    assert url.endswith("dataproxy.jsp?startrecord=46&endrecord=90&perpage=15")
    assert "columnid=101" in form and "col=1" in form and "page=" not in form
    assert u.get(2).startswith(BASE + "/module/web/jpage/dataproxy.jsp?startrecord=91&endrecord=135&perpage=15&col=1")


def test_hanweb_without_declared_total_chains_groups_and_short_inline_group_needs_none() -> None:
    u = hanweb.units_of(column(200, declare_total=False).page(), BASE + "/col/col101/index.html")[0]
    assert u.total is None and u.groups(5000) is None  # fetched one after another
    small = hanweb.units_of(column(20, declare_total=False).page(), BASE + "/col/col101/index.html")[0]
    assert small.groups(5000) == 1 and len(small.records) == 20


def test_hanweb_answer_and_its_total() -> None:
    col = column(100)
    records, total = hanweb.records_of(col.answer(46, 90))
    assert len(records) == 45 and total == 100
    assert "art_101_9045" in records[0]


@pytest.mark.parametrize("broken", [
    "<datastore><recordset><record><![CDATA[<li>a</li>]]></record>",                 # never closed
    "<datastore><nextgroup></nextgroup></datastore>",                                  # no recordset
    "<datastore><recordset><record><![CDATA[<li>a</li></record>"
    "<record><![CDATA[<li>b</li>]]></record></recordset></datastore>",                 # an unclosed CDATA
])
def test_malformed_datastore_is_an_error_not_an_empty_list(broken: str) -> None:
    with pytest.raises(hanweb.DatastoreError):
        hanweb.records_of(broken)
    u = hanweb.units_of(f"<div id='1'><script type='text/xml'>{broken}</script></div>", BASE + "/col/col1/index.html")[0]
    assert u.error.startswith("大汉数据源格式错误") and u.records == []


def test_answer_repeating_the_first_group_is_an_error() -> None:
    col = column(100)
    u = hanweb.units_of(col.page(), BASE + col.path)[0]
    with pytest.raises(hanweb.DatastoreError, match="startrecord"):
        hanweb.answer_of(col.answer(1, 45), u, 1, u.records[0])


def test_record_links_are_the_columns_items() -> None:
    col = column(3)
    links, invalid = cms.record_links(hanweb.units_of(col.page(), BASE + col.path)[0].records, BASE + col.path)
    assert [t for t, _, _ in links] == [BASE + r.url for r in col.records]
    assert links[0][1] == "示例通知第0号" and invalid == []


def test_trs_create_page_html_numbers_and_variables() -> None:
    html = trs_list_page("通知公告", [], 0, 5)
    assert paging.trs_pages(html, BASE + "/xxgk/tzgg/index.html", 500) == [
        f"{BASE}/xxgk/tzgg/index_{i}.html" for i in range(1, 5)]
    assert paging.trs_pages(html, BASE + "/xxgk/tzgg/index.html", 3) == [f"{BASE}/xxgk/tzgg/index_{i}.html" for i in (1, 2)]
    var = ("<script>var currentPage = 0;//所在页从0开始\nvar countPage = 3//共多少页\n"
           "createPageHTML(countPage, currentPage, \"index\", \"html\");</script>")
    assert paging.trs_pages(var, BASE + "/a/index.html", 500) == [BASE + "/a/index_1.html", BASE + "/a/index_2.html"]
    old = "<script>var currentPage = 0;\nvar countPage = 2\ndocument.write(\"<a href=\\\"index_1.html\\\">\");</script>"
    assert paging.trs_pages(old, BASE + "/b/index.shtml", 500) == [BASE + "/b/index_1.shtml"]
    assert paging.trs_pages("<script>createPageHTML(1, 0, \"index\", \"html\")</script>", BASE + "/c/", 500) == []


def test_kaipuyun_pager() -> None:
    html = "<div id='page_div'></div><script>createPageHTML('page_div',4, 1,'list','shtml',61);</script>"
    assert paging.kaipuyun_pages(html, BASE + "/zwgk/tzgg/list.shtml", 500) == [
        f"{BASE}/zwgk/tzgg/list_{i}.shtml" for i in (2, 3, 4)]
    assert cms.read(html, BASE + "/zwgk/tzgg/list.shtml").family == "kaipuyun"  # type: ignore[union-attr]


EPOINT = """<div id="page"></div><script>
  var pageIndex = 0;
  $("#page").pagination({ pageIndex: pageIndex, pageSize: 15, total: %d, pageBtnCount: 10 });
  $("#page").on("pageClicked", function (event, data) {
    if (data.pageIndex == 0) { window.location.href = "/jyxx/001001/moreinfo.html"; }
    else if (data.pageIndex < 100) { window.location.href = "/jyxx/001001/" + (data.pageIndex + 1) + ".html"; }
    else { window.location.replace("/jyxx/001001/moreinfo.html?categoryNum=001001&pageIndex=" + (data.pageIndex + 1)); }
  });</script>"""


def test_epoint_pagination_pages_and_its_query_template_past_100() -> None:
    url = BASE + "/jyxx/001001/moreinfo.html"
    assert paging.epoint_pages(EPOINT % 50, url, 500) == [f"{BASE}/jyxx/001001/{i}.html" for i in (2, 3, 4)]
    many = paging.epoint_pages(EPOINT % 1520, url, 500)
    assert many[98] == f"{BASE}/jyxx/001001/100.html"
    assert many[99] == f"{BASE}/jyxx/001001/moreinfo.html?categoryNum=001001&pageIndex=101"
    assert len(many) == 101


def test_last_page_link_names_every_page_between() -> None:
    html = ("<div class='page'><a href='javascript:;'>首页</a><a class='current'>1</a><a href='18105_2.html'>2</a>"
            "<a href='18105_2.html'>下一页</a><a href='18105_12.html'>尾页</a></div>")
    found = cms.read(html, BASE + "/channels/18105.html")
    assert found is not None and found.family == "last_page"
    assert found.pages == [f"{BASE}/channels/18105_{i}.html" for i in range(2, 13)]
    ss = cms.read("<script>var $pageInfo = {publishmentSystemID : 1};</script>" + html, BASE + "/channels/18105_5.html")
    assert ss is not None and ss.family == "siteserver" and len(ss.pages) == 11
    # a 尾页 link elsewhere (another list, another folder) names nothing
    assert paging.last_link_pages("<a href='/other/9_7.html'>尾页</a>", BASE + "/channels/18105.html", 500) == []


def test_disabled_family_rules_read_nothing() -> None:
    col = column(60)
    assert cms.read(col.page(), BASE + col.path, {"hanweb"}) is None
    assert cms.read(trs_list_page("x", [], 0, 3), BASE + "/a/index.html", {"trs"}) is None
    assert cms.read(meta_refresh("./ywyw/"), BASE + "/gzdt/") is None  # a refresh stub is a link, no rule


def test_stored_records_read_back_with_errors_and_missing_groups() -> None:
    url = BASE + "/col/col101/index.html"
    lists = {url: {"family": "hanweb", "pages": [], "groups": 3}}
    groups = {group_key(url, 0): {"list": url, "group": 0, "records": ["<li>a</li>"], "total": 100, "error": ""},
              group_key(url, 1): {"list": url, "group": 1, "records": [], "error": "第2组无法读取：HTTP 500"}}
    got = read_lists(lists, groups)[url]
    assert got.records == ["<li>a</li>"] and got.total == 100
    assert "HTTP 500" in got.error
    only_first = read_lists(lists, {group_key(url, 0): groups[group_key(url, 0)]})[url]
    assert "只读到1组" in only_first.error
    assert (LIST_KIND, GROUP_KIND) == ("cms_list", "cms_group")
