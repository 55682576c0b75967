"""Links and typos that exist only after rendering reach the audits, through the real CLI.

The site's lists are built in the browser with fetch(): one column under ``crawl.render_js``,
one found automatically (an empty list container filled by a script), and one column page
that never finishes loading. Without rendering none of their links or text exist.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support import newmedia_pages as pages
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route
from zhaocuo.core.store import SQLiteStore

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier

HOME = """<html><head><title>临淄区人民政府</title></head><body><h1>临淄区人民政府</h1><p>发布日期：2026-11-20</p>
<a href="/xxgk/zfgs/list.html">政府公示</a> <a href="/bm/list.html">部门动态</a>
<a href="/xxgk/zfgs/hang.html">执法公示</a> <a href="/about.html">概况</a></body></html>"""
LIST = """<html><head><title>政府公示</title></head><body><div class="nav">首页 政务公开 政府公示</div><ul id="list"></ul>
<script>fetch('/api/zfgs.json').then(r => r.json()).then(items => {
  document.getElementById('list').innerHTML = items.map(i =>
    '<li><a href="' + i.url + '">' + i.title + '</a><span>' + i.date + '</span></li>').join('');
});</script></body></html>"""
BM = LIST.replace("/api/zfgs.json", "/api/bm.json").replace("政府公示", "部门动态")


def _site() -> dict[str, object]:
    def js(data: object) -> Route:
        return Route(body=json.dumps(data, ensure_ascii=False), content_type="application/json")

    return {
        "/": Route(body=HOME), "/xxgk/zfgs/list.html": Route(body=LIST), "/bm/list.html": Route(body=BM),
        "/api/zfgs.json": js([{"url": "/xxgk/zfgs/missing.html", "title": "关于布署冬季防火工作的通知", "date": "2026-11-20"},
                              {"url": "/about.html", "title": "区情概况", "date": "2026-11-19"}]),
        "/api/bm.json": js([{"url": "/bm/gone.html", "title": "部门工作简报", "date": "2026-11-20"}]),
        "/about.html": Route(body="<html><head><title>概况</title></head><body><p>临淄区位于山东省中部。</p></body></html>"),
        "/xxgk/zfgs/hang.html": pages.never_loads(40),
    }


def _run(tmp: Path, base: str, crawl: dict) -> tuple[list[dict], SQLiteStore, str]:
    tmp.mkdir(parents=True, exist_ok=True)
    profile = write_profile(tmp, {"site": {"start_urls": [base + "/"], "own_site": True},
                                  "crawl": {"retries": 0, "timeout_s": 5, **crawl}, "ipv6": {"enabled": False}})
    proc = run_cli("run", "--config", str(profile), "--out", str(tmp / "out"), "--as-of", "2026-11-27", "--no-mail",
                   timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    findings = [json.loads(line) for line in (tmp / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    return findings, SQLiteStore(tmp / "site.sqlite"), proc.stderr


def test_rendered_lists_are_audited_and_a_hung_page_does_not_stop_the_crawl(tmp_path: Path) -> None:
    with LoopbackServer(_site()) as srv:
        findings, store, _ = _run(tmp_path / "on", srv.base, {"render_js": ["/xxgk/zfgs/"], "render_timeout_s": 4})
        off, _, _ = _run(tmp_path / "off", srv.base, {"auto_render_share": 0.0})
    dead = {(f["url"], f["target"]) for f in findings if f["audit"] == "dead_link"}
    assert (srv.url("/xxgk/zfgs/list.html"), srv.url("/xxgk/zfgs/missing.html")) in dead  # render_js prefix
    assert (srv.url("/bm/list.html"), srv.url("/bm/gone.html")) in dead  # detected as script-built
    typos = [f for f in findings if f["audit"] == "typo" and f["text"] == "布署"]
    assert [f["url"] for f in typos] == [srv.url("/xxgk/zfgs/list.html")]
    # The page that never finishes is reported (its link is dead from the homepage), the crawl went on.
    assert (srv.url("/"), srv.url("/xxgk/zfgs/hang.html")) in dead
    crawl = store.crawl()
    assert crawl.page(srv.url("/about.html")) is not None
    listed = crawl.page(srv.url("/xxgk/zfgs/list.html"))
    auto = crawl.page(srv.url("/bm/list.html"))
    assert listed is not None and listed.rendered and "关于布署冬季防火工作的通知" in listed.text
    assert auto is not None and auto.rendered and "部门工作简报" in auto.text
    assert crawl.page(srv.url("/about.html")).rendered is False  # plain pages stay plain
    assert crawl.stats.get("auto_rendered") == 1
    # Look-alike run without the browser: the same site shows none of these problems.
    assert not [f for f in off if f["audit"] == "typo" and f["text"] == "布署"]
    assert not {f["target"] for f in off if f["audit"] == "dead_link"} & {srv.url("/xxgk/zfgs/missing.html"),
                                                                          srv.url("/bm/gone.html")}
