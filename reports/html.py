"""report.html: the Chinese report a person reads (and a mail client shows) after a night's run.

Everything in it that came from a crawled page — titles, texts, URLs, anchor texts — is
untrusted. The Jinja2 environment escapes every value (autoescape on, no ``|safe`` on crawled
data) and the ``href`` filter turns a URL into a link only when it is plain http(s): a
``javascript:`` or ``data:`` URL written on a page stays visible text, never a clickable
link. The page needs no JavaScript and keeps its CSS inline so it survives being mailed.

A large site can have tens of thousands of findings: each unit's table is capped
(``MAX_ROWS_PER_UNIT``) with a note pointing to ledger.xlsx, which holds every finding. A dead
target linked from many pages is one row with its pages listed (reports.grouping). The
follow-up — 误报 claims waiting for the office, suppressions in force, fixes claimed — has its
own section, so nothing is suppressed unseen.

A release gate (a staging run compared with production, ``--baseline``) opens with
本次发布新增问题 — what this release adds, the gate's verdict — before the backlog production
already has; the per-unit tables then hold the backlog only.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from reports.data import ReportData
from reports.grouping import Item, items
from reports.jsonfiles import atomic_write
from reports.trends import svg_for
from zhaocuo.core.dates import local_time
from zhaocuo.core.finding import SEVERITY_LABELS, STATUS_LABELS, Finding, Severity

log = logging.getLogger("zhaocuo.reports")

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_ROWS_PER_UNIT = 200
MAX_FIXED_ROWS = 100
MAX_NEW_ROWS = 500
MAX_CELL_CHARS = 500
MAX_PAGES_SHOWN = 20   # pages listed under a grouped row (the ledger lists them all)
MAX_CLAIMS_SHOWN = 200
# The national check's thresholds: five or more stale (or blank) columns fail the site outright.
COLUMN_VETO_THRESHOLD = 5
NO_UNIT = "未分配"

# Characters that have no business in a link: whitespace and C0/C1 controls (browsers strip
# some of them, which is how "java\tscript:" tricks get past naive checks).
_BAD_URL_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f]")


def safe_href(url: Any) -> str:
    """``url`` when it is an absolute http(s) URL fit for an ``href``; otherwise "".

    Only the scheme parsed from the whole string counts, after refusing whitespace and
    control characters, so "javascript:…", " javascript:…" and "java\\nscript:…" all fail.
    """
    if not isinstance(url, str) or not url or _BAD_URL_CHARS.search(url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return url


def clip(value: Any, limit: int = MAX_CELL_CHARS) -> str:
    """Crawled text cut to ``limit`` characters (the ledger keeps the long form)."""
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every value escaped; never turned off for crawled strings
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["href"] = safe_href
    env.filters["clip"] = clip
    return env


@dataclass
class UnitSection:
    name: str
    findings: list[Item]
    total: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def hidden(self) -> int:
        return self.total - len(self.findings)


_STATUS_ORDER = {"reopened": 0, "open": 1, "new": 2}


def _sort_key(f: Finding | Item) -> tuple[Any, ...]:
    # Most serious first; within a severity, overdue and reopened items before fresh ones,
    # because those are what the unit is already late on.
    return (f.severity_rank, not f.overdue, _STATUS_ORDER.get(f.status, 3), f.audit, f.url, f.target, f.id)


def unit_sections(findings: list[Finding], units_order: list[str], cap: int = MAX_ROWS_PER_UNIT) -> list[UnitSection]:
    """One section per unit with findings: profile order first, then others, unassigned last.
    Rows are items: a dead target on many of the unit's pages is one row."""
    by_unit: dict[str, list[Item]] = {}
    for item in items(findings, by_unit=True):
        by_unit.setdefault(item.lead.unit or NO_UNIT, []).append(item)
    names = [u for u in units_order if u in by_unit]
    names += sorted(u for u in by_unit if u not in names and u != NO_UNIT)
    if NO_UNIT in by_unit and NO_UNIT not in names:
        names.append(NO_UNIT)
    sections = []
    for name in names:
        rows = sorted(by_unit[name], key=_sort_key)
        counts = Counter(f.status for f in rows)
        counts["overdue"] = sum(1 for f in rows if f.overdue)
        counts["serious"] = sum(1 for f in rows if f.severity in (Severity.VETO, Severity.HIGH))
        sections.append(UnitSection(name, rows[:cap], len(rows), dict(counts)))
    return sections


def audit_rows(findings: list[Finding], summary: dict[str, Any], titles: dict[str, str],
               disabled: list[str], descriptions: dict[str, str]) -> list[dict[str, Any]]:
    """Totals by audit: every known audit (0 means it ran and passed), most findings first."""
    counts = Counter(f.audit for f in findings)
    sev: dict[str, Counter[str]] = {}
    for f in findings:
        sev.setdefault(f.audit, Counter())[f.severity] += 1
    errors = summary.get("audit_errors") or {}
    names = sorted(set(titles) | set(counts), key=lambda n: (-counts.get(n, 0), n))
    rows = []
    for name in names:
        state = "disabled" if name in disabled else ("error" if name in errors else "ok")
        rows.append({"name": name, "title": titles.get(name, name), "count": counts.get(name, 0),
                     "by_severity": dict(sev.get(name, {})), "state": state,
                     "description": descriptions.get(name, "")})
    return rows


