"""互动交流: the site's message boards read from the stored crawl (what the interaction audits judge).

The national check fails a site outright (单项否决, 互动回应差) when its interaction columns —
领导信箱/区长信箱, 咨询投诉, 留言板, 12345 — leave messages unanswered for more than three
months, or when it offers no working channel at all. This module reads, without fetching:

- **Boards**, found by shape: pages whose list rows carry a message's handling state (已回复,
  办理中 …) or a message's own date label (留言时间, 来信时间 …), in a table with a header row or
  in list rows. A row's state and dates count only outside its title ("关于未回复留言的通报" is
  a title, not a state). A list of permits (办件: 受理时间, 办理状态) is not a board: the page
  must be named as an interaction column (信箱, 留言, 咨询, 投诉 …) or its rows must use a
  message's date label.
- **Each message**: its asked date, state and reply date, from the list row and from its own
  page (the row's link, fetched by the crawler like any link): labelled fields (留言时间：…,
  办理状态：…, 答复时间：…) and the reply block (回复内容：…, or 暂无回复). A date is the asked date
  only when labelled so (or when it is the only date of a row whose state says no reply exists
  yet): a list that prints reply dates never makes a message look old.
- **Channels**, found by name: every link whose anchor names an interaction channel, and where
  it leads — a board, a page that needs a login (无法检查), one that keeps messages private
  (无法检查), an outside platform (not crawled), a dead link, or a script-built list the crawl
  did not render.

States: 已回复/已答复/已办结 … are answered; 未回复/办理中/待处理/未办结 … are open; 已受理/已转办
(accepted or forwarded to the unit that answers) are ``accepted``: the national check's word is
回应 (respond) for the veto and 答复 (answer) for 留言办理, so an accepted message is responded
to (never a veto finding) but not answered (counted open in the response times, and judged by
the local ``reply_within_days`` rule).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from audits._columns import _row_of  # the list row holding a link: one definition with the column audits
from zhaocuo.core.context import AuditContext
from zhaocuo.core.dates import make_date
from zhaocuo.core.htmlheur import (
    MESSAGE_STATES_ACCEPTED,
    MESSAGE_STATES_ANSWERED,
    MESSAGE_STATES_OPEN,
    looks_script_built,
)
from zhaocuo.core.profile import Profile
from zhaocuo.core.store import Crawl, Page
from zhaocuo.core.urlcanon import canonical

MAX_HTML_CHARS = 1_000_000   # only the head of a huge page is parsed
MAX_ROW_CHARS = 400          # a list row longer than this is a paragraph, not a message row
MAX_CHANNELS = 500           # distinct channel targets looked at
MAX_TITLE = 200
MAX_CHANNEL_NAME = 12        # a menu entry's length; a message's title naming 咨询 is no channel

ANSWERED, OPEN, ACCEPTED, UNKNOWN, PRIVATE = "answered", "open", "accepted", "unknown", "private"

# Words naming an interaction column (a board or a mailbox) and words that, in a name, say it is
# something else: a FAQ, the deputies' proposals (a disclosure column), instructions, statistics.
BOARD_NAME = re.compile(r"信箱|留言|咨询|投诉|建议|12345|诉求|问政|来信|写信|民意|信访|热线|有问必答|书记|市长|区长|县长")
NOT_BOARD_NAME = re.compile(r"常见问题|热点问题|问题解答|知识库|问答库|代表建议|政协提案|提案|议案|建议办理|建议复文|电话|"
                            r"须知|规则|说明|指南|通报|统计|汇总|情况|结果公示|办件|简介|活动|讲话|动态|新闻|文件|公告|通知")
# Link names that show the site offers interaction at all (the no-channel check): boards, hubs,
# hotlines, consultations and surveys.
CHANNEL_WORDS = ("信箱", "留言", "咨询", "投诉", "12345", "诉求", "问政", "来信", "写信", "民意", "信访", "热线", "互动", "征集",
                 "访谈", "有问必答", "意见建议")
CHANNEL_NAME = re.compile("|".join(CHANNEL_WORDS))
HUB_NAME = re.compile(r"^(?:互动交流|政民互动|互动|公众参与|互动参与|交流互动|政民互动平台)$")

# Date labels. A message's own (asked) date; generic labels only in a board's table header.
ASKED_LABELS = ("留言时间", "留言日期", "来信时间", "来信日期", "提问时间", "提问日期", "写信时间", "写信日期", "咨询时间",
                "咨询日期", "投诉时间", "投诉日期", "诉求时间", "反映时间", "发信时间", "发件时间", "提交时间", "提交日期",
                "提出时间", "求助时间", "建议时间")
# Labels only a message board uses (提交时间 and 提出时间 also date permits and forms).
MESSAGE_ASKED_LABELS = tuple(x for x in ASKED_LABELS if not x.startswith(("提交", "提出")))
GENERIC_DATE_HEADERS = ("时间", "日期", "发布时间", "发布日期")
REPLY_LABELS = ("回复时间", "回复日期", "答复时间", "答复日期", "办结时间", "办结日期", "回应时间", "反馈时间", "处理时间",
                "回复于", "答复于", "办理时间")
STATE_LABELS = ("办理状态", "处理状态", "回复状态", "答复状态", "信件状态", "留言状态", "办理情况", "是否回复", "是否答复", "状态")
REPLY_CONTENT_LABELS = ("回复内容", "答复内容", "回复意见", "答复意见", "办理结果", "处理结果", "处理意见", "办理意见",
                        "官方回复", "部门回复", "单位回复", "回复单位", "答复单位", "办理单位回复")
NO_REPLY_TEXT = ("暂无回复", "尚未回复", "暂未回复", "等待回复", "暂无答复", "尚未答复", "暂未答复", "正在办理中", "待回复")
PRIVATE_TEXT = re.compile(r"不予公开|暂不公开|不公开|未公开|申请保密|已设为保密|涉及隐私")
# Strong words only: "用户登录" in a page header is a link, not a wall.
LOGIN_TEXT = re.compile(r"请先登录|请登录后|登录后(?:方可|才能|可以|可)?(?:查看|浏览|留言|写信|访问|提交)|您还未登录|您尚未登录|未登录或登录已超时")
LOGIN_URL = re.compile(r"login|signin|sign_in|logon|denglu|passport|/sso/|/cas/|/oauth|/uc/|/auth/", re.I)
ERROR_TEXT = re.compile(r"系统错误|系统异常|系统繁忙|服务器错误|服务器内部错误|数据库连接失败|数据库错误|页面出错|访问出错|"
                        r"Internal Server Error|Service Unavailable|Bad Gateway", re.I)
PINNED = re.compile(r"置顶|\[顶\]|【顶】")

_DATE = r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_DATE_RX = re.compile(_DATE)
_GAP = r"[\s:：\[\]【】()（）]{0,6}"


def _label_rx(labels: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(rf"({'|'.join(sorted(labels, key=len, reverse=True))}){_GAP}{_DATE}")


_ASKED_RX = _label_rx(ASKED_LABELS)
_REPLY_RX = _label_rx(REPLY_LABELS)
_REPLY_LABEL_RX = re.compile("|".join(REPLY_LABELS))
_STATE_WORDS = sorted(MESSAGE_STATES_ANSWERED + MESSAGE_STATES_OPEN + MESSAGE_STATES_ACCEPTED, key=len, reverse=True)
_STATE_RX = re.compile("|".join(_STATE_WORDS))
_STATE_LABELLED = re.compile(rf"(?:{'|'.join(sorted(STATE_LABELS, key=len, reverse=True))})[\s:：]{{0,4}}"
                             rf"({'|'.join(_STATE_WORDS)})")
_REPLY_BLOCK = re.compile(rf"(?:{'|'.join(sorted(REPLY_CONTENT_LABELS, key=len, reverse=True))})[ \t\u3000:：]{{0,4}}"
                          r"([^\n]{0,120})")
_LABEL_LINE = re.compile(r"^\s*[^\s:：]{1,8}\s*[:：]")
_BRACKETED_STATE = re.compile(rf"^[\[【(（]\s*({'|'.join(_STATE_WORDS)})\s*[\]】)）]|"
                              rf"[\[【(（]\s*({'|'.join(_STATE_WORDS)})\s*[\]】)）]$")
_PAGE_PARAMS = {"page", "pageno", "pageindex", "p", "curpage", "pagenum", "start", "pagesize", "pn", "currentpage",
                "page_no", "page_index", "cpage", "offset"}
_INDEX_PAGE = re.compile(r"/(?:index|default|list)(?:_\d+)?\.(?:s?html?|jsp|php|aspx?)$", re.I)
_SPACE = re.compile(r"\s+")
_TITLE_SPLIT = re.compile(r"\s*[-_|—–－·]\s*")


def state_of(word: str) -> str:
    if word in MESSAGE_STATES_ANSWERED:
        return ANSWERED
    if word in MESSAGE_STATES_OPEN:
        return OPEN
    if word in MESSAGE_STATES_ACCEPTED:
        return ACCEPTED
    return UNKNOWN


def _one_state(words: list[str]) -> str:
    """The state the words agree on; UNKNOWN when none or when they disagree (a filter bar that
    offers 全部/已回复/未回复 is no message's state)."""
    states = {state_of(w) for w in words}
    return states.pop() if len(states) == 1 else UNKNOWN


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text or "").strip()


