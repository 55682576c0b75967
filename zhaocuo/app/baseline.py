"""The release gate: a staging run compared with a production run's output folder.

``zhaocuo run --config STAGING.toml --out DIR --baseline PROD_DIR --fail-on-new LEVEL``

What a release manager needs is what *this release* adds, not the backlog production has had
for months. The staging run's findings (already written under production's URLs by
``[site] production_url``, zhaocuo.core.urlmap) are matched by id against PROD_DIR's
findings.jsonl:

- ``known``: production has the same problem at the same place. The finding takes
  production's first_seen, deadline and status: it is production's finding.
- ``new``: this release adds it (status ``new``, first seen as of today).
- production findings the staging crawl no longer shows, on pages it fetched again with the
  audit running, are what the release fixes: fixed.jsonl (status ``fixed``).

Production's accepted 误报 (PROD_DIR/suppressed.json, written by every run: ids, site-wide
wordings, dead-link groups) drop the same findings here, so what the office accepted never
fails a release.

Which store: the staging profile's own (a profile with ``production_url`` gets its own default
store name; a store that PROD_DIR's summary names as production's is refused). The gate keeps
no cross-run state at all — no statuses, first-seen dates, claims or trends are read or
written — and never mails: production's lifecycle is production's run's business.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from zhaocuo.app import lifecycle, review
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity, at_or_above
from zhaocuo.core.profile import Profile
from zhaocuo.core.store import is_server_url
from zhaocuo.core.urlcanon import origin_of
from zhaocuo.core.urlmap import OriginMap
from zhaocuo.core.workdays import CalendarRangeError

SUPPRESSED_FILE = "suppressed.json"


class BaselineError(Exception):
    """PROD_DIR cannot serve as a baseline; ``str()`` names the file (and line) at fault."""


@dataclass
class Baseline:
    folder: Path
    findings: dict[str, Finding]
    summary: dict[str, Any] = field(default_factory=dict)
    suppressed: review.Suppressions = field(default_factory=review.Suppressions)


def load(folder: str | Path) -> Baseline:
    """Read a production run's output folder (findings.jsonl required; summary.json and
    suppressed.json when present)."""
    folder = Path(folder)
    path = folder / "findings.jsonl"
    if not folder.is_dir():
        raise BaselineError(f"--baseline {folder}: 目录不存在 folder not found")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise BaselineError(f"--baseline {path}: 文件不存在 not a run's output folder (no findings.jsonl)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"--baseline {path}: 无法读取 cannot read ({exc})") from None
    findings: dict[str, Finding] = {}
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            f = Finding.from_dict(data)
            fid = str(data["id"])
        except (ValueError, TypeError, KeyError) as exc:
            raise BaselineError(f"--baseline {path}:{n}: 不是有效的问题记录 not a finding ({exc})") from None
        f.baseline = ""
        findings[fid] = f
    summary = _json(folder / "summary.json", {})
    return Baseline(folder, findings, summary if isinstance(summary, dict) else {},
                    _suppressions(_json(folder / SUPPRESSED_FILE, {})))


def _suppressions(doc: Any) -> review.Suppressions:
    """suppressed.json read back (what ``suppressions_doc`` wrote); anything else is no suppression."""
    out = review.Suppressions()
    if isinstance(doc, dict):
        for name in ("ids", "texts", "groups"):
            values = doc.get(name, [])
            if isinstance(values, list):
                getattr(out, name).update(str(v) for v in values)
                out.by_claim.update({str(v): "production" for v in values})
    return out


def _json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default
    except (OSError, ValueError) as exc:
        raise BaselineError(f"--baseline {path}: 无法读取 cannot read ({exc})") from None


def check_matches(baseline: Baseline, profile: Profile, url_map: OriginMap | None, store_url: str) -> None:
    """Refuse a baseline of another site and a staging run writing into production's store."""
    expected = url_map.production if url_map else origin_of(profile.homepage)
    home = baseline.summary.get("homepage")
    if isinstance(home, str) and home:
        theirs = origin_of(home)
        if theirs != expected:
            raise BaselineError(
                f"--baseline {baseline.folder}: 基线是 {theirs} 的检查结果，本次检查对应 {expected}；"
                f"请在配置中设置或更正 site.production_url (the baseline is {theirs}'s run; "
                f"set site.production_url = \"{theirs}\" in {profile.path})")
    prod_store = baseline.summary.get("store")
    if isinstance(prod_store, str) and prod_store and _same_store(prod_store, store_url):
        raise BaselineError(f"--db {store_url}: 这是生产环境的库，预发布检查不能写入 the baseline run's own store; "
                            f"the staging run needs its own (--db or [store] path)")


