"""The release gate end to end: a production copy and a staging copy of one site, two real HTTP
servers on loopback (another port stands for the staging host), crawled by the real CLI.

Production has a backlog (a blank column — high —, a dead link on an article, an old dead link
on the homepage). The release adds two dead links (one to the site itself, one to another
site), one typo and one blank column, and removes the old dead link. With
``--baseline PROD_DIR --fail-on-new medium`` exactly those four are ``new`` (exit 1), the
fixed one is absent from the findings and listed in fixed.jsonl, junit.xml fails the four and
skips the backlog with production's first-seen date, report.html opens with 本次发布新增问题.
The same staging without the additions passes (exit 0) although the backlog has high findings.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)

PROD_DAY = date(2026, 5, 11)
STAGING_DAY = date(2026, 5, 20)


def _day(days_before: int) -> str:
    return (STAGING_DAY - timedelta(days=days_before)).isoformat()


def _page(title: str, body: str, nav: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{h}">{n}</a></li>' for n, h in nav)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_示范区人民政府</title></head><body>'
            f'<div class="nav"><ul>{items}</ul></div><div class="main">{body}</div>'
            '<div class="footer">主办：示范区人民政府办公室</div></body></html>')


def site(release: bool, other: str) -> dict[str, Route]:
    """The site's routes: production (``release`` False) or staging with the release's changes."""
    nav = [("首页", "/"), ("工作动态", "/gzdt/"), ("通知公告", "/tzgg/"), ("人事信息", "/rsxx/")]
    if release:
        nav.append(("政策解读", "/zcjd/"))  # a new column, still empty
    crumb = '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="{h}">{n}</a></div>'

    def listing(name: str, href: str, rows: list[tuple[str, str, str]]) -> str:
        lis = "".join(f'<li><a href="{u}">{t}</a><span>{d}</span></li>' for u, t, d in rows)
        return _page(name, crumb.format(h=href, n=name) + f'<ul class="list">{lis}</ul>', nav)

    def article(name: str, href: str, title: str, day: str, body: str) -> str:
        return _page(title, crumb.format(h=href, n=name) + f"<h1>{title}</h1><p>发布日期：{day}</p><div>{body}</div>", nav)

    home_links = '<li><a href="/gzdt/1.html">区政府召开常务会议</a><span>' + _day(3) + "</span></li>"
    if not release:
        home_links += '<li><a href="/old-dead.html">往期专题</a></li>'  # the old dead link the release removes
    gzdt_2 = "会议强调，各部门要认真贯彻落实会议精神，扎实推进各项工作。"
    if release:
        gzdt_2 = "区政府召开会议，对今年重点工作进行布署，要求各部门抓好落实。"  # the typo
    tzgg_1 = "现将有关事项通知如下。"
    if release:
        tzgg_1 += '<p>详见<a href="/tzgg/new-gone.html">附件说明</a>。</p>'  # dead, on the site itself
    gzdt_3 = "区领导深入企业开展调研。"
    if release:
        gzdt_3 += f'<p>参见<a href="{other}/missing.html">上级网站</a>。</p>'  # dead, on another site
    pages = {
        "/": _page("首页", f'<div class="news"><ul>{home_links}</ul></div>', nav),
        "/gzdt/": listing("工作动态", "/gzdt/", [("/gzdt/1.html", "区政府召开常务会议", _day(3)),
                                               ("/gzdt/2.html", "区政府部署重点工作", _day(5)),
                                               ("/gzdt/3.html", "区领导深入企业调研", _day(6))]),
        "/gzdt/1.html": article("工作动态", "/gzdt/", "区政府召开常务会议", _day(3),
                                '会议研究了近期工作。<a href="/gzdt/missing.html">会议材料</a>'),  # backlog dead link
        "/gzdt/2.html": article("工作动态", "/gzdt/", "区政府部署重点工作", _day(5), gzdt_2),
        "/gzdt/3.html": article("工作动态", "/gzdt/", "区领导深入企业调研", _day(6), gzdt_3),
        "/tzgg/": listing("通知公告", "/tzgg/", [("/tzgg/1.html", "关于做好防汛工作的通知", _day(4))]),
        "/tzgg/1.html": article("通知公告", "/tzgg/", "关于做好防汛工作的通知", _day(4), tzgg_1),
        "/rsxx/": _page("人事信息", crumb.format(h="/rsxx/", n="人事信息") + '<ul class="list"></ul><p>暂无信息</p>', nav),
    }
    if release:
        pages["/zcjd/"] = _page("政策解读", crumb.format(h="/zcjd/", n="政策解读") + '<ul class="list"></ul><p>暂无信息</p>', nav)
    return {path: Route(body=html) for path, html in pages.items()}


def _profile(folder: Path, name: str, base: str, production: str = "") -> Path:
    site_section: dict[str, Any] = {"name": "示范区人民政府", "start_urls": [base + "/"], "allowed_hosts": ["127.0.0.1"],
                                    "own_site": True}
    if production:
        site_section["production_url"] = production
    prod_base = production or base
    return write_profile(folder, {
        "site": site_section,
        "crawl": {"max_pages": 50, "concurrency": 4, "timeout_s": 5.0, "retries": 0},
        "ipv6": {"enabled": False},
        "units": [{"name": "区政府办公室", "paths": [prod_base + "/gzdt/"]}],  # production's URL: mapped findings match
    }, name=name)


def rows(out: Path, name: str = "findings.jsonl") -> list[dict[str, Any]]:
    return [json.loads(x) for x in (out / name).read_text(encoding="utf-8").splitlines() if x.strip()]


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("gate")
    env = {"ZHAOCUO_HOME": str(folder / "home")}
    other = LoopbackServer({"/live.html": Route(body="<html><title>上级</title><body>上级网站</body></html>")},
                           host="127.0.0.2")
    with other:
        other_base = other.base  # another host: checked, never crawled
        with LoopbackServer(site(False, other_base)) as prod, LoopbackServer(site(True, other_base)) as staging, \
                LoopbackServer(site(False, other_base)) as unchanged:
            prod_profile = _profile(folder, "prod.toml", prod.base)
            first = run_cli("run", "--config", str(prod_profile), "--out", str(folder / "prod"),
                            "--as-of", PROD_DAY.isoformat(), "--no-mail", env=env)
            assert first.returncode == 0, first.stderr[-3000:]
            staging_profile = _profile(folder, "staging.toml", staging.base, production=prod.base)
            gated = run_cli("run", "--config", str(staging_profile), "--out", str(folder / "staging"),
                            "--as-of", STAGING_DAY.isoformat(), "--baseline", str(folder / "prod"),
                            "--fail-on-new", "medium", env=env)
            same_profile = _profile(folder, "same.toml", unchanged.base, production=prod.base)
            same = run_cli("run", "--config", str(same_profile), "--out", str(folder / "same"),
                           "--as-of", STAGING_DAY.isoformat(), "--baseline", str(folder / "prod"),
                           "--fail-on-new", "medium", env=env)
    return {"folder": folder, "prod": folder / "prod", "staging": folder / "staging", "same": folder / "same",
            "gated": gated, "same_run": same, "prod_base": prod.base, "staging_base": staging.base,
            "other": other_base, "env": env, "staging_profile": staging_profile}


def test_production_has_a_backlog_with_high_findings(gate: dict[str, Any]) -> None:
    prod = rows(gate["prod"])
    assert any(r["severity"] == "high" for r in prod)
    assert {"blank_column", "dead_link"} <= {r["audit"] for r in prod}
    assert any(r["target"] == gate["prod_base"] + "/old-dead.html" for r in prod)
    assert "baseline" not in prod[0]  # a nightly run is not compared with anything
    assert (gate["prod"] / "suppressed.json").exists()


def test_the_release_adds_exactly_four_findings_and_the_gate_fails(gate: dict[str, Any]) -> None:
    assert gate["gated"].returncode == 1, gate["gated"].stderr[-3000:]
    found = rows(gate["staging"])
    new = [r for r in found if r["baseline"] == "new"]
    p = gate["prod_base"]
    assert sorted((r["audit"], r["url"], r["target"] or r["text"] or r["column"]) for r in new) == sorted([
        ("dead_link", p + "/tzgg/1.html", p + "/tzgg/new-gone.html"),  # a target on the staging host: mapped
        ("dead_link", p + "/gzdt/3.html", gate["other"] + "/missing.html"),  # another site: as written
        ("typo", p + "/gzdt/2.html", "布署"),
        ("blank_column", p + "/zcjd/", "政策解读"),
    ])
    assert all(r["status"] == "new" and r["first_seen"] == STAGING_DAY.isoformat() for r in new)
    # Units follow production's URLs too (the unit's path is written with production's origin).
    assert {r["unit"] for r in new if "/gzdt/" in r["url"]} == {"区政府办公室"}


def test_known_findings_are_production_s_own(gate: dict[str, Any]) -> None:
    prod = {r["id"]: r for r in rows(gate["prod"])}
    known = [r for r in rows(gate["staging"]) if r["baseline"] == "known"]
    assert known and {r["id"] for r in known} <= set(prod)
    for r in known:
        assert r["first_seen"] == prod[r["id"]]["first_seen"] == PROD_DAY.isoformat()
        assert r["url"].startswith(gate["prod_base"]) and gate["staging_base"] not in json.dumps(r)
    assert any(r["target"] == gate["prod_base"] + "/gzdt/missing.html" for r in known)  # a mapped target


def test_the_fixed_dead_link_is_absent_and_listed_as_fixed(gate: dict[str, Any]) -> None:
    old = gate["prod_base"] + "/old-dead.html"
    assert not any(r["target"] == old for r in rows(gate["staging"]))
    (fixed,) = [r for r in rows(gate["staging"], "fixed.jsonl") if r["target"] == old]
    assert fixed["status"] == "fixed" and fixed["url"] == gate["prod_base"] + "/"


def test_summary_counts_new_and_known(gate: dict[str, Any]) -> None:
    summary = json.loads((gate["staging"] / "summary.json").read_text(encoding="utf-8"))
    found = rows(gate["staging"])
    b = summary["baseline"]
    assert b["new"] == 4 and b["known"] == len(found) - 4 and b["fixed"] == 1
    assert b["production_url"] == gate["prod_base"] and b["staging_url"] == gate["staging_base"]
    assert b["new_by_audit"] == {"blank_column": 1, "dead_link": 2, "typo": 1}
    assert summary["homepage"] == gate["prod_base"] + "/"


def test_junit_fails_the_new_and_skips_the_backlog_with_its_first_seen_date(gate: dict[str, Any]) -> None:
    root = ET.parse(gate["staging"] / "junit.xml").getroot()
    cases = root.findall(".//testcase")
    failed = [c for c in cases if c.find("failure") is not None]
    skipped = [c for c in cases if c.find("skipped") is not None]
    known = sum(1 for r in rows(gate["staging"]) if r["baseline"] == "known")
    assert len(failed) == 4 and len(skipped) == known and known > 0
    assert root.get("failures") == "4" and root.get("skipped") == str(known)
    assert all(PROD_DAY.isoformat() in c.find("skipped").get("message") for c in skipped)
    assert sum(int(s.get("skipped")) for s in root.findall("testsuite")) == known


def test_report_opens_with_what_the_release_adds(gate: dict[str, Any]) -> None:
    html = (gate["staging"] / "report.html").read_text(encoding="utf-8")
    first = html.index("<h2")
    assert html.index("本次发布新增问题") < html.index("存量问题") < html.index("按检查项统计")
    assert "本次发布新增问题" in html[first:first + 120]
    assert "发布检查不通过" in html and "布署" in html[:html.index("存量问题")]
    assert "本次发布修复的问题" in html


def test_the_gate_never_mails_nor_keeps_state(gate: dict[str, Any]) -> None:
    assert "不发送邮件" in gate["gated"].stderr
    assert not (gate["staging"] / "outbox").exists()
    from zhaocuo.core.profile import load_profile
    from zhaocuo.core.store import SQLiteStore

    store = SQLiteStore(load_profile(gate["staging_profile"]).default_store_path())
    assert store.all_state("finding") == {} and store.all_state("run") == {}


def test_staging_without_additions_passes_despite_a_high_backlog(gate: dict[str, Any]) -> None:
    assert gate["same_run"].returncode == 0, gate["same_run"].stderr[-3000:]
    found = rows(gate["same"])
    assert found and all(r["baseline"] == "known" for r in found)
    assert any(r["severity"] == "high" for r in found)
    root = ET.parse(gate["same"] / "junit.xml").getroot()
    assert root.get("failures") == "0" and root.get("skipped") == str(len(found))
    assert "没有新增" in (gate["same"] / "report.html").read_text(encoding="utf-8")


def test_fail_on_keeps_its_meaning_and_the_gate_re_runs_offline(gate: dict[str, Any]) -> None:
    """``zhaocuo audit`` (no network) with --baseline: --fail-on high still fails on the backlog."""
    out = gate["folder"] / "again"
    args = ["audit", "--config", str(gate["folder"] / "same.toml"), "--out", str(out), "--as-of",
            STAGING_DAY.isoformat(), "--baseline", str(gate["prod"])]
    assert run_cli(*args, "--fail-on-new", "low", env=gate["env"]).returncode == 0
    assert run_cli(*args, "--fail-on-new", "low", "--fail-on", "high", env=gate["env"]).returncode == 1


def test_bad_gate_arguments_are_exit_2_naming_the_fault(gate: dict[str, Any], tmp_path: Path) -> None:
    profile = str(gate["folder"] / "same.toml")
    r = run_cli("audit", "--config", profile, "--out", str(tmp_path / "o"), "--fail-on-new", "high", env=gate["env"])
    assert r.returncode == 2 and "--baseline" in r.stderr
    r = run_cli("audit", "--config", profile, "--out", str(tmp_path / "o"), "--baseline", str(tmp_path / "nope"),
                env=gate["env"])
    assert r.returncode == 2 and "nope" in r.stderr
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "findings.jsonl").write_text('{"id": "x", "audit": "typo"}\nnot json\n', encoding="utf-8")
    r = run_cli("audit", "--config", profile, "--out", str(tmp_path / "o"), "--baseline", str(tmp_path / "bad"),
                env=gate["env"])
    assert r.returncode == 2 and "findings.jsonl:1" in r.stderr
    # A staging profile without production_url compared with production's run: another origin.
    plain = gate["folder"] / "plain.toml"
    plain.write_text((gate["folder"] / "same.toml").read_text(encoding="utf-8").replace("production_url", "#"),
                     encoding="utf-8")
    r = run_cli("audit", "--config", str(plain), "--out", str(tmp_path / "o"), "--baseline", str(gate["prod"]),
                env=gate["env"])
    assert r.returncode == 2 and "site.production_url" in r.stderr
