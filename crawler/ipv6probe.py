"""The IPv6 probe: DNS and IPv6 reachability of the site's host and of every linked host.

Runs after the site crawl in the same run and reads the run's homepage and links from the
store. It gathers facts only — the ``ipv6`` audit judges them:

- the link census: 二级 links (on the homepage) and 三级 links (on the pages one click away,
  minus those already counted at 二级), counted per host;
- per host: A/AAAA with the CNAME chain; for the site's own host also the zone's name
  servers and their addresses;
- per host, up to ``ipv6.max_urls_per_host`` linked URLs fetched once through an IPv6
  address and once through an IPv4 address (same Host, same port): status, title, text
  similarity of the two and latency. A failed or different IPv6 answer is fetched once
  more (one lost connection is not a missing service); when the two bodies differ, IPv4 is
  fetched a second time so the audit can tell a page that changes on every request from a
  v6 mirror that serves something else.

DNS goes through the profile's ``dns.nameservers``, or the system's resolver (hosts file
first, then /etc/resolv.conf). Every count, time and size is bounded by ``[ipv6]``.

Stored as records: ``ipv6_host`` (one per host) and ``ipv6_site``/``census`` (the levels,
the machine's IPv6 route, notes). A machine without any IPv6 route cannot test IPv6: the
probe says so once and records it (under ``*_no_route`` kinds) instead of failing every host.
"""

from __future__ import annotations

import ipaddress
import logging
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler.access import SiteAccess
from crawler.ipv6_dns import (
    ERROR,
    HostDns,
    HostsFile,
    Lookup,
    authoritative_ns,
    host_dns,
    make_resolver,
    read_hosts_file,
)
from crawler.ipv6_fetch import Fetch, fetch_via, routable, similarity
from crawler.tls import ca_path
from crawler.urls import canonical
from zhaocuo.core.profile import Profile
from zhaocuo.core.store import Crawl, Page, Store

log = logging.getLogger("zhaocuo.ipv6")

LEVEL2, LEVEL3 = "二级", "三级"
# Links a visitor follows; images, scripts and styles are resources, not links.
LINK_TAGS = frozenset({"a", "area", "iframe", "frame"})
# A documentation address (RFC 3849): whether the kernel has any route to the IPv6 internet.
_GLOBAL_PROBE = "2001:db8::1"
# Below this similarity of the v4 and v6 bodies, IPv4 is fetched again to measure how much
# the page changes by itself (a measurement trigger, not a verdict).
RECHECK_BELOW = 0.95
NO_ROUTE_MESSAGE = "本机无 IPv6 路由，无法检测 IPv6 / cannot test IPv6 from this machine"
# Record kinds. Without an IPv6 route the facts go under kinds of their own: the audit's
# inputs (SITE_KIND, HOST_KIND) are then absent, so the finding lifecycle knows the audit had
# no data this run and does not mark last night's IPv6 findings as fixed.
SITE_KIND, HOST_KIND = "ipv6_site", "ipv6_host"
SITE_KIND_NO_ROUTE, HOST_KIND_NO_ROUTE = "ipv6_site_no_route", "ipv6_host_no_route"


@dataclass
class Census:
    """Which links sit at which level, grouped by host (distinct URLs, in page order)."""

    homepage: str
    own_host: str
    final_url: str = ""   # where the homepage redirects, when that is on another host
    levels: dict[str, dict[str, list[str]]] = field(default_factory=lambda: {LEVEL2: {}, LEVEL3: {}})
    homepage_stored: bool = False

    def hosts(self) -> list[str]:
        """Own host first, then hosts by number of links (most-linked first: they weigh most)."""
        counts: Counter[str] = Counter()
        for by_host in self.levels.values():
            for host, urls in by_host.items():
                counts[host] += len(urls)
        own = self.own_hosts
        ordered = [h for h, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if h not in own]
        return [*own, *ordered]

    @property
    def own_hosts(self) -> list[str]:
        """The start URL's host, and the host the homepage redirects to (http://x.gov.cn →
        https://www.x.gov.cn: both are the site's own)."""
        hosts = [self.own_host] if self.own_host else []
        final = _host(self.final_url) if self.final_url else ""
        return hosts + ([final] if final and final not in hosts else [])

    def urls(self, host: str) -> list[str]:
        out: list[str] = []
        for by_host in self.levels.values():
            out += [u for u in by_host.get(host, []) if u not in out]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"homepage": self.homepage, "own_host": self.own_host, "own_hosts": self.own_hosts,
                "final_url": self.final_url, "homepage_stored": self.homepage_stored,
                "levels": {lvl: {"links": sum(len(u) for u in by_host.values()),
                                 "hosts": {h: len(u) for h, u in by_host.items()}}
                           for lvl, by_host in self.levels.items()}}


def _v4_mapped(address: str) -> bool:
    try:
        return ipaddress.IPv6Address(address).ipv4_mapped is not None
    except ValueError:
        return False


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def _stored_page(crawl: Crawl, url: str) -> Page | None:
    """The stored page for a link target: pages are stored under the crawler's canonical
    spelling, links as written on the page."""
    return crawl.page(url) or crawl.page(canonical(url))


