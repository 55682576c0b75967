"""Findings across nights: statuses, first-seen dates and deadlines.

Minimal version (the spine): statuses new/open/reopened/fixed from the store's state,
deadlines in calendar days. The follow-up issue replaces the deadline arithmetic with
working days on the official calendar.
"""

from __future__ import annotations

from datetime import date, timedelta

from zhaocuo.finding import Finding
from zhaocuo.profile import Profile
from zhaocuo.store import Crawl, SQLiteStore

STATE_KIND = "finding"


def deadline_for(severity: str, first_seen: date, profile: Profile) -> date:
    days = getattr(profile.deadlines, severity)
    return first_seen + timedelta(days=days)


def apply(store: SQLiteStore, profile: Profile, crawl: Crawl, findings: list[Finding],
          as_of: date) -> tuple[list[Finding], list[Finding]]:
    """Set status/first_seen/deadline on ``findings``; return (findings, fixed).

    A finding seen before and not seen now is fixed only when its page was crawled again
    this time: a page skipped (budget, error) proves nothing.
    """
    known = store.all_state(STATE_KIND)
    today = as_of.isoformat()
    seen_ids = set()
    for f in findings:
        seen_ids.add(f.id)
        prev = known.get(f.id)
        if prev is None:
            f.status, f.first_seen = "new", today
        elif prev.get("status") == "fixed":
            f.status, f.first_seen = "reopened", prev.get("first_seen", today)
        else:
            f.status, f.first_seen = "open", prev.get("first_seen", today)
        f.deadline = deadline_for(f.severity, date.fromisoformat(f.first_seen), profile).isoformat()
        f.overdue = f.deadline < today
    crawled = crawl.fetched_urls()
    fixed: list[Finding] = []
    for fid, prev in known.items():
        if fid in seen_ids or prev.get("status") == "fixed":
            continue
        old = Finding.from_dict(prev["finding"])
        if old.url not in crawled:
            continue
        old.status = "fixed"
        fixed.append(old)
    for f in findings:
        store.put_state(STATE_KIND, f.id, {"status": f.status, "first_seen": f.first_seen, "finding": f.to_dict()})
    for f in fixed:
        store.put_state(STATE_KIND, f.id, {"status": "fixed", "first_seen": f.first_seen, "fixed_on": today,
                                           "finding": f.to_dict()})
    store.commit()
    return findings, fixed