def veto_panel(findings: list[Finding], summary: dict[str, Any], titles: dict[str, str]) -> dict[str, Any]:
    """The 单项否决风险 panel: would the site fail the national check as of today?

    Any finding of severity veto is a risk by itself; stale and blank columns fail the site
    only from five up, so their counts are shown against that threshold (when those audits
    exist in this build or appear in the findings).
    """
    vetoes = [f for f in findings if f.severity == Severity.VETO]
    by_audit = Counter(f.audit for f in vetoes)
    checks = []
    for name in ("stale_column", "blank_column"):
        if name in titles or any(f.audit == name for f in findings):
            n = sum(1 for f in findings if f.audit == name)
            checks.append({"name": name, "title": titles.get(name, name), "count": n,
                           "threshold": COLUMN_VETO_THRESHOLD, "failed": n >= COLUMN_VETO_THRESHOLD})
    unreachable = not summary.get("pages_crawled")
    at_risk = bool(vetoes) or unreachable or any(c["failed"] for c in checks)
    return {
        "at_risk": at_risk,
        "veto_count": len(vetoes),
        "veto_by_audit": [{"name": n, "title": titles.get(n, n), "count": c} for n, c in by_audit.most_common()],
        "column_checks": checks,
        "unreachable": unreachable,
        # Only when the audit ran (its summary is there): a disabled audit says nothing.
        "interaction": interaction_risk(findings, summary) if "interaction_unanswered" in summary else None,
        # Columns whose list the crawl could not read (a malformed 大汉 datastore, an erroring
        # dataproxy.jsp): not judged blank, said so (无法检查).
        "unreadable_columns": [{"name": str(c.get("name", "")), "url": str(c.get("url", "")),
                                "error": str(c.get("error", ""))}
                               for c in ((summary.get("blank_column") or {}).get("unreadable") or [])][:20],
    }


def interaction_risk(findings: list[Finding], summary: dict[str, Any]) -> dict[str, Any]:
    """The 互动回应差 line of the veto panels (report and office mail): messages unanswered for more
    than three months, no working channel, and the boards that could not be checked (无法检查:
    a login, private messages — said, never guessed)."""
    mine = [f for f in findings if f.audit == "interaction_unanswered"]
    facts = summary.get("interaction_unanswered") or {}
    return {
        "unanswered": sum(1 for f in mine if f.extra.get("kind") != "no_channel"),
        "no_channel": next((f.message for f in mine if f.extra.get("kind") == "no_channel"), ""),
        "uncheckable": [{"name": str(c.get("name", "")), "reason": str(c.get("reason", "")), "url": str(c.get("url", ""))}
                        for c in (facts.get("uncheckable") or [])],
        "boards": int(facts.get("boards_found") or 0),
        "messages": int(facts.get("messages") or 0),
    }


def trends_svg(runs: list[dict[str, Any]]) -> Markup | None:
    """The trends chart (``reports.trends.svg_for``) from the lifecycle's per-run counts.

    That SVG is markup our own code generates (numbers and fixed labels, no crawled text, every
    name escaped there), which is the only reason it may be inserted unescaped. Any failure
    there costs the chart, never the report.
    """
    try:
        svg = svg_for(runs)
    except Exception:  # noqa: BLE001 - a broken chart must not cost the night's report
        log.exception("reports.trends.svg_for failed; the report is written without trends")
        return None
    return Markup(svg) if svg else None  # noqa: S704 - our own escaped markup


def gate_context(data: ReportData) -> dict[str, Any] | None:
    """The 本次发布新增问题 section of a release gate; None for a nightly run."""
    if data.baseline is None:
        return None
    new = sorted(data.new, key=_sort_key)
    level = data.baseline.get("fail_on_new") or ""
    failing = [f for f in new if level and Severity(f.severity).rank <= Severity(level).rank]
    return {
        "new": new[:MAX_NEW_ROWS],
        "new_total": len(new),
        "known_total": len(data.findings) - len(new),
        "fixed_total": len(data.fixed),
        "level": level,
        "failing": len(failing),
        "production_url": data.baseline.get("production_url") or "",
        "staging_url": data.baseline.get("staging_url") or "",
    }


MAX_PROTECTED_SHOWN = 20
_NOT_CRAWLED = {"max_pages": "超出页面上限", "frontier_full": "待抓取队列已满", "depth": "超出链接深度",
                "trap_url_too_long": "地址过长", "trap_path_too_deep": "路径层级过深",
                "trap_repeated_segment": "路径重复（疑似无限循环）", "trap_query_variants": "同一路径的查询参数变体过多",
                "robots": "robots.txt 禁止"}


