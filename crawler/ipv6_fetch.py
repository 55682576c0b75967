"""Fetch a URL through one chosen IP address: the only honest way to test IPv6 and IPv4 apart.

Why: a normal client picks whichever address family works, so a broken AAAA is hidden by a
working A. Here the TCP connection goes to the address we name (an IPv6 or an IPv4 one)
while the request keeps the URL's host name (Host header, TLS SNI and certificate check)
and port, exactly as a browser on an IPv6-only network would send it. Redirects are not
followed: the status and Location are compared between the two families as they are.

Everything fetched is untrusted: bodies are read up to a byte cap within a time budget and
only reduced to a title, a visible-text sample and text shingles for comparison.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import time
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

import lxml.html

# error_kind values stored with each fetch (the audit explains them in Chinese)
REFUSED = "refused"
TIMEOUT = "timeout"
RESET = "reset"
NO_ROUTE = "no_route"
TLS = "ssl"
OTHER = "other"


@dataclass
class Fetch:
    """One request over one address family: what came back, or how it failed."""

    url: str
    family: int                      # 4 or 6
    address: str
    status: int | None = None
    location: str = ""
    title: str = ""
    text: str = ""                   # visible text sample (bounded), for the report
    shingles: list[int] = field(default_factory=list)
    elapsed_ms: float = 0.0          # connect + request + headers (the latency a visitor feels first)
    size: int = 0                    # body bytes read (at most the cap)
    error_kind: str = ""
    error: str = ""

    @property
    def answered(self) -> bool:
        return self.status is not None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("shingles")
        return data


def routable(address: str) -> bool:
    """Whether the kernel has a route to ``address``. A UDP connect only consults the routing
    table; no packet is sent."""
    ip = ipaddress.ip_address(address)
    with socket.socket(socket.AF_INET6 if ip.version == 6 else socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect((address, 9))
        except OSError:
            return False
    return True


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to a chosen address; ``host`` stays the URL's (Host header)."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def _tls_context() -> ssl.SSLContext:
    """TLS without certificate verification. Why: the question here is whether the site
    answers over IPv6 as over IPv4; an expired or self-signed certificate (common on
    government sites) would otherwise leave both families "down" and the host never tested.
    Certificate problems are the link checker's to report. SNI still names the host."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _verifying_context(ca_file: str) -> ssl.SSLContext:
    """TLS with verification (system CAs and ``ca_file``): for requests that carry the site's
    credentials or headers (crawler.access), which never travel over an unverified connection."""
    from crawler.tls import load_trust

    ctx = ssl.create_default_context()
    load_trust(ctx, ca_file)
    return ctx


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a chosen address; SNI carries the URL's host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float,
                 context: ssl.SSLContext | None = None) -> None:
        super().__init__(host, port, timeout=timeout, context=context or _tls_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch_via(url: str, address: str, timeout_s: float, max_bytes: int, user_agent: str,
              headers: dict[str, str] | None = None, ca_file: str = "") -> Fetch:
    """GET ``url`` over a TCP connection to ``address`` (same port, same Host). ``headers``: the
    site's access headers (crawler.access); with them, HTTPS is verified (system CAs, ``ca_file``)."""
    family = ipaddress.ip_address(address).version
    result = Fetch(url=url, family=family, address=address)
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:  # "http://host:99999/" written on an untrusted page
        result.error_kind, result.error = OTHER, f"地址无效 bad URL: {exc}"
        return result
    host = parts.hostname or ""
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = _PinnedHTTPS(host, port, address, timeout_s, _verifying_context(ca_file) if headers else None)
    else:
        conn = _PinnedHTTP(host, port, address, timeout_s)
    started = time.monotonic()
    try:
        # Header values go out as UTF-8 bytes: the profile's user agent may hold Chinese.
        conn.request("GET", path, headers={"User-Agent": user_agent.encode("utf-8"), "Accept": "text/html,*/*;q=0.8",
                                           "Accept-Encoding": "identity", "Connection": "close",
                                           **{k: v.encode("utf-8") for k, v in (headers or {}).items()}})
        resp = conn.getresponse()
        result.elapsed_ms = round((time.monotonic() - started) * 1000, 1)
        result.status = resp.status
        result.location = resp.getheader("Location", "") or ""
        body = _read_bounded(resp, max_bytes, started + 3 * timeout_s)
        result.size = len(body)
        ctype = resp.getheader("Content-Type", "") or ""
        if "html" in ctype or "text" in ctype or not ctype:
            html = _decode(body, ctype)
            result.title, text = _title_and_text(html)
            result.text = text[:500]
            result.shingles = sorted(shingles(text))
        else:
            result.shingles = sorted(shingles(body[:65536].hex()))
    except ConnectionRefusedError as exc:
        result.error_kind, result.error = REFUSED, f"连接被拒绝 connection refused: {exc}"
    except TimeoutError as exc:
        result.error_kind, result.error = TIMEOUT, f"连接超时 timed out after {timeout_s:g} s: {exc}"
    except ssl.SSLError as exc:
        result.error_kind, result.error = TLS, f"TLS 错误 {exc}"
    except (ConnectionResetError, ConnectionAbortedError, http.client.RemoteDisconnected,
            http.client.IncompleteRead) as exc:
        result.error_kind, result.error = RESET, f"连接被重置 connection reset: {type(exc).__name__}"
    except OSError as exc:
        kind = NO_ROUTE if exc.errno in (101, 113, 99) else OTHER  # ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL
        result.error_kind, result.error = kind, f"网络错误 {exc}"
    except http.client.HTTPException as exc:
        result.error_kind, result.error = OTHER, f"HTTP 协议错误 {type(exc).__name__}: {exc}"
    except (ValueError, UnicodeError) as exc:  # a malformed URL or header from an untrusted page
        result.error_kind, result.error = OTHER, f"无法请求 cannot request: {type(exc).__name__}: {exc}"
    finally:
        conn.close()
    if not result.elapsed_ms:
        result.elapsed_ms = round((time.monotonic() - started) * 1000, 1)
    return result


def _read_bounded(resp: http.client.HTTPResponse, max_bytes: int, deadline: float) -> bytes:
    """At most ``max_bytes``, and stop at ``deadline``: a server dripping bytes cannot hold us."""
    chunks: list[bytes] = []
    size = 0
    while size < max_bytes and time.monotonic() < deadline:
        chunk = resp.read(min(65536, max_bytes - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)


def _decode(body: bytes, ctype: str) -> str:
    m = re.search(r"charset=([\w-]+)", ctype, re.I)
    candidates = [m.group(1)] if m else []
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "replace"))
    candidates += ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            return body.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", "replace")


def _title_and_text(html: str) -> tuple[str, str]:
    if not html.strip():
        return "", ""
    try:
        doc = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return "", ""
    title = " ".join((doc.findtext(".//title") or "").split())
    for bad in doc.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    text = " ".join(doc.text_content().split())
    return title[:300], text


def shingles(text: str, size: int = 4, cap: int = 20000) -> set[int]:
    """Hashes of the text's ``size``-character windows (of its first ``cap`` characters): the
    basis of a cheap similarity that tolerates a changed date or counter on a page."""
    text = text[:cap]
    return {zlib.crc32(text[i:i + size].encode("utf-8")) for i in range(max(1, len(text) - size + 1))} if text else set()


def similarity(a: Fetch, b: Fetch) -> float:
    """Jaccard similarity of two fetched bodies (1.0 when both are empty)."""
    sa, sb = set(a.shingles), set(b.shingles)
    if not sa and not sb:
        return 1.0
    return round(len(sa & sb) / len(sa | sb), 4)
