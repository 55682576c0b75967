"""Serious wording errors (严重表述错误): a leader's name, the country's name, state organs and
core political formulations written with one wrong character.

A variant is reported only when it differs from the correct form in exactly one character
and that character sounds or looks like the right one ("中华人民共合国", "习近平新时代中国特
色社会主义思像"): a different but legitimate phrase ("党的十九大精神" beside "党的二十大精神")
differs in more than that, and a real word that merely shares characters is not a variant.
A leader's name is checked only next to the leader's title ("区长王建困"), because a person
whose name merely resembles a leader's (王建军, or 王建果 who is not the 区长) is not an error.
A deputy's title is not the leader's ("副区长王建果" is the deputy's name, not a slip for the
区长's), and a former title ("原区长", "时任区长") names someone who held the post then.

A profile leader (``[[leaders]]``, trusted: the site's own 领导信息 pages are not) is checked
harder: a three-character name one character off right next to the leader's exact title is a
finding whatever the wrong character ("县长李大民" for 县长 李大鸣: typed from memory, the wrong
character need not sound alike). Only right next to it — title then name ("县长李大民"), or name
then title ("李大民县长讲话") — so a list of names after one title, another leader's own name and
a deputy's title stay out of it; and only in the given name (a different surname is a different
person), never for two-character names (one character is half the name).

A profile leader's right name under a title that contradicts the profile ("副区长王建国" when
the profile says 区长 王建国; "区委书记王建国") is a 领导职务错误: see find_wrong_titles for what
counts as a contradiction and what does not (former, proposed, longer and unlisted titles).
"""

from __future__ import annotations

import re
from collections.abc import Collection
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


def one_char_variants(text: str, phrase: str, lex: Lexicon, any_char: bool = False) -> list[tuple[int, int, str]]:
    """(start, index of the wrong character, wrong text) for each window of ``text`` that is
    ``phrase`` with exactly one character replaced by a look-alike or sound-alike (by any Han
    character when ``any_char``)."""
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
        if len(diffs) == 1 and (_alike(lex, phrase[diffs[0]], window[diffs[0]])
                                or (any_char and is_han(window[diffs[0]]))):
            out.append((s, diffs[0], window))
    return out


def find_serious(text: str, lex: Lexicon, leaders: list[tuple[str, str]],
                 titled: list[tuple[str, str]] = (), own: Collection[str] = ()) -> list[TextError]:
    """Serious errors in ``text``. ``leaders``: every (title, name) pair whose name is checked;
    ``titled``: the profile's pairs, whose titles are trusted enough to check (find_wrong_titles)
    and whose names are checked against any wrong character next to the title; ``own``: the
    site's and its units' names
    (an organ before a title that is the site's own, "临淄区区长")."""
    from audits._proofread import TextError

    out: list[TextError] = find_wrong_titles(text, list(titled)) if titled else []
    # A variant has one wrong character, so one half of its formulation stands intact.
    screen = lex.formulation_screen
    halves = lex.formulation_halves if screen is None or screen.search(text) else ()
    for phrase in [p for p, a, b in halves if a in text or b in text]:
        for start, _, window in one_char_variants(text, phrase, lex):
            out.append(TextError(start, window, phrase, "serious_error", "formulation"))
    trusted = set(titled)
    known = {name for _, name in leaders}
    for title, name in leaders:
        if len(name) >= 3:
            variants = one_char_variants(text, name, lex, any_char=(title, name) in trusted and bool(title))
        else:
            variants = _two_char(text, name, lex)
        for start, k, window in variants:
            end = start + len(name)
            if window in known:
                continue  # another leader's own name (a wrong title is find_wrong_titles' case)
            if _alike(lex, name[k], window[k]) and _near_title(text, start, end, title):
                out.append(TextError(start, window, name, "serious_error", "leader"))
            elif k > 0 and _next_to_title(text, start, end, title, own):
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
    """The leader's title (or 同志) right before the name, before it across other titles only
    ("区长、区委常委王建国"), or right after it — not a deputy's title nor a former one."""
    before = text[max(0, start - TITLE_GAP):start]
    after = text[end:end + TITLE_GAP]
    if _former(before):
        return False
    for w in ([title] if title else []) + list(_NAME_NEIGHBOURS):
        if after.startswith(w):
            return True
        i = before.rfind(w)
        while i >= 0:
            if not _deputy(before, i, w) and _TITLE_RUN.fullmatch(before, i + len(w)):
                return True
            i = before.rfind(w, 0, i)
    return False


