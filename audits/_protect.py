"""Names, places, organisations and titles: stretches of text the proofreader never changes.

A language model has never seen most proper names: a person's given name, a village, a
product or the title of a campaign is improbable text, and its nearest common look-alike is
always "better" (季书弘 → 技术, 缸窑 → 纲要). So these stretches are found first and left as
written (they still serve as context for the characters around them):

- names the packages' vocabularies know: pycorrector's person and place name lists, and the
  words jieba's dictionary tags as person, place, organisation or other proper names;
- a person's name written beside a title or form of address (李明同志, 局长王建国, 居民张某某)
  or in a list of names (张三、李四、王五);
- a place's name before 镇/村/乡/街道/社区… (凤仪镇, 缸窑村), an organisation's before
  公司/医院/学校/合作社… ;
- quoted titles and terms: 《…》, “…”, 「…」 (a campaign's name, a document's title).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from audits._lexicon import _pkg_dir

# Forms of address and titles after which (or before which) a person's name stands.
_TITLES = ("同志", "先生", "女士", "书记", "副书记", "主任", "副主任", "局长", "副局长", "县长", "副县长", "区长",
           "副区长", "市长", "副市长", "镇长", "副镇长", "乡长", "副乡长", "村长", "主席", "副主席", "部长", "副部长",
           "厅长", "副厅长", "处长", "副处长", "科长", "副科长", "所长", "站长", "队长", "支队长", "大队长", "院长",
           "副院长", "校长", "副校长", "秘书长", "委员", "组长", "副组长", "经理", "董事长", "检察长", "庭长",
           "教授", "老师", "医生", "代表", "总经理", "主委", "干事", "专干", "会计")
_TITLE_ALT = "|".join(sorted(_TITLES, key=len, reverse=True))
# Suffixes of place names: the one or two characters before them are the place's own name.
_PLACE_SUFFIX = ("街道", "社区", "小区", "园区", "开发区", "新区", "大道", "镇", "村", "乡", "县", "区", "市", "省",
                 "州", "旗", "盟", "屯", "寨", "庄", "组", "路", "街", "巷", "湾", "沟", "峪", "坪", "岭", "坝", "河",
                 "湖", "山", "桥", "港", "岛")
# Suffixes of organisations' names (湖南某某百货有限公司, 某某医院): the two characters before
# them are the organisation's own name. (_ORG and _PLACE look ahead for a suffix's first character
# before trying the alternatives one by one: the same matches in a third of the time.)
_ORG_SUFFIX = ("有限公司", "有限责任公司", "股份有限公司", "公司", "集团", "百货", "医院", "卫生院", "诊所", "学校", "中学",
               "小学", "幼儿园", "银行", "酒店", "宾馆", "超市", "商店", "合作社", "工作室", "事务所", "药业", "药房",
               "大药房", "科技", "实业", "商贸", "物流", "农场", "牧场", "养殖场", "基地", "广场", "花园", "家园", "苑")
_ORG = re.compile(r"([\u4e00-\u9fff]{2})(?=[" + "".join(sorted({w[0] for w in _ORG_SUFFIX})) + "])(?:"
                  + "|".join(sorted(_ORG_SUFFIX, key=len, reverse=True)) + ")")
# Words after which a person's name often stands (居民郝某某, 党员李某).
_BEFORE_NAME = ("居民", "村民", "市民", "群众", "职工", "党员", "患者", "学生", "教师", "农民", "户主", "申请人", "负责人",
                "联系人", "姓名", "获奖者", "志愿者")
_PLACE = re.compile(r"([\u4e00-\u9fff]{2})(?=[" + "".join(sorted({w[0] for w in _PLACE_SUFFIX})) + "])(?:"
                    + "|".join(sorted(_PLACE_SUFFIX, key=len, reverse=True)) + ")")
# Function characters that end the phrase before a suffix ("对我县", "全市", "各区"): no place's name.
_NOT_IN_PLACE = frozenset("的了在对我本全该各等和与及或是为以其此每个这那该省市县区镇乡村")
# A level of government before a session number (市五届三次全会, 县十七届人大): written so, not 十五届.
_SESSION = re.compile(r"[省市县区州盟旗镇乡村](?=[一二三四五六七八九十]{1,3}届)")
_QUOTED = re.compile(r"《[^《》\n]{1,60}》|“[^“”\n]{1,24}”|「[^「」\n]{1,24}」|\"[^\"\n]{1,24}\"")
_LIST_ITEM = re.compile(r"(?:^|(?<=[、，,\s：:]))([\u4e00-\u9fff]{2,3})(?=[、，,\s]|$)")
_TITLE_RE = re.compile(_TITLE_ALT)
_AFTER_TITLE = re.compile("(?:" + _TITLE_ALT + "|" + "|".join(_BEFORE_NAME) + r")[：:\s]?([\u4e00-\u9fff]{2,3})")
JIEBA_TAGS = frozenset(("nr", "ns", "nt", "nz", "nrt", "nrfg"))
# Dictionary names shorter than this are protected only when jieba tags them as a place or an
# organisation (two-character "person names" in jieba's dictionary are mostly ordinary words).
MIN_PERSON_NAME = 3


# Debian's rime-essay: the vocabulary of the Rime input method (about 300,000 words with
# frequencies, modern everyday words such as 微信 and 微博 included).
ESSAY = Path("/usr/share/rime-data/essay.txt")
# Words of rime-essay at least this frequent are known words.
ESSAY_MIN_FREQ = 10


def essay_words(path: Path = ESSAY, min_freq: int = ESSAY_MIN_FREQ) -> frozenset[str]:
    """Words of two or more Han characters of rime-essay (empty when the package is missing)."""
    if not path.exists():
        return frozenset()
    out = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and len(parts[0]) >= 2 and parts[1].isdigit() and int(parts[1]) >= min_freq:
                out.add(parts[0])
    return frozenset(out)


@dataclass
class NameFinder:
    """Finds the stretches to leave alone in a text (see the module docstring)."""

    names: frozenset[str]
    surnames: frozenset[str]
    longest: int
    # Every name's proper prefixes of two characters or more: the scan of a text stops
    # extending a piece as soon as no name can start with it.
    prefixes: frozenset[str] = frozenset()

    @classmethod
    def load(cls, surnames: frozenset[str]) -> NameFinder:
        names: set[str] = set()
        data = _pkg_dir("pycorrector") / "data"
        for fname in ("person_name.txt", "place_name.txt"):
            path = data / fname
            if path.exists():
                for line in path.read_text(encoding="utf-8").splitlines():
                    word = line.split("\t")[0].strip()
                    if len(word) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in word):
                        names.add(word)
        with open(_pkg_dir("jieba") / "dict.txt", encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) == 3 and parts[2] in JIEBA_TAGS:
                    word, tag = parts[0], parts[2]
                    if len(word) >= MIN_PERSON_NAME or (len(word) == 2 and tag in ("ns", "nt")):
                        names.add(word)
        names = {w for w in names if len(w) <= 8}
        prefixes = frozenset(w[:k] for w in names for k in range(2, len(w)))
        return cls(frozenset(names), surnames, max(map(len, names), default=0), prefixes)

    def spans(self, text: str) -> set[int]:
        """Offsets of ``text`` inside a name, place, organisation or quoted title."""
        persons, others = self.spans_by_kind(text)
        return persons | others

    def spans_by_kind(self, text: str) -> tuple[set[int], set[int]]:
        """(offsets inside a person's name known by a title, form of address or list of names,
        and a level of government before a session number; offsets inside the other names,
        places, organisations and quoted titles). A site may write a place otherwise than its
        own frequent form (临缁区 beside 临淄区: a slip), but a person or a session is not
        another word of the site."""
        out: set[int] = set()
        names, prefixes, n = self.names, self.prefixes, len(text)
        for i in range(n - 1):
            # The longest name starting at i: extend while the piece is a name or a name's prefix.
            end = 0
            j = i + 2
            while j <= n:
                piece = text[i:j]
                if piece in names:
                    end = j
                elif piece not in prefixes:
                    break
                j += 1
            if end:
                out.update(range(i, end))
        for m in _QUOTED.finditer(text):
            out.update(range(m.start(), m.end()))
        for m in _PLACE.finditer(text):
            if not set(m.group(1)) & _NOT_IN_PLACE:
                out.update(range(m.start(1), m.end(1)))
        for m in _ORG.finditer(text):
            if not set(m.group(1)) & _NOT_IN_PLACE:
                out.update(range(m.start(1), m.end(1)))
        persons: set[int] = {m.start() for m in _SESSION.finditer(text)}
        surnames = self.surnames
        for m in _TITLE_RE.finditer(text):
            # 李明同志 / 王建国局长: a surname, one or two more characters, then the title.
            t = m.start()
            for size in (3, 2):
                name = text[max(0, t - size):t]
                if len(name) == size and all("\u4e00" <= c <= "\u9fff" for c in name) and (
                        name[0] in surnames or name[:2] in surnames):
                    persons.update(range(t - size, t))
                    break
        for m in _AFTER_TITLE.finditer(text):
            # 局长王建国 / 主任：李明
            name = m.group(1)
            if name[0] in surnames:
                persons.update(range(m.start(1), m.end(1)))
        items = [m for m in _LIST_ITEM.finditer(text) if m.group(1)[0] in surnames]
        if len(items) >= 3:
            # 张三、李四、王五 / 张三 李四 王五: a list of names.
            for m in items:
                persons.update(range(m.start(1), m.end(1)))
        return persons, out
