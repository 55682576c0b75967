"""个人信息泄露: citizens' ID numbers, mobile numbers and bank card numbers left on public
pages and attachments (the government-openness work plan orders units to prevent it).

What counts, to avoid false alarms on the many long numbers of a government site (文号,
order and file numbers, statistics):

- ID number: 18 characters, a plausible region code, a real birth date between 1900 and
  ``as_of``, and a valid GB 11643 check digit (ISO 7064 MOD 11-2);
- mobile number: 11 digits starting 13–19 with a known network prefix, not part of a longer
  number (nor of an e-mail address); an office's published service line (a landline) is not
  personal data, and neither is a number a notice publishes on purpose for people to call:
  after a contact label (联系人, 联系电话, 咨询电话, 举报电话, 传真, 热线 …) or a unit's name,
  with nothing but names, other numbers and separators between (see _published). A citizen's
  number in a list, form or 公示 is still a leak: a table's column header is no label for the
  rows below it, and a line that holds an ID number or a personal-data heading (身份证, 性别,
  住址 …) near the number is a citizen's record whatever the label says;
- bank card: 16–19 digits passing the Luhn check, with a China UnionPay or major-issuer
  prefix, and a card word (卡号, 账号, 银行 …) shortly before it.

Masked forms (370305********123X, 138****1234) are what the rules ask for and are fine.
The number itself never leaves this module unmasked: ``text`` is the masked form, and the
finding's key is an HMAC of the value with a secret kept in the store's state table, so the
id is stable across nights yet reveals nothing (a plain hash of an 11-digit number could be
reversed by trying them all).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import date

from audits import AuditMeta, _maintext
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity

META = AuditMeta(
    name="privacy_leak", title="个人信息泄露", severity=Severity.HIGH, requires=("pages", "state:privacy_secret"),
    description="公开内容不得泄露身份证号、手机号、银行卡号等个人信息。",
)

_ID = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5})((?:19|20)\d{2})(\d{2})(\d{2})(\d{3})([0-9Xx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z*])(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?![0-9A-Za-z*@])")
_CARD = re.compile(r"(?<![0-9A-Za-z*])((?:\d[ -]?){15,18}\d)(?![0-9A-Za-z*])")
# Network prefixes in use (China Mobile, Unicom, Telecom, Broadnet, virtual operators).
_MOBILE_PREFIXES = {
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "145", "147", "149", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "162", "165", "166", "167", "170", "171", "172", "173",
    "175", "176", "177", "178", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "190",
    "191", "192", "193", "195", "196", "197", "198", "199",
}
# UnionPay (62), Visa (4), Mastercard (51-55) and the big four banks' old debit prefixes.
_CARD_PREFIXES = ("62", "4", "51", "52", "53", "54", "55", "9558", "6013", "6217", "6222", "6228")
_CARD_WORDS = ("卡号", "银行卡", "账号", "帐号", "银行账户", "收款账户", "开户行", "开户银行", "储蓄卡", "借记卡",
               "信用卡", "社保卡", "card")
# Words right before a number that say it is a document/order/file number, not personal data.
_NOT_PERSONAL = ("文号", "编号", "订单号", "单号", "流水号", "批准号", "登记号", "许可证号", "统一社会信用代码",
                 "备案号", "序号", "项目代码", "案号", "合同号")
# A number published to be called: the label (or a unit's name) that introduces it.
_CONTACT_LABEL = re.compile(
    r"联系人|联系电话|联系方式|联系手机|联系号码|联系|咨询电话|咨询热线|咨询|举报电话|举报热线|投诉电话|投诉热线|监督电话|"
    r"监督热线|服务电话|服务热线|报名电话|值班电话|办公电话|受理电话|传真|热线|电话|手机|座机|客服")
# …unless the label is a citizen's: "申请人电话", "举报人联系电话", "家长手机".
_CITIZEN_ROLE = re.compile(r"(?:申请|举报|投诉|当事|监护|执行|承包|报名)人$|(?:户主|家长|本人|学生|考生|患者|群众)$")
_UNIT_NAME = re.compile(r"[\u4e00-\u9fff]{2,}(?:局|委员会|委|办公室|办|中心|所|站|院|学校|小学|中学|幼儿园|医院|政府|"
                        r"街道|社区|公司|集团|银行|分行|支行|协会|大队|中队|支队|馆|处|科|股|部|厅)[\s：:]*$")
# What may stand between a label and its number: names (in brackets too) with a title, other
# numbers (a landline, an extension), separators — "联系人：王主任 139…，姚经理 186…"; not a
# longer word ("获奖名单：张三 139…" is a list under its own heading).
_FILLER = re.compile(r"(?:[\s：:，,、；;/]|[（(]\s*[\u4e00-\u9fff]{1,6}\s*[)）]|"
                     r"[\u4e00-\u9fff]{1,3}(?:老师|主任|经理|先生|女士|小姐|同志|科长|处长|局长)?(?![\u4e00-\u9fff])|"
                     r"\+?\d[\d\-－— ]{2,}(?:\s*转\s*\d+)?)*+")  # possessive: no backtracking into a digit run
FILLER_CHARS = 40
# Headings of a citizen's record: near one of them, a labelled number is still personal data.
_RECORD_WORDS = re.compile(r"身份证|证件号|性别|住址|家庭|户主|户籍|出生|民族|籍贯|准考证|被执行人|当事人")
_SENTENCE_END = re.compile(r"[。！？!?；;]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
SECRET_KIND = "privacy_secret"


def id_check_ok(number: str) -> bool:
    """GB 11643-1999 check digit (ISO 7064 MOD 11-2) of an 18-character ID number."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def mask(value: str, keep_head: int, keep_tail: int) -> str:
    return value[:keep_head] + "*" * (len(value) - keep_head - keep_tail) + value[len(value) - keep_tail:]


