"""Policy documents on the site and their metadata (文号, 成文日期, 发布日期, 有效期, 效力状态).

Government sites print a metadata table above each 政策文件 (索引号, 发文机关, 发文字号,
成文日期, 发布日期, 有效性 …) and, when a document is amended or repealed (立改废), are
meant to mark it: 效力状态：已废止, a banner "本文件已废止", or 已失效 in the title. A page is
a policy document when it carries a 文号 (临政发〔2024〕3号) near its top or after a
发文字号 label, and a date. 废止 notices (关于废止…的决定, 规范性文件清理结果) are read for
the documents they repeal — only from their 废止/失效 parts: a clean-up result also lists the
documents that stay in force (继续有效) or are amended.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from zhaocuo.core.context import AuditContext
from zhaocuo.core.dates import DATE_RE, labelled_date, make_date
from zhaocuo.core.store import Crawl, Page

# A document number: issuing-organ abbreviation, year in 〔〕 (or [] ［］ () 【】), serial, 号
# (国发〔2024〕5号, 鲁政办字〔2024〕12号, 苏发改服价发[2018]1348号, 鲁政发〔2024〕第5号); or an
# order's number (国令第707号, 国务院令第588号, 财政部令第87号): groups 4-5.
DOC_NO = re.compile(r"([\u4e00-\u9fa5]{1,14})\s*[〔\[［（(【]\s*((?:19|20)\d\d)\s*[〕\]］）)】]\s*第?\s*(\d{1,4})\s*号"
                    r"|([\u4e00-\u9fa5]{0,12}令)\s*第\s*(\d{1,4})\s*号")
# The bracketed year (or 令第N号) alone: a fast first test (DOC_NO itself backtracks over every Han run).
_YEAR_BRACKET = re.compile(r"[〔\[［（(【]\s*(?:19|20)\d\d\s*[〕\]］）)】]\s*第?\s*\d{1,4}\s*号|令\s*第\s*\d{1,4}\s*号")
# A list of documents prints each on a short line of its own (title and 文号, one number a line);
# a document that cites others does so inside its paragraphs.
LIST_LINE_CHARS = 80
_NO_LABEL = re.compile(r"(?:发文字号|发文文号|文\s*号|文件编号|文件字号)\s*[:：]?\s*")
_WRITTEN = ("成文日期", "印发日期", "发文日期")
_PUBLISHED = ("发布日期", "发布时间", "公开日期")
_D = DATE_RE.pattern
_VALID_UNTIL = re.compile(rf"有效期\s*(?:延长|延续|顺延|延期)?\s*(?:至|到|截至|截止)\s*[:：]?\s*{_D}")
_VALID_RANGE = re.compile(rf"有效期\s*(?:为|[:：])?\s*(?:自\s*)?{_D}\s*(?:起)?\s*(?:至|到|—|-|－|~|～)\s*{_D}")
_VALID_YEARS = re.compile(r"有效期\s*(?:为|[:：])?\s*(\d+|[一二三四五六七八九十])\s*年")
_STATUS = re.compile(r"(?:效力状态|效力级别状态|有效性|时效性|效力|文件状态|有效状态|是否有效)\s*[:：]?\s*"
                     r"(现行有效|继续有效|有效|已失效|失效|已废止|废止|已修改|已修订|部分失效|已被修改|尚未生效)")
_VOID_TEXT = re.compile(
    r"(?:本|该|此)(?:文件|规定|办法|通知|意见|决定|政策|文)?\s*(?:已|已经)\s*(?:于[^。；;\n]{0,24})?(?:宣布)?(?:废止|失效)"
    r"|[【\[（(]\s*(?:已)?(?:废止|失效)\s*[】\]）)]"
)
_REVIEW = re.compile(r"(?:评估|复审|清理)(?:日期|时间|结果|结论)|继续有效|长期有效|有效期\s*[:：]?\s*长期")
_NORMATIVE_NO = re.compile(r"规(?!划)")  # 测政规〔2020〕1号; not a 规划 bureau's prefix
# The 统一登记号 printed on 行政规范性文件 (e.g. LZDR-2020-0010001).
_REGISTRATION = re.compile(r"\b[A-Z]{2,6}DR-?\d{4}-?\d{3,}")
_LINK = re.compile(r"(?is)<a\b[^>]*>.*?</a>")
_TEMPORARY = ("暂行", "试行")
_TITLE_SPLIT = re.compile(r"\s*[_|—–－]\s*|\s+-\s+")
IN_FORCE = ("现行有效", "继续有效", "有效")
VOID = ("已失效", "失效", "已废止", "废止")


@dataclass
class PolicyDoc:
    url: str
    title: str
    doc_no: str
    written: date | None
    published: date | None
    valid_until: date | None
    status: str                      # the 效力状态 as written ("有效", "已废止" …) or ""
    void_marked: bool                # marked repealed/expired anywhere visible
    normative: bool                  # 行政规范性文件
    temporary: bool                  # 暂行 / 试行
    validity_statement: bool         # any statement of validity (有效期, 效力状态, 继续有效 …)
    interpretation: bool             # a 解读 page, not a document
    titles: set[str] = field(default_factory=set)  # normalised forms for matching notices

    @property
    def issued(self) -> date | None:
        return self.written or self.published

    @property
    def marked_in_force(self) -> bool:
        return self.status in IN_FORCE


def norm_title(title: str) -> str:
    return re.sub(r"[\s\u3000《》“”\"'（）()、，,。:：]+", "", title or "")


def norm_doc_no(m: re.Match[str]) -> str:
    if m.group(4):
        return f"{m.group(4)}第{int(m.group(5))}号"
    return f"{m.group(1)}〔{m.group(2)}〕{int(m.group(3))}号"


def organ_of(m: re.Match[str]) -> str:
    """The issuing organ's abbreviation of a 文号 match (国发, 鲁政办字, 国务院令)."""
    return m.group(1) or m.group(4) or ""


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _cn_int(s: str) -> int:
    digits = "一二三四五六七八九十"
    return int(s) if s.isdigit() else digits.index(s) + 1


