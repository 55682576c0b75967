"""Reports: turn findings into the files people and scripts read.

``write_all`` writes every output into the run's folder: findings.jsonl, fixed.jsonl and
summary.json (fixed by the contract), report.html, ledger.xlsx and junit.xml. Each file is
written to a temporary name and renamed, so a reader (a mail job, a CI step) never sees a
half-written file.
"""

from __future__ import annotations

import logging
from pathlib import Path

from reports import html, jsonfiles, junit, ledger
from reports.data import ReportData

log = logging.getLogger("zhaocuo.reports")

WRITERS = ["reports.jsonfiles", "reports.ledger", "reports.junit", "reports.html"]


def write_all(out_dir: Path, data: ReportData) -> list[Path]:
    """Write every report. The contract's JSON files come first; a writer that fails does
    not stop the others (a broken chart must not cost the ledger), but the first failure is
    raised at the end so the run does not pass silently."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = jsonfiles.write(out_dir, data.findings, data.fixed, data.summary)
    failures: list[BaseException] = []
    steps = [
        ("ledger.xlsx", lambda: ledger.write(out_dir, data)),
        ("junit.xml", lambda: junit.write(out_dir, data)),
        ("report.html", lambda: html.write(out_dir, data)),
    ]
    for name, step in steps:
        try:
            written.append(step())
        except Exception as exc:  # noqa: BLE001 - write the other reports, then raise
            log.exception("writing %s failed", name)
            failures.append(exc)
    if failures:
        raise failures[0]
    return written


__all__ = ["ReportData", "write_all"]