def is_board_name(name: str) -> bool:
    """Does this name call a column an interaction board (区长信箱, 咨询投诉, 网上留言 …)?"""
    name = _clean(name)
    return 2 <= len(name) <= 20 and bool(BOARD_NAME.search(name)) and not NOT_BOARD_NAME.search(name)


def _dated(m: re.Match[str], first_group: int = 2) -> date | None:
    return make_date(m.group(first_group), m.group(first_group + 1), m.group(first_group + 2))


@dataclass
class Row:
    """One message as its board's list shows it."""

    url: str            # the message's own page, "" when the list links to none
    title: str
    list_url: str       # the list page that shows it
    asked: date | None = None
    reply: date | None = None
    state: str = UNKNOWN
    pinned: bool = False
    message_label: bool = False   # dated by a message's own label (留言时间 …), not a generic one


@dataclass
class Detail:
    """What a message's own page says about it (labelled fields only)."""

    asked: date | None = None
    reply: date | None = None
    state: str = UNKNOWN
    reply_text: bool = False       # a reply block with text
    no_reply: bool = False         # 暂无回复 and kin
    private: bool = False          # the message is not public
    login: bool = False            # the page asks to log in


@dataclass
class Message:
    board: str
    board_url: str
    url: str            # the message's page when stored, else the list page that shows it
    key: str            # stable: the message's own URL, or title and date for list-only messages
    title: str
    asked: date | None
    reply: date | None
    state: str          # answered | open | accepted | unknown | private
    pinned: bool = False
    detail_read: bool = False

    def to_dict(self) -> dict[str, object]:
        return {"title": self.title, "url": self.url, "asked": self.asked.isoformat() if self.asked else None,
                "reply": self.reply.isoformat() if self.reply else None, "state": self.state}


