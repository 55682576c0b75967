"""Findings across nights: statuses, first-seen dates, deadlines, suppressions and claims.

What lives in the store's cross-run ``state`` table (one JSON document per key):

- ``finding`` / id: the last known status, first_seen, the crawl run it was last judged on
  and ``before`` — the document as it was before that run. Re-auditing the *same* crawl
  (``zhaocuo audit`` twice) starts again from ``before``, so statuses never flip on a
  re-run: "new" stays "new" until a later crawl sees the problem again.
- ``false_alarm`` / claim id: 误报 claims and the office's review (zhaocuo.app.review); the
  findings an *accepted* claim covers (its scope) are dropped from every output. A pending
  claim changes nothing here.
- ``claim`` / id: 已整改 imported by ``zhaocuo feedback``; the next crawl checks it — still
  present means ``reopened`` with a note in the finding.
- ``run`` / crawl run id: the counts of each audited run (for trends and the mail).
- ``run_fixed`` / crawl run id: the ids that run's judgement marked fixed.

Each run reads only the findings still open, its own and (when judged again) those it fixed:
the history of findings fixed long ago stays in the store but is not loaded.

A finding not seen this run is ``fixed`` only when its page was fetched successfully this
run: a page skipped (budget, error, timeout) proves nothing about its problems.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from zhaocuo.app import review
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding
from zhaocuo.core.profile import Profile
from zhaocuo.core.store import Crawl, Store, now_iso
from zhaocuo.core.workdays import CalendarRangeError, Deadline, covered_years, deadline_after, estimate_note

log = logging.getLogger("zhaocuo")

STATE_KIND = "finding"
# Written by versions before 0.2 (in force without review); review.migrate_legacy turns them
# into accepted claims on the next run.
SUPPRESSED_KIND = review.LEGACY_SUPPRESSED
SUPPRESSED_TEXT_KIND = review.LEGACY_TEXT
CLAIM_KIND = review.CLAIM_KIND
RUN_KIND = "run"
RUN_FIXED_KIND = "run_fixed"  # crawl run id → the ids its judgement marked fixed (re-judging it reads them)
TEXT_AUDITS = review.TEXT_AUDITS
text_key = review.text_key

# Statuses a page may have and still count as "crawled again": 2xx/3xx show the page as it is
# now; 404/410 mean the page was removed, which removes the problems it carried too.
_RECHECKED_STATUS = {404, 410}

CLAIM_NOTE = "（单位曾反馈已整改，但复查仍存在）"


def deadline_for(severity: str, first_seen: date, profile: Profile) -> Deadline:
    """The last working day to fix a finding, estimated past the official holiday data (see
    zhaocuo.core.workdays); raises CalendarRangeError only where not even an estimate exists."""
    return deadline_after(first_seen, int(getattr(profile.deadlines, severity)))


def estimate_warning(years: Iterable[int]) -> str:
    """The one log line of a run whose deadlines were partly estimated (not one per finding)."""
    listed = "、".join(map(str, sorted(set(years))))
    return (f"部分整改期限为推算值{estimate_note(listed)}：chinesecalendar 只有到 {covered_years()[1]} 年的"
            f"官方数据，之后按《全国年节及纪念日放假办法》的法定节假日（含周末补假）推算，未计调休上班日；"
            f"公布后升级 chinesecalendar 即改用正式安排。 Deadlines in {listed} are estimates: statutory "
            f"holidays only, make-up working days (调休) unknown until published; then pip install -U chinesecalendar.")


def rechecked_urls(crawl: Crawl) -> set[str]:
    """Pages fetched successfully this run (or found removed): only their findings can be fixed."""
    out: set[str] = set()
    for fetch in crawl.fetches():
        url, final_url, status, error = fetch.url, fetch.final_url, fetch.status, fetch.error
        if error or status is None:
            continue
        if 200 <= status < 400 or status in _RECHECKED_STATUS:
            out.add(url)
            if final_url:
                out.add(final_url)
    return out


def _effective_prev(doc: dict[str, Any] | None, run_id: int) -> dict[str, Any] | None:
    """The state before this crawl run: re-judging the same run starts from ``before``."""
    if doc is None:
        return None
    if doc.get("last_run") == run_id:
        return doc.get("before")
    return doc


def _strip(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if doc is None else {k: v for k, v in doc.items() if k != "before"}


_FIELDS = tuple(Finding.__dataclass_fields__)


def _snapshot(f: Finding) -> dict[str, Any]:
    """The finding as stored in state (Finding.from_dict reads it back). A shallow copy:
    ``dataclasses.asdict`` deep-copies and dominated the time on 100,000-finding sites."""
    return {name: getattr(f, name) for name in _FIELDS}


def _claim_due(claim: dict[str, Any] | None, run_id: int) -> bool:
    """A 已整改 claim is checked by the first crawl that started after it was imported (and
    again when that same crawl is re-audited); an older crawl cannot show the fix."""
    if not claim or int(claim.get("after_run", 0)) >= run_id:
        return False
    return claim.get("checked_run") in (None, run_id)


def audits_without_data(crawl: Crawl) -> set[str]:
    """Audits that had nothing to judge this run: every ``records:KIND`` they read is empty
    (the IPv6 probe or the new-media gatherer was off or failed). Silence from them is not
    evidence that their earlier findings were fixed."""
    import audits

    present = crawl.record_kinds()
    out = set()
    for mod in audits.all_audits():
        kinds = [r.removeprefix("records:") for r in mod.META.requires if r.startswith("records:")]
        if kinds and not any(k in present for k in kinds):
            out.add(mod.META.name)
    return out


def undetermined_keys(ctx: AuditContext) -> dict[str, set[str]]:
    """Audit name → finding keys the audit could not judge this run (its optional
    ``undetermined(ctx)``; "*" for all; a link audit's are the targets it could not check).
    A finding not judged is not a finding fixed."""
    import audits

    out: dict[str, set[str]] = {}
    for mod in audits.all_audits():
        if hasattr(mod, "undetermined"):
            out[mod.META.name] = set(mod.undetermined(ctx))
    return out


def known_findings(store: Store, run_id: int, seen_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored history this run's judgement needs, not every finding ever seen: the findings
    still open (each may be fixed now), this run's own findings (new, open or reopened) and,
    when the same crawl is judged again, those it had fixed (they may be open again)."""
    known = store.states_excluding(STATE_KIND, "status", ["fixed"])
    known.update(store.get_states(STATE_KIND, seen_ids))
    fixed_here = store.get_state(RUN_FIXED_KIND, str(run_id))
    if fixed_here is not None:
        known.update(store.get_states(STATE_KIND, fixed_here.get("ids", [])))
    elif store.get_state(RUN_KIND, str(run_id)) is not None:
        # Judged by a version that did not list what it fixed: read the whole history once.
        known = store.all_state(STATE_KIND)
    return known


def apply(store: Store, profile: Profile, crawl: Crawl, findings: list[Finding],
          as_of: date, failed_audits: Iterable[str] = (), suppressed: list[Finding] | None = None,
          resolved: Iterable[str] = (),
          to_production: Callable[[str], str] | None = None,
          ctx: AuditContext | None = None) -> tuple[list[Finding], list[Finding]]:
    """Set status/first_seen/deadline/overdue on ``findings``; return (findings, fixed).

    Findings an accepted 误报 claim covers are dropped (appended to ``suppressed`` when given,
    for the report's count). The result is a function of (stored state before this crawl run,
    this run's findings, as_of), so re-auditing the same crawl is idempotent.
    ``failed_audits`` (audits that crashed this run) never mark anything fixed. ``resolved``:
    ids closed by a source of their own this run (the 找错 platform says 已办结): fixed whether or
    not their page was fetched again. A finding whose ``extra["due"]`` is set keeps that deadline
    (the platform's 办理时限) instead of one counted from its severity.
    ``to_production``: a staging profile's URL map (findings carry production's URLs; the
    crawl has staging's), so pages fetched again are recognised. ``ctx``: the run's audit
    context (the runner's), so what the audits computed is not computed again.
    """
    run_id = crawl.run_id
    today = as_of.isoformat()
    with store.transaction():
        review.migrate_legacy(store)
    supp = review.suppressions(store)
    claims = store.all_state(CLAIM_KIND)

    kept: list[Finding] = []
    ids: dict[int, str] = {}  # id() of a finding → its finding id, hashed once
    for f in findings:
        fid = f.id
        if supp.claim_for(f) is not None:
            if suppressed is not None:
                suppressed.append(f)
            continue
        kept.append(f)
        ids[id(f)] = fid
    seen_ids = set(ids.values())
    known = known_findings(store, run_id, seen_ids)

    for f in kept:
        _judge_seen(store, f, ids[id(f)], known, claims, run_id, today)
    _set_deadlines(kept, profile, today)

    to_prod = to_production or (lambda u: u)
    # An audit switched off, crashed or without data this run proves nothing; neither does a
    # page not fetched again, nor a key its audit could not judge tonight.
    silent = set(profile.audits.disabled) | set(failed_audits) | audits_without_data(crawl)
    undecided = {name: {to_prod(k) for k in keys}
                 for name, keys in undetermined_keys(ctx or AuditContext(crawl, profile, as_of)).items()}
    rechecked = {to_prod(u) for u in rechecked_urls(crawl)}

    def judged_tonight(old: Finding) -> bool:
        if old.audit in silent or old.url not in rechecked or supp.claim_for(old) is not None:
            return False
        not_judged = undecided.get(old.audit, set())
        return not ("*" in not_judged or old.key in not_judged or (old.target and old.target in not_judged))

    resolved = set(resolved)
    fixed: list[Finding] = []
    for fid, doc in known.items():
        if fid in seen_ids:
            continue
        prev = _effective_prev(doc, run_id)
        if prev is None or prev.get("status") == "fixed":
            continue
        old = Finding.from_dict(prev["finding"])
        if fid not in resolved and not judged_tonight(old):
            continue
        old.status = "fixed"
        old.overdue = False
        fixed.append(old)
        claim = claims.get(fid)
        if _claim_due(claim, run_id):
            store.put_state(CLAIM_KIND, fid, {**claim, "checked_run": run_id, "result": "confirmed"})

    _record(store, crawl, as_of, kept, [ids[id(f)] for f in kept], fixed, known)
    return kept, fixed


def _judge_seen(store: Store, f: Finding, fid: str, known: dict[str, dict[str, Any]],
                claims: dict[str, dict[str, Any]], run_id: int, today: str) -> None:
    """Status and first day of a finding seen tonight: new, open, or reopened (fixed before, or
    claimed 已整改 and still on the page — the claim then records that it was not)."""
    cur = known.get(fid)
    prev = _effective_prev(cur, run_id)
    if prev is None:
        f.status, f.first_seen = "new", today
    elif prev.get("status") == "fixed":
        f.status, f.first_seen = "reopened", prev.get("first_seen") or today
    else:
        f.status, f.first_seen = "open", prev.get("first_seen") or today
    if cur is not None and cur.get("last_run") == run_id and cur.get("first_seen") and prev is None:
        # This crawl was judged before (``zhaocuo audit`` again, perhaps days later and
        # without --as-of): the day it was first seen is the day it was first judged, and
        # neither it nor the deadline counted from it moves.
        f.first_seen = cur["first_seen"]
    claim = claims.get(fid)
    if _claim_due(claim, run_id):
        # 已整改 was claimed, yet the problem is still on the page.
        f.status = "reopened"
        f.extra = {**f.extra, "claimed_fixed": claim.get("claimed_on", "")}
        if CLAIM_NOTE not in f.message:
            f.message = f.message + CLAIM_NOTE
        store.put_state(CLAIM_KIND, fid, {**claim, "checked_run": run_id, "result": "still_present"})


def _set_deadlines(findings: list[Finding], profile: Profile, today: str) -> None:
    """Deadline and overdue flag of every finding: the platform's 办理时限 where it gave one
    (``extra["due"]``), else counted in working days from the first day seen; estimated
    calendars and days beyond every calendar are logged once."""
    calendar_warning = ""
    estimated_years: set[int] = set()
    for f in findings:
        if f.extra.get("due"):
            f.deadline, f.deadline_estimated = str(f.extra["due"]), bool(f.extra.get("due_estimated"))
            f.overdue = f.deadline < today
            continue
        try:
            due = deadline_for(f.severity, date.fromisoformat(f.first_seen), profile)
            f.deadline, f.deadline_estimated = due.day.isoformat(), due.estimated
            f.overdue = f.deadline < today
            if due.estimated:
                estimated_years.add(due.day.year)
        except CalendarRangeError as exc:
            # Not even an estimate exists (before 2004, after 2099): no deadline rather than a wrong one.
            f.deadline, f.deadline_estimated, f.overdue = "", False, False
            f.extra = {**f.extra, "deadline_note": str(exc)}
            calendar_warning = str(exc)
    if estimated_years:
        log.warning("%s", estimate_warning(estimated_years))
    if calendar_warning:
        log.warning("整改期限无法计算 some deadlines left empty: %s", calendar_warning)


def _record(store: Store, crawl: Crawl, as_of: date, kept: list[Finding], kept_ids: list[str],
            fixed: list[Finding], known: dict[str, dict[str, Any]]) -> None:
    """Write tonight's judgement: each finding's state (with the state it replaces, so the same
    crawl can be judged again), the run's counts and the ids it fixed; one commit."""
    run_id = crawl.run_id
    today = as_of.isoformat()
    for f, fid in zip(kept, kept_ids, strict=True):
        before = _strip(_effective_prev(known.get(fid), run_id))
        store.put_state(STATE_KIND, fid, {
            "status": f.status, "first_seen": f.first_seen, "last_seen": today, "last_run": run_id,
            "finding": _snapshot(f), "before": before,
        })
    for f in fixed:
        fid = f.id
        before = _strip(_effective_prev(known.get(fid), run_id))
        store.put_state(STATE_KIND, fid, {
            "status": "fixed", "first_seen": f.first_seen, "fixed_on": today, "last_run": run_id,
            "finding": _snapshot(f), "before": before,
        })
    store.put_state(RUN_KIND, str(run_id), run_counts(run_id, as_of, kept, fixed, crawl))
    store.put_state(RUN_FIXED_KIND, str(run_id), {"ids": sorted(f.id for f in fixed)})
    store.commit()


def run_counts(run_id: int, as_of: date, findings: list[Finding], fixed: list[Finding],
               crawl: Crawl) -> dict[str, Any]:
    """What trends and the office mail need of one audited run: totals and per-unit counts."""
    by_unit: dict[str, Counter[str]] = defaultdict(Counter)
    for f in findings:
        c = by_unit[f.unit or ""]
        c[f.status] += 1
        c["total"] += 1
        if f.overdue:
            c["overdue"] += 1
    for f in fixed:
        by_unit[f.unit or ""]["fixed"] += 1
    status = Counter(f.status for f in findings)
    return {
        "run": run_id,
        "as_of": as_of.isoformat(),
        "crawl_started_at": crawl.run.started_at,
        "audited_at": now_iso(),
        "total": len(findings),
        "new": status.get("new", 0),
        "open": status.get("open", 0),
        "reopened": status.get("reopened", 0),
        "fixed": len(fixed),
        "overdue": sum(1 for f in findings if f.overdue),
        "units": {u: dict(c) for u, c in sorted(by_unit.items())},
    }


def recent_runs(store: Store, limit: int = 30) -> list[dict[str, Any]]:
    """The counts of the last ``limit`` audited crawl runs, oldest first."""
    return store.last_states(RUN_KIND, limit)