# What may stand right before a title (or a name written before its title) of the leader's own:
# a word that opens or joins a phrase. Any other Han character ends an organ's name, often
# another place's ("市十五中校长张建军" is not the profile's 校长).
_JOIN = "由和与及同向请对"


def _next_to_title(text: str, start: int, end: int, title: str, own: Collection[str]) -> bool:
    """The leader's exact title right before the name ("县长李大民", "县长：李大民") or right
    after it and closing the phrase ("李大民县长讲话") — not a deputy's nor a former title, and
    with no organ before it but the site's own (``own``: the site's and units' names)."""
    before = text[max(0, start - TITLE_GAP - 12):start].rstrip(" \u3000:：")
    if before.endswith(title):
        organ = _HAN_TAIL.search(before[:-len(title)]).group()
        return (not _deputy(before, len(before) - len(title), title) and not _former(before)
                and (not organ or organ[-1] in _JOIN or any(organ in w for w in own)))
    after = text[end:end + len(title) + 2]
    if not after.startswith(title) or (start > 0 and is_han(text[start - 1]) and text[start - 1] not in _JOIN):
        return False  # "王李大民县长": where the name starts is not clear
    rest = after[len(title):]
    return not rest or not is_han(rest[0]) or rest.startswith(_AFTER_TITLE_FOLLOW)


_HAN_TAIL = re.compile(r"[\u4e00-\u9fff]*$")


def _deputy(before: str, i: int, title: str) -> bool:
    """The title at before[i:] is a deputy's ("副区长" holds 区长), unless the leader's title is
    itself the deputy's."""
    return title != "同志" and not title.startswith("副") and before[i - 1:i] == "副"


# A former or proposed post named on purpose, in the titles right before a name: "原区长",
# "时任区长", "前区长", "拟任副区长".
_FORMER_POST = re.compile(r"原|前任|时任|曾任|历任|离任|卸任|已故|拟|提名|推荐|^前|^老")


def _former(before: str) -> bool:
    return any(_FORMER_POST.search(t) for t in _titles_before(before.rstrip(" \u3000:：")))


# Words a run of titles is made of ("区委常委、副区长、区政府党组成员"): a title may be followed by
# other titles before the name ("区长、区委常委王建国"), but by nothing else ("区长王建国会见了王建果":
# 王建果 is not the 区长).
_TITLE_RUN = re.compile(
    r"(?:[、，,\s]*[\u4e00-\u9fff]{0,6}?(?:书记|常委|委员|成员|区长|县长|市长|镇长|乡长|主任|局长|部长|主席|秘书长|党组|"
    r"副职|同志|领导))*[、，,\s]*")


# -- a right name under a wrong title ("副区长王建国" when the profile says 区长 王建国) ---------
#
# Only the profile's [[leaders]] are trusted for titles: a 领导信息 page line gives one title of
# several ("王建国　区委副书记、区长" yields 副书记) and may itself be stale, and a single-veto
# finding on a guessed title would be a false alarm.
#
# A written title W is compared with every title K the profile gives the name (a name may be
# listed twice with two titles: both are right). It is reported only when it *contradicts* them:
#   - rank: W is K with 副 added or removed ("副区长" for 区长, "区长" for 副区长, "区委副书记"
#     for 区委书记);
#   - the two exclusive heads of a district/county/city: W is the party secretary (区委书记)
#     and K the government head (区长), or the reverse — never one person at these levels.
# A title the profile merely does not list is not a contradiction: the 区长 is usually also
# 区委副书记 and 区政府党组书记, an executive deputy often 区委常委, so those stay quiet.
# A longer form of a right title is right: "区人民政府区长" and "代区长" end with 区长. "代区长"
# (acting head before the people's congress elects him) is accepted on purpose: news written in
# the weeks before the election says so correctly, and 代 does not change the post.
_ROLES = ("秘书长", "检察长", "书记", "区长", "县长", "市长", "镇长", "乡长", "主任", "局长", "部长", "主席",
          "院长", "政委", "厅长", "处长", "科长", "署长", "所长", "站长", "馆长", "校长", "行长", "社长", "队长")
