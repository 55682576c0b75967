"""Column discovery (栏目识别) from the stored crawl: what the column audits judge.

The national check counts columns (栏目) — the list pages a site's navigation promises —
that are stale or blank. A column here is a crawled page of the site that is

- the target of a navigation link (``<nav>``, ``class="nav|menu|…"``) or of a breadcrumb
  link (当前位置：首页 > 政务公开 > 通知公告), or
- a list page: a page with pagination (下一页 / 尾页 / ``createPageHTML``) or with at least
  three dated links and no publication date of its own (an article is not a list).

Each column gets a name (breadcrumb > navigation anchor > page title), its list URL, the
items listed on it *and on its further pages* (pagination is followed through the stored
pages, never fetched: audits never fetch) with their dates (from the list, else from the
article's 发布日期/meta/URL), and whether the page says 暂无信息. Articles whose breadcrumb
ends at a column are that column's items too (their own 发布日期 dates them).

Template text (headers, sidebars, footers) is told apart by frequency: a block of text or a
link that appears on the homepage or on many pages is chrome, not content; without that a
blank column whose sidebar lists its sibling columns would look full.

Bounded work: every page is read once, lightly (dates, breadcrumb, pager, menu entries,
aggregated at once); only the homepage and the column pages are read again in full, and a
sample of at most BLOCK_SAMPLE others for their text blocks alone. Per link the work is a few
dictionary look-ups (rows and ancestors are remembered per parent element), so a page farm's
1,000 links a page cost milliseconds, not tens of them. A page the crawler would have rendered but did
not (zhaocuo.core.htmlheur.looks_script_built) is marked: its stored list proves nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from audits import _declared_columns as declared
from audits._catalog import Entry, names_match, time_limit_days
from zhaocuo.core.cmsrecords import GROUP_KIND, LIST_KIND, read_lists, records_html
from zhaocuo.core.context import AuditContext
from zhaocuo.core.dates import DATE_RE, make_date, page_date
from zhaocuo.core.htmlheur import looks_script_built
from zhaocuo.core.profile import DeclaredColumn, Profile
from zhaocuo.core.store import Crawl, Page

# Only the head of a huge page is parsed: lists and navigation are near the top, and an
# untrusted page must not cost unbounded time.
MAX_HTML_CHARS = 1_000_000
# Navigation entries that are site furniture, never columns (they are not "blank columns").
NON_COLUMN_NAMES = {
    "首页", "网站首页", "返回首页", "主页", "网站地图", "站点地图", "无障碍", "无障碍浏览", "无障碍阅读", "长者模式",
    "关怀版", "适老版", "老年版", "繁体", "繁體", "简体", "english", "登录", "登陆", "注册", "搜索", "高级搜索",
    "设为首页", "加入收藏", "收藏本站", "手机版", "移动版", "联系我们", "关于我们", "更多", "more", "更多>>",
    "rss", "返回", "上一页", "下一页", "打印", "关闭", "关闭窗口", "打印本页", "纠错", "我要纠错", "智能问答",
    "隐私声明", "版权声明", "网站声明", "使用帮助", "帮助",
}
BLANK_MARKERS = ("暂无信息", "暂无数据", "暂无内容", "暂无记录", "暂无相关信息", "没有相关信息", "没有信息",
                 "无相关信息", "栏目建设中", "正在建设中", "信息正在更新", "内容正在更新", "暂无文章", "暂无公告")
_NAV_RX = re.compile(r"(^|[-_\s])(nav|menu|daohang|dh|lanmu|channel|column|topbar|mainnav)", re.I)
_CRUMB_RX = re.compile(r"crumb|position|location|dqwz|weizhi|curmb|currentpath|bread|place", re.I)
_CRUMB_TEXT = ("当前位置", "您的位置", "你的位置", "您现在的位置", "所在位置", "当前的位置")
_CRUMB_TEXT_RX = re.compile("|".join(_CRUMB_TEXT))
_CSS_UTILITY = re.compile(r"\bposition-(?:relative|absolute|fixed|static|sticky)\b|\bplaceholder\S*", re.I)
_TRAIL = re.compile("|".join(_CRUMB_TEXT) + r"|[>＞»›→]")
_PAGER_RX = re.compile(r"page|fenye|pager|pagination|pg", re.I)
_PAGER_TEXT = {"下一页", "下页", "后页", "尾页", "末页", "next", ">", ">>", "›", "»", "next>"}
_PAGER_URL = re.compile(r"(index|list|default)_\d+\.s?html?$|[?&](page|pageno|pageindex|p|curpage|pagenum|start)=\d+",
                        re.I)
_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_TRAILING_DATE = re.compile(r"((?:19|20)\d\d)\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*\]?\)?$")
_TITLE_SPLIT = re.compile(r"\s*[-_|—–－·]\s*")
_MEANINGFUL = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
STUB_TEXT = 100  # fewer letters than this on a page that redirects: a redirect stub, not a column


@dataclass
class Item:
    url: str
    title: str
    date: date | None
    source: str  # "list" (date next to the link), "page" (the article's own date), "breadcrumb"


@dataclass
class Column:
    name: str
    url: str
    pages: list[str] = field(default_factory=list)        # the list URL and its further pages
    items: dict[str, Item] = field(default_factory=dict)  # by item URL
    blank_marker: bool = False                            # the page says 暂无信息 or similar
    has_content: bool = False                             # own text or links beyond the template
    script_built: bool = False                            # list filled by script, page not rendered
    sources: set[str] = field(default_factory=set)        # nav | breadcrumb | list | pager | declared
    names: Counter[str] = field(default_factory=Counter)
    declared: DeclaredColumn | None = None                # the profile's [[columns]] entry, if any
    family: str = ""                                      # the CMS family rule that read it (crawler/cms)
    cms_error: str = ""                                   # why the crawl could not read its list in full

    @property
    def dated(self) -> list[Item]:
        return [i for i in self.items.values() if i.date]

    @property
    def newest(self) -> Item | None:
        dated = self.dated
        return max(dated, key=lambda i: (i.date, i.url)) if dated else None

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def is_blank(self) -> bool:
        """No item at all. "暂无信息" on a page with no item is blank; a content page (a 指南,
        a 领导简介 written out on the column page) is not. A page whose list is filled by script
        and that the crawl did not render proves nothing (its "暂无信息" may be the placeholder
        the script replaces): not blank. Nor is a list the crawl could not read (a malformed 大汉
        datastore, an erroring dataproxy.jsp): that is a crawl error of the column."""
        return (not self.items and not self.script_built and not self.cms_error
                and (self.blank_marker or not self.has_content))


@dataclass
class _PageFacts:
    url: str
    depth: int
    title: str
    date: date | None
    dated: list[tuple[str, str, date]]   # (target, anchor, date) of list rows
    undated: list[tuple[str, str]]       # (target, anchor) of undated list rows
    nav: list[tuple[str, str]]           # (target, anchor)
    crumbs: list[tuple[str, str]]        # breadcrumb links after 首页, in order
    crumb_last: str                      # the breadcrumb's last segment as text
    pager: set[str]                      # further pages of this list
    blank_marker: bool
    blocks: set[str]                     # short text blocks (template detection)
    links: list[tuple[str, str]]         # every (target, anchor) of an <a>
    script_built: bool = False           # scripts that load content, and the page was not rendered
    is_list: bool = False                # three or more dated links and no date of its own
    interactive: bool = False            # a form to fill in or an embedded frame
    little_text: bool = False            # hardly any text: a redirect stub when it also redirects
    single: bool = False                 # a page about one thing (领导简介, 科室简介), not a list


# "/tzgg/index.html" is "/tzgg/": the menu links one, the breadcrumb the other, and the
# column must be counted once (two stale copies would move the site toward the veto of five).
_DIR_INDEX = re.compile(r"/(?:index|default)\.(?:s?html?|jsp|php|aspx?)$", re.I)


def norm_url(url: str) -> str:
    """One spelling per page: no fragment, "/" for an empty path, a directory for its index."""
    parts = urlsplit(url)
    path = _DIR_INDEX.sub("/", parts.path or "/")
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def _resolver(base: str) -> Callable[[str], str]:
    """urljoin + norm_url for one page, with a fast path for the common "/path" links
    (urljoin was the larger part of reading a page)."""
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}"

    def resolve(href: str) -> str:
        if href.startswith("/") and not href.startswith("//") and "/." not in href:
            path, q, query = href.split("#", 1)[0].partition("?")
            return origin + _DIR_INDEX.sub("/", path) + q + query
        return norm_url(urljoin(base, href))

    return resolve


_SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text or "").strip()


def _text(el: etree._Element) -> str:
    """``el.text_content()``, read directly for an element with no children (most anchors):
    text_content evaluates an XPath each call, a third of reading a page of 1,000 links."""
    return el.text_content() if len(el) else (el.text or "")


def _classes(el: etree._Element) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}"


def _parse(html: str) -> lxml.html.HtmlElement | None:
    html = html[:MAX_HTML_CHARS]
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)
    if not html.strip():
        return None
    try:
        return lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def _in(el: etree._Element, rx: re.Pattern[str], levels: int = 6,
        memo: dict[tuple[Any, str, int], bool] | None = None) -> bool:
    """An ancestor of ``el`` within ``levels`` is a <nav> or has a class/id matching ``rx``.
    ``memo`` (one page's) answers for links that share a parent — a page of 1,000 links in one
    box walks that box's ancestors once, not 1,000 times."""
    if memo is None:
        return _in_walk(el, rx, levels)
    key = (el.getparent(), rx.pattern, levels)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _in_walk(el, rx, levels)
    return found


def _in_walk(el: etree._Element, rx: re.Pattern[str], levels: int) -> bool:
    node = el
    for _ in range(levels):
        node = node.getparent()
        if node is None:
            return False
        if node.tag == "nav" or rx.search(_classes(node)):
            return True
    return False


def _row_of(a: etree._Element) -> etree._Element | None:
    """The list row holding link ``a``: the nearest li/tr/dd/dt within three levels, else the
    nearest p/div. The caller keeps only rows with one distinct link and short text, so a
    whole ``<ul>`` or page section is never taken for one row."""
    node = a.getparent()
    fallback = None
    for _ in range(3):
        if node is None:
            break
        if node.tag in ("li", "tr", "dd", "dt"):
            return node
        if node.tag in ("p", "div") and fallback is None:
            fallback = node
        node = node.getparent()
    return fallback


def _parse_content(html: str) -> lxml.html.HtmlElement | None:
    """The page parsed, its scripts, styles and noscripts dropped (a TRS pager script's page
    count kept on the root as ``data-zc-pages``)."""
    doc = _parse(html)
    if doc is None:
        return None
    for bad in doc.xpath("//script|//style|//noscript"):
        scripts = bad.text or ""
        for m in _CREATE_PAGE.finditer(scripts):
            # TRS sites write their pager with createPageHTML(total, current, "index", "html"):
            # the further pages are index_1.html … index_{total-1}.html next to this one.
            total, base, ext = int(m.group(1)), m.group(3), m.group(4)
            doc.set("data-zc-pages", f"{min(total, 500)}|{base}|{ext}")
        bad.drop_tree()
    return doc


def _blocks(doc: lxml.html.HtmlElement) -> set[str]:
    """The page's short blocks of own text (at most 200 characters): what template detection
    counts across pages."""
    blocks: set[str] = set()
    for el in doc.iter(etree.Element):  # elements only: comments and PIs are skipped in C
        if el.tag in ("html", "body", "head", "title"):
            continue
        if len(el):
            own = _clean(" ".join(t for t in [el.text, *(c.tail for c in el)] if t))
        elif el.text:  # most elements (a page's 1,000 links) have no children
            own = _clean(el.text)
        else:
            continue
        if own and len(own) <= 200:
            blocks.add(own)
    return blocks


def _page_blocks(html: str) -> set[str] | None:
    """Only the text blocks of a page (None: nothing to parse), for the template sample: the
    same blocks ``_extract`` would keep, without reading its links (a page of 1,000 links
    costs ten times a plain one to read in full)."""
    doc = _parse_content(html)
    return None if doc is None else _blocks(doc)


def _extract(url: str, depth: int, title: str, text: str, html: str, profile: Profile,
             as_of: date, rendered: bool = False, full: bool = True) -> _PageFacts | None:
    """What one page tells about columns. ``full`` also keeps every link and the text blocks
    (for template detection): only the homepage and the column pages need those, and on a
    100,000-page crawl keeping them for every page would cost gigabytes."""
    doc = _parse_content(html)
    if doc is None:
        return None
    facts = _PageFacts(url, depth, title, page_date(html, text, url, as_of), [], [], [], [], "", set(), False,
                       set(), [], script_built=not rendered and looks_script_built(html, text))
    if spec := doc.get("data-zc-pages"):
        total_s, base, ext = spec.split("|")
        facts.pager |= {norm_url(urljoin(url, f"{base}_{i}.{ext}")) for i in range(1, int(total_s))}
    seen_rows: set[etree._Element] = set()  # holds the proxies: lxml reuses ids of dropped ones
    resolve = _resolver(url)
    targets: dict[etree._Element, str] = {}
    # Rows whose link opens the item by script (href="javascript:;" with an onclick, or a saved
    # copy whose unsaved links were blanked): still a dated item the reader sees on the list.
    script_rows: dict[etree._Element, str] = {}
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if href and not href.startswith(("javascript:", "mailto:", "tel:", "#")):
            targets[a] = resolve(href)
        elif not href or href.startswith(("javascript:", "#")):
            name = _clean(a.get("title", "")) or _clean(a.text_content())
            if len(name) >= 6:
                script_rows[a] = f"{url}#{name[:80]}"
    facts.little_text = len(_MEANINGFUL.findall(text[:5000])) < STUB_TEXT
    row_targets = {**targets, **script_rows}
    hosts: dict[str, bool] = {}
    memo: dict[tuple[Any, str, int], bool] = {}
    rows: dict[Any, etree._Element | None] = {}
    for a, target in targets.items():
        netloc = target.split("/", 3)[2] if target.count("/") >= 2 else ""
        if netloc not in hosts:
            hosts[netloc] = profile.url_allowed(target)
        if not hosts[netloc]:
            continue
        anchor = _clean(_text(a)) or _clean(a.get("title", ""))
        if full:
            facts.links.append((target, anchor))
        low = anchor.lower()
        if target != url and (low in _PAGER_TEXT or (anchor.isdigit() and len(anchor) <= 4)) and (
            _in(a, _PAGER_RX, 3, memo) or _PAGER_URL.search(target) or low in {"下一页", "下页", "尾页", "末页"}
        ):
            facts.pager.add(target)
            continue
        if _in(a, _CRUMB_RX, 3, memo):
            continue  # handled with the breadcrumb below
        is_nav = 2 <= len(anchor) <= 12 and _in(a, _NAV_RX, 6, memo)
        if not _list_row(a, target, anchor, row_targets, seen_rows, facts, as_of, rows=rows) and is_nav:
            # A dated row is an item even inside a box whose class says "column" or
            # "channel": only undated menu entries name columns.
            facts.nav.append((target, anchor))
    for a, target in script_rows.items():
        if not _in(a, _NAV_RX) and not _in(a, _PAGER_RX, 3):
            _list_row(a, target, _clean(a.text_content()) or _clean(a.get("title", "")), row_targets, seen_rows,
                      facts, as_of, keep_undated=False)
    _breadcrumb(doc, url, facts)
    plain = _clean(doc.text_content())
    facts.blank_marker = any(m in plain for m in BLANK_MARKERS)
    # A form (信箱, 依申请公开) or an embedded frame is content the column page carries itself.
    facts.interactive = full and bool(doc.xpath("//form//textarea|//form//input[@type='text']|//iframe[@src]"))
    if full:
        facts.blocks = _blocks(doc)
    return facts


_CARD_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "div")
# A date in a cell of its own inside the link, perhaps after a short label ("日期：2024-03-05").
_CELL_DATE = re.compile(r"^(?:[\u4e00-\u9fff]{1,4}\s*[:：]\s*)?" + DATE_RE.pattern
                        + r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")


def _is_card(a: etree._Element) -> bool:
    """A link that is a whole card (<a><img><h3>title</h3><p>summary</p></a>): it is its own row."""
    return len(a) > 0 and any(isinstance(c.tag, str) and c.tag in _CARD_BLOCKS for c in a)


def _list_row(a: etree._Element, target: str, anchor: str, targets: dict[etree._Element, str],
              seen_rows: set[etree._Element], facts: _PageFacts, as_of: date, keep_undated: bool = True,
              rows: dict[Any, etree._Element | None] | None = None) -> bool:
    """Record the list row holding link ``a`` (dated or not); True when the row carries a date.

    A row may hold a second, short link beside its title ("[通知公告]", "详细"): the row
    is then the title's. The date must stand outside the title: "2024年3月5日区长接待日安排"
    names a day, not when it was posted (such a row is dated by its article instead). Inside
    the link a date counts in an element of its own, perhaps labelled ("日期：2024-03-05"), or
    written with - or / at the end of an element's text, as card layouts print it
    (<a><h3>标题(2020-12-30)</h3><p>摘要</p></a>). A row whose link holds no text (an image,
    nothing) is titled by the row's own text. ``rows`` (one page's) remembers the row of each
    parent: links sharing a parent share it."""
    if _is_card(a):
        row = a
    elif rows is None:
        row = _row_of(a)
    else:
        parent = a.getparent()
        row = rows[parent] if parent in rows else rows.setdefault(parent, _row_of(a))
    if row is None or row in seen_rows:
        return False
    anchors = [(x, targets[x], _clean(_text(x)) or _clean(x.get("title", "")))
               for x in row.iter("a") if x in targets]
    if len({t for _, t, _ in anchors}) != 1:
        main = max(anchors, key=lambda x: len(x[2]), default=None)
        if main is None or len(main[2]) < 6 or any(t != main[1] and len(n) > 8 for _, t, n in anchors):
            return False
        a, target, anchor = main
    seen_rows.add(row)
    row_text = _clean(row.text_content())
    if len(row_text) > 300:
        return False
    item_title = _clean(a.get("title", "")) or anchor
    if not item_title:
        item_title = _clean(DATE_RE.sub(" ", row_text))[:100]
    outside = row_text
    for _, _, name in anchors:
        if name:  # an image-only or empty link: replacing "" would space out every character
            outside = outside.replace(name, " ")
    found = list(DATE_RE.finditer(outside))
    for x, _, name in anchors:
        # Inside the link, a date counts in an element of its own (<span>2024-03-05</span>)
        # or written with - or / at the end of the text, as lists print posting dates.
        for el in x.iterdescendants():
            if not isinstance(el.tag, str):
                continue
            t = _clean(el.text_content()).strip("[]()（）【】 ")
            if len(t) <= 30 and (m := _CELL_DATE.match(t)):
                found.append(m)
            elif el.tag in _CARD_BLOCKS and (m := _TRAILING_DATE.search(t)):
                found.append(m)
                if not a.get("title"):
                    item_title = _TRAILING_DATE.sub("", _clean(el.text_content()).rstrip(")）]】 ")).rstrip("(（[【 ")
        if m := _TRAILING_DATE.search(name):
            found.append(m)
    dates = [d for d in (make_date(*m.groups()[:3]) for m in found) if d and d.toordinal() <= as_of.toordinal() + 1]
    if dates:
        facts.dated.append((target, item_title, max(dates)))
        return True
    if len(anchor) >= 4 and keep_undated:
        facts.undated.append((target, item_title))
    return False


def _breadcrumb(doc: lxml.html.HtmlElement, url: str, facts: _PageFacts) -> None:
    """The breadcrumb (当前位置：首页 > 政务公开 > 通知公告): its links after 首页 and its last
    segment. Found by class (crumb, position, location, dqwz …; not CSS utilities such as
    position-relative) or by its 当前位置 text; among several, one that reads like a trail
    (a 当前位置 label or a > separator) wins."""
    # Only elements with a class or an id can match by class (a page of 1,000 bare links is
    # not walked in Python), and only a page whose text holds a 当前位置 label by text.
    holders = [el for el in doc.xpath("descendant-or-self::*[@class or @id]") if el.tag not in ("html", "body")
               and _CRUMB_RX.search(_CSS_UTILITY.sub("", _classes(el)))
               and len(_clean(el.text_content())) <= 200]
    if not holders and _CRUMB_TEXT_RX.search(doc.text_content()):
        for el in doc.iter():
            if isinstance(el.tag, str) and el.tag not in ("html", "body") and el.text and \
                    _CRUMB_TEXT_RX.search(el.text) and len(_clean(el.text_content())) <= 200:
                # <span>当前位置：</span><a>首页</a> &gt; …: the label alone; the trail is its parent's
                parent = el.getparent()
                if len(_clean(el.text_content())) <= 8 and parent is not None and parent.tag not in ("html", "body") \
                        and len(_clean(parent.text_content())) <= 200:
                    el = parent
                holders.append(el)
                break
    if not holders:
        return
    trails = [h for h in holders if _TRAIL.search(h.text_content())]
    holder = (trails or holders)[0]
    crumbs = []
    for a in holder.iter("a"):
        href = (a.get("href") or "").strip()
        anchor = _clean(a.text_content())
        if not href or not anchor or anchor in NON_COLUMN_NAMES or href.startswith("javascript:"):
            continue
        crumbs.append((norm_url(urljoin(url, href)), anchor))
    facts.crumbs = crumbs
    segments = [s for s in re.split(r"[>＞»›/→]|&gt;|\s[-－—]+\s", _clean(holder.text_content())) if s.strip()]
    if segments:
        facts.crumb_last = _clean(segments[-1])


def _below(url: str, parent: str) -> bool:
    """Is ``url`` inside the folder of ``parent`` (not the site root)?"""
    a, b = urlsplit(url), urlsplit(parent)
    folder = b.path.rsplit("/", 1)[0] + "/"
    return a.netloc == b.netloc and folder != "/" and a.path.startswith(folder) and a.path != b.path


def _name_ok(name: str) -> bool:
    low = name.strip().lower()
    return 2 <= len(low) <= 20 and low not in NON_COLUMN_NAMES and not low.isdigit()


_PROFILE_WORDS = ("领导简介", "领导信息", "领导之窗", "领导介绍", "个人简历", "简历", "科室简介", "单位简介", "机构简介",
                  "机构职能", "工作职责", "主要职责", "内设机构")


def _single(f: _PageFacts, sources: set[str], cms: bool) -> bool:
    """A page about one thing, not a list: an article or a profile page (领导简介, 科室简介) that a
    menu links. It has a date of its own or a profile's name, no pager and no list of dated
    rows; it is neither a column the profile declares nor one a CMS rule read."""
    if "declared" in sources or cms or f.pager or f.is_list or "pager" in sources:
        return False
    profile_page = any(w in f.title or w in f.crumb_last for w in _PROFILE_WORDS)
    return f.date is not None or profile_page


def _land_redirects(crawl: Crawl, facts: dict[str, _PageFacts], sources: dict[str, set[str]],
                    names: dict[str, Counter[str]]) -> None:
    """Move every column candidate that is a redirect stub (a channel root holding only a
    ``<meta http-equiv="Refresh">`` or a script redirect, as TRS sites publish them) to the list
    it sends the reader to. A stub whose target was not crawled (another host) is no column: a
    redirect is not a blank column."""
    stubs: dict[str, str] = {}
    for link in crawl.links_mentioning(("http",), ("meta",)):
        src = norm_url(link.source)
        f = facts.get(src)
        if f is not None and f.little_text and src not in stubs and norm_url(link.target) != src:
            stubs[src] = norm_url(link.target)
    if not stubs:
        return
    for url in [u for u in sources if u in stubs]:
        land, hops = url, 0
        while land in stubs and hops < 5:
            land, hops = stubs[land], hops + 1
        moved, named = sources.pop(url), names.pop(url, Counter())
        if land in facts and land not in stubs:
            sources.setdefault(land, set()).update(moved)
            names.setdefault(land, Counter()).update(named)


@dataclass
class Discovery:
    """Everything the column audits share, computed once per crawl."""

    columns: list[Column]
    homepage: str
    homepage_items: list[Item]
    # Every navigation and breadcrumb anchor of the site, crawled target or not (a column the
    # crawl budget left out still exists: missing_column must not claim it absent).
    nav_names: set[str] = field(default_factory=set)
    # The homepage fills itself by script and was not rendered: its stored HTML proves nothing.
    homepage_script_built: bool = False
    # [[columns]] URLs that were not in the crawl (audits/_declared_columns.py).
    declared_missing: list[str] = field(default_factory=list)


def discover(ctx: AuditContext) -> Discovery:
    """The site's columns, computed once per run (a computed artifact: four audits share it)."""
    return ctx.get(discovery)


def discovery(ctx: AuditContext) -> Discovery:
    """Discover the site's columns (``discover(ctx)`` computes this once per run)."""
    return _discover(ctx.crawl, ctx.profile, ctx.as_of)


def _html_pages(crawl: Crawl) -> Iterator[tuple[str, Page]]:
    """(normalised URL, page) for every stored HTML page, under its final URL too."""
    for page in crawl.pages(kinds=("html",)):
        if page.status is not None and not 200 <= page.status < 300:
            continue
        yield norm_url(page.url), page
        final = norm_url(page.final_url or page.url)
        if final != norm_url(page.url):
            yield final, page


# Pages whose text blocks are counted to tell the template: the homepage, the column pages
# and an evenly spread sample of the others (enough to see what repeats everywhere).
BLOCK_SAMPLE = 1500


def date_limit(crawl: Crawl, as_of: date) -> date:
    """The latest believable date: as-of, or the day the crawl ran when that is later.

    A date after both is a typo (or an event announced ahead) and is ignored. A date after
    as-of but not after the crawl is real: re-auditing an older night (``--as-of`` in the
    past) sees items posted since, and they show the column was updated, not stale."""
    try:
        crawled = date.fromisoformat((crawl.run.finished_at or crawl.run.started_at or "")[:10])
    except ValueError:
        return as_of
    return max(as_of, crawled)


@dataclass
class _Survey:
    """What the first, light pass over every page gathers (see ``_survey``)."""

    facts: dict[str, _PageFacts] = field(default_factory=dict)
    stored: dict[str, str] = field(default_factory=dict)  # normalised URL → the store's URL, to read the page again
    names: dict[str, Counter[str]] = field(default_factory=dict)  # the names pages give a column's URL
    sources: dict[str, set[str]] = field(default_factory=dict)  # why a URL may be a column (nav, pager, list…)
    dated_anywhere: Counter[str] = field(default_factory=Counter)  # how many pages list a target with a date
    nav_names: set[str] = field(default_factory=set)

    def candidate(self, url: str, source: str, name: str = "") -> None:
        self.sources.setdefault(url, set()).add(source)
        c = self.names.setdefault(url, Counter())
        if name and _name_ok(name):
            c[name] += 1


def _survey(crawl: Crawl, profile: Profile, as_of: date) -> _Survey:
    """Pass 1, every page, light: dates, breadcrumbs, pagers, menus (aggregated at once)."""
    sv = _Survey()
    for url, page in _html_pages(crawl):
        if url in sv.facts:
            continue
        f = _extract(url, page.depth, page.title, page.text, page.html, profile, as_of, page.rendered, full=False)
        if f is None:
            continue
        for target, anchor in f.nav:
            if _name_ok(anchor):
                sv.candidate(target, "nav", anchor)
                sv.nav_names.add(anchor)
        for target, anchor in f.crumbs:
            sv.candidate(target, "breadcrumb", anchor)
            if _name_ok(anchor):
                sv.nav_names.add(anchor)
        targets = {t for t, _, _ in f.dated}
        sv.dated_anywhere.update(targets)
        f.is_list = len(targets) >= 3 and f.date is None
        if f.pager:
            sv.candidate(url, "pager")
        f.nav, f.dated, f.undated = [], [], []
        sv.facts[url] = f
        sv.stored[url] = page.url
    return sv


def _group_pages(facts: dict[str, _PageFacts]) -> Callable[[str], str]:
    """Further pages of a list belong to the list's first page (union by pager links): returns
    the function giving a page's first page."""
    parent: dict[str, str] = {}

    def root(u: str) -> str:
        while parent.get(u, u) != u:
            u = parent[u]
        return u

    for f in facts.values():
        for nxt in f.pager:
            if nxt in facts:
                a, b = root(f.url), root(nxt)
                if a != b:
                    first, second = sorted((a, b), key=lambda u: (facts[u].depth, len(u), u))
                    parent[second] = first
    return root


def _read_in_full(crawl: Crawl, profile: Profile, as_of: date, sv: _Survey, wanted: set[str],
                  cms_lists: dict[str, Any]) -> tuple[set[str], int]:
    """Pass 2: the homepage and the column pages again, in full (their facts replace the light
    ones), and a sample of the other pages for the template. Returns (the blocks of text the
    template repeats, how many pages were read)."""
    facts = sv.facts
    others = [u for u in facts if u not in wanted]
    step = max(1, len(others) // BLOCK_SAMPLE)
    block_pages: Counter[str] = Counter()
    sample = others[::step][:BLOCK_SAMPLE]
    read = 0
    for url in sample:  # only their blocks count
        page = crawl.page(sv.stored[url])
        blocks = _page_blocks(page.html) if page else None
        if blocks is not None:
            read += 1
            block_pages.update(blocks)
    for url in sorted(wanted):
        page = crawl.page(sv.stored[url])
        full = _extract(url, page.depth, page.title, page.text, page.html, profile, as_of, page.rendered) \
            if page else None
        if full is None:
            continue
        full.is_list = facts[url].is_list if url in facts else False
        lst = cms_lists.get(url)
        if lst is not None and lst.records and url in wanted:
            # The datastore's records, as jpage.js shows them: rows of this column page.
            rec = _extract(url, page.depth, page.title, "", records_html(lst.records), profile, as_of, full=False)
            if rec is not None:
                full.dated += rec.dated
                full.undated += rec.undated
        read += 1
        block_pages.update(full.blocks)
        facts[url] = full
    # A block on at least 3 pages and a fifth of those read is chrome (small sites: 3 pages).
    chrome_min = max(3, read // 5)
    return {b for b, n in block_pages.items() if n >= chrome_min}, read


def _fill_column(col: Column, sv: _Survey, columns: dict[str, Column], homepage: str, template: set[str],
                 home_targets: set[str], item_chrome: int) -> None:
    """Items: dated rows of every page of the column, undated rows dated by their article; and
    whether the column shows anything of its own (links, text, a form)."""
    facts = sv.facts
    col.pages.sort(key=lambda u: (u != col.url, facts[u].depth, len(u), u))
    pages = set(col.pages)
    for u in col.pages:
        f = facts[u]
        col.blank_marker = col.blank_marker or f.blank_marker
        col.script_built = col.script_built or f.script_built
        for target, title, d in f.dated:
            if target in columns or target == homepage or sv.dated_anywhere[target] >= item_chrome:
                continue  # a "latest news" box on every page is chrome, not this column's item
            old = col.items.get(target)
            if old is None or (old.date and d > old.date):
                col.items[target] = Item(target, title, d, "list")
        for target, title in f.undated:
            if target in columns or target == homepage or target in pages or title in template:
                continue
            art = facts.get(target)
            if art is not None and art.date is not None and target not in col.items:
                col.items[target] = Item(target, title, art.date, "page")
        own_links = [a for t, a in f.links if a and a not in template and t not in f.pager
                     and t != homepage and t not in home_targets and _name_ok(a)]
        own_text = [b for b in f.blocks if b not in template and b not in col.names
                    and b != f.crumb_last and b != f.title and not any(m in b for m in BLANK_MARKERS)
                    and not any(t in b for t in _CRUMB_TEXT)]
        # A landing page (政务公开) lists its sub-columns, which the homepage may list too:
        # links to its children (below its path, or with it in their breadcrumb) are
        # content. Links to siblings (a sidebar of the neighbouring columns) are not.
        sub_columns = [t for t, _ in f.links if t in columns and t not in pages and t != col.url
                       and (_below(t, col.url) or any(c == col.url for c, _ in facts[t].crumbs))]
        if own_links or sub_columns or f.interactive or sum(len(b) for b in own_text) >= 20:
            col.has_content = True


def _home_items(home: _PageFacts | None, facts: dict[str, _PageFacts], homepage: str) -> list[Item]:
    """The homepage's dated rows, and its links to articles dated by their own page."""
    home_items: list[Item] = []
    if home:
        for target, title, d in home.dated:
            home_items.append(Item(target, title, d, "list"))
        listed = {i.url for i in home_items}
        for target, anchor in home.links:
            art = facts.get(target)
            if target not in listed and art is not None and art.date is not None and target != homepage:
                listed.add(target)
                home_items.append(Item(target, anchor, art.date, "page"))
    return home_items


def _discover(crawl: Crawl, profile: Profile, as_of: date) -> Discovery:
    as_of = date_limit(crawl, as_of)  # below, "as_of" only bounds which dates are believed
    sv = _survey(crawl, profile, as_of)
    facts, sources, candidate = sv.facts, sv.sources, sv.candidate
    # The start URL, stored under its own and its final (redirected) URL. When it was not
    # fetched, no other page stands in for it: a veto must not rest on an inner page.
    homepage = norm_url(profile.homepage)
    # What the crawl's CMS family rules read (crawler/cms): further list pages named only by a
    # pager script, 大汉 datastore records (the column's items), and lists it could not read.
    cms_lists = {norm_url(u): lst for u, lst in
                 read_lists(crawl.records(LIST_KIND), crawl.records(GROUP_KIND)).items() if norm_url(u) in facts}
    for url, lst in cms_lists.items():
        facts[url].pager |= {norm_url(p) for p in lst.pages}
        if lst.pages:
            candidate(url, "pager")
        if lst.family == "hanweb":
            candidate(url, "cms")
    for f in facts.values():
        if f.is_list and not f.pager:
            candidate(f.url, "list")
    for url, name in declared.seeds(profile):  # [[columns]] of the profile
        candidate(url, "declared", name)
    _land_redirects(crawl, facts, sources, sv.names)
    for url in [u for u, src in sources.items() if u in facts and _single(facts[u], src, u in cms_lists)]:
        del sources[url]
    for url in [u for u in sources if u not in facts or u == homepage]:
        del sources[url]
    root = _group_pages(facts)
    columns: dict[str, Column] = {}
    for url in list(sources):
        r = root(url)
        if r == homepage:
            continue
        col = columns.setdefault(r, Column(name="", url=r))
        col.sources |= sources[url]
        col.names.update(sv.names.get(url, Counter()))
    in_column: set[str] = set()
    for u in facts:
        r = root(u)
        if r in columns and u not in in_column:
            columns[r].pages.append(u)
            in_column.add(u)
    wanted = {u for u in (homepage, *(u for c in columns.values() for u in c.pages)) if u in facts}
    template, _ = _read_in_full(crawl, profile, as_of, sv, wanted, cms_lists)
    home = facts.get(homepage)
    template |= home.blocks if home else set()
    home_targets = {t for t, _ in home.links} if home else set()
    item_chrome = max(5, int(len(columns) * 0.3) + 1)
    for col in columns.values():
        _fill_column(col, sv, columns, homepage, template, home_targets, item_chrome)
    for col in columns.values():
        for u in col.pages:
            lst = cms_lists.get(u)
            if lst is None:
                continue
            col.family = col.family or lst.family
            if lst.error and not col.cms_error:
                col.cms_error = lst.error
            if lst.family == "hanweb" and lst.records:
                col.script_built = False  # its list is in the datastore the crawl read
    # Articles whose breadcrumb ends at a column are its items (dated by their own page).
    pages_of = {r: set(c.pages) for r, c in columns.items()}
    for f in facts.values():
        if f.crumbs and f.date is not None:
            target = f.crumbs[-1][0]
            r = root(target) if target in facts else target
            col = columns.get(r)
            if col is not None and f.url not in pages_of[r] and f.url not in col.items and f.url not in columns:
                col.items[f.url] = Item(f.url, f.title, f.date, "breadcrumb")
    for col in columns.values():
        f = facts[col.url]
        crumb = f.crumb_last if _name_ok(f.crumb_last) else ""
        title_name = next((p for p in _TITLE_SPLIT.split(f.title) if _name_ok(p)), "")
        col.name = crumb or (col.names.most_common(1)[0][0] if col.names else "") or title_name or col.url
    home_items = _home_items(home, facts, homepage)
    # A page that is a column only by its dated links (no menu, breadcrumb or pager points to
    # it as one) but is an item of another column is an article with a "related news" box.
    items_elsewhere = {u for c in columns.values() if c.sources != {"list"} for u in c.items}
    named = {c.name for c in columns.values() if c.sources != {"list"}}
    result = sorted((c for c in columns.values() if "declared" in c.sources or (_name_ok(c.name) and not (
        c.sources == {"list"} and (c.url in items_elsewhere or c.name in named)))), key=lambda c: c.url)
    # Findings name pages by the store's own URLs: the lifecycle can only call a finding fixed
    # when its url is a page fetched again, and the runner finds the page title by it.
    for c in result:
        c.url = sv.stored.get(c.url, c.url)
    return declared.apply(Discovery(result, sv.stored.get(homepage, profile.homepage), home_items, sv.nav_names,
                                    bool(home and home.script_built)), profile)


# -- freshness ----------------------------------------------------------------------------
# The national check's classes (《政府网站与政务新媒体检查指标》: 动态、要闻类 two weeks;
# 通知公告、政策文件类 six months; 人事、规划计划类 one year — 领导、机构 alike), by the words of
# the column's name. A name with words of two classes gets the longer period (人事动态,
# 领导动态): a finding must never come early. A column of no class has no rule unless the
# profile or the catalogue gives one.
NAME_CLASSES: list[tuple[tuple[str, ...], int, str]] = [
    (("动态", "要闻"), 14, "动态、要闻类栏目"),
    (("通知", "公告", "公示", "通告", "政策文件", "规范性文件", "政府文件"), 180, "通知公告、政策文件类栏目"),
    (("人事", "规划", "计划", "领导", "机构"), 365, "人事、规划计划类栏目"),
]


@dataclass
class Rule:
    max_age_days: int
    reason: str  # Chinese: where the period comes from, shown in the finding


def name_rule(name: str) -> Rule | None:
    hits = [(days, label) for words, days, label in NAME_CLASSES if any(w in name for w in words)]
    if not hits:
        return None
    days, label = max(hits)
    return Rule(days, f"{label}应在{days}天内更新")


def rule_for(column: Column, profile: Profile, entry: Entry | None, as_of: date) -> Rule | None:
    """The column's freshness rule. ``[columns].max_age_days`` (by column name) wins, then a
    catalogue item's explicit max_age_days; a 公开时限 of the matching catalogue item becomes
    the rule, but never loosens the national class (the national check still applies).
    A column the profile declares (``[[columns]]``) with max_age_days or rule = "static"
    (no freshness period) is judged by that before anything else."""
    if column.declared is not None:
        if column.declared.rule == "static":
            return None
        if column.declared.max_age_days > 0:
            days = column.declared.max_age_days
            return Rule(days, f"配置声明栏目“{column.declared.name}”{days}天内更新")
    for key, days in profile.columns.max_age_days.items():
        if names_match(key, column.name) and days > 0:
            return Rule(days, f"配置要求栏目“{key}”{days}天内更新")
    national = name_rule(column.name)
    if entry is not None:
        if entry.max_age_days > 0:
            return Rule(entry.max_age_days, f"公开目录要求“{entry.name}”{entry.max_age_days}天内更新")
        limit = entry.fields.get("time_limit", "")
        days = time_limit_days(limit, as_of)
        if days is not None and (national is None or days < national.max_age_days):
            return Rule(days, f"公开目录时限“{limit}”(折合约{days}天)")
    return national
