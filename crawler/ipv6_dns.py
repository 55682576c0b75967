"""DNS facts for the IPv6 probe: A/AAAA with their CNAME chain, and the zone's name servers.

Why a module of its own: every DNS outcome (NXDOMAIN, no AAAA, a refusing or silent name
server, a CNAME chain) must become a plain stored fact with a clear Chinese explanation,
never an exception that ends the probe. Lookups go through dnspython with the profile's
``dns.nameservers`` ("host:port", "[v6]:port" or a bare address) or, when none are given,
the system resolver.
"""

from __future__ import annotations

import ipaddress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import dns.exception
import dns.nameserver
import dns.rdatatype
import dns.resolver

from zhaocuo.core.profile import parse_nameserver

# Outcome of one lookup, stored as ``status`` (the audit explains each in Chinese).
OK = "ok"
NXDOMAIN = "nxdomain"      # the name does not exist
NODATA = "nodata"          # the name exists, no record of this type
TIMEOUT = "timeout"        # no name server answered in time
ERROR = "error"            # the name servers refused or failed (REFUSED, SERVFAIL, …)
LITERAL = "literal"        # the host is an IP address written in the URL: nothing to look up


def make_resolver(nameservers: list[str], timeout_s: float) -> tuple[dns.resolver.Resolver | None, str]:
    """A resolver for the profile's name servers (or the system's) and "" — or None and the
    reason when the system has no resolver configuration at all."""
    try:
        resolver = dns.resolver.Resolver(configure=not nameservers)
    except dns.resolver.NoResolverConfiguration as exc:
        return None, f"本机没有可用的 DNS 配置 no resolver configuration: {exc}"
    if nameservers:
        resolver.nameservers = [dns.nameserver.Do53Nameserver(*parse_nameserver(ns)) for ns in nameservers]
    resolver.lifetime = timeout_s
    resolver.timeout = max(0.5, timeout_s / 2)
    return resolver, ""


@dataclass
class Lookup:
    """One record type of one name: addresses (or names), the CNAME chain followed, the outcome."""

    status: str = OK
    values: list[str] = field(default_factory=list)
    cnames: list[str] = field(default_factory=list)   # "alias → target" hops, in order
    error: str = ""
    source: str = "dns"                                 # "dns", or "hosts" (the hosts file)


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def lookup(resolver: dns.resolver.Resolver, name: str, rdtype: str) -> Lookup:
    """Resolve ``name``/``rdtype``; every DNS failure becomes a ``Lookup`` with its status."""
    try:
        answer = resolver.resolve(name, rdtype, search=False)
    except dns.resolver.NXDOMAIN:
        return Lookup(NXDOMAIN, error="域名不存在 NXDOMAIN")
    except dns.resolver.NoAnswer as exc:
        # NoAnswer still carries the CNAME chain that led to the empty answer.
        chain = _chain(exc.kwargs.get("response")) if getattr(exc, "kwargs", None) else []
        return Lookup(NODATA, cnames=chain, error=f"没有 {rdtype} 记录 no {rdtype} record")
    except dns.resolver.LifetimeTimeout:
        return Lookup(TIMEOUT, error="域名服务器无应答 DNS timeout")
    except dns.resolver.NoNameservers as exc:
        return Lookup(ERROR, error=f"域名服务器拒绝或无法解析 name servers failed: {_short(exc)}")
    except dns.exception.DNSException as exc:
        return Lookup(ERROR, error=f"DNS 错误 {type(exc).__name__}: {_short(exc)}")
    values = sorted({r.to_text().rstrip(".").lower() if rdtype == "NS" else r.to_text() for r in answer})
    hops = [f"{c.name.to_text().rstrip('.')} → {c[0].target.to_text().rstrip('.')}"
            for c in answer.chaining_result.cnames]
    return Lookup(OK, values, hops)


def _chain(response: Any) -> list[str]:
    if response is None:
        return []
    hops = []
    for rrset in response.answer:
        if rrset.rdtype == dns.rdatatype.CNAME:
            hops.append(f"{rrset.name.to_text().rstrip('.')} → {rrset[0].target.to_text().rstrip('.')}")
    return hops


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 300 else text[:300] + "…"


