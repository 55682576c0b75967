"""``zhaocuo feedback``: a returned ledger imported, and the office's review of 误报 claims.

Importing (``zhaocuo feedback LEDGER.xlsx --config P``): rows are matched by 问题编号 (a
finding's id, or a group's: a dead target's row covers every page of the unit linking it).

- 已整改: the next crawl checks it (zhaocuo.app.lifecycle); still there means 整改后复现.
- 误报 (a reason in 反馈说明 is required): a *claim*, pending until the office decides
  (zhaocuo.app.review). Nothing is suppressed before that.
- 整改中, or 整改措施 / 责任人 / 完成时限 filled: the plan is recorded and prefilled in the next
  ledger.

Who answers: a unit's ledger records its unit (document properties; ``--unit`` names it for
a ledger that lost them) and may answer only that unit's findings — a row of another unit's
refuses the whole file. The office (``--office``) may answer any row, and its ledger's
审核意见 / 审核说明 columns decide pending claims (同意, 同意（全站）, 不同意).

All or nothing: the whole file is checked first — it is an xlsx, every sheet with a 整改状态
column has 问题编号 and 反馈说明, every id is one this store knows and the answering party's,
every status and decision is one we understand, every 误报 has a reason — and only then is
anything written, in one transaction. A problem prints one line naming the file, sheet and
row and exits 2. Sheets without 整改状态 (填报说明, 链接所在页面, one a clerk adds) are skipped
and named. The file is untrusted: sheets, columns, rows and every text are bounded.

Reviewing (``--review``, ``--list``, ``--accept ID…``, ``--reject ID… --note``,
``--revoke ID…``): see zhaocuo.app.review; every decision records who (``--by``, default the
login name), when and why (``--note``).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from reports.ledger import (
    COLUMNS,
    FEEDBACK_STATUSES,
    GUIDE_SHEET,
    PAGES_SHEET,
    PROP_KIND,
    PROP_UNIT,
    REVIEW_ACCEPT_SITE,
    REVIEW_REJECT,
    REVIEW_VALUES,
    SUMMARY_SHEET,
    sheet_names,
)
from zhaocuo.app import review
from zhaocuo.app.profiles import load as load_profile
from zhaocuo.app.stores import StoreOpenError, open_store
from zhaocuo.core.dates import local_now, local_time, parse_day
from zhaocuo.core.finding import STATUS_LABELS, Finding
from zhaocuo.core.profile import Profile
from zhaocuo.core.safezip import NotAWorkbook, UnsafeZip, open_workbook
from zhaocuo.core.store import Store

LEDGER_COLUMNS = tuple(COLUMNS)  # what reports/ledger.py writes (older ledgers are read too)
REQUIRED = ("问题编号", "整改状态", "反馈说明")
FIXED, FALSE_ALARM, IN_PROGRESS, NOT_YET = "已整改", "误报", "整改中", "未整改"
# Statuses that carry no answer: the prefilled 未整改, and what ledgers before 0.2 prefilled.
_UNCHANGED = {"", NOT_YET, *(label for key, label in STATUS_LABELS.items() if key != "fixed")}
_OVERDUE_SUFFIXES = ("（已逾期）", "(已逾期)")
MAX_SHEETS = 200
# A ledger is an xlsx (a zip): what its parts may inflate to, checked before openpyxl reads it
# (zhaocuo.core.safezip). A 100,000-row office ledger inflates to about 100 MB.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_COLUMNS = 64
MAX_ROWS = 200_000
PERSON_CHARS = 100


class FeedbackError(Exception):
    """A ledger that cannot be imported; ``str()`` is the one line printed."""


@dataclass
class Row:
    sheet: str
    row: int          # spreadsheet row number, as the user sees it
    lid: str          # 问题编号: a finding id or a group id
    status: str = ""
    reason: str = ""
    measure: str = ""
    person: str = ""
    due: str = ""
    decision: str = ""      # 审核意见 (the office's ledger)
    decision_note: str = ""  # 审核说明

    @property
    def where(self) -> str:
        return f"工作表 “{self.sheet}” 第 {self.row} 行 row {self.row}"

    @property
    def answers(self) -> bool:
        """Whether the row says anything (the prefilled 未整改 with nothing else does not)."""
        return bool(self.status not in _UNCHANGED or self.measure or self.person or self.due or self.decision)


@dataclass
class Ledger:
    path: Path
    kind: str          # "unit", "office" or "" (written before 0.2, or properties lost)
    unit: str
    rows: list[Row]
    sheets: list[str]  # every sheet's name
    skipped: list[str] = field(default_factory=list)  # sheets without a 整改状态 column


def _cell(value: Any, limit: int = review.MAX_TEXT) -> str:
    return review.clip(value, limit)


def _normal_status(value: str) -> str:
    for suffix in _OVERDUE_SUFFIXES:
        value = value.removesuffix(suffix)
    return value.strip()


def _due(value: Any) -> str:
    day = parse_day(value)
    return day.isoformat() if day else _cell(value, 40)


def read_ledger(path: Path) -> Ledger:
    """Every row of every sheet with a 整改状态 column; raises FeedbackError."""
    if not path.is_file():
        raise FeedbackError(f"{path}: 文件不存在 file not found")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise FeedbackError(f"{path}: 文件过大 file too large ({path.stat().st_size} bytes > {MAX_FILE_BYTES})")
    try:
        wb = open_workbook(path, MAX_UNZIPPED_BYTES)
    except UnsafeZip as exc:
        raise FeedbackError(f"{path}: 拒绝读取 refused — {exc}") from None
    except NotAWorkbook as exc:
        raise FeedbackError(f"{path}: 不是整改台账 xlsx 文件 not an xlsx ledger ({exc})") from None
    try:
        props = {p.name: str(p.value or "") for p in wb.custom_doc_props}
        kind = props.get(PROP_KIND, "")
        unit = props.get(PROP_UNIT, "") if kind == "unit" else ""
        if len(wb.worksheets) > MAX_SHEETS:
            raise FeedbackError(f"{path}: 工作表超过 {MAX_SHEETS} 个 too many sheets")
        ledger = Ledger(path, kind if kind in ("unit", "office") else "", unit.strip(), [],
                        [ws.title for ws in wb.worksheets])
        for ws in wb.worksheets:
            _read_sheet(path, ws, ledger)
    finally:
        wb.close()
    if not any(name for name in ledger.sheets if name not in ledger.skipped):
        raise FeedbackError(f"{path}: 没有整改台账的工作表：表头应含“问题编号”“整改状态”“反馈说明” "
                            "no ledger sheet (a header with 问题编号, 整改状态 and 反馈说明)")
    return ledger


def _read_sheet(path: Path, ws: Any, ledger: Ledger) -> None:
    it = ws.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    header = next(it, None)
    names = [_cell(v, 40) for v in (header or ())]
    if "整改状态" not in names:
        ledger.skipped.append(ws.title)  # 填报说明, 链接所在页面, or a sheet the clerk added
        return
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        renamed = [c for c in names if c and c not in (*COLUMNS, "审核意见", "审核说明")]
        detail = "缺少列 missing: " + "、".join(missing)
        if renamed:
            detail += "；多出或改名的列 unexpected: " + "、".join(renamed)
        raise FeedbackError(f"{path}: 工作表 sheet “{ws.title}” 第 1 行表头与整改台账不一致 header differs from the ledger "
                            f"({detail})")
    at = {name: names.index(name) for name in dict.fromkeys(names) if name}

    def get(values: tuple[Any, ...], name: str) -> Any:
        i = at.get(name)
        return None if i is None or i >= len(values) else values[i]

    for n, values in enumerate(it, start=2):
        if n > MAX_ROWS:
            raise FeedbackError(f"{path}: 工作表 “{ws.title}” 超过 {MAX_ROWS} 行 too many rows")
        if all(_cell(v, 10) == "" for v in values):
            continue
        ledger.rows.append(Row(
            sheet=ws.title, row=n, lid=_cell(get(values, "问题编号"), 40),
            status=_normal_status(_cell(get(values, "整改状态"), 40)), reason=_cell(get(values, "反馈说明")),
            measure=_cell(get(values, "整改措施")), person=_cell(get(values, "责任人"), PERSON_CHARS),
            due=_due(get(values, "完成时限")) if get(values, "完成时限") not in (None, "") else "",
            decision=_cell(get(values, "审核意见"), 40), decision_note=_cell(get(values, "审核说明"))))


# -- who answers ----------------------------------------------------------------------------

@dataclass
class Party:
    unit: str | None   # the answering unit; None for the office
    office: bool

    @property
    def name(self) -> str:
        return review.OFFICE if self.office else (self.unit or "")


def answering_party(ledger: Ledger, profile: Profile, unit: str | None, office: bool) -> Party:
    units = [u.name for u in profile.units]
    if office:
        return Party(None, True)
    if unit:
        if unit not in units:
            raise FeedbackError(f"--unit {unit}: 配置中没有这个单位 no [[units]] of that name "
                                f"(已定义 defined: {'、'.join(units) or '无 none'})")
        if ledger.unit and ledger.unit != unit:
            raise FeedbackError(f"{ledger.path}: 这是发给“{ledger.unit}”的台账，不是“{unit}”的 "
                                f"this ledger was written for {ledger.unit}, not {unit}")
        return Party(unit, False)
    if ledger.kind == "office":
        raise FeedbackError(f"{ledger.path}: 这是办公室的总台账：办公室导入请加 --office，单位交回的请用 --unit 指明单位 "
                            "this is the office's ledger: import it with --office, or name the unit that filled it with --unit")
    if ledger.unit:
        if ledger.unit not in units:
            raise FeedbackError(f"{ledger.path}: 台账所属单位“{ledger.unit}”不在配置的 [[units]] 中 "
                                "the ledger's unit is not in the profile; name the unit with --unit or import with --office")
        return Party(ledger.unit, False)
    # A ledger of an older version: a unit's had 汇总 and its own sheet.
    by_sheet = {sheet: u for u, sheet in sheet_names(units).items()}
    own = [by_sheet[s] for s in ledger.sheets if s in by_sheet and s != SUMMARY_SHEET]
    if len(own) == 1:
        return Party(own[0], False)
    raise FeedbackError(f"{ledger.path}: 看不出是哪个单位交回的台账，请用 --unit 单位名称 指明（办公室导入用 --office） "
                        "cannot tell which unit returned this ledger: name it with --unit (or --office)")


# -- checking ---------------------------------------------------------------------------------

@dataclass
class Answer:
    """One ledger row's answer (merged over the sheets that carry the same 问题编号)."""

    row: Row
    members: list[Finding]   # the findings it answers (the party's own)