_BLOCK_START = re.compile(r"(?i)<(?:p|div|li|tr|br|h[1-6]|table|ul|ol|section|article|dd|dt)\b[^>]*>")


def _text(page: Page) -> str:
    """Visible text with one line per block (from the HTML when stored): a notice's headings
    and list lines must stay apart to be read in order."""
    if page.html:
        html = re.sub(r"(?is)<(script|style|noscript)[^>]*>.*?</\1>", " ", page.html[:500_000])
        text = html_lib.unescape(re.sub(r"<[^>]+>", " ", _BLOCK_START.sub("\n", html)))
    else:
        text = page.text
    return re.sub(r"[ \t\r\f\v\u3000\xa0]+", " ", text)


def _strip_doc_no(title: str) -> str:
    """A title without the 文号 some sites print before it (苏发改服价发[2018]1348号省发展改革委…)."""
    m = DOC_NO.match(title)
    return title[m.end():].lstrip(" 　:：-—") if m and len(title) - m.end() >= 4 else title


def _h1(html: str) -> str:
    m = re.search(r"(?is)<h1[^>]*>(.*?)</h1>", html[:200_000])
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", m.group(1))) if m else ""


def _normative(page: Page, m: re.Match[str]) -> bool:
    """A 行政规范性文件: by its 文号, its 统一登记号, or its own text saying so — not a menu
    entry "规范性文件" on every page of the site (links are left out of the test)."""
    if _NORMATIVE_NO.search(organ_of(m)):
        return True
    own = _LINK.sub(" ", page.html[:200_000]) if page.html else page.text[:20000]
    return "规范性文件" in own or bool(_REGISTRATION.search(own))


