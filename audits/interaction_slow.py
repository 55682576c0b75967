"""留言答复超时 (interaction_slow): a local rule, ``[interaction] reply_within_days`` working days.

Many districts promise an answer within a few working days (e.g. 5). With the key set, a
message answered after that many working days past its asked date — counted on the project's
working-day calendar (zhaocuo.core.workdays: holidays off, 调休 Saturdays on) — is a medium
finding, and so is one still open (or only accepted, 已受理/已转办) once that day has passed.
A message open for more than three months is interaction_unanswered's veto instead, never both.
Only messages asked within ``slow_window_days`` before the as-of date are judged: an old late
answer cannot be made faster, and must not stay on a unit's list for ever. Off (0) by default.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from audits import AuditMeta
from audits._interaction import ACCEPTED, ANSWERED, OPEN, Message, reading
from audits.interaction_unanswered import unanswered
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity
from zhaocuo.core.workdays import CalendarRangeError, deadline_after

META = AuditMeta(name="interaction_slow", title="留言答复超时", severity=Severity.MEDIUM,
                 requires=("pages", "links"),
                 description="按本地规定（[interaction] reply_within_days 个工作日）未及时答复的网民留言。")


def due(m: Message, n: int) -> date | None:
    """The last working day to answer ``m`` (None where the calendar cannot say)."""
    if m.asked is None:
        return None
    try:
        return deadline_after(m.asked, n).day
    except CalendarRangeError:
        return None


def audit(ctx: AuditContext) -> Iterable[Finding]:
    profile, as_of = ctx.profile, ctx.as_of
    n = profile.interaction.reply_within_days
    if n <= 0:
        return
    since = as_of - timedelta(days=profile.interaction.slow_window_days)
    for m in reading(ctx).messages:
        if m.asked is None or m.asked < since or unanswered(m, as_of):
            continue
        last = due(m, n)
        if last is None:
            continue
        if m.state == ANSWERED and m.reply is not None and m.reply > last:
            how = f"{m.reply.isoformat()}才答复"
        elif m.state in (OPEN, ACCEPTED) and m.reply is None and as_of > last:
            how = "至今未答复" + ("（已受理或转办）" if m.state == ACCEPTED else "")
        else:
            continue
        yield Finding(
            audit=META.name, severity=META.severity, url=m.url, column=m.board, key=m.key,
            message=(f"“{m.board}”栏目的网民留言“{m.title[:60]}”于{m.asked.isoformat()}提交，{how}，"
                     f"超过本地规定的{n}个工作日答复时限（应于{last.isoformat()}前答复）。"),
            evidence=m.title,
            extra={"asked": m.asked.isoformat(), "reply": m.reply.isoformat() if m.reply else None,
                   "due": last.isoformat(), "reply_within_days": n, "state": m.state},
        )


def undetermined(ctx: AuditContext) -> set[str]:
    """A late answer stays late: these findings are never "fixed", they leave the window."""
    return {"*"}


def summary(ctx: AuditContext, findings: list[Finding]) -> dict[str, Any]:
    profile = ctx.profile
    return {"reply_within_days": profile.interaction.reply_within_days,
            "window_days": profile.interaction.slow_window_days, "count": len(findings)}
