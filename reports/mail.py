"""Mail after a run: one message per responsible unit, one summary for the office.

Each unit with findings receives only its own: an HTML body with its counts (new / open /
overdue) and its most serious items, and its own ledger (整改台账) attached, to fill in and
send back (``zhaocuo feedback``). The office addresses receive the summary of all units: a
scoreboard per unit and the veto-risk panel (would the site fail the national check today).

This module only composes the messages; the application delivers them (zhaocuo.app.delivery:
the durable outbox first, sending a second step that ``--no-mail`` skips). Everything crawled
is escaped: the templates autoescape, and a URL becomes a link only when it is plain http(s).
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from reports.data import ReportData
from reports.ledger import write_ledger
from reports.trends import svg_for
from zhaocuo.core.finding import SEVERITY_LABELS, STATUS_LABELS, Finding, Severity
from zhaocuo.core.profile import Unit
from zhaocuo.core.store import Page

log = logging.getLogger("zhaocuo.mail")

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_ITEMS = 20          # most serious items listed in a unit's mail; the ledger holds all
MAX_TEXT = 200          # characters of crawled text shown per cell
MAX_ATTACHMENT_BYTES = 10 * 1000 * 1000  # many government mail servers refuse more (base64 adds a third)
STALE_COLUMNS_LIMIT = 5  # the national check: ≥ 5 stale (or blank) columns fail the site
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@dataclass
class Risk:
    """One line of the veto-risk panel."""

    label: str
    hit: bool
    detail: str


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


def _row(f: Finding, titles: dict[str, str]) -> dict[str, Any]:
    return {
        "id": f.id, "severity": SEVERITY_LABELS.get(Severity(f.severity), f.severity), "veto": f.severity == "veto",
        "audit": titles.get(f.audit, f.audit), "title": f.page_title or f.url, "url": f.url,
        "text": f.text or f.target or f.evidence, "suggestion": f.suggestion, "message": f.message,
        "deadline": f.deadline_label or "—", "overdue": f.overdue, "status": STATUS_LABELS.get(f.status, f.status),
        "unit": f.unit or "未分配",
    }


def unit_counts(findings: list[Finding], fixed: list[Finding]) -> dict[str, Counter[str]]:
    """Per unit: new, open (seen before, incl. reopened), fixed this run, overdue, total."""
    out: dict[str, Counter[str]] = {}
    for f in findings:
        c = out.setdefault(f.unit or "", Counter())
        c["new" if f.status == "new" else "open"] += 1
        c["total"] += 1
        if f.overdue:
            c["overdue"] += 1
    for f in fixed:
        out.setdefault(f.unit or "", Counter())["fixed"] += 1
    return out


def veto_risks(findings: list[Finding], home: Page | None, crawled: bool = True) -> list[Risk]:
    """The single-veto items of the national check, judged from this run's findings and the
    stored fetch of the homepage (``crawled`` false: no crawl to judge reachability from)."""
    by_audit = Counter(f.audit for f in findings)
    reachable, why = True, ""
    if crawled:
        if home is None:
            reachable, why = False, "首页未能抓取"
        elif home.error or home.status is None or home.status >= 400:
            reachable, why = False, f"首页访问失败（{home.status or home.error}）"
    stale, blank = by_audit.get("stale_column", 0), by_audit.get("blank_column", 0)
    # newmedia_stale also reports accounts it could not read: those are unknown, not stale.
    accounts = [f for f in findings if f.audit == "newmedia_stale"]
    unread = sum(1 for f in accounts if f.extra.get("kind") == "unreachable")
    media_detail = f"{len(accounts) - unread} 个账号" + (f"（另有 {unread} 个账号无法访问，需人工核实）" if unread else "")
    return [
        Risk("网站无法访问", not reachable, why or "首页可访问"),
        Risk("首页长期未更新", by_audit.get("stale_homepage", 0) > 0,
             f"{by_audit.get('stale_homepage', 0)} 项"),
        Risk(f"栏目不更新（≥{STALE_COLUMNS_LIMIT}个）", stale >= STALE_COLUMNS_LIMIT, f"{stale} 个栏目"),
        Risk(f"空白栏目（≥{STALE_COLUMNS_LIMIT}个）", blank >= STALE_COLUMNS_LIMIT, f"{blank} 个栏目"),
        Risk("严重表述错误", by_audit.get("serious_error", 0) > 0, f"{by_audit.get('serious_error', 0)} 处"),
        Risk("政务新媒体长期未更新", len(accounts) - unread > 0, media_detail),
    ]


def _trends(runs: list[dict[str, Any]]) -> Markup:
    """The trends chart (our own escaped SVG markup, see reports/trends.py) for the office."""
    return Markup(svg_for(runs))  # noqa: S704 - generated by our code, every name escaped there


def addresses(value: str | list[str]) -> list[str]:
    items = value if isinstance(value, list) else re.split(r"[,;，；\s]+", value)
    return [a.strip() for a in items if a and a.strip()]


def _message(sender: str, to: list[str], subject: str, text: str, html: str, run: int | str,
             attachment: tuple[str, bytes] | None) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg["X-Zhaocuo-Run"] = str(run)
    # base64 bodies keep the whole message 7-bit: any SMTP server relays it unchanged.
    msg.set_content(text, cte="base64")
    msg.add_alternative(html, subtype="html", cte="base64")
    if attachment:
        name, data = attachment
        msg.add_attachment(data, maintype=XLSX[0], subtype=XLSX[1], filename=name)
    return msg


def _ledger(name: str, findings: list[Finding], titles: dict[str, str], unit: str | None
            ) -> tuple[tuple[str, bytes] | None, str]:
    """(attachment or None, note for the body). A ledger too big for mail servers is left out —
    a message the server refuses for its size would otherwise wait in the outbox forever."""
    with tempfile.TemporaryDirectory(prefix="zhaocuo-mail-") as tmp:
        path = write_ledger(Path(tmp) / "ledger.xlsx", findings, titles, unit=unit)
        data = Path(path).read_bytes()
    if len(data) > MAX_ATTACHMENT_BYTES:
        return None, (f"整改台账（{len(data) / 1e6:.1f} MB）超过邮件附件上限，未随信附上，"
                      "请向办公室索取或在报告目录的 ledger.xlsx 中查看。")
    return (name, data), ""


def safe_filename(name: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", name).strip("._") or "unit"


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
        own.sort(key=lambda f: (f.severity_rank, not f.overdue, f.audit, f.url, f.id))
        c = counts.get(name, Counter())
        ledger, note = _ledger(f"整改台账-{safe_filename(name)}-{day}.xlsx", own, titles, name)
        ctx = {"site": site, "unit": name, "as_of": day, "counts": c, "total": len(own),
               "items": [_row(f, titles) for f in own[:MAX_ITEMS]], "more": max(0, len(own) - MAX_ITEMS),
               "deadlines": profile.deadlines, "ledger_note": note,
               "estimated": any(f.deadline_estimated for f in own)}
        html = env.get_template("mail_unit.html").render(**ctx)
        text = env.get_template("mail_unit.txt").render(**ctx)
        subject = f"【找错】{site}网站检查问题清单（{day}）— {name}：待整改 {len(own)} 项"
        if c.get("overdue"):
            subject += f"，已逾期 {c['overdue']} 项"
        out.append((f"unit:{name}", name, _message(mail.sender, to, subject, text, html, run, ledger)))

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
        risks = veto_risks(findings, data.homepage, data.crawled)
        totals = {k: sum(r[k] for r in board) for k in ("new", "open", "fixed", "overdue", "total")}
        ledger, note = _ledger(f"整改台账-全部-{day}.xlsx", findings, titles, None)
        ctx = {"ledger_note": note, "site": site, "as_of": day, "board": board, "totals": totals, "risks": risks,
               "at_risk": any(r.hit for r in risks),
               "veto_items": [_row(f, titles) for f in findings if f.severity == "veto"][:MAX_ITEMS],
               "pages": data.summary.get("pages_crawled", 0), "trends": _trends(data.trend_runs)}
        html = env.get_template("mail_office.html").render(**ctx)
        text = env.get_template("mail_office.txt").render(**ctx)
        subject = f"【找错】{site}网站检查汇总（{day}）：待整改 {totals['total']} 项，逾期 {totals['overdue']} 项"
        if ctx["at_risk"]:
            subject += "，存在单项否决风险"
        out.append(("office", "办公室汇总", _message(mail.sender, office, subject, text, html, run, ledger)))
    return out
