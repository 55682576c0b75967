"""Serious wording errors (严重表述错误): a leader's name, the country's name, state organs and
core political formulations written with one wrong character.

A variant is reported only when it differs from the correct form in exactly one character
and that character sounds or looks like the right one ("中华人民共合国", "习近平新时代中国特
色社会主义思像"): a different but legitimate phrase ("党的十九大精神" beside "党的二十大精神")
differs in more than that, and a real word that merely shares characters is not a variant.
A leader's name is checked only next to the leader's title ("区长王建困"), because a person
whose name merely resembles a leader's (王建军, or 王建果 who is not the 区长) is not an error.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from audits._lexicon import Lexicon, is_han

if TYPE_CHECKING:
    from audits._proofread import TextError

# Words that stand next to a leader's name in place of or beside the title.
_NAME_NEIGHBOURS = ("同志",)
# How far (characters) a title may stand from the name ("区长、区政府党组书记王建国").
TITLE_GAP = 12


def _alike(lex: Lexicon, right: str, wrong: str) -> bool:
    return is_han(wrong) and wrong != right and (
        wrong in lex.same_sound.get(right, ()) or wrong in lex.same_shape.get(right, ())
        or wrong in lex.confusable.get(right, ()))


def one_char_variants(text: str, phrase: str, lex: Lexicon) -> list[tuple[int, int, str]]:
    """(start, index of the wrong character, wrong text) for each window of ``text`` that is
    ``phrase`` with exactly one character replaced by a look-alike or sound-alike."""
    n = len(phrase)
    if n < 3:
        return []
    h = n // 2
    starts: set[int] = set()
    for anchor, shift in ((phrase[:h], 0), (phrase[h:], h)):
        i = text.find(anchor)
        while i >= 0:
            s = i - shift
            if s >= 0 and s + n <= len(text):
                starts.add(s)
            i = text.find(anchor, i + 1)
    out = []
    for s in sorted(starts):
        window = text[s:s + n]
        diffs = [k for k in range(n) if window[k] != phrase[k]]
        if len(diffs) == 1 and _alike(lex, phrase[diffs[0]], window[diffs[0]]):
            out.append((s, diffs[0], window))
    return out


def find_serious(text: str, lex: Lexicon, leaders: list[tuple[str, str]]) -> list[TextError]:
    from audits._proofread import TextError

    out: list[TextError] = []
    for phrase in lex.formulations:
        if len(phrase) < 4:
            continue  # too short to tell a variant from an ordinary word
        for start, _, window in one_char_variants(text, phrase, lex):
            out.append(TextError(start, window, phrase, "serious_error", "formulation"))
    for title, name in leaders:
        for start, _, window in one_char_variants(text, name, lex) if len(name) >= 3 else _two_char(text, name, lex):
            if _near_title(text, start, start + len(name), title):
                out.append(TextError(start, window, name, "serious_error", "leader"))
    return out


def _two_char(text: str, name: str, lex: Lexicon) -> list[tuple[int, int, str]]:
    """Two-character names: only the given-name character can be wrong (the surname anchors)."""
    if len(name) != 2:
        return []
    out = []
    for m in re.finditer(re.escape(name[0]), text):
        s = m.start()
        window = text[s:s + 2]
        if len(window) == 2 and _alike(lex, name[1], window[1]):
            out.append((s, 1, window))
    return out


def _near_title(text: str, start: int, end: int, title: str) -> bool:
    before = text[max(0, start - TITLE_GAP):start]
    after = text[end:end + TITLE_GAP]
    words = [title] if title else []
    words += list(_NAME_NEIGHBOURS)
    return any(w and (before.endswith(w) or (w in before and _only_titles_between(before, w))
                      or after.startswith(w)) for w in words)


# Words a run of titles is made of ("区委常委、副区长、区政府党组成员").
_TITLE_RUN = re.compile(
    r"(?:[、，,\s]*[\u4e00-\u9fff]{0,6}?(?:书记|常委|委员|成员|区长|县长|市长|镇长|乡长|主任|局长|部长|主席|秘书长|党组|"
    r"副职|同志|领导))*[、，,\s]*")


def _only_titles_between(before: str, title: str) -> bool:
    """"区长、区委常委王建国": the title may be followed by other titles and separators, but not
    by anything else ("区长王建国会见了王建果": 王建果 is not the 区长)."""
    tail = before[before.rfind(title) + len(title):]
    return _TITLE_RUN.fullmatch(tail) is not None
