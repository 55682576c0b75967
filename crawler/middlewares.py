"""Downloader middlewares: patient retries and explicit redirect chains.

Scrapy's own RetryMiddleware retries at once and ignores Retry-After, and its
RedirectMiddleware drops a request that exceeds the redirect limit without saying why. A
link checker needs both to be exact: a link is never called dead because the checker
overloaded a server (429/503/timeouts/resets are retried with exponential backoff, honouring
Retry-After up to ``crawl.max_backoff_s``), and a redirect loop or a chain over 10 is a
finding with that name. So both are replaced here.

Request.meta keys used:
- ``zc_attempts``: attempts made so far for this URL (1 on the first try);
- ``zc_chain``: URLs visited by redirects so far (the original URL first);
- ``zc_redirect_error``: "redirect_loop" | "too_many_redirects" on the final 3xx response.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

from scrapy import Request
from scrapy.http import Response
from twisted.internet import error as terr
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

log = logging.getLogger("zhaocuo.crawler")

MAX_REDIRECTS = 10
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")
RETRY_STATUSES = (429, 503)
_RESET = (terr.ConnectionLost, terr.ConnectionDone, terr.ConnectionAborted, ResponseFailed,
          ResponseNeverReceived)
_TIMEOUT = (terr.TimeoutError, terr.TCPTimedOutError, asyncio.TimeoutError)


def classify_exception(exc: BaseException) -> str:
    """error_kind for a failed fetch: dns | refused | timeout | reset | ssl | other.

    Scrapy ≥ 2.14 wraps Twisted's errors in its own (CannotResolveHostError…), keeping the
    original as ``__cause__``; both spellings are recognised.
    """
    from scrapy import exceptions as sx
    from twisted.internet.defer import TimeoutError as DeferTimeout

    if isinstance(exc, (terr.DNSLookupError, getattr(sx, "CannotResolveHostError", ()))):
        return "dns"
    if isinstance(exc, (terr.ConnectionRefusedError, ConnectionRefusedError,
                        getattr(sx, "DownloadConnectionRefusedError", ()))):
        return "refused"
    if isinstance(exc, (*_TIMEOUT, DeferTimeout, getattr(sx, "DownloadTimeoutError", ()))):
        return "timeout"
    text = repr(exc)
    # VerificationError: service_identity's host-name mismatch (the certificate names another host).
    if "SSL" in text or "TLS" in text or "certificate" in text.lower() or "VerificationError" in text:
        return "ssl"
    for r in getattr(exc, "reasons", None) or []:  # ResponseFailed / ResponseNeverReceived
        inner = classify_exception(r.value)
        if inner in ("ssl", "timeout"):
            return inner
    if exc.__cause__ is not None and exc.__cause__ is not exc:
        inner = classify_exception(exc.__cause__)
        if inner != "other":
            return inner
    if isinstance(exc, (*_RESET, ConnectionResetError, getattr(sx, "DownloadFailedError", ()),
                        getattr(sx, "ResponseDataLossError", ()))):
        return "reset"
    return "other"


def retry_after_seconds(value: bytes | str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent/bad."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        from datetime import UTC, datetime

        when = parsedate_to_datetime(text)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError, IndexError):
        return None


def strip_userinfo(url: str) -> str:
    """``url`` without a ``user:password@`` part: a redirect may carry credentials in its
    Location, and a URL is stored, logged and reported — credentials never are."""
    return _USERINFO.sub(r"\1", url, count=1)


class PatientRetryMiddleware:
    """Retry 429/503, timeouts and resets with exponential backoff (base 0.5 s, jittered,
    capped by ``ZHAOCUO_MAX_BACKOFF``), up to ``ZHAOCUO_RETRIES`` extra attempts."""

    def __init__(self, retries: int, max_backoff: float) -> None:
        self.retries = retries
        self.max_backoff = max_backoff

    @classmethod
    def from_crawler(cls, crawler: Any) -> PatientRetryMiddleware:
        s = crawler.settings
        return cls(s.getint("ZHAOCUO_RETRIES", 3), s.getfloat("ZHAOCUO_MAX_BACKOFF", 60.0))

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        backoff = 0.5 * (2 ** (attempt - 1)) * (0.8 + 0.4 * random.random())
        if retry_after is not None:
            backoff = max(backoff, retry_after)
        return min(backoff, self.max_backoff)

    def _next(self, request: Request) -> Request | None:
        attempts = request.meta.get("zc_attempts", 1)
        if attempts > self.retries:
            return None
        req = request.replace(dont_filter=True)
        req.meta["zc_attempts"] = attempts + 1
        return req

    async def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        if response.status not in RETRY_STATUSES or request.meta.get("zc_no_retry"):
            return response
        nxt = self._next(request)
        if nxt is None:
            return response
        delay = self._delay(request.meta.get("zc_attempts", 1), retry_after_seconds(response.headers.get("Retry-After")))
        log.debug("retry %s after %.2fs (HTTP %s)", request.url, delay, response.status)
        await asyncio.sleep(delay)
        return nxt

    async def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> Any:
        kind = classify_exception(exception)
        if kind not in ("timeout", "reset") or request.meta.get("zc_no_retry"):
            return None
        nxt = self._next(request)
        if nxt is None:
            return None
        delay = self._delay(request.meta.get("zc_attempts", 1), None)
        log.debug("retry %s after %.2fs (%s)", request.url, delay, kind)
        await asyncio.sleep(delay)
        return nxt


class RedirectChainMiddleware:
    """Follow 301/302/303/307/308 keeping the whole chain in ``zc_chain``; a loop or a chain
    over 10 stops with the last 3xx response and ``zc_redirect_error`` set."""

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        if response.status not in (301, 302, 303, 307, 308) or request.meta.get("zc_no_redirect"):
            return response
        location = response.headers.get("Location")
        if not location:
            return response
        target = urljoin(request.url, location.decode("latin-1").strip())
        target = strip_userinfo(target.split("#", 1)[0])
        if not target.startswith(("http://", "https://")):
            return response  # a redirect to mailto:/ftp: … ends the chain here
        chain: list[str] = list(request.meta.get("zc_chain") or [request.url])
        if target in chain:
            request.meta["zc_redirect_error"] = "redirect_loop"
            request.meta["zc_chain"] = [*chain, target]
            return response
        if len(chain) > MAX_REDIRECTS:
            request.meta["zc_redirect_error"] = "too_many_redirects"
            request.meta["zc_chain"] = [*chain, target]
            return response
        method = request.method
        body: bytes | None = request.body
        if response.status in (302, 303) and method not in ("GET", "HEAD"):
            method, body = "GET", b""
        req = request.replace(url=target, method=method, body=body, dont_filter=True)
        req.meta["zc_chain"] = [*chain, target]
        req.meta["zc_attempts"] = 1
        return req