_ROLE_ALT = "|".join(_ROLES)
# A title token ending where the name begins: up to 8 characters of organ ("区人民政府",
# "区人大常委会"), then (常务)副?role. Only Han characters: punctuation ends the token.
_TITLE_BEFORE = re.compile(r"([\u4e00-\u9fff]{0,8}?(?:" + _ROLE_ALT + r"))[ \u3000:：]*$")
# A title written after the name ("王建国副区长讲话"): short organ forms only.
_TITLE_AFTER = re.compile(r"^(?:[区县市镇乡]委)?(?:常务)?副?(?:" + _ROLE_ALT + r")")
# A title after a name across a space or colon ("王建国 区长", "王建国：区长").
_SPACED_TITLE_AFTER = re.compile(r"^[ \u3000\t:：]+(?:[区县市镇乡]委)?(?:常务)?副?(?:" + _ROLE_ALT + r")")
# Marks that the title is not the current one, named on purpose: a former title ("原区长",
# "前任区长", "时任副区长", "离任") or a proposed one in an appointment notice ("拟任副区长",
# "提名", "推荐"). Matched anywhere in the title token, so an organ word that happens to hold one
# of them only makes the check quieter.
_FORMER = re.compile(r"原|前任|前|时任|曾任|历任|离任|卸任|离休|退休|已故|老|拟|提名|推荐")
# What may follow a title written after a name, so that the title is the name's and not the next
# person's ("王建国副区长李红梅…" is ambiguous and left alone).
_AFTER_TITLE_FOLLOW = ("讲话", "主持", "出席", "指出", "强调", "表示", "要求", "在", "一行", "带队", "调研",
                       "参加", "的", "等", "作", "对", "率", "陪同", "会见", "深入", "到", "来", "前往", "走访",
                       "督导", "检查", "宣布", "介绍", "说", "为", "与", "和", "及", "同志", "就")
# The party secretary and the government head of the same level (区委书记 / 区长); another
# level's head ("县委书记王建国" beside the profile's 区长) may be a namesake elsewhere.
_EXCLUSIVE_HEADS = (("区委书记", "区长"), ("县委书记", "县长"), ("市委书记", "市长"))


def _is_principal(title: str, role: str) -> bool:
    return title.endswith(role) and not title[:-len(role)].endswith("副")


def _compatible(w: str, k: str) -> bool:
    """One title is a longer form of the other ("区人民政府区长"/"区长", "常务副区长"/"副区长"), not
    the same role with 副 before it ("区委副书记" is not 区委书记)."""
    if w == k:
        return True
    longer, shorter = (w, k) if len(w) > len(k) else (k, w)
    return longer.endswith(shorter) and longer[-len(shorter) - 1] != "副"


def _toggle_rank(w: str) -> str:
    """The same title one rank up or down: 副区长 <-> 区长, 常务副区长 -> 区长."""
    m = re.search(r"(?:常务)?副(?=(?:" + _ROLE_ALT + r")$)", w)
    if m:
        return w[:m.start()] + w[m.end():]
    m = re.search(r"(?:" + _ROLE_ALT + r")$", w)
    return w[:m.start()] + "副" + w[m.start():] if m else w


