"""Audits: one module per audit name, each a pure function of the stored crawl.

Like Lighthouse's core/audits, a module declares ``META`` (its name — the contract's audit
name —, its Chinese title, its default severity and the stored data it reads) and exposes
``audit(ctx) -> Iterable[Finding]`` over the run's ``AuditContext`` (the stored crawl, the
profile, the as-of date, and the artifacts computed once per run). Audits never fetch: everything they
judge was gathered and stored by ``crawler``, so ``zhaocuo audit`` re-runs offline.

Modules whose names start with ``_`` are shared helpers, not audits. A new audit is one new
module here plus its tests; ``all_audits()`` finds it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from types import ModuleType
from typing import Protocol

from zhaocuo.core.auditmeta import AuditMeta
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding


class AuditModule(Protocol):
    META: AuditMeta

    def audit(self, ctx: AuditContext) -> Iterable[Finding]: ...


def all_audits() -> list[ModuleType]:
    """Every audit module in this package, in name order."""
    mods = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(mod, "META") and hasattr(mod, "audit"):
            mods.append(mod)
    return mods


def metas() -> list[AuditMeta]:
    """Every audit's ``META``, in name order (handed to the reports as data)."""
    return [m.META for m in all_audits()]


def titles() -> dict[str, str]:
    """Audit name → Chinese title."""
    return {m.name: m.title for m in metas()}


__all__ = ["AuditMeta", "AuditModule", "all_audits", "metas", "titles"]
