"""过时表述: names of agencies abolished by the 2018–2019 institutional reform (and those the
profile adds under [text].outdated) in content dated after the reform took effect.

Archived documents written before the reform rightly use the old names, so a page whose
publication date (or, undated, whose newest written date) is before the entry's effective
date is not reported; "原国土资源局" names the former agency on purpose and is fine.
"""

from __future__ import annotations

from collections.abc import Iterable

from audits import AuditMeta, _textfindings
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity

META = AuditMeta(
    name="outdated_expression", title="过时表述", severity=Severity.MEDIUM, requires=("pages",),
    description="机构改革后仍使用已撤销机构的名称等过时表述。",
)


def audit(ctx: AuditContext) -> Iterable[Finding]:
    return list(_textfindings.findings(
        ctx, META.name, META.severity,
        "{place}中“{text}”为机构改革前的旧称，建议改为“{suggestion}”{where}。"))
