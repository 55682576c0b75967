"""A profile leader's name one character off right next to the leader's title is a serious
error even when the wrong character does not sound or look alike (县长李大民 for 李大鸣); a
different person with a similar name, a deputy's title, a list of names after one title and a
former title are not. Names and sentences are made up."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from audits._models import Models
from audits._proofread import Proofreader
from audits._serious import find_serious
from tests.support.profiles import write_profile
from zhaocuo.core.profile import load_profile

LEADERS = [("县长", "李大鸣"), ("副县长", "王小红")]
OWN = ("某某县人民政府",)


@pytest.fixture
def leader_errors(proof_models: Models) -> Callable[..., list[tuple[str, str]]]:
    """(written, right) pairs of the leader-name errors find_serious reports in ``text``."""
    def found(text: str, leaders: list[tuple[str, str]] = LEADERS, titled: bool = True) -> list[tuple[str, str]]:
        errors = find_serious(text, proof_models.lexicon, leaders, leaders if titled else [], own=OWN)
        return [(e.text, e.suggestion) for e in errors if e.rule == "leader"]
    return found


def test_a_name_one_character_off_next_to_the_title_is_flagged(leader_errors: Callable[..., list]) -> None:
    assert leader_errors("县长李大民主持召开常务会议。") == [("李大民", "李大鸣")]
    assert leader_errors("县委副书记、县长李大民出席。") == [("李大民", "李大鸣")]
    assert leader_errors("会议由李大民县长主持。") == [("李大民", "李大鸣")]
    assert leader_errors("县长：李大民") == [("李大民", "李大鸣")]
    assert leader_errors("某某县县长李大民调研。") == [("李大民", "李大鸣")]   # the site's own organ
    assert leader_errors("副县长王中红调研。") == [("王中红", "王小红")]


def test_similar_names_that_are_other_people_are_not_flagged(leader_errors: Callable[..., list]) -> None:
    assert leader_errors("村民李大民反映问题。") == []                     # no title
    assert leader_errors("县长李大鸣会见了李大民。") == []                 # the title is the right name's
    assert leader_errors("县长张大鸣") == []                               # another surname: another person
    assert leader_errors("邻市某中学校长李大民", [("校长", "李大鸣")]) == []   # another organ's title
    assert leader_errors("目前县长李大民表示") == []                       # not right after a title


def test_a_deputys_title_is_not_the_leaders(leader_errors: Callable[..., list]) -> None:
    assert leader_errors("副县长李大民调研。") == []
    assert leader_errors("常务副县长李大民调研。") == []
    assert leader_errors("县长李大鸣，副县长王小红、李大民出席。") == []
    assert leader_errors("县长李大鸣、副县长李大民出席。") == []


def test_lists_of_several_people_are_not_flagged(leader_errors: Callable[..., list]) -> None:
    assert leader_errors("县长李大鸣、李大民、张三出席。") == []
    assert leader_errors("出席会议的有县长李大鸣，县领导李大民、赵四。") == []
    # Another configured leader's own name under the title is find_wrong_titles' case.
    assert leader_errors("县长王小红") == []


def test_former_titles_are_not_flagged(leader_errors: Callable[..., list]) -> None:
    assert leader_errors("原县长李大民回乡考察。") == []
    assert leader_errors("时任县长李大民作了报告。") == []
    assert leader_errors("前县长李大民") == []


def test_only_profile_leaders_of_three_characters_are_checked_for_any_character(leader_errors: Callable[..., list]) -> None:
    # A leader read from the site's own 领导信息 pages is not trusted that far: sound-alikes only.
    assert leader_errors("县长李大民主持会议。", titled=False) == []
    assert leader_errors("县长李大明主持会议。", titled=False) == [("李大明", "李大鸣")]
    # Two-character names: one character is half the name.
    assert leader_errors("县长李强主持会议。", [("县长", "李鸣")]) == []


def test_the_profiles_leaders_are_checked_by_the_proofreader(proof_models: Models, tmp_path: Path) -> None:
    profile = load_profile(write_profile(tmp_path, {
        "site": {"name": "某某县人民政府", "start_urls": ["http://127.0.0.1:1/"]},
        "leaders": [{"title": "县长", "name": "李大鸣"}]}))
    checker = Proofreader(profile, models=proof_models)
    assert [(e.text, e.suggestion) for e in checker.check("某某县县长李大民出席。") if e.audit == "serious_error"] == [
        ("李大民", "李大鸣")]
    assert [e.text for e in checker.check("副县长李大民出席。") if e.audit == "serious_error"] == []
