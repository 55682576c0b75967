"""Contact numbers a notice publishes on purpose are not leaks; citizens' numbers in lists,
forms and 公示 are, and ID and card numbers always are. Sentences and numbers are made up."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from audits._maintext import collect_units
from audits.privacy_leak import find_personal
from zhaocuo.core.store import Page, SQLiteStore

TODAY = date(2024, 6, 1)


def _found(text: str, before: str = "") -> list[str]:
    return [masked for _, _, masked in find_personal(text, TODAY, before)]


def test_numbers_after_a_contact_label_are_published_on_purpose() -> None:
    assert _found("联系人：王老师，联系电话：13853312345。") == []
    assert _found("咨询电话：0533-7181234，13953312346（李）13653312347（赵）") == []
    assert _found("举报电话：15953312348（工作日）") == []
    assert _found("传真：0533-7181235 手机：18653312349") == []
    assert _found("3.报名联系人：张主任 18653312340，刘经理18653312341") == []
    assert _found("热线 13853312342") == []
    assert _found("邮箱：13853312343@example.com") == []        # an e-mail address


def test_the_label_may_stand_on_the_line_above() -> None:
    assert _found("13953312346（李） 13653312347（赵）", before="有意者请联系。\n联系电话：0533-7181234\n400-000-1234") == []
    assert _found("王芳：13653312347", before="培训学校联系人 刘强：13953312346") == []


def test_a_units_name_before_the_number_publishes_it() -> None:
    assert _found("城关镇人民政府：13853312345") == []
    assert _found("县农业农村局 13853312345") == []


def test_citizens_numbers_in_lists_and_forms_are_leaks() -> None:
    # A column heading is no label for the rows below it.
    assert _found("13853312345", before="序号\n姓名\n联系电话\n1\n张三") == ["138****2345"]
    # A name list without any label, or under its own heading.
    assert _found("张三 13853312345 李四 13953312346") == ["138****2345", "139****2346"]
    assert _found("获奖名单：张三 13953312346", before="联系电话：13853312345") == ["139****2346"]
    # A citizen's record: an ID number on the line, or personal-data headings around the number.
    assert _found("张三，身份证号：370305199001011231，联系电话：13853312345。") == [
        "370305********1231", "138****2345"]
    assert _found("张三，女，家庭住址：某村，联系电话：13853312345") == ["138****2345"]
    # A citizen's own number under a contact word.
    assert _found("申请人电话：13853312345") == ["138****2345"]
    assert _found("举报人联系电话 13853312345") == ["138****2345"]
    assert _found("家长手机：13853312345") == ["138****2345"]


def test_id_and_card_numbers_are_leaks_whatever_the_label() -> None:
    assert _found("联系人：王老师，身份证号：370305199001011231") == ["370305********1231"]
    assert _found("联系电话：13853312345，收款账号：6222021234567890128") == ["6222***********0128"]


def test_collect_units_keeps_the_text_above_a_number_line(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite")
    run_id, _ = store.begin_run("test", resume=False)
    text = "招聘启事\n联系人：王老师\n联系电话：\n13853312345\n获奖名单：张三 13953312346"
    store.add_page(run_id, Page(url="http://x/a.html", status=200, title="招聘", kind="html", text=text))
    store.commit()
    units, _ = collect_units(store.crawl(run_id), TODAY)
    by_text = {u.text: u for u in units}
    assert by_text["13853312345"].before.endswith("联系人：王老师\n联系电话：")
    assert by_text["联系人：王老师"].before == ""        # no long number on the line: nothing kept
    found = [m for u in units for _, _, m in find_personal(u.text, TODAY, u.before)]
    assert found == ["139****2346"]                        # a list under its own heading
    store.close()