def parse_policy(page: Page) -> PolicyDoc | None:
    """The page's policy metadata, or None when the page is not a policy document."""
    text = _text(page)
    head = text[:8000]
    m = None
    if lm := _NO_LABEL.search(head):
        m = DOC_NO.match(head, lm.end())
    title_text = f"{page.title} {_h1(page.html)}"
    if m is None:
        # An unlabelled 文号 counts only near the top (title or first lines) and standing
        # alone: "（测政规〔2010〕2号）" after a 《title》 quotes another document.
        m = DOC_NO.search(title_text) or next(
            (x for x in DOC_NO.finditer(head[:1000]) if head[max(0, x.start() - 1):x.start()] not in ("（", "(")), None
        )
    if m is None:
        return None
    own = norm_doc_no(m)
    listed = set()
    for line in text[:20000].split("\n"):
        if len(line.strip()) <= LIST_LINE_CHARS:
            nos = {norm_doc_no(x) for x in DOC_NO.finditer(line)
                   if line[max(0, x.start() - 1):x.start()] not in ("（", "(", "《")}
            if len(nos) == 1:
                listed |= nos
    if len(listed - {own}) >= 3:
        return None  # a list of documents (政策文件 column page), not one document
    written = labelled_date(text, _WRITTEN)
    published = labelled_date(text, _PUBLISHED)
    if written is None and published is None:
        return None
    # Every stated end of validity; the latest wins (an extension "有效期延长至2028年…"
    # comes after the original term, and a finding must not rest on the superseded one).
    ends = [make_date(r.group(4), r.group(5), r.group(6)) for r in _VALID_RANGE.finditer(text)]
    ends += [make_date(u.group(1), u.group(2), u.group(3)) for u in _VALID_UNTIL.finditer(text)]
    valid_until = max((d for d in ends if d), default=None)
    if valid_until is None and (y := _VALID_YEARS.search(text)) and (written or published):
        valid_until = add_years(written or published, _cn_int(y.group(1)))  # type: ignore[arg-type]
    st = _STATUS.search(text)
    status = st.group(1) if st else ""
    titles = {norm_title(t) for t in [*_TITLE_SPLIT.split(page.title)[:1], _h1(page.html)] if len(norm_title(t)) >= 4}
    void_marked = status in VOID or bool(_VOID_TEXT.search(head)) or any(
        w in page.title for w in ("已废止", "已失效", "（废止）", "（失效）", "[废止]", "[失效]")
    )
    return PolicyDoc(
        url=page.url, title=_strip_doc_no((_h1(page.html) or _TITLE_SPLIT.split(page.title)[0]).strip())[:200],
        doc_no=own, written=written, published=published, valid_until=valid_until, status=status,
        void_marked=void_marked,
        normative=_normative(page, m),
        temporary=any(w in title_text for w in _TEMPORARY),
        validity_statement=bool(valid_until or status or _REVIEW.search(text) or "有效期" in text),
        interpretation=any(w in title_text for w in ("解读", "图解", "答记者问", "问答")),
        titles=titles,
    )


@dataclass
class PolicyScan:
    """One pass over the crawl, shared by outdated_policy and policy_unexplained."""

    docs: list[PolicyDoc]
    repealed_by_no: dict[str, Repeal]
    repealed_by_title: dict[str, Repeal]


def scan(ctx: AuditContext) -> PolicyScan:
    """Every policy document of the crawl and the repeal notices, computed once per run."""
    return ctx.get(_scan)


def _scan(ctx: AuditContext) -> PolicyScan:
    docs: list[PolicyDoc] = []
    by_no: dict[str, Repeal] = {}
    by_title: dict[str, Repeal] = {}
    for page in ctx.crawl.pages(kinds=("html",)):
        if page.status is not None and not 200 <= page.status < 300:
            continue
        if _is_notice(page.title or ""):
            _read_notice(page, by_no, by_title)
        # Cheap test first: most pages carry no 文号 at all and need no parsing.
        if not _YEAR_BRACKET.search(page.title or "") and not _YEAR_BRACKET.search((page.text or page.html)[:20000]):
            continue
        doc = parse_policy(page)
        if doc is not None:
            docs.append(doc)
    return PolicyScan(docs, by_no, by_title)