@dataclass
class Board:
    name: str
    url: str                                  # the first list page
    pages: list[str] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)


@dataclass
class Channel:
    """A link named as an interaction channel and what it leads to."""

    name: str
    url: str
    status: str          # board | page | form | login | private | script | external | dead | unknown
    detail: str = ""     # Chinese: why it could not be checked, or the error

    @property
    def working(self) -> bool | None:
        """True: the channel answers; False: it answers errors; None: cannot tell."""
        if self.status == "dead":
            return False
        if self.status == "unknown":
            return None
        return True

    @property
    def uncheckable(self) -> bool:
        return self.status in ("login", "private", "script", "form", "external")


UNCHECKABLE_REASONS = {
    "login": "需登录后才能查看留言",
    "private": "留言不公开",
    "form": "只提供写信入口，未公开留言及答复",
    "script": "留言列表由脚本加载，本次抓取未能渲染",
    "external": "留言在站外平台，不在本站抓取范围",
}


@dataclass
class Reading:
    boards: list[Board]
    channels: list[Channel]
    homepage_url: str           # the stored homepage ("" when it was not fetched)
    homepage_title: str
    homepage_ok: bool           # the homepage was fetched and its links can be trusted
    homepage_names: list[str]   # interaction names linked near the homepage (any href, javascript: too)
    unreadable: set[str] = field(default_factory=set)   # message pages seen but not judgeable this run

    @property
    def messages(self) -> list[Message]:
        return [m for b in self.boards for m in b.messages]

    @property
    def uncheckable(self) -> list[Channel]:
        """Channels that could not be checked. A write-only form beside a board that was read
        (区长信箱's 我要写信) is that board's entry, not a board of its own."""
        folders = {b.url.rsplit("/", 1)[0] + "/" for b in self.boards}
        return [c for c in self.channels if c.uncheckable
                and not (c.status == "form" and any(c.url.startswith(f) for f in folders))]


