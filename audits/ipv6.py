"""IPv6 支持: the site and the hosts it links to must answer over IPv6, with the same content.

The national IPv6 deployment targets score a portal's homepage over IPv6 and the share of
its 二级 and 三级 links that work over IPv6. This audit judges the facts the IPv6 probe
(crawler/ipv6probe.py) stored: one finding per failing host — no AAAA record, IPv6
connection refused or timing out, IPv6 serving other content than IPv4 — listing the pages
that link to it and their units. The site's own host failing is a single-veto item.

What is *not* an IPv6 failure (no finding, left out of the support rates, said in the
summary): a name that does not resolve at all or a host that answers neither over IPv4 nor
over IPv6 (a dead link, the dead_link audit's business), a DNS server that does not answer,
and a host this machine has no route to. On a machine without any IPv6 route nothing is
judged: the summary says IPv6 could not be tested.
"""

from __future__ import annotations

import ipaddress
import re
import statistics
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from audits import AuditMeta
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity
from zhaocuo.core.store import Crawl
from zhaocuo.core.units import unit_for

META = AuditMeta(
    name="ipv6",
    title="IPv6 支持",
    severity=Severity.MEDIUM,
    # Not the *_no_route kinds the summary also reads: without an IPv6 route the audit has
    # no data, and the lifecycle must not take its silence for fixes.
    requires=("records:ipv6_site", "records:ipv6_host", "links"),
    description="网站首页及二级、三级链接应支持 IPv6 访问，且 IPv6 与 IPv4 访问内容一致。",
)

LEVELS = ("二级", "三级")
LINK_TAGS = frozenset({"a", "area", "iframe", "frame"})
# Below this Jaccard similarity of text shingles the v6 body is "other content" — but only
# when the page is stable over IPv4 (a second v4 fetch at least STABLE similar to the first):
# a page that changes on every request must not read as an IPv6 problem.
PARITY = 0.8
STABLE = 0.9
MAX_PAGES_LISTED = 50

OK = "ok"
FAILING = ("no_aaaa", "v6_refused", "v6_timeout", "v6_error", "v6_differs")

_DNS_REASONS = {
    "nxdomain": "域名不存在（无任何 DNS 记录），属死链，不计入 IPv6 支持率",
    "nodata": "域名没有任何 A/AAAA 地址记录，属死链，不计入 IPv6 支持率",
    "timeout": "域名服务器无应答，无法判定",
    "error": "域名服务器拒绝或解析失败，无法判定",
}


def _answered(fetch: dict[str, Any] | None) -> bool:
    return bool(fetch) and fetch.get("status") is not None


def _probe_verdict(probe: dict[str, Any]) -> tuple[str, str]:
    """The verdict of one URL fetched over both families."""
    v6, v4 = probe.get("v6"), probe.get("v4")
    if not _answered(v6):
        if not _answered(v4):
            # Neither family answers (or a v6-only host that is down): a dead link, not an IPv6 gap.
            return "down", "IPv4 与 IPv6 均无法访问，属死链，不计入 IPv6 支持率"
        kind = (v6 or {}).get("error_kind", "")
        verdict = {"refused": "v6_refused", "timeout": "v6_timeout"}.get(kind, "v6_error")
        label = {"v6_refused": "IPv6 连接被拒绝", "v6_timeout": "IPv6 连接超时"}.get(verdict, "IPv6 访问失败")
        return verdict, f"{label}（{(v6 or {}).get('address', '')}），IPv4 可正常访问"
    if not _answered(v4):
        return OK, ""  # IPv6 answers; an IPv4 problem is not this audit's
    assert v6 is not None and v4 is not None
    if v6["status"] != v4["status"]:
        return "v6_differs", f"IPv6 返回状态码 {v6['status']}，IPv4 返回 {v4['status']}"
    if _location(v6) != _location(v4):
        return "v6_differs", f"IPv6 跳转到 {v6['location'] or '（无）'}，IPv4 跳转到 {v4['location'] or '（无）'}"
    if _title(v6) != _title(v4):
        return "v6_differs", f"IPv6 页面标题为“{v6['title']}”，IPv4 为“{v4['title']}”"
    sim, stable = probe.get("similarity"), probe.get("v4_self_similarity")
    # Only a page that IPv4 serves identically twice can be said to differ over IPv6.
    if sim is not None and sim < PARITY and stable is not None and stable >= STABLE:
        return "v6_differs", f"IPv6 与 IPv4 页面内容不一致（相似度 {sim:.0%}）"
    return OK, ""


