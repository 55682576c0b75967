"""`zhaocuo feedback LEDGER.xlsx`: a unit's returned ledger — 误报 suppresses the finding (and,
when the reason says the wording is intended, the same text site-wide), 已整改 is checked by the
next crawl; a bad file changes nothing and names the file, sheet and row."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl

from reports.ledger import COLUMNS, write_ledger
from tests.conftest import run_cli
from tests.support.profiles import write_profile
from tests.support.reportdata import titles
from zhaocuo.app import feedback, lifecycle
from zhaocuo.core.finding import Finding
from zhaocuo.core.profile import Profile, load_profile
from zhaocuo.core.store import Page, SQLiteStore

HOME = "http://www.test.gov.cn/"
P1, P2, P3 = HOME + "jyj/1.html", HOME + "jyj/2.html", HOME + "jyj/3.html"


def _f(url: str, text: str, audit: str = "typo") -> Finding:
    return Finding(audit=audit, severity="medium", url=url, text=text, unit="区教体局", message=f"“{text}”疑似有误。")


def _night(store: SQLiteStore, profile: Profile, findings: list[Finding], as_of: date) -> list[Finding]:
    run_id, _ = store.begin_run(resume=False)
    for url in (P1, P2, P3):
        store.add_page(run_id, Page(url=url, status=200))
    store.finish_run(run_id, "complete")
    found, _ = lifecycle.apply(store, profile, store.crawl(run_id),
                               [Finding.from_dict(f.to_dict()) for f in findings], as_of)
    return found


def _setup(tmp_path: Path) -> tuple[Path, Profile, SQLiteStore, list[Finding]]:
    cfg = write_profile(tmp_path, {"site": {"start_urls": [HOME]},
                                   "units": [{"name": "区教体局", "paths": ["/jyj/"]}]})
    profile = load_profile(cfg)
    store = SQLiteStore(profile.default_store_path())
    found = _night(store, profile, [_f(P1, "布署"), _f(P1, "淄博"), _f(P2, "帐号"), _f(P2, "其它")],
                   date(2026, 11, 2))
    return cfg, profile, store, found


def _fill(path: Path, answers: dict[str, tuple[str, str]], sheet: str = "区教体局") -> None:
    """What a unit does: fill 整改状态 / 反馈说明 on its own sheet by 问题编号."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    i_id, i_status, i_reason = header.index("问题编号"), header.index("整改状态"), header.index("反馈说明")
    for row in ws.iter_rows(min_row=2):
        fid = row[i_id].value
        if fid in answers:
            row[i_status].value, row[i_reason].value = answers[fid]
    wb.save(path)


def _ids(found: list[Finding]) -> dict[str, str]:
    return {f.text: f.id for f in found}


def test_importer_reads_the_columns_the_ledger_writes() -> None:
    assert feedback.LEDGER_COLUMNS == tuple(COLUMNS)