def _known(store: Store) -> tuple[dict[str, Finding], dict[str, list[Finding]]]:
    """Every finding this store has judged (by id), and the groups by group id."""
    from zhaocuo.app import lifecycle

    by_id: dict[str, Finding] = {}
    groups: dict[str, list[Finding]] = {}
    for fid, doc in store.all_state(lifecycle.STATE_KIND).items():
        f = Finding.from_dict(doc.get("finding", {}))
        if doc.get("status") == "fixed":
            f.status = "fixed"
        by_id[fid] = f
        if f.group:
            groups.setdefault(f.group, []).append(f)
    return by_id, groups


def _merge(a: Row, b: Row) -> Row:
    """The same 问题编号 on two sheets (汇总 and a unit's): one answer, field by field; a field
    filled differently on the two is a contradiction."""
    merged = Row(a.sheet, a.row, a.lid)
    for f in fields(Row):
        if f.name in ("sheet", "row", "lid"):
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "status":
            x, y = ("" if x in _UNCHANGED else x), ("" if y in _UNCHANGED else y)
        if x and y and x != y:
            raise FeedbackError(f"{b.where}: 与工作表 “{a.sheet}” 第 {a.row} 行的反馈矛盾 contradicts sheet "
                                f"{a.sheet!r} row {a.row} ({f.name}: {x} / {y})")
        setattr(merged, f.name, x or y)
    return merged