def _title(fetch: dict[str, Any]) -> str:
    """The title with runs of digits masked: a title carrying today's date or a counter is
    the same title on both families."""
    return re.sub(r"\d+", "#", fetch.get("title", ""))


def _location(fetch: dict[str, Any]) -> str:
    """The redirect target with the address we connected to masked: a server redirecting to
    its own address (http://[2001:db8::1]/ vs http://192.0.2.1/) redirects the same way."""
    loc, addr = fetch.get("location", ""), fetch.get("address", "")
    return loc.replace(f"[{addr}]", "{addr}").replace(addr, "{addr}") if addr and loc else loc


def host_verdict(rec: dict[str, Any]) -> tuple[str, str]:
    """ok, one of FAILING, or a neutral verdict (dns_failed, down, untestable, no_route,
    skipped), with the reason in Chinese."""
    dns = rec.get("dns", {})
    aaaa = dns.get("aaaa", {})
    if dns.get("status") in _DNS_REASONS:
        detail = dns.get("error", "")
        return "dns_failed", _DNS_REASONS[dns["status"]] + (f"：{detail}" if detail else "")
    if rec.get("skipped") == "no_route":
        return "no_route", "本机无 IPv6 路由，无法检测"
    if not aaaa.get("values"):
        # NXDOMAIN for AAAA with an A from the hosts file: DNS does not know the name at all.
        if aaaa.get("status") == "nodata" or (aaaa.get("status") == "nxdomain" and dns.get("a", {}).get("values")):
            return "no_aaaa", f"没有 AAAA 记录，仅有 IPv4 地址 {'、'.join(dns.get('a', {}).get('values', []))}"
        if aaaa.get("status") == "literal" and rec.get("role") == "own":
            # The profile names the site by an IPv4 address (a test or demo set-up): its IPv6
            # support is a matter of its domain name, which we were not given.
            return "untestable", "网站起始地址是 IPv4 地址而非域名，无法检测 IPv6，请在配置中使用网站域名"
        if aaaa.get("status") == "literal":
            return "no_aaaa", f"链接写的是 IPv4 地址 {rec.get('host', '')} 而非域名"
        return "untestable", f"AAAA 查询失败，无法判定：{aaaa.get('error', '')}"
    if all(_v4_mapped(a) for a in aaaa["values"]):
        return "no_aaaa", f"AAAA 记录只有 IPv4 映射地址 {'、'.join(aaaa['values'])}，并非真正的 IPv6 地址"
    if not rec.get("v6_routable"):
        return "untestable", "本机到该主机的 IPv6 地址无路由，无法判定"
    verdicts = [_probe_verdict(p) for p in rec.get("probes", [])]
    for verdict, reason in verdicts:
        if verdict in FAILING:
            return verdict, reason
    if any(v == OK for v, _ in verdicts):
        return OK, ""
    if verdicts:
        return verdicts[0]
    if rec.get("skipped") == "time_budget":
        return "skipped", "超出检测时间上限，未检测"
    return "untestable", "未能检测"


def _v4_mapped(address: str) -> bool:
    try:
        return ipaddress.IPv6Address(address).ipv4_mapped is not None
    except ValueError:
        return False


def _site(crawl: Crawl) -> tuple[dict[str, Any] | None, dict[str, dict[str, Any]]]:
    """The census and the host records; on a machine without IPv6 route, those stored under
    the no-route kinds (read for the summary only: nothing is judged)."""
    site = crawl.records("ipv6_site").get("census")
    if site is not None:
        return site, crawl.records("ipv6_host")
    site = crawl.records("ipv6_site_no_route").get("census")
    return site, (crawl.records("ipv6_host_no_route") if site is not None else {})


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def _linking_pages(crawl: Crawl, hosts: set[str]) -> dict[str, list[str]]:
    """Every stored page that links to each host, in one pass over the run's links.

    Why not an index lookup by URL prefix: links are stored as written, and a host written
    in capitals would lose its pages (and the units responsible). A substring test before
    the exact host parse (in SQLite) keeps the pass well under a second per million links."""
    found: dict[str, dict[str, None]] = {h: {} for h in hosts}
    if not hosts:
        return {}
    # The store's pre-filter folds ASCII only: enough for host names (IDN hosts are stored
    # punycoded or as written; the exact parse below decides).
    for link in crawl.links_mentioning(hosts, LINK_TAGS):
        h = _host(link.target)
        if h in found:
            found[h][link.source] = None
    return {h: list(p) for h, p in found.items()}


