"""Findings of the three wording audits (typo, serious_error, outdated_expression) from the
shared scan of the crawl's distinct lines (audits._maintext)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from audits import _maintext
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding


def findings(ctx: AuditContext, audit: str, severity: str, message: str) -> Iterator[Finding]:
    """``message`` is a format string with {place} (页面/附件), {text}, {suggestion} and {where}."""
    for unit, e in _maintext.iter_errors(ctx, audit):
        ctx = _maintext.context(unit.text, e.start, len(e.text))
        where = f"（该处文字出现在 {unit.count} 个页面）" if unit.count > 1 else ""
        place = "附件" if unit.kind == "attachment" else "页面"
        yield Finding(
            audit=audit, severity=severity, url=unit.url, text=e.text, suggestion=e.suggestion,
            message=message.format(place=place, text=e.text, suggestion=e.suggestion, where=where),
            # Stable: the words around the error, not its position (text added above it
            # would shift a position and turn one problem into a "fixed" and a "new" one).
            key=hashlib.sha1(ctx.encode("utf-8")).hexdigest()[:12],
            evidence=ctx,
            extra={"count": unit.count, "rule": e.rule, "context": ctx},
        )
