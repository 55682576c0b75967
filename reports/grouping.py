"""One row per problem, not per place: a dead target linked from 800 pages is one item.

findings.jsonl keeps one line per (page, target), as the contract says, each with the group's
id (``Finding.group``). Everything people read — the report, the ledger, the mails, junit.xml
— lists ``Item``s instead: a finding on its own, or a group of findings of one grouped audit
(``GROUPED_AUDITS``) with every page listed. An item answers the attributes templates read from
a finding (``severity``, ``status``, ``deadline``…) for the group as a whole: the most serious
severity, the earliest deadline, overdue when any page is, the most pressing status.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from zhaocuo.core.finding import Finding

# The most pressing status of a group (a page where the link came back, then one still open).
_STATUS_RANK = {"reopened": 0, "open": 1, "new": 2, "fixed": 3}
NO_UNIT = "未分配"


@dataclass
class Item:
    """One row: ``findings`` (one, or every page of a group), most serious first."""

    key: str                 # the group id, or the finding's own id
    findings: list[Finding]

    @property
    def lead(self) -> Finding:
        return self.findings[0]

    @property
    def id(self) -> str:
        """What the ledger's 问题编号 holds and ``zhaocuo feedback`` reads back."""
        return self.key

    @property
    def grouped(self) -> bool:
        return bool(self.lead.group)

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def pages(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (f.url, f.id))

    @property
    def units(self) -> list[str]:
        return sorted({f.unit or NO_UNIT for f in self.findings}, key=lambda u: (u == NO_UNIT, u))

    @property
    def unit(self) -> str:
        return "、".join(u for u in self.units if u != NO_UNIT) or ""

    @property
    def severity(self) -> str:
        return min(self.findings, key=lambda f: f.severity_rank).severity

    @property
    def severity_rank(self) -> int:
        return min(f.severity_rank for f in self.findings)

    @property
    def status(self) -> str:
        return min((f.status for f in self.findings), key=lambda s: _STATUS_RANK.get(s, 9))

    @property
    def overdue(self) -> bool:
        return any(f.overdue for f in self.findings)

    @property
    def _earliest(self) -> Finding:
        dated = [f for f in self.findings if f.deadline]
        return min(dated, key=lambda f: f.deadline) if dated else self.lead

    @property
    def deadline(self) -> str:
        return self._earliest.deadline

    @property
    def deadline_note(self) -> str:
        return self._earliest.deadline_note

    @property
    def deadline_label(self) -> str:
        return self._earliest.deadline_label

    @property
    def deadline_estimated(self) -> bool:
        return self._earliest.deadline_estimated

    @property
    def first_seen(self) -> str:
        return min((f.first_seen for f in self.findings if f.first_seen), default="")

    @property
    def url(self) -> str:
        return self.lead.url

    @property
    def baseline(self) -> str:
        """Compared with production (release gate): "new" when the release adds any of its places."""
        marks = {f.baseline for f in self.findings}
        return "new" if "new" in marks else self.lead.baseline

    @property
    def page_title(self) -> str:
        return self.lead.page_title if self.count == 1 else f"{self.lead.page_title or self.lead.url} 等 {self.count} 个页面"

    @property
    def message(self) -> str:
        lead = self.lead
        if self.count == 1:
            return lead.message
        return (f"链接 {lead.target} 无法访问（{lead.evidence or '无法打开'}），共有 {self.count} 个页面链接到它，"
                "请逐一修改或删除这些页面中的该链接。")

    def __getattr__(self, name: str) -> Any:
        # audit, target, text, suggestion, evidence, column, extra…: the lead finding's.
        if name.startswith("__") or name in ("key", "findings"):
            raise AttributeError(name)
        return getattr(self.findings[0], name)


def _order(f: Finding) -> tuple[Any, ...]:
    return (f.severity_rank, not f.overdue, _STATUS_RANK.get(f.status, 9), f.url, f.id)


def items(findings: Iterable[Finding], by_unit: bool = False) -> list[Item]:
    """The findings as rows, in first-appearance order of each group. ``by_unit``: a group is
    split by responsible unit (each unit answers for its own pages)."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        key = f.group or f.id
        groups.setdefault(((f.unit or "") if by_unit else "", key), []).append(f)
    return [Item(key, sorted(members, key=_order)) for (_, key), members in groups.items()]


def item_count(findings: Iterable[Finding]) -> int:
    """How many rows ``items(findings)`` makes, without building them."""
    return len({f.group or f.id for f in findings})
