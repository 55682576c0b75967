"""The disclosure catalogue: spreadsheet reading, incomplete rows, missing columns, 公开时限."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from audits import catalog_incomplete, missing_column, stale_column
from audits._catalog import names_match, read_catalog_file, time_limit_days
from tests.support.columnsite import AS_OF, NAV, ago, build, homepage, layout, list_page
from zhaocuo.core.context import AuditContext
from zhaocuo.core.profile import ProfileError

HEADER = ["序号", "公开事项", None, "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道", "公开对象", "公开方式",
          "公开层级", "责任单位"]
SUB = [None, "一级事项", "二级事项", None, None, None, None, None, None, None, None, None]


def write_xlsx(path: Path, rows: list[list[object]], title: bool = True, merge: bool = True) -> Path:
    """A catalogue as units write it: a title row, a two-row header with 公开事项 merged over
    一级/二级, and 一级事项 and 责任单位 merged down over their rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    offset = 1 if title else 0
    if title:
        sheet.append(["测试区人民政府主动公开事项目录"])
    sheet.append(HEADER)
    sheet.append(SUB)
    sheet.merge_cells(start_row=offset + 1, start_column=2, end_row=offset + 1, end_column=3)
    for row in rows:
        sheet.append(row)
    first = offset + 3
    if merge and len(rows) >= 2:
        sheet.merge_cells(start_row=first, start_column=2, end_row=first + 1, end_column=2)
        sheet.merge_cells(start_row=first, start_column=12, end_row=first + 1, end_column=12)
    book.save(path)
    return path


def full(level1: str, level2: str, limit: str = "信息形成之日起20个工作日内", unit: str = "区政府办公室") -> list[object]:
    return [1, level1, level2, f"{level2}相关信息", "《中华人民共和国政府信息公开条例》", limit, "测试区人民政府",
            "政府网站", "全社会", "主动公开", "区级", unit]


def test_xlsx_with_merged_cells_and_two_row_header(tmp_path: Path) -> None:
    rows = [full("机构职能", "机构设置"), full(None, "领导信息", unit=None)]  # merged cells: empty below the first
    entries = read_catalog_file(write_xlsx(tmp_path / "目录.xlsx", rows))
    assert [(e.name, e.level1, e.unit, e.row) for e in entries] == [
        ("机构设置", "机构职能", "区政府办公室", 4), ("领导信息", "机构职能", "区政府办公室", 5)]
    assert all(e.missing == [] for e in entries)
    assert entries[0].fields["time_limit"] == "信息形成之日起20个工作日内"


def test_incomplete_rows_give_one_finding_each_naming_what_is_missing(tmp_path: Path) -> None:
    no_subject_channel = full("政策文件", "规范性文件")
    no_subject_channel[6] = ""
    no_subject_channel[7] = "/"
    no_limit = full("人事信息", "人事任免")
    no_limit[5] = None
    rows = [full("概况信息", "政府信息公开指南"), no_subject_channel, no_limit]
    path = write_xlsx(tmp_path / "目录.xlsx", rows, title=False, merge=False)
    crawl, prof = build(tmp_path / "site", {"/": homepage([])}, {"columns": {"catalog_file": str(path)}})
    found = list(catalog_incomplete.audit(AuditContext(crawl, prof, AS_OF)))
    assert [(f.column, f.extra["catalog_row"], f.extra["missing"]) for f in found] == [
        ("规范性文件", 4, ["公开主体", "公开渠道"]), ("人事任免", 5, ["公开时限"])]
    assert found[0].message == "公开目录第4行“政策文件/规范性文件”缺少公开主体、公开渠道，请补全该事项的要素。"
    assert found[0].url == prof.homepage and found[0].extra["catalog_file"] == str(path)
    assert len({f.id for f in found}) == 2


def test_csv_catalogue_in_gbk(tmp_path: Path) -> None:
    text = ("公开事项,公开内容,公开时限,公开主体,公开渠道,公开方式,责任单位\n"
            "工作动态,本单位工作动态,信息形成之日起7个工作日内,区民政局,政府网站,主动公开,区民政局\n"
            "政府信息公开年报,年度报告,每年1月31日前,区民政局,,主动公开,区民政局\n")
    path = tmp_path / "catalog.csv"
    path.write_bytes(text.encode("gbk"))
    entries = read_catalog_file(path)
    assert [e.name for e in entries] == ["工作动态", "政府信息公开年报"]
    assert entries[1].missing == ["公开渠道"]