def plan(ledger: Ledger, store: Store, party: Party) -> list[Answer]:
    """Check every row; the answers to apply. Raises FeedbackError on the first problem,
    naming the sheet and row."""
    by_id, groups = _known(store)
    chosen: dict[str, Row] = {}
    for r in ledger.rows:
        where = f"{ledger.path}: {r.where}"
        if not r.lid:
            if r.answers:
                raise FeedbackError(f"{where}: 问题编号为空 missing 问题编号")
            continue
        if r.lid not in by_id and r.lid not in groups:
            raise FeedbackError(f"{where}: 未知的问题编号 unknown finding id {r.lid!r} "
                                "(不是本配置检查出的问题 not a finding of this profile's store)")
        if r.status not in _UNCHANGED and r.status not in FEEDBACK_STATUSES:
            raise FeedbackError(f"{where}: 整改状态只能填写 {'、'.join(FEEDBACK_STATUSES)}, 实为 {r.status!r} "
                                f"(整改状态 must be one of {', '.join(FEEDBACK_STATUSES)})")
        if r.status == FALSE_ALARM and not r.reason:
            raise FeedbackError(f"{where}: 填写“误报”时须在“反馈说明”中写明理由 a 误报 needs a reason in 反馈说明")
        if r.decision:
            if not party.office:
                raise FeedbackError(f"{where}: 只有办公室可以填写审核意见 only the office reviews (--office)")
            if r.decision not in REVIEW_VALUES:
                raise FeedbackError(f"{where}: 审核意见只能填写 {'、'.join(REVIEW_VALUES)}, 实为 {r.decision!r}")
            if r.decision == REVIEW_REJECT and not r.decision_note:
                raise FeedbackError(f"{where}: 审核意见为“不同意”时须在“审核说明”中写明理由 a rejection needs a reason")
        if not r.answers:
            continue
        chosen[r.lid] = _merge(chosen[r.lid], r) if r.lid in chosen else r
    answers = []
    for lid, r in chosen.items():
        where = f"{ledger.path}: {r.where}"
        members = [by_id[lid]] if lid in by_id else [f for f in groups[lid] if f.status != "fixed"] or groups[lid]
        if not party.office:
            own = [f for f in members if (f.unit or "") == party.unit]
            if not own:
                owners = "、".join(sorted({f.unit or "未分配" for f in members}))
                raise FeedbackError(f"{where}: 问题编号 {lid} 属于“{owners}”，{party.unit}只能反馈本单位的问题 "
                                    f"this finding belongs to {owners}; a unit answers only its own findings")
            members = own
        if r.decision and r.status != FALSE_ALARM and review.open_claim(store, lid) is None:
            raise FeedbackError(f"{where}: 问题编号 {lid} 没有待审核的误报申请，审核意见无从适用 "
                                "no 误报 claim to decide on this row")
        answers.append(Answer(r, sorted(members, key=lambda f: f.id)))
    return answers


