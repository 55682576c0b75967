"""URL canonicalisation and crawl-trap detection.

One page must be fetched once however it is written (``HTTP://Www.X.gov.cn:80/a?b=2&a=1#top``
and ``http://www.x.gov.cn/a?a=1&b=2`` are the same page), and an endless calendar or
session-id maze must not eat the page budget. Both are pure string functions so the crawl,
the link checker and the dead-link audit agree on them. ``canonical`` itself lives in the
core (zhaocuo.core.urlcanon) because the store needs it too; it is re-exported here.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urljoin, urlsplit, urlunsplit

# Re-exported (the same objects): the crawler and the tests import them from here; audits, which
# must not reach into a stage, import them from zhaocuo.core.urlcanon.
from zhaocuo.core.urlcanon import canonical as canonical
from zhaocuo.core.urlcanon import origin_of as origin_of

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


def _origin_prefix(base: str) -> str:
    """"http://host:port" of an http(s) base URL, or "" (then the slow path decides)."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


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
    """".pdf" of "http://h/a/b.PDF?x=1" ("" without one). String operations, no parse: it
    runs for every link of every page."""
    start = url.find("//")
    start = start + 2 if start >= 0 else 0
    end = len(url)
    for sep in "?#":
        i = url.find(sep, start)
        if 0 <= i < end:
            end = i
    slash = url.find("/", start, end)
    if slash < 0:
        return ""  # no path at all
    last = url[url.rfind("/", slash, end) + 1:end].lower()
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