def _contradiction(w: str, known: list[str]) -> str | None:
    """The right title when ``w`` contradicts every title in ``known``, else None."""
    if any(_compatible(w, k) for k in known):
        return None
    flipped = _toggle_rank(w)
    for k in known:
        if _compatible(flipped, k):
            return k  # the same post, the wrong rank
    for party, gov in _EXCLUSIVE_HEADS:
        for mine, other in ((party, gov), (gov, party)):
            if _is_principal(w, mine):
                for k in known:
                    if _is_principal(k, other):
                        return k
    return None


def _clean_title(token: str) -> str:
    """The part of a matched token that is the title itself ("会议由区长" -> "区长",
    "区委副书记" stays): the role with 常务/副 and a 区委/县委/市委 right before it."""
    m = re.search(r"(?:[区县市镇乡]委)?(?:常务)?副?(?:" + _ROLE_ALT + r")$", token)
    return m.group() if m else token


def _titles_before(before: str) -> list[str]:
    """The run of titles that ends right before a name ("区长、区委副书记王建国": both)."""
    out = []
    rest = before
    while True:
        m = _TITLE_BEFORE.search(rest)
        if not m:
            return out
        out.append(m.group(1))
        head = rest[:m.start(1)]
        rest = re.sub(r"[、，,\s]+$", "", head)
        if rest == head:
            return out  # no separator: what stands before is not another title of this run


def find_wrong_titles(text: str, leaders: list[tuple[str, str]]) -> list[TextError]:
    """A profile leader's exact name next to a title that contradicts the profile's titles for
    that name. ``leaders``: the profile's (title, name) pairs."""
    titles: dict[str, list[str]] = {}
    for title, name in leaders:
        if title and len(name) >= 2:
            titles.setdefault(name, []).append(title)
    out: list[TextError] = []
    for name, known in titles.items():
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            after = text[end:end + 12]
            err = _wrong_title_before(text, start, end, name, known, after)
            if err is None:
                err = _wrong_title_after(start, end, name, known, after)
            if err is not None:
                out.append(err)
            start = text.find(name, end)
    return out


def _name_ends(name: str, after: str) -> bool:
    """A two-character name must not be the start of a longer one ("李红" in "李红梅")."""
    if len(name) >= 3 or not after or not is_han(after[0]):
        return True
    return after.startswith(_AFTER_TITLE_FOLLOW) or _TITLE_AFTER.match(after) is not None


def _wrong_title_before(text: str, start: int, end: int, name: str, known: list[str],
                        after: str) -> TextError | None:
    from audits._proofread import TextError

    before = text[max(0, start - 30):start]
    run = _titles_before(before)
    if not run or not _name_ends(name, after):
        return None
    gap = before[len(before.rstrip(" \u3000\t:：")):]
    if gap and _SPACED_TITLE_AFTER.match(after):
        # "王建国 区长 李红梅 副区长": a table row read as one line, name then title; the title
        # before a spaced name may be the previous person's, so the pairing is left alone.
        return None
    if any(_FORMER.search(t) for t in run):
        return None  # "原区长王建国", "前任区长": a former title, named on purpose
    if any(_compatible(_clean_title(t), k) for t in run for k in known):
        return None  # one title of the run is right; the others are posts the profile omits
    written = _clean_title(run[0])
    right = _contradiction(written, known)
    if right is None:
        return None
    # The written title and the name exactly as on the page (a space or colon may stand between).
    title_start = before.rfind(written)
    s = max(0, start - 30) + title_start
    return TextError(s, text[s:end], right + name, "serious_error", "leader_title")


def _wrong_title_after(start: int, end: int, name: str, known: list[str],
                       after: str) -> TextError | None:
    from audits._proofread import TextError

    m = _TITLE_AFTER.match(after)
    if not m:
        return None
    rest = after[m.end():]
    if rest and is_han(rest[0]) and not rest.startswith(_AFTER_TITLE_FOLLOW):
        return None  # "王建国副区长李红梅": the title may be the next person's
    written = m.group()
    right = _contradiction(written, known)
    if right is None:
        return None
    return TextError(start, name + written, name + right, "serious_error", "leader_title")
