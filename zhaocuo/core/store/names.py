"""Store URLs without a driver: which backend a URL names, and a site's namespace in a shared
PostgreSQL database (``?site=NAME``), so callers never import psycopg to ask."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server_url(url: str) -> bool:
    return url.lower().startswith(SERVER_SCHEMES)


def namespace_of(url: str) -> str:
    """The site namespace a server URL names (its ``site`` parameter), or ""."""
    return dict(parse_qsl(urlsplit(url).query)).get("site", "")


def with_namespace(url: str, site: str) -> str:
    """``url`` with ``?site=`` set to ``site`` (other parameters kept): one site's store in the
    group's database. A URL that already names a site keeps it."""
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    if any(k == "site" for k, _ in params):
        return url
    query = urlencode([*params, ("site", site)], quote_via=quote)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
