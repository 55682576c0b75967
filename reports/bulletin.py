"""The site group's bulletin (检查通报): every site judged as the national check would today,
ranked worst first — bulletin.html for people, bulletin.xlsx for the supervising office's
files, bulletin.json for scripts (its fields fixed by the contract: ``sites`` with ``name``,
``profile``, ``verdict``, ``veto``, ``findings``, ranked worst first).

A site is 不合格 when any single-veto item (单项否决) of the national check holds: the same
judgement as each site's report and office mail (``reports.mail.veto_risks``: unreachable,
homepage not updated, five or more stale or blank columns, serious wording errors,
new-media accounts not updated, 互动回应差) plus any finding of severity ``veto`` (e.g. the
site's own host not reachable over IPv6). A site whose crawl failed is 不合格 (站点无法访问).
The bulletin reads only what the group run hands it (``SiteResult``), never the store.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from reports.jsonfiles import atomic_write
from reports.mail import veto_risks
from zhaocuo.core.finding import Finding, Severity
from zhaocuo.core.store import Page

PASS, FAIL = "合格", "不合格"
TREND_RUNS = 6  # nights shown in the trend column


@dataclass
class SiteResult:
    """One site's night as the bulletin shows it."""

    name: str                       # [site] name
    profile: str                    # the profile's file stem: its outputs are sites/NAME/
    findings: list[Finding] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    homepage: Page | None = None
    crawled: bool = True
    trend: list[dict[str, Any]] = field(default_factory=list)  # the lifecycle's run counts, oldest first
    error: str = ""                 # why the site could not be crawled or audited

    @property
    def report(self) -> str:
        return f"sites/{quote(self.profile)}/report.html"


@dataclass
class Judged:
    site: SiteResult
    verdict: str
    veto: list[str]
    counts: dict[str, int]
    by_severity: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def judge(site: SiteResult) -> Judged:
    counts = {k: int(v) for k, v in (site.summary.get("findings") or {}).items()}
    if not counts:
        counts = dict(Counter(f.audit for f in site.findings))
    by_severity = {str(s): sum(1 for f in site.findings if f.severity == s) for s in Severity}
    if site.error and not site.summary:
        return Judged(site, FAIL, ["site_unreachable"], counts, by_severity)
    veto = {r.audit for r in veto_risks(site.findings, site.homepage, site.crawled, site.summary)
            if r.hit and r.audit}
    veto |= {f.audit for f in site.findings if f.severity == Severity.VETO}
    return Judged(site, FAIL if veto else PASS, sorted(veto), counts, by_severity)


def rank(sites: list[SiteResult]) -> list[Judged]:
    """Worst first: failing sites, by how many veto items, then how many findings of each
    severity from veto down; the site's name breaks ties (a stable order night to night)."""
    judged = [judge(s) for s in sites]
    return sorted(judged, key=lambda j: (j.verdict != FAIL, -len(j.veto),
                                         *(-j.by_severity.get(str(s), 0) for s in Severity),
                                         -j.total, j.site.name))


def _trend(site: SiteResult) -> list[dict[str, Any]]:
    return [{"as_of": r.get("as_of", ""), "total": int(r.get("total", 0)), "new": int(r.get("new", 0)),
             "fixed": int(r.get("fixed", 0))} for r in site.trend[-TREND_RUNS:]]


def document(group: str, as_of: date, judged: list[Judged]) -> dict[str, Any]:
    return {
        "group": group,
        "as_of": as_of.isoformat(),
        "failed": sum(1 for j in judged if j.verdict == FAIL),
        "sites": [{
            "rank": i,
            "name": j.site.name,
            "profile": j.site.profile,
            "verdict": j.verdict,
            "veto": j.veto,
            "findings": j.counts,
            "total": j.total,
            "by_severity": j.by_severity,
            "pages_crawled": int(j.site.summary.get("pages_crawled", 0) or 0),
            "trend": _trend(j.site),
            "report": j.site.report if j.site.summary else "",
            **({"error": j.site.error} if j.site.error else {}),
        } for i, j in enumerate(judged, start=1)],
    }


def write(out_dir: Path, group: str, as_of: date, sites: list[SiteResult], titles: dict[str, str]) -> list[Path]:
    """bulletin.json, bulletin.html and bulletin.xlsx in ``out_dir``."""
    judged = rank(sites)
    doc = document(group, as_of, judged)
    paths = [out_dir / "bulletin.json", out_dir / "bulletin.html", out_dir / "bulletin.xlsx"]
    atomic_write(paths[0], json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    columns = _columns(judged, titles)
    atomic_write(paths[1], _html(doc, columns, titles))
    _xlsx(paths[2], doc, columns, titles)
    return paths


def _columns(judged: list[Judged], titles: dict[str, str]) -> list[str]:
    """The audits shown as columns: every audit with a finding on some site, in the order of
    the audit list (the rest are zero everywhere and would only widen the table)."""
    used = {a for j in judged for a, n in j.counts.items() if n}
    order = list(titles) + sorted(used - set(titles))
    return [a for a in order if a in used]


def _trend_text(trend: list[dict[str, Any]]) -> str:
    if len(trend) < 2:
        return "首次检查" if trend else ""
    before, now = trend[-2]["total"], trend[-1]["total"]
    arrow = "↑" if now > before else "↓" if now < before else "→"
    return f"{before} {arrow} {now}"


def _html(doc: dict[str, Any], columns: list[str], titles: dict[str, str]) -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["trend"] = _trend_text
    return env.get_template("bulletin.html").render(doc=doc, columns=columns, titles=titles, fail=FAIL)


def _xlsx(path: Path, doc: dict[str, Any], columns: list[str], titles: dict[str, str]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "检查通报"
    ws.append([f"{doc['group']} 检查通报（{doc['as_of']}）"])
    ws["A1"].font = Font(bold=True, size=14)
    head = ["排名", "站点", "配置", "结论", "单项否决项", "问题总数", *[titles.get(c, c) for c in columns],
            "抓取页面数", "趋势（上次→本次）", "报告"]
    ws.append(head)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    red = PatternFill("solid", fgColor="F8D7DA")
    for s in doc["sites"]:
        row = [s["rank"], s["name"], s["profile"], s["verdict"], "、".join(titles.get(v, v) for v in s["veto"]),
               s["total"], *[s["findings"].get(c, 0) for c in columns], s["pages_crawled"], _trend_text(s["trend"]),
               s["report"] or s.get("error", "")]
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a name is text, never a formula
                cell.quotePrefix = True
        if s["verdict"] == FAIL:
            ws.cell(row=ws.max_row, column=4).fill = red
    ws.freeze_panes = "C3"
    for letter, width in (("A", 6), ("B", 28), ("C", 16), ("D", 8), ("E", 30)):
        ws.column_dimensions[letter].width = width
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)

