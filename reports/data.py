"""What every report is written from, handed over by the application.

Reports format; they never read the store or import the audits. The application (the runner)
gathers what they show — the findings, the summary, every audit's ``AuditMeta``, the trend
counts of recent runs, the stored homepage fetch — into one ``ReportData``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from zhaocuo.core.auditmeta import AuditMeta
from zhaocuo.core.finding import Finding
from zhaocuo.core.profile import Profile
from zhaocuo.core.store import Page


@dataclass
class ReportData:
    findings: list[Finding]
    fixed: list[Finding]
    summary: dict[str, Any]
    profile: Profile
    as_of: date
    audits: list[AuditMeta]                        # every known audit, in name order
    trend_runs: list[dict[str, Any]] = field(default_factory=list)  # the lifecycle's counts, oldest first
    homepage: Page | None = None                   # the stored fetch of the homepage (veto panel)
    crawled: bool = True                           # False: no crawl behind these findings

    @property
    def titles(self) -> dict[str, str]:
        return {m.name: m.title for m in self.audits}

    @property
    def descriptions(self) -> dict[str, str]:
        return {m.name: m.description for m in self.audits}

    @property
    def ran(self) -> list[str]:
        """Audits that ran (not disabled in the profile), in name order."""
        skip = set(self.profile.audits.disabled)
        return [m.name for m in self.audits if m.name not in skip]