def _same_store(a: str, b: str) -> bool:
    """Two stores' ``url``s name the same store: equal server URLs (site namespace included), or
    SQLite paths of one file."""
    if is_server_url(a) or is_server_url(b):
        return a == b
    return Path(a).resolve() == Path(b).resolve()


def suppressions_doc(supp: review.Suppressions) -> dict[str, Any]:
    """What suppressed.json holds: the accepted 误报 a run honoured — finding ids, site-wide text
    keys (review.text_key) and dead-link groups."""
    return {"ids": sorted(supp.ids), "texts": sorted(supp.texts), "groups": sorted(supp.groups)}


def compare(findings: list[Finding], baseline: Baseline, profile: Profile, as_of: date,
            suppressed: list[Finding] | None = None) -> list[Finding]:
    """Mark each finding ``new`` or ``known`` (see the module doc); production's suppressions drop
    findings (appended to ``suppressed`` when given). Returns the findings kept, in order."""
    today = as_of.isoformat()
    kept: list[Finding] = []
    for f in findings:
        if baseline.suppressed.claim_for(f) is not None:
            if suppressed is not None:
                suppressed.append(f)
            continue
        prod = baseline.findings.get(f.id)
        if prod is not None:
            f.baseline = "known"
            f.status = prod.status if prod.status in ("new", "open", "reopened") else "open"
            f.first_seen, f.deadline = prod.first_seen, prod.deadline
            f.deadline_estimated = prod.deadline_estimated
            f.overdue = bool(f.deadline) and f.deadline < today
        else:
            f.baseline = "new"
            f.status, f.first_seen = "new", today
            try:
                due = lifecycle.deadline_for(f.severity, as_of, profile)
                f.deadline, f.deadline_estimated = due.day.isoformat(), due.estimated
            except CalendarRangeError:
                f.deadline, f.deadline_estimated = "", False
            f.overdue = False
        kept.append(f)
    return kept


def fixed_by_release(baseline: Baseline, findings: list[Finding], ctx: AuditContext,
                     url_map: OriginMap | None, failed_audits: set[str]) -> list[Finding]:
    """Production findings this staging run shows fixed: not found again, on a page the staging
    crawl fetched again, by an audit that ran with data and could judge it (as the lifecycle
    decides ``fixed`` between two nights)."""
    crawl, profile = ctx.crawl, ctx.profile
    to_prod = url_map.to_production if url_map else (lambda u: u)
    seen = {f.id for f in findings}
    rechecked = {to_prod(u) for u in lifecycle.rechecked_urls(crawl)}
    silent = set(profile.audits.disabled) | failed_audits | lifecycle.audits_without_data(crawl)
    undecided = {name: {to_prod(k) for k in keys}
                 for name, keys in lifecycle.undetermined_keys(ctx).items()}
    fixed = []
    for fid, prod in baseline.findings.items():
        if fid in seen or prod.audit in silent or prod.url not in rechecked:
            continue
        if baseline.suppressed.claim_for(prod) is not None:
            continue
        not_judged = undecided.get(prod.audit, set())
        if "*" in not_judged or prod.key in not_judged:
            continue
        done = Finding.from_dict(prod.to_dict())
        done.status, done.overdue, done.baseline = "fixed", False, "known"
        fixed.append(done)
    return sorted(fixed, key=lambda f: (f.severity_rank, f.unit, f.audit, f.url, f.id))


def summary(baseline: Baseline, findings: list[Finding], fixed: list[Finding], url_map: OriginMap | None,
            fail_on_new: str | None) -> dict[str, Any]:
    """summary.json's ``baseline`` section: what the release adds, what it keeps, what it fixes."""
    new = [f for f in findings if f.baseline == "new"]
    return {
        "folder": str(baseline.folder),
        "production_url": url_map.production if url_map else "",
        "staging_url": url_map.staging if url_map else "",
        "new": len(new),
        "known": len(findings) - len(new),
        "fixed": len(fixed),
        "new_by_severity": {str(s): sum(1 for f in new if f.severity == s) for s in Severity},
        "new_by_audit": dict(sorted(Counter(f.audit for f in new).items())),
        "fail_on_new": fail_on_new or "",
    }


def gate_fails(findings: list[Finding], level: str | None) -> bool:
    """True when a ``new`` finding at or above ``level`` exists (``--fail-on-new``)."""
    return bool(level) and any(f.baseline == "new" and at_or_above(f.severity, level) for f in findings)
