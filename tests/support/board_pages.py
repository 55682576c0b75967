"""A made-up district site with message boards in several shapes, for the interaction audits.

All names, messages and dates are invented. Dates are relative to ``AS_OF`` so every planted
case sits exactly where the test needs it (three months and one day, exactly three months, …).

Boards:
- 区长信箱 /hdjl/qzxx/ — list rows (li) with a state and the asked date; each message's own page
  has labelled fields (来信时间, 办理状态, 答复时间, 答复内容).
- 咨询投诉 /hdjl/zxts/list.jsp?page=N — a table with a header row (标题, 留言时间, 办理状态,
  回复时间), three pages paged by query string, 40 messages at detail.jsp?id=N (more than the
  crawler's default 30 query-string variants per path).
- 网上留言 /hdjl/lyb/ — div rows that print only the reply date (答复时间); the asked date is on
  the message's page only.
- 书记信箱 /hdjl/sjxx/ — redirects to a login page: not checkable.
- 网上咨询 /hdjl/zxjd/ — lists only answered messages.

Look-alikes: a news list whose titles mention 留言 and 未回复, a FAQ (常见问题) with questions
and answers, a permits list (办件公示: 受理时间, 办理中) with old dates, and a pinned old message
that was answered.
"""

from __future__ import annotations

from datetime import date, timedelta

from tests.support.servers import Route

AS_OF = date(2026, 11, 20)
D = timedelta(days=1)

NAV = [("首页", "/"), ("新闻动态", "/xwdt/"), ("政务服务", "/zwfw/bjgs/"), ("互动交流", "/hdjl/"),
       ("区长信箱", "/hdjl/qzxx/"), ("咨询投诉", "/hdjl/zxts/list.jsp"), ("网上留言", "/hdjl/lyb/"),
       ("书记信箱", "/hdjl/sjxx/"), ("网上咨询", "/hdjl/zxjd/"), ("常见问题", "/hdjl/cjwt.html")]


def page(title: str, body: str, nav: list[tuple[str, str]] | None = None, crumb: str = "") -> str:
    links = "".join(f'<li><a href="{h}">{n}</a></li>' for n, h in (NAV if nav is None else nav))
    where = f'<div class="position">当前位置：<a href="/">首页</a> &gt; {crumb}</div>' if crumb else ""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_示例区人民政府</title></head><body>'
            f'<div class="nav"><ul>{links}</ul></div>{where}<div class="main">{body}</div>'
            '<div class="footer">主办：示例区人民政府办公室（演示，所有内容均为虚构）</div></body></html>')


def months_ago(months: int, days: int = 0) -> date:
    y, m = divmod(AS_OF.month - 1 - months, 12)
    return date(AS_OF.year + y, m + 1, AS_OF.day) - days * D


# 区长信箱: (id, title, asked, state, reply) — reply None when there is none.
QZXX = [
    (1, "小区门口路灯长期不亮何时维修", months_ago(3, 1), "办理中", None),          # 3 months and 1 day: veto
    (2, "幼儿园入园报名材料咨询", months_ago(3), "未回复", None),                      # exactly 3 months: in time
    (3, "农贸市场周边占道经营问题", months_ago(2), "未回复", None),                    # 2 months: in time
    (4, "老旧小区加装电梯补贴政策", months_ago(6), "已回复", months_ago(2)),           # answered after 4 months
    (5, "公交线路调整建议", months_ago(5), "已转办", None),                            # forwarded: responded
    (6, "关于网站留言的使用说明", date(2024, 3, 1), "已回复", date(2024, 3, 4)),        # pinned, answered
    (7, "冬季供暖温度不达标", AS_OF - 20 * D, "已回复", AS_OF - 6 * D),                # answered in 10 working days
    (8, "道路积水排水不畅", AS_OF - 10 * D, "已回复", AS_OF - 8 * D),                  # answered in 2 days
]


