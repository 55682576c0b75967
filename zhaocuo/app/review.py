"""误报 claims and the office's review of them: the record, the decisions, what they suppress.

A unit that believes a finding is wrong says so (整改状态 = 误报 with a reason) in the ledger it
sends back; ``zhaocuo feedback`` files that as a *claim*. A claim changes nothing by itself:
the finding is reported as before until the office accepts it — by id on the command line
(``zhaocuo feedback --review`` / ``--accept`` / ``--reject``) or in the 审核意见 column of its
own ledger. Every step is kept with who, when and why, and nothing is ever deleted: a decision
can be revoked (``--revoke``), which brings the finding back on the next run.

What an accepted claim suppresses is its *scope*, chosen by the office:

- ``finding`` (the default): exactly the findings the claim was about — for a dead target's
  row, the claiming unit's pages linking it;
- ``site``: the same wording anywhere on the site (typo, serious_error, outdated_expression:
  a 人名 or 地名 the dictionaries do not know), or the same dead target from any page
  (an intranet address, a link that works from inside). Other audits have no wider scope.

State (the store's cross-run ``state`` table, kind ``false_alarm``, one document per claim):
``id`` (a short number people type), ``status`` (pending / accepted / rejected / revoked /
withdrawn), ``ledger_id`` (the 问题编号 answered), ``findings`` (finding ids), ``unit`` (whose
findings), ``claimed_by``, ``reason``, ``audit``/``url``/``target``/``text`` (what it is about),
``scope``, ``source`` (file, sheet, row) and ``history`` (every action with by/at/note).

Another source of findings (e.g. messages imported from a national platform) joins the same
lifecycle by giving its findings ids and, where one problem has many places, a group id
(``Finding.group``); claims and suppressions then work on it unchanged.
"""

from __future__ import annotations

import getpass
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from reports.data import Claim, FeedbackNote, FeedbackView
from zhaocuo.core.dates import local_now, local_time
from zhaocuo.core.finding import GROUPED_AUDITS, Finding
from zhaocuo.core.store import Store

KIND = "false_alarm"
SEQ_KIND = "sequence"
CLAIM_KIND = "claim"          # 已整改 claims (checked by the next crawl, zhaocuo.app.lifecycle)
PROGRESS_KIND = "progress"    # 整改中: the plan (措施, 责任人, 完成时限) by ledger id
LEGACY_SUPPRESSED, LEGACY_TEXT = "suppressed", "suppressed_text"  # before 0.2: in force at once

PENDING, ACCEPTED, REJECTED, REVOKED, WITHDRAWN = "pending", "accepted", "rejected", "revoked", "withdrawn"
STATUS_LABELS = {PENDING: "待审核", ACCEPTED: "已同意", REJECTED: "未同意", REVOKED: "已撤销", WITHDRAWN: "已撤回"}
SCOPE_LABELS = {"finding": "仅此处", "site": "全站"}
OFFICE = "办公室"
# Audits whose finding is "this wording on this site": a site-wide acceptance suppresses the
# same text on every page.
TEXT_AUDITS = frozenset({"typo", "serious_error", "outdated_expression"})
# Words in a reason that say the wording itself is intended: the review suggests "site".
INTENDED_WORDING = ("原文无误", "专有名词", "特定用法", "固定用法", "固定表述", "人名", "地名", "机构名称", "引用原文")
REJECTED_SHOWN_DAYS = 14  # a rejection is told to the unit in its mails for this long
MAX_TEXT = 1000           # characters kept of anything a unit or the office wrote


class ReviewError(Exception):
    """A review action that cannot be done; ``str()`` is the line printed."""


def text_key(audit: str, text: str) -> str:
    """State key of a site-wide text suppression (the text itself may be long or odd)."""
    return hashlib.sha1(f"{audit}\x1f{text}".encode()).hexdigest()[:20]


def clip(value: object, limit: int = MAX_TEXT) -> str:
    text = "" if value is None else str(value).strip()
    text = "".join(ch for ch in text if ch >= " " or ch in "\n\t")
    return text if len(text) <= limit else text[:limit] + "…"