def undetermined(ctx: AuditContext) -> set[str]:
    """Finding keys (hosts) this run could not judge: DNS failed, host down, untestable. A host
    that failed last night and cannot be probed tonight is not fixed; "*" means nothing was
    judged at all (no IPv6 route from this machine, or no probe)."""
    crawl = ctx.crawl
    site, records = _site(crawl)
    if site is None or site.get("no_route"):
        return {"*"}
    verdicts = {h: host_verdict(r)[0] for h, r in records.items()}
    return {h for h, v in verdicts.items() if v != "ok" and v not in FAILING}


def audit(ctx: AuditContext) -> Iterable[Finding]:
    crawl, profile = ctx.crawl, ctx.profile
    site, records = _site(crawl)
    if site is None or site.get("no_route"):
        return []  # not probed, or this machine cannot test IPv6: nothing can be judged
    failing = {h: host_verdict(r) for h, r in records.items()}
    failing = {h: v for h, v in failing.items() if v[0] in FAILING}
    homepage = site.get("homepage") or profile.homepage
    linked = _linking_pages(crawl, {h for h in failing if records[h].get("role") != "own"})
    findings = []
    for host, (verdict, reason) in sorted(failing.items()):
        rec = records[host]
        own = rec.get("role") == "own"
        pages = [homepage] if own else linked.get(host, [])
        if not own and not pages:
            continue  # the census saw a link the stored links no longer hold: nothing to point at
        # The homepage when it links to the host; else the first page by URL (stable across runs).
        url = homepage if homepage in pages else sorted(pages)[0]
        units = sorted({u for u in (unit_for(p, profile.units) for p in pages) if u})
        levels = [lvl for lvl in LEVELS if rec.get("levels", {}).get(lvl)]
        if own:
            message = (f"本网站主机 {host} 无法正常通过 IPv6 访问（{reason}），属单项否决项，"
                       f"请尽快开通 IPv6 并确保 IPv6 与 IPv4 访问内容一致。")
        else:
            where = "、".join(levels) or "站内"
            message = (f"本网站 {len(pages)} 个页面链接的主机 {host} 无法正常通过 IPv6 访问（{reason}），"
                       f"拉低了{where}链接 IPv6 支持率，请联系对方开通 IPv6 或更换链接。")
        findings.append(Finding(
            audit=META.name,
            severity=Severity.VETO if own else META.severity,
            url=url,
            message=message,
            unit=unit_for(url, profile.units),
            key=host,
            evidence=reason,
            extra={"host": host, "verdict": verdict, "reason": reason, "own_host": own,
                   "aaaa": rec.get("dns", {}).get("aaaa", {}).get("values", []),
                   "a": rec.get("dns", {}).get("a", {}).get("values", []),
                   "cnames": rec.get("dns", {}).get("cnames", []),
                   "levels": rec.get("levels", {}), "page_count": len(pages),
                   "pages": sorted(pages)[:MAX_PAGES_LISTED], "units": units},
        ))
    return findings


def _rate(supported: int, unsupported: int) -> float | None:
    total = supported + unsupported
    return round(100.0 * supported / total, 1) if total else None