def _qzxx_detail(i: int, title: str, asked: date, state: str, reply: date | None) -> str:
    if reply:
        answer = (f"<tr><td>答复时间</td><td>{reply.isoformat()}</td></tr>"
                  f"<tr><td>答复内容</td><td>您好，您反映的问题已交区住建局核实处理，感谢您的关注。</td></tr>")
    else:
        answer = "<tr><td>答复内容</td><td>暂无回复</td></tr>"
    body = (f"<h1>{title}</h1><table class=\"letter\"><tr><td>来信时间</td><td>{asked.isoformat()} 09:30</td></tr>"
            f"<tr><td>办理状态</td><td>{state}</td></tr><tr><td>来信内容</td><td>{title}，请相关部门予以关注。</td></tr>"
            f"{answer}</table>")
    return page(title, body, crumb='<a href="/hdjl/">互动交流</a> &gt; <a href="/hdjl/qzxx/">区长信箱</a>')


def _qzxx_list() -> str:
    rows = []
    for i, title, asked, state, _ in sorted(QZXX, key=lambda r: (r[0] != 6, r[2]), reverse=False):
        pin = '<b class="top">置顶</b> ' if i == 6 else ""
        rows.append(f'<li>{pin}<a href="/hdjl/qzxx/{i}.html" title="{title}">{title}</a>'
                    f'<span class="state">[{state}]</span><span class="date">{asked.isoformat()}</span></li>')
    return page("区长信箱", f'<h2>区长信箱</h2><ul class="letters">{"".join(rows)}</ul>'
                          '<p><a href="/hdjl/qzxx/write.html">我要写信</a></p>',
                crumb='<a href="/hdjl/">互动交流</a> &gt; 区长信箱')


# 咨询投诉: 40 messages over three pages of 15, 15 and 10, newest first; two planted open ones.
def zxts_messages() -> list[tuple[int, str, date, str, date | None]]:
    out = []
    for i in range(1, 41):
        asked = AS_OF - (3 * i) * D
        reply = asked + 2 * D
        out.append((i, f"咨询投诉第{i}号：关于社区服务事项的咨询", asked, "已办结", reply))
    out[37] = (38, "投诉：夜间施工噪音扰民", AS_OF - 120 * D, "待处理", None)     # page 3, four months open: veto
    out[5] = (6, "咨询：社保卡补办需要哪些材料", AS_OF - 18 * D, "待处理", None)    # recent, open
    return out


def _zxts_page(n: int) -> str:
    msgs = zxts_messages()[(n - 1) * 15:n * 15]
    rows = "".join(f'<tr><td>{i}</td><td><a href="/hdjl/zxts/detail.jsp?id={i}">{t}</a></td><td>{a.isoformat()}</td>'
                   f'<td>{s}</td><td>{r.isoformat() if r else "—"}</td></tr>' for i, t, a, s, r in msgs)
    pager = " ".join(f'<a href="/hdjl/zxts/list.jsp?page={k}">{k}</a>' for k in (1, 2, 3) if k != n)
    if n < 3:
        pager += f' <a href="/hdjl/zxts/list.jsp?page={n + 1}">下一页</a>'
    table = (f'<table class="list"><tr><th>序号</th><th>标题</th><th>留言时间</th><th>办理状态</th><th>回复时间</th></tr>'
             f'{rows}</table><div class="pagination">{pager}</div>')
    return page("咨询投诉", f"<h2>咨询投诉</h2>{table}", crumb='<a href="/hdjl/">互动交流</a> &gt; 咨询投诉')


def _zxts_detail(i: int, title: str, asked: date, state: str, reply: date | None) -> str:
    answer = (f"<p>回复时间：{reply.isoformat()}</p><p>回复内容：您好，已按程序处理，请留意社区通知。</p>" if reply
              else "<p>回复内容：</p>")
    return page(title, f"<h1>{title}</h1><p>留言时间：{asked.isoformat()}</p><p>状态：{state}</p>"
                       f"<div>留言内容：{title}。</div>{answer}", crumb='<a href="/hdjl/zxts/list.jsp">咨询投诉</a>')