def _homepage(crawl: Crawl, start_url: str) -> Page | None:
    """The run's homepage: the start URL as written or canonical, else the first depth-0 page."""
    page = _stored_page(crawl, start_url)
    if page is None:
        page = next((p for p in crawl.pages(("html",)) if p.depth == 0), None)
    return page


def _targets(crawl: Crawl, page: Page) -> list[str]:
    """http(s) link targets of a stored page (links stored under its URL or its final URL),
    one per canonical URL, in page order."""
    sources = [page.url] + ([page.final_url] if page.final_url and page.final_url != page.url else [])
    out: list[str] = []
    seen: set[str] = set()
    for src in sources:
        for link in crawl.links_from(src):
            t = link.target
            if link.tag not in LINK_TAGS or not t.startswith(("http://", "https://")) or not _host(t):
                continue
            key = canonical(t)
            if key not in seen:
                seen.add(key)
                out.append(t)
    return out


def link_census(crawl: Crawl, profile: Profile) -> Census:
    """二级 = links on the homepage; 三级 = links on the stored HTML pages those lead to, not
    already counted at 二级 (a link's level is its shortest click distance from the homepage).
    Links are told apart by their canonical URL."""
    home = _homepage(crawl, profile.homepage)
    homepage = home.url if home else profile.homepage
    census = Census(homepage=homepage, own_host=_host(homepage), homepage_stored=home is not None)
    if home is None:
        return census  # the crawl stored no homepage: only the own host is probed
    if home.final_url and _host(home.final_url) != census.own_host:
        census.final_url = home.final_url
    seen = {canonical(homepage), canonical(home.final_url or homepage), canonical(profile.homepage)}
    level2 = [t for t in _targets(crawl, home) if canonical(t) not in seen]
    seen |= {canonical(t) for t in level2}
    level3: list[str] = []
    for url in level2:
        page = _stored_page(crawl, url)
        if page is None or page.kind != "html":
            continue  # not a page of the site (external or not crawled): its links are not 三级
        for t in _targets(crawl, page):
            if canonical(t) not in seen:
                seen.add(canonical(t))
                level3.append(t)
    for level, urls in ((LEVEL2, level2), (LEVEL3, level3)):
        for u in urls:
            census.levels[level].setdefault(_host(u), []).append(u)
    return census


def _fetch_family(url: str, addresses: list[str], profile: Profile, access: SiteAccess | None = None) -> Fetch | None:
    """Fetch ``url`` through the first of (at most two) addresses that answers (with the site's
    access headers on its own hosts, crawler.access)."""
    last: Fetch | None = None
    headers = access.headers_for(url) if access is not None else {}
    for addr in addresses[:2]:
        last = fetch_via(url, addr, profile.ipv6.timeout_s, profile.ipv6.max_bytes, profile.crawl.user_agent,
                         headers=headers, ca_file=ca_path(profile))
        if last.answered:
            return last
    return last


def probe_url(url: str, dns_info: HostDns, v6_addresses: list[str], profile: Profile,
              access: SiteAccess | None = None) -> dict[str, Any]:
    """One linked URL over IPv6 and over IPv4, with the similarity of the two bodies."""
    v6 = _fetch_family(url, v6_addresses, profile, access) if v6_addresses else None
    v4 = _fetch_family(url, dns_info.a.values, profile, access) if dns_info.a.values else None
    first: Fetch | None = None
    if v6 and v4 and v4.answered and (not v6.answered or v6.status != v4.status):
        # One more IPv6 try before the audit may say anything: one lost connection or a 503
        # under load is not a missing IPv6 service. The second result is the one judged.
        first, v6 = v6, _fetch_family(url, v6_addresses, profile, access) or v6
    out: dict[str, Any] = {"url": url, "v6": v6.to_dict() if v6 else None, "v4": v4.to_dict() if v4 else None,
                           "v6_first": first.to_dict() if first else None,
                           "similarity": None, "v4_self_similarity": None}
    if v6 and v4 and v6.answered and v4.answered:
        out["similarity"] = similarity(v4, v6)
        if out["similarity"] < RECHECK_BELOW:
            again = _fetch_family(url, [v4.address], profile, access)
            if again and again.answered:
                out["v4_self_similarity"] = similarity(v4, again)
    return out


def _safe_dns(resolver: Any, host: str, why: str, hosts_file: HostsFile | None) -> HostDns:
    """``host_dns`` that cannot take the whole probe down with one odd host name."""
    try:
        return host_dns(resolver, host, why, hosts_file)
    except Exception as exc:  # noqa: BLE001 - a host from an untrusted page
        log.exception("DNS lookup of %s failed", host)
        failed = Lookup(ERROR, error=f"DNS 错误 {type(exc).__name__}: {exc}")
        return HostDns(host, failed, failed)