# -- one page -----------------------------------------------------------------------------
def read_detail(text: str) -> Detail:
    """The labelled facts of a message's own page (its stored visible text, one block a line).

    The first 留言时间 is the message's (a page may list related messages further down, with
    their own labels); several different ones make the asked date the latest, so a wait is never
    overstated. Any labelled reply date, a reply block with text or an answered state makes the
    message answered."""
    head = text[:30000]
    d = Detail()
    asked = [x for m in _ASKED_RX.finditer(head) if (x := _dated(m))]
    if asked:
        d.asked = asked[0] if len(set(asked[:3])) == 1 else max(asked[:3])
    replies = [x for m in _REPLY_RX.finditer(head) if (x := _dated(m))]
    if replies:
        d.reply = replies[0]
    d.state = _one_state([m.group(1) for m in _STATE_LABELLED.finditer(head)][:2])
    for m in _REPLY_BLOCK.finditer(head):
        rest = _clean(m.group(1))
        if not rest:  # "答复内容：" closing its line (a dt/dd or td layout): the reply is the next line,
            nxt = head[m.end():].lstrip("\n").split("\n", 1)[0]  # unless that is another label (主办：…)
            rest = "" if _LABEL_LINE.match(nxt) else _clean(nxt)
        if any(w in rest for w in NO_REPLY_TEXT):
            d.no_reply = True
        elif len(re.sub(r"[\W\d_]", "", rest)) >= 4 and not _DATE_RX.fullmatch(rest):
            d.reply_text = True
    if not d.reply_text and any(w in head for w in NO_REPLY_TEXT):
        d.no_reply = True
    d.private = bool(PRIVATE_TEXT.search(head)) and not d.reply_text and d.asked is None
    d.login = bool(LOGIN_TEXT.search(head[:5000])) and d.asked is None and d.state == UNKNOWN
    return d


def _parse(html: str) -> lxml.html.HtmlElement | None:
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html[:MAX_HTML_CHARS])
    if not html.strip():
        return None
    try:
        doc = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return None
    for bad in doc.xpath("//script|//style|//noscript|//template|//select|//option"):
        bad.drop_tree()
    return doc


def _header_kind(text: str) -> str:
    t = _clean(text).replace(" ", "")
    if not t or len(t) > 12:
        return ""
    if any(x in t for x in STATE_LABELS):
        return "state"
    if any(x in t for x in REPLY_LABELS) or t in ("回复", "答复"):
        return "reply"
    if any(x in t for x in ASKED_LABELS):
        return "asked_message" if any(x in t for x in MESSAGE_ASKED_LABELS) else "asked"
    if t in GENERIC_DATE_HEADERS:
        return "date"
    if re.search(r"标题|主题|内容|事项|名称|信件|留言", t):
        return "title"
    return ""


def _state_in(el: etree._Element, text: str) -> str:
    words = _STATE_RX.findall(text)
    if not words:
        for img in el.iter("img"):
            words += _STATE_RX.findall(img.get("alt", "") + img.get("title", ""))
    return _one_state(words)


def _first_date(text: str) -> date | None:
    found = [d for m in _DATE_RX.finditer(text) if (d := _dated(m, 1))]
    return found[0] if len(found) == 1 else None


