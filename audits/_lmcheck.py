"""Typos found by the language model (audits/_lm.py): a character its context does not want.

For every character that has look-alikes (same or near sound, same shape: the lexicon's
confusion sets), the sentence is re-scored with each look-alike in its place; the change of the
sentence's log10 probability is the evidence. The best change that clears the threshold is
made, the sentence is re-scored, and the search goes on (at most ``MAX_FIXES`` times), so the
echo a wrong character leaves on its neighbours is never reported as a second typo, and two
typos in one sentence are both found.

Only characters the model finds surprising where they stand (``screen``) are tried: a
character the model expects cannot gain much from a replacement, and skipping it keeps the
pass fast. A look-alike whose own score where it stands cannot, with all the characters after
it lose now, clear the threshold or beat the best so far is not scored further (the same answer,
fewer look-ups).

Where the typos are is decided so; what each should become is chosen again at the end, with the
sentence's other corrections in place, among a wider set (``corrections``; ``_correct``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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
    right: str          # the correction (chosen again by ``LMChecker._correct`` when it has ``corrections``)
    gain: float         # log10 probability gained by the change
    seen: str = ""      # the look-alike that found the typo


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


class LMChecker:
    """The model pass of the proofreader. ``candidates(tokens, k)`` gives the look-alikes worth
    trying for token ``k`` of a sentence, each with the penalty (log10) subtracted from its gain
    (a less likely kind of slip needs more evidence); ``corrections(tokens, k)`` the same for
    naming the correction of a typo found at ``k`` (None: the look-alike that found it)."""

    def __init__(self, lm: LanguageModel, candidates: Callable[[list[str], int], Sequence[tuple[str, float]]],
                 threshold: float,
                 screen: float = SCREEN, max_fixes: int = MAX_FIXES,
                 corrections: Callable[[list[str], int], Iterable[tuple[str, float]]] | None = None) -> None:
        self.lm = lm
        self.candidates = candidates
        self.corrections = corrections
        # The largest bonus (negative penalty) ``candidates`` may give (the Proofreader sets it).
        self.bonus = 0.0
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
        # No token scores above log10 P = 0: a replacement gains at most what token k and the
        # ones after it lose now. Where even that, with the largest bonus a candidate may get,
        # stays under the threshold, no candidate needs to be looked for.
        last = k + self.lm.order
        if last < len(toks) and self.bonus - sum(scores[k:last]) < self.threshold:
            return -1e9, ""
        return self.lm.best_replacement(states, scores, toks, k, self.candidates(toks, k), self.threshold)

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
        fixed: list[tuple[int, LMFlag]] = []
        order = self.lm.order
        while len(fixed) < self.max_fixes:
            k, (g, c) = max(gains.items(), key=lambda kv: kv[1][0], default=(None, (-1e9, "")))
            if k is None or g < self.threshold:
                break
            fixed.append((k, LMFlag(offset + starts[k], original[k], c, g, c)))
            toks[k] = c
            del gains[k]
            self.lm.rescore(states, scores, toks, k)
            for j in [j for j in gains if abs(j - k) < order]:
                gains[j] = self._best_at(toks, states, scores, j)
        if self.corrections is not None:
            self._correct(toks, original, fixed, states, scores)
        return sorted((f for _, f in fixed), key=lambda f: f.start)

    def _correct(self, toks: list[str], original: list[str], fixed: list[tuple[int, LMFlag]], states: list,
                 scores: list[float]) -> None:
        """Which character a found typo should become, chosen again among a wider set
        (``corrections``), with every other correction of the sentence in place. Finding a typo
        and naming its correction are two questions: a character the context rejects is wrong
        whatever it was meant to be, and what it was meant to be is what the context wants most
        among everything it could be a slip for. The positions found do not change. ``states`` and
        ``scores`` are those of ``toks`` (kept up to date here, ``LanguageModel.rescore``)."""
        assert self.corrections is not None
        lm = self.lm
        for k, flag in fixed:
            toks[k] = original[k]
            lm.rescore(states, scores, toks, k)
            flag.right = toks[k] = lm.best_choice(states, scores, toks, k, self.corrections(toks, k), flag.right)
            lm.rescore(states, scores, toks, k)
