"""The soft-404 judgement: pages that say they do not exist, and the normal pages that
merely mention "404" or "删除" (they must not be called dead)."""

from __future__ import annotations

import pytest

from audits._soft404 import matches_probe, probe_is_usable, says_not_found


@pytest.mark.parametrize(("title", "text"), [
    ("页面不存在", "请返回首页"),
    ("404 Not Found", ""),
    ("404", "nginx"),
    ("提示", "抱歉，您访问的页面不存在或已被删除！"),
    ("某区人民政府", "该信息已删除"),
    ("温馨提示", "对不起，该信息不存在。\n返回首页"),
])
def test_error_pages_are_soft_404(title: str, text: str) -> None:
    assert says_not_found(title, text)


@pytest.mark.parametrize(("title", "text"), [
    ("关于清理过期网页的通知", "检查发现部分页面返回 404 错误，请各单位整改。" + "为提升网站质量开展检查。" * 30),
    ("关于删除部分条款的决定", "经研究，决定删除第三条。" + "本决定自公布之日起施行。" * 30),
    ("G404国道改扩建工程进展", "G404国道施工期间请绕行。"),
    ("政策解读", "本条例第七条已删除的内容不再适用，其余条款继续有效，请相关单位遵照执行并做好宣传解释工作，确保政策落地见效。"),
    ("首页", ""),
])
def test_normal_pages_that_mention_404_or_deletion_are_not(title: str, text: str) -> None:
    assert says_not_found(title, text) == ""


def test_a_page_matching_the_hosts_not_found_probe_is_soft_404() -> None:
    assert matches_probe("http://w.gov.cn/old.html", "http://w.gov.cn/old.html", "温馨提示", "没有找到相关内容",
                         200, "http://w.gov.cn/zhaocuo-404-ab.html", "http://w.gov.cn/zhaocuo-404-ab.html",
                         "温馨提示", "没有找到相关内容")


def test_redirect_to_the_same_error_page_as_the_probe_is_soft_404() -> None:
    assert matches_probe("http://w.gov.cn/old.html", "http://w.gov.cn/error.html", "出错", "",
                         200, "http://w.gov.cn/zhaocuo-404-ab.html", "http://w.gov.cn/error.html", "出错", "")


def test_no_probe_match_when_the_host_answers_real_404s_or_sends_unknowns_home() -> None:
    args = ("http://w.gov.cn/a.html", "http://w.gov.cn/a.html", "某区人民政府", "首页内容")
    assert not matches_probe(*args, 404, "http://w.gov.cn/zhaocuo-404-ab.html", "http://w.gov.cn/zhaocuo-404-ab.html",
                             "某区人民政府", "首页内容")
    # the site redirects unknown addresses to its homepage: matching would flag every link home
    assert not matches_probe("http://w.gov.cn/", "http://w.gov.cn/", "某区人民政府", "首页内容", 200,
                             "http://w.gov.cn/zhaocuo-404-ab.html", "http://w.gov.cn/", "某区人民政府", "首页内容")


def test_a_different_page_with_the_same_title_is_not_a_probe_match() -> None:
    assert not matches_probe("http://w.gov.cn/a.html", "http://w.gov.cn/a.html", "某区人民政府", "关于开展安全生产检查的通知全文……" * 5,
                             200, "http://w.gov.cn/zhaocuo-404-ab.html", "http://w.gov.cn/zhaocuo-404-ab.html",
                             "某区人民政府", "没有找到相关内容")


def test_probe_answered_with_the_homepage_or_an_empty_shell_is_not_used() -> None:
    home_text = "首页\n政务公开\n政务服务\n互动交流\n" + "区政府召开常务会议。" * 20
    assert not probe_is_usable("某区人民政府", home_text, "某区人民政府", home_text)  # unknown URLs get the homepage
    assert not probe_is_usable("某区人民政府", "加载中", "某区人民政府", home_text)  # a single-page-app shell
    assert probe_is_usable("温馨提示", "抱歉，没有找到相关内容，请返回首页继续浏览。", "某区人民政府", home_text)
