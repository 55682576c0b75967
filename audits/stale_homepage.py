"""首页不更新 (stale_homepage): nothing linked from the homepage is dated within 14 days.

A single-veto item of the national check ("首页栏目信息超过2周未更新"). Dates come from the
homepage's lists (the date printed next to a link) and from the linked articles' own
发布日期. When the homepage links to nothing dated at all, or fills its news by script and
the crawl did not render it, there is no evidence either way: no finding (the summary says
so), because a veto must never rest on a guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from audits import AuditMeta
from audits._columns import discover
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity

META = AuditMeta(name="stale_homepage", title="首页长期未更新", severity=Severity.VETO, requires=("pages", "links"),
                 description="首页栏目信息超过2周未更新即单项否决。")
MAX_AGE_DAYS = 14


def _newest(ctx: AuditContext) -> tuple[str, date | None, str]:
    found = discover(ctx)
    if found.homepage_script_built:
        # News filled in by script on a homepage the crawl did not render: what the stored
        # HTML shows may be old placeholders. No veto on that.
        return found.homepage, None, ""
    dated = [i for i in found.homepage_items if i.date]  # believable dates only (see date_limit)
    if not dated:
        return found.homepage, None, ""
    best = max(dated, key=lambda i: (i.date, i.url))
    return found.homepage, best.date, best.title


def audit(ctx: AuditContext) -> Iterable[Finding]:
    as_of = ctx.as_of
    homepage, newest, title = _newest(ctx)
    if newest is None:
        return
    days = (as_of - newest).days
    if days <= MAX_AGE_DAYS:
        return
    yield Finding(
        audit=META.name, severity=META.severity, url=homepage,
        message=(f"首页已{days}天未更新（首页链接的信息最近一条发布于{newest.isoformat()}），"
                 f"超过两周即单项否决，请立即更新首页信息。"),
        evidence=title[:200],
        extra={"days_since_update": days, "newest_date": newest.isoformat(), "max_age_days": MAX_AGE_DAYS},
    )


def summary(ctx: AuditContext, findings: list[Finding]) -> dict[str, Any]:
    """The homepage's freshness: newest dated link, its age, and whether that fails the check."""
    as_of = ctx.as_of
    homepage, newest, _ = _newest(ctx)
    return {"homepage": homepage, "newest_date": newest.isoformat() if newest else None,
            "script_built_unrendered": discover(ctx).homepage_script_built,
            "days_since_update": max(0, (as_of - newest).days) if newest else None,
            "max_age_days": MAX_AGE_DAYS, "veto": bool(findings)}
