"""The finding: one problem at one place, the unit of every report, mail and ledger row.

A finding's ``id`` is derived only from *what* is wrong and *where* (audit, page, target,
column, text and an audit-chosen ``key``), never from wording or time, so the same problem
keeps its id across nights and the follow-up (new / open / fixed / reopened) can track it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from zhaocuo.core.urlcanon import canonical
from zhaocuo.core.workdays import estimate_note


class Severity(StrEnum):
    """Severities, most serious first. ``veto`` is a single-veto item of the national check."""

    VETO = "veto"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 for veto … 3 for low: smaller is more serious."""
        return SEVERITY_ORDER.index(self)

    @property
    def label(self) -> str:
        return SEVERITY_LABELS[self]


SEVERITY_ORDER: list[Severity] = [Severity.VETO, Severity.HIGH, Severity.MEDIUM, Severity.LOW]
SEVERITY_LABELS: dict[Severity, str] = {
    Severity.VETO: "单项否决",
    Severity.HIGH: "严重",
    Severity.MEDIUM: "一般",
    Severity.LOW: "轻微",
}

STATUS_LABELS: dict[str, str] = {
    "new": "新发现",
    "open": "未整改",
    "reopened": "整改后复现",
    "fixed": "已整改",
}

# The fields the contract fixes for findings.jsonl, in the order they are written.
CONTRACT_FIELDS = (
    "id", "audit", "severity", "url", "target", "column", "text", "suggestion",
    "unit", "message", "first_seen", "deadline", "status",
)


# Audits whose findings are one problem at many places: reports, ledgers, mails and junit.xml
# show one row per group (a dead target with every page that links it); findings.jsonl keeps
# one line per place, each carrying the group's id.
GROUPED_AUDITS = frozenset({"dead_link"})


def group_id(audit: str, target: str) -> str:
    """The id of a group: "G" and 15 hex digits, stable for the same target (as the crawler
    canonicalises it: /a.html and /a.html?utm_source=x are one target)."""
    raw = f"group\x1f{audit}\x1f{canonical(target) or target}"
    return "G" + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:15]


def finding_id(audit: str, url: str, target: str = "", column: str = "", text: str = "", key: str = "") -> str:
    """A stable id: the same problem at the same place gets the same id on every run."""
    raw = "\x1f".join((audit, url, target, column, text, key))
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


@dataclass
class Finding:
    """One problem at one place.

    ``key`` disambiguates findings that share audit/url/target/column/text (e.g. the same
    wrong word twice in different sentences); it is part of the id, so it must be stable
    (derived from content, never from time or a counter that shifts when the page changes
    elsewhere). ``extra`` holds audit-specific JSON-able details for reports.
    """

    audit: str
    severity: str
    url: str
    message: str
    target: str = ""
    column: str = ""
    text: str = ""
    suggestion: str = ""
    unit: str = ""
    key: str = ""
    page_title: str = ""
    evidence: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    first_seen: str = ""
    deadline: str = ""
    status: str = ""
    overdue: bool = False
    # True when the deadline was counted on the estimated holiday calendar (a year the State
    # Council has not published yet): people must be told it may still move.
    deadline_estimated: bool = False
    # Only in a run compared with a production run (``--baseline``): "new" — this release adds
    # it; "known" — production has it too (first_seen, deadline and status are then production's).
    baseline: str = ""

    def __post_init__(self) -> None:
        self.severity = str(Severity(self.severity))

    @property
    def id(self) -> str:
        return finding_id(self.audit, self.url, self.target, self.column, self.text, self.key)

    @property
    def group(self) -> str:
        """The id shared by every finding of one problem at many places ("" when ungrouped)."""
        return group_id(self.audit, self.target) if self.audit in GROUPED_AUDITS and self.target else ""

    @property
    def deadline_note(self) -> str:
        """"（预计，待国务院公布2027年放假安排）" for an estimated deadline, else "": shown beside
        the date in every ledger, report and mail, so a guess never passes for official."""
        return estimate_note(self.deadline[:4]) if self.deadline and self.deadline_estimated else ""

    @property
    def deadline_label(self) -> str:
        """The deadline as people read it: the date and its note."""
        return self.deadline + self.deadline_note

    @property
    def severity_rank(self) -> int:
        return Severity(self.severity).rank

    def to_dict(self) -> dict[str, Any]:
        """The contract fields first, then the project's additions."""
        data = asdict(self)
        out: dict[str, Any] = {name: (self.id if name == "id" else data[name]) for name in CONTRACT_FIELDS}
        out["group"] = self.group
        for name in ("page_title", "evidence", "overdue", "key", "extra", "deadline_estimated"):
            out[name] = data[name]
        if self.baseline:
            out["baseline"] = self.baseline
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        names = {f for f in cls.__dataclass_fields__}  # noqa: C416 - dataclass fields
        return cls(**{k: v for k, v in data.items() if k in names})


def at_or_above(severity: str, threshold: str) -> bool:
    """True when ``severity`` is as serious as ``threshold`` or more."""
    return Severity(severity).rank <= Severity(threshold).rank
