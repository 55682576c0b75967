"""Build the ``ReportData`` the application hands to the reports, for tests of one writer."""

from __future__ import annotations

from datetime import date
from typing import Any

import audits
from reports.data import ReportData
from zhaocuo.core.finding import Finding
from zhaocuo.core.profile import Profile


def report_data(findings: list[Finding], fixed: list[Finding], summary: dict[str, Any], profile: Profile,
                as_of: date, **kw: Any) -> ReportData:
    return ReportData(findings=list(findings), fixed=list(fixed), summary=summary, profile=profile, as_of=as_of,
                      audits=audits.metas(), **kw)


def titles() -> dict[str, str]:
    return audits.titles()
