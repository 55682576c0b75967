"""`zhaocuo feedback`: a returned ledger and the office's review. A unit answers only its own
findings; 已整改 is checked by the next crawl; a 误报 is a claim that changes nothing until the
office accepts it, and then suppresses exactly its scope (this finding, or — when the office
says so — the same wording site-wide); every decision is listed with who/when/why and can be
revoked. A bad file changes nothing and names the file, sheet and row."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from reports import html
from reports.ledger import COLUMNS, write_ledger
from tests.conftest import run_cli
from tests.support.profiles import write_profile
from tests.support.reportdata import titles
from zhaocuo.app import feedback, lifecycle, review
from zhaocuo.app.runner import report_data
from zhaocuo.core.finding import Finding
from zhaocuo.core.profile import Profile, load_profile
from zhaocuo.core.store import Page, SQLiteStore

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier

HOME = "http://www.test.gov.cn/"
P1, P2, P3, W1 = HOME + "jyj/1.html", HOME + "jyj/2.html", HOME + "jyj/3.html", HOME + "wjj/1.html"
JYJ, WJJ = "区教体局", "区卫健局"


def _f(url: str, text: str, audit: str = "typo", unit: str = JYJ, target: str = "") -> Finding:
    return Finding(audit=audit, severity="medium", url=url, text=text, unit=unit, target=target,
                   message=f"“{text or target}”疑似有误。")


NIGHT = [_f(P1, "布署"), _f(P1, "淄博"), _f(P2, "帐号"), _f(P2, "其它"), _f(P3, "淄博"), _f(W1, "淄博", unit=WJJ),
         _f(P1, "", "dead_link", target=HOME + "gone.html"), _f(P2, "", "dead_link", target=HOME + "gone.html"),
         _f(W1, "", "dead_link", target=HOME + "gone.html", unit=WJJ)]


def _night(store: SQLiteStore, profile: Profile, findings: list[Finding], as_of: date
           ) -> tuple[list[Finding], list[Finding]]:
    """One stored crawl judged by the lifecycle; (reported, suppressed)."""
    run_id, _ = store.begin_run(resume=False)
    for url in (P1, P2, P3, W1):
        store.add_page(run_id, Page(url=url, status=200))
    store.finish_run(run_id, "complete")
    suppressed: list[Finding] = []
    found, _ = lifecycle.apply(store, profile, store.crawl(run_id), [Finding.from_dict(f.to_dict()) for f in findings],
                               as_of, suppressed=suppressed)
    return found, suppressed


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Profile, list[Finding]]:
    cfg = write_profile(tmp_path, {"site": {"start_urls": [HOME]},
                                   "units": [{"name": JYJ, "paths": ["/jyj/"]}, {"name": WJJ, "paths": ["/wjj/"]}]})
    profile = load_profile(cfg)
    store = SQLiteStore(profile.default_store_path())
    found, _ = _night(store, profile, NIGHT, date(2026, 11, 2))
    store.close()
    return cfg, profile, found


def _fill(path: Path, answers: dict[str, dict[str, str]], sheet: str | None = None) -> None:
    """What a clerk does: fill columns by 问题编号 on a sheet (the first one by default)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        values = answers.get(row[header.index("问题编号")].value)
        for column, value in (values or {}).items():
            row[header.index(column)].value = value
    wb.save(path)


def _key(found: list[Finding], url: str, text: str = "", audit: str = "typo") -> str:
    """The 问题编号 of a ledger row: the finding's id, or its group's for a dead link."""
    (f,) = [f for f in found if f.url == url and f.text == text and f.audit == audit]
    return f.group or f.id


