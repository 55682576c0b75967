"""Per-host politeness shared by every worker of a site group, kept in the group's Redis.

Each worker's Scrapy already limits itself per host (``CONCURRENT_REQUESTS_PER_DOMAIN``,
``DOWNLOAD_DELAY`` from ``[crawl] per_host_concurrency`` / ``requests_per_second``). With
several workers — on one machine or many — those limits would add up: two workers checking
links to the same provincial portal would send it twice the rate. This downloader middleware
makes the limits hold for all workers together: before a request leaves for host H it takes
a lease on H in Redis, atomically (one Lua script, Redis's own clock, so machines' clocks do
not matter):

- at most ``per_host_concurrency`` leases on H at once (a sorted set of lease tokens scored
  by their expiry: a worker killed while holding leases frees them when they expire);
- request starts on H at least ``1 / requests_per_second`` apart (H's next allowed time).

The lease is given back when the request leaves the downloader (Scrapy's
``request_left_downloader`` signal: answered, failed or timed out). The middleware sits
last before the downloader, so nothing between it and the download can drop the request
with the lease held. A host is its name (Scrapy's download slot): sites served from one
server under one name share its limits.

Enabled only for workers (the ``ZHAOCUO_HOST_LIMITER`` setting, a ``redis://`` URL, set by
``crawler.scrapyrun`` from the child's ``--limiter``); redis is imported only then.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

SETTING = "ZHAOCUO_HOST_LIMITER"
LEASE_SETTING = "ZHAOCUO_HOST_LEASE_S"  # longer than any one request may take (timeouts + rendering)
PRIORITY = 990  # after every other downloader middleware: the next step is the download
KEY_PREFIX = "zhaocuo:host:"
POLL_MS = 25  # when every lease on a host is taken: ask again this soon

# KEYS: the host's lease set, the host's next allowed start. ARGV: limit, gap ms, token, lease ms.
# Returns 0 when the lease is taken, else how many ms to wait before asking again.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, gap, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= limit then
  return tonumber(ARGV[5])
end
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if nxt > now then
  return nxt - now
end
redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
redis.call('PEXPIRE', KEYS[1], lease)
if gap > 0 then
  redis.call('SET', KEYS[2], now + gap, 'PX', gap + 1000)
end
return 0
"""


class HostLimitMiddleware:
    """Scrapy downloader middleware: a Redis lease per request, per host, for all workers."""

    def __init__(self, url: str, limit: int, gap_ms: int, lease_ms: int) -> None:
        import redis.asyncio

        self.redis = redis.asyncio.Redis.from_url(url)
        self.acquire = self.redis.register_script(_ACQUIRE)
        self.limit = max(1, limit)
        self.gap_ms = max(0, gap_ms)
        self.lease_ms = lease_ms
        self.waited_s = 0.0  # time spent waiting for other workers' leases (stats)
        self.releasing: set[asyncio.Task[Any]] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> HostLimitMiddleware:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        s = crawler.settings
        url = s.get(SETTING)
        if not url:
            raise NotConfigured
        mw = cls(url, s.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 8), int(s.getfloat("DOWNLOAD_DELAY", 0) * 1000),
                 int(s.getfloat(LEASE_SETTING, 240) * 1000))
        crawler.signals.connect(mw.release, signal=signals.request_left_downloader)
        crawler.signals.connect(mw.close, signal=signals.spider_closed)
        return mw

    async def process_request(self, request: Any, spider: Any = None) -> None:
        from scrapy.utils.httpobj import urlparse_cached

        host = urlparse_cached(request).hostname
        if not host or "zc_host_lease" in request.meta:
            return None
        token = secrets.token_hex(8)
        keys = [f"{KEY_PREFIX}{host}:leases", f"{KEY_PREFIX}{host}:next"]
        loop = asyncio.get_running_loop()
        started = loop.time()
        while True:
            wait = int(await self.acquire(keys=keys, args=[self.limit, self.gap_ms, token, self.lease_ms, POLL_MS]))
            if wait <= 0:
                break
            await asyncio.sleep(min(wait, 1000) / 1000)
        self.waited_s += loop.time() - started
        request.meta["zc_host_lease"] = (keys[0], token)
        return None

    def release(self, request: Any, spider: Any = None) -> None:
        lease = request.meta.pop("zc_host_lease", None)
        if lease:
            task = asyncio.ensure_future(self.redis.zrem(lease[0], lease[1]))
            self.releasing.add(task)
            task.add_done_callback(self.releasing.discard)

    async def close(self, spider: Any = None, reason: str = "") -> None:
        """Give back the last leases before the process ends (else other workers would wait
        for them to expire), then close the connection."""
        if self.releasing:
            await asyncio.wait(list(self.releasing), timeout=5)
        await self.redis.aclose()