def coverage_lines(cov: dict[str, Any]) -> list[str]:
    """The 抓取范围 lines: what the crawl did not fetch or check, and why (empty when nothing)."""
    out = []
    for url in cov.get("start_protected") or []:
        out.append(f"起始地址 {url} 受反爬虫网关防护，浏览器未能通过验证：其页面和链接本次未能检查（不是网站无法访问）。"
                   f"可请网关将检查机器的 IP 加入白名单。")
    if cov.get("page_budget_reached"):
        out.append(f"已达页面上限 {cov.get('max_pages', 0):,} 页（[crawl] max_pages），其余页面未抓取。")
    n = int(cov.get("urls_not_crawled") or 0)
    if n:
        reasons = "、".join(f"{_NOT_CRAWLED.get(k, k)} {v:,}" for k, v in
                           sorted((cov.get("not_crawled_by_reason") or {}).items(), key=lambda kv: -kv[1])
                           if k in _NOT_CRAWLED and v)
        out.append(f"约 {n:,} 个本站地址未抓取" + (f"（{reasons}）" if reasons else "") + "，其中的问题本次无法发现。")
    own = int(cov.get("links_own_not_checked") or 0)
    if own:
        out.append(f"约 {own:,} 个指向未抓取本站页面的链接未检查是否可用。")
    over = int(cov.get("links_unchecked_over_budget") or 0)
    if over:
        out.append(f"约 {over:,} 个链接超出链接检查上限（[crawl] max_links_checked），未检查。")
    cut = int(cov.get("links_cut_per_page") or 0)
    if cut:
        out.append(f"链接过多的页面截去 {cut:,} 个链接（[crawl] max_links_per_page）。")
    protected = int(cov.get("links_protected") or 0)
    if protected:
        out.append(f"{protected:,} 个地址受反爬虫网关防护、浏览器未能通过验证：受防护，未检查（不计为失效链接，"
                   f"其中的本站页面未检查）。")
    return out


def render(data: ReportData, max_rows: int = MAX_ROWS_PER_UNIT) -> str:
    """The report as an HTML string."""
    findings, fixed, summary, profile, as_of = data.findings, data.fixed, data.summary, data.profile, data.as_of
    titles = data.titles
    sections = unit_sections(data.backlog, [u.name for u in profile.units], max_rows)
    crawl_stats = summary.get("crawl") or {}
    context = {
        "site": summary.get("site") or profile.site.name,
        "homepage": profile.site.start_urls[0] if profile.site.start_urls else "",
        "as_of": as_of.isoformat(),
        "crawl_started_at": local_time(summary.get("crawl_started_at") or "", seconds=True),
        "crawl_elapsed_s": crawl_stats.get("elapsed_s", ""),
        "pages_crawled": summary.get("pages_crawled", 0),
        "links_checked": summary.get("links_checked", 0),
        "coverage_lines": coverage_lines(summary.get("coverage") or {}),
        # 受防护，未检查: link targets behind an anti-bot gateway the browser did not get through.
        "protected": ((summary.get("dead_link") or {}).get("protected") or [])[:MAX_PROTECTED_SHOWN],
        "protected_total": int((summary.get("dead_link") or {}).get("protected_targets") or 0),
        "elapsed_s": summary.get("elapsed_s", 0),
        "total": len(findings),
        "fixed_total": len(fixed),
        "fixed": sorted(items(fixed), key=_sort_key)[:MAX_FIXED_ROWS],
        "fixed_rows": len(items(fixed)),
        "item_total": len(items(findings)),
        "feedback": data.feedback,
        "max_claims": MAX_CLAIMS_SHOWN,
        "max_pages": MAX_PAGES_SHOWN,
        "pending_ids": {c.ledger_id for c in data.feedback.pending},
        "status_counts": Counter(f.status for f in findings),
        "overdue_total": sum(1 for f in findings if f.overdue),
        "severity_counts": Counter(f.severity for f in findings),
        "audit_rows": audit_rows(findings, summary, titles, profile.audits.disabled, data.descriptions),
        "audit_errors": summary.get("audit_errors") or {},
        "sections": sections,
        "veto": veto_panel(findings, summary, titles),
        # The IPv6 audit words its scores itself (homepage, 二级/三级 support rates, hosts pulling them down).
        "ipv6_lines": [str(x) for x in ((summary.get("ipv6") or {}).get("lines") or [])],
        # Response times per board (audits/interaction_unanswered.summary) and the local reply rule.
        "interaction": summary.get("interaction_unanswered") or None,
        "reply_rule": summary.get("interaction_slow") or None,
        "titles": titles,
        "severity_labels": {str(k): v for k, v in SEVERITY_LABELS.items()},
        "severity_order": [str(s) for s in Severity],
        "status_labels": STATUS_LABELS,
        "max_rows": max_rows,
        "trends": trends_svg(data.trend_runs) if data.crawled else None,
        "gate": gate_context(data),
    }
    return _env().get_template("report.html").render(**context)


def write(out_dir: Path, data: ReportData) -> Path:
    path = out_dir / "report.html"
    atomic_write(path, render(data))
    return path
