"""互动回应差 (interaction_unanswered): messages left unanswered for more than three months, and
a site with no working interaction channel. Both fail the national check outright (单项否决).

A message is a finding when its board (audits/_interaction.py) says plainly that it has no
reply — an open state (未回复, 办理中, 待处理 …) from its list row or its own page, no reply date
and no reply text — and it was asked more than three calendar months before the as-of date
(asked 2026-01-31: still in time on 2026-04-30, a finding from 2026-05-01). An answered
message is never one, however late the answer (the response times count it). A message
accepted or forwarded (已受理/已转办) has been responded to: not a veto (the local
``reply_within_days`` rule, interaction_slow, may still judge it). A message whose state or
asked date cannot be read is not judged; a board behind a login or whose messages are not
public is listed in the summary as 无法检查, never guessed.

No working channel: the homepage was fetched and no link anywhere in the crawl is named as an
interaction channel (信箱, 留言, 咨询, 投诉, 12345, 互动交流 …; a javascript: or mailto: entry on
the homepage counts as one), or every such link leads to an error. One finding, on the homepage;
by default only for a government portal (``[interaction] channel_required``): a department's
site may rely on its portal's unified interaction platform.
"""

from __future__ import annotations

import calendar
import re
import statistics
from collections.abc import Iterable
from datetime import date
from typing import Any

from audits import AuditMeta
from audits._interaction import (
    ACCEPTED,
    ANSWERED,
    HUB_NAME,
    OPEN,
    UNCHECKABLE_REASONS,
    Message,
    Reading,
    reading,
)
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity
from zhaocuo.core.profile import Profile

META = AuditMeta(name="interaction_unanswered", title="互动回应差", severity=Severity.VETO,
                 requires=("pages", "links", "link_checks"),
                 description="政务咨询类栏目（领导信箱、咨询投诉、留言板等）有超过3个月未回应的网民留言，"
                             "或网站未提供有效的互动交流渠道，即单项否决。")
MONTHS = 3
NO_CHANNEL_KEY = "no_channel"
MAX_LISTED = 200  # boards and channels listed in summary.json


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later, or that month's last day (01-31 → 04-30)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def overdue(asked: date, as_of: date) -> bool:
    """More than three calendar months: asked + 3 months is the last day still in time."""
    return as_of > add_months(asked, MONTHS)


def unanswered(m: Message, as_of: date) -> bool:
    return m.state == OPEN and m.reply is None and m.asked is not None and overdue(m.asked, as_of)


def audit(ctx: AuditContext) -> Iterable[Finding]:
    profile, as_of = ctx.profile, ctx.as_of
    r = reading(ctx)
    for m in r.messages:
        if not unanswered(m, as_of):
            continue
        assert m.asked is not None
        days = (as_of - m.asked).days
        yield Finding(
            audit=META.name, severity=META.severity, url=m.url, column=m.board, key=m.key,
            message=(f"“{m.board}”栏目的网民留言“{m.title[:60]}”于{m.asked.isoformat()}提交，已{days}天未答复"
                     f"（超过3个月未回应属单项否决），请尽快答复并在网站公开。"),
            evidence=m.title,
            extra={"kind": "unanswered", "asked": m.asked.isoformat(), "days_waiting": days,
                   "board_url": m.board_url, "detail_read": m.detail_read, "pinned": m.pinned},
        )
    finding = no_channel(r, profile)
    if finding is not None:
        yield finding


_PORTAL = re.compile(r"(?:人民政府|政府)(?:门户网站|网站|网)?$|政府门户")
_TITLE_SPLIT = re.compile(r"\s*[-_|—–－·]\s*")


def channel_required(profile: Profile, homepage_title: str) -> bool:
    """``[interaction] channel_required``: "auto" judges a government portal only — the site's
    name, or when it is a bare host name the homepage title's first part, names a 人民政府. A
    department's site may use its portal's unified interaction platform (《政府网站发展指引》)."""
    mode = profile.interaction.channel_required
    if mode != "auto":
        return mode == "yes"
    name = profile.site.name.strip()
    if not re.search(r"[\u4e00-\u9fff]", name):
        name = _TITLE_SPLIT.split(homepage_title.strip())[0] if homepage_title.strip() else ""
    return bool(_PORTAL.search(name))


