"""Audit a stored crawl and write the reports: what ``zhaocuo audit`` and ``run`` share."""

from __future__ import annotations

import json
import logging
import secrets
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import audits
import reports
from audits.privacy_leak import SECRET_KIND
from reports.data import ReportData
from reports.grouping import item_count, items
from reports.jsonfiles import atomic_write
from zhaocuo.app import baseline as gate
from zhaocuo.app import lifecycle, platform_import, review
from zhaocuo.app.baseline import Baseline
from zhaocuo.core.auditmeta import AuditMeta
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity, at_or_above
from zhaocuo.core.profile import Profile, ProfileError
from zhaocuo.core.store import Crawl, Page, Store
from zhaocuo.core.units import unit_for
from zhaocuo.core.urlmap import OriginMap

log = logging.getLogger("zhaocuo")


@dataclass
class AuditResult:
    findings: list[Finding]
    fixed: list[Finding]
    summary: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    data: ReportData | None = None  # what the reports and the mail were written from


def url_map(profile: Profile) -> OriginMap | None:
    """A staging profile's staging → production URL map (``[site] production_url``), else None."""
    return OriginMap.for_profile(profile.homepage, profile.site.production_url)


# What an audit may declare in ``AuditMeta.requires``: stored data it reads.
REQUIREMENTS = {"pages", "links", "link_checks"}
REQUIREMENT_PREFIXES = ("pages:", "records:", "state:", "profile:")


def check_requires(meta: AuditMeta) -> None:
    """An audit's ``requires`` names only data the store and profile hold (a typo there would
    silently turn the lifecycle's "no data, nothing fixed" rule off)."""
    for req in meta.requires:
        if req not in REQUIREMENTS and not req.startswith(REQUIREMENT_PREFIXES):
            raise ValueError(f"{meta.name}: AuditMeta.requires names unknown data {req!r}")


def store_secret(store: Store) -> bytes:
    """The store's HMAC key for ids of masked personal data, created on first use and kept
    across runs so a leak keeps its id (audits never write state: the runner keeps it)."""
    state = store.get_state(SECRET_KIND, "hmac")
    if state and state.get("key"):
        return bytes.fromhex(state["key"])
    key = secrets.token_bytes(32)
    store.put_state(SECRET_KIND, "hmac", {"key": key.hex()})
    store.commit()
    return key


def audit_context(store: Store, crawl: Crawl, profile: Profile, as_of: date) -> AuditContext:
    """The run's audit context: its inputs, the store's secret, and (filled as audits ask) the
    computed artifacts they share."""
    return AuditContext(crawl, profile, as_of, secret=store_secret(store))


def run_audits(ctx: AuditContext) -> tuple[list[Finding], dict[str, Any], dict[str, str]]:
    """Every enabled audit over the context's crawl. An audit that crashes is reported in the
    summary (and the log) and the others still run: one bug must not cost the night's report.

    A staging profile's findings are rewritten to production's URLs before ids and units are
    made (zhaocuo.core.urlmap): the same problem on the same page gets production's id."""
    crawl, profile = ctx.crawl, ctx.profile
    mapping = url_map(profile)
    findings: dict[str, Finding] = {}
    extra_summary: dict[str, Any] = {}
    errors: dict[str, str] = {}
    down = site_down(crawl)
    for mod in audits.all_audits():
        meta = mod.META
        if meta.name in profile.audits.disabled:
            continue
        if down and meta.name != SITE_UNREACHABLE:
            continue  # nothing was crawled: the other audits would judge an empty site
        try:
            check_requires(meta)
            produced = list(mod.audit(ctx))
            if hasattr(mod, "summary"):
                extra_summary[meta.name] = mod.summary(ctx, produced)
        except ProfileError:
            raise  # bad input named by file and key (e.g. a malformed catalogue): exit 2, not a bug
        except Exception as exc:  # noqa: BLE001 - isolate a failing audit, report it
            errors[meta.name] = f"{type(exc).__name__}: {exc}"
            log.error("audit %s failed:\n%s", meta.name, traceback.format_exc())
            continue
        for f in produced:
            if f.audit in profile.audits.severity:
                f.severity = str(Severity(profile.audits.severity[f.audit]))
            if mapping is not None:
                mapping.finding(f)
            findings.setdefault(f.id, f)
    titles_cache: dict[str, str] = {}
    # A new-media account's page (its typos, its dead links) belongs to the account's unit.
    account_units = {a.url: a.unit for a in profile.newmedia if a.unit}
    for f in findings.values():
        if not f.unit:
            f.unit = account_units.get(f.url) or unit_for(f.url, profile.units)
        if not f.page_title:
            if f.url not in titles_cache:
                page = crawl.page(mapping.to_staging(f.url) if mapping else f.url)
                titles_cache[f.url] = page.title if page else ""
            f.page_title = titles_cache[f.url]
    ordered = sorted(findings.values(), key=lambda f: (f.severity_rank, f.unit, f.audit, f.url, f.id))
    return ordered, extra_summary, errors


