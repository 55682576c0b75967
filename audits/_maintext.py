"""What text of a crawl is proofread, and where a finding in it is reported.

A site repeats its navigation, header and footer on every page: checked page by page, one
typo in a footer becomes 5,000 findings. So the text of every page (visible text, one block
a line, as the crawler stores it) is cut into lines and each distinct line is checked once.
A line that stands on several pages is boilerplate or shared content: its findings are
reported once, against the page with the shortest URL that carries it (stable from night to
night, usually the homepage or a column page), with the number of pages in ``count``.

The same pass learns the site's own vocabulary: character n-grams frequent across the site
(its place names, institutions, people) are known words, and a rare one-character variant of
one of them (临缁区 beside a hundred 临淄区) is a likely typo.

The result is cached per (crawl run, profile, date): typo, serious_error and
outdated_expression read the same scan.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from zhaocuo.core.context import AuditContext
from zhaocuo.core.dates import find_dates, make_date, page_date
from zhaocuo.core.profile import Leader
from zhaocuo.core.store import Crawl

if TYPE_CHECKING:
    from audits._models import Models
    from audits._proofread import Proofreader

KINDS = ("html", "attachment", "newmedia")
# Lines longer than this are body text, never boilerplate; they are still de-duplicated.
MAX_LINE_CHARS = 20000
# Site vocabulary: n-grams seen on at least this many distinct lines become known words.
SITE_MIN_COUNT = 5
# Site counts are scaled to the dictionary's frequencies (a term on 300 lines of a site is as
# well attested as a common dictionary word).
SITE_SCALE = 50
# At most this many characters of distinct text feed the site vocabulary (memory bound).
SITE_CORPUS_CHARS = 5_000_000

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


@dataclass
class TextUnit:
    """One distinct line of the site and where it is reported."""

    text: str
    url: str                       # the page it is reported against
    count: int = 1                 # pages carrying it
    dates: list[date | None] = field(default_factory=list)  # content date of each carrying page (bounded)
    kind: str = "html"
    # The text just before the line on the first page carrying it, kept only for lines holding
    # a long number: privacy_leak reads a contact label there ("联系电话：" above the number).
    before: str = ""


# A line holding a run of digits long enough to be a phone, ID or card number.
_LONG_NUMBER = re.compile(r"\d[\d \-]{9,}\d")
BEFORE_CHARS = 80
# A document number standing on its own line near the top of a page (a reprinted document's
# header, "苏国土资发〔2018〕34号"), and a date standing alone as its signature line.
_DOC_NO_LINE = re.compile(r"^[\u4e00-\u9fff]{1,14}\s*[〔\[［]\s*((?:19|20)\d\d)\s*[〕\]］]\s*\d{1,5}\s*号$")
_SIGNED_LINE = re.compile(r"^((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")


def _content_date(html: str, text: str, url: str, as_of: date) -> date | None:
    """When the page's text was written: its publication date, or the date of the document it
    reproduces when that is older (see written_date); without either, the latest date written
    in it (an undated page that mentions only 2016 dates is old content); None when it gives no
    date at all (current content such as an institution's introduction)."""
    d = page_date(html, text, url, as_of)
    if d:
        written = written_date(text)
        return written if written and written < d else d
    dates = [x for x in find_dates(text[:50000]) if x <= as_of]
    return max(dates) if dates else None


def written_date(text: str) -> date | None:
    """The date a reproduced document was written: a page posted in 2021 that carries a 2018
    notice (its 文号 alone on a line near the top) holds 2018 wording — the names and titles
    of then, rightly. Its signature date (a date alone on a line, in the 文号's year or the
    next) when there is one, else the first day of the 文号's year."""
    lines = [x.strip() for x in text[:20000].split("\n")]
    for i, line in enumerate(lines[:80]):
        m = _DOC_NO_LINE.match(line)
        if not m:
            continue
        year = int(m.group(1))
        for later in lines[i + 1:]:
            s = _SIGNED_LINE.match(later)
            if s and year <= int(s.group(1)) <= year + 1 and (d := make_date(*s.groups())):
                return d
        return date(year, 1, 1)
    return None


def collect_units(crawl: Crawl, as_of: date) -> tuple[list[TextUnit], list[tuple[str, str]]]:
    """Distinct lines of the crawl's pages, and the (title, name) pairs of its leader pages."""
    from audits._lexicon import common_surnames

    units: dict[str, TextUnit] = {}
    leaders: list[tuple[str, str]] = []
    surnames = common_surnames()
    for page in crawl.pages(KINDS):
        if not page.text or (page.status and page.status >= 400):
            continue
        d = _content_date(page.html, page.text, page.url, as_of)
        if is_leader_page(page.url, page.title):
            leaders += leader_pairs(page.text, surnames)
        seen_here: set[str] = set()
        previous = ""
        for raw in page.text.split("\n"):
            line = raw.strip()[:MAX_LINE_CHARS]
            if not line:
                continue
            before, previous = previous, (previous + "\n" + line[-BEFORE_CHARS:])[-BEFORE_CHARS:]
            if line in seen_here:
                continue
            seen_here.add(line)
            unit = units.get(line)
            if unit is None:
                units[line] = TextUnit(line, page.url, 1, [d], page.kind,
                                       before if _LONG_NUMBER.search(line) else "")
                continue
            unit.count += 1
            if len(unit.dates) < 50:
                unit.dates.append(d)
            if (len(page.url), page.url) < (len(unit.url), unit.url):
                unit.url = page.url
    return list(units.values()), leaders


def unit_date(unit: TextUnit) -> date | None:
    """Content date of a line: the newest of its pages (None, i.e. current, if any page is undated)."""
    if any(d is None for d in unit.dates):
        return None
    return max(d for d in unit.dates if d is not None) if unit.dates else None


def site_terms(units: list[TextUnit], min_count: int = SITE_MIN_COUNT) -> dict[str, int]:
    """The site's frequent 2–4 character n-grams, counted once per distinct line."""
    counts: Counter[str] = Counter()
    budget = SITE_CORPUS_CHARS
    for unit in units:
        if budget <= 0:
            break
        budget -= len(unit.text)
        grams: set[str] = set()
        for m in _HAN_RUN.finditer(unit.text):
            run = m.group()
            for n in (2, 3, 4):
                for i in range(len(run) - n + 1):
                    grams.add(run[i:i + n])
        counts.update(grams)
    return {g: c * SITE_SCALE for g, c in counts.items() if c >= min_count}


# -- leaders named on the site's own 领导信息 pages ---------------------------------------------
_LEADER_PAGE = re.compile(r"领导(信息|之窗|简介|分工|介绍|成员)|ldxx|ldzc|ldjj|leader", re.I)
TITLES = ("区委书记", "县委书记", "市委书记", "书记", "副书记", "区长", "副区长", "县长", "副县长", "市长", "副市长",
          "镇长", "副镇长", "乡长", "副乡长", "主任", "副主任", "局长", "副局长", "党组书记", "秘书长", "副秘书长",
          "主席", "副主席", "院长", "副院长", "检察长", "副检察长", "政委", "部长", "副部长")
_PAIR = re.compile(r"(" + "|".join(sorted(TITLES, key=len, reverse=True)) + r")\s*[：:]?\s*([\u4e00-\u9fff]{2,3})(?![\u4e00-\u9fff])")


def is_leader_page(url: str, title: str) -> bool:
    return bool(_LEADER_PAGE.search(title or "") or _LEADER_PAGE.search(url))


_NAME_FIRST = re.compile(r"^([\u4e00-\u9fff]{2,3})[\s\u3000]+(?:[\u4e00-\u9fff、，,]{0,20}?)("
                         + "|".join(sorted(TITLES, key=len, reverse=True)) + r")")


def leader_pairs(text: str, surnames: frozenset[str] | None = None) -> list[tuple[str, str]]:
    """Title and name from the lines of a leader page: "区长：王建国" / "副区长 李明" (a title,
    then a name that ends the line or is followed by punctuation, so "区长主持召开…" gives
    nothing), or "王建国　区委副书记、区长" (a short line: a name starting with a common
    surname, a space, then titles). ``surnames``: audits._lexicon.common_surnames() (read
    when not given)."""
    if surnames is None:
        from audits._lexicon import common_surnames

        surnames = common_surnames()
    out = []
    for raw in text.split("\n"):
        line = raw.strip()
        m = _PAIR.search(line)
        if m and m.start() <= 2:
            out.append((m.group(1), m.group(2)))
            continue
        m = _NAME_FIRST.match(line)
        if m and len(line) <= 40 and m.group(1)[0] in surnames:
            out.append((m.group(2), m.group(1)))
    return out


@dataclass
class Scan:
    units: list[TextUnit]
    errors: list[tuple[TextUnit, list]]  # (unit, [TextError]) for units with errors
    elapsed_s: float = 0.0  # CPU seconds of the checking (the thread that checked)
    site_terms: int = 0
    site_leaders: int = 0
    # The engine settings that shaped the findings (audits._proofread.engine_settings): engine
    # ("default", or "thorough" with [text] thorough = true), operating point and its settings,
    # the language model file, its size and SHA-256.
    engine: dict[str, object] = field(default_factory=dict)
    # CPU seconds spent building the proofreader (its models, the site's terms) before checking.
    build_s: float = 0.0

    def stats(self) -> dict[str, object]:
        """For summary.json: how much text was proofread, by which engine, and how fast.
        ``chars_per_s`` is the checking alone, per CPU-second of the checking thread (so other work
        on the machine does not change it); ``build_s`` (loading the models and reading the
        site's terms, a few CPU-seconds whatever the site's size) is given beside it."""
        chars = sum(len(u.text) for u in self.units)
        return {**self.engine, "distinct_lines": len(self.units), "chars_checked": chars,
                "shared_lines": sum(1 for u in self.units if u.count > 1),
                "site_terms": self.site_terms, "site_leaders": self.site_leaders,
                "build_s": round(self.build_s, 2), "elapsed_s": round(self.elapsed_s, 2),
                "chars_per_s": round(chars / self.elapsed_s) if self.elapsed_s > 0 else None}


def scan(ctx: AuditContext) -> Scan:
    """Every distinct line of the crawl proofread once per run (shared by the three text audits)."""
    return ctx.get(_scan)


def models(ctx: AuditContext) -> Models:
    """The proofreader's package-shipped models and word lists, loaded once per run
    (``ctx.get(models)``; audits/_models.py)."""
    from audits._models import Models

    return Models()


def proofreader(ctx: AuditContext) -> Proofreader:
    """The run's proofreader (``ctx.get(proofreader)``): the profile's settings, the site's own
    frequent terms and the leaders its leader pages name."""
    from audits._proofread import Proofreader

    units, _ = distinct_lines(ctx)
    return Proofreader(ctx.profile, site_freq=site_terms(units), leaders=_site_leaders(ctx), models=ctx.get(models))


def _site_leaders(ctx: AuditContext) -> list[Leader]:
    """Leaders the site's leader pages name that the profile does not."""
    _, pairs = distinct_lines(ctx)
    known = {ld.name for ld in ctx.profile.leaders}
    return [Leader(title=t, name=n) for t, n in dict.fromkeys(pairs) if n not in known]


def _scan(ctx: AuditContext) -> Scan:
    from audits._proofread import engine_settings

    units, _ = distinct_lines(ctx)
    # CPU seconds of this thread: the speed of the checking itself, whatever else the machine runs.
    started = time.thread_time()
    checker = ctx.get(proofreader)
    built = time.thread_time()
    errors = []
    for unit in units:
        found = checker.check(unit.text, page_date=unit_date(unit))
        if found:
            errors.append((unit, found))
    return Scan(units, errors, time.thread_time() - built, len(checker.site_terms), len(_site_leaders(ctx)),
                engine_settings(checker), built - started)


def distinct_lines(ctx: AuditContext) -> tuple[list[TextUnit], list[tuple[str, str]]]:
    """collect_units once per run (read by the text and privacy audits)."""
    return ctx.get(_distinct_lines)


def _distinct_lines(ctx: AuditContext) -> tuple[list[TextUnit], list[tuple[str, str]]]:
    return collect_units(ctx.crawl, ctx.as_of)


def iter_errors(ctx: AuditContext, audit: str) -> Iterator[tuple[TextUnit, object]]:
    for unit, found in scan(ctx).errors:
        for e in found:
            if e.audit == audit:
                yield unit, e


def context(text: str, start: int, length: int, width: int = 12) -> str:
    """The words around an error, for the finding's evidence and its stable key."""
    return text[max(0, start - width):start + length + width]
