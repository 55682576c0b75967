"""Personal numbers: valid IDs, mobiles and card numbers are found and masked; masked forms,
numbers whose check digit fails, document numbers and bare digit strings are not."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from audits.privacy_leak import find_personal, id_check_ok, luhn_ok, mask
from zhaocuo.app.runner import store_secret
from zhaocuo.core.store import SQLiteStore

TODAY = date(2024, 6, 1)


def _found(text: str) -> list[tuple[str, str]]:
    return [(kind, masked) for kind, _, masked in find_personal(text, TODAY)]


def test_check_digit_and_luhn() -> None:
    assert id_check_ok("370305199001011231")
    assert not id_check_ok("370305199001011232")
    assert id_check_ok("11010519491231002X") and id_check_ok("11010519491231002x".upper())
    assert luhn_ok("6222021234567890128") and not luhn_ok("6222021234567890127")
    assert mask("13853312345", 3, 4) == "138****2345"


def test_valid_numbers_are_found_masked() -> None:
    assert _found("身份证号码：370305199001011231。") == [("身份证号", "370305********1231")]
    assert _found("身份证：11010519491231002x") == [("身份证号", "110105********002X")]
    assert _found("张三 138 5331 2345") == [("手机号", "138****2345")]
    assert _found("户主张三+86-13853312345") == [("手机号", "138****2345")]
    assert _found("补贴发放至银行卡号 6222 0212 3456 7890 128") == [("银行卡号", "6222***********0128")]


def test_look_alikes_are_not_personal_data() -> None:
    assert _found("370305********1231，138****2345，6222***********0128") == []   # masked
    assert _found("身份证号：370305199001011232") == []                         # check digit fails
    assert _found("身份证号：370305199013011231") == []                         # no 13th month
    assert _found("身份证号：370305203001011234") == []                         # born in the future
    assert _found("订单号：370305199001011231") == []                           # an order number
    assert _found("统计数据 6222021234567890128 条") == []                       # no card word
    assert _found("文号：13853312345") == []
    assert _found("批次 1385331234567 号") == []                                  # 13 digits: not a mobile
    assert _found("服务热线 0533-7181234，12345") == []                           # landlines, hotlines


def test_hmac_secret_is_kept_across_runs(tmp_path: Path) -> None:
    """The runner creates the store's secret once and hands it to the audits (which never write state)."""
    store = SQLiteStore(tmp_path / "s.sqlite")
    first = store_secret(store)
    store.close()
    again = SQLiteStore(tmp_path / "s.sqlite")
    assert store_secret(again) == first and len(first) == 32
    assert store_secret(SQLiteStore(tmp_path / "other.sqlite")) != first