# -- applying ---------------------------------------------------------------------------------

def apply_answers(store: Store, ledger: Ledger, answers: list[Answer], party: Party, by: str) -> dict[str, int]:
    """Write every answer in one transaction; counts of what was recorded."""
    from zhaocuo.app import lifecycle

    last = store.last_run(status=None)
    after_run = last.id if last else 0
    today = local_now().date().isoformat()
    imported_at = local_now().isoformat(timespec="seconds")
    counts = {"fixed": 0, "claims": 0, "claims_kept": 0, "progress": 0, "accepted": 0, "rejected": 0}
    with store.transaction():
        for a in answers:
            r = a.row
            source = {"file": str(ledger.path), "sheet": r.sheet, "row": r.row, "imported_at": imported_at,
                      "by": party.name}
            plan_fields = {"measure": r.measure, "person": r.person, "due": r.due}
            if r.status == FIXED:
                pending = review.open_claim(store, r.lid)
                if pending and pending["status"] == review.PENDING:
                    review.decide(store, pending["id"], "revoke", by, "单位改报“已整改” the unit now says 已整改")
                fresh = False
                for f in a.members:
                    old = store.get_state(lifecycle.CLAIM_KIND, f.id)
                    if old and old.get("checked_run") is None:
                        continue  # claimed before and not checked yet: the first claim stands
                    store.put_state(lifecycle.CLAIM_KIND, f.id, {
                        "claimed_on": today, "after_run": after_run, "checked_run": None, "ledger_id": r.lid,
                        "unit": f.unit, "claimed_by": party.name, "reason": r.reason, **plan_fields, **source})
                    fresh = True
                counts["fixed"] += fresh
                store.delete_state(review.PROGRESS_KIND, r.lid)
            elif r.status == FALSE_ALARM:
                claim, created = review.file_claim(store, ledger_id=r.lid, findings=a.members, claimed_by=party.name,
                                                   reason=r.reason, source=source, by=by)
                counts["claims" if created else "claims_kept"] += 1
                for f in a.members:
                    store.delete_state(lifecycle.CLAIM_KIND, f.id)
                _decide_row(store, claim, r, by, counts)
            else:
                _decide_row(store, review.open_claim(store, r.lid), r, by, counts)
                if r.status == IN_PROGRESS or any(plan_fields.values()):
                    store.put_state(review.PROGRESS_KIND, r.lid, {
                        "status": r.status if r.status == IN_PROGRESS else NOT_YET, "reason": r.reason, **plan_fields,
                        **source})
                    counts["progress"] += 1
    return counts


