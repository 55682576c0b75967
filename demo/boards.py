"""The demo site's message boards (互动交流), served as dynamic routes by demo.server.

- 区长信箱 /hdjl/qzxx/ — list rows with a state and the asked date, one page per message with
  labelled fields. Planted: a message asked 2026-08-19 and still 办理中 — more than three months
  on the demo night (2026-11-20), not yet on the earlier night (2026-11-12): 新发现 then.
  Look-alikes: one open for exactly three months (in time), one answered after four months,
  one 已转办 (forwarded: responded to), a pinned old message that was answered.
- 咨询投诉 /hdjl/zxts/list.html?page=N — a table (标题, 留言时间, 办理状态, 答复时间) over three
  pages; page 3 holds a complaint still 待处理 since 2026-07-10.
- 书记信箱 /hdjl/sjxx/ — redirects to a login page: reported as 无法检查, never guessed.
- 常见问题 /hdjl/cjwt.html — questions and answers (a static page), not a board.

Every name and message is invented.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from html import escape
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

Route = Callable[[BaseHTTPRequestHandler], tuple[int, dict[str, str], bytes]]
D = timedelta(days=1)

NAV = [("首页", "/"), ("新闻中心", "/xwzx/gzdt/"), ("通知公告", "/xwzx/tzgg/"), ("政务公开", "/zwgk/"),
       ("政策解读", "/zwgk/zcjd/"), ("部门网站", "/bm/"), ("互动交流", "/hdjl/")]

# 区长信箱: (id, title, asked, state, reply)
QZXX = [
    (1, "小区门口路灯长期不亮何时维修", date(2026, 8, 19), "办理中", None),
    (2, "幼儿园入园报名材料咨询", date(2026, 8, 20), "未回复", None),
    (3, "老旧小区加装电梯补贴政策", date(2026, 5, 20), "已回复", date(2026, 9, 21)),
    (4, "公交线路调整建议", date(2026, 6, 15), "已转办", None),
    (5, "关于网站留言的使用说明", date(2024, 3, 1), "已回复", date(2024, 3, 4)),
    (6, "冬季供暖温度不达标", date(2026, 10, 30), "已回复", date(2026, 11, 13)),
    (7, "道路积水排水不畅", date(2026, 11, 9), "已回复", date(2026, 11, 11)),
]


def zxts() -> list[tuple[int, str, date, str, date | None]]:
    """咨询投诉: 24 messages, newest first, eight a page; #23 is the planted open complaint."""
    out = []
    for i in range(1, 25):
        asked = date(2026, 11, 18) - (6 * i) * D
        out.append((i, f"关于社区服务事项的咨询（第{i}号）", asked, "已办结", asked + 2 * D))
    out[22] = (23, "夜间施工噪音扰民的投诉", date(2026, 7, 10), "待处理", None)
    return out


def page(title: str, crumb: str, body: str) -> bytes:
    nav = "".join(f'<li><a href="{h}">{n}</a></li>' for n, h in NAV)
    html = (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}_示范区人民政府'
            f'</title>\n<link rel="stylesheet" href="/css/site.css">\n</head>\n<body>\n<div class="header"><a href="/">'
            f'<img src="/images/logo.png" alt="示范区人民政府"></a><span class="sitename">示范区人民政府</span></div>\n'
            f'<div class="nav"><ul>{nav}</ul></div>\n<div class="position">当前位置：<a href="/">首页</a> &gt; '
            f'<a href="/hdjl/">互动交流</a> &gt; {crumb}</div>\n<div class="main">{body}</div>\n'
            '<div class="footer">\n<p>主办：示范区人民政府办公室　承办：示范区大数据中心　联系电话：0000-00000000</p>\n'
            '<p>网站标识码：0000000000　示ICP备00000000号　（演示站点，所有单位、人名、编号均为虚构）</p>\n</div>\n'
            '</body>\n</html>\n')
    return html.encode("utf-8")


def _ok(body: bytes) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "text/html; charset=utf-8"}, body


def _query(handler: BaseHTTPRequestHandler, name: str, default: int) -> int:
    values = parse_qs(urlsplit(handler.path).query).get(name) or [str(default)]
    try:
        return int(values[0])
    except ValueError:
        return -1


