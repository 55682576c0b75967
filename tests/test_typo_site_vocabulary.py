"""The site's own text as a corpus: its frequent terms are known words, and a rare sound- or
shape-alike variant of one of them is a likely typo; a variant the site itself uses often is
a name of its own."""

from __future__ import annotations

from audits._maintext import TextUnit, site_terms
from audits._models import Models
from audits._proofread import Proofreader


def _units(lines: list[str]) -> list[TextUnit]:
    return [TextUnit(line, f"http://x/{i}.html") for i, line in enumerate(lines)]


CORPUS = [f"临淄区第{i}项民生工程在齐陵街道推进，敬仲镇同步开展。" for i in range(40)]


def _typos(checker: Proofreader, text: str) -> list[tuple[str, str]]:
    return [(e.text, e.suggestion) for e in checker.check(text) if e.audit == "typo"]


def test_rare_variant_of_a_frequent_site_term_is_flagged(proof_models: Models) -> None:
    # At the draft point: the default model (People's Daily 1998) barely knows 临淄, so the
    # site's evidence alone does not reach the nightly audit's precision-first threshold.
    checker = Proofreader(None, site_freq=site_terms(_units(CORPUS)), point="draft", models=proof_models)
    assert _typos(checker, "临缁区召开全区安全生产工作会议。") == [("缁", "淄")]


def test_without_the_site_corpus_the_variant_is_not_known_to_be_wrong(proof_models: Models) -> None:
    assert _typos(Proofreader(None, point="draft", models=proof_models), "临缁区召开全区安全生产工作会议。") == []


def test_frequent_site_names_are_known_words(proof_models: Models) -> None:
    checker = Proofreader(None, site_freq=site_terms(_units(CORPUS)), models=proof_models)
    assert _typos(checker, "敬仲镇召开会议，齐陵街道参加。") == []


def test_a_variant_the_site_uses_often_is_a_name_of_its_own(proof_models: Models) -> None:
    corpus = CORPUS + [f"临缁村第{i}届文化节开幕。" for i in range(8)]
    checker = Proofreader(None, site_freq=site_terms(_units(corpus)), models=proof_models)
    assert _typos(checker, "临缁村召开村民大会。") == []


def test_site_terms_count_each_line_once_and_need_five_lines() -> None:
    assert "稷下学宫" not in site_terms(_units([f"稷下学宫第{i}期，稷下学宫" for i in range(4)]))
    assert "稷下学宫" in site_terms(_units([f"稷下学宫第{i}期" for i in range(5)]))