def _host_record(host: str, census: Census, dns_info: HostDns) -> dict[str, Any]:
    return {
        "host": host,
        "role": "own" if host in census.own_hosts else "linked",
        "dns": dns_info.to_dict(),
        "levels": {lvl: len(by_host.get(host, [])) for lvl, by_host in census.levels.items()},
        "v6_routable": [],
        "probes": [],
        "skipped": "",
    }


def gather(profile: Profile, store: Store, run_id: int, progress: bool) -> dict[str, Any]:
    """Probe the site's and the linked hosts; store one ``ipv6_host`` record per host and the
    ``ipv6_site`` census. Returns the stats merged into the run's."""
    if not profile.ipv6.enabled:
        return {"ipv6": "disabled"}
    started = time.monotonic()
    run = store.run(run_id)
    if run is None:
        raise LookupError(f"run {run_id} not in {store.url}")
    crawl = Crawl(store, run)
    access = SiteAccess(profile)
    census = link_census(crawl, profile)
    hosts = census.hosts()
    probed, skipped = hosts[: profile.ipv6.max_hosts], hosts[profile.ipv6.max_hosts:]
    resolver, why = make_resolver(profile.dns.nameservers, profile.dns.timeout_s)
    # The system resolver reads the hosts file first; the profile's name servers are DNS only.
    hosts_file = None if profile.dns.nameservers else read_hosts_file()
    workers = max(1, profile.ipv6.concurrency)

    # Phase 1: DNS for every host (own host with its zone's name servers).
    with ThreadPoolExecutor(workers) as pool:
        dns_infos = dict(zip(probed, pool.map(lambda h: _safe_dns(resolver, h, why, hosts_file), probed),
                             strict=True))
    records = {h: _host_record(h, census, dns_infos[h]) for h in probed}
    for own in census.own_hosts:
        if own in records:
            records[own]["ns"] = authoritative_ns(resolver, own)

    # Phase 2: can this machine reach IPv6 at all? Loopback (::1) counts: tests use it.
    for h in probed:
        # An IPv4-mapped AAAA (::ffff:a.b.c.d) would be reached over IPv4: not an IPv6 address.
        records[h]["v6_routable"] = [a for a in dns_infos[h].aaaa.values if not _v4_mapped(a) and routable(a)]
    no_route = not routable(_GLOBAL_PROBE) and not any(r["v6_routable"] for r in records.values())
    note = NO_ROUTE_MESSAGE if no_route else ""
    if no_route:
        if progress:
            print(f"IPv6: {NO_ROUTE_MESSAGE}", file=sys.stderr)
        else:
            log.warning(NO_ROUTE_MESSAGE)

    # Phase 3: fetch the linked URLs over IPv6 and IPv4, within the time budget.
    deadline = started + profile.ipv6.max_total_s

    def probe_host(host: str) -> None:
        rec = records[host]
        if no_route:
            rec["skipped"] = "no_route"
            return
        if time.monotonic() > deadline:
            rec["skipped"] = "time_budget"
            return
        info = dns_infos[host]
        if not info.a.values and not rec["v6_routable"]:
            return  # nothing to connect to: the DNS facts say why
        urls = census.urls(host)
        if host == census.own_host:  # the homepage is always probed, first
            urls = [census.homepage, *[u for u in urls if u != census.homepage]]
        elif host in census.own_hosts:  # so is where it redirects to
            urls = [census.final_url, *[u for u in urls if u != census.final_url]]
        urls = urls[: max(1, profile.ipv6.max_urls_per_host)]
        for url in urls:
            if time.monotonic() > deadline:
                rec["skipped"] = "time_budget"
                break
            try:
                result = probe_url(url, info, rec["v6_routable"], profile, access)
            except Exception as exc:  # noqa: BLE001 - one odd URL must not end the whole probe
                log.exception("IPv6 probe of %s failed", url)
                result = {"url": url, "v6": None, "v4": None, "similarity": None,
                          "v4_self_similarity": None, "error": f"{type(exc).__name__}: {exc}"}
            rec["probes"].append(result)
            v4, v6 = result.get("v4") or {}, result.get("v6")
            if v6 is not None and v6.get("status") is None and v4.get("status") is not None:
                break  # IPv6 failed twice where IPv4 answers: more URLs of this host add only waiting

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(probe_host, probed))

    for host, rec in records.items():
        store.put_record(run_id, HOST_KIND_NO_ROUTE if no_route else HOST_KIND, host, rec)
    site = {
        **census.to_dict(),
        "no_route": no_route,
        "note": note,
        "nameservers": list(profile.dns.nameservers),
        "resolver_error": why,
        "hosts_probed": len(probed),
        "hosts_over_cap": skipped[:100],
        "hosts_over_cap_count": len(skipped),
        "elapsed_s": round(time.monotonic() - started, 2),
    }
    store.put_record(run_id, SITE_KIND_NO_ROUTE if no_route else SITE_KIND, "census", site)
    store.commit()
    if progress:
        print(f"IPv6: {len(probed)} 个主机已检测 hosts probed in {site['elapsed_s']} s", file=sys.stderr)
    return {"ipv6_hosts": len(probed), "ipv6_no_route": no_route, "ipv6_elapsed_s": site["elapsed_s"]}
