"""Columns, catalogue and policies end to end: a site served on loopback, crawled and audited
by the real CLI with ``--as-of`` fixing today, then audited again two days later (no network)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import run_cli
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)

AS_OF = date(2026, 11, 27)
NAV = [("首页", "/"), ("工作动态", "/gzdt/"), ("部门动态", "/bmdt/"), ("通知公告", "/tzgg/"), ("人事信息", "/rsxx/"),
       ("政策文件", "/zcwj/"), ("年度报告", "/ndbg/"), ("网站地图", "/sitemap.html"), ("无障碍", "/wza/")]


def ago(days: int) -> str:
    return (AS_OF - timedelta(days=days)).isoformat()


def page(title: str, body: str, crumb: tuple[str, str] | None = None) -> str:
    nav = "".join(f'<li><a href="{h}">{n}</a></li>' for n, h in NAV)
    where = f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="{crumb[1]}">{crumb[0]}</a></div>' \
        if crumb else ""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_测试区人民政府</title></head><body>'
            f'<div class="nav"><ul>{nav}</ul></div>{where}<div class="main">{body}</div>'
            '<div class="footer">主办：测试区人民政府办公室</div></body></html>')


def listing(name: str, href: str, rows: list[tuple[str, str, str]], extra: str = "") -> str:
    lis = "".join(f'<li><a href="{u}">{t}</a><span>{d}</span></li>' for u, t, d in rows)
    return page(name, f'<ul class="list">{lis}</ul>{extra}', (name, href))


def article(name: str, href: str, title: str, day: str, body: str = "") -> str:
    return page(title, f"<h1>{title}</h1><p>发布日期：{day}</p><div>{body or title + '。正文内容。'}</div>", (name, href))


def policy(title: str, doc_no: str, day: str, meta: str, body: str = "") -> str:
    table = (f"<table><tr><td>发文字号：{doc_no}</td><td>成文日期：{day}</td></tr>"
             f"<tr><td>发布日期：{day}</td>{meta}</tr></table>")
    return page(title, f"{table}<h1>{title}</h1><div><p>{body or '现印发给你们，请认真贯彻执行。'}</p></div>",
                ("政策文件", "/zcwj/"))


def site() -> dict[str, Route]:
    pages = {
        "/": page("首页", '<div class="news"><ul>'
                  f'<li><a href="/gzdt/2.html">区长调研项目建设</a><span>{ago(13)}</span></li></ul></div>'),
        # The newest 工作动态 item is on the list's second page: the column is not stale.
        "/gzdt/": listing("工作动态", "/gzdt/", [("/gzdt/old.html", "置顶：全区工作会议", ago(200))],
                          '<div class="page"><a href="/gzdt/index_1.html">下一页</a></div>'),
        "/gzdt/index_1.html": listing("工作动态", "/gzdt/", [("/gzdt/2.html", "区长调研项目建设", ago(13))],
                                      '<div class="page"><a href="/gzdt/">上一页</a></div>'),
        "/gzdt/old.html": article("工作动态", "/gzdt/", "置顶：全区工作会议", ago(200)),
        "/gzdt/2.html": article("工作动态", "/gzdt/", "区长调研项目建设", ago(13)),
        "/bmdt/": listing("部门动态", "/bmdt/", [("/bmdt/1.html", "部门开展培训", ago(15))]),
        "/bmdt/1.html": article("部门动态", "/bmdt/", "部门开展培训", ago(15)),
        "/tzgg/": listing("通知公告", "/tzgg/", [("/tzgg/1.html", "停水通知", ago(181))]),
        "/tzgg/1.html": article("通知公告", "/tzgg/", "停水通知", ago(181)),
        "/rsxx/": page("人事信息", '<ul class="list"></ul><p class="empty">暂无信息</p>', ("人事信息", "/rsxx/")),
        "/ndbg/": listing("年度报告", "/ndbg/", [("/ndbg/2025.html", "测试区2025年政府信息公开工作年度报告", ago(300))]),
        "/ndbg/2025.html": article("年度报告", "/ndbg/", "测试区2025年政府信息公开工作年度报告", ago(300)),
        "/zcwj/": listing("政策文件", "/zcwj/", [
            ("/zcwj/repealed.html", "测试区农村道路管理办法", "2015-03-01"),
            ("/zcwj/review.html", "测试区规范性文件管理规定", "2016-04-01"),
            ("/zcwj/expired.html", "测试区停车管理办法", ago(10)),
            ("/zcwj/notice.html", "测试区人民政府关于废止部分规范性文件的决定", ago(60)),
            ("/zcwj/named.html", "测试区农贸市场管理办法", "2018-05-01"),
            ("/zcwj/new.html", "测试区促进民营经济发展若干措施", ago(20))]),
        "/zcwj/new.html": policy("测试区促进民营经济发展若干措施", "测政发〔2026〕11号", ago(20),
                                 "<td>有效期至2031年12月31日</td><td>有效性：有效</td>"),
        "/zcwj/notice.html": policy("测试区人民政府关于废止部分规范性文件的决定", "测政发〔2026〕9号", ago(60),
                                    "<td>有效性：有效</td>",
                                    "经清理，决定废止《测试区农贸市场管理办法》（测政规〔2018〕3号）。"),
        "/zcwj/named.html": policy("测试区农贸市场管理办法", "测政规〔2018〕3号", "2018-05-01",
                                   "<td>有效期至2028年5月1日</td><td>有效性：有效</td>"),
        "/zcwj/repealed.html": policy("测试区农村道路管理办法", "测政规〔2015〕2号", "2015-03-01",
                                      "<td>效力状态：已废止</td>"),
        "/zcwj/review.html": policy("测试区规范性文件管理规定", "测政规〔2016〕3号", "2016-04-01",
                                    "<td>有效期至2026年12月31日</td><td>有效性：有效</td>",
                                    '本规定为行政规范性文件。<a href="/zcjd/1.html">政策解读</a>'),
        "/zcwj/expired.html": policy("测试区停车管理办法", "测政规〔2020〕5号", ago(10),
                                     "<td>有效期至2025年6月30日</td><td>有效性：有效</td>"),
        "/zcjd/1.html": page("《测试区规范性文件管理规定》解读",
                             '<h1>《测试区规范性文件管理规定》解读</h1><a href="/zcwj/review.html">原文</a>'),
        "/sitemap.html": page("网站地图", "<p>网站地图</p>"),
        "/wza/": page("无障碍", ""),
    }
    return {path: Route(body=html) for path, html in pages.items()}


CATALOG = ("公开事项,公开内容,公开时限,公开主体,公开渠道,公开方式,责任单位\n"
           "工作动态,本机关工作动态,信息形成之日起20个工作日内,测试区人民政府,政府网站,主动公开,区政府办公室\n"
           "政府信息公开年报,年度报告,每年1月31日前,测试区人民政府,政府网站,主动公开,区政府办公室\n"
           "财政预决算,预算决算报告,批复后20日内,测试区财政局,政府网站,主动公开,区财政局\n"
           "人事信息,人事任免,,测试区人民政府,政府网站,主动公开,\n")


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("columns-e2e")
    (folder / "目录.csv").write_text(CATALOG, encoding="utf-8")
    with LoopbackServer(site()) as srv:
        profile = write_profile(folder, {
            "site": {"name": "测试区人民政府", "start_urls": [srv.url("/")], "allowed_hosts": ["127.0.0.1"],
                     "own_site": True},
            "crawl": {"max_pages": 100, "concurrency": 4, "timeout_s": 5.0, "retries": 0, "check_external": False},
            "ipv6": {"enabled": False},
            "columns": {"catalog_file": "目录.csv"},
        })
        env = {"ZHAOCUO_HOME": str(folder / "home")}
        first = run_cli("run", "--config", str(profile), "--out", str(folder / "today"), "--as-of", AS_OF.isoformat(),
                        "--no-mail", timeout=180, env=env)
        assert first.returncode == 0, first.stderr[-2000:]
    later = run_cli("audit", "--config", str(profile), "--out", str(folder / "later"),
                    "--as-of", (AS_OF + timedelta(days=2)).isoformat(), timeout=120, env=env)
    assert later.returncode == 0, later.stderr[-2000:]
    return {"today": folder / "today", "later": folder / "later"}


def findings(out: Path, audit: str) -> dict[str, dict]:
    rows = [json.loads(x) for x in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    return {(r["column"] or urlsplit(r["url"]).path): r for r in rows if r["audit"] == audit}


def test_stale_columns_at_their_edges(audited: dict[str, Path]) -> None:
    stale = findings(audited["today"], "stale_column")
    assert set(stale) == {"部门动态", "通知公告"}  # 工作动态's newest item (13 days) is on page 2
    assert urlsplit(stale["部门动态"]["url"]).path == "/bmdt/" and stale["部门动态"]["severity"] == "high"
    assert "15天" in stale["部门动态"]["message"] and "181天" in stale["通知公告"]["message"]
    later = findings(audited["later"], "stale_column")
    assert {"工作动态", "部门动态", "通知公告"} <= set(later)
    assert "15天" in later["工作动态"]["message"]


def test_blank_column_and_navigation_that_is_not_one(audited: dict[str, Path]) -> None:
    blank = findings(audited["today"], "blank_column")
    assert set(blank) == {"人事信息"}  # not 网站地图, 无障碍, 首页
    assert urlsplit(blank["人事信息"]["url"]).path == "/rsxx/"


def test_homepage_freshness_13_then_15_days(audited: dict[str, Path]) -> None:
    assert findings(audited["today"], "stale_homepage") == {}
    (veto,) = findings(audited["later"], "stale_homepage").values()
    assert veto["severity"] == "veto" and "15天" in veto["message"]


def test_summary_shows_counts_against_the_veto_thresholds(audited: dict[str, Path]) -> None:
    summary = json.loads((audited["today"] / "summary.json").read_text(encoding="utf-8"))
    assert summary["stale_column"]["count"] == 2 and summary["stale_column"]["veto"] is False
    assert summary["stale_column"]["veto_threshold"] == 5
    assert summary["blank_column"] == {"count": 1, "veto_threshold": 5, "veto": False, "unreadable": []}
    assert summary["stale_homepage"]["days_since_update"] == 13 and summary["stale_homepage"]["veto"] is False
    assert summary["findings"]["stale_column"] == 2


def test_catalogue_against_the_site(audited: dict[str, Path]) -> None:
    missing = findings(audited["today"], "missing_column")
    assert set(missing) == {"财政预决算"}  # 政府信息公开年报 is the site's 年度报告; 人事信息 exists (blank)
    (row,) = findings(audited["today"], "catalog_incomplete").values()
    assert row["column"] == "人事信息" and "公开时限、责任单位" in row["message"] and "第5行" in row["message"]


def test_policies(audited: dict[str, Path]) -> None:
    outdated = findings(audited["today"], "outdated_policy")
    # Not the marked repealed one, not the 2016 one valid to 2026, not the 废止 notice itself.
    assert set(outdated) == {"/zcwj/expired.html", "/zcwj/named.html"}
    assert outdated["/zcwj/expired.html"]["text"] == "测政规〔2020〕5号"
    assert "废止部分规范性文件的决定" in outdated["/zcwj/named.html"]["message"]
    # Only the document in force without a 解读: not the expired or repealed ones, not the one
    # whose 解读 links to it.
    assert set(findings(audited["today"], "policy_unexplained")) == {"/zcwj/new.html"}


def test_a_column_updated_by_the_next_night_is_reported_fixed(tmp_path: Path) -> None:
    routes = site()
    with LoopbackServer(routes) as srv:
        profile = write_profile(tmp_path, {
            "site": {"name": "测试区人民政府", "start_urls": [srv.url("/")], "allowed_hosts": ["127.0.0.1"],
                     "own_site": True},
            "crawl": {"max_pages": 100, "concurrency": 4, "timeout_s": 5.0, "retries": 0, "check_external": False},
            "ipv6": {"enabled": False},
        })
        env = {"ZHAOCUO_HOME": str(tmp_path / "home")}
        night = (AS_OF + timedelta(days=2)).isoformat()
        first = run_cli("run", "--config", str(profile), "--out", str(tmp_path / "n1"), "--as-of", night,
                        "--no-mail", timeout=180, env=env)
        assert first.returncode == 0, first.stderr[-2000:]
        assert "部门动态" in findings(tmp_path / "n1", "stale_column")
        # The unit posts a new item overnight.
        srv.routes["/bmdt/"] = Route(body=listing("部门动态", "/bmdt/", [("/bmdt/2.html", "部门新动态", ago(0)),
                                                                       ("/bmdt/1.html", "部门开展培训", ago(15))]))
        srv.routes["/bmdt/2.html"] = Route(body=article("部门动态", "/bmdt/", "部门新动态", ago(0)))
        second = run_cli("run", "--config", str(profile), "--out", str(tmp_path / "n2"), "--as-of", night,
                         "--no-mail", timeout=180, env=env)
        assert second.returncode == 0, second.stderr[-2000:]
    assert "部门动态" not in findings(tmp_path / "n2", "stale_column")
    fixed = [json.loads(x) for x in (tmp_path / "n2" / "fixed.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(f["audit"], f["column"]) for f in fixed if f["audit"] == "stale_column"] == [("stale_column", "部门动态")]
    assert findings(tmp_path / "n2", "stale_column")["通知公告"]["status"] == "open"
