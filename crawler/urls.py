"""URL canonicalisation and crawl-trap detection.

One page must be fetched once however it is written (``HTTP://Www.X.gov.cn:80/a?b=2&a=1#top``
and ``http://www.x.gov.cn/a?a=1&b=2`` are the same page), and an endless calendar or
session-id maze must not eat the page budget. Both are pure string functions so the crawl,
the link checker and the dead-link audit agree on them.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that only track the visitor or carry a session: dropped so they neither
# multiply pages nor make a link look different from the page it points to.
_TRACKING = re.compile(r"^(utm_[a-z_]+|jsessionid|phpsessid|aspsessionid[a-z]*|sessionid|sid|gclid|fbclid|"
                       r"spm|isappinstalled|yclid|mc_cid|mc_eid)$", re.I)
# ";jsessionid=..." path parameters (Java servlet containers put them in the path).
_PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Schemes that are not fetchable links: never stored as links, never checked.
SKIPPED_SCHEMES = ("mailto:", "javascript:", "tel:", "data:", "sms:", "about:", "blob:", "file:", "ftp:")

# Trap bounds. A real government site rarely nests deeper than ~8 path segments; a URL that
# repeats one segment three times (/rl/2024/m/m/m/) or grows past these sizes is a generator.
MAX_PATH_SEGMENTS = 12
MAX_URL_LENGTH = 400
MAX_SEGMENT_REPEATS = 2


def absolute(base: str, href: str) -> str | None:
    """``href`` made absolute against ``base``, fragment removed; None for non-fetchable links."""
    href = href.strip()
    if "\n" in href or "\r" in href or "\t" in href:
        href = href.replace("\n", "").replace("\r", "").replace("\t", "")
    if not href or href[0] == "#":
        return None
    if "\\" in href:  # browsers read "..\\a.html" as "../a.html" (in the path, not the query)
        path, sep, query = href.partition("?")
        href = path.replace("\\", "/") + sep + query
    if href[:11].lower().startswith(SKIPPED_SCHEMES):
        return None
    if href[0] == "/" and href[:2] != "//" and "/." not in href and "\\" not in href:
        # The common case on a site (root-relative links): no urljoin needed.
        origin = _origin_prefix(base)
        if origin:
            return origin + href.split("#", 1)[0]
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
    except ValueError:  # e.g. an invalid IPv6 literal in the href
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


@lru_cache(maxsize=4096)
def _origin_prefix(base: str) -> str:
    """"http://host:port" of an http(s) base URL, or "" (then the slow path decides)."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


@lru_cache(maxsize=65536)
def canonical(url: str) -> str:
    """The one spelling of ``url`` used as the page's identity.

    Lowercase scheme and host, default port dropped, fragment dropped, ``;jsessionid=``
    and tracking/session query parameters dropped, query sorted, empty path = ``/``,
    percent-encoding normalised (safe characters unquoted, the rest quoted uppercase).
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = _remove_dot_segments(_PATH_SESSION.sub("", parts.path) or "/")
    path = quote(unquote(path), safe="/:@!$&'()*+,;=-._~%")
    query = ""
    if parts.query:
        pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
        pairs.sort()
        query = urlencode(pairs, doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4: "/a/./b/../c" → "/a/c" (browsers do it, so must we)."""
    if "/." not in path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        if seg == ".":
            if i == len(segments) - 1:
                out.append("")
            continue
        if seg == "..":
            if len(out) > 1:
                out.pop()
            if i == len(segments) - 1:
                out.append("")
            continue
        out.append(seg)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def origin_of(url: str) -> str:
    """scheme://host[:port] of ``url`` (canonical)."""
    parts = urlsplit(canonical(url))
    return f"{parts.scheme}://{parts.netloc}"


def path_key(url: str) -> str:
    """scheme://host/path without the query: the unit ``max_query_variants`` counts over."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def trap_reason(url: str) -> str:
    """Why ``url`` looks like a crawl trap, or "" when it looks like a normal page."""
    if len(url) > MAX_URL_LENGTH:
        return "url_too_long"
    path = urlsplit(url).path
    segments = [s for s in path.split("/") if s]
    if len(segments) > MAX_PATH_SEGMENTS:
        return "path_too_deep"
    if segments:
        _, most = Counter(segments).most_common(1)[0]
        if most > MAX_SEGMENT_REPEATS:
            return "repeated_segment"
    return ""


# Extensions of files that are link targets, not pages: never parsed, only checked.
ATTACHMENT_EXT = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".ppt", ".pptx")
NON_PAGE_EXT = ATTACHMENT_EXT + (
    ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".svg", ".ico", ".tif", ".tiff",
    ".js", ".css", ".json", ".xml", ".txt", ".csv",
    ".zip", ".rar", ".7z", ".gz", ".tar", ".exe", ".apk", ".dmg", ".iso",
    ".mp3", ".mp4", ".avi", ".wmv", ".flv", ".mov", ".wav", ".swf", ".ofd", ".ceb",
)


def extension(url: str) -> str:
    path = urlsplit(url).path.lower()
    last = path.rsplit("/", 1)[-1]
    return last[last.rfind("."):] if "." in last else ""


def looks_like_page(url: str) -> bool:
    """True unless the URL's extension says it is a file (image, attachment, script…)."""
    return extension(url) not in NON_PAGE_EXT


def is_attachment(url: str, content_type: str = "") -> bool:
    ct = content_type.split(";")[0].strip().lower()
    if ct in ATTACHMENT_TYPES:
        return True
    return extension(url) in ATTACHMENT_EXT and not ct.startswith("text/html")


ATTACHMENT_TYPES = {
    "application/pdf", "application/msword", "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