def test_false_alarm_and_claimed_fix_take_effect_on_the_next_run(tmp_path: Path) -> None:
    cfg, profile, store, found = _setup(tmp_path)
    ids = _ids(found)
    ledger = write_ledger(tmp_path / "back.xlsx", found, titles(), unit="区教体局")
    _fill(ledger, {ids["布署"]: ("已整改", ""), ids["帐号"]: ("已整改", "已改正"),
                   ids["淄博"]: ("误报", "地名，原文无误"), ids["其它"]: ("误报", "此处为引文，单位自行判断")})
    store.close()
    proc = run_cli("feedback", str(ledger), "--config", str(cfg), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "已整改 2 条" in proc.stdout and "误报 2 条" in proc.stdout and "全站屏蔽 1 条" in proc.stdout

    store = SQLiteStore(profile.default_store_path())
    # Next crawl: 布署 is still there (claim false → reopened with a note), 帐号 is gone (fixed),
    # 淄博 appears on another page too (intended wording: suppressed site-wide), 其它 only by id.
    again = _night(store, profile, [_f(P1, "布署"), _f(P1, "淄博"), _f(P3, "淄博"), _f(P2, "其它"), _f(P3, "其它")],
                   date(2026, 11, 3))
    got = {(f.text, f.url): f for f in again}
    assert set(got) == {("布署", P1), ("其它", P3)}
    assert got[("布署", P1)].status == "reopened" and got[("布署", P1)].extra["claimed_fixed"]
    assert got[("其它", P3)].status == "new"
    assert store.get_state(lifecycle.CLAIM_KIND, ids["帐号"])["result"] == "confirmed"


def test_unknown_id_names_the_row_and_changes_nothing(tmp_path: Path) -> None:
    cfg, profile, store, found = _setup(tmp_path)
    ids = _ids(found)
    ledger = write_ledger(tmp_path / "back.xlsx", found, titles(), unit="区教体局")
    _fill(ledger, {ids["淄博"]: ("误报", "原文无误")})
    wb = openpyxl.load_workbook(ledger)
    ws = wb["区教体局"]
    ws.cell(row=ws.max_row, column=COLUMNS.index("问题编号") + 1, value="0123456789abcdef")
    ws.cell(row=ws.max_row, column=COLUMNS.index("整改状态") + 1, value="已整改")
    bad_row = ws.max_row
    wb.save(ledger)
    store.close()
    proc = run_cli("feedback", str(ledger), "--config", str(cfg), timeout=120)
    assert proc.returncode == 2
    assert str(ledger) in proc.stderr and f"第 {bad_row} 行" in proc.stderr and "0123456789abcdef" in proc.stderr
    store = SQLiteStore(profile.default_store_path())
    # The valid 误报 row of the same file was not imported either: all or nothing.
    assert store.all_state(lifecycle.SUPPRESSED_KIND) == {} and store.all_state(lifecycle.SUPPRESSED_TEXT_KIND) == {}


def test_edited_columns_are_refused_with_the_sheet_named(tmp_path: Path) -> None:
    cfg, profile, store, found = _setup(tmp_path)
    ledger = write_ledger(tmp_path / "back.xlsx", found, titles(), unit="区教体局")
    wb = openpyxl.load_workbook(ledger)
    wb["区教体局"].cell(row=1, column=COLUMNS.index("反馈说明") + 1, value="备注")
    wb.save(ledger)
    rc_msg = _import(ledger, cfg)
    assert rc_msg[0] == 2 and "区教体局" in rc_msg[1] and "反馈说明" in rc_msg[1] and "备注" in rc_msg[1]


def _import(ledger: Path, cfg: Path) -> tuple[int, str]:
    import contextlib
    import io
    from argparse import Namespace

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = feedback.import_feedback(Namespace(ledger=str(ledger), config=str(cfg), db=None))
    return rc, err.getvalue()


def test_wrong_files_are_refused_with_the_file_named(tmp_path: Path) -> None:
    cfg, profile, store, found = _setup(tmp_path)
    text = tmp_path / "notes.xlsx"
    text.write_text("问题编号,整改状态\n", encoding="utf-8")
    rc, msg = _import(text, cfg)
    assert rc == 2 and str(text) in msg and "xlsx" in msg
    rc, msg = _import(tmp_path / "missing.xlsx", cfg)
    assert rc == 2 and "missing.xlsx" in msg and "不存在" in msg
    other = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    wb.active.append(["张三", "123"])
    wb.save(other)
    rc, msg = _import(other, cfg)
    assert rc == 2 and "表头" in msg and "问题编号" in msg


def test_false_alarm_needs_a_reason_and_statuses_must_be_known(tmp_path: Path) -> None:
    cfg, profile, store, found = _setup(tmp_path)
    ids = _ids(found)
    ledger = write_ledger(tmp_path / "a.xlsx", found, titles(), unit="区教体局")
    _fill(ledger, {ids["淄博"]: ("误报", "")})
    rc, msg = _import(ledger, cfg)
    assert rc == 2 and "理由" in msg and "第 " in msg
    ledger = write_ledger(tmp_path / "b.xlsx", found, titles(), unit="区教体局")
    _fill(ledger, {ids["淄博"]: ("改好了", "")})
    rc, msg = _import(ledger, cfg)
    assert rc == 2 and "改好了" in msg


def test_an_unfilled_ledger_changes_nothing(tmp_path: Path, capsys) -> None:
    cfg, profile, store, found = _setup(tmp_path)
    ledger = write_ledger(tmp_path / "a.xlsx", found, titles(), unit="区教体局")
    rc, _ = _import(ledger, cfg)
    assert rc == 0 and "未作任何改动" in capsys.readouterr().out
    assert store.all_state(lifecycle.CLAIM_KIND) == {} and store.all_state(lifecycle.SUPPRESSED_KIND) == {}


def test_contradicting_sheets_are_refused(tmp_path: Path) -> None:
    cfg, profile, store, found = _setup(tmp_path)
    ids = _ids(found)
    ledger = write_ledger(tmp_path / "a.xlsx", found, titles(), unit="区教体局")
    _fill(ledger, {ids["淄博"]: ("误报", "原文无误")}, sheet="汇总")
    _fill(ledger, {ids["淄博"]: ("已整改", "")}, sheet="区教体局")
    rc, msg = _import(ledger, cfg)
    assert rc == 2 and "矛盾" in msg
    # Both sheets saying the same thing is fine (units often fill both).
    ledger = write_ledger(tmp_path / "b.xlsx", found, titles(), unit="区教体局")
    _fill(ledger, {ids["淄博"]: ("误报", "原文无误")}, sheet="汇总")
    _fill(ledger, {ids["淄博"]: ("误报", "原文无误")}, sheet="区教体局")
    rc, msg = _import(ledger, cfg)
    assert rc == 0, msg
