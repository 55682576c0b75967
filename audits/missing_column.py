"""目录栏目缺失 (missing_column): a catalogue item with no column on the site.

The district's 政务公开工作方案 orders each unit to adjust its site's columns so that what
the 主动公开事项目录 promises is what is published. Each catalogue item (``[[catalog]]`` or a
row of ``[columns].catalog_file``) must match a column by name, with the usual variants
(年报/年度报告, 政府信息公开指南/公开指南 …, see audits._catalog.VARIANTS). Navigation
anchors count even when the crawl did not fetch their page, and an item whose 公开渠道
names no website (公开栏, 报刊 only) is not expected on the site.

Severity high: a promised column that does not exist is a publishing obligation not met,
though not one of the national check's single-veto items.

A crawl that stopped at its page budget (``crawl.max_pages``) has not seen the whole site:
a column it did not reach is not absent, so the audit then reports nothing (the summary
says why).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from audits import AuditMeta
from audits._catalog import catalog, names_match, unit_of
from audits._columns import discover
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity
from zhaocuo.core.store import Crawl

META = AuditMeta(name="missing_column", title="公开目录栏目缺失", severity=Severity.HIGH, requires=("pages", "links"),
                 description="主动公开事项目录中的事项应在网站上有对应栏目。")
_WEB_WORDS = ("网站", "门户", "政府网", "网页", "网上", "互联网", "专栏", "平台", "网")


def _on_the_web(channel: str) -> bool:
    return not channel.strip() or any(w in channel for w in _WEB_WORDS)


def _truncated(crawl: Crawl) -> bool:
    skipped = (crawl.stats or {}).get("crawl_skipped") or {}
    return bool(skipped.get("max_pages"))


def audit(ctx: AuditContext) -> Iterable[Finding]:
    crawl, profile = ctx.crawl, ctx.profile
    entries = catalog(ctx)
    if not entries or _truncated(crawl):
        return
    found = discover(ctx)
    site_names = {c.name for c in found.columns} | found.nav_names
    for c in found.columns:
        site_names |= set(c.names)
    reported: set[str] = set()
    for entry in entries:
        if entry.name in reported or not _on_the_web(entry.fields.get("channel", "")):
            continue
        if any(names_match(entry.name, have, entry.aliases) for have in site_names):
            continue
        reported.add(entry.name)
        where = f"（目录表第{entry.row}行）" if entry.source != "profile" else ""
        yield Finding(
            audit=META.name, severity=META.severity, url=found.homepage, column=entry.name,
            unit=unit_of(entry, profile),
            message=f"主动公开事项目录中的“{entry.name}”{where}在网站上没有对应栏目，请按目录开设栏目并发布信息。",
            extra={"catalog_source": entry.source, "catalog_row": entry.row, "level1": entry.level1},
        )


def summary(ctx: AuditContext, findings: list[Finding]) -> dict[str, Any]:
    """How many catalogue items were checked, and whether a truncated crawl stopped the check."""
    crawl = ctx.crawl
    return {"catalog_items": len(catalog(ctx)), "missing": len(findings),
            "skipped_incomplete_crawl": _truncated(crawl)}
