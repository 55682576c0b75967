"""Typos found by the language model (audits/_lm.py): a character its context does not want.

For every character that has look-alikes (same or near sound, same shape: the lexicon's
confusion sets), the sentence is re-scored with each look-alike in its place; the change of the
sentence's log10 probability is the evidence. The best change that clears the threshold is
made, the sentence is re-scored, and the search goes on (at most ``MAX_FIXES`` times), so the
echo a wrong character leaves on its neighbours is never reported as a second typo, and two
typos in one sentence are both found.

Only characters the model finds surprising where they stand (``screen``) are tried: a
character the model expects cannot gain much from a replacement, and skipping it keeps the
pass fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from audits._lm import LanguageModel, sentences, token_spans

# A sentence gets at most this many corrections (more is not a typo but another text).
MAX_FIXES = 3
# A character is tried only when the model gives it, or the character after it, a log10
# probability below this (a wanted character cannot gain by a large margin).
SCREEN = -1.6


@dataclass
class LMFlag:
    start: int          # offset in the text checked
    wrong: str
    right: str
    gain: float         # log10 probability gained by the change


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


class LMChecker:
    """The model pass of the proofreader. ``candidates(tokens, k)`` gives the look-alikes worth
    trying for token ``k`` of a sentence;
    ``penalty(wrong, right)`` (log10) is added to the gain of a change (a less likely kind of slip
    needs more evidence)."""

    def __init__(self, lm: LanguageModel, candidates: Callable[[list[str], int], Iterable[tuple[str, float]]],
                 threshold: float,
                 screen: float = SCREEN, max_fixes: int = MAX_FIXES) -> None:
        self.lm = lm
        self.candidates = candidates
        self.threshold = threshold
        self.screen = screen
        self.max_fixes = max_fixes

    def check(self, text: str, protected: set[int] | frozenset[int] = frozenset()) -> list[LMFlag]:
        """Flags in ``text``, by position; ``protected`` offsets are never changed."""
        out: list[LMFlag] = []
        offset = 0
        for sent in sentences(text):
            if any(is_han(c) for c in sent):
                out += self._sentence(sent, offset, protected)
            offset += len(sent)
        return out

    def _best_at(self, toks: list[str], states: list, scores: list[float], k: int) -> tuple[float, str]:
        lm = self.lm
        best, best_c = -1e9, ""
        for c, penalty in self.candidates(toks, k):
            g = lm.replaced(states, scores, toks, k, c) - penalty
            if g > best:
                best, best_c = g, c
        return best, best_c

    def _sentence(self, sent: str, offset: int, protected: set[int] | frozenset[int]) -> list[LMFlag]:
        toks, starts = token_spans(sent)
        n = len(toks)
        states, scores = self.lm.states(toks)
        screen = self.screen
        tried = [k for k, t in enumerate(toks)
                 if is_han(t) and offset + starts[k] not in protected
                 and (scores[k] < screen or (k + 1 < n and scores[k + 1] < screen))]
        if not tried:
            return []
        gains = {k: self._best_at(toks, states, scores, k) for k in tried}
        original = list(toks)
        fixed: list[LMFlag] = []
        order = self.lm.order
        while len(fixed) < self.max_fixes:
            k, (g, c) = max(gains.items(), key=lambda kv: kv[1][0], default=(None, (-1e9, "")))
            if k is None or g < self.threshold:
                break
            fixed.append(LMFlag(offset + starts[k], original[k], c, g))
            toks[k] = c
            del gains[k]
            states, scores = self.lm.states(toks)
            for j in [j for j in gains if abs(j - k) < order]:
                gains[j] = self._best_at(toks, states, scores, j)
        return sorted(fixed, key=lambda f: f.start)
