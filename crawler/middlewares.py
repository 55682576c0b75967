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

from crawler.challenge import from_response as challenge_of

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
        if challenge_of(response.status, response.body, (response.headers.get("Content-Type") or b"").decode("latin-1")):
            return response  # an anti-bot gateway's 503 challenge: the same answer each time (crawler.challenge)
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


class BoundedDecompressionMiddleware:
    """Content-Encoding (gzip, deflate; br when the brotli package is present) inflated to at
    most ``max_bytes`` — replacing Scrapy's HttpCompressionMiddleware, which inflates a body
    whole unless DOWNLOAD_MAXSIZE is set (and with it set, drops big pages instead of cutting
    them). A gzip bomb — 5 MB on the wire, gigabytes inflated — costs ``max_bytes`` of memory
    and the time to inflate that much; the page keeps its first ``max_bytes`` and the response
    carries the flag ``decompression_truncated``. Bytes that do not inflate are kept as sent
    (flag ``decompression_failed``): the page is judged as what it is, never dropped.

    ``request.meta["zc_max_decoded"]`` lowers the bound for one request (the link checker
    reads 64 KB of a page)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        try:
            import brotli  # noqa: F401 - optional: advertised only when it can be decoded

            self.encodings = (b"gzip", b"deflate", b"br")
        except ImportError:
            self.encodings = (b"gzip", b"deflate")

    @classmethod
    def from_crawler(cls, crawler: Any) -> BoundedDecompressionMiddleware:
        return cls(crawler.settings.getint("ZHAOCUO_MAX_DECODED_BYTES", 10 * 1024 * 1024))

    def process_request(self, request: Request, spider: Any = None) -> None:
        request.headers.setdefault("Accept-Encoding", b", ".join(self.encodings))

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if request.method == "HEAD" or not response.body:
            return response
        codings = [c.strip().lower() for c in b",".join(response.headers.getlist("Content-Encoding")).split(b",")]
        codings = [c for c in codings if c and c != b"identity"]
        if not codings or any(c not in (b"gzip", b"x-gzip", b"deflate", b"br") for c in codings):
            return response
        limit = int(request.meta.get("zc_max_decoded") or self.max_bytes)
        body, flags = response.body, []
        for coding in reversed(codings):
            try:
                body, cut = inflate(body, coding, limit)
            except Exception:  # noqa: BLE001 - a broken stream is judged as the bytes it is
                flags.append("decompression_failed")
                return response.replace(flags=[*response.flags, *flags])
            if cut:
                flags.append("decompression_truncated")
        headers = response.headers.copy()
        headers.pop("Content-Encoding", None)
        kwargs: dict[str, Any] = {"body": body, "headers": headers, "flags": [*response.flags, *flags]}
        return response.replace(**kwargs)


def inflate(data: bytes, coding: bytes, limit: int) -> tuple[bytes, bool]:
    """(at most ``limit`` inflated bytes, whether more would have followed). Output is bounded
    at every step (zlib's and brotli's max-length calls), so memory never exceeds ``limit``."""
    import zlib

    if coding == b"br":
        import brotli

        d = brotli.Decompressor()
        out = d.process(data, output_buffer_limit=limit + 1)
        return out[:limit], len(out) > limit or not d.is_finished()
    if coding in (b"gzip", b"x-gzip"):
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    else:  # deflate: zlib-wrapped as the RFC says, raw as many servers send it
        d = zlib.decompressobj(zlib.MAX_WBITS if data[:1] and (data[0] & 0x0F) == 8 and
                               int.from_bytes(data[:2], "big") % 31 == 0 else -zlib.MAX_WBITS)
    out = d.decompress(data, limit + 1)
    return out[:limit], len(out) > limit
