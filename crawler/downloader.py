"""Scrapy's Downloader with per-host concurrency that holds under the asyncio reactor.

Scrapy 2.19's ``Downloader._process_queue`` drains a slot's queue with
``while slot.free_transfer_slots() > 0`` but only marks a request as transferring once its
download task *runs*; under the asyncio reactor tasks start later, so the loop sends the
whole queue at once and ``CONCURRENT_REQUESTS_PER_DOMAIN`` is not enforced (measured: 10
parallel requests to one host with a limit of 2). Politeness towards small government
servers depends on that limit, so this subclass marks the request as transferring before
scheduling it (``_download`` adds it again — a set — and removes it when done).
"""

from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro


class PoliteDownloader(Downloader):
    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall:
            return
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # the fix: count it before its task starts
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break
