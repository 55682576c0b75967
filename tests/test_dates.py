from datetime import date

from zhaocuo.core.dates import find_dates, labelled_date, page_date, url_date


def test_labelled_date_prefers_publish_label_over_other_dates() -> None:
    text = "2019年1月1日起施行。 发布日期：2024-03-05 浏览次数：12"
    assert labelled_date(text) == date(2024, 3, 5)


def test_dates_in_urls_and_meta() -> None:
    assert url_date("http://a.gov.cn/art/2024/3/5/") is None  # single digits are not the URL pattern
    assert url_date("http://a.gov.cn/xxgk/202403/t20240305_123.html") == date(2024, 3, 5)
    assert url_date("http://a.gov.cn/news/2023/11/02/x.html") == date(2023, 11, 2)
    html = '<meta name="PubDate" content="2022-07-09 10:00">'
    assert page_date(html, "", "http://a.gov.cn/x.html") == date(2022, 7, 9)


def test_impossible_and_future_dates_are_ignored() -> None:
    assert find_dates("2023年2月30日 与 1888-01-01 与 2023年2月3日") == [date(2023, 2, 3)]
    assert page_date("", "发布日期：2031-01-01", "http://a/x", as_of=date(2026, 11, 27)) is None