def _preceded_by(text: str, start: int, words: tuple[str, ...], span: int) -> bool:
    before = text[max(0, start - span):start]
    return any(w in before for w in words)


def _published(around: str, start: int, end: int, chained: int = -1) -> bool:
    """The mobile number at around[start:end] is one a notice publishes on purpose (see the
    module docstring): a contact label or a unit's name before it with only filler between,
    and no citizen's record around it. ``chained``: where the previous number published on
    purpose ended (a list of contacts after one label: "联系电话：0851-…，139…（李）186…（赵）")."""
    lo = max(0, start - 60)
    lo = max((m.end() for m in _SENTENCE_END.finditer(around, lo, start)), default=lo)
    hi = _SENTENCE_END.search(around, end, end + 30)
    if _RECORD_WORDS.search(around[lo:hi.start() if hi else end + 30]):
        return False
    if 0 <= chained and start - chained <= FILLER_CHARS and _FILLER.fullmatch(around, chained, start):
        return True
    head = around[max(0, start - FILLER_CHARS):start]
    unit = _UNIT_NAME.search(head)
    if unit and _FILLER.fullmatch(head[unit.end():]):
        return True
    labels = list(_CONTACT_LABEL.finditer(head))
    if not labels or _CITIZEN_ROLE.search(head, 0, labels[-1].start()):
        return False
    gap = head[labels[-1].end():]
    label_line, newline, rest = gap.partition("\n")
    if newline and not label_line.strip() and rest.strip():
        return False  # a column heading ("联系电话" above the rows): the rows are not its values
    return _FILLER.fullmatch(gap) is not None


def find_personal(text: str, as_of: date, before: str = "") -> list[tuple[str, str, str]]:
    """(kind, value, masked) for each unmasked personal number in ``text``. ``before``: the
    text just before it on its page (a contact label on the line above a number)."""
    out: list[tuple[str, str, str]] = []
    taken: list[tuple[int, int]] = []
    for m in _ID.finditer(text):
        value = m.group(0)
        birth = _birth(m.group(2), m.group(3), m.group(4))
        if birth is None or birth > as_of or birth.year < 1900 or not id_check_ok(value):
            continue  # an 18-digit number that is not a valid ID (order number, typo'd ID)
        if _preceded_by(text, m.start(), _NOT_PERSONAL, 8):
            continue
        out.append(("身份证号", value.upper(), mask(value.upper(), 6, 4)))
        taken.append(m.span())
    ids = bool(out)
    around = f"{before}\n{text}" if before else text
    shift = len(around) - len(text)
    chained = -1
    for m in _MOBILE.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        value = "".join(m.groups())
        if m.group(1) not in _MOBILE_PREFIXES or _preceded_by(text, m.start(), _NOT_PERSONAL, 8):
            continue
        if not ids and _published(around, m.start() + shift, m.end() + shift, chained):
            chained = m.end() + shift
            continue
        out.append(("手机号", value, mask(value, 3, 4)))
        taken.append(m.span())
    for m in _CARD.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        digits = re.sub(r"[ -]", "", m.group(1))
        if not 16 <= len(digits) <= 19 or not digits.startswith(_CARD_PREFIXES) or not luhn_ok(digits):
            continue
        # Without a card word nearby a Luhn-valid number is one in ten of all numbers: not enough.
        if not _preceded_by(text, m.start(), _CARD_WORDS, 20) or _preceded_by(text, m.start(), _NOT_PERSONAL, 8):
            continue
        out.append(("银行卡号", digits, mask(digits, 4, 4)))
        taken.append(m.span())
    return out


def _birth(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def audit(ctx: AuditContext) -> Iterable[Finding]:
    """Each distinct line once (audits._maintext): a mobile number in a footer is one finding
    on the page with the shortest URL, with the number of pages, not one per page."""
    as_of = ctx.as_of
    key = ctx.secret  # the store's HMAC key, kept by the runner (zhaocuo.app.runner)
    units, _ = _maintext.distinct_lines(ctx)
    out: dict[tuple[str, str], Finding] = {}
    for unit in units:
        for kind, value, masked in find_personal(unit.text, as_of, unit.before):
            fkey = hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:16]
            if (unit.url, fkey) in out:
                continue  # the same number twice on one page is one leak
            place = "附件" if unit.kind == "attachment" else "页面"
            where = f"（该处文字出现在 {unit.count} 个页面）" if unit.count > 1 else ""
            out[(unit.url, fkey)] = Finding(
                audit=META.name, severity=META.severity, url=unit.url, text=masked,
                message=f"{place}公开了个人{kind}（{masked}），请删除或做脱敏处理{where}。",
                key=fkey, extra={"kind": kind, "count": unit.count},
            )
    return list(out.values())