@pytest.mark.parametrize("content, where", [
    ("名称,备注\n甲,乙\n", "no header row"),
    ("公开事项,公开内容,公开时限,公开主体,更新周期天\n工作动态,动态,及时,区政府,十四\n", "row 2"),
    (",公开内容,公开时限,公开主体\n,动态信息,及时,区政府\n", "row 1"),
    ("公开事项,公开内容,公开时限,公开主体\n工作动态,动态,及时,区政府\n,动态,及时,区政府\n", "row 3"),
])
def test_malformed_spreadsheet_names_file_and_row(tmp_path: Path, content: str, where: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        read_catalog_file(path)
    assert str(path) in str(err.value) and where in str(err.value)


def test_unreadable_or_wrong_kind_of_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ProfileError, match="broken.xlsx"):
        read_catalog_file(broken)
    with pytest.raises(ProfileError, match=r"\.docx"):
        read_catalog_file(tmp_path / "目录.docx")
    with pytest.raises(ProfileError, match="not found"):
        read_catalog_file(tmp_path / "absent.csv")


def test_name_variants() -> None:
    assert names_match("政府信息公开年报", "年度报告")
    assert names_match("政府信息公开工作年度报告", "政府信息公开年报")
    assert names_match("政府信息公开指南", "公开指南")
    assert names_match("机构职能", "机构设置")
    assert names_match("人事", "人事任免")
    assert not names_match("政策文件", "政策解读")
    assert not names_match("政府信息公开年报", "工作动态")
    assert not names_match("财政预决算", "规划计划")


def test_missing_columns_by_catalogue(tmp_path: Path) -> None:
    nav = [*NAV, ("年度报告", "/ndbg/"), ("公开指南", "/gkzn/")]
    pages = {"/": layout("", "首页", nav=nav),
             "/ndbg/": list_page("年度报告", "/ndbg/", [("/ndbg/1.html", "2025年年报", ago(300))]),
             "/gkzn/": list_page("公开指南", "/gkzn/", [("/gkzn/1.html", "指南", ago(300))])}
    catalog = [{"name": "政府信息公开年报", "unit": "区政府办公室"}, {"name": "政府信息公开指南"},
               {"name": "财政预决算", "unit": "区财政局"}, {"name": "重大建设项目", "aliases": ["重点项目"]},
               {"name": "工作动态"}]
    units = [{"name": "区政府办公室"}, {"name": "区财政局"}]
    crawl, prof = build(tmp_path, pages, {"catalog": catalog, "units": units})
    found = list(missing_column.audit(AuditContext(crawl, prof, AS_OF)))
    assert [(f.column, f.unit, f.severity) for f in found] == [("财政预决算", "区财政局", "high"),
                                                               ("重大建设项目", "", "high")]
    assert "财政预决算" in found[0].message and "没有对应栏目" in found[0].message
    # A crawl stopped by its page budget has not seen every column: nothing is called missing.
    crawl, prof = build(tmp_path / "cut", pages, {"catalog": catalog, "units": units}, stats={"crawl_skipped": {"max_pages": 120}})
    assert list(missing_column.audit(AuditContext(crawl, prof, AS_OF))) == []
    assert missing_column.summary(AuditContext(crawl, prof, AS_OF), [])["skipped_incomplete_crawl"] is True


def test_items_not_published_on_the_website_are_not_missing(tmp_path: Path) -> None:
    rows = [full("公共服务", "便民服务指南"), full("公共服务", "办事指南纸质版")]
    rows[1][7] = "公开栏、档案馆"
    path = write_xlsx(tmp_path / "目录.xlsx", rows)
    crawl, prof = build(tmp_path / "s", {"/": homepage([])}, {"columns": {"catalog_file": str(path)}})
    assert [f.column for f in missing_column.audit(AuditContext(crawl, prof, AS_OF))] == ["便民服务指南"]


