"""Mail after a run: one message per responsible unit, one summary for the office.

Each unit with findings receives only its own: an HTML body with its counts (new / open /
overdue) and its most serious items — a dead target linked from many pages is one item
(reports.grouping) — and its own ledger (整改台账) attached, to fill in and send back
(``zhaocuo feedback``); the office's address is in ``Reply-To`` and in the text. The office
addresses receive the summary of all units: a scoreboard per unit, the veto-risk panel
(would the site fail the national check today) and the follow-up: 误报 claims waiting for its
review, suppressions in force, fixes claimed. Times are Asia/Shanghai; the attachment's name
is written both as RFC 2231 and as RFC 2047 encoded words, which older Outlook reads.

This module only composes the messages; the application delivers them (zhaocuo.app.delivery:
the durable outbox first, sending a second step that ``--no-mail`` skips). Everything crawled
is escaped: the templates autoescape, and a URL becomes a link only when it is plain http(s).
"""

from __future__ import annotations

import base64
import logging
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup

from reports.data import FeedbackView, ReportData
from reports.grouping import Item, items
from reports.html import interaction_risk
from reports.ledger import reply_address, write_ledger
from reports.trends import svg_for
from zhaocuo.core.dates import local_now
from zhaocuo.core.finding import SEVERITY_LABELS, STATUS_LABELS, Finding, Severity
from zhaocuo.core.profile import Unit, split_addresses
from zhaocuo.core.store import Page

log = logging.getLogger("zhaocuo.mail")

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_ITEMS = 20          # most serious items listed in a unit's mail; the ledger holds all
MAX_TEXT = 200          # characters of crawled text shown per cell
MAX_ATTACHMENT_BYTES = 10 * 1000 * 1000  # many government mail servers refuse more (base64 adds a third)
STALE_COLUMNS_LIMIT = 5  # the national check: ≥ 5 stale (or blank) columns fail the site
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
MAX_CLAIMS = 20         # 误报 claims listed in the office's mail
# What goes on the wire: SMTP line ends; headers folded under 100 columns (the attachment's
# Content-Type line, as Outlook writes it, is 80).
WIRE_POLICY = SMTP.clone(max_line_length=100)


@dataclass
class Risk:
    """One line of the veto-risk panel."""

    label: str
    hit: bool
    detail: str
    audit: str = ""  # the audit whose findings decide it (the group bulletin lists vetoes by audit)


