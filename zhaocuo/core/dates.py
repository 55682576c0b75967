"""Dates in Chinese government pages: when a page or an item was published.

Shared by every audit that needs "how old is this" (columns, policies, expressions dated
after a reform, new-media posts). Sources, most trustworthy first: labelled dates in the
text (发布日期 / 发布时间 / 成文日期 …), meta tags (PubDate, publishdate, article:published_time),
then the URL (/2024/03/05/, t20240305_, 202403/). Dates in the future (beyond ``as_of`` plus
a day of clock skew) or before 1990 are ignored: they are typos or unrelated numbers.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

# China Standard Time, UTC+8 all year (no daylight saving since 1991): every time people read
# — mails, reports, review records — is given in it, never in UTC.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

_DATE = r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
DATE_RE = re.compile(_DATE)

# Labels whose date is the page's publication date, strongest first.
PUBLISH_LABELS = ("发布日期", "发布时间", "发文日期", "成文日期", "印发日期", "公开日期", "更新日期", "更新时间",
                  "日期", "时间")
_LABELLED = re.compile(rf"({'|'.join(PUBLISH_LABELS)})\s*[:：]?\s*{_DATE}")
_META = re.compile(
    r"<meta[^>]+(?:name|property)\s*=\s*[\"'](?:pubdate|publishdate|PubDate|firstpublishedtime|"
    r"article:published_time|dc\.date|lastmodifiedtime)[\"'][^>]*content\s*=\s*[\"']\s*" + _DATE.replace("\\s*日?", ""),
    re.I,
)
_URL_DATES = (
    re.compile(r"/((?:19|20)\d\d)[-/]?(\d\d)[-/]?(\d\d)/"),
    re.compile(r"[/_]t((?:19|20)\d\d)(\d\d)(\d\d)_"),
)


def make_date(y: str | int, m: str | int, d: str | int) -> date | None:
    try:
        value = date(int(y), int(m), int(d))
    except ValueError:
        return None
    return value if value.year >= 1990 else None


def find_dates(text: str) -> list[date]:
    """Every plausible date written in ``text``, in order."""
    out = []
    for m in DATE_RE.finditer(text):
        d = make_date(*m.groups())
        if d:
            out.append(d)
    return out


def labelled_date(text: str, labels: tuple[str, ...] = PUBLISH_LABELS) -> date | None:
    """The date after the strongest label present (e.g. "发布日期：2024-03-05")."""
    found: dict[str, date] = {}
    for m in _LABELLED.finditer(text):
        d = make_date(m.group(2), m.group(3), m.group(4))
        if d and m.group(1) not in found:
            found[m.group(1)] = d
    for label in labels:
        if label in found:
            return found[label]
    return None


def url_date(url: str) -> date | None:
    for rx in _URL_DATES:
        m = rx.search(url)
        if m:
            d = make_date(*m.groups())
            if d:
                return d
    return None


_DATE_LINE = re.compile(rf"^\s*[\[【(（]?\s*{_DATE}(?:\s*\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?\s*[\]】)）]?\s*$")
_TITLE_TAG = re.compile(r"(?is)<title[^>]*>(.*?)</title>")
_ARTICLE_TITLE = re.compile(r"""(?is)<meta[^>]+name\s*=\s*["']ArticleTitle["'][^>]*content\s*=\s*["']([^"']+)""")
_TITLE_PARTS = re.compile(r"\s*[-_|—–－]\s*")
TITLE_LINES = 400   # how far into the text the article's title line is looked for
TITLE_MIN_CHARS = 6  # an article's title, not a column's name (通知公告) that a menu repeats


def title_line_date(html: str, text: str) -> date | None:
    """An unlabelled date on its own line right under the article's title ("2020-09-01 14:54:50"),
    as many templates print it. The title is the page's <title> (a part of it) or its ArticleTitle
    meta, found as a line of the text; only the line after it (or the one after a labelled line such
    as 来源：…) is read, so a list page's rows (a title line, then its date) never date the list."""
    names: set[str] = set()
    for rx in (_ARTICLE_TITLE, _TITLE_TAG):
        m = rx.search(html[:20000]) if html else None
        if m:
            names |= {p.strip() for p in _TITLE_PARTS.split(re.sub(r"\s+", " ", m.group(1)))
                      if len(p.strip()) >= TITLE_MIN_CHARS}
    if not names:
        return None
    lines = text.split("\n", TITLE_LINES)[:TITLE_LINES]
    for i, line in enumerate(lines):
        if line.strip() in names:
            nxt = lines[i + 1:i + 3]
            # right under the title, or under one labelled line (来源：… 作者：…)
            if nxt and (m := _DATE_LINE.match(nxt[0])):
                return make_date(*m.groups()[:3])
            if len(nxt) == 2 and re.search(r"[:：]", nxt[0]) and (m := _DATE_LINE.match(nxt[1])):
                return make_date(*m.groups()[:3])
    return None


def page_date(html: str, text: str, url: str, as_of: date | None = None) -> date | None:
    """The publication date of a page, or None when the page does not say: a labelled date, a
    meta tag, an unlabelled date line under the title, the URL — the first believable one."""
    candidates = [labelled_date(text)]
    m = _META.search(html[:20000]) if html else None
    if m:
        candidates.append(make_date(*m.groups()))
    candidates.append(title_line_date(html, text))
    candidates.append(url_date(url))
    for d in candidates:
        if d and (as_of is None or d.toordinal() <= as_of.toordinal() + 1):
            return d
    return None


def local_now() -> datetime:
    """Now, in Asia/Shanghai time."""
    return datetime.now(SHANGHAI)


def local_time(stamp: str, seconds: bool = False) -> str:
    """A stored ISO time (UTC or with any offset) as people read it: "2026-11-03 09:12" in
    Asia/Shanghai time. Text that is not a time comes back unchanged."""
    try:
        when = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp or ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def parse_day(value: object) -> date | None:
    """A day a person typed or a spreadsheet stored: a date/datetime, "2026-12-01",
    "2026/12/1", "2026.12.1", "2026年12月1日". None for anything else."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    m = re.fullmatch(_DATE, text)
    return make_date(*m.groups()) if m else None
