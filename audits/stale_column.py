"""栏目不更新 (stale_column): a column whose newest item is older than its rule allows.

The national check fails a site with five or more such columns (单项否决); each one is a
serious finding by itself. The rule comes from the column's name (动态/要闻 14 days, 通知公告
and 政策文件 180 days, 人事/规划计划/领导/机构 365 days), the profile, or the catalogue's
公开时限 (audits._columns.rule_for). "Older than" is strict: at exactly 14 days a 动态 column
is still in time ("超过两周" means more than 14 days).
A list filled by script that the crawl did not render (the crawler's own test,
zhaocuo.core.htmlheur.looks_script_built) is not judged: its stored HTML may hold only old
placeholders.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from audits import AuditMeta
from audits._catalog import catalog, entry_for_column, unit_of
from audits._columns import discover, rule_for
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity

META = AuditMeta(name="stale_column", title="栏目更新不及时", severity=Severity.HIGH, requires=("pages", "links"),
                 description="动态、要闻类栏目超过2周、通知公告和政策文件类栏目超过6个月、人事和规划计划类栏目超过1年未更新；"
                             "5个及以上即单项否决。")
VETO_THRESHOLD = 5


def audit(ctx: AuditContext) -> Iterable[Finding]:
    profile, as_of = ctx.profile, ctx.as_of
    entries = catalog(ctx)
    for col in discover(ctx).columns:
        newest = col.newest
        if newest is None or newest.date is None:
            continue  # blank or undated: blank_column's business, never guessed stale
        if col.script_built:
            continue  # the list is filled by script and was not rendered: newer items may be there
        entry = entry_for_column(col.name, entries)
        rule = rule_for(col, profile, entry, as_of)
        if rule is None:
            continue
        days = (as_of - newest.date).days
        if days <= rule.max_age_days:
            continue
        yield Finding(
            audit=META.name, severity=META.severity, url=col.url, column=col.name, unit=unit_of(entry, profile),
            message=(f"栏目“{col.name}”已{days}天未更新（最近一条发布于{newest.date.isoformat()}），"
                     f"超过{rule.max_age_days}天的更新要求（{rule.reason}），请及时更新。"),
            evidence=newest.title[:200],
            extra={"days_since_update": days, "newest_date": newest.date.isoformat(), "newest_url": newest.url,
                   "max_age_days": rule.max_age_days, "rule": rule.reason, "items": col.count,
                   "pages": len(col.pages)},
        )


MAX_LISTED = 500  # columns listed in summary.json (a big portal has a few hundred)


def summary(ctx: AuditContext, findings: list[Finding]) -> dict[str, Any]:
    """Stale columns against the national check's veto threshold (five or more fail the site),
    and every column found with its count, newest item and rule (what the verdicts rest on)."""
    profile, as_of = ctx.profile, ctx.as_of
    n = len(findings)
    found = discover(ctx)
    columns = found.columns
    stale = {f.url for f in findings}
    entries = catalog(ctx)
    table = []
    for col in columns[:MAX_LISTED]:
        newest = col.newest
        rule = rule_for(col, profile, entry_for_column(col.name, entries), as_of)
        table.append({"name": col.name, "url": col.url, "items": col.count, "pages": len(col.pages),
                      "newest_date": newest.date.isoformat() if newest and newest.date else None,
                      "max_age_days": rule.max_age_days if rule else None, "blank": col.is_blank,
                      "stale": col.url in stale})
    return {"count": n, "veto_threshold": VETO_THRESHOLD, "veto": n >= VETO_THRESHOLD,
            "columns_found": len(columns), "columns": table,
            # [[columns]] whose list page was not in the crawl: not judged, and said so.
            "declared_not_crawled": found.declared_missing}
