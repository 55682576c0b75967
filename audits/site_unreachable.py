"""网站无法访问 (site_unreachable): the homepage did not answer on any try this night.

A single-veto item of the national check (首页无法访问). The crawl tries each start URL
``crawl.down_probes`` times over ``crawl.down_window_s`` before it gives up (crawler.site,
record kind ``homepage_probe``); only then is the site reported down, with every try —
when, and what failed — so the office can tell an outage from a one-off glitch. A night on
which the homepage answered stores its record too, so the finding is fixed on the next good
night like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from audits import AuditMeta
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity

BEIJING = timezone(timedelta(hours=8))
RECORD = "homepage_probe"  # written by crawler.site (the gatherer); read here
META = AuditMeta(name="site_unreachable", title="网站无法访问", severity=Severity.VETO,
                 requires=(f"records:{RECORD}",),
                 description="首页无法访问（多次访问均失败）即单项否决。")


def _beijing(at: str) -> str:
    try:
        return datetime.fromisoformat(at).astimezone(BEIJING).strftime("%m-%d %H:%M:%S")
    except ValueError:
        return at


def _span(tries: list[dict[str, Any]]) -> str:
    times = [_beijing(str(t["at"])) for t in tries if t.get("at")]
    if not times:
        return ""
    return f"（北京时间 {times[0]} 至 {times[-1]}）" if len(times) > 1 else f"（北京时间 {times[0]}）"


def audit(ctx: AuditContext) -> Iterable[Finding]:
    crawl, profile = ctx.crawl, ctx.profile
    records = crawl.records(RECORD)
    if not records or any(doc.get("site_reachable", True) for doc in records.values()):
        return
    url = profile.homepage
    doc = records.get(url) or next(iter(records.values()))
    tries = list(doc.get("attempts") or [])
    errors = sorted({str(t.get("error", "")).split(":", 1)[0] for t in tries if t.get("error")})
    message = (f"网站首页 {doc.get('url', url)} 无法访问：{len(tries)} 次访问均失败{_span(tries)}，"
               f"最后一次为{doc.get('reason') or '未知错误'}。首页无法访问属单项否决，请立即排查服务器、网络和域名解析。")
    yield Finding(audit=META.name, severity=META.severity, url=url, message=message,
                  evidence="; ".join(f"{t.get('at', '')} {t.get('error', '')}"[:200] for t in tries[:10]),
                  extra={"attempts": tries, "start_urls": sorted(records), "error_kinds": errors,
                         "window_s": doc.get("window_s"), "probes": doc.get("probes")})


def summary(ctx: AuditContext, findings: list[Finding]) -> dict[str, Any]:
    """Whether the site answered, each start URL's failed tries, and when it did not: the
    homepage, the last reason and the number of tries."""
    crawl = ctx.crawl
    records = crawl.records(RECORD)
    out: dict[str, Any] = {
        "checked": bool(records), "reachable": not findings,
        "start_urls": {u: {"reachable": d.get("reachable"), "failed_tries": len(d.get("attempts") or [])}
                       for u, d in records.items()}}
    if findings:
        f = findings[0]
        doc = records.get(f.url) or next(iter(records.values()))
        out.update(url=doc.get("url", f.url), reason=doc.get("reason", ""), tries=len(f.extra.get("attempts") or []))
    return out
