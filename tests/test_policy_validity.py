"""outdated_policy and policy_unexplained on stored policy pages: each rule and its look-alikes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from audits import outdated_policy, policy_unexplained
from audits._policy import parse_policy
from tests.support.columnsite import BASE, build, layout
from zhaocuo.core.context import AuditContext
from zhaocuo.core.store import Page

AS_OF = date(2026, 11, 27)


def policy(title: str, doc_no: str, written: str, extra_meta: str = "", body: str = "", banner: str = "") -> str:
    """A policy page with the usual metadata table above the text."""
    meta = (f'<table class="xxgk"><tr><td>索引号：11370305/2024-00001</td><td>发文机关：测试区人民政府</td></tr>'
            f"<tr><td>发文字号：{doc_no}</td><td>成文日期：{written}</td></tr>"
            f"<tr><td>发布日期：{written}</td>{extra_meta}</tr></table>")
    return layout(f"{meta}{banner}<h1>{title}</h1><div class=\"content\"><p>各镇人民政府、街道办事处：</p>"
                  f"<p>{body or '现将有关事项通知如下，请认真贯彻执行。'}</p></div>", title, [("政策文件", "/zcwj/")])


def findings(tmp_path: Path, pages: dict[str, str], module=outdated_policy) -> dict[str, object]:
    crawl, profile = build(tmp_path, {"/": layout("", "首页"), **pages})
    return {f.url.removeprefix(BASE): f for f in module.audit(AuditContext(crawl, profile, AS_OF))}


def test_expired_but_marked_in_force_is_flagged(tmp_path: Path) -> None:
    page = policy("测试区农村道路管理办法", "测政规〔2019〕2号", "2019-03-01",
                  "<td>有效期：2019年3月1日至2024年2月29日</td><td>有效性：有效</td>")
    out = findings(tmp_path, {"/zcwj/a.html": page})
    f = out["/zcwj/a.html"]
    assert f.extra["rule"] == "expired_marked_in_force" and f.text == "测政规〔2019〕2号"
    assert "2024-02-29" in f.message and "有效" in f.message and f.severity == "high"


def test_expired_without_any_mark_is_flagged(tmp_path: Path) -> None:
    page = policy("测试区停车管理暂行办法", "测政发〔2021〕5号", "2021-06-01",
                  body="本办法自印发之日起施行，有效期2年。")
    f = findings(tmp_path, {"/zcwj/b.html": page})["/zcwj/b.html"]
    assert f.extra["rule"] == "expired_unmarked" and f.extra["valid_until"] == "2023-06-01"


def test_a_properly_marked_repealed_policy_is_not_a_finding(tmp_path: Path) -> None:
    marked_status = policy("测试区农村道路管理办法", "测政规〔2015〕2号", "2015-03-01",
                           "<td>有效期至2020年3月1日</td><td>效力状态：已废止</td>")
    banner = policy("测试区老旧小区改造实施方案", "测政办发〔2016〕9号", "2016-05-01",
                    banner='<p class="tip">本文件已于2022年6月1日废止。</p>')
    titled = policy("（已失效）测试区人才引进办法", "测政规〔2017〕1号", "2017-01-10")
    out = findings(tmp_path, {"/zcwj/c.html": marked_status, "/zcwj/d.html": banner, "/zcwj/e.html": titled})
    assert out == {}


def test_a_2016_policy_with_a_valid_2026_review_date_is_not_a_finding(tmp_path: Path) -> None:
    page = policy("测试区规范性文件管理规定", "测政规〔2016〕3号", "2016-04-01",
                  "<td>有效期至2026年12月31日</td><td>有效性：有效</td>",
                  body="本规定为行政规范性文件。经2021年清理评估，继续有效。")
    assert findings(tmp_path, {"/zcwj/f.html": page}) == {}


def test_old_normative_document_with_no_validity_statement(tmp_path: Path) -> None:
    old = policy("测试区物业管理办法", "测政规〔2020〕4号", "2020-11-01", body="本办法为行政规范性文件。")
    young = policy("测试区供热管理办法", "测政规〔2022〕1号", "2022-01-05", body="本办法为行政规范性文件。")
    temp_old = policy("测试区夜市管理暂行办法", "测政规〔2024〕2号", "2024-10-01", body="本办法为行政规范性文件。")
    temp_young = policy("测试区早市管理暂行办法", "测政规〔2025〕2号", "2025-01-10", body="本办法为行政规范性文件。")
    not_normative = policy("关于召开全区安全生产会议的通知", "测政办字〔2015〕8号", "2015-06-01")
    out = findings(tmp_path, {"/zcwj/g.html": old, "/zcwj/h.html": young, "/zcwj/t1.html": temp_old,
                              "/zcwj/t2.html": temp_young, "/zcwj/n.html": not_normative})
    assert set(out) == {"/zcwj/g.html", "/zcwj/t1.html"}
    assert out["/zcwj/g.html"].extra == {"rule": "old_without_validity", "doc_no": "测政规〔2020〕4号", "status": "",
                                         "issued": "2020-11-01", "years": 5}
    assert out["/zcwj/t1.html"].extra["years"] == 2


def test_a_document_named_by_a_repeal_notice_must_be_marked(tmp_path: Path) -> None:
    notice_body = ("根据规范性文件清理工作安排，区政府对现行规范性文件进行了清理。</p><p>一、决定废止的规范性文件</p>"
                   "<p>1.《测试区农贸市场管理办法》（测政规〔2018〕3号）</p><p>2.《测试区殡葬管理规定》</p>"
                   "<p>二、继续有效的规范性文件</p><p>1.《测试区河道管理办法》（测政规〔2019〕7号）")
    notice = policy("测试区人民政府关于公布规范性文件清理结果的决定", "测政发〔2025〕1号", "2025-06-01",
                    "<td>有效性：有效</td>", body=notice_body)
    by_no = policy("测试区农贸市场管理办法", "测政规〔2018〕3号", "2018-05-01",
                   "<td>有效期至2028年5月1日</td><td>有效性：有效</td>")
    by_title = policy("测试区殡葬管理规定", "测政发〔2017〕12号", "2017-09-01", "<td>有效期至2027年9月1日</td>")
    kept = policy("测试区河道管理办法", "测政规〔2019〕7号", "2019-07-01",
                  "<td>有效期至2029年7月1日</td><td>有效性：有效</td>")
    repealed_and_marked = policy("测试区农贸市场管理办法", "测政规〔2018〕3号", "2018-05-01",
                                 "<td>效力状态：已废止</td>")
    out = findings(tmp_path, {"/zcwj/notice.html": notice, "/zcwj/m.html": by_no, "/zcwj/s.html": by_title,
                              "/zcwj/k.html": kept, "/zcwj/m2.html": repealed_and_marked})
    assert set(out) == {"/zcwj/m.html", "/zcwj/s.html"}
    assert out["/zcwj/m.html"].extra["rule"] == "repealed_unmarked"
    assert out["/zcwj/m.html"].extra["notice_url"] == BASE + "/zcwj/notice.html"
    assert "清理结果" in out["/zcwj/m.html"].message and "仍标注为“有效”" in out["/zcwj/m.html"].message


def test_pages_without_a_document_number_are_not_policies() -> None:
    news = Page(url=BASE + "/gzdt/1.html", title="区长调研", text="发布日期：2015-01-01 区长调研农村道路，要求按照"
                "《测试区农村道路管理办法》（测政规〔2010〕2号）抓好落实。" + "正文。" * 300)
    assert parse_policy(news) is None  # a 文号 quoted deep in a news story does not make it a policy
    doc = Page(url=BASE + "/x.html", title="测试区规定", text="发文字号：测政规〔2020〕1号 成文日期：2020-01-01")
    parsed = parse_policy(doc)
    assert parsed is not None and parsed.doc_no == "测政规〔2020〕1号" and parsed.normative


def test_policy_without_a_linked_interpretation(tmp_path: Path) -> None:
    plain = policy("测试区促进民营经济发展的若干措施", "测政发〔2026〕3号", "2026-03-01", "<td>有效期至2031年3月1日</td>")
    linked = policy("测试区促进消费的若干措施", "测政发〔2026〕4号", "2026-04-01", "<td>有效期至2031年4月1日</td>",
                    body='详见<a href="/zcjd/4.html">《测试区促进消费的若干措施》政策解读</a>')
    reverse = policy("测试区文旅发展实施方案", "测政发〔2026〕5号", "2026-05-01", "<td>有效期至2031年5月1日</td>")
    jiedu = layout('<h1>《测试区文旅发展实施方案》解读</h1><a href="/zcwj/r.html">原文</a>', "《测试区文旅发展实施方案》解读")
    appointment = policy("关于张三同志任职的通知", "测政任〔2026〕2号", "2026-06-01")
    out = findings(tmp_path, {"/zcwj/p.html": plain, "/zcwj/l.html": linked, "/zcwj/r.html": reverse,
                              "/zcjd/5.html": jiedu, "/zcwj/rm.html": appointment}, module=policy_unexplained)
    assert set(out) == {"/zcwj/p.html"} and out["/zcwj/p.html"].severity == "low"


def test_a_navigation_link_to_the_interpretation_column_is_not_an_interpretation(tmp_path: Path) -> None:
    """Every page's menu links to the 政策解读 column: that interprets no document."""
    from tests.support.columnsite import NAV

    nav = [*NAV, ("政策解读", "/zcjd/")]

    def with_nav(html: str) -> str:
        return html.replace('<li><a href="/wza/">无障碍</a></li>',
                            '<li><a href="/wza/">无障碍</a></li><li><a href="/zcjd/">政策解读</a></li>')

    pages = {f"/zcwj/{i}.html": with_nav(policy(f"测试区第{i}项管理办法", f"测政发〔2026〕{i}号", "2026-03-01",
                                                "<td>有效期至2031年3月1日</td>")) for i in range(1, 7)}
    pages["/zcjd/"] = layout("<p>暂无信息</p>", "政策解读", nav=nav)
    out = findings(tmp_path, pages, module=policy_unexplained)
    assert set(out) == set(pages) - {"/zcjd/"}


