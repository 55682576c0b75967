"""政策文件未及时标注失效 (outdated_policy): policy documents the site shows as if in force.

The district's 2024 政务公开工作方案 orders policy documents to follow their 立改废. Flagged:

1. past its 有效期 yet marked 有效 (效力状态：有效);
2. past its 有效期, or named by a 废止 notice on the site (by 文号 or 《title》), with no
   visible 废止/失效 mark;
3. a 行政规范性文件 issued more than 5 years ago (暂行/试行: 2 years — their usual maximum
   validity) with no statement of validity at all.

A document properly marked 已废止/已失效 is never a finding, nor is an old document whose
有效期 still runs (a 2016 document valid until 2026-12-31 is fine in November 2026). One
finding per document: the most serious reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from audits import AuditMeta
from audits._policy import PolicyDoc, Repeal, add_years, policy_docs, repealed_by_notices
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity

META = AuditMeta(name="outdated_policy", title="政策文件效力标注不及时", severity=Severity.HIGH,
                 requires=("pages",),
                 description="已废止、失效或过期的政策文件应及时标注，不得仍作为有效文件发布。")
NORMATIVE_YEARS = 5
TEMPORARY_YEARS = 2


def _reason(doc: PolicyDoc, as_of: date, by_no: dict[str, Repeal], by_title: dict[str, Repeal]
            ) -> tuple[str, str, dict[str, Any]] | None:
    """(rule, Chinese reason, details) for the most serious problem, or None."""
    if doc.void_marked or doc.interpretation:
        return None
    if doc.valid_until and doc.valid_until < as_of:
        until = doc.valid_until.isoformat()
        if doc.marked_in_force:
            return "expired_marked_in_force", f"有效期已于{until}届满，页面仍标注为“{doc.status}”", {"valid_until": until}
        return "expired_unmarked", f"有效期已于{until}届满，页面未标注失效", {"valid_until": until}
    notice = by_no.get(doc.doc_no) or next((by_title[t] for t in doc.titles if t in by_title), None)
    if notice is not None and notice.notice_url != doc.url:
        state = f"仍标注为“{doc.status}”" if doc.marked_in_force else "未标注废止"
        return ("repealed_unmarked", f"已被本网站发布的《{notice.notice_title}》废止，页面{state}",
                {"notice_url": notice.notice_url})
    issued = doc.issued
    if doc.normative and issued and not doc.validity_statement:
        years = TEMPORARY_YEARS if doc.temporary else NORMATIVE_YEARS
        if add_years(issued, years) < as_of:
            kind = "暂行/试行规范性文件" if doc.temporary else "行政规范性文件"
            return ("old_without_validity",
                    f"为{issued.year}年印发的{kind}，已超过{years}年且未标注有效期或效力状态",
                    {"issued": issued.isoformat(), "years": years})
    return None


def audit(ctx: AuditContext) -> Iterable[Finding]:
    as_of = ctx.as_of
    by_no, by_title = repealed_by_notices(ctx)
    for doc in policy_docs(ctx):
        found = _reason(doc, as_of, by_no, by_title)
        if found is None:
            continue
        rule, why, details = found
        yield Finding(
            audit=META.name, severity=META.severity, url=doc.url, text=doc.doc_no,
            message=f"政策文件《{doc.title}》（{doc.doc_no}）{why}，请核实后标注效力状态或撤下。",
            suggestion="标注“已废止”或“已失效”" if rule != "old_without_validity" else "标注有效期或效力状态",
            extra={"rule": rule, "doc_no": doc.doc_no, "status": doc.status, **details},
        )
