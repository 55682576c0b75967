"""URL canonicalisation: the one spelling of a URL that identifies a page.

It lives in the core, not in ``crawler/``, because the store itself needs it (``Crawl.page``
looks a link target up under the spelling the crawler stored it under) and the core must not
reach into a stage. The crawler (``crawler.urls`` re-exports ``canonical``), the link checker
and the audits all use this one function, so they agree on what "the same page" means.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that only track the visitor or carry a session: dropped so they neither
# multiply pages nor make a link look different from the page it points to.
_TRACKING = re.compile(r"^(utm_[a-z_]+|jsessionid|phpsessid|aspsessionid[a-z]*|sessionid|sid|gclid|fbclid|"
                       r"spm|isappinstalled|yclid|mc_cid|mc_eid)$", re.I)
# ";jsessionid=..." path parameters (Java servlet containers put them in the path).
_PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}


# A URL already in its one spelling, as most links of a site are once made absolute: lowercase
# host, no query, a path of unreserved characters without dot segments. Returned as it is
# (canonical() would rebuild the same string): a page farm's millions of links cost a regex
# match each, not a parse (tests/test_crawl_urls_and_encodings.py compares both paths).
_SIMPLE = re.compile(r"(?:http|https)://[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::[1-9][0-9]{0,4})?/[A-Za-z0-9_.~/-]*")


def _simple(url: str) -> bool:
    if not _SIMPLE.fullmatch(url) or "/." in url[8:]:
        return False
    colon = url.find(":", 8)
    if colon < 0:
        return True
    port = url[colon + 1:url.index("/", colon)]
    return int(port) != _DEFAULT_PORTS[url[:url.index(":")]] and int(port) < 65536


def canonical(url: str) -> str:
    """The one spelling of ``url`` used as the page's identity (see ``_canonical``)."""
    return url if _simple(url) else _canonical(url)


def _canonical(url: str) -> str:
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
    if not parts.scheme and not parts.netloc and parts.path.startswith("//"):
        # "//////": no host, and each pass would strip two slashes; canonical() must be stable
        # (a check stored under canonical(x) is found again by canonical(canonical(x))).
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


def origin_of(url: str) -> str:
    """scheme://host[:port] of ``url`` (canonical)."""
    parts = urlsplit(canonical(url))
    return f"{parts.scheme}://{parts.netloc}"
