"""`zhaocuo import-platform`: the 我为政府网站找错 platform's message export joins the ledger —
read under any of the platform's header names, routed to units by the problem page, due on the
platform's deadline, re-checked where the crawl can; a malformed file is refused naming the file
and the row, and nothing is imported."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import run_cli
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route
from zhaocuo.app import platform_import
from zhaocuo.app.platform_import import PlatformError, read_export, wrong_text
from zhaocuo.core.profile import load_profile
from zhaocuo.core.store import SQLiteStore

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)

AS_OF = "2026-11-20"
HEADER_2019 = ["留言编号", "留言时间", "问题页面", "问题描述", "办理状态", "办理时限", "问题类型"]
HEADER_RENAMED = ["编号", "提交时间", "问题网址", "留言内容", "处理状态", "截止日期", "错误类型"]


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]], title_rows: int = 0) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for _ in range(title_rows):
        ws.append(["我为政府网站找错 留言导出"])
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_renamed_headers_gbk_csv_and_a_title_row_above_the_header(tmp_path: Path) -> None:
    rows = [["A1", "2026/11/16 10:00:00", "www.x.gov.cn/a.html", "“布署”应为“部署”", "待办理", "", "错别字"]]
    got = read_export(write_csv(tmp_path / "e.csv", HEADER_RENAMED, rows, encoding="gb18030"))
    assert [(m.id, m.time.isoformat(), m.page, m.state, m.kind) for m in got] == [
        ("A1", "2026-11-16", "http://www.x.gov.cn/a.html", "待办理", "错别字")]
    xlsx = write_xlsx(tmp_path / "e.xlsx", ["留言ID", "留言日期", "错误页面地址", "问题详情"],
                      [["B7", "2026-11-17", "https://www.x.gov.cn/b.html", "页面打不开"]], title_rows=1)
    assert [(m.id, m.page, m.deadline) for m in read_export(xlsx)] == [("B7", "https://www.x.gov.cn/b.html", "")]


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", ["留言编号", "留言时间", "问题描述"], [["A1", "2026-11-16", "错字"]])
    with pytest.raises(PlatformError) as err:
        read_export(path)
    assert str(path) in str(err.value) and "问题页面" in str(err.value) and "问题网址" in str(err.value)


@pytest.mark.parametrize(("row", "what"), [
    (["A2", "昨天", "http://www.x.gov.cn/a.html", "错字"], "留言时间"),
    (["A2", "2026-11-16", "见附件", "错字"], "问题页面"),
    (["", "2026-11-16", "http://www.x.gov.cn/a.html", "错字"], "留言编号"),
])
def test_a_malformed_row_is_refused_naming_file_and_row(tmp_path: Path, row: list[str], what: str) -> None:
    good = ["A1", "2026-11-16", "http://www.x.gov.cn/a.html", "错字"]
    path = write_xlsx(tmp_path / "e.xlsx", HEADER_2019[:4], [good, row])
    with pytest.raises(PlatformError) as err:
        read_export(path)
    assert str(path) in str(err.value) and "第 3 行" in str(err.value) and what in str(err.value)


def test_not_a_spreadsheet_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "e.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(PlatformError, match="xlsx"):
        read_export(path)


def test_which_quoted_text_is_the_wrong_one() -> None:
    assert wrong_text("“布署”应为“部署”") == "布署"
    assert wrong_text("将“部署”误写为“布署”") == "布署"
    assert wrong_text("“其它”有误") == "其它"
    assert wrong_text("“关于做好2026年冬季安全生产工作的通知”一文中有错别字") == ""
    assert wrong_text("有两处“部署”和“布置”") == ""


def site() -> dict[str, Route]:
    nav = '<div class="nav"><a href="/">首页</a><a href="/bm/jyj/1.html">教育动态</a><a href="/bm/jyj/2.html">教育公告</a></div>'

    def page(title: str, body: str) -> Route:
        return Route(body=f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>{nav}{body}</body></html>')

    return {
        "/": page("测试区人民政府", "<p>欢迎访问。</p>"),
        "/bm/jyj/1.html": page("冬季安全", '<p>认真布署冬季校园安全工作。</p><a href="/bm/jyj/gone.html">安全预案</a>'),
        "/bm/jyj/2.html": page("教育公告", "<p>其他事项另行通知。</p>"),
    }


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("platform")
    env = {"ZHAOCUO_HOME": str(folder / "home")}
    with LoopbackServer(site()) as srv:
        p1, p2 = srv.url("/bm/jyj/1.html"), srv.url("/bm/jyj/2.html")
        profile = write_profile(folder, {
            "site": {"name": "测试区人民政府", "start_urls": [srv.url("/")], "allowed_hosts": ["127.0.0.1"],
                     "own_site": True},
            "crawl": {"max_pages": 50, "concurrency": 4, "timeout_s": 5.0, "retries": 0, "check_external": False},
            "ipv6": {"enabled": False},
            "units": [{"name": "区教体局", "paths": ["/bm/jyj/"]}],
        })
        rows = [
            ["A1", "2026-11-16 10:00", p1, "“布署”应为“部署”", "待办理", "", "错别字"],         # still on the page
            ["A2", "2026-11-18 09:00", p1, "页面中的“安全预案”链接打不开", "待办理", "2026-11-25", "链接不可用"],
            ["A3", "2026-11-17 15:00", p2, "“其它”应为“其他”", "待办理", "", "错别字"],         # already fixed
            ["A4", "2026-11-18 11:00", p2, "栏目信息更新不及时", "处理中", "5个工作日", "内容更新"],  # a person must look
            ["A5", "2026-11-10 08:00", p2, "图片无法显示", "已办结", "", "其他"],              # closed on the platform
        ]
        export = write_csv(folder / "留言导出.csv", HEADER_RENAMED, rows)
        done = run_cli("import-platform", str(export), "--config", str(profile), env=env)
        assert done.returncode == 0, done.stderr
        assert "5 条留言" in done.stdout
        out = folder / "night"
        night = run_cli("run", "--config", str(profile), "--out", str(out), "--as-of", AS_OF, "--no-mail",
                        timeout=180, env=env)
        assert night.returncode == 0, night.stderr[-2000:]
        rows[3][4] = "已办结"  # the unit answered A4 on the platform; the next export says so
        again = run_cli("import-platform", str(write_csv(folder / "留言导出2.csv", HEADER_RENAMED, rows)),
                        "--config", str(profile), env=env)
        assert again.returncode == 0, again.stderr
        later = run_cli("run", "--config", str(profile), "--out", str(folder / "later"), "--as-of", "2026-11-21",
                        "--no-mail", timeout=180, env=env)
        assert later.returncode == 0, later.stderr[-2000:]
    return {"night": out, "later": folder / "later", "profile": profile}


def platform_rows(path: Path) -> dict[str, dict]:
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return {r["extra"]["platform_id"]: r for r in rows if r["audit"] == "platform_message"}


def test_open_messages_are_findings_of_the_problem_pages_unit(imported: dict[str, Path]) -> None:
    got = platform_rows(imported["night"] / "findings.jsonl")
    assert set(got) == {"A1", "A2", "A4"}   # A3 fixed on re-check, A5 closed on the platform
    assert {r["unit"] for r in got.values()} == {"区教体局"}
    assert got["A1"]["extra"]["recheck"] == "present" and "布署" in got["A1"]["message"]
    assert got["A2"]["extra"]["recheck"] == "present" and got["A2"]["extra"]["found"].endswith("/bm/jyj/gone.html")
    assert got["A4"]["extra"]["recheck"] == "manual"


def test_the_platforms_deadline_and_overdue(imported: dict[str, Path]) -> None:
    got = platform_rows(imported["night"] / "findings.jsonl")
    # A1: no 办理时限 — three working days after Monday 11-16 is Thursday 11-19, past on 11-20.
    assert (got["A1"]["deadline"], got["A1"]["overdue"]) == ("2026-11-19", True)
    assert (got["A2"]["deadline"], got["A2"]["overdue"]) == ("2026-11-25", False)
    assert got["A4"]["deadline"] == "2026-11-25"   # 5个工作日 after Wednesday 11-18
    summary = json.loads((imported["night"] / "summary.json").read_text(encoding="utf-8"))["platform_message"]
    assert (summary["messages"], summary["open"], summary["closed_on_platform"], summary["fixed_on_recheck"],
            summary["overdue"]) == (5, 3, 1, 1, 1)


def test_in_the_ledger_and_the_report(imported: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(imported["night"] / "ledger.xlsx", read_only=True)
    cells = {str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
    assert "找错平台网民留言" in cells
    assert "找错平台网民留言" in (imported["night"] / "report.html").read_text(encoding="utf-8")


def test_closed_on_the_platform_is_fixed_the_next_night(imported: dict[str, Path]) -> None:
    fixed = platform_rows(imported["later"] / "fixed.jsonl")
    assert set(fixed) == {"A4"} and fixed["A4"]["status"] == "fixed"
    assert set(platform_rows(imported["later"] / "findings.jsonl")) == {"A1", "A2"}


def test_cli_refuses_a_malformed_export_and_imports_nothing(imported: dict[str, Path], tmp_path: Path) -> None:
    bad = write_xlsx(tmp_path / "坏文件.xlsx", HEADER_2019,
                     [["C1", "2026-11-18", "http://www.x.gov.cn/a.html", "错字", "", "", ""],
                      ["C2", "2026-13-45", "http://www.x.gov.cn/a.html", "错字", "", "", ""]])
    env = {"ZHAOCUO_HOME": str(imported["profile"].parent / "home")}
    done = run_cli("import-platform", str(bad), "--config", str(imported["profile"]), env=env)
    assert done.returncode == 2 and str(bad) in done.stderr and "第 3 行" in done.stderr
    store = SQLiteStore(load_profile(imported["profile"]).default_store_path())
    try:
        assert "C1" not in store.all_state(platform_import.STATE_KIND)
    finally:
        store.close()
