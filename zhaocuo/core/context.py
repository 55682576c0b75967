"""The audit run context: what every audit receives, and the data computed once per run.

Lighthouse hands its audits the gathered artifacts plus *computed artifacts* — derived data
(main text, columns, the proofreader…) built the first time an audit asks and shared by every
audit of the run. ``AuditContext`` does the same: ``ctx.get(fn)`` returns ``fn(ctx)``, computed
on the first call of this run and kept on the context, never in a module global, so two runs
(two sites, a re-audit with another as-of date, a test) never see each other's data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from zhaocuo.core.profile import Profile
from zhaocuo.core.store import Crawl

T = TypeVar("T")


@dataclass
class AuditContext:
    crawl: Crawl
    profile: Profile
    as_of: date
    # The store's HMAC key for ids of masked personal data (privacy_leak). Created and kept by
    # the runner (zhaocuo.app.runner.store_secret), so an audit never writes state; a context
    # built without one (tests, check-text) gets a fixed key.
    secret: bytes = b"zhaocuo-no-store-secret"
    _artifacts: dict[Callable[..., Any], Any] = field(default_factory=dict, repr=False, compare=False)

    def get(self, compute: Callable[[AuditContext], T]) -> T:
        """``compute(self)``, computed once per run: ``compute`` is a module-level function
        (its identity is the key), e.g. ``ctx.get(_columns.discovery)``."""
        if compute not in self._artifacts:
            self._artifacts[compute] = compute(self)
        return self._artifacts[compute]