def coverage(stats: dict[str, Any], profile: Profile) -> dict[str, Any]:
    """What the crawl left out and why, each URL counted once (approximately: the crawler counts
    dropped URLs in a fixed-size filter, never a list): summary.json's ``coverage`` and the
    report's 抓取范围 line."""
    frontier = stats.get("frontier") or {}
    return {
        "max_pages": profile.crawl.max_pages,
        "page_budget_reached": bool(frontier.get("page_budget_reached")),
        "urls_not_crawled": int(frontier.get("urls_dropped", 0) or 0),
        "not_crawled_by_reason": dict(stats.get("crawl_skipped") or {}),
        "links_own_not_checked": int(stats.get("links_own_not_crawled", 0) or 0),
        "links_unchecked_over_budget": int(stats.get("links_unchecked_over_budget", 0) or 0),
        "links_cut_per_page": int(frontier.get("links_cut", 0) or 0),
        # Anti-bot challenges (crawl and link check): URLs answered with one, re-checked in the
        # browser, got through, and left "protected, not checked" (受防护，未检查; never dead).
        "challenges": _challenges(stats),
        "links_protected": _challenges(stats)["protected"],
        "start_protected": list(stats.get("start_protected") or []),
    }


def _challenges(stats: dict[str, Any]) -> dict[str, int]:
    out = {"seen": 0, "rechecked": 0, "passed": 0, "protected": 0}
    for part in ("challenge_pages", "challenge_links"):
        for key, value in (stats.get(part) or {}).items():
            if key in out:
                out[key] += int(value or 0)
    return out


SITE_UNREACHABLE = "site_unreachable"


def site_down(crawl: Crawl) -> bool:
    """This crawl found no start URL answering (crawler.run_crawl stopped there)."""
    return bool(crawl.stats.get("site_unreachable"))


def homepage(crawl: Crawl, profile: Profile) -> Page | None:
    """The stored fetch of the homepage, whichever spelling the crawler kept (trailing slash)."""
    start = profile.homepage
    candidates = [start] + ([start + "/"] if not urlsplit(start).path else [])
    for url in candidates:
        page = crawl.page(url)
        if page is not None:
            return page
    return None


def report_data(store: Store, crawl: Crawl | None, profile: Profile, as_of: date, findings: list[Finding],
                fixed: list[Finding], summary: dict[str, Any], suppressed: int = 0, gated: bool = False
                ) -> ReportData:
    """Everything the reports and the mail show, gathered here so they never read the store.
    ``gated``: a run compared with a production baseline (no trends: it keeps no history)."""
    return ReportData(findings=findings, fixed=fixed, summary=summary, profile=profile, as_of=as_of,
                      audits=[*audits.metas(), *([platform_import.META] if platform_import.in_use(store) else [])],
                      trend_runs=[] if gated else lifecycle.recent_runs(store),
                      homepage=homepage(crawl, profile) if crawl is not None else None,
                      crawled=crawl is not None, feedback=review.view(store, findings, as_of, suppressed),
                      baseline=summary.get("baseline"))


