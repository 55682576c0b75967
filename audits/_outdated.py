"""Outdated agency names (过时表述) in a line of text: where a name abolished by the 2018–2019
institutional reform stands as the name of an agency in current writing.

Most mentions of an old name on a real site are not errors, and a unit told to "correct" them
stops reading (measured on real pages: about 58 of 67 raw matches were false). So a match is
reported only when it is the whole name at its place and the sentence writes it as current:

- the longest name at a place wins: an old name inside a longer name is no match — the
  current 文化广电和旅游局 holds 旅游局, 国家煤矿安全监察局 holds 监察局, 纪检监察部门 holds
  监察部 (what stands before the match must end a place or a clause, see _HEAD_OK; what
  follows must not make it another word, 部门/局面);
- a citation of history is no error: inside 《…》, the issuing organ of a cited document
  (国家工商行政管理局《…规定》, …令第N号, …关于…的通知), a former agency or post (原…, 前…,
  时任…), a sentence dated before the reform, a sentence that also names the successor or
  tells the reform itself (组建, 不再保留, 更名…).
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from audits._proofread import TextError

# A name's last character and the next one forming a word: 局面, 部门 ("农业部门" is no 农业部).
_WORD_AFTER = {"局": "面势限部促域", "部": "门分署位件队落类"}
# What may stand right before a whole agency name: the end of a place or level (区/县/市…, 中华人民
# 共和国, 纪委), punctuation, a digit or letter, or a word that begins a clause or joins names.
# Any other Han character makes the match the tail of a longer name (文化广电旅游局, 安全监察局).
_PLACE_END = "省市县区州旗盟镇乡国委"
_JOINERS = "、与及同或并暨向由到在对经从将把被给为是了的等至赴往请让使报交送即如"
_HEAD_WORDS = ("会同", "联合", "组织", "协调", "配合", "牵头", "包括", "督促", "邀请", "通知", "要求", "其中", "以及")
# 和 joins two names only after a whole name ("文化局和旅游局"); after anything else it is
# inside one ("文化和旅游局", "文化广电和旅游局").
_NAME_END = "局委办部厅署室"
# Clause and sentence ends: the scope of a citation's date or the reform's mention.
_SENTENCE = re.compile(r"[。！？!?；;\n]")
# A former agency or post named on purpose: 原/前/时任…, then at most a place ("原省质量技术监督局",
# "时任县农业局局长", "原国家工商总局"). 原因/原则/原来… are other words.
_FORMER = re.compile(r"(?:原(?![因则来始本有先料告理创地])|前任|时任|曾任|历任|原任|前(?=[省市县区州国]))"
                     r"(?:国家|中华人民共和国|[\u4e00-\u9fff]{0,12}[省市县区州旗盟镇乡])?$")
FORMER_CHARS = 16  # how far before the name a former-agency mark may stand
# The issuing organ of a cited document: 《, an order (令第N号), a document number (〔2016〕), an
# unquoted title (关于…的通知).
_CITED_AFTER = re.compile(r"^(?:[《〈]|令|第\s*\d+\s*号|\s*[〔［\[]\s*(?:19|20)\d\d|"
                          r"关于[^。；;！？]{2,80}?(?:通知|意见|办法|规定|决定|批复|复函|函|通告|公告|报告|方案|细则|规则|标准))")
# A sentence that tells the reform itself (not an error to name what was abolished).
_REFORM = re.compile(r"组建|不再保留|撤销|更名|改名|整合|划入|划转|机构改革|合并|挂牌|前身|现为|现更名|（现|\(现")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*(?:年\s*(?:(\d{1,2})\s*月)?|[-./](\d{1,2})(?!\d))")


def find_outdated(text: str, entries: list[tuple[str, str, date]], page_date: date | None) -> list[TextError]:
    """Abolished agency names written as current (see the module docstring). Entries whose
    reform took effect after ``page_date`` are skipped (an archive rightly uses the old names)."""
    from audits._proofread import TextError

    out: list[TextError] = []
    taken: set[int] = set()
    for old, new, effective in sorted(entries, key=lambda e: -len(e[0])):
        archived = page_date is not None and page_date < effective
        start = text.find(old)
        while start >= 0:
            end = start + len(old)
            span = set(range(start, end))
            if not (span & taken):
                # The span is this name's even when it is not reported: a shorter entry inside a
                # longer old name the sentence cites (原国家旅游局) is no separate match.
                taken |= span
                if not archived and _current_use(text, start, end, old, new, effective):
                    out.append(TextError(start, old, new, "outdated_expression", "outdated"))
            start = text.find(old, start + 1)
    return sorted(out, key=lambda e: e.start)


def _current_use(text: str, start: int, end: int, old: str, new: str, effective: date) -> bool:
    """True when the match at text[start:end] is a whole agency name written as current."""
    if text[end:end + 1] and text[end] in _WORD_AFTER.get(old[-1], ""):
        return False
    if not _whole_name(text, start):
        return False
    lo = max((m.end() for m in _SENTENCE.finditer(text, 0, start)), default=0)
    m = _SENTENCE.search(text, end)
    hi = m.start() if m else len(text)
    sentence = text[lo:hi]
    if _FORMER.search(text[max(lo, start - FORMER_CHARS):start]) or _CITED_AFTER.match(text[end:hi]) or _in_title(text, start, end):
        return False
    if new in sentence or _REFORM.search(sentence):
        return False
    return not any(_year_date(y) < effective for y in _YEAR.finditer(sentence))


def _whole_name(text: str, start: int) -> bool:
    """What precedes ``start`` ends a place, a clause or a joining word, not a longer name."""
    if start == 0:
        return True
    prev = text[start - 1]
    if not "\u4e00" <= prev <= "\u9fff":
        return True
    if prev == "和":
        return start >= 2 and text[start - 2] in _NAME_END
    return prev in _PLACE_END or prev in _JOINERS or text[max(0, start - 2):start] in _HEAD_WORDS


def _in_title(text: str, start: int, end: int) -> bool:
    """Inside a 《…》 title (bounded: a title is short)."""
    opened = text.rfind("《", max(0, start - 60), start)
    return opened >= 0 and "》" not in text[opened:start] and "》" in text[end:end + 60]


def _year_date(m: re.Match[str]) -> date:
    month = int(m.group(2) or m.group(3) or 1)
    return date(int(m.group(1)), month if 1 <= month <= 12 else 1, 1)