def policy_docs(ctx: AuditContext) -> Iterator[PolicyDoc]:
    yield from scan(ctx).docs


@dataclass
class Repeal:
    notice_url: str
    notice_title: str


_SENTENCE = re.compile(r"[。；;\n]|(?=[一二三四五六七八九十]{1,3}、)")
_REPEAL_WORDS = ("废止", "失效", "宣布失效", "予以废止")
_KEEP_WORDS = ("继续有效", "保留", "修改", "修订", "拟修改")
_BOOK_TITLE = re.compile(r"《([^《》]{4,80})》")


def repealed_by_notices(ctx: AuditContext) -> tuple[dict[str, Repeal], dict[str, Repeal]]:
    """Documents that 废止 notices on the site repeal: (by 文号, by normalised title)."""
    found = scan(ctx)
    return found.repealed_by_no, found.repealed_by_title


def _is_notice(title: str) -> bool:
    """A 废止 notice or a 清理 result, by its title (a 解读 of one is not one)."""
    if any(w in title for w in ("解读", "图解")):
        return False
    return any(w in title for w in ("废止", "失效")) or ("清理" in title and "结果" in title)


def _read_notice(page: Page, by_no: dict[str, Repeal], by_title: dict[str, Repeal]) -> None:
    """Read a notice sentence by sentence; a short heading-like sentence ("一、决定废止的规范性
    文件") sets the mode for the lines under it, a sentence that itself says 废止 counts on its
    own. Only documents in a 废止/失效 mode are taken: those the notice keeps (继续有效, 修改)
    are not repealed."""
    title = page.title or ""
    notice = Repeal(page.url, _TITLE_SPLIT.split(title)[0])
    own = DOC_NO.search(title)
    mode = "repeal" if any(w in title for w in _REPEAL_WORDS) and not any(w in title for w in _KEEP_WORDS) else ""
    for sentence in _SENTENCE.split(_text(page)):
        s = sentence.strip()
        if not s:
            continue
        keeps = any(w in s for w in _KEEP_WORDS)
        repeals = any(w in s for w in _REPEAL_WORDS)
        docs = list(DOC_NO.finditer(s))
        titles = _BOOK_TITLE.findall(s)
        if not docs and not titles:
            if len(s) <= 40 and (keeps or repeals):
                mode = "keep" if keeps and not repeals else "repeal"
            continue
        here = "keep" if keeps and not repeals else ("repeal" if repeals and not keeps else mode)
        if here != "repeal":
            continue
        for dm in docs:
            no = norm_doc_no(dm)
            if not (own and norm_doc_no(own) == no):
                by_no.setdefault(no, notice)
        for t in titles:
            by_title.setdefault(norm_title(t), notice)


# A link to the 解读 *column* sits in the navigation of every page; it interprets nothing. A
# link is chrome when its target is linked from more pages than one document's 解读 ever is
# (the document, the 解读 list, the homepage, a topic page or two).
CHROME_SOURCES = 5


def links_to_interpretation(crawl: Crawl, url: str) -> bool:
    """Is the document linked with its own 解读 (either direction)?"""
    words = ("解读", "图解", "答记者问")
    for link in crawl.links_from(url):
        target = None
        if not any(w in (link.anchor or "") for w in words):
            target = crawl.page(link.target)
            if target is None or "解读" not in (target.title or ""):
                continue
        if len({lk.source for lk in crawl.links_to(link.target)}) > CHROME_SOURCES:
            continue
        return True
    for link in crawl.links_to(url):
        source = crawl.page(link.source)
        if source is not None and any(w in (source.title or "") for w in words):
            return True
    return False