# 网上留言: the list prints reply dates only; asked dates are on each message's page.
LYB = [
    (21, "建议增设社区公共停车位", AS_OF - 200 * D, AS_OF - 30 * D),    # answered late: not a finding
    (22, "咨询新生儿医保办理流程", AS_OF - 40 * D, AS_OF - 35 * D),
    (23, "反映河道垃圾清理不及时", AS_OF - 150 * D, None),              # open five months: veto (asked date from its page)
]


def _lyb_list() -> str:
    rows = []
    for i, title, _, reply in LYB:
        tail = f"<span>答复时间：{reply.isoformat()}</span>" if reply else "<span>[未回复]</span>"
        rows.append(f'<div class="item"><a href="/hdjl/lyb/{i}.html">{title}</a>{tail}</div>')
    return page("网上留言", f'<h2>网上留言</h2><div class="items">{"".join(rows)}</div>',
                crumb='<a href="/hdjl/">互动交流</a> &gt; 网上留言')


def _lyb_detail(i: int, title: str, asked: date, reply: date | None) -> str:
    answer = (f"<dl><dt>答复时间：</dt><dd>{reply.isoformat()}</dd><dt>答复内容：</dt><dd>感谢您的建议，我们将统筹研究。</dd></dl>"
              if reply else "<dl><dt>答复内容：</dt><dd>尚未回复</dd></dl>")
    return page(title, f"<h1>{title}</h1><dl><dt>留言时间：</dt><dd>{asked.isoformat()}</dd></dl>{answer}",
                crumb='<a href="/hdjl/lyb/">网上留言</a>')


def _zxjd_list() -> str:
    rows = "".join(f'<li><a href="/hdjl/zxjd/{i}.html">网上咨询：第{i}号政策咨询</a><em>已答复</em>'
                   f"<span>{(AS_OF - (100 + i) * D).isoformat()}</span></li>" for i in range(1, 4))
    return page("网上咨询", f"<h2>网上咨询</h2><ul>{rows}</ul>", crumb="网上咨询")


def _news() -> str:
    rows = "".join(f'<li><a href="/xwdt/{i}.html">{t}</a><span>{d.isoformat()}</span></li>' for i, t, d in [
        (1, "区长信箱2026年第三季度留言办理情况通报", AS_OF - 200 * D),
        (2, "关于部分未回复留言的督办通知", AS_OF - 180 * D),
        (3, "区政府召开网上留言办理工作推进会", AS_OF - 170 * D)])
    return page("新闻动态", f"<ul>{rows}</ul>", crumb="新闻动态")


def _faq() -> str:
    qa = "".join(f"<div class=\"qa\"><p>问：{q}</p><p>答：{a}</p><span>2023-05-0{i}</span></div>" for i, (q, a) in enumerate([
        ("留言多久能收到回复？", "一般在5个工作日内答复。"), ("如何查询留言办理状态？", "在信箱页面输入查询码即可。"),
        ("留言未回复怎么办？", "可拨打12345热线反映。")], start=1))
    return page("常见问题", f"<h2>常见问题</h2>{qa}", crumb="常见问题")


def _permits() -> str:
    rows = "".join(f"<tr><td>BJ2026{i:04d}</td><td><a href=\"/zwfw/bjgs/{i}.html\">建设工程规划许可第{i}号</a></td>"
                   f"<td>某某公司</td><td>{(AS_OF - (130 + i) * D).isoformat()}</td><td>办理中</td></tr>" for i in range(1, 5))
    table = (f"<table><tr><th>办件编号</th><th>事项名称</th><th>申请人</th><th>受理时间</th><th>办理状态</th></tr>{rows}</table>")
    return page("办件公示", f"<h2>办件公示</h2>{table}", crumb="办件公示")


def _login() -> str:
    return page("用户登录", '<form method="post" action="/login.html"><input type="text" name="u">'
                          '<input type="password" name="p"><button>登录</button></form>')


