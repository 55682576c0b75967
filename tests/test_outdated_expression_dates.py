"""Outdated agency names: reported in content dated after the reform, not in older archives;
"原…" mentions and the successor's own name are fine; the profile can add entries (see
test_outdated_expression_current_use.py for names that are part of longer names or citations)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from audits._maintext import TextUnit, _content_date, unit_date
from audits._models import Models
from audits._outdated import find_outdated
from audits._proofread import Proofreader
from tests.support.profiles import write_profile
from zhaocuo.core.profile import load_profile


@pytest.fixture
def old(proof_models: Models) -> Callable[..., list[tuple[str, str]]]:
    """(old name, successor) pairs find_outdated reports in ``text`` on a page dated ``when``."""
    def found(text: str, when: date | None) -> list[tuple[str, str]]:
        return [(e.text, e.suggestion) for e in find_outdated(text, proof_models.lexicon.outdated, when)]
    return found


def test_abolished_names_after_the_reform_get_their_successor(old: Callable[..., list]) -> None:
    assert old("区环境保护局开展执法检查", date(2023, 5, 1)) == [("环境保护局", "生态环境局")]
    assert old("区卫生和计划生育委员会", date(2020, 1, 1)) == [("卫生和计划生育委员会", "卫生健康委员会")]
    assert old("国家食品药品监督管理总局发布", date(2019, 1, 1)) == [("国家食品药品监督管理总局", "国家市场监督管理总局")]


def test_content_from_before_the_reform_is_not_flagged(old: Callable[..., list]) -> None:
    assert old("区环境保护局开展执法检查", date(2017, 12, 20)) == []
    # A local name is flagged only once local reforms took effect (2019-04-01), a central one from 2018-04-10.
    assert old("区环境保护局", date(2018, 12, 1)) == []
    assert old("环境保护部", date(2018, 12, 1)) == [("环境保护部", "生态环境部")]


def test_words_that_merely_contain_an_old_name_are_not_flagged(old: Callable[..., list]) -> None:
    assert old("形成了良好的文化局面，旅游局势平稳", date(2023, 1, 1)) == []
    assert old("区文化局、区旅游局联合开展检查", date(2023, 1, 1)) == [
        ("文化局", "文化和旅游局"), ("旅游局", "文化和旅游局")]


def test_former_names_and_successors_are_not_flagged(old: Callable[..., list]) -> None:
    assert old("原国土资源局的档案移交区自然资源局", date(2023, 1, 1)) == []
    assert old("区文化和旅游局、区农业农村局、区生态环境局", date(2023, 1, 1)) == []
    assert old("国家税务总局临淄区税务局", date(2023, 1, 1)) == []


def test_undated_page_takes_its_newest_written_date() -> None:
    today = date(2024, 6, 1)
    assert _content_date("", "2016年工作总结\n2016年12月30日", "http://x/a.html", today) == date(2016, 12, 30)
    assert _content_date("", "机构职能介绍", "http://x/jgzn/", today) is None
    assert unit_date(TextUnit("x", "u", 2, [date(2017, 1, 1), None])) is None  # also on a current page


def test_profile_adds_outdated_names(proof_models: Models, tmp_path: Path) -> None:
    profile = load_profile(write_profile(tmp_path, {
        "site": {"start_urls": ["http://127.0.0.1:1/"]}, "text": {"outdated": {"区编办": "区委编办"}}}))
    errors = Proofreader(profile, models=proof_models).check("区编办印发通知", page_date=date(2024, 1, 1))
    assert [(e.text, e.suggestion, e.audit) for e in errors] == [("区编办", "区委编办", "outdated_expression")]
