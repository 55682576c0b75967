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
class Claim:
    """One 误报 claim as people read it (zhaocuo.app.review keeps the record)."""

    id: str
    status: str              # pending | accepted | rejected | revoked | withdrawn
    unit: str                # whose finding it is
    claimed_by: str          # who claimed it (a unit, or 办公室)
    audit: str
    ledger_id: str           # the 问题编号 answered (a finding's id or a group's)
    where: str               # the page (or the dead target) it is about
    text: str                # the wording it is about, if any
    reason: str              # the unit's 反馈说明
    claimed_at: str          # "2026-11-03 09:12" (Asia/Shanghai)
    scope: str = "finding"   # finding | site: what an acceptance suppresses
    suggest_site: bool = False  # the reason says the wording is intended everywhere
    decided_by: str = ""
    decided_at: str = ""
    note: str = ""           # the office's 审核说明
    count: int = 1           # findings it covers


@dataclass
class FeedbackNote:
    """What was last said about one ledger row (by 问题编号): prefilled in the next ledger so a
    clerk never types it twice, and shown beside the finding."""

    status: str = ""         # 整改状态 to prefill: 已整改 | 误报 | 整改中 | "" (未整改)
    reason: str = ""         # 反馈说明
    measure: str = ""        # 整改措施
    person: str = ""         # 责任人
    due: str = ""            # 完成时限, YYYY-MM-DD
    review: str = ""         # e.g. 误报申请待审核 / 误报未获同意：理由


@dataclass
class FeedbackView:
    """The follow-up as the office sees it on a night: claims waiting for review, suppressions
    in force, fixes claimed and waiting for the next crawl, and the notes per ledger row."""

    pending: list[Claim] = field(default_factory=list)
    accepted: list[Claim] = field(default_factory=list)
    rejected: list[Claim] = field(default_factory=list)  # decided lately: the unit is told why
    fixes_claimed: list[dict[str, Any]] = field(default_factory=list)
    notes: dict[str, FeedbackNote] = field(default_factory=dict)
    suppressed_this_run: int = 0

    def note(self, ledger_id: str) -> FeedbackNote | None:
        return self.notes.get(ledger_id)


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
    feedback: FeedbackView = field(default_factory=FeedbackView)  # units' answers and the office's review
    # A release gate (a staging run compared with production's output): summary.json's
    # ``baseline`` section; each finding's ``baseline`` is then "new" or "known".
    baseline: dict[str, Any] | None = None

    @property
    def new(self) -> list[Finding]:
        """What this release adds (empty unless compared with a baseline)."""
        return [f for f in self.findings if f.baseline == "new"]

    @property
    def backlog(self) -> list[Finding]:
        """Findings production has too (all of them when not compared with a baseline)."""
        return [f for f in self.findings if f.baseline != "new"]

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