def board_site(with_boards: bool = True) -> dict[str, Route]:
    """The routes of the whole site (``with_boards=False``: the same site with no board at all)."""
    home = page("首页", '<div class="box"><h2>要闻</h2><ul><li><a href="/xwdt/3.html">区政府召开网上留言办理工作推进会</a>'
                      f"<span>{(AS_OF - 170 * D).isoformat()}</span></li></ul></div>")
    routes: dict[str, Route] = {
        "/": Route(body=home),
        "/xwdt/": Route(body=_news()),
        "/hdjl/cjwt.html": Route(body=_faq()),
        "/zwfw/bjgs/": Route(body=_permits()),
        "/hdjl/": Route(body=page("互动交流", '<ul><li><a href="/hdjl/qzxx/">区长信箱</a></li>'
                                              '<li><a href="/hdjl/zxts/list.jsp">咨询投诉</a></li></ul>', crumb="互动交流")),
        "/hdjl/qzxx/": Route(body=_qzxx_list()),
        "/hdjl/qzxx/write.html": Route(body=page("我要写信", '<form><input type="text" name="t"><textarea name="c">'
                                                             "</textarea></form>")),
        "/hdjl/zxts/list.jsp": Route(body=_zxts_page(1)),
        "/hdjl/lyb/": Route(body=_lyb_list()),
        "/hdjl/sjxx/": Route(302, headers={"Location": "/login.html?redirect=/hdjl/sjxx/"}),
        "/login.html": Route(body=_login()),
        "/hdjl/zxjd/": Route(body=_zxjd_list()),
    }
    for i, t, d in [(1, "区长信箱2026年第三季度留言办理情况通报", AS_OF - 200 * D), (2, "关于部分未回复留言的督办通知", AS_OF - 180 * D),
                    (3, "区政府召开网上留言办理工作推进会", AS_OF - 170 * D)]:
        routes[f"/xwdt/{i}.html"] = Route(body=page(t, f"<h1>{t}</h1><p>发布日期：{d.isoformat()}</p><p>正文。</p>"))
    for i in range(1, 5):
        routes[f"/zwfw/bjgs/{i}.html"] = Route(body=page("建设工程规划许可", f"<h1>建设工程规划许可第{i}号</h1>"
                                                                            "<p>受理时间：2026-07-01</p><p>办理状态：办理中</p>"))
    for i in range(1, 4):
        routes[f"/hdjl/zxjd/{i}.html"] = Route(body=page("网上咨询", f"<h1>网上咨询：第{i}号政策咨询</h1>"
                                                                     f"<p>咨询时间：{(AS_OF - (100 + i) * D).isoformat()}</p>"
                                                                     f"<p>答复时间：{(AS_OF - (99 + i) * D).isoformat()}</p>"
                                                                     "<p>答复内容：您好，相关政策已在网站公开。</p>"))
    for row in QZXX:
        routes[f"/hdjl/qzxx/{row[0]}.html"] = Route(body=_qzxx_detail(*row))
    for n in (1, 2, 3):
        routes[f"/hdjl/zxts/list.jsp?page={n}"] = Route(body=_zxts_page(n))
    for row in zxts_messages():
        routes[f"/hdjl/zxts/detail.jsp?id={row[0]}"] = Route(body=_zxts_detail(*row))
    for i, title, asked, reply in LYB:
        routes[f"/hdjl/lyb/{i}.html"] = Route(body=_lyb_detail(i, title, asked, reply))
    if not with_boards:
        routes = {k: v for k, v in routes.items() if not k.startswith(("/hdjl/", "/login"))}
        routes["/"] = Route(body=page("首页", "<p>欢迎访问。</p>", nav=[("首页", "/"), ("新闻动态", "/xwdt/")]))
        routes["/xwdt/"] = Route(body=page("新闻动态", "<ul><li><a href=\"/xwdt/1.html\">全区经济运行平稳</a>"
                                                       "<span>2026-11-01</span></li></ul>",
                                           nav=[("首页", "/"), ("新闻动态", "/xwdt/")]))
    return routes
