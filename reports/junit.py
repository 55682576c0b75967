"""junit.xml: the findings as test results, so CI on a staging site shows pass/fail per audit.

One ``<testsuite>`` per audit; each problem is a failing ``<testcase>`` (its message in
``<failure>``) — a dead target linked from many pages is one case listing its pages
(reports.grouping), as the ledger has one row for it; an audit that ran and found nothing gets one passing test case, so a CI
dashboard lists it green instead of not at all. ElementTree escapes every value; characters
XML 1.0 cannot hold at all are dropped first (crawled text can contain them).

A release gate (a staging run compared with production, ``--baseline``) fails only what the
release adds: a ``new`` finding is a failure, a ``known`` one (production has it too) is a
skipped case whose message gives the date production first showed it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

from reports.data import ReportData
from reports.grouping import Item
from reports.grouping import items as group_items
from reports.jsonfiles import atomic_write
from zhaocuo.core.finding import SEVERITY_LABELS, STATUS_LABELS, Finding, Severity

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_TEXT = 4000
MAX_PAGES_LISTED = 50  # pages named in a grouped case's failure text


def _x(value: object, limit: int = MAX_TEXT) -> str:
    text = _XML_ILLEGAL.sub("", "" if value is None else str(value))
    return text if len(text) <= limit else text[:limit] + "…"


def _case_name(f: Finding | Item) -> str:
    where = f.url if not isinstance(f, Item) or f.count == 1 else f"{f.count} 个页面 pages"
    if f.target:
        where += " -> " + f.target
    if f.column:
        where += " [" + f.column + "]"
    if f.text:
        where += " 「" + f.text[:80] + "」"
    return f"{where} ({f.id})"


def _known(f: Finding, gate: bool) -> bool:
    return gate and f.baseline != "new"


def build(findings: Iterable[Finding], audit_names: Iterable[str], titles: dict[str, str],
          errors: dict[str, str] | None = None, gate: bool = False) -> ET.Element:
    """The ``<testsuites>`` tree. ``audit_names``: the audits that ran (each gets a suite);
    ``errors``: audits that crashed (an ``<error>`` case: not a pass, whatever they found);
    ``gate``: findings were compared with a baseline (known ones are skipped, not failed)."""
    errors = errors or {}
    by_audit: dict[str, list[Item]] = {}
    for item in group_items(findings):
        by_audit.setdefault(item.audit, []).append(item)
    names = sorted(set(audit_names) | set(by_audit) | set(errors))
    total = sum(len(v) for v in by_audit.values())
    skipped = sum(1 for v in by_audit.values() for f in v if _known(f, gate))
    root = ET.Element("testsuites", name="zhaocuo", tests=str(total + sum(1 for n in names if n not in by_audit)),
                      failures=str(total - skipped), errors=str(len(errors)), skipped=str(skipped))
    for name in names:
        items = by_audit.get(name, [])
        known = sum(1 for f in items if _known(f, gate))
        suite = ET.SubElement(root, "testsuite", name=name, tests=str(max(len(items), 1)),
                              failures=str(len(items) - known), errors="1" if name in errors else "0",
                              skipped=str(known))
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="title", value=_x(titles.get(name, name)))
        if name in errors:
            case = ET.SubElement(suite, "testcase", classname=name, name=f"{titles.get(name, name)}：检查运行出错 audit crashed")
            ET.SubElement(case, "error", message=_x(errors[name], 1000), type="audit_error")
            continue
        if not items:
            ET.SubElement(suite, "testcase", classname=name, name=f"{titles.get(name, name)}：未发现问题 no findings")
            continue
        for f in sorted(items, key=lambda f: (f.severity_rank, f.unit, f.url, f.target, f.id)):
            case = ET.SubElement(suite, "testcase", classname=_x(f"{name}.{f.unit or '未分配'}", 200),
                                 name=_x(_case_name(f), 500))
            if _known(f, gate):
                failure = ET.SubElement(case, "skipped", message=_x(
                    f"生产环境已有的问题，{f.first_seen or '—'} 首次发现 known in production since {f.first_seen or '?'}: "
                    f"{f.message}", 1000))
            else:
                failure = ET.SubElement(case, "failure", message=_x(f.message, 1000), type=f.severity)
            details = [
                f"问题编号 id: {f.id}" + (f"（{f.count} 个页面 pages）" if f.count > 1 else ""),
                f"严重程度 severity: {SEVERITY_LABELS.get(Severity(f.severity), f.severity)} ({f.severity})",
                f"责任单位 unit: {f.unit or '未分配'}",
                f"页面 page: {f.page_title} {f.url}".strip() if f.count == 1 else f"页面 pages: {f.count}",
            ]
            if f.count > 1:
                details += [f"  - {p.url}" + ("（本次发布新增 new）" if gate and p.baseline == "new" else "")
                            for p in f.pages[:MAX_PAGES_LISTED]]
                if f.count > MAX_PAGES_LISTED:
                    details.append(f"  … 另有 {f.count - MAX_PAGES_LISTED} 个 more (findings.jsonl)")
            if f.target:
                details.append(f"链接目标 target: {f.target}")
            if f.column:
                details.append(f"栏目 column: {f.column}")
            if f.text:
                details.append(f"原文 text: {f.text}")
            if f.evidence:
                details.append(f"证据 evidence: {f.evidence}")
            if f.suggestion:
                details.append(f"建议 suggestion: {f.suggestion}")
            if f.baseline:
                details.append("发布比对 baseline: " + ("本次发布新增 new in this release" if f.baseline == "new"
                                                      else "生产环境已有 known in production"))
            details.append(f"状态 status: {STATUS_LABELS.get(f.status, f.status)}; 发现 {f.first_seen}; 期限 {f.deadline_label}"
                           + ("; 已逾期 overdue" if f.overdue else ""))
            failure.text = _x("\n".join(details))
    return root


def write(out_dir: Path, data: ReportData) -> Path:
    root = build(data.findings, data.ran, data.titles, data.summary.get("audit_errors"), gate=data.baseline is not None)
    ET.indent(root)
    path = out_dir / "junit.xml"
    atomic_write(path, ET.tostring(root, encoding="utf-8", xml_declaration=True))
    return path
