"""Sound-alike words: the typo a pinyin input method makes, found by ranking candidates.

Most typos in official writing are made by the input method, not the hand: the writer typed
the right syllables and took the wrong characters ("评价" meant, "平价" taken; "精神" meant,
"经身" taken). Such a typo is often a real word, so neither the word model nor the curated list
sees it. This pass proposes, for every stretch of 2–4 characters, the common words that sound
the same (toneless pinyin, with the input methods' usual fuzzy pairs z/zh, c/ch, s/sh, n/l,
-n/-ng) and differ in one or two characters, plus the same-sound/same-shape characters that
complete a word (as the word model does), and keeps a proposal only when a model of its evidence
is confident:

- the character trigram model's gain (audits/_ngram.py: does the context want the new characters?),
- the word model's gain over a few characters each side (does the stretch segment into more
  probable words?),
- how often the written and the proposed characters pair with their neighbours in the corpus,
- how common the written and proposed characters and words are, whether the sound is exactly the
  same or only fuzzy, whether the characters are listed as confusable, one or two changes.

The model is a set of gradient-boosted decision trees stored as data (config/models/
soundalike.json), fitted by bench/fit_soundalike.py on the labels of the even lines of
ecspell-odw only (nothing of the benchmark's text enters a word list or the model file), and every
figure in the README is measured on the odd lines, which the fit never saw, as well as on all
lines. The pass proposes and scores some two hundred replacements per sentence, so it is the
``thorough`` engine (``[text] thorough = true``, ``check-text --thorough``), about five times
slower than the default one.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from audits import _ngram
from audits._lexicon import LEXICON_DIR, Lexicon, fuzzy, is_han

# A proposal: ((position in the run, new character), ...), one or two changes, by position.
Changes = tuple[tuple[int, str], ...]

# Stretches of these lengths are matched against same-sounding words.
LENGTHS = (2, 3, 4)
# Words proposed for what sounds like them must be at least this frequent (jieba/pycorrector
# counts): the long tail of the dictionary is full of compounds nobody means. 20 and 100 gave the
# same figures on the tuning half; 100 proposes fewer, so it is faster.
MIN_INDEX_FREQ = 100
# At most this many characters of a stretch may change (three changes in four characters is a
# different word, not a slip).
MAX_CHANGES = 2
# Characters each side of a change that the word model scores.
WINDOW = 3
# A proposal whose character-model gain is below this is not scored further: on the tuning half
# it drops 1% of the right proposals and most of the work.
MIN_CONTEXT_GAIN = -2.0
# A proposal whose characters pair with their neighbours in the corpus much less often than the
# written ones (sum of log(1 + count) of the pairs, natural log) is dropped before any scoring: on
# the tuning half this keeps every proposal the model is confident of and halves the work.
PAIR_SLACK = 1.0

class Readings(dict[str, tuple[frozenset[str], frozenset[str]]]):
    """(toneless readings, fuzzy-folded readings) of each character, looked up once each
    (one per SoundAlike); every reading of a polyphone counts (the input method offered them all)."""

    def __missing__(self, ch: str) -> tuple[frozenset[str], frozenset[str]]:
        from pypinyin import Style, pinyin

        exact = frozenset(pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")[0] if is_han(ch) else ())
        got = self[ch] = (exact, frozenset(fuzzy(p) for p in exact))
        return got


def sound_index(lex: Lexicon) -> dict[str, tuple[str, ...]]:
    """Common words of 2–4 Han characters by the fuzzy sound of their pinyin ("zi zi" -> 资质,
    自治, 子词…). About two seconds: built once, by SoundAlike.load."""
    from pypinyin import Style, lazy_pinyin

    index: dict[str, list[str]] = {}
    for w, f in lex.freq.items():
        if f < MIN_INDEX_FREQ or not 2 <= len(w) <= max(LENGTHS) or not all(is_han(c) for c in w):
            continue
        py = lazy_pinyin(w, style=Style.NORMAL, errors="ignore")
        if len(py) == len(w):
            index.setdefault(" ".join(fuzzy(p) for p in py), []).append(w)
    return {k: tuple(sorted(v)) for k, v in index.items()}


@dataclass(frozen=True)
class Proposal:
    """Characters of a run to change: ((position, new character), ...), and the model's
    probability that all of them are typos."""

    changes: Changes
    probability: float


def proposals(run: str, lex: Lexicon, index: dict[str, tuple[str, ...]], readings: Readings
              ) -> dict[Changes, tuple[int, str]]:
    """Every candidate change set of a run of Han characters (see the module docstring), with
    the most frequent word that proposes it: (its start in the run, the word)."""
    n = len(run)
    freq = lex.freq
    out: dict[Changes, tuple[int, str]] = {}

    def offer(changes: Changes, start: int, word: str) -> None:
        prev = out.get(changes)
        if prev is None or freq.get(word, 0) > freq.get(prev[1], 0):
            out[changes] = (start, word)

    fuzzy_of = [readings[c][1] for c in run]
    for length in LENGTHS:
        for j in range(n - length + 1):
            span = run[j:j + length]
            for combo in itertools.product(*fuzzy_of[j:j + length]):
                for w in index.get(" ".join(combo), ()):
                    changes = tuple((j + q, w[q]) for q in range(length) if w[q] != span[q])
                    if 0 < len(changes) <= MAX_CHANGES:
                        offer(changes, j, w)
    # Same-sound or same-shape characters that complete a common word (shape slips have no
    # sound in common, so the index above cannot offer them).
    comp, conf = lex.completions, lex.confusable
    for i, ch in enumerate(run):
        cands = conf.get(ch)
        if not cands:
            continue
        for length in LENGTHS:
            for j in range(max(0, i - length + 1), min(i, n - length) + 1):
                hit = comp.get(run[j:i] + "?" + run[i + 1:j + length])
                if hit:
                    for c in cands.intersection(hit):
                        if c != ch:
                            offer(((i, c),), j, run[j:i] + c + run[i + 1:j + length])
    return out


def features(run: str, changes: Changes, word: tuple[int, str], lex: Lexicon,
             charlm: _ngram.CharModel, score: Callable[[str], float],
             base_cache: dict[int, float] | None, readings: Readings) -> tuple[float, ...] | None:
    """The evidence for one change set (in the order of FEATURES), or None when the neighbours' character
    pairs (PAIR_SLACK) or the character model (MIN_CONTEXT_GAIN) alone rule it out.
    ``base_cache``: per run, the character model's score of each written character (the same
    position is scored for many proposals)."""
    edge = _ngram.SEP + run + _ngram.SEP
    # How attested the written and the proposed characters are next to their neighbours: cheap
    # (four look-ups a change), so it is asked first.
    c2 = charlm.c2
    new_text = list(edge)
    for pos, new in changes:
        new_text[pos + 1] = new
    written_pairs = proposed_pairs = 0.0
    for pos, _ in changes:
        k = pos + 1
        written_pairs += _LOG1P[min(c2.get(edge[k - 1:k + 1], 0), _LOG1P_MAX)] + \
            _LOG1P[min(c2.get(edge[k:k + 2], 0), _LOG1P_MAX)]
        proposed_pairs += _LOG1P[min(c2.get(new_text[k - 1] + new_text[k], 0), _LOG1P_MAX)] + \
            _LOG1P[min(c2.get(new_text[k] + new_text[k + 1], 0), _LOG1P_MAX)]
    if proposed_pairs < written_pairs - PAIR_SLACK:
        return None
    padded = edge
    context_gain = 0.0
    for n, (pos, new) in enumerate(changes):  # applied one after the other: the second sees the first
        k = pos + 1
        if n == 0 and base_cache is not None:
            base = base_cache.get(k)
            if base is None:
                base = base_cache[k] = charlm.local(padded, k, padded[k])
        else:
            base = charlm.local(padded, k, padded[k])
        context_gain += charlm.local(padded, k, new) - base
        padded = padded[:k] + new + padded[k + 1:]
    if context_gain < MIN_CONTEXT_GAIN:
        return None
    first, last = changes[0][0], changes[-1][0]
    lo, hi = max(0, first - WINDOW), min(len(run), last + WINDOW + 1)
    word_gain = score("".join(new_text[lo + 1:hi + 1])) - score(run[lo:hi])
    c1 = charlm.c1
    written_freq = min(math.log1p(c1.get(run[p], 0)) for p, _ in changes)
    new_freq = min(math.log1p(c1.get(c, 0)) for _, c in changes)
    same = float(all(readings[run[p]][0] & readings[c][0] for p, c in changes))
    listed = float(all(c in lex.confusable.get(run[p], ()) for p, c in changes))
    two = float(len(changes) - 1)
    start, proposed = word
    # Whether the written stretch is itself a word, and how common the proposed word is.
    written_word = math.log1p(lex.freq.get(run[start:start + len(proposed)], 0))
    proposed_word = math.log1p(lex.freq.get(proposed, 0))
    return (context_gain, word_gain, two, written_freq, new_freq, same, listed, written_word, proposed_word,
            written_pairs, proposed_pairs)


# log1p of small counts, looked up (the pair test runs for every proposal).
_LOG1P_MAX = 4095
_LOG1P = [math.log1p(min(i, _LOG1P_MAX)) for i in range(_LOG1P_MAX + 1)]


FEATURES = ("context_gain", "word_gain", "two_changes", "written_char_freq", "proposed_char_freq",
            "same_sound", "listed_confusable", "written_word_freq", "proposed_word_freq",
            "written_pairs", "proposed_pairs")
# The fitted model: gradient-boosted decision trees over FEATURES, written by
# bench/fit_soundalike.py (data, like the word lists).
MODEL_PATH = LEXICON_DIR.parent / "models" / "soundalike.json"


@dataclass(frozen=True)
class TreeModel:
    """A sum of regression trees and a bias, read as a log odds. Each tree is five parallel
    lists (feature, threshold, left, right, value); a node whose left child is -1 is a leaf,
    and a feature value at or below the threshold goes left (as in scikit-learn, which fits it)."""

    bias: float
    trees: tuple[tuple[list[int], list[float], list[int], list[int], list[float]], ...]
    # Probability a proposal needs to be reported (chosen by the fit, stored with the trees).
    threshold: float = 0.5

    def log_odds(self, f: tuple[float, ...]) -> float:
        z = self.bias
        for feature, threshold, left, right, value in self.trees:
            i = 0
            while left[i] >= 0:
                i = left[i] if f[feature[i]] <= threshold[i] else right[i]
            z += value[i]
        return z

    def probability(self, f: tuple[float, ...]) -> float:
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, self.log_odds(f)))))


def read_model(path: Path | None = None) -> TreeModel:
    """The model file (MODEL_PATH unless given), checked: a damaged or foreign file is an error
    naming the file, never a silent change of what is reported."""
    path = path or MODEL_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("features") != list(FEATURES):
            raise ValueError(f"features {data.get('features')} are not {list(FEATURES)}")
        trees = []
        for t in data["trees"]:
            nodes = (list(map(int, t["feature"])), list(map(float, t["threshold"])), list(map(int, t["left"])),
                     list(map(int, t["right"])), list(map(float, t["value"])))
            if len({len(x) for x in nodes}) != 1 or not nodes[0]:
                raise ValueError("a tree's lists differ in length")
            size = len(nodes[0])
            if any(not (-1 <= c < size) for c in nodes[2] + nodes[3]) or any(
                    nodes[2][i] >= 0 and not 0 <= nodes[0][i] < len(FEATURES) for i in range(size)):
                raise ValueError("a tree points outside itself")
            if any(0 <= c <= i for i, c in enumerate(nodes[2])) or any(0 <= c <= i for i, c in enumerate(nodes[3])):
                raise ValueError("a tree's children must follow their parent")  # no loops
            if any((left >= 0) != (right >= 0) for left, right in zip(nodes[2], nodes[3], strict=True)):
                raise ValueError("a tree's inner node lacks a child")
            trees.append(nodes)
        threshold = float(data["threshold"])
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold {threshold} is not a probability")
        return TreeModel(float(data["bias"]), tuple(trees), threshold)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RuntimeError(f"同音词模型文件 {path} 无法读取 / cannot read the sound-alike model {path}: {exc}") from None


@dataclass
class SoundAlike:
    """What the pass needs besides the lexicon: the sound index, the fitted trees and the
    characters' readings. Loaded once (audits/_models.py) and handed to ``find``."""

    index: dict[str, tuple[str, ...]]
    ranker: TreeModel
    readings: Readings

    @classmethod
    def load(cls, lex: Lexicon) -> SoundAlike:
        return cls(sound_index(lex), read_model(), Readings())


