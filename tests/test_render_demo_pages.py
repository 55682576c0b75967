"""The demo's script-built page (demo/site/js/): its typo and dead link exist only once rendered."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from crawler import render, render_child
from demo.run import write_profile
from demo.server import DemoServer
from zhaocuo.core.profile import load_profile

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier


def test_demo_law_enforcement_list_shows_its_defects_only_when_rendered(tmp_path: Path) -> None:
    with DemoServer() as srv:
        profile = load_profile(write_profile(tmp_path, srv.port))
        url = srv.url("/js/zfgs.html")
        raw = urllib.request.urlopen(url, timeout=10).read().decode("utf-8")
        assert render.wants_render(url, profile)  # config/demo.toml: render_js = ["/js/"]
        (res,) = render_child.render_urls(profile, [url])
    assert "一如继往" not in raw and "/js/cf/2025-q3.html" not in raw
    assert res["error"] == ""
    assert "一如继往" in res["html"]  # the typo the text audits then report
    assert '<a href="/js/cf/2025-q3.html">' in res["html"]  # the dead link the link checker then reports
    assert '<a href="/js/cf/2026-12.html">' in res["html"]