def who() -> str:
    """The person acting, when the command line does not say (``--by``)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def can_widen(audit: str) -> bool:
    """Whether a site-wide scope means more than the claimed findings for this audit."""
    return audit in TEXT_AUDITS or audit in GROUPED_AUDITS


def suggests_site(audit: str, reason: str) -> bool:
    return audit in TEXT_AUDITS and any(word in reason for word in INTENDED_WORDING)


# -- reading ----------------------------------------------------------------------------

def claims(store: Store) -> list[dict[str, Any]]:
    """Every 误报 claim, oldest first."""
    return sorted(store.all_state(KIND).values(), key=lambda c: int(c.get("id", 0)))


def get(store: Store, claim_id: str) -> dict[str, Any]:
    doc = store.get_state(KIND, str(claim_id).lstrip("#"))
    if doc is None:
        raise ReviewError(f"没有编号为 {claim_id} 的误报申请 no claim #{claim_id} (zhaocuo feedback --list)")
    return doc


@dataclass
class Suppressions:
    """What accepted claims keep out of every report this run."""

    ids: set[str] = field(default_factory=set)
    texts: set[str] = field(default_factory=set)     # text_key(audit, text)
    groups: set[str] = field(default_factory=set)    # group ids (a dead target site-wide)
    by_claim: dict[str, str] = field(default_factory=dict)  # finding id / text key / group id → claim id

    def claim_for(self, f: Finding) -> str | None:
        """The accepted claim that suppresses ``f``, or None."""
        if f.id in self.ids:
            return self.by_claim[f.id]
        if f.audit in TEXT_AUDITS and f.text and text_key(f.audit, f.text) in self.texts:
            return self.by_claim[text_key(f.audit, f.text)]
        if f.group and f.group in self.groups:
            return self.by_claim[f.group]
        return None


def suppressions(store: Store) -> Suppressions:
    out = Suppressions()
    for c in claims(store):
        if c.get("status") != ACCEPTED:
            continue
        cid = str(c["id"])
        for fid in c.get("findings", []):
            out.ids.add(fid)
            out.by_claim[fid] = cid
        if c.get("scope") == "site":
            if c.get("audit") in TEXT_AUDITS and c.get("text"):
                key = text_key(c["audit"], c["text"])
                out.texts.add(key)
                out.by_claim[key] = cid
            if c.get("group"):
                out.groups.add(c["group"])
                out.by_claim[c["group"]] = cid
    return out


# -- writing (callers hold store.transaction()) -------------------------------------------

def _next_id(store: Store) -> str:
    seq = store.get_state(SEQ_KIND, KIND) or {"next": 1}
    n = int(seq["next"])
    store.put_state(SEQ_KIND, KIND, {"next": n + 1})
    return str(n)


def _event(action: str, by: str, note: str = "", **extra: Any) -> dict[str, Any]:
    return {"action": action, "by": clip(by, 100), "at": local_now().isoformat(timespec="seconds"),
            "note": clip(note), **extra}


def open_claim(store: Store, ledger_id: str) -> dict[str, Any] | None:
    """The pending or accepted claim on this 问题编号, if any."""
    return next((c for c in claims(store) if c.get("ledger_id") == ledger_id and c.get("status") in (PENDING, ACCEPTED)),
                None)


def file_claim(store: Store, *, ledger_id: str, findings: list[Finding], claimed_by: str, reason: str,
               source: dict[str, Any], by: str) -> tuple[dict[str, Any], bool]:
    """File a 误报 claim on ``findings`` (one ledger row). Returns (claim, created). The same
    row answered again (the ledger sent twice, or prefilled and returned) changes nothing; a
    new reason on a pending claim replaces the old one; a row rejected before with the same
    reason is not filed again."""
    reason = clip(reason)
    current = open_claim(store, ledger_id)
    if current is not None:
        if current["status"] == PENDING and current.get("reason") != reason:
            current["reason"] = reason
            current["history"].append(_event("amended", by, reason, source=source))
            store.put_state(KIND, current["id"], current)
        return current, False
    for old in claims(store):
        if old.get("ledger_id") == ledger_id and old.get("status") == REJECTED and old.get("reason") == reason:
            return old, False
    lead = findings[0]
    claim = {
        "id": _next_id(store), "status": PENDING, "ledger_id": ledger_id, "findings": sorted(f.id for f in findings),
        "group": lead.group, "audit": lead.audit, "url": lead.url, "target": lead.target, "text": clip(lead.text, 500),
        "unit": lead.unit, "claimed_by": claimed_by, "reason": reason,
        "claimed_at": local_now().isoformat(timespec="seconds"), "source": source, "scope": "finding",
        "suggest_site": suggests_site(lead.audit, reason), "count": len(findings),
        "history": [_event("claimed", by, reason, source=source)],
    }
    store.put_state(KIND, claim["id"], claim)
    return claim, True


def decide(store: Store, claim_id: str, action: str, by: str, note: str = "", site_wide: bool = False
           ) -> dict[str, Any]:
    """accept / reject a pending claim; revoke an accepted one (or withdraw a pending one)."""
    claim = get(store, claim_id)
    status = claim.get("status")
    if action == "accept":
        if status != PENDING:
            raise ReviewError(f"误报申请 #{claim['id']} 当前为“{STATUS_LABELS.get(status, status)}”，只能审核待审核的申请 "
                              f"only a pending claim can be accepted")
        if site_wide and not can_widen(claim.get("audit", "")):
            raise ReviewError(f"误报申请 #{claim['id']}（{claim.get('audit')}）没有全站范围 this audit has no "
                              "site-wide scope: accept it without --site-wide")
        claim["status"], claim["scope"] = ACCEPTED, "site" if site_wide else "finding"
    elif action == "reject":
        if status != PENDING:
            raise ReviewError(f"误报申请 #{claim['id']} 当前为“{STATUS_LABELS.get(status, status)}”，只能驳回待审核的申请 "
                              "only a pending claim can be rejected")
        if not note.strip():
            raise ReviewError("不同意时请写明理由 a rejection needs a reason (--note), the unit is told it")
        claim["status"] = REJECTED
    elif action == "revoke":
        if status not in (ACCEPTED, PENDING):
            raise ReviewError(f"误报申请 #{claim['id']} 当前为“{STATUS_LABELS.get(status, status)}”，无需撤销 "
                              "only an accepted or pending claim can be revoked")
        claim["status"] = REVOKED if status == ACCEPTED else WITHDRAWN
    else:
        raise ValueError(action)
    claim["decided_by"], claim["decided_at"], claim["note"] = clip(by, 100), local_now().isoformat(timespec="seconds"), \
        clip(note)
    claim["history"].append(_event(action, by, note, scope=claim.get("scope", "finding")))
    store.put_state(KIND, claim["id"], claim)
    return claim


def migrate_legacy(store: Store) -> int:
    """Suppressions written by versions before 0.2 (in force at once, no review) become
    accepted claims, listed and revocable like any other. Returns how many."""
    old_ids = store.all_state(LEGACY_SUPPRESSED)
    old_texts = store.all_state(LEGACY_TEXT)
    if not old_ids and not old_texts:
        return 0
    by = "（0.2 之前的版本直接生效，未经审核 in force before review existed）"
    site_texts = {(d.get("audit"), d.get("text")) for d in old_texts.values()}
    n = 0
    for fid, doc in old_ids.items():
        site = (doc.get("audit"), doc.get("text")) in site_texts
        claim = {"id": _next_id(store), "status": ACCEPTED, "ledger_id": fid, "findings": [fid], "group": "",
                 "audit": doc.get("audit", ""), "url": doc.get("url", ""), "target": "", "text": doc.get("text", ""),
                 "unit": "", "claimed_by": "", "reason": clip(doc.get("reason", "")),
                 "claimed_at": doc.get("imported_at", ""), "source": {k: doc.get(k) for k in ("file", "sheet", "row")},
                 "scope": "site" if site else "finding", "suggest_site": site, "count": 1,
                 "decided_by": by, "decided_at": doc.get("imported_at", ""), "note": "",
                 "history": [_event("migrated", by)]}
        store.put_state(KIND, claim["id"], claim)
        store.delete_state(LEGACY_SUPPRESSED, fid)
        n += 1
    covered = {text_key(d.get("audit", ""), d.get("text", "")) for d in old_ids.values()}
    for key, doc in old_texts.items():
        text = doc.get("text", "")
        audit = next((a for a in sorted(TEXT_AUDITS) if text_key(a, text) == key), "")
        if key not in covered and audit:
            claim = {"id": _next_id(store), "status": ACCEPTED, "ledger_id": doc.get("finding", key), "findings": [],
                     "group": "", "audit": audit, "url": "", "target": "", "text": text, "unit": "", "claimed_by": "",
                     "reason": clip(doc.get("reason", "")), "claimed_at": doc.get("imported_at", ""),
                     "source": {k: doc.get(k) for k in ("file", "sheet", "row")}, "scope": "site", "suggest_site": True,
                     "count": 0, "decided_by": by, "decided_at": doc.get("imported_at", ""), "note": "",
                     "history": [_event("migrated", by)]}
            store.put_state(KIND, claim["id"], claim)
            n += 1
        store.delete_state(LEGACY_TEXT, key)
    return n


# -- what reports show --------------------------------------------------------------------

def _where(c: dict[str, Any]) -> str:
    return c.get("target") or c.get("url") or ""


def claim_view(c: dict[str, Any]) -> Claim:
    return Claim(id=str(c["id"]), status=c.get("status", ""), unit=c.get("unit", ""), claimed_by=c.get("claimed_by", ""),
                 audit=c.get("audit", ""), ledger_id=c.get("ledger_id", ""), where=_where(c), text=c.get("text", ""),
                 reason=c.get("reason", ""), claimed_at=local_time(c.get("claimed_at", "")),
                 scope=c.get("scope", "finding"), suggest_site=bool(c.get("suggest_site")),
                 decided_by=c.get("decided_by", ""), decided_at=local_time(c.get("decided_at", "")),
                 note=c.get("note", ""), count=int(c.get("count", 1)))


def view(store: Store, findings: Iterable[Finding], as_of: date, suppressed_this_run: int = 0) -> FeedbackView:
    """What the reports and mails show of the follow-up this night."""
    out = FeedbackView(suppressed_this_run=suppressed_this_run)
    recent = (as_of - timedelta(days=REJECTED_SHOWN_DAYS)).isoformat()
    for c in claims(store):
        status = c.get("status")
        v = claim_view(c)
        if status == PENDING:
            out.pending.append(v)
            out.notes[v.ledger_id] = FeedbackNote(status="误报", reason=v.reason, review="误报申请待审核")
        elif status == ACCEPTED:
            out.accepted.append(v)
        elif status == REJECTED and (c.get("decided_at") or "")[:10] >= recent:
            out.rejected.append(v)
            out.notes[v.ledger_id] = FeedbackNote(review=f"误报未获同意：{clip(v.note, 100)}")
    for key, p in store.all_state(PROGRESS_KIND).items():
        note = out.notes.setdefault(key, FeedbackNote())
        note.status = note.status or ("整改中" if p.get("status") == "整改中" else "")
        note.measure, note.person, note.due = p.get("measure", ""), p.get("person", ""), p.get("due", "")
    live = {f.id for f in findings}
    claimed: dict[str, dict[str, Any]] = {}
    for fid, c in store.all_state(CLAIM_KIND).items():
        if c.get("checked_run") is None:
            row = claimed.setdefault(c.get("ledger_id", fid), {
                "ledger_id": c.get("ledger_id", fid), "claimed_on": c.get("claimed_on", ""), "unit": c.get("unit", ""),
                "claimed_by": c.get("claimed_by", ""), "measure": c.get("measure", ""), "count": 0, "listed": 0})
            row["count"] += 1
            row["listed"] += fid in live
            note = out.notes.setdefault(c.get("ledger_id", fid), FeedbackNote())
            note.status = "已整改"
            note.measure = note.measure or c.get("measure", "")
            note.person = note.person or c.get("person", "")
            note.due = note.due or c.get("due", "")
    out.fixes_claimed = sorted(claimed.values(), key=lambda r: (r["unit"], r["claimed_on"], r["ledger_id"]))
    return out
