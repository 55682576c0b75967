"""严重表述错误: a leader's name or title, the country's name, a state organ or a core
political formulation written wrong — a single-veto item (单项否决) of the national check.

Leaders come from the profile's [[leaders]] and from the site's own 领导信息 pages; a name is
checked only next to its title (see audits._serious for what is and is not a variant).
"""

from __future__ import annotations

from collections.abc import Iterable

from audits import AuditMeta, _textfindings
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity

META = AuditMeta(
    name="serious_error", title="严重表述错误", severity=Severity.VETO, requires=("pages",),
    description="领导人姓名职务、国名、国家机构和重要政治表述不得出现错误，出现即单项否决。",
)


def audit(ctx: AuditContext) -> Iterable[Finding]:
    return list(_textfindings.findings(
        ctx, META.name, META.severity,
        "{place}中“{text}”为严重表述错误，应为“{suggestion}”，请立即更正{where}。"))