@dataclass
class HostDns:
    """A and AAAA of one host; ``status`` sums them up: ok (at least one address), nxdomain,
    nodata (the name exists but has no address), timeout or error."""

    host: str
    a: Lookup
    aaaa: Lookup

    @property
    def status(self) -> str:
        if self.a.values or self.aaaa.values:
            return LITERAL if self.a.status == LITERAL or self.aaaa.status == LITERAL else OK
        statuses = {self.a.status, self.aaaa.status}
        for s in (TIMEOUT, ERROR, NXDOMAIN):
            if s in statuses:
                return s
        return NODATA

    @property
    def error(self) -> str:
        return self.a.error if self.a.status in (TIMEOUT, ERROR, NXDOMAIN) else self.aaaa.error

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "a": asdict(self.a), "aaaa": asdict(self.aaaa),
                "cnames": self.a.cnames or self.aaaa.cnames, "error": self.error if self.status != OK else ""}


HostsFile = dict[str, tuple[list[str], list[str]]]


def read_hosts_file(path: str | Path = "/etc/hosts", max_bytes: int = 1024 * 1024) -> HostsFile:
    """Name → (IPv4, IPv6) addresses from a hosts file. Why: the system resolver consults it
    before DNS ("files dns"), and intranet sites are often named there only. Unreadable: {}."""
    try:
        with open(path, "rb") as fh:
            text = fh.read(max_bytes).decode("utf-8", "replace")
    except OSError:
        return {}
    out: HostsFile = {}
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2:
            continue
        ip = _literal(fields[0].split("%", 1)[0])
        if ip is None:
            continue
        for name in fields[1:]:
            v4, v6 = out.setdefault(name.lower().rstrip("."), ([], []))
            (v4 if ip.version == 4 else v6).append(str(ip))
    return out


def host_dns(resolver: dns.resolver.Resolver | None, host: str, why_none: str = "",
             hosts_file: HostsFile | None = None) -> HostDns:
    """A and AAAA of ``host`` (an IP literal answers for itself). With ``hosts_file`` (the
    system resolver's case), a family the file names for the host comes from the file, as
    glibc's "files dns" order does; the other family is still asked of DNS."""
    ip = _literal(host)
    if ip is not None:
        mine = Lookup(LITERAL, [str(ip)])
        other = Lookup(LITERAL, error="地址字面量 IP literal in the URL")
        return HostDns(host, mine, other) if ip.version == 4 else HostDns(host, other, mine)
    v4_file, v6_file = (hosts_file or {}).get(host.lower().rstrip("."), ([], []))
    if resolver is None and not (v4_file or v6_file):
        failed = Lookup(ERROR, error=why_none)
        return HostDns(host, failed, failed)

    def family(values: list[str], rdtype: str) -> Lookup:
        if values:
            return Lookup(OK, sorted(set(values)), source="hosts")
        if resolver is None:
            return Lookup(ERROR, error=why_none)
        return lookup(resolver, host, rdtype)

    return HostDns(host, family(v4_file, "A"), family(v6_file, "AAAA"))


def authoritative_ns(resolver: dns.resolver.Resolver | None, host: str) -> dict[str, Any]:
    """The name servers of the zone holding ``host`` and their addresses.

    Walks up from the host to the first name with NS records, stopping before a single
    label (a TLD's servers are not the site's). A walk bounded by the name's length."""
    if resolver is None or _literal(host) is not None:
        return {"zone": "", "servers": [], "status": "skipped", "error": ""}
    labels = host.rstrip(".").split(".")
    last = Lookup(NODATA)
    for i in range(len(labels) - 1):
        zone = ".".join(labels[i:])
        last = lookup(resolver, zone, "NS")
        if last.status == OK and last.values:
            servers = []
            for ns in last.values[:8]:  # bounded: a zone has a handful of servers
                d = host_dns(resolver, ns)
                servers.append({"name": ns, "a": d.a.values, "aaaa": d.aaaa.values,
                                "status": d.status, "error": d.error if d.status != OK else ""})
            return {"zone": zone, "servers": servers, "status": OK, "error": ""}
        if last.status in (TIMEOUT, ERROR):
            break  # the servers do not answer: asking again for the parent will not help
    return {"zone": "", "servers": [], "status": last.status if last.status != OK else NODATA,
            "error": last.error or "未找到 NS 记录 no NS records found"}