def _cli(*args: str) -> tuple[int, str, str]:
    proc = run_cli("feedback", *args, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def _store(profile: Profile) -> SQLiteStore:
    return SQLiteStore(profile.default_store_path())


def test_importer_reads_the_columns_the_ledger_writes() -> None:
    assert feedback.LEDGER_COLUMNS == tuple(COLUMNS)


def test_a_pending_claim_changes_nothing_and_an_accepted_one_suppresses_exactly_its_scope(site, tmp_path) -> None:
    cfg, profile, found = site
    ledger = write_ledger(tmp_path / "back.xlsx", found, titles(), unit=JYJ)
    _fill(ledger, {_key(found, P1, "布署"): {"整改状态": "已整改", "整改措施": "已改为“部署”", "责任人": "李四"},
                   _key(found, P1, "淄博"): {"整改状态": "误报", "反馈说明": "地名，原文无误"},
                   _key(found, P2, "其它"): {"整改状态": "整改中", "整改措施": "待主管审核后修改", "完成时限": "2026/11/20"}})
    rc, out, err = _cli(str(ledger), "--config", str(cfg))
    assert rc == 0, err
    assert "已整改 1 项" in out and "误报申请 1 项" in out and "整改计划 1 项" in out and "--review" in out

    # Pending: the next night still reports every 淄博, the office sees the claim.
    store = _store(profile)
    found2, suppressed = _night(store, profile, NIGHT, date(2026, 11, 3))
    assert suppressed == [] and sum(f.text == "淄博" for f in found2) == 3
    data = report_data(store, None, profile, date(2026, 11, 3), found2, [], {})
    (claim,) = data.feedback.pending
    assert (claim.unit, claim.claimed_by, claim.reason, claim.suggest_site) == (JYJ, JYJ, "地名，原文无误", True)
    assert data.feedback.notes[_key(found, P2, "其它")].due == "2026-11-20"
    page = html.render(data)
    assert "待审核的误报申请" in page and "地名，原文无误" in page and "误报申请待审核" in page
    store.close()

    rc, out, err = _cli("--config", str(cfg), "--review")
    assert rc == 0 and f"#{claim.id}  待审核  {JYJ}" in out and "建议范围 suggested scope: 全站" in out
    rc, out, err = _cli("--config", str(cfg), "--accept", claim.id, "--by", "王主任", "--note", "核实为地名")
    assert rc == 0 and "已同意" in out and "仅此处" in out, err

    # Accepted for this finding only: P1's 淄博 goes, P3's and 区卫健局's stay.
    store = _store(profile)
    found3, suppressed = _night(store, profile, NIGHT, date(2026, 11, 4))
    assert [(f.url, f.text) for f in suppressed] == [(P1, "淄博")]
    assert {f.url for f in found3 if f.text == "淄博"} == {P3, W1}
    data = report_data(store, None, profile, date(2026, 11, 4), found3, [], {}, suppressed=len(suppressed))
    (acc,) = data.feedback.accepted
    assert (acc.decided_by, acc.note, acc.scope) == ("王主任", "核实为地名", "finding")
    page = html.render(data)
    assert "已同意的误报" in page and "王主任" in page and "本次据此不再列出 1 条" in page
    store.close()


def test_site_wide_only_when_the_office_says_so_and_revoke_brings_it_back(site, tmp_path) -> None:
    cfg, profile, found = site
    ledger = write_ledger(tmp_path / "back.xlsx", found, titles(), unit=JYJ)
    _fill(ledger, {_key(found, P1, "淄博"): {"整改状态": "误报", "反馈说明": "地名，原文无误"}})
    assert _cli(str(ledger), "--config", str(cfg))[0] == 0
    store = _store(profile)
    (claim,) = review.claims(store)
    store.close()
    rc, out, _ = _cli("--config", str(cfg), "--accept", claim["id"], "--site-wide", "--by", "王主任")
    assert rc == 0 and "全站" in out
    store = _store(profile)
    _, suppressed = _night(store, profile, NIGHT, date(2026, 11, 3))
    assert sorted(f.url for f in suppressed) == sorted([P1, P3, W1])  # the wording, on every page
    store.close()

    rc, out, _ = _cli("--config", str(cfg), "--list")
    assert rc == 0 and f"#{claim['id']}  已同意" in out and "范围 scope: 全站" in out and "王主任" in out
    rc, out, _ = _cli("--config", str(cfg), "--revoke", claim["id"], "--note", "专家复核认为应统一写法")
    assert rc == 0 and "已撤销" in out
    store = _store(profile)
    found, suppressed = _night(store, profile, NIGHT, date(2026, 11, 4))
    assert suppressed == [] and sum(f.text == "淄博" for f in found) == 3
    history = [h["action"] for h in review.get(store, claim["id"])["history"]]
    assert history == ["claimed", "accept", "revoke"]
    store.close()
    rc, out, _ = _cli("--config", str(cfg), "--list")
    assert "已撤销" in out and "专家复核认为应统一写法" in out


def test_a_units_answer_on_another_units_finding_is_refused(site, tmp_path) -> None:
    cfg, profile, found = site
    office = write_ledger(tmp_path / "all.xlsx", found, titles())  # 汇总 holds 区卫健局's rows too
    _fill(office, {_key(found, P2, "帐号"): {"整改状态": "已整改"},
                   _key(found, W1, "淄博"): {"整改状态": "误报", "反馈说明": "地名"}}, sheet="汇总")
    rc, _, err = _cli(str(office), "--config", str(cfg), "--unit", JYJ)
    assert rc == 2 and "属于“区卫健局”" in err and "未导入任何内容" in err
    store = _store(profile)
    assert review.claims(store) == [] and store.all_state(lifecycle.CLAIM_KIND) == {}  # all or nothing
    store.close()
    # Without --unit or --office the office's own ledger is not taken for a unit's.
    rc, _, err = _cli(str(office), "--config", str(cfg))
    assert rc == 2 and "--office" in err
    # A unit's own ledger cannot be passed off as another's.
    own = write_ledger(tmp_path / "jyj.xlsx", found, titles(), unit=JYJ)
    rc, _, err = _cli(str(own), "--config", str(cfg), "--unit", WJJ)
    assert rc == 2 and "区教体局" in err


def test_a_dead_target_row_answers_the_units_own_pages(site, tmp_path) -> None:
    cfg, profile, found = site
    ledger = write_ledger(tmp_path / "back.xlsx", found, titles(), unit=JYJ)
    gid = _key(found, P1, audit="dead_link")
    _fill(ledger, {gid: {"整改状态": "误报", "反馈说明": "内网地址，外网无法访问属正常"}})
    assert _cli(str(ledger), "--config", str(cfg))[0] == 0
    store = _store(profile)
    (claim,) = review.claims(store)
    assert claim["ledger_id"] == gid and claim["count"] == 2 and claim["unit"] == JYJ
    store.close()
    assert _cli("--config", str(cfg), "--accept", claim["id"])[0] == 0
    store = _store(profile)
    found2, suppressed = _night(store, profile, NIGHT, date(2026, 11, 3))
    assert sorted(f.url for f in suppressed) == [P1, P2]  # 区卫健局's page linking it stays reported
    assert [f.url for f in found2 if f.audit == "dead_link"] == [W1]
    store.close()


def test_the_office_decides_in_its_ledger(site, tmp_path) -> None:
    cfg, profile, found = site
    ledger = write_ledger(tmp_path / "back.xlsx", found, titles(), unit=JYJ)
    _fill(ledger, {_key(found, P1, "淄博"): {"整改状态": "误报", "反馈说明": "地名"},
                   _key(found, P2, "其它"): {"整改状态": "误报", "反馈说明": "习惯用法"}})
    assert _cli(str(ledger), "--config", str(cfg))[0] == 0
    store = _store(profile)
    data = report_data(store, None, profile, date(2026, 11, 3), found, [], {})
    store.close()
    office = write_ledger(tmp_path / "office.xlsx", found, titles(), feedback=data.feedback)
    rejected = {"审核意见": "不同意"}
    _fill(office, {_key(found, P2, "其它"): rejected}, sheet="汇总")
    rc, _, err = _cli(str(office), "--config", str(cfg), "--office")
    assert rc == 2 and "审核说明" in err  # a rejection needs a reason
    _fill(office, {_key(found, P1, "淄博"): {"审核意见": "同意（全站）"},
                   _key(found, P2, "其它"): {**rejected, "审核说明": "“其他”为规范用法，请修改"}}, sheet="汇总")
    rc, out, err = _cli(str(office), "--config", str(cfg), "--office", "--by", "王主任")
    assert rc == 0 and "同意 1 项, 不同意 1 项" in out, err
    store = _store(profile)
    by_text = {c["text"]: c for c in review.claims(store)}
    assert (by_text["淄博"]["status"], by_text["淄博"]["scope"], by_text["淄博"]["decided_by"]) == (
        "accepted", "site", "王主任")
    assert (by_text["其它"]["status"], by_text["其它"]["note"]) == ("rejected", "“其他”为规范用法，请修改")
    data = report_data(store, None, profile, date(2026, 11, 3), found, [], {})
    assert [c.text for c in data.feedback.rejected] == ["其它"]
    store.close()
    # A unit cannot review, even by adding the column.
    ledger = write_ledger(tmp_path / "again.xlsx", found, titles(), unit=JYJ)
    wb = openpyxl.load_workbook(ledger)
    ws = wb.worksheets[0]
    ws.cell(row=1, column=ws.max_column + 1, value="审核意见")
    ws.cell(row=2, column=ws.max_column, value="同意")
    wb.save(ledger)
    rc, _, err = _cli(str(ledger), "--config", str(cfg))
    assert rc == 2 and "只有办公室" in err


def test_unknown_id_names_the_row_and_changes_nothing(site, tmp_path) -> None:
    cfg, profile, found = site
    ledger = write_ledger(tmp_path / "back.xlsx", found, titles(), unit=JYJ)
    _fill(ledger, {_key(found, P1, "淄博"): {"整改状态": "误报", "反馈说明": "原文无误"}})
    wb = openpyxl.load_workbook(ledger)
    ws = wb.worksheets[0]
    ws.cell(row=ws.max_row, column=COLUMNS.index("问题编号") + 1, value="0123456789abcdef")
    ws.cell(row=ws.max_row, column=COLUMNS.index("整改状态") + 1, value="已整改")
    bad_row = ws.max_row
    wb.save(ledger)
    rc, _, err = _cli(str(ledger), "--config", str(cfg))
    assert rc == 2
    assert str(ledger) in err and f"第 {bad_row} 行" in err and "0123456789abcdef" in err
    store = _store(profile)
    assert review.claims(store) == []  # the valid 误报 row of the same file was not imported either
    store.close()


def test_edited_columns_are_refused_and_added_sheets_and_columns_ignored(site, tmp_path) -> None:
    cfg, profile, found = site
    ledger = write_ledger(tmp_path / "back.xlsx", found, titles(), unit=JYJ)
    wb = openpyxl.load_workbook(ledger)
    wb[JYJ].cell(row=1, column=COLUMNS.index("反馈说明") + 1, value="备注")
    wb.save(ledger)
    rc, _, err = _cli(str(ledger), "--config", str(cfg))
    assert rc == 2 and JYJ in err and "反馈说明" in err and "备注" in err

    # A clerk's own sheet and an extra column: read around, never refused.
    ledger = write_ledger(tmp_path / "ok.xlsx", found, titles(), unit=JYJ)
    _fill(ledger, {_key(found, P2, "帐号"): {"整改状态": "已整改"}})
    wb = openpyxl.load_workbook(ledger)
    notes = wb.create_sheet("本单位填报说明")
    notes.append(["说明", "经办人"])
    notes.append(["按办公室要求整改", "赵六"])
    ws = wb[JYJ]
    ws.cell(row=1, column=ws.max_column + 1, value="科室备注")
    wb.save(ledger)
    rc, out, err = _cli(str(ledger), "--config", str(cfg))
    assert rc == 0 and "已整改 1 项" in out, err
    assert "未读取的工作表" in out and "本单位填报说明" in out and "链接所在页面" not in out


def test_wrong_files_are_refused_with_the_file_named(site, tmp_path) -> None:
    cfg, _, _ = site
    text = tmp_path / "notes.xlsx"
    text.write_text("问题编号,整改状态\n", encoding="utf-8")
    rc, _, err = _cli(str(text), "--config", str(cfg))
    assert rc == 2 and str(text) in err and "xlsx" in err
    rc, _, err = _cli(str(tmp_path / "missing.xlsx"), "--config", str(cfg))
    assert rc == 2 and "missing.xlsx" in err and "不存在" in err
    other = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    wb.active.append(["张三", "123"])
    wb.save(other)
    rc, _, err = _cli(str(other), "--config", str(cfg), "--unit", JYJ)
    assert rc == 2 and "表头" in err and "问题编号" in err


def test_false_alarm_needs_a_reason_and_statuses_must_be_known(site, tmp_path) -> None:
    cfg, _, found = site
    ledger = write_ledger(tmp_path / "a.xlsx", found, titles(), unit=JYJ)
    _fill(ledger, {_key(found, P1, "淄博"): {"整改状态": "误报"}})
    rc, _, err = _cli(str(ledger), "--config", str(cfg))
    assert rc == 2 and "理由" in err and "第 " in err
    ledger = write_ledger(tmp_path / "b.xlsx", found, titles(), unit=JYJ)
    _fill(ledger, {_key(found, P1, "淄博"): {"整改状态": "改好了"}})
    rc, _, err = _cli(str(ledger), "--config", str(cfg))
    assert rc == 2 and "改好了" in err


def test_an_unfilled_ledger_and_a_second_import_change_nothing(site, tmp_path) -> None:
    cfg, profile, found = site
    ledger = write_ledger(tmp_path / "a.xlsx", found, titles(), unit=JYJ)
    rc, out, _ = _cli(str(ledger), "--config", str(cfg))
    assert rc == 0 and "未作任何改动" in out
    _fill(ledger, {_key(found, P1, "淄博"): {"整改状态": "误报", "反馈说明": "地名"}})
    assert _cli(str(ledger), "--config", str(cfg))[0] == 0
    rc, out, _ = _cli(str(ledger), "--config", str(cfg))  # sent twice
    assert rc == 0 and "误报申请 0 项" in out and "已有的误报申请 1 项未变" in out
    store = _store(profile)
    assert len(review.claims(store)) == 1
    store.close()


def test_contradicting_sheets_of_the_office_ledger_are_refused(site, tmp_path) -> None:
    cfg, _, found = site
    key = _key(found, P1, "淄博")
    ledger = write_ledger(tmp_path / "a.xlsx", found, titles())
    _fill(ledger, {key: {"整改状态": "误报", "反馈说明": "原文无误"}}, sheet="汇总")
    _fill(ledger, {key: {"整改状态": "已整改"}}, sheet=JYJ)
    rc, _, err = _cli(str(ledger), "--config", str(cfg), "--office")
    assert rc == 2 and "矛盾" in err
    # One sheet filled, the other left as written: one answer.
    ledger = write_ledger(tmp_path / "b.xlsx", found, titles())
    _fill(ledger, {key: {"整改状态": "误报", "反馈说明": "原文无误"}}, sheet=JYJ)
    rc, out, err = _cli(str(ledger), "--config", str(cfg), "--office")
    assert rc == 0 and "误报申请 1 项" in out, err


def test_a_ledger_of_an_older_version_is_read(site, tmp_path) -> None:
    """Ledgers mailed before 0.2: 14 columns, 汇总 plus the unit's sheet, no document properties."""
    cfg, profile, found = site
    old = ["序号", "问题类型", "严重程度", "责任单位", "页面标题", "页面地址", "问题描述", "原文", "建议修改", "发现日期",
           "整改期限", "整改状态", "问题编号", "反馈说明"]
    wb = openpyxl.Workbook()
    for name in ("汇总", JYJ):
        ws = wb.create_sheet(name)
        ws.append(old)
        for n, f in enumerate(f for f in found if f.unit == JYJ and f.audit == "typo"):
            status = "误报" if f.url == P1 and f.text == "淄博" else "新发现"
            ws.append([n + 1, "错别字", "一般", JYJ, "", f.url, f.message, f.text, "", "2026-11-02", "2026-11-09",
                       status, f.id, "地名" if status == "误报" else ""])
    del wb["Sheet"]
    path = tmp_path / "old.xlsx"
    wb.save(path)
    rc, out, err = _cli(str(path), "--config", str(cfg))
    assert rc == 0 and f"（{JYJ}）" in out and "误报申请 1 项" in out, err


def test_suppressions_of_an_older_version_become_accepted_claims(site) -> None:
    cfg, profile, found = site
    store = _store(profile)
    (zibo,) = [f for f in found if f.url == P1 and f.text == "淄博"]
    store.put_state(lifecycle.SUPPRESSED_KIND, zibo.id, {"reason": "地名", "audit": "typo", "url": P1, "text": "淄博"})
    store.commit()
    _, suppressed = _night(store, profile, NIGHT, date(2026, 11, 3))
    assert [(f.url, f.text) for f in suppressed] == [(P1, "淄博")]
    assert store.all_state(lifecycle.SUPPRESSED_KIND) == {}
    store.close()
    rc, out, _ = _cli("--config", str(cfg), "--list")
    assert rc == 0 and "已同意" in out and "未经审核" in out
