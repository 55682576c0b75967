"""Trends for report.html: the last 30 audited runs as inline SVG, overall and per unit.

The counts come from the lifecycle's per-run record (state kind ``run``: new / open /
reopened / fixed / overdue, overall and per unit), so the chart needs no re-audit.

Built to survive being mailed: plain inline SVG with presentation attributes only — no
JavaScript, no <style>, no ids or xlink references, no external fonts or images — and every
figure is also written as text (a small table), for mail clients that drop SVG. Every string
put into the markup (unit names, dates) is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

LIMIT = 30
NEW, FIXED, OPEN = "#d9534f", "#3c9a3c", "#3a6fb0"
FONT = "font-family=\"'Microsoft YaHei','PingFang SC','Noto Sans CJK SC',sans-serif\""


def _open(c: dict[str, Any]) -> int:
    """Outstanding findings of a run: everything still on the site (new, open, reopened)."""
    if "total" in c:
        return int(c["total"])
    return int(c.get("new", 0)) + int(c.get("open", 0)) + int(c.get("reopened", 0))


def _nice_max(value: int) -> int:
    """A round axis maximum ≥ value (1, 2, 5 × 10^k)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def _label(run: dict[str, Any]) -> str:
    day = str(run.get("as_of", ""))
    return day[5:] if len(day) == 10 else f"#{run.get('run', '')}"


