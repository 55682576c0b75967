"""Pure HTML heuristics shared by the crawler and the audits.

``looks_like_message_list`` (below) tells the crawler that a page lists citizens' messages, so
their pages are followed past the usual query-string budget.

``looks_script_built`` decides whether a raw page fills its content by script after load. The
crawler uses it to choose pages to re-fetch in the browser; the column audits use the same
test to know that a stored list which was not rendered proves nothing about the column. One
definition, in the core, so the two stages agree without importing each other.
"""

from __future__ import annotations

import html as html_lib
import re

# Inline code that loads content after the page is parsed.
_LOADER = re.compile(
    r"\bfetch\s*\(|XMLHttpRequest|\$\.(?:ajax|get|getJSON|post)\s*\(|jQuery\.(?:ajax|get|getJSON|post)\s*\(|"
    r"\baxios\b|\.load\s*\(\s*['\"]|new\s+Vue\s*\(|createApp\s*\(|ReactDOM|ng-app|ng-repeat|v-for=|"
    r"layui\.(?:table|laypage|flow)|\$\(\s*['\"][^'\"]{1,100}['\"]\s*\)\.(?:html|append)\s*\(",
    re.I,
)
_SCRIPT_SRC = re.compile(r"<script\b[^>]{0,500}?\bsrc\s*=\s*[\"']?([^\"'\s>]{1,500})", re.I)
# Libraries nearly every government page loads whatever its content: on their own they are no
# sign that a short page (网站地图, 联系我们, an empty column) fills itself by script, and rendering
# such a page would start a browser (hundreds of MB) for nothing.
_LIBRARY_SCRIPT = re.compile(
    r"(?:^|/)(?:jquery|bootstrap|layer|swiper|superslide|common|public|base|util|polyfill|html5shiv|respond|"
    r"hm|analytics|gtag|tongji|zoom|wza|barrier|aria|font)[^/]*$|hm\.baidu\.com/|cnzz\.com/", re.I)
# An empty element whose id/class names it as the page's content, list or app mount point.
# Quantifiers are bounded: a hostile page with a megabyte-long attribute must not cost seconds.
_EMPTY_CONTAINER = re.compile(
    r"<(div|ul|ol|tbody|table|section|main|dl)\b[^>]{0,300}?\b(?:id|class)\s*=\s*[\"'][^\"'>]{0,80}?"
    r"(?:list|content|app|root|result|data|article|news|items?|main|container)[^\"'>]{0,80}[\"'][^>]{0,300}>"
    r"\s{0,200}(?:<!--.{0,500}?-->\s{0,200}){0,3}</\1\s*>",
    re.I | re.S,
)
_LOADING_HINT = re.compile(r"加载中|正在加载|数据加载|loading\.\.\.|\{\{\s*[\w.]+\s*\}\}", re.I)
_MEANINGFUL = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]")
LITTLE_TEXT = 150


def looks_script_built(html: str, text: str) -> bool:
    """True when a raw page has little text but scripts that load its content.

    Two shapes are recognised: an application shell (little visible text, a script that loads
    or a script file) and a page frame whose list is filled later (loader code or a script file,
    plus an empty list/content container, a "加载中" hint or unfilled ``{{ }}`` templates).
    A long page with an analytics script or a visit counter is left alone: only the evidence of
    missing content makes a page worth the browser's cost."""
    if not html or "<script" not in html.lower():
        return False
    meaningful = len(_MEANINGFUL.findall(text[:20000]))
    if meaningful >= 3000:
        return False  # the content is there already
    head = html[:300_000]
    loader = bool(_LOADER.search(head))
    script_file = any(not _LIBRARY_SCRIPT.search(src.split("?")[0]) for src in _SCRIPT_SRC.findall(head))
    if meaningful < LITTLE_TEXT and (loader or script_file):
        return True
    empty = bool(_EMPTY_CONTAINER.search(head))
    hint = bool(_LOADING_HINT.search(text[:20000]))
    return (loader and (empty or hint)) or (script_file and empty)


# Handling states a message board prints beside each message (已回复, 办理中 …). One list for the
# crawler (which follows a board's query-string pages further, see ``looks_like_message_list``)
# and the interaction audits (which read each message's state, audits/_interaction.py).
MESSAGE_STATES_ANSWERED = ("已回复", "已答复", "已办结", "已反馈", "已回应", "已解答", "已处理", "已完成", "已办理",
                           "办理完毕", "处理完毕")
MESSAGE_STATES_OPEN = ("未回复", "未答复", "待回复", "待答复", "暂未回复", "尚未回复", "暂无回复", "未处理", "待处理",
                       "办理中", "处理中", "正在办理", "正在处理", "未办结", "待办理", "未办理", "待受理", "未受理",
                       "未反馈", "待反馈")
# Accepted or forwarded to the unit that will answer: a response to the citizen, not yet the answer.
MESSAGE_STATES_ACCEPTED = ("已受理", "已转办", "转办中", "已交办", "已分办", "已签收", "已转交", "已批转")
_STATE_RX = re.compile("|".join(sorted(MESSAGE_STATES_ANSWERED + MESSAGE_STATES_OPEN + MESSAGE_STATES_ACCEPTED,
                                       key=len, reverse=True)))
_BOARD_WORD = re.compile(r"留言|信箱|来信|咨询|投诉|诉求|问政|建议|信件|热线")


def looks_like_message_list(text: str) -> bool:
    """True when a page's visible text reads like a list of citizens' messages: at least three
    handling states (已回复, 办理中 …) and a board word (留言, 信箱, 咨询 …).

    The crawler lets the links of such a page past its per-path query-string budget (a board
    pages through list.jsp?page=N and shows each message at detail.jsp?id=N); a false positive
    costs a few more fetches, never a finding."""
    head = text[:50000]
    return len(_STATE_RX.findall(head)) >= 3 and bool(_BOARD_WORD.search(head))


_ARTICLE_TITLE_META = re.compile(r"""(?is)<meta[^>]+name\s*=\s*["']ArticleTitle["'][^>]*content\s*=\s*["']([^"']+)""")
_H1 = re.compile(r"(?is)<h1\b[^>]*>(.*?)</h1>")
_TITLE_PARTS = re.compile(r"\s*[_|—–－]\s*|\s+-+\s+")


def article_title(html: str, title: str) -> str:
    """An article's own title: its ArticleTitle meta (TRS), else its first <h1> with text, else the
    first part of <title> ("标题_某区人民政府") — many sites' <title> is only the site's name."""
    head = html[:200_000] if html else ""
    if m := _ARTICLE_TITLE_META.search(head[:20000]):
        return _squash(m.group(1))
    for m in _H1.finditer(head):
        text = _squash(re.sub(r"<[^>]+>", "", m.group(1)))
        if 4 <= len(text) <= 200:
            return text
    return _TITLE_PARTS.split(title.strip(), maxsplit=1)[0].strip() if title else ""


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(text)).strip()
