"""The proofreading engine: typos (错别字), serious wording errors and outdated names in a text.

Shared by the four text audits and by ``zhaocuo check-text``. Precision comes first: a unit
that receives a wrong finding stops reading, so a character is reported only when

- a curated misspelling of official writing matches (config/lexicon/confusions.txt, the
  profile's ``[text].confusions``), or
- a character language model of official text (audits/_lm.py, KenLM) finds the sentence far
  more probable with a same-sound or same-shape character in its place (audits/_lmcheck.py),
  the change needing more evidence where it would break a known word, less where it completes
  one, and never touching names, places, organisations and quoted titles (audits/_protect.py)
  or the site's own words, or
- (``[text] thorough``) the sound-alike pass (audits/_soundalike.py) is confident.

How much evidence a change needs is the operating point (``POINTS``): "audit" for the nightly
site audit, precision first; "draft" for ``check-text`` on a text about to be published. Every
setting of a point can be changed by the profile (``[text] lm_threshold``, ``[text] lm_tuning``,
docs/profile.md). The models and word lists come from audits/_models.py, loaded once by
whoever starts the work and handed in. A pycorrector MacBERT model is used as well only when
``[text].macbert_dir`` names a local folder (nothing can be downloaded).
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from audits import _lexicon, _lm, _serious, _soundalike
from audits._lexicon import MAX_WORD
from audits._lmcheck import LMChecker
from audits._models import Models
from audits._outdated import find_outdated
from zhaocuo.core.profile import Leader, Profile

log = logging.getLogger("zhaocuo.proofread")

# Lengths of the words a candidate character must complete.
LENGTHS = (2, 3, 4)
# Distinct windows remembered (memory bound; the memo restarts when full).
RUN_CACHE = 200_000
# Lines longer than this are checked in pieces of this size (bounded time per line).
MAX_LINE = 20000

# The language-model pass's two operating points (audits/_lmcheck.py; log10 probability).
# "audit": the nightly site audit, precision first (tuned on real pages: at 5.0 every typo finding
# left on the three saved sites was a real slip; 4.5 let six false alarms through on one of them);
# "draft": check-text on a text about to be published, which may flag more (tuned on the even
# lines of odw.train; on clean official text it flags a few per thousand characters). Each key can be set by the profile's ``[text]
# lm_tuning`` (``threshold`` also by ``[text] lm_threshold``):
# - ``threshold``: the gain a change must reach;
# - ``screen``: only characters the model scores below this (or whose next one it does) are tried;
# - ``word``: the penalty of a change to a character inside a known word of the text as written;
# - ``nonword``: the bonus of a change that turns a stretch that is no known word into one;
# - ``other``: the penalty of a look-alike that completes no dictionary word with its neighbours
#   (negative: such look-alikes are not tried at all);
# - ``lookalike``: the extra penalty of a weaker look-alike (Lexicon.lookalikes: other readings,
#   fuzzy sounds, shapes one component apart; negative: not tried at all);
# - ``site_bonus``: the bonus of a look-alike that completes one of the site's own frequent terms
#   of three or four characters (临缁区 on a site that writes 临淄区 a hundred times);
# - ``site_ratio``: a form written on this many times more distinct lines of the site than its
#   look-alike is the site's own word, not a typo;
# - ``max_fixes``: corrections per sentence at most.
# Where a typo is, is decided among the look-alikes above; what it should become is chosen again
# afterwards, with the sentence's other corrections in place, among a wider set (LMChecker._correct,
# ``_corrections``): the positions found never change, only the suggestion. The penalties there:
# - ``fix_shape``: of a same-shape character (a same-sound one has none);
# - ``fix_weak``: of a weaker look-alike (as ``lookalike`` above);
# - ``fix_free``: of any other common character that completes a dictionary word with the
#   neighbours (保剑 -> 保险: 险 neither sounds nor is listed like 剑; negative: never proposed, as
#   at the nightly point, whose suggestions stay look-alikes);
# - ``fix_other``: added for a look-alike that completes no word.
# Chosen on the even lines of odw.train (corpora model: right correction 0.807 -> 0.824), measured
# on the odd lines (0.819 -> 0.849; default model 0.716 -> 0.731).
POINTS: dict[str, dict[str, float]] = {
    "audit": {"threshold": 5.0, "screen": -3.0, "word": 1.5, "nonword": 0.0, "other": -1.0, "lookalike": -1.0,
              "site_bonus": 2.0, "site_ratio": 1.0, "max_fixes": 3.0,
              "fix_shape": 0.0, "fix_weak": 2.0, "fix_free": -1.0, "fix_other": 1.0},
    "draft": {"threshold": 1.5, "screen": -2.8, "word": 0.3, "nonword": 0.5, "other": 1.0, "lookalike": 2.0,
              "site_bonus": 2.0, "site_ratio": 1.0, "max_fixes": 3.0,
              "fix_shape": 0.0, "fix_weak": 1.5, "fix_free": 3.5, "fix_other": 1.0},
}
TUNING_KEYS = tuple(POINTS["audit"])
# A character standing alone is no word when the dictionaries count it fewer times than this
# as a word of its own (局 in 大数局: 4,001; 及, 或, 之 are words: 50,000 and more).
NONWORD_MAX_FREQ = 5000
# ... and one counted at least this many times is a word of its own.
STANDALONE_FREQ = 20000

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_FORMAL_NUMERALS = frozenset("零壹贰叁肆伍陆柒捌玖拾佰仟")
# Ends a candidates key whose window starts at the sentence (_lm_candidates): white space is
# never a token (audits/_lm.py).
_HOLE_MARK = ("\t", "\n", "\r")
_MISSING = object()
_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,10})\s*[〔［\[（(【]\s*(?:19|20)\d\d\s*[〕］\]）)】]\s*\d{1,5}\s*号")


@dataclass
class TextError:
    start: int
    text: str
    suggestion: str
    audit: str  # typo | serious_error | outdated_expression
    rule: str = ""  # why: confusion | lm | soundalike | leader | leader_title | formulation | outdated | macbert
    score: float = 0.0  # rule lm: the log10 probability the correction gains (after penalties)

    def contract(self) -> dict[str, object]:
        """The four keys ``check-text`` prints (CONTRACT.md)."""
        return {"start": self.start, "text": self.text, "suggestion": self.suggestion, "audit": self.audit}

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def point_settings(profile: Profile | None, point: str | None = None) -> dict[str, float]:
    """The operating point's settings with the profile's ``[text] lm_tuning`` and
    ``lm_threshold`` applied. ``point``: the profile's ``[text] operating_point`` unless given."""
    point = point or (profile.text.operating_point if profile else "audit")
    if point not in POINTS:
        raise ValueError(f"text.operating_point: {point!r} is not one of {', '.join(POINTS)}")
    cfg = dict(POINTS[point])
    if profile:
        for key, value in profile.text.lm_tuning.items():
            if key not in cfg:
                raise ValueError(f"text.lm_tuning.{key}: unknown key (known: {', '.join(TUNING_KEYS)})")
            cfg[key] = float(value)
        if profile.text.lm_threshold:
            cfg["threshold"] = profile.text.lm_threshold
    return cfg


