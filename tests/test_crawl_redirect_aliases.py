"""An old address that redirects to a page the crawl also reaches directly is one page, not
two: otherwise every defect of that page would be reported twice (once per address)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier


def page(title: str, body: str = "") -> str:
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"


def test_old_address_redirecting_to_a_crawled_page_does_not_double_its_findings(tmp_path: Path) -> None:
    routes = {
        # Both addresses are linked from the homepage; the old one answers 301 to the new one.
        "/": Route(body=page("区政府", "<a href='/bm/wjj/'>卫健局</a> <a href='/old/wjj/'>卫健局（旧）</a>")),
        "/old/wjj/": Route(301, headers={"Location": "/bm/wjj/"}),
        "/bm/wjj/": Route(body=page("卫健局", "<a href='/bm/wjj/gone.html'>门诊时间</a>")),
    }
    with LoopbackServer(routes) as srv:
        prof = write_profile(tmp_path, {
            "site": {"start_urls": [srv.url("/")]},
            "crawl": {"timeout_s": 2.0, "retries": 1, "max_backoff_s": 0.2, "auto_render_share": 0.0},
            "ipv6": {"enabled": False}, "audits": {"disabled": ["typo"]},
        })
        res = run_cli("run", "--config", str(prof), "--out", str(tmp_path / "out"), "--no-mail", timeout=180)
    assert res.returncode == 0, res.stderr
    dead = [json.loads(line) for line in (tmp_path / "out" / "findings.jsonl").read_text().splitlines()
            if json.loads(line)["audit"] == "dead_link"]
    assert [(f["url"], f["target"]) for f in dead] == [(srv.url("/bm/wjj/"), srv.url("/bm/wjj/gone.html"))]
    # The redirect itself is a live link, not a finding.
    assert all(f["target"] != srv.url("/old/wjj/") for f in dead)
