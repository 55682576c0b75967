"""Naming the correction of a found typo (audits/_lmcheck.py ``LMChecker._correct``): where the
language model finds a slip is decided among the look-alikes, what it should become is chosen
again among a wider set — any common character that completes a word there, at a penalty
(``fix_free``) — and the positions found never move. Every sentence is made up."""

from __future__ import annotations

import pytest

from audits._models import Models
from audits._proofread import POINTS, Proofreader

# 险 written as 剑 (they share 佥 but neither sounds nor is listed as the other): the look-alike
# 健 makes 保健, which the model likes less than the 保险 the sentence is about.
INSURANCE = "为全体职工缴纳养老保剑和医疗保剑。"


def _flags(checker: Proofreader, text: str) -> list[tuple[int, str, str]]:
    return [(e.start, e.text, e.suggestion) for e in checker.check(text) if e.audit == "typo"]


@pytest.mark.parametrize("fix_free, right", [(2.5, "险"), (-1.0, "健"), (9.0, "健")])
def test_a_word_completing_character_is_proposed_when_the_context_wants_it_enough(
        proof_models: Models, fix_free: float, right: str) -> None:
    checker = Proofreader(None, point="draft", models=proof_models, tuning={"fix_free": fix_free})
    assert _flags(checker, INSURANCE) == [(10, "剑", right), (15, "剑", right)]


def test_the_choice_of_correction_never_moves_or_adds_a_finding(proof_models: Models) -> None:
    texts = [INSURANCE, "各级政府要加强监笃。", "区人民法完依法审理了这起案件。", "描绘城市愿景，推动高质量发展。"]
    for tuning in ({"fix_free": 0.0, "fix_shape": 0.0, "fix_weak": 0.0, "fix_other": 0.0}, {"fix_free": -1.0}):
        wide = Proofreader(None, point="draft", models=proof_models, tuning=tuning)
        plain = Proofreader(None, point="draft", models=proof_models)
        for text in texts:
            assert [f[:2] for f in _flags(wide, text)] == [f[:2] for f in _flags(plain, text)], text


def test_the_nightly_point_proposes_look_alikes_only(proof_models: Models) -> None:
    assert POINTS["audit"]["fix_free"] < 0 <= POINTS["draft"]["fix_free"]
    nightly = Proofreader(None, models=proof_models, tuning={"threshold": 2.0})
    assert _flags(nightly, INSURANCE) == [(10, "剑", "健"), (15, "剑", "健")]


def test_a_same_sound_correction_is_preferred_to_a_weaker_shape_look_alike(proof_models: Models) -> None:
    # 笃 (du) beside 监: 督 sounds the same; 管 only shares the bamboo radical, and 监管 is the
    # likelier word on its own. A slip of the sound comes first unless the context insists.
    for point in ("draft", "audit"):
        assert _flags(Proofreader(None, point=point, models=proof_models), "加强监笃工作。") == [(3, "笃", "督")]
