"""Outdated agency names are reported only where the sentence writes one as a current agency:
never inside a longer current name, never in a citation of history (a cited title, a former
agency or post, a date before the reform, the reform itself, a reprinted old document).
Sentences are made up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from audits._maintext import _content_date, written_date
from audits._models import Models
from audits._outdated import find_outdated

NOW = date(2023, 6, 1)


@pytest.fixture
def old(proof_models: Models) -> Callable[..., list[str]]:
    """The outdated names find_outdated reports in ``text`` (on a page dated ``when``)."""
    def found(text: str, when: date | None = NOW) -> list[str]:
        return [e.text for e in find_outdated(text, proof_models.lexicon.outdated, when)]
    return found


def test_old_names_written_as_current_agencies_are_flagged(old: Callable[..., list]) -> None:
    assert old("县环保局开展夏季执法检查。") == ["环保局"]
    assert old("由县国土局牵头，会同县农业局组织实施。") == ["国土局", "农业局"]
    assert old("发改局、环保局、安监局按职责分工负责。") == ["环保局", "安监局"]
    assert old("市文化局和旅游局联合举办展览。") == ["文化局", "旅游局"]
    assert old("请选择受理机关：市民政局 市监察局 市财政局") == ["监察局"]
    assert old("中华人民共和国农业部发布公告。") == ["农业部"]
    assert old("2023年，县工商局共受理投诉十二件。") == ["工商局"]   # a date after the reform


def test_the_longest_name_at_a_place_wins(old: Callable[..., list]) -> None:
    assert old("县文化广电和旅游局组织开展非遗展演。") == []
    assert old("市文化和旅游局、区文体旅游局、文化广电旅游局") == []
    assert old("国家矿山安全监察局某某局、国家煤矿安全监察局") == []
    assert old("主动接受纪检监察部门监督。") == []
    assert old("农业部门、环境保护部门和国土资源部门要加强协作。") == []
    assert old("国家工商行政管理局发布的统计") == []
    assert old("原国家旅游局的职责划入新部门。") == []


def test_words_built_on_an_old_names_last_character_are_not_names(old: Callable[..., list]) -> None:
    assert old("形成了良好的文化局面，旅游局势平稳，农业部署到位。") == []


def test_citations_of_documents_are_not_flagged(old: Callable[..., list]) -> None:
    assert old("依据《县环保局行政处罚裁量基准》执行。") == []
    assert old("按照国家工商行政管理总局《合同违法行为监督处理办法》处理。") == []
    assert old("依据环境保护部令第31号执行。") == []
    assert old("转发县卫计局〔2017〕12号文件。") == []
    assert old("根据县农业局关于加强春耕生产的通知精神开展工作。") == []


def test_former_agencies_and_posts_are_not_flagged(old: Callable[..., list]) -> None:
    assert old("原县国土局的档案移交县自然资源局。") == []
    assert old("原省质量技术监督局局长出席。") == []
    assert old("时任县农业局局长作了发言。") == []
    assert old("前县环保局局长调任他职。") == []


def test_a_date_before_the_reform_in_the_sentence_makes_it_history(old: Callable[..., list]) -> None:
    assert old("2016年，县环保局完成了污染源普查。") == []
    assert old("2018年3月县安监局开展了专项检查；2023年县应急管理局继续开展。") == []
    # The date belongs to its own sentence only.
    assert old("2016年完成普查。县环保局继续开展执法。") == ["环保局"]


def test_sentences_about_the_reform_itself_are_not_flagged(old: Callable[..., list]) -> None:
    assert old("整合县农业局的职责，组建县农业农村局。") == []
    assert old("不再保留县环保局。") == []
    assert old("县扶贫办（现乡村振兴局）牵头负责。") == []


def test_a_reprinted_old_document_keeps_the_names_of_its_time() -> None:
    text = "县人民政府办公室\n关于做好普查工作的通知\n某政办发〔2017〕12号\n县环保局：\n请认真做好普查。\n2017年3月8日\n"
    assert written_date(text) == date(2017, 3, 8)
    # Posted in 2021, written in 2017: the 2017 names are right.
    page = "<meta name='PubDate' content='2021-01-04'>"
    assert _content_date(page, "发布时间：2021-01-04\n" + text, "http://x/a.html", NOW) == date(2017, 3, 8)
    # A 文号 cited inside a sentence is not the page's own document.
    assert written_date("根据《办法》（某政办发〔2017〕12号）要求，县生态环境局开展检查。") is None
    # No signature line: the first day of the 文号's year.
    assert written_date("某政办发〔2016〕3号\n各单位：\n现予印发。") == date(2016, 1, 1)