def audit_and_report(profile: Profile, store: Store, out_dir: Path, as_of: date,
                     started: float | None = None, run_id: int | None = None,
                     baseline: Baseline | None = None, fail_on_new: str | None = None) -> AuditResult:
    """Audit the crawl, follow findings across runs, write the reports.

    With ``baseline`` (a production run's output, zhaocuo.app.baseline) the run is a release
    gate: findings are marked new/known against it and no cross-run state is read or written."""
    started = started or time.monotonic()
    crawl = store.crawl(run_id)
    mapping = url_map(profile)
    ctx = audit_context(store, crawl, profile, as_of)
    findings, extra, errors = run_audits(ctx)
    # The 找错 platform's messages (zhaocuo import-platform) join the night's findings.
    platform = platform_import.PlatformRun() if site_down(crawl) else platform_import.for_run(
        store, crawl, profile, as_of, findings)
    if platform.summary:
        findings = sorted([*findings, *platform.findings], key=lambda f: (f.severity_rank, f.unit, f.audit, f.url, f.id))
        extra[platform_import.META.name] = platform.summary
    suppressed: list[Finding] = []
    if baseline is None:
        findings, fixed = lifecycle.apply(store, profile, crawl, findings, as_of, failed_audits=errors,
                                          suppressed=suppressed, resolved=platform.resolved,
                                          to_production=mapping.to_production if mapping else None, ctx=ctx)
        supp = review.suppressions(store)
    else:
        findings = gate.compare(findings, baseline, profile, as_of, suppressed)
        fixed = gate.fixed_by_release(baseline, findings, ctx, mapping, set(errors))
        supp = baseline.suppressed
    counts = Counter(f.audit for f in findings)
    summary: dict[str, Any] = {
        "pages_crawled": crawl.page_count(),
        "links_checked": crawl.link_check_count(),
        "elapsed_s": 0.0,
        "findings": {name: counts.get(name, 0) for name in sorted(set(audits.titles()) | set(counts))},
        "total": len(findings),
        "by_severity": {str(s): sum(1 for f in findings if f.severity == s) for s in Severity},
        "by_status": dict(Counter(f.status for f in findings)),
        "by_unit": dict(Counter(f.unit or "未分配" for f in findings)),
        "fixed": len(fixed),
        "overdue": sum(1 for f in findings if f.overdue),
        "as_of": as_of.isoformat(),
        "site": profile.site.name,
        "homepage": mapping.to_production(profile.homepage) if mapping else profile.homepage,
        "store": store.url,
        "crawl_run": crawl.run_id,
        "crawl_started_at": crawl.run.started_at,
        "crawl": crawl.stats,
        "coverage": coverage(crawl.stats, profile),
        "audit_errors": errors,
        **extra,
    }
    if mapping is not None:
        summary["production_url"] = mapping.production
    if baseline is not None:
        summary["baseline"] = gate.summary(baseline, findings, fixed, mapping, fail_on_new)
    data = report_data(store, crawl, profile, as_of, findings, fixed, summary, len(suppressed),
                       gated=baseline is not None)
    fb = data.feedback
    summary["feedback"] = {"false_alarm_pending": len(fb.pending), "false_alarm_accepted": len(fb.accepted),
                           "suppressed": len(suppressed), "fixes_claimed": len(fb.fixes_claimed)}
    summary["dead_link_targets"] = item_count(f for f in findings if f.audit == "dead_link")
    summary["elapsed_s"] = round(time.monotonic() - started, 2)
    reports.write_all(out_dir, data)
    # A later staging run compared with this one must drop what the office accepted as 误报.
    atomic_write(out_dir / gate.SUPPRESSED_FILE,
                 json.dumps(gate.suppressions_doc(supp), ensure_ascii=False) + "\n")
    return AuditResult(findings, fixed, summary, errors, data)


def exit_code(findings: list[Finding], fail_on: str | None, fail_on_new: str | None = None) -> int:
    """1 when a finding at or above ``fail_on`` exists, or a ``new`` one (compared with a
    baseline) at or above ``fail_on_new``; else 0."""
    if fail_on and any(at_or_above(f.severity, fail_on) for f in findings):
        return 1
    if gate.gate_fails(findings, fail_on_new):
        return 1
    return 0


FAIL_ON_LISTED = 20  # findings printed by --fail-on (findings.jsonl holds them all)


def fail_on_lines(findings: list[Finding], fail_on: str, titles: dict[str, str]) -> list[str]:
    """What ``--fail-on`` prints: the counts per severity, then the findings at or above the
    threshold (most serious first, at most FAIL_ON_LISTED, crawled text clipped)."""
    counts = Counter(f.severity for f in findings)
    crossed = [f for f in findings if at_or_above(f.severity, fail_on)]
    head = "，".join(f"{s.label} {s.value} {counts.get(s.value, 0)}" for s in Severity)
    verdict = (f"达到 {fail_on} 及以上的问题 {len(crossed)} 条 {len(crossed)} finding(s) at or above {fail_on}"
               if crossed else f"没有达到 {fail_on} 及以上的问题 none at or above {fail_on}")
    out = [f"--fail-on {fail_on}: {head}；{verdict}"]
    rows = sorted(items(crossed), key=lambda i: (i.severity_rank, i.audit, i.url, i.id))  # a dead target once
    for f in rows[:FAIL_ON_LISTED]:
        what = f.target or f.column or f.text
        what = f" 「{what[:60]}{'…' if len(what) > 60 else ''}」" if what else ""
        where = f.url[:200] + (f" 等 {f.count} 个页面 pages" if f.count > 1 else "")
        out.append(f"  [{Severity(f.severity).label}] {titles.get(f.audit, f.audit)} ({f.audit}) {where}{what}")
    if len(rows) > FAIL_ON_LISTED:
        out.append(f"  另有 {len(rows) - FAIL_ON_LISTED} 项见 findings.jsonl {len(rows) - FAIL_ON_LISTED} more in findings.jsonl")
    return out