def _decide_row(store: Store, claim: dict[str, Any] | None, r: Row, by: str, counts: dict[str, int]) -> None:
    """The office's 审核意见 on a row, applied to the row's pending claim."""
    if not r.decision or claim is None or claim["status"] != review.PENDING:
        return
    action = "reject" if r.decision == REVIEW_REJECT else "accept"
    review.decide(store, claim["id"], action, by, r.decision_note,
                  site_wide=r.decision == REVIEW_ACCEPT_SITE and review.can_widen(claim["audit"]))
    counts["accepted" if action == "accept" else "rejected"] += 1


def _history(profile: Profile, args: argparse.Namespace) -> Store | None:
    """The site's store, which must exist already (feedback answers findings it holds); None
    after printing why it cannot be opened."""
    try:
        return open_store(profile, getattr(args, "db", None), must_exist=True)
    except StoreOpenError as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return None


def import_feedback(args: argparse.Namespace) -> int:
    """``zhaocuo feedback LEDGER.xlsx``: 0 when imported, 2 (one line naming file/sheet/row) when refused."""
    profile = load_profile(args.config)
    if not getattr(args, "ledger", None):
        print("错误 error: 请给出交回的台账文件 name the returned ledger (zhaocuo feedback LEDGER.xlsx --config P)",
              file=sys.stderr)
        return 2
    path = Path(args.ledger)
    store = _history(profile, args)
    if store is None:
        return 2
    try:
        ledger = read_ledger(path)
        party = answering_party(ledger, profile, getattr(args, "unit", None), bool(getattr(args, "office", False)))
        answers = plan(ledger, store, party)
        counts = apply_answers(store, ledger, answers, party, getattr(args, "by", None) or review.who())
    except (FeedbackError, review.ReviewError) as exc:
        print(f"错误 error: {exc}；未导入任何内容 nothing imported", file=sys.stderr)
        return 2
    finally:
        store.close()
    added = [name for name in ledger.skipped if name not in (PAGES_SHEET, GUIDE_SHEET)]
    if added:
        print(f"{path}: 未读取的工作表 sheets not read (没有“整改状态”列 no 整改状态 column): {'、'.join(added)}")
    if not answers:
        print(f"{path}: 没有填写整改状态或整改计划的行, 未作任何改动 no row answers anything; nothing changed")
        return 0
    line = (f"已导入 imported {path}（{party.name}）: 已整改 {counts['fixed']} 项 (下次抓取复查 checked by the next crawl), "
            f"误报申请 {counts['claims']} 项 (待办公室审核 pending the office's review)")
    if counts["claims_kept"]:
        line += f", 已有的误报申请 {counts['claims_kept']} 项未变 already on record"
    if counts["progress"]:
        line += f", 整改计划 {counts['progress']} 项 plans recorded"
    if counts["accepted"] or counts["rejected"]:
        line += f"; 审核 reviewed: 同意 {counts['accepted']} 项, 不同意 {counts['rejected']} 项"
    print(line)
    if counts["claims"] and not party.office:
        print(f"办公室审核 to review: zhaocuo feedback --config {args.config} --review")
    return 0


# -- the office's review on the command line -----------------------------------------------------