def test_a_list_of_documents_is_not_itself_a_document() -> None:
    rows = "".join(f"<tr><td>测试区第{i}项办法</td><td>测政规〔2019〕{i}号</td><td>2019-0{i}-01</td></tr>"
                   for i in range(1, 5))
    html = f"<html><body><table><tr><th>标题</th><th>文号</th><th>发布日期</th></tr>{rows}</table>" \
           "<p>发布日期：2019-01-01</p></body></html>"
    assert parse_policy(Page(url=BASE + "/zcwj/", title="政策文件", html=html)) is None


def test_an_extended_validity_supersedes_the_original_term(tmp_path: Path) -> None:
    page = policy("测试区物业服务管理办法", "测政规〔2019〕6号", "2019-06-01",
                  "<td>有效期：2019年7月1日至2024年6月30日</td><td>有效性：有效</td>",
                  body="本办法为行政规范性文件，有效期5年。经2024年评估，有效期延长至2029年6月30日。")
    assert findings(tmp_path, {"/zcwj/x.html": page}) == {}


def test_a_menu_entry_does_not_make_every_document_normative(tmp_path: Path) -> None:
    menu = '<li><a href="/wza/">无障碍</a></li><li><a href="/gfxwj/">规范性文件</a></li>'
    notice = policy("关于召开全区安全生产会议的通知", "测政办字〔2015〕8号", "2015-06-01")
    planning = policy("测试区国土空间规划实施意见", "测规划发〔2016〕2号", "2016-06-01")
    registered = policy("测试区养犬管理办法", "测政发〔2016〕5号", "2016-08-01", body="登记号：CSDR-2016-0010005")
    pages = {f"/zcwj/{k}.html": v.replace('<li><a href="/wza/">无障碍</a></li>', menu)
             for k, v in {"n": notice, "p": planning, "r": registered}.items()}
    assert set(findings(tmp_path, pages)) == {"/zcwj/r.html"}