def lm_path(profile: Profile | None) -> Path:
    """The profile's ``[text] lm`` (relative to the profile), else the install-time model."""
    if profile and profile.text.lm:
        return profile.resolve_path(profile.text.lm)
    return _lm.default_path()


def load_lm(profile: Profile | None, models: Models | None = None) -> _lm.LanguageModel:
    """The language model the profile names. A missing or unreadable file raises _lm.LMError
    naming ``text.lm`` and the file."""
    path = lm_path(profile)
    if not (profile and profile.text.lm) and not path.is_file():
        raise _lm.LMError(f"text.lm: 未找到安装时生成的默认语言模型 the default language model is missing: {path} "
                          "（运行 make 生成 run make to build it）")
    return models.lm(path) if models is not None else _lm.LanguageModel(path)


class Proofreader:
    """Checks lines of text. Build one per run (audits/_maintext.py) or per check-text call and
    reuse it; ``models`` (audits/_models.py) is shared by every proofreader built from it.

    ``site_freq``: the site's own frequent terms with their counts (see _maintext.site_terms):
    they are known words, and a rare one-character variant of one of them is a likely typo.
    ``leaders``: (title, name) pairs whose misspelling is a serious error.
    ``point``: the operating point (the profile's ``[text] operating_point`` unless given);
    ``tuning``: settings of the point to override (a benchmark's flags; the profile's
    ``[text] lm_tuning`` comes first).
    """

    def __init__(self, profile: Profile | None = None, site_freq: Mapping[str, int] | None = None,
                 leaders: Iterable[Leader] = (), models: Models | None = None, thorough: bool | None = None,
                 point: str | None = None, lm: _lm.LanguageModel | None = None,
                 tuning: Mapping[str, float] | None = None) -> None:
        self.models = models or Models()
        self.lex = self.models.lexicon
        # The sound-alike pass (audits/_soundalike.py, the profile's ``[text].thorough`` unless
        # ``thorough`` says otherwise).
        if thorough is None:
            thorough = bool(profile and profile.text.thorough)
        self.soundalike = thorough
        # Loaded (about two seconds) and checked now: a damaged model file stops the run at
        # its start, not halfway through the pages.
        self._soundalike_pass = self.models.soundalike() if thorough else None
        self.charlm = self.models.charlm() if thorough else None
        # The language model pass (audits/_lmcheck.py) at the operating point ("audit" for the
        # nightly run; check-text passes "draft").
        self.point = point or (profile.text.operating_point if profile else "audit")
        cfg = point_settings(profile, self.point)
        for key, value in (tuning or {}).items():
            if key not in cfg:
                raise ValueError(f"unknown operating-point setting {key!r} (known: {', '.join(TUNING_KEYS)})")
            cfg[key] = float(value)
        self.settings = cfg
        self.lm = lm or load_lm(profile, self.models)
        self.lmcheck = LMChecker(self.lm, self._lm_candidates, threshold=cfg["threshold"], screen=cfg["screen"],
                                 max_fixes=int(cfg["max_fixes"]), corrections=self._corrections)
        self._cand_cache: dict[str, list[tuple[str, float]]] = {}
        self._han_cut_memo: dict[tuple[int, int, tuple[int, ...]], tuple[tuple[slice, ...], tuple[slice, ...]]] = {}
        # A character's look-alikes that may complete one of the site's terms (_window_candidates).
        self._site_cands: dict[str, frozenset[str]] = {}
        self._window_memo: dict[tuple[int, int], tuple[list[tuple[int, int]], tuple[slice, ...],
                                                       tuple[slice, ...]]] = {}
        self.names = self.models.names
        self.words = self.models.words
        self._word_penalty = cfg["word"]
        self._nonword_bonus = cfg["nonword"]
        self._other_penalty = cfg["other"] if cfg["other"] >= 0 else None
        self._lookalike_penalty = cfg["lookalike"] if cfg["lookalike"] >= 0 else None
        self._site_bonus = cfg["site_bonus"]
        self._site_ratio = cfg["site_ratio"]
        self._sound_of: dict[str, frozenset[str]] = {}
        by_sound: dict[str, set[str]] = {}
        for c, snd in (self.lex.char_sound or {}).items():
            by_sound.setdefault(snd, set()).add(c)
        self._by_sound = {k: frozenset(v) for k, v in by_sound.items()}
        self.extra: dict[str, int] = {}
        self.protected: set[str] = set()
        self.ignore: list[str] = []
        self.confusions = dict(self.lex.confusions)
        self.outdated = list(self.lex.outdated)
        self.site_terms: set[str] = set()
        self.site_count: dict[str, int] = dict(site_freq or {})
        self.site_completions: dict[str, str | frozenset[str]] = {}
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
        # The most a look-alike's penalty can be below zero (_window_candidates): the LM pass
        # skips characters that could not clear the threshold even so.
        self.lmcheck.bonus = (max(0.0, -self._word_penalty, self._nonword_bonus)
                              + (max(0.0, self._site_bonus) if self.site_completions else 0.0))
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
        # The sound-alike pass's word model: the log probability of each word, the segmenter's
        # one look-up per candidate word, with the profile's and the site's words added.
        self.logp: dict[str, float | None] = {}
        if thorough:
            self.logp = self.models.logp()
            if self.extra:
                self.logp = dict(self.logp)
                for w, f in self.extra.items():
                    self.logp[w] = max(self.logp.get(w) or -1e9, math.log(f) - self.lex.log_total)
                _lexicon.add_prefixes(self.logp, list(self.extra))
        self._unknown = -self.lex.log_total  # a character that is no word: frequency 1
        self._conf_re = _lexicon.alternation(self.confusions)
        # A line that holds none of the old names cannot hold an outdated one (None: every
        # line is read, as with an empty name, which would match anywhere).
        self._outdated_screen = (_lexicon.alternation(old for old, _, _ in self.outdated)
                                 if all(old for old, _, _ in self.outdated) else None)
        self._protect_re = _lexicon.alternation(self.protected)
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
        found += _serious.find_serious(text, self.lex, self.leaders, titled, self._own)
        if outdated and (self._outdated_screen is None or self._outdated_screen.search(text)):
            found += find_outdated(text, self.outdated, page_date)
        for m in self._conf_re.finditer(text) if self._conf_re else ():
            found.append(TextError(m.start(), m.group(), self.confusions[m.group()], "typo", "confusion"))
        taken = _cover(found)
        for e in self._model_typos(text, quiet):
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
        spans = [m.span(1) for m in _DOC_NUMBER.finditer(text)] if "号" in text else []
        for w in self.ignore:
            start = text.find(w)
            while start >= 0:
                spans.append((start, start + len(w)))
                start = text.find(w, start + 1)
        return spans

    def _model_typos(self, text: str, quiet: list[tuple[int, int]]) -> Iterator[TextError]:
        """Typos the language model finds (audits/_lmcheck.py), outside names, places and
        titles (audits/_protect.py), the ``quiet`` spans (``_quiet_spans``) and the site's own
        words (``_site_word``)."""
        if not _HAN_RUN.search(text):
            return  # both passes read Han characters only: no names to look for either
        protected = _cover_matches(self._protect_re, text) if self._protect_re else set()
        # A name or place is left alone unless the site itself writes it otherwise (临缁区 on a
        # site that writes 临淄区 a hundred times is a slip, not another district).
        persons, others = self.names.spans_by_kind(text)
        protected |= persons | {p for p in others if not self._site_variant(text, p)}
        for start, end in quiet:
            protected.update(range(start, end))
        for f in self.lmcheck.check(text, protected):
            # Judged against the look-alike that found it, so naming another correction
            # (LMChecker._correct) never changes what is reported.
            if not self._site_word(text, f.start, f.seen):
                yield TextError(f.start, f.wrong, f.right, "typo", "lm", round(f.gain, 3))
        if self._soundalike_pass is not None:
            assert self.charlm is not None
            for m in _HAN_RUN.finditer(text):
                s = m.group()
                settled = self._settled_positions(s) | {p - m.start() for p in protected if m.start() <= p < m.end()}
                for prop in _soundalike.find(s, self.lex, self.charlm, self._score, set(), settled,
                                             self._soundalike_pass):
                    first, last = prop.changes[0][0], prop.changes[-1][0]
                    right = list(s[first:last + 1])
                    for pos, new in prop.changes:
                        right[pos - first] = new
                    yield TextError(m.start() + first, s[first:last + 1], "".join(right), "typo", "soundalike")

    # -- the language-model pass -------------------------------------------------------------
    def _lm_candidates(self, toks: list[str], i: int) -> list[tuple[str, float]]:
        """Look-alikes of token ``i`` (tokens are single characters) worth trying, with the
        penalty (log10) each must overcome: those that complete a dictionary word with their
        neighbours first; at the "draft" point the others too, at a penalty (``POINTS``)."""
        ch = toks[i]
        if ch in _FORMAL_NUMERALS:
            return []  # 壹贰叁: written so on purpose
        # The answer depends on the three tokens each side only: remembered (bounded). Past the
        # third token the window's fourth character is the one asked about; nearer the start
        # the key says which (a tab, newline or carriage return: never a token).
        if i >= 3:
            window = key = "".join(toks[i - 3:i + 4])
            hole = 3
        else:
            window = "".join(toks[:i + 4])
            key, hole = window + _HOLE_MARK[i], i
        got = self._cand_cache.get(key)
        if got is None:
            if len(self._cand_cache) >= RUN_CACHE:
                self._cand_cache.clear()
            got = self._cand_cache[key] = self._window_candidates(window, hole)
        return got

    def _window_candidates(self, s: str, i: int) -> list[tuple[str, float]]:
        """``_lm_candidates`` of character ``i`` of the window ``s`` (three characters each side)."""
        ch = s[i]
        lex = self.lex
        cands = lex.confusable.get(ch) or self._rare_sound(ch)
        weak = (lex.lookalikes.get(ch) if lex.lookalikes is not None and self._lookalike_penalty is not None
                else frozenset())
        site_comp = self.site_completions
        if not (cands or weak or site_comp):
            return []
        _, cuts, long_cuts = self._cuts(i, len(s))
        # Dictionary and site words are Han characters only: a stretch across punctuation or a
        # digit is looked up in neither (written text outside a sentence's Han runs is common).
        key_cuts, key_long_cuts = (cuts, long_cuts) if s.isalpha() else self._han_cuts(s, i)
        masked = s[:i] + "?" + s[i + 1:]  # a window of it with the hole is a completions key
        hits = [hit for hit in map(lex.completions.get, map(masked.__getitem__, key_cuts)) if hit]
        site_hits = ([hit for hit in map(site_comp.get, map(masked.__getitem__, key_long_cuts))
                      if hit and (len(hit) > 1 or hit != ch)] if site_comp else [])
        if not (hits or site_hits) and self._other_penalty is None:
            return []  # nothing completes a word here, and only what does is tried (most characters)
        options: set[str] = set()
        weak_options: set[str] = set()
        for hit in hits:
            options.update(cands.intersection(hit))
            if weak:
                weak_options.update(weak.intersection(hit))
        options.discard(ch)
        weak_options -= options
        weak_options.discard(ch)
        site_options: set[str] = set()
        if site_hits:
            # The site's own terms may use rare characters (淄): any same-sound or same-shape
            # character may complete them.
            site_cands = self._site_cands.get(ch)
            if site_cands is None:
                site_cands = self._site_cands[ch] = (cands | weak | lex.same_sound.get(ch, frozenset())
                                                     | lex.same_shape.get(ch, frozenset()))
            for hit in site_hits:
                site_options.update(site_cands.intersection(hit))
            site_options.discard(ch)
        if self._other_penalty is None and not (options or weak_options or site_options):
            return []
        # A change inside a known word as written needs more evidence; one that turns a non-word
        # into a word (大数局 → 大数据) less; one that makes the site's own term still less.
        alone = lex.freq.get(ch, 0)
        # A frequent word of one character (及, 或) is a word too: changing it is a choice of
        # wording more often than a slip.
        in_word = alone >= STANDALONE_FREQ or any(map(self.words.__contains__, map(s.__getitem__, cuts)))
        nonword = not in_word and alone < NONWORD_MAX_FREQ
        base = self._word_penalty if in_word else -self._nonword_bonus if nonword else 0.0
        out = {c: base for c in options}
        if weak_options:
            assert self._lookalike_penalty is not None
            for c in weak_options:
                out[c] = base + self._lookalike_penalty
        for c in site_options:
            out[c] = min(out.get(c, base), base - self._site_bonus)
        if self._other_penalty is not None:
            other = (self._word_penalty if in_word else 0.0) + self._other_penalty
            for c in cands - out.keys() - {ch}:
                out[c] = other
            if weak:
                assert self._lookalike_penalty is not None
                for c in weak - out.keys() - {ch}:
                    out[c] = other + self._lookalike_penalty
        return sorted(out.items())

    def _corrections(self, toks: list[str], i: int) -> list[tuple[str, float]]:
        """What a found typo at token ``i`` may have been meant as (audits/_lmcheck.py
        ``LMChecker._correct``), with the penalty each must overcome: a common character that
        sounds the same none, one of the same shape ``fix_shape``, a weaker look-alike
        (``Lexicon.lookalikes``) ``fix_weak``, any other common character that completes a
        dictionary word with the neighbours ``fix_free`` (negative: not tried); a look-alike that
        completes no word ``fix_other`` more, one that completes one of the site's terms
        ``site_bonus`` less."""
        ch = toks[i]
        lo = max(0, i - 3)
        s = "".join(toks[lo:i + 4])
        j = i - lo
        lex, cfg = self.lex, self.settings
        common = lex.lookalikes.common if lex.lookalikes is not None else frozenset(lex.confusable)
        sound = ((lex.same_sound.get(ch) or frozenset()) & common) | self._rare_sound(ch)
        shape = (lex.same_shape.get(ch) or frozenset()) & common
        weak = lex.lookalikes.get(ch) if lex.lookalikes is not None else frozenset()
        lookalike = sound | shape | weak
        completes: set[str] = set()
        site: set[str] = set()
        masked = s[:j] + "?" + s[j + 1:]
        for a, b in self._windows(j, len(s)):
            hit = lex.completions.get(masked[a:b])
            if hit:
                completes.update(hit)
            if self.site_completions and b - a >= 3:
                hit = self.site_completions.get(masked[a:b])
                if hit:
                    site.update(hit)
        if site:
            # The site's own terms may use rare characters (淄), as in ``_window_candidates``.
            site &= lookalike | (lex.same_sound.get(ch) or frozenset()) | (lex.same_shape.get(ch) or frozenset())
        free = cfg["fix_free"]
        out: dict[str, float] = {}
        for c in lookalike | site | (completes & common if free >= 0 else frozenset()):
            if c == ch:
                continue
            pen = (0.0 if c in sound else cfg["fix_shape"] if c in shape else cfg["fix_weak"] if c in weak
                   else 0.0 if c in site else free)
            if c in site:
                pen -= self._site_bonus
            elif c not in completes:
                pen += cfg["fix_other"]
            out[c] = pen
        return sorted(out.items())

    def _windows(self, i: int, n: int) -> list[tuple[int, int]]:
        """(start, end) of every stretch of LENGTHS characters of a text of length ``n`` that
        holds position ``i`` (remembered per (i, n): windows are seven characters at most)."""
        return self._cuts(i, n)[0]

    def _cuts(self, i: int, n: int) -> tuple[list[tuple[int, int]], tuple[slice, ...], tuple[slice, ...]]:
        """``_windows(i, n)``, the same as slices, and the slices of three characters or more
        (the site's terms): cut from a string in one C call each (``map(s.__getitem__, ...)``)."""
        got = self._window_memo.get((i, n))
        if got is None:
            windows = [(j, j + length) for length in LENGTHS
                       for j in range(max(0, i - length + 1), min(i, n - length) + 1)]
            got = self._window_memo[(i, n)] = (windows, tuple(slice(a, b) for a, b in windows),
                                               tuple(slice(a, b) for a, b in windows if b - a >= 3))
        return got

    def _han_cuts(self, s: str, i: int) -> tuple[tuple[slice, ...], tuple[slice, ...]]:
        """``_cuts(i, len(s))``'s slices (all, and of three characters or more) less those across
        a character of ``s`` other than ``i`` that is no letter (punctuation, a digit): the
        stretches that may be dictionary or site words with ``i`` hidden (remembered per place of
        such characters)."""
        bad = tuple(p for p, c in enumerate(s) if p != i and not c.isalpha())
        key = (i, len(s), bad)
        got = self._han_cut_memo.get(key)
        if got is None:
            windows = [(a, b) for a, b in self._cuts(i, len(s))[0] if not any(a <= p < b for p in bad)]
            got = self._han_cut_memo[key] = (tuple(slice(a, b) for a, b in windows),
                                             tuple(slice(a, b) for a, b in windows if b - a >= 3))
        return got

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
                if written and count.get(gram[:i - j] + right + gram[i - j + 1:], 0) * self._site_ratio < written:
                    return True
        return False

    def _settled_positions(self, s: str) -> set[int]:
        """Positions of ``s`` inside an occurrence of a settled word (see ``_settled``)."""
        settled, longest = self._settled, min(self._settled_max, len(s))
        out: set[int] = set()
        for i in range(len(s) - 1):
            for j in range(i + 2, min(len(s), i + longest) + 1):
                if s[i:j] in settled:
                    out.update(range(i, j))
        return out


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


def engine_settings(checker: Proofreader) -> dict[str, object]:
    """What shaped the findings, for summary.json: the engine, the operating point and its
    settings, and the language model file with its size and SHA-256."""
    path = checker.lm.path
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return {"engine": "thorough" if checker.soundalike else "default", "operating_point": checker.point,
            "settings": dict(checker.settings), "lm": str(path), "lm_bytes": path.stat().st_size,
            "lm_sha256": digest.hexdigest()}


def check_text_lines(lines: Iterable[str], profile: Profile | None, thorough: bool | None = None,
                     point: str = "draft", models: Models | None = None,
                     tuning: Mapping[str, float] | None = None) -> Iterator[list[dict]]:
    """What ``zhaocuo check-text`` prints: one list of errors per input line, in order.

    A draft is current text, so outdated names are always reported here. ``thorough``
    overrides the profile's ``[text].thorough`` (``--thorough`` on the command line); ``point``
    is the language model's operating point (a draft: "draft", which flags more; see POINTS).
    """
    checker = Proofreader(profile, thorough=thorough, point=point, models=models, tuning=tuning)
    for line in lines:
        yield [e.contract() for e in checker.check(line)]