def qzxx_list(_: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
    rows = []
    for i, title, asked, state, _reply in sorted(QZXX, key=lambda r: (r[0] != 5, r[2]), reverse=False):
        pin = '<b class="top">置顶</b> ' if i == 5 else ""
        rows.append(f'<li>{pin}<a href="/hdjl/qzxx/{i}.html">{title}</a><span class="state">[{state}]</span>'
                    f'<span class="date">{asked.isoformat()}</span></li>')
    body = (f'<h2>区长信箱</h2><ul class="list">{"".join(rows)}</ul>'
            '<p>来信请写明姓名、联系方式和具体诉求，我们将在5个工作日内答复。</p>')
    return _ok(page("区长信箱", "区长信箱", body))


def qzxx_detail(i: int) -> Route:
    _, title, asked, state, reply = next(r for r in QZXX if r[0] == i)

    def route(_: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        answer = (f"<tr><td>答复时间</td><td>{reply.isoformat()}</td></tr><tr><td>答复内容</td>"
                  "<td>您好，您反映的问题已交相关部门核实处理，感谢您对我区工作的关心。</td></tr>" if reply
                  else "<tr><td>答复内容</td><td>暂无回复</td></tr>")
        body = (f"<h1>{title}</h1><table><tr><td>来信时间</td><td>{asked.isoformat()} 09:30</td></tr>"
                f"<tr><td>办理状态</td><td>{state}</td></tr><tr><td>来信内容</td><td>{title}，请予关注。</td></tr>"
                f"{answer}</table>")
        return _ok(page(title, '<a href="/hdjl/qzxx/">区长信箱</a>', body))
    return route


PER_PAGE = 8


def zxts_list(handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
    n = _query(handler, "page", 1)
    msgs = zxts()
    pages = -(-len(msgs) // PER_PAGE)
    if not 1 <= n <= pages:
        return 404, {"Content-Type": "text/html; charset=utf-8"}, page("页面不存在", "咨询投诉", "<p>页面不存在</p>")
    rows = "".join(f'<tr><td><a href="/hdjl/zxts/detail.html?id={i}">{t}</a></td><td>{a.isoformat()}</td><td>{s}</td>'
                   f'<td>{r.isoformat() if r else "—"}</td></tr>' for i, t, a, s, r in msgs[(n - 1) * PER_PAGE:n * PER_PAGE])
    pager = " ".join(f'<a href="/hdjl/zxts/list.html?page={k}">{k}</a>' for k in range(1, pages + 1) if k != n)
    if n < pages:
        pager += f' <a href="/hdjl/zxts/list.html?page={n + 1}">下一页</a>'
    body = (f'<h2>咨询投诉</h2><table class="list"><tr><th>标题</th><th>留言时间</th><th>办理状态</th><th>答复时间</th></tr>'
            f'{rows}</table><div class="pagination">{pager}</div>')
    return _ok(page("咨询投诉", "咨询投诉", body))


def zxts_detail(handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
    i = _query(handler, "id", -1)
    msg = next((r for r in zxts() if r[0] == i), None)
    if msg is None:
        return 404, {"Content-Type": "text/html; charset=utf-8"}, page("页面不存在", "咨询投诉", "<p>页面不存在</p>")
    _, title, asked, state, reply = msg
    answer = (f"<p>答复时间：{reply.isoformat()}</p><p>答复内容：您好，已按程序办理，请留意社区通知。</p>" if reply
              else "<p>答复内容：</p>")
    body = f"<h1>{title}</h1><p>留言时间：{asked.isoformat()}</p><p>办理状态：{state}</p><p>留言内容：{title}。</p>{answer}"
    return _ok(page(title, '<a href="/hdjl/zxts/list.html">咨询投诉</a>', body))


def login(_: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
    form = ('<h2>用户登录</h2><form method="post" action="/login.html"><p>用户名 <input type="text" name="u"></p>'
            '<p>密码 <input type="password" name="p"></p><p><button>登录</button></p></form>')
    return _ok(page("用户登录", "用户登录", form))


def routes() -> dict[str, Route]:
    """Path → route, for demo.server.ROUTES."""
    out: dict[str, Route] = {
        "/hdjl/qzxx/": qzxx_list,
        "/hdjl/zxts/list.html": zxts_list,
        "/hdjl/zxts/detail.html": zxts_detail,
        "/hdjl/sjxx/": lambda _: (302, {"Location": "/login.html?from=/hdjl/sjxx/"}, b""),
        "/login.html": login,
    }
    for row in QZXX:
        out[f"/hdjl/qzxx/{row[0]}.html"] = qzxx_detail(row[0])
    return out
