"""Audits: one module per audit name, each a pure function of the stored crawl.

Like Lighthouse's core/audits, a module declares ``META`` (its name — the contract's audit
name —, its Chinese title, its default severity and the stored data it reads) and exposes
``audit(crawl, profile, as_of) -> Iterable[Finding]``. Audits never fetch: everything they
judge was gathered and stored by ``crawler``, so ``zhaocuo audit`` re-runs offline.

Modules whose names start with ``_`` are shared helpers, not audits. A new audit is one new
module here plus its tests; ``all_audits()`` finds it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from types import ModuleType
from typing import Protocol

from zhaocuo.finding import Finding, Severity
from zhaocuo.profile import Profile
from zhaocuo.store import Crawl


@dataclass(frozen=True)
class AuditMeta:
    name: str                      # the contract's audit name, e.g. "dead_link"
    title: str                     # Chinese title shown in reports, e.g. "链接不可用"
    severity: Severity             # default severity (a finding may carry another, with a reason)
    requires: tuple[str, ...]      # stored data read: "pages", "links", "link_checks", "records:ipv6", …
    description: str = ""          # one Chinese sentence on what the national check asks


class AuditModule(Protocol):
    META: AuditMeta

    def audit(self, crawl: Crawl, profile: Profile, as_of: date) -> Iterable[Finding]: ...


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


def titles() -> dict[str, str]:
    """Audit name → Chinese title, for reports."""
    return {m.META.name: m.META.title for m in all_audits()}