def format_claim(c: dict[str, Any], titles: dict[str, str]) -> list[str]:
    """A claim as a few terminal lines: who claimed what and why, and what became of it."""
    status = review.STATUS_LABELS.get(c.get("status", ""), c.get("status", ""))
    audit = c.get("audit", "")
    head = f"#{c['id']}  {status}  {c.get('unit') or '未分配'}  {titles.get(audit, audit)} ({audit})"
    if int(c.get("count", 1)) > 1:
        head += f"  {c['count']} 个页面 pages"
    if c.get("status") == review.PENDING:
        hint = "全站" if c.get("suggest_site") else "仅此处"
        head += f"  建议范围 suggested scope: {hint}"
    elif c.get("status") == review.ACCEPTED:
        head += f"  范围 scope: {review.SCOPE_LABELS.get(c.get('scope', 'finding'), c.get('scope'))}"
    lines = [head]
    if c.get("target"):
        lines.append(f"    链接 link   {review.clip(c['target'], 200)}")
    if c.get("url"):
        lines.append(f"    页面 page   {review.clip(c['url'], 200)}")
    if c.get("text"):
        lines.append(f"    原文 text   「{review.clip(c['text'], 80)}」")
    lines.append(f"    理由 reason {review.clip(c.get('reason', ''), 300)}")
    src = c.get("source") or {}
    origin = f"，{Path(str(src.get('file'))).name} 工作表 {src.get('sheet')} 第 {src.get('row')} 行" if src.get("file") else ""
    lines.append(f"    申请 claimed {local_time(c.get('claimed_at', ''))} {c.get('claimed_by', '')}{origin}")
    if c.get("decided_by"):
        note = f"：{review.clip(c.get('note', ''), 300)}" if c.get("note") else ""
        lines.append(f"    审核 decided {local_time(c.get('decided_at', ''))} {c['decided_by']}{note}")
    return lines


def _print_claims(items: list[dict[str, Any]], empty: str) -> None:
    import audits

    titles = audits.titles()
    if not items:
        print(empty)
        return
    for c in items:
        print("\n".join(format_claim(c, titles)))


def review_command(args: argparse.Namespace) -> int:
    """--review / --list / --accept / --reject / --revoke."""
    store = _history(load_profile(args.config), args)
    if store is None:
        return 2
    try:
        with store.transaction():
            review.migrate_legacy(store)
        if args.review or args.list:
            items = review.claims(store)
            if args.review:
                items = [c for c in items if c.get("status") == review.PENDING]
                _print_claims(items, "没有待审核的误报申请 no claim is waiting for review")
                if items:
                    print(f"\n共 {len(items)} 项待审核 pending. 同意 accept: --accept 编号 [--site-wide]；"
                          "不同意 reject: --reject 编号 --note 理由")
            else:
                order = {review.ACCEPTED: 0, review.PENDING: 1, review.REJECTED: 2, review.REVOKED: 3, review.WITHDRAWN: 4}
                items.sort(key=lambda c: (order.get(c.get("status", ""), 9), int(c["id"])))
                _print_claims(items, "还没有误报申请 no claims yet")
            return 0
        action, ids = next((a, getattr(args, a)) for a in ("accept", "reject", "revoke") if getattr(args, a))
        by = args.by or review.who()
        with store.transaction():
            done = [review.decide(store, cid, action, by, args.note or "", site_wide=args.site_wide) for cid in ids]
    except review.ReviewError as exc:
        print(f"错误 error: {exc}；未作任何改动 nothing changed", file=sys.stderr)
        return 2
    finally:
        store.close()
    verb = {"accept": "已同意 accepted", "reject": "不同意 rejected", "revoke": "已撤销 revoked"}[action]
    for c in done:
        scope = f"，范围 scope: {review.SCOPE_LABELS[c['scope']]}" if action == "accept" else ""
        print(f"#{c['id']} {verb}{scope}（{by}，{local_time(c['decided_at'])}）；下次运行起生效 takes effect on the next run")
    return 0


def command(args: argparse.Namespace) -> int:
    """The CLI entry of ``zhaocuo feedback``."""
    reviewing = any(getattr(args, a, None) for a in ("review", "list", "accept", "reject", "revoke"))
    if reviewing and getattr(args, "ledger", None):
        print("错误 error: 导入台账与审核请分开运行 import a ledger or review, not both at once", file=sys.stderr)
        return 2
    if getattr(args, "site_wide", False) and not getattr(args, "accept", None):
        print("错误 error: --site-wide 只能与 --accept 一起使用 goes with --accept", file=sys.stderr)
        return 2
    return review_command(args) if reviewing else import_feedback(args)
