"""Staging → production URLs: the same problem on the same page compares equal.

A finding's id is derived from its page URL (and target, key…), so a staging copy of a site —
another host (staging.example.gov.cn) or another port — never matches production's findings
as crawled. ``[site] production_url`` names the production origin the staging origin (that of
the first start URL) stands for; ``OriginMap`` rewrites every URL-bearing field of a finding
to production's spelling before ids, units and comparisons are made, and back (``to_staging``)
where the staging crawl must be looked up.

Only that one origin is mapped: links to other hosts (and other ports of the staging host)
stay as written. A field holding the bare staging host or host:port (the IPv6 audit keys by
host) is mapped to production's likewise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from zhaocuo.core.finding import Finding
from zhaocuo.core.urlcanon import origin_of

# Finding fields that may hold a URL of the site (text: an IPv6 host, a linked address…).
_STRING_FIELDS = ("url", "target", "key", "text", "message", "evidence")


def _netloc(origin: str) -> str:
    return urlsplit(origin).netloc


@dataclass(frozen=True)
class OriginMap:
    staging: str      # canonical origin, e.g. "http://127.0.0.1:8081"
    production: str   # canonical origin, e.g. "https://www.example.gov.cn"

    @classmethod
    def for_profile(cls, start_url: str, production_url: str) -> OriginMap | None:
        """The map of a staging profile; None when there is nothing to map."""
        if not production_url:
            return None
        staging, production = origin_of(start_url), origin_of(production_url)
        return None if staging == production else cls(staging, production)

    def _swap(self, value: str, src: str, dst: str) -> str:
        if not value:
            return value
        if src in value:
            # Only where the origin ends (a path, query, quote or the end follows): never turn
            # "http://host:80801" into production's origin + "1".
            out, i = [], 0
            while (j := value.find(src, i)) >= 0:
                end = j + len(src)
                nxt = value[end:end + 1]
                out.append(value[i:j])
                out.append(dst if nxt == "" or not (nxt.isalnum() or nxt in ".-:") else src)
                i = end
            out.append(value[i:])
            value = "".join(out)
        src_net, dst_net = _netloc(src), _netloc(dst)
        if value == src_net:
            return dst_net
        src_host, dst_host = urlsplit(src).hostname or "", urlsplit(dst).hostname or ""
        if value == src_host and src_net == src_host:
            return dst_host
        return value

    def to_production(self, value: str) -> str:
        return self._swap(value, self.staging, self.production)

    def to_staging(self, value: str) -> str:
        return self._swap(value, self.production, self.staging)

    def _extra(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.to_production(value)
        if isinstance(value, list):
            return [self._extra(v) for v in value]
        if isinstance(value, dict):
            return {k: self._extra(v) for k, v in value.items()}
        return value

    def finding(self, f: Finding) -> Finding:
        """``f`` rewritten in place to production's URLs (returned for chaining)."""
        for name in _STRING_FIELDS:
            setattr(f, name, self.to_production(getattr(f, name)))
        f.extra = self._extra(f.extra)
        return f
