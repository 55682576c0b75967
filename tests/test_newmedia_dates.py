"""How post dates are read from platform pages: relative labels, ids, timestamps, and non-dates."""

from __future__ import annotations

from datetime import date, datetime

import lxml.html

from crawler.newmedia import generic, platforms, toutiao, wechat
from crawler.newmedia.posts import BEIJING, from_snowflake_id, from_timestamp, parse_when

NOW = datetime(2024, 1, 10, 9, 30, tzinfo=BEIJING)


def test_relative_and_short_labels_resolve_against_the_fetch_time() -> None:
    assert parse_when("刚刚", NOW) == date(2024, 1, 10)
    assert parse_when("3小时前", NOW) == date(2024, 1, 10)
    assert parse_when("12小时前", NOW) == date(2024, 1, 9)
    assert parse_when("昨天 10:21", NOW) == date(2024, 1, 9)
    assert parse_when("前天", NOW) == date(2024, 1, 8)
    assert parse_when("5天前", NOW) == date(2024, 1, 5)
    assert parse_when("01-03", NOW) == date(2024, 1, 3)
    assert parse_when("1月3日 08:00", NOW) == date(2024, 1, 3)
    assert parse_when("23-11-15 10:00", NOW) == date(2023, 11, 15)  # weibo.com's short year
    assert parse_when("2023年11月15日", NOW) == date(2023, 11, 15)


def test_a_month_day_later_than_today_means_last_year() -> None:
    assert parse_when("12-30", NOW) == date(2023, 12, 30)


def test_non_dates_and_impossible_dates_give_none() -> None:
    assert parse_when("阅读 1234", NOW) is None
    assert parse_when("2024-02-30", NOW) is None
    assert parse_when("2031-01-01", NOW) is None  # beyond tomorrow: a typo, not a post
    assert parse_when("", NOW) is None


def test_ids_and_timestamps_carry_their_creation_date() -> None:
    ts = int(datetime(2023, 11, 15, 12, 0, tzinfo=BEIJING).timestamp())
    assert from_timestamp(str(ts), NOW) == date(2023, 11, 15)
    assert from_timestamp(ts * 1000, NOW) == date(2023, 11, 15)  # milliseconds
    assert from_snowflake_id(str((ts << 32) | 987), NOW) == date(2023, 11, 15)
    assert from_snowflake_id("12345", NOW) is None  # not an id of that shape
    assert from_timestamp("abc", NOW) is None


def _doc(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def test_generic_adapter_dates_rows_but_not_numbers_in_titles() -> None:
    html = """<html><body><ul>
      <li><a href="/a.html">第3-5条 实施细则</a></li>
      <li><a href="/b.html">工作动态</a><span class="date">01-08</span></li>
      <li><a href="/c.html">通知公告</a> 发布时间：2023-12-01</li>
      <li><a href="/2023/12/20/d.html">按地址看日期</a></li>
    </ul><p>页面更新于 2024-01-09</p><a href="/e.html">无日期链接</a></body></html>"""
    posts = {p.url.rsplit("/", 1)[-1]: p for p in generic.extract(_doc(html), html, "http://x.gov.cn/", NOW)}
    assert set(posts) == {"b.html", "c.html", "d.html"}  # "3-5" in a title and the page's own date are not lent
    assert posts["b.html"].date == date(2024, 1, 8)
    assert posts["c.html"].date == date(2023, 12, 1)
    assert posts["d.html"].date == date(2023, 12, 20)


def test_wechat_article_takes_the_publish_time_from_script_variables() -> None:
    ts = int(datetime(2023, 12, 25, 20, 0, tzinfo=BEIJING).timestamp())
    html = f"""<html><head><meta property="og:url" content="https://mp.weixin.qq.com/s/abc"></head><body>
      <h1 id="activity-name"> 冬季防火提示 </h1><em id="publish_time"></em><div id="js_content"><p>正文</p></div>
      <script>var ct = "{ts}";</script></body></html>"""
    (post,) = wechat.extract(_doc(html), html, "http://127.0.0.1/s/abc", NOW)
    assert (post.title, post.date, post.url) == ("冬季防火提示", date(2023, 12, 25), "https://mp.weixin.qq.com/s/abc")


def test_toutiao_card_without_a_label_is_dated_by_its_id() -> None:
    ts = int(datetime(2023, 12, 1, 9, 0, tzinfo=BEIJING).timestamp())
    html = f"""<html><body><div class="profile-article-card-wrapper">
      <a href="/article/{(ts << 32) | 5}/">标题一</a></div></body></html>"""
    (post,) = toutiao.extract(_doc(html), html, "https://www.toutiao.com/c/user/token/x/", NOW)
    assert post.date == date(2023, 12, 1)


def test_platform_is_chosen_by_name_then_host_then_content() -> None:
    assert platforms.normalise("微信") == "wechat" and platforms.normalise("") == "auto"
    assert platforms.normalise("xiaohongshu") == "unknown"
    assert platforms.detect("https://m.weibo.cn/u/1", "") == "weibo"
    assert platforms.detect("http://127.0.0.1:8000/x", '<div id="js_content"></div>') == "wechat"
    assert platforms.detect("http://127.0.0.1:8000/x", "<ul><li>x</li></ul>") == "generic"


def test_every_platform_the_profile_accepts_has_an_adapter() -> None:
    from zhaocuo.core.profile import NEWMEDIA_PLATFORMS

    assert all(platforms.normalise(p) != "unknown" for p in NEWMEDIA_PLATFORMS)


def test_weibo_desktop_feed_and_douyin_render_data_are_read() -> None:
    import json
    from urllib.parse import quote

    from crawler.newmedia import douyin, weibo

    html = """<html><body><div class="vue-recycle-scroller__item-view"><article class="woo-panel-main Feed_wrap_3v9LH">
      <header><a class="head-info_time_6sFQg" href="/1234567890/NbCdEfGhI" title="2023-12-28 09:15">23-12-28 09:15</a></header>
      <div class="detail_text_1U10O"><div class="detail_wbtext_4CRf9">【提醒】元旦假期出行安全提示</div></div>
    </article></div></body></html>"""
    (post,) = weibo.extract(_doc(html), html, "https://weibo.com/u/1234567890", NOW)
    assert (post.date, post.url) == (date(2023, 12, 28), "https://weibo.com/1234567890/NbCdEfGhI")
    assert post.title == "【提醒】元旦假期出行安全提示"
    ts = int(datetime(2023, 12, 30, 18, 0, tzinfo=BEIJING).timestamp())
    data = {"app": {"user": {"post": {"data": [{"awemeId": "7318000000000000000", "desc": "新年献词", "createTime": ts}]}}}}
    html = f'<html><body><script id="RENDER_DATA" type="application/json">{quote(json.dumps(data))}</script></body></html>'
    (post,) = douyin.extract(_doc(html), html, "https://www.douyin.com/user/x", NOW)
    assert (post.title, post.date, post.url) == ("新年献词", date(2023, 12, 30), "https://www.douyin.com/video/7318000000000000000")
