"""How a message board's list rows and a message's own page are read (audits/_interaction.py):
states outside titles only, asked dates only where labelled (or the only date of an open
message), reply blocks that are really replies. No crawl: HTML snippets straight in."""

from __future__ import annotations

from datetime import date

from audits._interaction import (
    ACCEPTED,
    ANSWERED,
    OPEN,
    UNKNOWN,
    board_key,
    is_board_name,
    read_detail,
    read_rows,
)
from audits.interaction_unanswered import add_months, overdue, percentile

BASE = "http://x.gov.cn/hdjl/list.html"


def rows(body: str) -> list:
    return read_rows(f"<html><body>{body}</body></html>", BASE)[0]


def test_table_with_header_reads_asked_state_and_reply_by_column() -> None:
    got = rows("<table><tr><th>标题</th><th>回复时间</th><th>状态</th><th>留言时间</th></tr>"
               "<tr><td><a href='/m/1.html'>路灯不亮</a></td><td>2026-03-05</td><td>已回复</td><td>2026-03-01</td></tr>"
               "<tr><td><a href='/m/2.html'>噪音扰民</a></td><td>—</td><td>未回复</td><td>2026-02-01</td></tr></table>")
    assert [(r.url.rsplit("/", 1)[1], r.asked, r.reply, r.state) for r in got] == [
        ("1.html", date(2026, 3, 1), date(2026, 3, 5), ANSWERED), ("2.html", date(2026, 2, 1), None, OPEN)]
    assert all(r.message_label for r in got)


def test_list_row_state_outside_the_title_or_in_brackets() -> None:
    got = rows("<ul><li><a href='/m/1.html'>【已回复】关于小区停车的咨询</a><span>2026-01-02</span></li>"
               "<li><a href='/m/2.html'>关于小区绿化的建议</a><span>[办理中]</span><span>2026-01-03</span></li>"
               "<li><a href='/m/3.html'>关于公交站的投诉</a><em>已受理</em></li></ul>")
    assert [(r.state, r.asked) for r in got] == [(ANSWERED, None), (OPEN, date(2026, 1, 3)), (ACCEPTED, None)]


def test_a_title_that_mentions_an_unanswered_message_is_no_state() -> None:
    got = rows("<ul><li><a href='/n/1.html'>关于部分未回复留言的督办通知</a><span>2026-01-02</span></li>"
               "<li><a href='/n/2.html'>区长信箱留言办理情况通报</a><span>2026-01-03</span></li></ul>")
    assert got == []


def test_a_filter_bar_offering_every_state_is_no_message_state() -> None:
    got = rows("<div><a href='/m/1.html'>关于夜间施工的投诉建议</a> 全部 已回复 未回复 2026-01-02</div>")
    assert got == []


def test_the_only_date_of_an_answered_row_is_not_taken_for_the_asked_date() -> None:
    got = rows("<ul><li><a href='/m/1.html'>关于供暖温度的反映</a><span>已办结</span><span>2026-01-02</span></li>"
               "<li><a href='/m/2.html'>关于垃圾清运的反映</a><span>答复时间：2026-01-09</span></li></ul>")
    assert [(r.state, r.asked, r.reply) for r in got] == [(ANSWERED, None, None), (UNKNOWN, None, date(2026, 1, 9))]


def test_a_permits_table_is_read_but_has_no_message_label() -> None:
    got = rows("<table><tr><th>办件编号</th><th>事项名称</th><th>受理时间</th><th>办理状态</th></tr>"
               "<tr><td>1</td><td><a href='/b/1.html'>建设工程规划许可</a></td><td>2025-01-02</td><td>办理中</td></tr></table>")
    assert [(r.state, r.asked, r.message_label) for r in got] == [(OPEN, None, False)]


def test_detail_page_labels_in_cells_paragraphs_and_definition_lists() -> None:
    table = read_detail("来信时间\n2026-01-02 09:30\n办理状态\n已办结\n答复时间\n2026-01-20\n答复内容\n您好，已处理。")
    assert (table.asked, table.reply, table.state, table.reply_text) == (
        date(2026, 1, 2), date(2026, 1, 20), ANSWERED, True)
    waiting = read_detail("留言时间：\n2026-02-03\n答复内容：\n尚未回复\n主办：示例区人民政府办公室")
    assert (waiting.asked, waiting.reply, waiting.reply_text, waiting.no_reply) == (date(2026, 2, 3), None, False, True)


def test_an_empty_reply_block_followed_by_the_footer_is_no_reply() -> None:
    d = read_detail("留言时间：2026-02-03\n状态：待处理\n回复内容：\n主办：示例区人民政府办公室　承办：大数据中心")
    assert (d.state, d.reply_text) == (OPEN, False)


def test_three_calendar_months_and_one_day() -> None:
    assert add_months(date(2026, 1, 31), 3) == date(2026, 4, 30)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert not overdue(date(2026, 1, 31), date(2026, 4, 30))
    assert overdue(date(2026, 1, 31), date(2026, 5, 1))
    assert not overdue(date(2026, 8, 20), date(2026, 11, 20)) and overdue(date(2026, 8, 19), date(2026, 11, 20))


def test_board_names_and_their_look_alikes() -> None:
    assert all(is_board_name(n) for n in ("区长信箱", "咨询投诉", "网上留言", "12345热线", "书记信箱"))
    assert not any(is_board_name(n) for n in ("常见问题", "人大代表建议", "政协提案答复", "留言办理情况通报", "留言须知"))


def test_paging_parameters_do_not_split_a_board() -> None:
    assert board_key("http://x/hdjl/list.jsp?page=3&type=1") == board_key("http://x/hdjl/list.jsp?type=1")
    assert board_key("http://x/hdjl/index_2.html") == board_key("http://x/hdjl/")
    assert board_key("http://x/hdjl/list.jsp?type=1") != board_key("http://x/hdjl/list.jsp?type=2")


def test_percentile_is_nearest_rank() -> None:
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9.0
    assert percentile([4], 0.9) == 4.0 and percentile([], 0.9) is None