def _safe_href(url: str) -> str:
    """A URL fit for href: plain http(s) only (a crawled javascript: URL stays text)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme in ("http", "https") and parts.netloc else ""


def _clip(value: object, limit: int = MAX_TEXT) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             # HTML escaped always; the plain-text alternative is not HTML.
                             autoescape=jinja2.select_autoescape(("html",), ("txt",), default=True),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["href"] = _safe_href
    env.filters["clip"] = _clip
    return env


def _row(f: Finding | Item, titles: dict[str, str]) -> dict[str, Any]:
    return {
        "id": f.id, "severity": SEVERITY_LABELS.get(Severity(f.severity), f.severity), "veto": f.severity == "veto",
        "audit": titles.get(f.audit, f.audit), "title": f.page_title or f.url, "url": f.url,
        "text": f.text or f.target or f.evidence, "suggestion": f.suggestion, "message": f.message,
        "deadline": f.deadline_label or "—", "overdue": f.overdue, "status": STATUS_LABELS.get(f.status, f.status),
        "unit": f.unit or "未分配", "pages": getattr(f, "count", 1),
    }


def unit_counts(findings: list[Finding], fixed: list[Finding]) -> dict[str, Counter[str]]:
    """Per unit, in items (a dead target on many of its pages counts once): new, open (seen
    before, incl. reopened), fixed this run, overdue, total."""
    out: dict[str, Counter[str]] = {}
    for item in items(findings, by_unit=True):
        c = out.setdefault(item.lead.unit or "", Counter())
        c["new" if item.status == "new" else "open"] += 1
        c["total"] += 1
        if item.overdue:
            c["overdue"] += 1
    for item in items(fixed, by_unit=True):
        out.setdefault(item.lead.unit or "", Counter())["fixed"] += 1
    return out


def veto_risks(findings: list[Finding], home: Page | None, crawled: bool = True,
               summary: dict[str, Any] | None = None) -> list[Risk]:
    """The single-veto items of the national check, judged from this run's findings and the
    stored fetch of the homepage (``crawled`` false: no crawl to judge reachability from)."""
    by_audit = Counter(f.audit for f in findings)
    reachable, why = True, ""
    down = [f for f in findings if f.audit == "site_unreachable"]
    if down:
        tries = down[0].extra.get("attempts") or []
        last = str(tries[-1].get("error", "")) if tries else ""
        reachable, why = False, f"首页 {len(tries)} 次访问均失败" + (f"（{_clip(last, 80)}）" if last else "")
    elif crawled:
        if home is None:
            reachable, why = False, "首页未能抓取"
        elif home.error or home.status is None or home.status >= 400:
            reachable, why = False, f"首页访问失败（{home.status or home.error}）"
    stale, blank = by_audit.get("stale_column", 0), by_audit.get("blank_column", 0)
    # newmedia_stale also reports accounts it could not read: those are unknown, not stale.
    accounts = [f for f in findings if f.audit == "newmedia_stale"]
    unread = sum(1 for f in accounts if f.extra.get("kind") == "unreachable")
    media_detail = f"{len(accounts) - unread} 个账号" + (f"（另有 {unread} 个账号无法访问，需人工核实）" if unread else "")
    risks = [
        Risk("网站无法访问", not reachable, why or "首页可访问", "site_unreachable"),
        Risk("首页长期未更新", by_audit.get("stale_homepage", 0) > 0,
             f"{by_audit.get('stale_homepage', 0)} 项", "stale_homepage"),
        Risk(f"栏目不更新（≥{STALE_COLUMNS_LIMIT}个）", stale >= STALE_COLUMNS_LIMIT, f"{stale} 个栏目", "stale_column"),
        Risk(f"空白栏目（≥{STALE_COLUMNS_LIMIT}个）", blank >= STALE_COLUMNS_LIMIT, f"{blank} 个栏目", "blank_column"),
        Risk("严重表述错误", by_audit.get("serious_error", 0) > 0, f"{by_audit.get('serious_error', 0)} 处",
             "serious_error"),
        Risk("政务新媒体长期未更新", len(accounts) - unread > 0, media_detail, "newmedia_stale"),
    ]
    if summary is not None and "interaction_unanswered" in summary:
        risks.append(_interaction_risk(interaction_risk(findings, summary)))
    return risks


def _interaction_risk(r: dict[str, Any]) -> Risk:
    """互动回应差: unanswered messages, no channel, and boards that could not be checked."""
    parts = []
    if r["unanswered"]:
        parts.append(f"{r['unanswered']} 条留言超过3个月未回应")
    if r["no_channel"]:
        parts.append("未提供有效的互动交流渠道")
    if not parts:
        parts.append(f"读取 {r['boards']} 个互动栏目、{r['messages']} 条留言，未发现" if r["boards"] else "未发现公开留言的互动栏目")
    if r["uncheckable"]:
        parts.append("无法检查：" + "、".join(f"{_clip(c['name'], 40)}（{c['reason']}）" for c in r["uncheckable"][:5]))
    return Risk("互动回应差", bool(r["unanswered"] or r["no_channel"]), "；".join(parts), "interaction_unanswered")


def _trends(runs: list[dict[str, Any]]) -> Markup:
    """The trends chart (our own escaped SVG markup, see reports/trends.py) for the office."""
    return Markup(svg_for(runs))  # noqa: S704 - generated by our code, every name escaped there


def addresses(value: str | list[str]) -> list[str]:
    if isinstance(value, list):
        return [a for v in value for a in split_addresses(v)]
    return split_addresses(value)


def _encoded_words(text: str, max_bytes: int = 30) -> list[str]:
    """RFC 2047 B-encoded words of at most ``max_bytes`` UTF-8 bytes each, never splitting a
    character (each word must decode on its own)."""
    chunks: list[bytes] = []
    cur = b""
    for ch in text:
        b = ch.encode("utf-8")
        if cur and len(cur) + len(b) > max_bytes:
            chunks.append(cur)
            cur = b""
        cur += b
    if cur:
        chunks.append(cur)
    return [f"=?UTF-8?B?{base64.b64encode(c).decode('ascii')}?=" for c in chunks]


def _rfc2231_parts(text: str, width: int = 60) -> list[str]:
    """The percent-encoded name in continuation segments of at most ``width`` characters."""
    encoded = quote(text, safe="")
    parts: list[str] = []
    cur, i = "", 0
    while i < len(encoded):
        tok = encoded[i:i + 3] if encoded[i] == "%" else encoded[i]
        if cur and len(cur) + len(tok) > width:
            parts.append(cur)
            cur = ""
        cur += tok
        i += len(tok)
    return [*parts, cur] if cur else parts


def _attach(msg: EmailMessage, name: str, data: bytes) -> None:
    """Attach ``data`` named ``name`` so every mail client shows the Chinese name: RFC 2231
    (``filename*``, the standard) and RFC 2047 encoded words in ``name=`` / ``filename=`` (what
    Outlook 2007–2016 and many webmail readers look at). The headers are written pre-folded,
    so they go on the wire as written."""
    msg.add_attachment(data, maintype=XLSX[0], subtype=XLSX[1], filename="ledger.xlsx")
    part = list(msg.iter_attachments())[-1]
    quoted = '"' + "\n ".join(_encoded_words(name)) + '"'
    star = ";\n ".join(f"filename*{i}*={'UTF-8' + chr(39) * 2 if i == 0 else ''}{seg}"
                        for i, seg in enumerate(_rfc2231_parts(name)))
    del part["Content-Type"]
    del part["Content-Disposition"]
    part.set_raw("Content-Type", f"{XLSX[0]}/{XLSX[1]};\n name={quoted}")
    part.set_raw("Content-Disposition", f"attachment;\n filename={quoted};\n {star}")


def wire(msg: EmailMessage) -> bytes:
    """The message as sent: CRLF line ends, 7-bit (the bodies are base64)."""
    return msg.as_bytes(policy=WIRE_POLICY)


def _message(sender: str, to: list[str], subject: str, text: str, html: str, run: int | str,
             attachment: tuple[str, bytes] | None, reply_to: list[str] | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    if reply_to:
        msg["Reply-To"] = ", ".join(reply_to)
    msg["Date"] = format_datetime(local_now())  # +0800: the time the office reads
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg["X-Zhaocuo-Run"] = str(run)
    # base64 bodies keep the whole message 7-bit: any SMTP server relays it unchanged.
    msg.set_content(text, cte="base64")
    msg.add_alternative(html, subtype="html", cte="base64")
    if attachment:
        _attach(msg, *attachment)
    return msg


def _ledger(name: str, data: ReportData, findings: list[Finding], unit: str | None
            ) -> tuple[tuple[str, bytes] | None, str]:
    """(attachment or None, note for the body). A ledger too big for mail servers is left out —
    a message the server refuses for its size would otherwise wait in the outbox forever."""
    with tempfile.TemporaryDirectory(prefix="zhaocuo-mail-") as tmp:
        path = write_ledger(Path(tmp) / "ledger.xlsx", findings, data.titles, unit=unit, feedback=data.feedback,
                            site=data.profile.site.name, reply_to=reply_address(data))
        data = Path(path).read_bytes()
    if len(data) > MAX_ATTACHMENT_BYTES:
        return None, (f"整改台账（{len(data) / 1e6:.1f} MB）超过邮件附件上限，未随信附上，"
                      "请向办公室索取或在报告目录的 ledger.xlsx 中查看。")
    return (name, data), ""


def safe_filename(name: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", name).strip("._") or "unit"


def _claims(view: FeedbackView, unit: str | None = None) -> dict[str, Any]:
    """The follow-up shown in a mail: claims waiting for review, decided, suppressions in force
    (the office sees all; a unit its own)."""
    def mine(cs: list[Any]) -> list[Any]:
        return [c for c in cs if unit is None or c.unit == unit]

    fixes = [r for r in view.fixes_claimed if unit is None or r["unit"] == unit]
    return {"pending": mine(view.pending)[:MAX_CLAIMS], "pending_total": len(mine(view.pending)),
            "rejected": mine(view.rejected)[:MAX_CLAIMS], "accepted_total": len(mine(view.accepted)),
            "suppressed": view.suppressed_this_run if unit is None else 0, "fixes_claimed": len(fixes)}


def compose(data: ReportData) -> list[tuple[str, str, EmailMessage]]:
    """(recipient key, display name, message) for every unit with findings and the office."""
    profile, as_of = data.profile, data.as_of
    assert profile.mail is not None
    mail = profile.mail
    env = _env()
    titles = data.titles
    findings: list[Finding] = list(data.findings)
    fixed: list[Finding] = list(data.fixed)
    run = data.summary.get("crawl_run", "")
    site = profile.site.name
    day = as_of.isoformat()
    counts = unit_counts(findings, fixed)
    reply_to = addresses(mail.reply_to or mail.office)
    back = "、".join(reply_to)
    out: list[tuple[str, str, EmailMessage]] = []

    units: dict[str, Unit] = {u.name: u for u in profile.units}
    for name, unit in units.items():
        own = [f for f in findings if f.unit == name]
        if not own:
            continue
        to = addresses(unit.email)
        if not to:
            log.warning("单位 %s 未配置邮箱 (units.email), 其问题只出现在汇总邮件中", name)
            continue
        rows = sorted(items(own), key=lambda i: (i.severity_rank, not i.overdue, i.audit, i.url, i.id))
        c = counts.get(name, Counter())
        ledger, note = _ledger(f"整改台账-{safe_filename(name)}-{day}.xlsx", data, own, name)
        ctx = {"site": site, "unit": name, "as_of": day, "counts": c, "total": len(rows),
               "items": [_row(i, titles) for i in rows[:MAX_ITEMS]], "more": max(0, len(rows) - MAX_ITEMS),
               "deadlines": profile.deadlines, "ledger_note": note, "back": back,
               "estimated": any(f.deadline_estimated for f in own), "follow": _claims(data.feedback, name),
               "titles": titles}
        html = env.get_template("mail_unit.html").render(**ctx)
        text = env.get_template("mail_unit.txt").render(**ctx)
        subject = f"【找错】{site}网站检查问题清单（{day}）— {name}：待整改 {len(rows)} 项"
        if c.get("overdue"):
            subject += f"，已逾期 {c['overdue']} 项"
        out.append((f"unit:{name}", name, _message(mail.sender, to, subject, text, html, run, ledger, reply_to)))

    office = addresses(mail.office)
    if office:
        names = [u.name for u in profile.units] + sorted(set(counts) - set(units))
        board = []
        for name in names:
            c = counts.get(name, Counter())
            board.append({"unit": name or "未分配", "assigned": bool(name),
                          "email": bool(units.get(name) and units[name].email),
                          "new": c.get("new", 0), "open": c.get("open", 0), "fixed": c.get("fixed", 0),
                          "overdue": c.get("overdue", 0), "total": c.get("total", 0)})
        risks = veto_risks(findings, data.homepage, data.crawled, data.summary)
        totals = {k: sum(r[k] for r in board) for k in ("new", "open", "fixed", "overdue", "total")}
        ledger, note = _ledger(f"整改台账-全部-{day}.xlsx", data, findings, None)
        veto = sorted(items(f for f in findings if f.severity == "veto"), key=lambda i: (i.unit, i.url))
        ctx = {"ledger_note": note, "site": site, "as_of": day, "board": board, "totals": totals, "risks": risks,
               "at_risk": any(r.hit for r in risks), "veto_items": [_row(i, titles) for i in veto][:MAX_ITEMS],
               "pages": data.summary.get("pages_crawled", 0), "trends": _trends(data.trend_runs),
               "follow": _claims(data.feedback), "titles": titles, "config": profile.path.name}
        html = env.get_template("mail_office.html").render(**ctx)
        text = env.get_template("mail_office.txt").render(**ctx)
        subject = f"【找错】{site}网站检查汇总（{day}）：待整改 {totals['total']} 项，逾期 {totals['overdue']} 项"
        if ctx["at_risk"]:
            subject += "，存在单项否决风险"
        if data.feedback.pending:
            subject += f"，误报申请待审核 {len(data.feedback.pending)} 项"
        out.append(("office", "办公室汇总", _message(mail.sender, office, subject, text, html, run, ledger)))
    return out
