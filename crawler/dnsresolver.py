"""DNS through dnspython and the profile's nameservers, as Scrapy's TWISTED_DNS_RESOLVER.

Why: tests (and sites inside a government network) must resolve names such as
www.test.gov.cn through a given server ("127.0.0.1:5353", dnsmasq in tests), and a name
that does not exist must be a real DNS failure (NXDOMAIN → ``DNSLookupError``, reported as
error_kind "dns"), never a connection error. Without ``dns.nameservers`` the system resolver
is used through Scrapy's ``CachingHostnameResolver`` (getaddrinfo: IPv4 and IPv6), not its
default ``CachingThreadedResolver``, which is IPv4 only and reported a link to a literal
``http://[::1]:8080/`` as a DNS failure. IP literals are never looked up on either path.

Lookups run in Twisted's thread pool (dnspython is blocking) and are cached per process.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

import dns.exception
import dns.resolver
from scrapy.resolver import CachingHostnameResolver
from twisted.internet import defer, threads
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer

from zhaocuo.core.profile import parse_nameserver

# Scrapy builds the resolver from the process settings before any spider exists, so the
# profile's DNS section reaches it through these two settings (set by crawler.spider).
SETTING_NAMESERVERS = "ZHAOCUO_DNS_NAMESERVERS"
SETTING_TIMEOUT = "ZHAOCUO_DNS_TIMEOUT"


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
        return True
    except ValueError:
        return False


@implementer(IResolverSimple)
class DnspythonResolver:
    """IPv4 resolution (A records) through the configured nameservers, cached."""

    def __init__(self, reactor: Any, nameservers: list[str], timeout: float) -> None:
        self.reactor = reactor
        self.resolvers: list[dns.resolver.Resolver] = []
        for ns in nameservers:  # one Resolver per server: dnspython has one port per resolver
            host, port = parse_nameserver(ns)
            r = dns.resolver.Resolver(configure=False)
            r.nameservers = [host]
            r.port = port
            r.lifetime = timeout
            r.timeout = max(0.5, timeout / 2)
            self.resolvers.append(r)
        self.cache: dict[str, str] = {}
        self.failures: dict[str, DNSLookupError] = {}

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> Any:
        nameservers = crawler.settings.getlist(SETTING_NAMESERVERS)
        if not nameservers:
            return CachingHostnameResolver.from_crawler(crawler, reactor)
        return cls(reactor, nameservers, crawler.settings.getfloat(SETTING_TIMEOUT, 5.0))

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(self)

    def _lookup(self, name: str) -> str:
        last: Exception | None = None
        for r in self.resolvers:
            try:
                answer = r.resolve(name, "A", search=False)
                return str(answer[0])
            except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer, dns.resolver.NoNameservers) as exc:
                raise DNSLookupError(f"{name}: {type(exc).__name__}") from None
            except (dns.exception.Timeout, OSError) as exc:
                last = exc  # try the next server
        raise DNSLookupError(f"{name}: {type(last).__name__ if last else 'no nameserver'}")

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:  # noqa: N802
        name = name.lower().rstrip(".")
        if _is_ip(name) or name == "localhost":
            return defer.succeed("127.0.0.1" if name == "localhost" else name.strip("[]"))
        if name in self.cache:
            return defer.succeed(self.cache[name])
        if name in self.failures:
            return defer.fail(self.failures[name])

        def ok(ip: str) -> str:
            self.cache[name] = ip
            return ip

        def bad(failure: Any) -> Any:
            if failure.check(DNSLookupError):
                self.failures[name] = failure.value
            return failure

        return threads.deferToThreadPool(self.reactor, self.reactor.getThreadPool(), self._lookup, name).addCallbacks(ok, bad)