def _chart(runs: list[dict[str, Any]], width: int = 720, height: int = 240) -> str:
    """Bars for new (red) and fixed (green) per run, a line for outstanding (blue)."""
    left, right, top, bottom = 44, 12, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max(max(_open(r), int(r.get("new", 0)), int(r.get("fixed", 0))) for r in runs)
    tick = _nice_max(-(-top_value // 4))  # four gridlines at whole, round numbers
    peak = tick * 4
    n = len(runs)
    slot = plot_w / max(n, 1)
    bar = max(1.0, min(14.0, slot * 0.35))

    def y(v: float) -> float:
        return top + plot_h - (v / peak) * plot_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" {FONT} font-size="11">',
             f"<title>最近 {n} 次检查：新发现、已整改与待整改问题数</title>",
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    for i in range(5):
        v = tick * i
        yy = y(v)
        parts.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{width - right}" y2="{yy:.1f}" stroke="#e5e5e5"/>')
        parts.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#666">{v}</text>')
    every = max(1, -(-n // 10))  # at most ~10 date labels
    points = []
    for i, r in enumerate(runs):
        cx = left + slot * (i + 0.5)
        new, fixed, outstanding = int(r.get("new", 0)), int(r.get("fixed", 0)), _open(r)
        label = escape(_label(r))
        parts.append(f'<rect x="{cx - bar:.1f}" y="{y(new):.1f}" width="{bar:.1f}" height="{y(0) - y(new):.1f}" '
                     f'fill="{NEW}"><title>{label} 新发现 {new}</title></rect>')
        parts.append(f'<rect x="{cx:.1f}" y="{y(fixed):.1f}" width="{bar:.1f}" height="{y(0) - y(fixed):.1f}" '
                     f'fill="{FIXED}"><title>{label} 已整改 {fixed}</title></rect>')
        points.append((cx, y(outstanding), label, outstanding))
        if i % every == 0 or i == n - 1:
            parts.append(f'<text x="{cx:.1f}" y="{height - bottom + 16}" text-anchor="middle" fill="#666">{label}</text>')
    if len(points) > 1:
        poly = " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in points)
        parts.append(f'<polyline points="{poly}" fill="none" stroke="{OPEN}" stroke-width="2"/>')
    for px, py, label, value in points:
        parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{OPEN}"><title>{label} 待整改 {value}</title>'
                     "</circle>")
    parts.append(f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}" stroke="#999"/>')
    legend_y = 14
    for k, (color, name) in enumerate(((NEW, "新发现"), (FIXED, "已整改"), (OPEN, "待整改"))):
        lx = left + k * 90
        parts.append(f'<rect x="{lx}" y="{legend_y - 9}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{lx + 14}" y="{legend_y}" fill="#333">{name}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _spark(values: list[tuple[int, int, int]], width: int = 180, height: int = 36) -> str:
    """A unit's small multiple: outstanding as a line, new/fixed as thin bars underneath."""
    peak = _nice_max(max(max(v) for v in values))
    n = len(values)
    slot = width / max(n, 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">']
    pts = []
    for i, (new, fixed, outstanding) in enumerate(values):
        cx = slot * (i + 0.5)
        h_new, h_fixed = (height - 4) * new / peak, (height - 4) * fixed / peak
        bw = max(1.0, slot * 0.3)
        parts.append(f'<rect x="{cx - bw:.1f}" y="{height - h_new:.1f}" width="{bw:.1f}" height="{h_new:.1f}" '
                     f'fill="{NEW}" fill-opacity="0.6"/>')
        parts.append(f'<rect x="{cx:.1f}" y="{height - h_fixed:.1f}" width="{bw:.1f}" height="{h_fixed:.1f}" '
                     f'fill="{FIXED}" fill-opacity="0.6"/>')
        pts.append(f"{cx:.1f},{height - 2 - (height - 4) * outstanding / peak:.1f}")
    if len(pts) > 1:
        parts.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="{OPEN}" stroke-width="1.5"/>')
    else:
        x, y = pts[0].split(",")
        parts.append(f'<circle cx="{x}" cy="{y}" r="2" fill="{OPEN}"/>')
    parts.append("</svg>")
    return "".join(parts)


def svg_for(runs: list[dict[str, Any]], limit: int = LIMIT) -> str:
    """The trends section's markup (our own, safe to embed) from the lifecycle's per-run counts
    (oldest first): "" when no run was audited yet."""
    runs = runs[-limit:]
    if not runs:
        return ""
    units = sorted({u for r in runs for u in r.get("units", {})}, key=lambda u: (u == "", u))
    rows = []
    for unit in units:
        series = []
        for r in runs:
            c = r.get("units", {}).get(unit, {})
            series.append((int(c.get("new", 0)), int(c.get("fixed", 0)), _open(c) if c else 0))
        last = series[-1]
        rows.append(
            f'<tr><td style="padding:2px 8px;">{escape(unit or "未分配")}</td>'
            f'<td style="padding:2px 8px;">{_spark(series)}</td>'
            f'<td style="padding:2px 8px;text-align:right;">{last[2]}</td>'
            f'<td style="padding:2px 8px;text-align:right;color:{NEW};">{last[0]}</td>'
            f'<td style="padding:2px 8px;text-align:right;color:{FIXED};">{last[1]}</td></tr>'
        )
    last = runs[-1]
    first_day, last_day = escape(str(runs[0].get("as_of", ""))), escape(str(last.get("as_of", "")))
    caption = (f"最近 {len(runs)} 次检查（{first_day} 至 {last_day}）。本次：待整改 {_open(last)}，"
               f"新发现 {int(last.get('new', 0))}，已整改 {int(last.get('fixed', 0))}，逾期 {int(last.get('overdue', 0))}。")
    table = ""
    if rows:
        table = ('<table cellspacing="0" cellpadding="0" style="border-collapse:collapse;margin-top:8px;font-size:13px;">'
                 '<tr style="background:#f0f0f0;"><th style="padding:2px 8px;text-align:left;">责任单位</th>'
                 f'<th style="padding:2px 8px;">近 {len(runs)} 次走势</th><th style="padding:2px 8px;">待整改</th>'
                 '<th style="padding:2px 8px;">新发现</th><th style="padding:2px 8px;">已整改</th></tr>'
                 + "".join(rows) + "</table>")
    return (f'<figure style="margin:0;">{_chart(runs)}'
            f'<figcaption style="font-size:13px;color:#444;margin-top:4px;">{caption}</figcaption>'
            f"{table}</figure>")
