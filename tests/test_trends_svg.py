"""Trends in report.html: the last 30 runs as inline SVG (new vs fixed vs outstanding, per run and
per unit), with no script, style block, id or external reference, and every name escaped."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from lxml import etree

from reports.trends import svg_for
from tests.support.profiles import write_profile
from zhaocuo.app import lifecycle
from zhaocuo.core.finding import Finding
from zhaocuo.core.profile import load_profile
from zhaocuo.core.store import Page, SQLiteStore

HOME = "http://www.test.gov.cn/"
EVIL = "<script>alert(1)</script>局"


def _history(tmp_path: Path, nights: int) -> SQLiteStore:
    profile = load_profile(write_profile(tmp_path, {"site": {"start_urls": [HOME]}}))
    store = SQLiteStore(tmp_path / "t.sqlite")
    for night in range(nights):
        run_id, _ = store.begin_run(resume=False)
        store.add_page(run_id, Page(url=HOME, status=200))
        store.finish_run(run_id, "complete")
        # Night k shows typos 0..(k % 4): alternately more and fewer, so some get fixed.
        found = [Finding(audit="typo", severity="low", url=HOME, text=f"错{i}", unit=EVIL if i % 2 else "区教体局",
                         message="x") for i in range(night % 4 + 1)]
        lifecycle.apply(store, profile, store.crawl(run_id), found, date(2026, 9, 1) + timedelta(days=night))
    return store


def _parse(markup: str) -> etree._Element:
    return etree.fromstring(markup.encode("utf-8"))  # well-formed XML, or this raises


def test_no_runs_means_no_section(tmp_path: Path) -> None:
    assert svg_for(lifecycle.recent_runs(SQLiteStore(tmp_path / "empty.sqlite"))) == ""


def test_last_30_runs_overall_and_per_unit(tmp_path: Path) -> None:
    store = _history(tmp_path, 33)
    markup = svg_for(lifecycle.recent_runs(store))
    root = _parse(markup)
    svg = "{http://www.w3.org/2000/svg}"
    charts = root.iter(f"{svg}svg")
    main, *sparks = list(charts)
    # One circle per run on the outstanding line: the last 30 of 33 nights.
    assert len(main.findall(f"{svg}circle")) == 30
    titles = [t.text for t in main.iter(f"{svg}title")]
    # The window starts at 09-04 (night k=3: four typos outstanding); 09-03 is the 31st-last.
    assert "09-04 待整改 4" in titles
    assert not any(t.startswith("09-03 ") for t in titles)
    # Night 33 (10-03, k=32): one typo left out of four → 0 new, 3 fixed, 1 outstanding.
    assert "10-03 新发现 0" in titles and "10-03 已整改 3" in titles and "10-03 待整改 1" in titles
    assert len(sparks) == 2  # one per unit
    assert "待整改 1，新发现 0，已整改 3" in markup


def test_mail_safe_markup_and_escaped_names(tmp_path: Path) -> None:
    markup = svg_for(lifecycle.recent_runs(_history(tmp_path, 4)))
    root = _parse(markup)
    for el in root.iter():
        tag = etree.QName(el).localname
        assert tag not in ("script", "style", "foreignObject", "image", "use", "a")
        for name in el.attrib:
            assert not name.lower().startswith("on") and name != "id"
            assert "href" not in name
    assert "<script>" not in markup and "&lt;script&gt;alert(1)&lt;/script&gt;局" in markup
