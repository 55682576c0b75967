"""The Scrapy side of crawler.tls: a verifying context factory that records why a host's
certificate failed, and the middleware that explains TLS failures (and judges another site's
link with an unknown issuer without verification, as a browser that completes the chain would).

Kept apart from crawler.tls so the parent process, which only reads pins and codes, never
imports Scrapy; Scrapy loads this module through the settings that crawler.scrapyrun writes.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy.core.downloader.contextfactory import _ScrapyClientContextFactory
from scrapy.utils._deps_compat import TWISTED_TLS_NEW_IMPL
from twisted.internet import _sslverify as sv
from zope.interface import implementer

from crawler.tls import CA_FILE_HINT, HOSTNAME, UNKNOWN_ISSUER, describe, load_trust

log = logging.getLogger("zhaocuo.crawler")


class VerifyingContextFactory(_ScrapyClientContextFactory):  # type: ignore[misc]
    """Scrapy's DOWNLOADER_CLIENTCONTEXTFACTORY: verifying, with the profile's CA file and a
    record of why each host's verification failed (module doc)."""

    def __init__(self, *args: Any, ca_file: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._zc_ca_file = ca_file
        self.problems: dict[str, tuple[str, str]] = {}   # "host:port" → (kind, reason)
        self.unverified: set[str] = set()                 # other sites' netlocs judged without verification
        self._zc_options: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
        inst = getattr(crawler, "_zhaocuo_tls", None)
        if inst is None:  # one factory for the http and the https handler: one record of problems
            inst = super().from_crawler(crawler, *args, ca_file=crawler.settings.get("ZHAOCUO_CA_FILE", ""), **kwargs)
            crawler._zhaocuo_tls = inst
        return inst

    def problem(self, netloc: str) -> tuple[str, str] | None:
        return self.problems.get(netloc)

    def creatorForNetloc(self, hostname: bytes, port: int) -> Any:
        netloc = f"{hostname.decode('ascii')}:{port}"
        self._verify_certificates = netloc not in self.unverified
        if not self._verify_certificates:
            return super().creatorForNetloc(hostname, port)
        if TWISTED_TLS_NEW_IMPL:
            # One context (one copy of the CA store) for every host: the host name is checked per
            # connection. Thousands of linked hosts must not mean thousands of CA stores.
            if self._zc_options is None:
                self._zc_options = sv.OpenSSLCertificateOptions(trustRoot=_Trust(self._zc_ca_file),
                                                                **self._get_cert_options_kwargs())
            creator = sv.ClientTLSOptions(self._zc_options._makeTLSConnection, hostname.decode("ascii"))
        else:
            creator = sv.optionsForClientTLS(hostname=hostname.decode("ascii"), trustRoot=_Trust(self._zc_ca_file),
                                             extraCertificateOptions=self._get_cert_options_kwargs())
        return _Recording(creator, netloc, self.problems)


@implementer(sv.IOpenSSLTrustRoot)
class _Trust:
    """The system's CAs and the profile's ``ca_file`` (crawler.tls.load_trust)."""

    def __init__(self, ca_file: str) -> None:
        self.ca_file = ca_file

    def _addCACertsToContext(self, context: Any) -> None:  # noqa: N802 - Twisted's name
        load_trust(context, self.ca_file)


class _Recording:
    """A Twisted client connection creator that records why verification failed for its host
    (the verify callback's OpenSSL error, or a host-name mismatch)."""

    def __init__(self, inner: Any, netloc: str, problems: dict[str, tuple[str, str]]) -> None:
        self._inner = inner
        self._netloc = netloc
        self._problems = problems

    def clientConnectionForTLS(self, tls_protocol: Any) -> Any:  # noqa: N802 - Twisted's interface
        from OpenSSL import SSL

        conn = self._inner.clientConnectionForTLS(tls_protocol)
        inner_cb = getattr(sv, "_verifyCB", None)
        if inner_cb is None:  # another Twisted: verification as Twisted does it, without the reason
            return conn
        check = inner_cb(tls_protocol, self._inner._hostnameIsDnsName, self._inner._hostnameASCII)
        problems, netloc = self._problems, self._netloc

        def callback(c: Any, cert: Any, err: int, depth: int, ok: bool) -> bool:
            if not ok:
                problems.setdefault(netloc, describe(err))
            result = check(c, cert, err, depth, ok)
            if ok and not result:
                problems.setdefault(netloc, HOSTNAME)
            elif ok and result and depth == 0:
                problems.pop(netloc, None)
            return bool(result)

        conn.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT, callback)
        return conn

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class TlsProblemMiddleware:
    """Downloader middleware: a TLS failure gets its reason (``meta["zc_tls_problem"]``), and an
    unknown issuer on another site's link is fetched again without verification (module doc)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> TlsProblemMiddleware:
        return cls(crawler)

    def process_exception(self, request: Any, exception: BaseException, spider: Any = None) -> Any:
        from crawler.middlewares import classify_exception

        factory = getattr(self.crawler, "_zhaocuo_tls", None)
        if factory is None or classify_exception(exception) != "ssl":
            return None
        parts = urlsplit(request.url)
        netloc = f"{parts.hostname}:{parts.port or 443}"
        found = factory.problem(netloc)
        if found is None:
            return None
        kind, reason = found
        own = self.crawler.spider.profile.host_allowed(parts.hostname)
        if kind == UNKNOWN_ISSUER and not own and netloc not in factory.unverified:
            factory.unverified.add(netloc)
            log.debug("%s: %s; judged without verification, as a browser completes the chain", netloc, reason)
            retry = request.replace(dont_filter=True)
            return retry
        request.meta["zc_tls_problem"] = reason + (CA_FILE_HINT if own and kind in (UNKNOWN_ISSUER, "untrusted_root",
                                                                                    "self_signed") else "")
        return None