def find(run: str, lex: Lexicon, charlm: _ngram.CharModel, score: Callable[[str], float],
         taken: set[int], settled: set[int] | frozenset[int], pass_: SoundAlike) -> Iterator[Proposal]:
    """The confident proposals of a run, best first, none touching ``taken`` (positions other
    passes flagged) or each other's neighbours (a slip is one place, not two next to each other),
    and none changing a ``settled`` position (inside a word that is right by definition)."""
    index, ranker, readings = pass_.index, pass_.ranker, pass_.readings
    edge = _ngram.SEP + run + _ngram.SEP
    c2 = charlm.c2
    log1p, top = _LOG1P, _LOG1P_MAX
    # The written characters' pair support, once per position (see features()).
    written = [log1p[min(c2.get(edge[k - 1:k + 1], 0), top)] + log1p[min(c2.get(edge[k:k + 2], 0), top)]
               for k in range(1, len(edge) - 1)]
    scored = []
    base_cache: dict[int, float] = {}
    for changes, word in proposals(run, lex, index, readings).items():
        if settled and any(p in settled for p, _ in changes):
            continue  # inside a word that is right by definition (Proofreader._settled)
        if len(changes) == 1:
            # Most proposals change one character: reject the hopeless ones by their pair
            # support before building anything (features() repeats the test for the rest).
            pos, new = changes[0]
            if (log1p[min(c2.get(edge[pos] + new, 0), top)] + log1p[min(c2.get(new + edge[pos + 2], 0), top)]
                    < written[pos] - PAIR_SLACK):
                continue
        f = features(run, changes, word, lex, charlm, score, base_cache, readings)
        if f is None:
            continue
        p = ranker.probability(f)
        if p >= ranker.threshold:
            scored.append((p, changes))
    for p, changes in select(scored, taken):
        yield Proposal(changes, p)


def select(scored: list[tuple[float, Changes]], taken: Iterable[int]) -> Iterator[tuple[float, Changes]]:
    """The proposals to report, most probable first (ties by position, the same every night),
    none touching ``taken`` or a position next to one already chosen: a slip is one place, and
    the second of two neighbouring proposals is usually an echo of the first. Shared with
    bench/fit_soundalike.py, so the fit measures exactly what is reported."""
    blocked = {q for t in taken for q in (t - 1, t, t + 1)}
    for p, changes in sorted(scored, key=lambda pc: (-pc[0], pc[1])):
        positions = [q for q, _ in changes]
        if blocked.intersection(positions):
            continue
        blocked.update(q for pos in positions for q in (pos - 1, pos, pos + 1))
        yield p, changes