def _link(a: etree._Element, base: str) -> str:
    href = (a.get("href") or "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
        return ""
    try:
        return canonical(urljoin(base, href)) or ""
    except ValueError:
        return ""


def _table_rows(table: etree._Element, base: str, done: set[etree._Element]) -> list[Row]:
    trs = [tr for tr in table.iter("tr") if next(tr.iterancestors("table"), None) is table]
    header: list[str] | None = None
    out: list[Row] = []
    for tr in trs:
        cells = tr.xpath("./th|./td")
        if header is None:
            kinds = [_header_kind(c.text_content()) for c in cells]
            known = [k for k in kinds if k]
            if len(known) >= 2 and any(k in ("state", "reply", "asked", "asked_message", "date") for k in known) \
                    and not tr.xpath(".//a[@href and not(starts-with(@href, 'javascript'))]"):
                header = kinds
            continue
        if len(cells) != len(header):
            continue
        links = [(a, u) for a in tr.iter("a") if (u := _link(a, base))]
        if not links:
            continue
        title_cols = [i for i, k in enumerate(header) if k == "title"]
        a, url = links[0]
        for i in title_cols:
            found = [(x, u) for x in cells[i].iter("a") if (u := _link(x, base))]
            if found:
                a, url = found[0]
                break
        title = _clean(a.get("title", "")) or _clean(a.text_content())
        row = Row(url=url, title=title[:MAX_TITLE], list_url=base, pinned=bool(PINNED.search(_clean(tr.text_content()))))
        generic_date = None
        for kind, cell in zip(header, cells, strict=True):
            text = _clean(cell.text_content())
            if kind == "state":
                row.state = _state_in(cell, text)
            elif kind == "reply":
                row.reply = _first_date(text)
            elif kind in ("asked", "asked_message"):
                row.asked = _first_date(text)
                row.message_label = kind == "asked_message"
            elif kind == "date":
                generic_date = _first_date(text)
        if row.asked is None and generic_date is not None and row.state == OPEN and row.reply is None:
            row.asked = generic_date  # the only date of a message with no reply yet is when it was asked
        done.update(tr.iter())
        out.append(row)
    return out


def _list_row(a: etree._Element, base: str, seen: set[etree._Element]) -> Row | None:
    """A list row (li, dd, div) holding one message: its title link plus, outside the title,
    a state word and/or dates (labelled, or a single unlabelled one)."""
    row_el = _row_of(a)
    if row_el is None or row_el in seen:
        return None
    seen.add(row_el)
    links = [(x, u, _clean(x.text_content())) for x in row_el.iter("a") if (u := _link(x, base))]
    if not links:
        return None
    a, url, anchor = max(links, key=lambda x: len(x[2]))
    if any(u != url and len(n) > 8 for _, u, n in links):
        return None  # two titles: a block of several messages, not one row
    row_text = _clean(row_el.text_content())
    if len(row_text) > MAX_ROW_CHARS or len(anchor) < 4:
        return None
    title = _clean(a.get("title", "")) or anchor
    outside = row_text
    for _, _, name in links:
        outside = outside.replace(name, " ", 1) if name else outside
    state = _state_in(row_el, outside)
    if state == UNKNOWN:
        # A state inside the link, as its own element or in brackets: <a><em>已回复</em>…</a>, 【已回复】…
        inner = [t for el in a.iterdescendants() if isinstance(el.tag, str)
                 and (t := _clean(el.text_content()).strip("[]【】()（） ")) in _STATE_WORDS]
        m = _BRACKETED_STATE.search(anchor)
        state = _one_state(inner + ([m.group(1) or m.group(2)] if m else []))
    row = Row(url=url, title=title[:MAX_TITLE], list_url=base, state=state, pinned=bool(PINNED.search(row_text)))
    asked = [(m.group(1), d) for m in _ASKED_RX.finditer(outside) if (d := _dated(m))]
    replies = [d for m in _REPLY_RX.finditer(outside) if (d := _dated(m))]
    if asked:
        row.asked = asked[0][1]
        row.message_label = asked[0][0] in MESSAGE_ASKED_LABELS
    if replies:
        row.reply = replies[0]
    if row.asked is None and row.reply is None and state == OPEN and not _REPLY_LABEL_RX.search(outside):
        row.asked = _first_date(outside)  # the only date of a message with no reply yet is when it was asked
    if row.state == UNKNOWN and row.asked is None and row.reply is None:
        return None
    return row


def read_rows(html: str, url: str) -> tuple[list[Row], lxml.html.HtmlElement | None]:
    """The message rows of one page (tables with a header row first, then list rows)."""
    doc = _parse(html)
    if doc is None:
        return [], None
    rows: list[Row] = []
    done: set[etree._Element] = set()
    for table in doc.iter("table"):
        rows += _table_rows(table, url, done)
    seen: set[etree._Element] = set()
    for a in doc.iter("a"):
        if a in done or not a.get("href"):
            continue
        row = _list_row(a, url, seen)
        if row is not None and row.url != url:
            rows.append(row)
    return rows, doc


def page_name(page: Page, doc: lxml.html.HtmlElement | None) -> str:
    """A list page's own name: its breadcrumb's last step, its first heading, or its title."""
    candidates: list[str] = []
    if doc is not None:
        for el in doc.xpath("//*[contains(@class,'position') or contains(@class,'crumb') or contains(@class,'location')"
                            " or contains(@class,'dqwz')]")[:1]:
            parts = [p for p in re.split(r"[>＞»›/→]", _clean(el.text_content())) if p.strip()]
            if parts:
                candidates.append(_clean(parts[-1]).split("：")[-1])
        for h in doc.xpath("//h1|//h2|//h3")[:2]:
            candidates.append(_clean(h.text_content()))
    candidates += _TITLE_SPLIT.split(page.title or "")
    for c in candidates:
        if 2 <= len(c) <= 20:
            return c
    return page.title[:20] or page.url


def board_key(url: str) -> str:
    """The board a list page belongs to: its URL without paging (page=N, index_N.html)."""
    parts = urlsplit(url)
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if k.lower() not in _PAGE_PARAMS))
    path = _INDEX_PAGE.sub("/", parts.path or "/")
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


