"""``[[columns]]``: a site whose lists carry no navigation, breadcrumb or pager markup has
columns discovery cannot see (0 columns, false missing_column findings, a stale column
missed); naming them in the profile corrects all three. Crawled and audited on loopback by
the real CLI; the profile loader's checks are pinned beside."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.profiles import to_toml, write_profile
from tests.support.servers import LoopbackServer, Route
from zhaocuo.core.profile import ProfileError, load_profile

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)

AS_OF = date(2026, 11, 27)


def ago(days: int) -> str:
    return (AS_OF - timedelta(days=days)).isoformat()


def bare(title: str, body: str) -> str:
    """A page of a plain old template: tables, no nav/menu classes, no 当前位置 trail."""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<table width="960"><tr><td>{body}</td></tr></table></body></html>')


def undated_list(title: str, rows: list[tuple[str, str]]) -> str:
    return bare(title, "<table>" + "".join(f'<tr><td><a href="{u}">{t}</a></td></tr>' for u, t in rows) + "</table>")


def article(title: str, day: str) -> str:
    return bare(title, f"<h1>{title}</h1><p>发布日期：{day}</p><p>{title}。正文内容若干。</p>")


def site() -> dict[str, Route]:
    pages = {
        "/": bare("测试区人民政府", '<table><tr><td><a href="/gzdt/">工作动态</a></td><td><a href="/tzgg/">通知公告</a>'
                  '</td><td><a href="/jgzn/">机构职能</a></td><td><a href="/ztzl/">专题专栏</a></td></tr></table>'
                  "<p>欢迎访问测试区人民政府网站。</p>"),
        # 工作动态: newest item 40 days old, stale for a 动态 column (14 days).
        "/gzdt/": undated_list("工作动态", [(f"/gzdt/{i}.html", f"全区工作会议召开第{i}次") for i in (1, 2, 3)]),
        # 通知公告: newest item 10 days old, fresh.
        "/tzgg/": undated_list("通知公告", [(f"/tzgg/{i}.html", f"关于开展安全检查的通知第{i}号") for i in (1, 2, 3)]),
        "/jgzn/": bare("机构职能", "<p>测试区人民政府办公室是区政府的办事机构，负责区政府日常工作，协助区政府领导同志处理日常事务。</p>"),
        # 人事信息 is linked from nowhere: only the profile knows it (its newest item is 500 days old).
        "/rsxx/": undated_list("人事信息", [(f"/rsxx/{i}.html", f"干部任前公示第{i}批") for i in (1, 2, 3)]),
    }
    for i in (1, 2, 3):
        pages[f"/gzdt/{i}.html"] = article(f"全区工作会议召开第{i}次", ago(40 + i))
        pages[f"/tzgg/{i}.html"] = article(f"关于开展安全检查的通知第{i}号", ago(10 + i))
        pages[f"/rsxx/{i}.html"] = article(f"干部任前公示第{i}批", ago(500 + i))
    pages["/ztzl/"] = undated_list("专题专栏", [(f"/tzgg/{i}.html", f"关于开展安全检查的通知第{i}号") for i in (1, 2, 3)])
    return {path: Route(body=html) for path, html in pages.items()}


CATALOG = [{"name": "工作动态"}, {"name": "通知公告"}, {"name": "人事信息"}]


def _run(folder: Path, srv: LoopbackServer, extra: dict) -> tuple[dict[str, list[dict]], dict]:
    profile = write_profile(folder, {
        "site": {"name": "测试区人民政府", "start_urls": [srv.url("/")], "allowed_hosts": ["127.0.0.1"], "own_site": True},
        "crawl": {"max_pages": 60, "concurrency": 4, "timeout_s": 5.0, "retries": 0, "check_external": False},
        "ipv6": {"enabled": False},
        "catalog": CATALOG, **extra,
    })
    proc = run_cli("run", "--config", str(profile), "--out", str(folder / "out"), "--as-of", AS_OF.isoformat(),
                   "--no-mail", timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    by_audit: dict[str, list[dict]] = {}
    for line in (folder / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        by_audit.setdefault(row["audit"], []).append(row)
    return by_audit, json.loads((folder / "out" / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, list[dict]], dict]]:
    with LoopbackServer(site()) as srv:
        plain = _run(tmp_path_factory.mktemp("undeclared"), srv, {})
        named = _run(tmp_path_factory.mktemp("declared"), srv, {"columns": [
            {"name": "工作动态", "url": srv.url("/gzdt/")},
            {"name": "通知公告", "url": srv.url("/tzgg/")},
            {"name": "人事信息", "url": srv.url("/rsxx/")},
            {"name": "机构职能", "url": srv.url("/jgzn/"), "rule": "static"},
            {"name": "专题专栏", "url": srv.url("/ztzl/"), "rule": "ignore"},
        ]})
    return {"plain": plain, "named": named}


def test_without_declarations_the_bare_site_shows_the_problem(nights) -> None:
    findings, summary = nights["plain"]
    names = {f["column"] for f in findings.get("missing_column", [])}
    assert {"工作动态", "通知公告", "人事信息"} <= names  # false alarms: the columns are there
    assert not any(f["column"] == "工作动态" for f in findings.get("stale_column", []))  # a stale column missed


def test_declared_columns_are_found_judged_and_no_longer_missing(nights) -> None:
    findings, summary = nights["named"]
    assert findings.get("missing_column", []) == []
    stale = {f["column"]: f for f in findings.get("stale_column", [])}
    assert set(stale) == {"工作动态", "人事信息"}  # 通知公告 is fresh; 机构职能 is static
    assert "41天未更新" in stale["工作动态"]["message"]
    assert stale["人事信息"]["url"].endswith("/rsxx/")  # linked from nowhere, fetched because declared
    table = {c["name"]: c for c in summary["stale_column"]["columns"]}
    assert {"工作动态", "通知公告", "人事信息", "机构职能"} <= set(table)
    assert "专题专栏" not in table  # rule = "ignore" strikes it out
    assert table["机构职能"]["max_age_days"] is None and table["通知公告"]["stale"] is False
    assert not any(f["column"] == "机构职能" for f in findings.get("blank_column", []))


def test_a_declared_period_wins_and_a_name_only_entry_corrects_discovery(tmp_path: Path) -> None:
    from audits._columns import Column, Discovery, rule_for
    from audits._declared_columns import apply

    base = {"site": {"start_urls": ["http://www.test.gov.cn/"]}}
    prof = load_profile(write_profile(tmp_path, {**base, "columns": [
        {"name": "工作动态", "url": "http://www.test.gov.cn/gzdt/", "max_age_days": 30},
        {"name": "部门动态", "rule": "ignore"},
        {"name": "领导信息", "max_age_days": 90}]}))
    cols = [Column("动态", "http://www.test.gov.cn/gzdt/index.html"), Column("部门动态", "http://www.test.gov.cn/bmdt/"),
            Column("领导信息", "http://www.test.gov.cn/ldxx/"), Column("区县动态", "http://www.test.gov.cn/qxdt/")]
    found = apply(Discovery(cols, "http://www.test.gov.cn/", []), prof)
    assert [c.name for c in found.columns] == ["工作动态", "领导信息", "区县动态"]
    rules = {c.name: rule_for(c, prof, None, AS_OF) for c in found.columns}
    assert rules["工作动态"].max_age_days == 30 and "配置声明" in rules["工作动态"].reason
    assert rules["领导信息"].max_age_days == 90
    assert rules["区县动态"].max_age_days == 14  # untouched: the national class of its name


@pytest.mark.parametrize("column, key", [
    ({"url": "http://www.test.gov.cn/a/"}, "columns[0].name"),
    ({"name": "甲", "url": "ftp://www.test.gov.cn/a/"}, "columns[0].url"),
    ({"name": "甲", "url": "http://other.gov.cn/a/"}, "columns[0].url"),
    ({"name": "甲", "url": "http://www.test.gov.cn/a/", "rule": "weekly"}, "columns[0].rule"),
    ({"name": "甲", "url": "http://www.test.gov.cn/a/", "rule": "static", "max_age_days": 7}, "columns[0].max_age_days"),
    ({"name": "甲"}, "columns[0]"),
])
def test_bad_declarations_name_the_key(tmp_path: Path, column: dict, key: str) -> None:
    path = write_profile(tmp_path, {"site": {"start_urls": ["http://www.test.gov.cn/"]}, "columns": [column]})
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    assert err.value.key == key


def test_settings_move_to_column_settings_beside_declared_columns(tmp_path: Path) -> None:
    (tmp_path / "目录.csv").write_text("公开事项\n工作动态\n", encoding="utf-8")
    body = to_toml({"site": {"start_urls": ["http://www.test.gov.cn/"]},
                    "column_settings": {"catalog_file": "目录.csv", "max_age_days": {"工作动态": 7}},
                    "columns": [{"name": "工作动态", "url": "http://www.test.gov.cn/gzdt/"}]})
    (tmp_path / "a.toml").write_text(body, encoding="utf-8")
    prof = load_profile(tmp_path / "a.toml")
    assert prof.columns.catalog_file == "目录.csv" and prof.columns.max_age_days == {"工作动态": 7}
    assert [c.name for c in prof.declared_columns] == ["工作动态"]
    # The older [columns] table still loads; beside [column_settings] it is one too many.
    (tmp_path / "b.toml").write_text(to_toml({"site": {"start_urls": ["http://www.test.gov.cn/"]},
                                               "columns": {"catalog_file": "目录.csv"}}), encoding="utf-8")
    assert load_profile(tmp_path / "b.toml").columns.catalog_file == "目录.csv"
    (tmp_path / "c.toml").write_text(to_toml({"site": {"start_urls": ["http://www.test.gov.cn/"]},
                                               "columns": {"catalog_file": "目录.csv"},
                                               "column_settings": {"catalog_file": "目录.csv"}}), encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        load_profile(tmp_path / "c.toml")
    assert err.value.key == "column_settings"