def no_channel(r: Reading, profile: Profile) -> Finding | None:
    """The no-working-channel finding, or None (also when the crawl cannot tell)."""
    if not r.homepage_ok or r.boards or not channel_required(profile, r.homepage_title):
        return None
    real = [c for c in r.channels if not HUB_NAME.match(c.name)]
    if any(c.working is not False for c in real):
        return None
    linked = {c.name for c in r.channels}
    if any(n not in linked for n in r.homepage_names):
        return None  # a javascript: or mailto: entry on the homepage: a channel we cannot follow
    if real:
        dead = "、".join(f"“{c.name}”（{c.detail}）" for c in real[:5])
        message = f"网站的互动交流渠道均无法正常使用：{dead}。未提供有效的互动交流渠道属单项否决，请尽快修复。"
        kind = "dead"
    elif r.channels:
        return None  # only a hub (互动交流) that lists no channel the crawl could see: not judged
    else:
        message = "网站未提供互动交流渠道（未发现领导信箱、咨询投诉、留言板等栏目）。未提供有效的互动交流渠道属单项否决。"
        kind = "none"
    return Finding(audit=META.name, severity=META.severity, url=r.homepage_url, key=NO_CHANNEL_KEY,
                   message=message, extra={"kind": "no_channel", "channels": [
                       {"name": c.name, "url": c.url, "status": c.status, "detail": c.detail} for c in real[:20]],
                       "why": kind})


def undetermined(ctx: AuditContext) -> set[str]:
    """Messages seen this run whose state could not be read (their page asks to log in, keeps
    them private, or says nothing): an earlier finding on them is not fixed, only unseen."""
    r = reading(ctx)
    keys = set(r.unreadable)
    if not r.homepage_ok:
        keys.add(NO_CHANNEL_KEY)
    return keys


# -- response times (summary.json and the report) ------------------------------------------
def percentile(values: list[int], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..1) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(q * 100) * len(ordered) // 100))
    return float(ordered[min(rank, len(ordered)) - 1])


def times(messages: list[Message], as_of: date) -> dict[str, Any]:
    """Messages read, answered share, median and 90th-percentile days to reply, oldest open."""
    dated = [m for m in messages if m.asked is not None]
    answered = [m for m in messages if m.state == ANSWERED]
    waits = [(m.reply - m.asked).days for m in answered if m.asked and m.reply]
    open_ = [m for m in dated if m.state in (OPEN, ACCEPTED)]
    oldest = min(open_, key=lambda m: (m.asked, m.key), default=None)
    judged = [m for m in messages if m.state in (ANSWERED, OPEN, ACCEPTED)]
    return {
        "messages": len(messages),
        "answered": len(answered),
        "open": sum(1 for m in messages if m.state == OPEN),
        "accepted": sum(1 for m in messages if m.state == ACCEPTED),
        "unknown": len(messages) - len(judged),
        "answered_share": round(len(answered) / len(judged), 3) if judged else None,
        "reply_days_measured": len(waits),
        "median_reply_days": float(statistics.median(waits)) if waits else None,
        "p90_reply_days": percentile(waits, 0.9),
        "over_three_months": sum(1 for m in messages if unanswered(m, as_of)),
        "oldest_open": ({**oldest.to_dict(), "days": (as_of - oldest.asked).days, "column": oldest.board}
                        if oldest and oldest.asked else None),
    }


def summary(ctx: AuditContext, findings: list[Finding]) -> dict[str, Any]:
    as_of = ctx.as_of
    r = reading(ctx)
    boards = [{"name": b.name, "url": b.url, "pages": len(b.pages), **times(b.messages, as_of)}
              for b in r.boards[:MAX_LISTED]]
    return {
        **times(r.messages, as_of),
        "boards_found": len(r.boards),
        "boards": boards,
        "uncheckable": [{"name": c.name, "url": c.url, "reason": UNCHECKABLE_REASONS[c.status], "status": c.status}
                        for c in r.uncheckable[:MAX_LISTED]],
        "channels": {s: sum(1 for c in r.channels if c.status == s) for s in sorted({c.status for c in r.channels})},
        "no_channel": any(f.key == NO_CHANNEL_KEY for f in findings),
        "veto": bool(findings),
    }