# -- the whole crawl ----------------------------------------------------------------------
_PREFILTER = re.compile("|".join(_STATE_WORDS + list(ASKED_LABELS) + list(REPLY_LABELS) + list(STATE_LABELS)))


def _ok(page: Page) -> bool:
    return page.status is not None and 200 <= page.status < 300 and not page.error


def reading(ctx: AuditContext) -> Reading:
    """``read`` once per run: the two interaction audits, their summaries and ``undetermined``
    share it (a computed artifact of the run context)."""
    return ctx.get(_reading)


def _reading(ctx: AuditContext) -> Reading:
    return read(ctx.crawl, ctx.profile, ctx.as_of)


def read(crawl: Crawl, profile: Profile, as_of: date) -> Reading:
    """Every board, message and channel of the stored crawl (see the module docstring)."""
    extra_names = [n for n in profile.interaction.names if n]

    def named(name: str) -> bool:
        return is_board_name(name) or any(n in name for n in extra_names)

    home_canon = canonical(profile.homepage)
    list_rows: dict[str, list[Row]] = {}
    list_names: dict[str, str] = {}
    named_pages: set[str] = set()      # list pages whose own name is an interaction name
    details: dict[str, Detail] = {}
    hosts: set[str] = set()
    homepage_ok, homepage_url, homepage_title = False, "", ""
    homepage_names: list[str] = []
    for page in crawl.pages(kinds=("html",)):
        url = page.url
        if url == home_canon or canonical(page.final_url or url) == home_canon:
            homepage_ok = _ok(page) and not (not page.rendered and looks_script_built(page.html, page.text))
            homepage_url, homepage_title = url, page.title or ""
        if page.depth <= 1 and _ok(page) and CHANNEL_NAME.search(page.text or ""):
            # The homepage and the pages it links (a meta-refresh homepage's real one among them).
            homepage_names += _homepage_names(page)
        if not _ok(page):
            continue
        hosts.add(urlsplit(url).netloc)
        text = page.text or ""
        if not _PREFILTER.search(text) and not LOGIN_TEXT.search(text[:5000]) and not PRIVATE_TEXT.search(text[:5000]):
            continue
        detail = read_detail(text)
        if detail.asked or detail.reply or detail.state != UNKNOWN or detail.reply_text or detail.no_reply:
            details[url] = detail
        rows, doc = read_rows(page.html, url) if _PREFILTER.search(text) else ([], None)
        if rows:
            list_rows[url] = rows
            name = page_name(page, doc)
            list_names[url] = name
            if named(name) or named(page.title or ""):
                named_pages.add(url)
    channels = _channels(crawl, named, set(list_rows), hosts, home_canon)
    for c in channels:
        if c.status == "board" and canonical(c.url) in list_rows:
            named_pages.add(canonical(c.url))
    boards = _boards(list_rows, list_names, named_pages, details, channels, crawl)
    unreadable = {u for u, d in details.items() if d.login or d.private}
    unreadable |= {m.key for b in boards for m in b.messages if m.state in (UNKNOWN, PRIVATE)}
    for b in boards:  # dates after the as-of date (a typo, or a later crawl re-audited early) are not used
        for m in b.messages:
            if m.asked and m.asked > as_of:
                m.asked = None
            if m.reply and m.reply > as_of:
                m.reply = None
    return Reading(boards, channels, homepage_url, homepage_title, homepage_ok, homepage_names, unreadable)