def test_time_limit_becomes_the_columns_rule(tmp_path: Path) -> None:
    assert time_limit_days("信息形成（变更）之日起20个工作日内", AS_OF) == 28 + 7
    assert time_limit_days("自信息形成之日起十五个工作日内", AS_OF) == 21 + 7
    assert time_limit_days("实时更新", AS_OF) is None and time_limit_days("长期", AS_OF) is None
    assert time_limit_days("每年1月31日前", date(2026, 11, 27)) == (date(2026, 11, 27) - date(2026, 1, 31)).days + 366
    assert time_limit_days("每年1月31日前", date(2026, 1, 15)) == (date(2026, 1, 15) - date(2025, 1, 31)).days + 366
    nav = [*NAV, ("重大项目", "/zdxm/")]
    pages = {"/": layout("", "首页", nav=nav),
             "/zdxm/": list_page("重大项目", "/zdxm/", [("/zdxm/1.html", "项目公示", ago(36))]),
             "/tzgg/": list_page("通知公告", "/tzgg/", [("/tzgg/1.html", "通知", ago(100))])}
    catalog = [{"name": "重大项目", "time_limit": "信息形成之日起20个工作日内"},
               {"name": "通知公告", "time_limit": "信息形成之日起20个工作日内", "max_age_days": 120}]
    crawl, prof = build(tmp_path / "a", pages, {"catalog": catalog})
    found = {f.column: f for f in stale_column.audit(AuditContext(crawl, prof, AS_OF))}
    assert set(found) == {"重大项目"} and found["重大项目"].extra["max_age_days"] == 35
    assert "20个工作日" in found["重大项目"].message
    pages["/zdxm/"] = list_page("重大项目", "/zdxm/", [("/zdxm/1.html", "项目公示", ago(35))])
    crawl, prof = build(tmp_path / "b", pages, {"catalog": catalog})
    assert list(stale_column.audit(AuditContext(crawl, prof, AS_OF))) == []


@pytest.mark.slow
def test_cli_stops_with_one_line_naming_the_file_and_row(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    bad = tmp_path / "目录.csv"
    bad.write_text("公开事项,公开内容,公开时限,公开主体\n工作动态,动态,及时,区政府\n,动态,及时,区政府\n", encoding="utf-8")
    crawl, prof = build(tmp_path, {"/": homepage([])}, {"columns": {"catalog_file": "目录.csv"}})
    proc = run_cli("audit", "--config", str(prof.path), "--db", str(crawl.store.path), "--out", str(tmp_path / "out"),
                   "--as-of", AS_OF.isoformat(), timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and "row 3" in lines[0] and "第3行" in lines[0]


def test_a_header_merged_over_two_rows_is_not_an_item(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    head = ["公开事项", "公开内容", "公开时限", "公开主体", "公开渠道", "公开方式", "责任单位"]
    sheet.append(head)
    sheet.append([None] * len(head))
    for col in range(1, len(head) + 1):
        sheet.merge_cells(start_row=1, start_column=col, end_row=2, end_column=col)
    sheet.append(["工作动态", "动态", "及时", "区政府", "政府网站", "主动公开", "区政府办公室"])
    path = tmp_path / "目录.xlsx"
    book.save(path)
    assert [(e.name, e.row) for e in read_catalog_file(path)] == [("工作动态", 3)]


def test_header_words_map_to_the_right_elements(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("事项名称,公开内容（要素）,公开时限,公开主体,公开渠道和载体,公开方式,责任主体\n"
                    "工作动态,动态,及时,区政府,政府网站,主动公开,区政府办公室\n", encoding="utf-8")
    (entry,) = read_catalog_file(path)
    assert entry.fields["subject"] == "区政府" and entry.unit == "区政府办公室" and entry.missing == []


@pytest.mark.slow
def test_run_checks_the_catalogue_before_crawling(tmp_path: Path) -> None:
    """A bad spreadsheet must stop `zhaocuo run` at once, not after a night's crawl."""
    from tests.conftest import run_cli
    from tests.support.profiles import write_profile
    from tests.support.servers import LoopbackServer, Route

    bad = tmp_path / "目录.csv"
    bad.write_text("公开事项,公开内容,公开时限,公开主体\n,动态,及时,区政府\n", encoding="utf-8")
    with LoopbackServer({"/": Route(body="<html><title>首页</title><body>首页</body></html>")}) as srv:
        prof = write_profile(tmp_path, {"site": {"start_urls": [srv.url("/")]},
                                        "columns": {"catalog_file": "目录.csv"}})
        proc = run_cli("run", "--config", str(prof), "--out", str(tmp_path / "out"), "--no-mail", timeout=120)
        assert proc.returncode == 2, proc.stderr
        assert str(bad) in proc.stderr and "row 2" in proc.stderr
        assert srv.hits == []  # nothing was fetched
