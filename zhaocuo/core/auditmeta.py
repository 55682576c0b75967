"""What an audit declares about itself (``META`` in each module of ``audits``).

In the core because the stages beside ``audits`` need it as data: the application hands the
list of every audit's ``AuditMeta`` to the reports (titles, descriptions, which ran), so
``reports`` never imports ``audits``.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhaocuo.core.finding import Severity


@dataclass(frozen=True)
class AuditMeta:
    name: str                      # the contract's audit name, e.g. "dead_link"
    title: str                     # Chinese title shown in reports, e.g. "链接不可用"
    severity: Severity             # default severity (a finding may carry another, with a reason)
    requires: tuple[str, ...]      # stored data read: "pages", "links", "link_checks", "records:ipv6", …
    description: str = ""          # one Chinese sentence on what the national check asks


def titles(metas: list[AuditMeta] | tuple[AuditMeta, ...]) -> dict[str, str]:
    """Audit name → Chinese title."""
    return {m.name: m.title for m in metas}


# Every audit name the outside contract fixes. A profile may name one in ``[audits]`` even
# when this build has no module for it yet (interaction audits, site_unreachable).
CONTRACT_AUDIT_NAMES = frozenset({
    "dead_link", "typo", "serious_error", "outdated_expression", "outdated_policy", "stale_column",
    "blank_column", "missing_column", "stale_homepage", "ipv6", "privacy_leak", "newmedia_stale",
    "site_unreachable", "interaction_unanswered", "interaction_slow",
})