def _homepage_names(page: Page) -> list[str]:
    """Interaction names of the links on a page near the homepage, whatever their href (a
    javascript: or mailto: entry is a channel the crawl cannot follow, not a missing one)."""
    doc = _parse(page.html)
    if doc is None:
        return []
    names = []
    for a in doc.iter("a"):
        img = a.find(".//img")
        name = _clean(a.text_content()) or _clean(a.get("title", "")) or (
            _clean(img.get("alt", "") or img.get("title", "")) if img is not None else "")
        if 2 <= len(name) <= MAX_CHANNEL_NAME and CHANNEL_NAME.search(name):
            names.append(name)
    return names


def _channels(crawl: Crawl, named: Callable[[str], bool], boards: set[str], hosts: set[str],
              home: str) -> list[Channel]:
    """Every in-site or outside link named as a channel, judged by what it leads to. The store
    hands over only the links whose anchor holds a channel word (literal words: the regex
    below cannot match anything else), not the millions of a page farm."""
    names: dict[str, Counter[str]] = {}
    for link in crawl.links_anchored(CHANNEL_WORDS, ("a", "area")):
        anchor = _clean(link.anchor)
        if not (2 <= len(anchor) <= MAX_CHANNEL_NAME) or not CHANNEL_NAME.search(anchor):
            continue
        target = canonical(link.target) or link.target
        if target == home:
            continue
        if target not in names and len(names) >= MAX_CHANNELS:
            continue
        names.setdefault(target, Counter())[anchor] += 1
    out = []
    for target, counter in sorted(names.items()):
        name = counter.most_common(1)[0][0]
        out.append(Channel(name, target, *_judge(crawl, target, named(name), boards, hosts)))
    return out


def _judge(crawl: Crawl, target: str, board_named: bool, boards: set[str], hosts: set[str]) -> tuple[str, str]:
    """(status, detail) of one channel link: what the stored crawl says it leads to."""
    if target in boards:
        return "board", ""
    check = crawl.link_check(target)
    page = crawl.page(target)
    final = (check.final_url if check else "") or (page.final_url if page else "")
    if check is not None and (check.error_kind or (check.status or 0) >= 400):
        if check.status in (401, 403) and board_named:
            return "login", f"HTTP {check.status}"
        if not check.judged:  # robots.txt, or an anti-bot gateway the browser could not pass
            return "unknown", ""
        return "dead", f"{check.status or check.error_kind}"
    if final and canonical(final) != target and _login_url(final) and not _login_url(target):
        return ("login", "跳转到登录页") if board_named else ("page", "")
    if page is None:
        if check is None:
            return "unknown", ""  # not fetched nor checked (budget, a limit): nothing to say
        external = urlsplit(target).netloc not in hosts
        return ("external" if external and board_named else "page"), ""
    if not _ok(page):
        return "dead", f"{page.status or page.error}"
    text = page.text or ""
    if ERROR_TEXT.search((page.title or "") + " " + text[:300]) and len(text) < 600:
        return "dead", "页面显示系统错误"
    if not board_named:
        return "page", ""
    lower = (page.html or "")[:MAX_HTML_CHARS].lower()
    if LOGIN_TEXT.search(text[:5000]) or re.search(r"type\s*=\s*[\"']?password", lower):
        return "login", "页面要求登录"
    if not page.rendered and looks_script_built(page.html, text):
        return "script", ""
    if "<textarea" in lower:
        return "form", ""  # a letter form (its 是否公开 choice is no statement that messages are private)
    if PRIVATE_TEXT.search(text[:5000]):
        return "private", ""
    return "page", ""


