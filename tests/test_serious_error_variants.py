"""Serious errors: a one-character sound/shape variant of a formulation, the country's name or a
leader's name next to the title — and the look-alikes that are not errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from audits._models import Models
from audits._proofread import Proofreader
from zhaocuo.core.profile import Leader

Serious = Callable[..., list[tuple[str, str]]]


@pytest.fixture(scope="module")
def serious(proof_models: Models) -> Serious:
    """(text, suggestion) of the serious errors in a text, given the leaders to check."""
    def run(text: str, leaders: list[Leader] = ()) -> list[tuple[str, str]]:
        checker = Proofreader(None, leaders=leaders, models=proof_models)
        return [(e.text, e.suggestion) for e in checker.check(text) if e.audit == "serious_error"]
    return run


LEADERS = [Leader(title="区长", name="王建国"), Leader(title="副区长", name="李红梅")]


def test_formulations_written_wrong(serious: Serious) -> None:
    assert serious("深入学习贯彻党的二十大晶神。") == [("党的二十大晶神", "党的二十大精神")]
    assert serious("以习近平同志为核心的党中夹") == [("以习近平同志为核心的党中夹", "以习近平同志为核心的党中央")]
    assert serious("中国共产觉成立") == [("中国共产觉", "中国共产党")]


def test_legitimate_neighbours_of_formulations_are_not_errors(serious: Serious) -> None:
    assert serious("学习党的十九大精神和党的二十大精神。") == []
    assert serious("中华人民共和国国务院令") == []
    assert serious("学习近乎疯狂，中国共产主义青年团") == []


def test_leader_name_variant_next_to_the_title(serious: Serious) -> None:
    assert serious("区长王建图主持会议。", LEADERS) == [("王建图", "王建国")]
    assert serious("王建果区长讲话。", LEADERS) == [("王建果", "王建国")]
    assert serious("副区长、区委常委李红没出席。", LEADERS) == [("李红没", "李红梅")]


def test_names_that_only_resemble_a_leaders_are_not_errors(serious: Serious) -> None:
    assert serious("区长王建国主持会议。", LEADERS) == []
    assert serious("副区长王建军调研。", LEADERS) == []          # another person: 军 is not a look-alike of 国
    assert serious("村民王建果反映问题。", LEADERS) == []          # look-alike, but no title: another person
    assert serious("区长王建国会见了王建果。", LEADERS) == []      # the title belongs to the right name


def test_site_leader_pages_give_title_and_name_pairs() -> None:
    from audits._maintext import is_leader_page, leader_pairs

    assert is_leader_page("http://x/ldxx/", "") and is_leader_page("http://x/a", "领导信息")
    assert not is_leader_page("http://x/news/1.html", "工作动态")
    assert leader_pairs("区长：王建国\n副区长 李红梅\n区长主持召开常务会议研究工作") == [
        ("区长", "王建国"), ("副区长", "李红梅")]
    assert leader_pairs("张明华　区委副书记、区长\n会议 区长主持\n分工 负责全面工作") == [("副书记", "张明华")]
