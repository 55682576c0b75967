"""The language-model pass's shortcuts give the answers of the long way (audits/_lm.py,
audits/_lmcheck.py, audits/_proofread.py): re-scoring only what a change reaches, dropping a
candidate halfway through its tail, remembering candidates per window, and skipping lines with no
old agency name, no half of a formulation or no Han character. Every sentence is made up."""

from __future__ import annotations

import dataclasses

import pytest

from audits._lm import LanguageModel, token_spans
from audits._models import Models
from audits._outdated import find_outdated
from audits._proofread import Proofreader
from audits._serious import find_serious

SENTENCES = ["各级政府要加强监笃工作，确保资金安全。", "区人民法完依法审理了这起案件", "为全体职工缴纳养老保剑和医疗保剑。",
             "第12条规定ABC 好，2024年共计3.5万元。", "描绘城市愿景，推动高质量发展。"]


# Candidates tried everywhere: look-alikes of the slips above, every character of the sentences
# and one the model has never seen.
POOL = "".join(sorted(set("督院险健在和了" + "".join(SENTENCES)) - set(" ，。"))) + "\u9fa5"


@pytest.fixture(scope="module")
def lm(proof_models: Models) -> LanguageModel:
    return Proofreader(None, models=proof_models).lm


def _replacements(toks: list[str]) -> list[tuple[int, str]]:
    """A few changes of each sentence: a common character, one the model has never seen, and
    the character that stood there already."""
    return [(k, c) for k in range(0, len(toks), 3) for c in ("的", "\u9fa5", toks[k])]


@pytest.mark.parametrize("text", SENTENCES)
def test_rescoring_from_a_change_gives_what_scoring_afresh_gives(lm: LanguageModel, text: str) -> None:
    toks, _ = token_spans(text)
    states, scores = lm.states(toks)
    for k, c in _replacements(toks):
        toks[k] = c
        lm.rescore(states, scores, toks, k)
        fresh_states, fresh_scores = lm.states(toks)
        assert scores == fresh_scores
        assert all(a == b for a, b in zip(states, fresh_states, strict=True))


@pytest.mark.parametrize("text", SENTENCES)
@pytest.mark.parametrize("floor", [-50.0, 0.0, 1.5, 5.0])
def test_the_best_replacement_is_the_best_of_a_full_rescoring_of_each(lm: LanguageModel, text: str,
                                                                     floor: float) -> None:
    toks, _ = token_spans(text)
    states, scores = lm.states(toks)

    for k in range(len(toks)):
        candidates = [(c, 0.5 * (n % 3)) for n, c in enumerate(POOL) if c != toks[k]]
        full = [(lm.replaced(states, scores, toks, k, c) - penalty, c) for c, penalty in candidates]
        best_gain, best_c = max(full, key=lambda gc: gc[0])  # the first of equal gains, as the pass
        got = lm.best_replacement(states, scores, toks, k, candidates, floor)
        if best_gain >= floor:
            assert got == (best_gain, best_c)
        else:
            assert got[0] < floor


@pytest.mark.parametrize("text", SENTENCES)
def test_the_chosen_correction_is_the_best_of_a_full_rescoring_of_each(lm: LanguageModel, text: str) -> None:
    toks, _ = token_spans(text)
    states, scores = lm.states(toks)

    for k in range(len(toks)):
        candidates = [(c, 0.5 * (n % 3)) for n, c in enumerate(POOL) if c != toks[k]]
        best, want = -1e9, "?"
        for c, penalty in candidates:  # LMChecker._correct's loop before best_choice
            g = lm.replaced(states, scores, toks, k, c) - penalty
            if g > best:
                best, want = g, c
        assert lm.best_choice(states, scores, toks, k, candidates, "?") == want
    assert lm.best_choice(states, scores, toks, 0, [], "?") == "?"


def test_candidates_are_remembered_per_window_and_place_in_it(proof_models: Models) -> None:
    """The same seven characters asked about at the fourth place (a long sentence) and at the
    first (a sentence's start) are two questions with two answers."""
    checker = Proofreader(None, point="draft", models=proof_models)
    for text in ("加强监笃工作确保", "监笃工作确保资金", "强监笃工作", "笃"):
        toks = list(text)
        for i in range(len(toks)):
            lo = max(0, i - 3)
            want = checker._window_candidates("".join(toks[lo:i + 4]), i - lo)
            assert checker._lm_candidates(toks, i) == want, (text, i)
            assert checker._lm_candidates(toks, i) == want, (text, i)  # remembered


@pytest.mark.parametrize("point", ["audit", "draft"])
def test_stretches_across_punctuation_or_digits_are_not_looked_up(proof_models: Models, point: str) -> None:
    """Dictionary and site words are Han characters only: leaving out the stretches across a
    comma or a number changes no candidate (checked against looking every stretch up)."""
    site = {"临淄区": 120, "齐文化": 40, "数据局": 30}
    short = Proofreader(None, point=point, models=proof_models, site_freq=site)
    every = Proofreader(None, point=point, models=proof_models, site_freq=site)
    every._han_cuts = lambda s, i: every._cuts(i, len(s))[1:]  # type: ignore[method-assign]
    for text in ("临缁区，齐文化节", "2024年临缁区数据局", "监笃、督查：3项工作", "A股市场，大数局0号"):
        for i in range(len(text)):
            lo = max(0, i - 3)
            window = text[lo:i + 4]
            assert short._window_candidates(window, i - lo) == every._window_candidates(window, i - lo), (text, i)


def test_a_line_without_an_old_name_is_not_searched_for_one(proof_models: Models) -> None:
    checker = Proofreader(None, models=proof_models)
    lines = ["县工商局开展专项检查。", "国家工商行政管理总局发布通知。", "县市场监督管理局开展专项检查。", "2024-01-01"]
    for line in lines:
        want = [(e.start, e.text) for e in find_outdated(line, checker.outdated, None)]
        got = [(e.start, e.text) for e in checker.check(line) if e.audit == "outdated_expression"]
        assert got == want, line
    assert checker._outdated_screen is not None and checker._outdated_screen.search(lines[1])
    assert not checker._outdated_screen.search(lines[2])


def test_a_line_with_no_han_character_has_no_typo(proof_models: Models) -> None:
    checker = Proofreader(None, point="draft", models=proof_models)
    assert checker.check("Tel: 0532-12345678, 2024/01/01 ABC") == []


def test_a_line_without_half_a_formulation_is_not_searched_for_its_variants(proof_models: Models) -> None:
    lex = proof_models.lexicon
    assert lex.formulation_screen is not None
    unscreened = dataclasses.replace(lex, formulation_screen=None)
    lines = ["中华人民共合国成立以来", "坚持以人民为中心的发展思想", "全面深化改革开放", "今天天气很好。", "ABC 123"]
    for line in lines:
        assert find_serious(line, lex, []) == find_serious(line, unscreened, []), line
    assert [e.suggestion for e in find_serious(lines[0], lex, [])] == ["中华人民共和国"]
    assert not lex.formulation_screen.search(lines[3])