def summary(ctx: AuditContext, findings: list[Finding]) -> dict[str, Any]:
    """Homepage IPv6 yes/no, 二级/三级链接IPv6支持率 (percent of links whose host works over
    IPv6; dead and undeterminable links left out) and the hosts that pull them down."""
    crawl = ctx.crawl
    site, records = _site(crawl)
    if site is None:
        out = {"homepage_ipv6": "未检测", "note": "本次未进行 IPv6 检测 (ipv6 probe did not run)"}
        out["lines"] = summary_lines(out)
        return out
    verdicts = {h: host_verdict(r) for h, r in records.items()}
    own = site.get("own_host", "")
    no_route = bool(site.get("no_route"))
    out: dict[str, Any] = {"no_route": no_route, "note": site.get("note", "")}
    # The homepage works over IPv6 when its host — and the host it redirects to — do.
    own_verdicts = [verdicts.get(h, ("untestable", "首页主机未检测")) for h in site.get("own_hosts") or [own]]
    own_verdict, own_reason = next((v for v in own_verdicts if v[0] != OK), own_verdicts[0])
    if no_route:
        out["homepage_ipv6"] = "无法检测"
    else:
        out["homepage_ipv6"] = "是" if own_verdict == OK else ("否" if own_verdict in FAILING else "无法检测")
    out["homepage_reason"] = own_reason
    levels_out: dict[str, Any] = {}
    for lvl in LEVELS:
        hosts = site.get("levels", {}).get(lvl, {}).get("hosts", {})
        supported = unsupported = undetermined = 0
        pulling: list[dict[str, Any]] = []
        for host, count in hosts.items():
            verdict, reason = verdicts.get(host, ("skipped", "超出主机数上限，未检测"))
            if no_route:
                undetermined += count
            elif verdict == OK:
                supported += count
            elif verdict in FAILING:
                unsupported += count
                pulling.append({"host": host, "links": count, "verdict": verdict, "reason": reason})
            else:
                undetermined += count
        pulling.sort(key=lambda p: (-p["links"], p["host"]))
        rate = None if no_route else _rate(supported, unsupported)
        out[f"{lvl}链接IPv6支持率"] = rate
        links = sum(hosts.values())
        # The rate's coverage: a rate over 1 of 26 links must not read like one over all 26.
        levels_out[lvl] = {"links": links, "supported": supported, "unsupported": unsupported,
                           "undetermined": undetermined, "rate": rate,
                           "determined_share": round(100.0 * (supported + unsupported) / links, 1) if links else None,
                           "pulling_down": pulling[:20]}
    out["levels"] = levels_out
    out["method"] = ("二级链接=首页上的链接，三级链接=二级页面上的其余链接，按去重后的链接地址计数；"
                     "主机有 AAAA 记录且经 IPv6 访问与 IPv4 一致即为支持；死链和无法判定的链接不计入支持率")
    own_rec = records.get(own, {})
    home_probe = next((p for p in own_rec.get("probes", []) if p.get("url") == site.get("homepage")), None)
    if home_probe:
        out["latency_ms"] = {"ipv4": (home_probe.get("v4") or {}).get("elapsed_ms"),
                             "ipv6": (home_probe.get("v6") or {}).get("elapsed_ms")}
        out["homepage_similarity"] = home_probe.get("similarity")
    both = [(p["v4"]["elapsed_ms"], p["v6"]["elapsed_ms"]) for r in records.values() for p in r.get("probes", [])
            if _answered(p.get("v4")) and _answered(p.get("v6"))]
    if both:
        # Over every URL that answered on both families: one slow v6 front end shows here.
        out["latency_ms_median_all"] = {"ipv4": statistics.median(b[0] for b in both),
                                        "ipv6": statistics.median(b[1] for b in both), "urls": len(both)}
    ns = own_rec.get("ns", {})
    out["dns"] = {
        "aaaa": own_rec.get("dns", {}).get("aaaa", {}).get("values", []),
        "cnames": own_rec.get("dns", {}).get("cnames", []),
        "ns_zone": ns.get("zone", ""),
        "ns_servers": [{"name": s["name"], "ipv6": bool(s.get("aaaa"))} for s in ns.get("servers", [])],
        "ns_ipv6": any(s.get("aaaa") for s in ns.get("servers", [])) if ns.get("servers") else None,
        "ns_error": ns.get("error", ""),
    }
    counts: dict[str, int] = {}
    for verdict, _ in verdicts.values():
        counts[verdict] = counts.get(verdict, 0) + 1
    out["hosts"] = counts
    if site.get("hosts_over_cap_count"):
        out["hosts_over_cap"] = site["hosts_over_cap_count"]
    out["lines"] = summary_lines(out)
    return out


def summary_lines(s: dict[str, Any]) -> list[str]:
    """The scores as short Chinese lines for the report and mails (already worded, so the
    report needs no IPv6 knowledge): homepage, each level's rate with its coverage, the
    hosts that pull each rate down, and the note when nothing could be tested."""
    lines = []
    home = s.get("homepage_ipv6", "未检测")
    reason = s.get("homepage_reason", "")
    lines.append(f"首页 IPv6 访问：{home}" + (f"（{reason}）" if reason and home != "是" else ""))
    for lvl in LEVELS:
        level = s.get("levels", {}).get(lvl)
        if not level:
            continue
        rate = level.get("rate")
        judged = level["supported"] + level["unsupported"]
        text = f"{rate:g}%" if rate is not None else "无法计算"
        lines.append(f"{lvl}链接 IPv6 支持率：{text}（共 {level['links']} 个链接，可判定 {judged} 个，"
                     f"支持 {level['supported']} 个）")
        pulling = level.get("pulling_down") or []
        if pulling:
            hosts = "、".join(f"{p['host']}（{p['links']} 个链接）" for p in pulling[:5])
            more = f" 等 {len(pulling)} 个主机" if len(pulling) > 5 else ""
            lines.append(f"拉低{lvl}链接支持率的主机：{hosts}{more}")
    latency = s.get("latency_ms") or {}
    if latency.get("ipv4") is not None and latency.get("ipv6") is not None:
        lines.append(f"首页响应时间：IPv4 {latency['ipv4']:g} 毫秒，IPv6 {latency['ipv6']:g} 毫秒")
    if s.get("note"):
        lines.append(s["note"])
    return lines
