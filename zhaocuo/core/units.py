"""Who is responsible for a page: the profile unit with the longest matching path prefix."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from zhaocuo.core.profile import Unit


def unit_for(url: str, units: Sequence[Unit]) -> str:
    """The unit whose path prefix is the longest match for ``url``; "" when none matches.

    A unit path is either a path ("/bm/jyj/", matched on any allowed host) or a full URL
    prefix ("http://jyj.example.gov.cn/"), for departments on their own host.
    """
    parts = urlsplit(url)
    path = parts.path or "/"
    best, best_len = "", -1
    for unit in units:
        for prefix in unit.paths:
            if prefix.startswith(("http://", "https://")):
                p = urlsplit(prefix)
                if (p.hostname or "") != (parts.hostname or "") or not path.startswith(p.path or "/"):
                    continue
                length = len(p.hostname or "") + len(p.path or "/")
            elif path.startswith(prefix):
                length = len(prefix)
            else:
                continue
            if length > best_len:
                best, best_len = unit.name, length
    return best
