"""错别字: characters written wrong in the site's text (pages and attachments).

The national check deducts points per typo found (a scored item, not a veto), so the default
severity is medium. The engine is audits._proofread; what is read and where it is reported
is audits._maintext (boilerplate checked and reported once, with a page count).
"""

from __future__ import annotations

from collections.abc import Iterable

from audits import AuditMeta, _textfindings
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity

META = AuditMeta(
    name="typo", title="错别字", severity=Severity.MEDIUM, requires=("pages",),
    description="网站内容不得出现错别字。",
)


def audit(ctx: AuditContext) -> Iterable[Finding]:
    return list(_textfindings.findings(
        ctx, META.name, META.severity,
        "{place}中“{text}”疑为错别字，建议改为“{suggestion}”{where}。"))


def summary(ctx: AuditContext, findings: list[Finding]) -> dict:
    """How much text the proofreading read (shared by typo, serious_error, outdated_expression)."""
    from audits import _maintext

    stats = _maintext.scan(ctx).stats()
    stats["by_rule"] = {}
    for f in findings:
        rule = str(f.extra.get("rule", ""))
        stats["by_rule"][rule] = stats["by_rule"].get(rule, 0) + 1
    return stats
