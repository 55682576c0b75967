"""错别字: characters written wrong in the site's text (pages and attachments).

The national check deducts points per typo found (a scored item, not a veto), so the default
severity is medium. The engine is audits._proofread; what is read and where it is reported
is audits._maintext (boilerplate checked and reported once, with a page count).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from audits import AuditMeta, _textfindings
from zhaocuo.core.finding import Finding, Severity
from zhaocuo.core.profile import Profile
from zhaocuo.core.store import Crawl

META = AuditMeta(
    name="typo", title="错别字", severity=Severity.MEDIUM, requires=("pages",),
    description="网站内容不得出现错别字。",
)


def audit(crawl: Crawl, profile: Profile, as_of: date) -> Iterable[Finding]:
    return list(_textfindings.findings(
        crawl, profile, as_of, META.name, META.severity,
        "{place}中“{text}”疑为错别字，建议改为“{suggestion}”{where}。"))


def summary(crawl: Crawl, profile: Profile, as_of: date, findings: list[Finding]) -> dict:
    """How much text the proofreading read (shared by typo, serious_error, outdated_expression)."""
    from audits import _maintext

    stats = _maintext.scan(crawl, profile, as_of).stats()
    stats["by_rule"] = {}
    for f in findings:
        rule = str(f.extra.get("rule", ""))
        stats["by_rule"][rule] = stats["by_rule"].get(rule, 0) + 1
    return stats