def _login_url(url: str) -> bool:
    parts = urlsplit(url)
    return bool(LOGIN_URL.search(f"{parts.path}?{parts.query}"))


def _boards(list_rows: dict[str, list[Row]], list_names: dict[str, str], named_pages: set[str],
            details: dict[str, Detail], channels: list[Channel], crawl: Crawl) -> list[Board]:
    """Group list pages into boards and read every message once (list row + its own page)."""
    channel_names = {c.url: c.name for c in channels if c.status == "board"}
    groups: dict[str, list[str]] = {}
    for url in list_rows:
        groups.setdefault(board_key(url), []).append(url)
    boards: dict[str, Board] = {}
    for key, urls in groups.items():
        urls.sort(key=lambda u: (len(u), u))
        rows = [r for u in urls for r in list_rows[u]]
        is_named = any(u in named_pages for u in urls)
        if not is_named and not any(r.message_label for r in rows):
            continue  # a list with states but neither named nor dated as messages (办件 lists)
        first = urls[0]
        name = next((channel_names[u] for u in urls if u in channel_names), "") or list_names[first]
        boards[key] = Board(name=name, url=first, pages=urls)
    # A message listed on several pages (a "latest messages" box, a page 1 that moved) is read once,
    # on the board that lists most messages.
    placed: dict[str, tuple[int, str, Row]] = {}
    for key, board in boards.items():
        size = sum(len(list_rows[u]) for u in board.pages)
        for u in board.pages:
            for r in list_rows[u]:
                mkey = r.url or f"{board.url}#{r.title}|{r.asked or ''}"
                if mkey not in placed or placed[mkey][0] < size:
                    placed[mkey] = (size, key, r)
    for mkey, (_, key, row) in placed.items():
        board = boards[key]
        detail = details.get(row.url) if row.url else None
        stored = bool(row.url) and (detail is not None or crawl.page(row.url) is not None)
        boards[key].messages.append(_merge(board, mkey, row, detail, stored))
    for b in boards.values():
        b.messages.sort(key=lambda m: (m.asked or date.min, m.key))
    return sorted(boards.values(), key=lambda b: b.url)


def _merge(board: Board, key: str, row: Row, detail: Detail | None, stored: bool) -> Message:
    """One message from its list row and its own page: the page's labelled facts win (they are
    specific), the row fills what the page does not say."""
    asked, reply, state = row.asked, row.reply, row.state
    if detail is not None:
        asked = detail.asked or asked
        reply = detail.reply or reply
        if detail.state != UNKNOWN:
            state = detail.state
        if detail.reply_text or detail.reply:
            state = ANSWERED
        elif state == UNKNOWN and detail.no_reply:
            state = OPEN
        if (detail.private or detail.login) and state in (UNKNOWN, OPEN) and not detail.asked:
            state = PRIVATE
    if reply is not None and state in (UNKNOWN, OPEN, ACCEPTED):
        state = ANSWERED
    if asked is not None and reply is not None and reply < asked:
        reply = None  # a reply before the question is a misread date: no response time from it
    url = row.url if stored else board.url
    return Message(board=board.name, board_url=board.url, url=url, key=key, title=row.title, asked=asked,
                   reply=reply, state=state, pinned=row.pinned, detail_read=detail is not None)
