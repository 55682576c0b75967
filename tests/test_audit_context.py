"""The audit run context: derived data computed once per run and never shared between runs;
``requires`` checked by the runner."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from audits import _columns
from tests.support.profiles import write_profile
from zhaocuo.app.runner import check_requires
from zhaocuo.core.auditmeta import AuditMeta
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Severity
from zhaocuo.core.profile import load_profile
from zhaocuo.core.store import Page, SQLiteStore


def _crawl(tmp_path: Path, name: str, title: str):
    store = SQLiteStore(tmp_path / f"{name}.sqlite")
    run_id, _ = store.begin_run()
    store.add_page(run_id, Page(url="http://a.gov.cn/", status=200, title=title, html=f"<title>{title}</title>"))
    store.finish_run(run_id, "complete")
    return store.crawl()


def test_an_artifact_is_computed_once_per_run_and_not_shared_between_runs(tmp_path: Path) -> None:
    calls: list[str] = []

    def titles(ctx: AuditContext) -> list[str]:
        calls.append(ctx.crawl.store.url)
        return [p.title for p in ctx.crawl.pages()]

    profile = load_profile(write_profile(tmp_path, {"site": {"name": "甲区", "start_urls": ["http://a.gov.cn/"]}}))
    one = AuditContext(_crawl(tmp_path, "one", "甲区"), profile, date(2026, 11, 29))
    two = AuditContext(_crawl(tmp_path, "two", "乙区"), profile, date(2026, 11, 29))
    assert one.get(titles) == ["甲区"] and one.get(titles) is one.get(titles)
    assert two.get(titles) == ["乙区"]
    assert len(calls) == 2  # once per context, whatever the number of audits asking
    assert _columns.discover(one) is _columns.discover(one)
    assert _columns.discover(one) is not _columns.discover(two)


def test_the_runner_refuses_a_requirement_it_does_not_know() -> None:
    check_requires(AuditMeta("x", "某检查", Severity.LOW, requires=("pages", "records:ipv6_site", "links")))
    with pytest.raises(ValueError, match="recods:ipv6"):
        check_requires(AuditMeta("x", "某检查", Severity.LOW, requires=("recods:ipv6",)))
