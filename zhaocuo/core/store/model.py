"""The records a store keeps: one crawl run, a fetched page, a link, a link check.

Plain dataclasses, the same for every backend: what the crawler writes and the audits read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Page:
    url: str
    status: int | None = None
    final_url: str = ""
    content_type: str = ""
    kind: str = "html"
    encoding: str = ""
    title: str = ""
    text: str = ""
    html: str = ""
    content_hash: str = ""
    fetched_at: str = ""
    depth: int = 0
    rendered: bool = False
    error: str = ""
    size: int = 0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Fetch:
    """What a fetch gave for one stored page, without its text or HTML (cheap to list)."""

    url: str
    final_url: str
    status: int | None
    error: str
    kind: str
    depth: int


@dataclass
class Link:
    source: str
    target: str
    anchor: str = ""
    tag: str = "a"
    # canonical(target) when the writer has it already (the crawler does, for its frontier):
    # the store then does not compute it again. Never read back; not part of equality.
    target_canon: str = field(default="", compare=False, repr=False)


# error_kind of a check that judged nothing: robots.txt forbade the fetch ("skipped"), or an
# anti-bot gateway answered with a challenge the browser could not get through ("protected",
# crawler.challenge). Neither is dead, and neither proves a dead link fixed.
SKIPPED = "skipped"
PROTECTED = "protected"
NOT_CHECKED = frozenset({SKIPPED, PROTECTED})


@dataclass
class LinkCheck:
    url: str
    status: int | None = None
    final_url: str = ""
    error_kind: str = ""
    error: str = ""
    method: str = ""
    attempts: int = 1
    elapsed_ms: int = 0
    content_type: str = ""
    title: str = ""
    snippet: str = ""
    redirects: list[str] = field(default_factory=list)
    checked_at: str = ""

    @property
    def judged(self) -> bool:
        """False for a check that says nothing about the target (NOT_CHECKED)."""
        return self.error_kind not in NOT_CHECKED


@dataclass
class Run:
    id: int
    started_at: str
    finished_at: str | None
    status: str
    resumed: bool
    stats: dict[str, Any]
