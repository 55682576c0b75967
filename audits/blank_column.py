"""空白栏目 (blank_column): a column with no item at all.

"暂无信息" (and its kin) on a column page with no item counts as no item. A 大汉 column's items are
its datastore records (crawler/cms); a column whose list the crawl could not read is a crawl error,
listed in the summary as unreadable, never a blank column; a redirect stub is not a column. A column page
that carries its own content instead of a list (a 公开指南 or 领导简介 written out) is not
blank, nor are navigation entries that are not columns (首页, 网站地图, 无障碍 …: they are
excluded in audits._columns.NON_COLUMN_NAMES). Five or more blank columns fail the national
check (单项否决).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from audits import AuditMeta
from audits._catalog import catalog, entry_for_column, unit_of
from audits._columns import discover
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity

META = AuditMeta(name="blank_column", title="空白栏目", severity=Severity.HIGH, requires=("pages", "links"),
                 description="栏目无任何信息(含仅显示“暂无信息”)即为空白栏目；5个及以上即单项否决。")
VETO_THRESHOLD = 5


def audit(ctx: AuditContext) -> Iterable[Finding]:
    profile = ctx.profile
    entries = catalog(ctx)
    for col in discover(ctx).columns:
        if not col.is_blank or not col.sources & {"nav", "breadcrumb"}:
            # Only a column the site presents (a menu entry, a breadcrumb step) can be a blank
            # column; an empty page of results reached by a pager link is not one.
            continue
        entry = entry_for_column(col.name, entries)
        why = "页面显示“暂无信息”" if col.blank_marker else "页面没有任何信息条目"
        yield Finding(
            audit=META.name, severity=META.severity, url=col.url, column=col.name, unit=unit_of(entry, profile),
            message=f"栏目“{col.name}”为空白栏目（{why}），请补充应公开的信息或按程序撤并该栏目。",
            extra={"blank_marker": col.blank_marker, "sources": sorted(col.sources)},
        )


def summary(ctx: AuditContext, findings: list[Finding]) -> dict[str, Any]:
    """Blank columns against the national check's veto threshold (five or more fail the site),
    and the columns whose list the crawl could not read (a malformed 大汉 datastore, an erroring
    dataproxy.jsp): not judged blank, listed with why (无法检查)."""
    n = len(findings)
    unreadable = [{"name": c.name, "url": c.url, "family": c.family, "error": c.cms_error}
                  for c in discover(ctx).columns if c.cms_error]
    return {"count": n, "veto_threshold": VETO_THRESHOLD, "veto": n >= VETO_THRESHOLD, "unreadable": unreadable}
