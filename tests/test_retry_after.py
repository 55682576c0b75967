"""How long the crawler waits before it asks again after 429/503: never less than the server's
Retry-After (seconds or an HTTP date), never more than the configured cap. The wait is computed,
so it is pinned here without a clock; the crawl tests check that the retry happens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from crawler.middlewares import PatientRetryMiddleware, retry_after_seconds


def test_retry_after_in_seconds_and_as_a_date() -> None:
    assert retry_after_seconds(b"1") == 1.0 and retry_after_seconds(" 120 ") == 120.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=300), usegmt=True)
    assert 200 < retry_after_seconds(later.encode()) <= 300
    past = format_datetime(datetime.now(UTC) - timedelta(days=1), usegmt=True)
    assert retry_after_seconds(past) == 0.0


def test_absent_or_garbled_retry_after_is_none() -> None:
    assert [retry_after_seconds(v) for v in (None, b"", b"soon", "-5")] == [None] * 4


def test_retry_waits_at_least_retry_after_and_at_most_the_cap() -> None:
    mw = PatientRetryMiddleware(retries=3, max_backoff=60.0)
    assert all(mw._delay(1, 1.0) >= 1.0 for _ in range(50))    # the backoff alone is 0.4–0.6 s
    assert all(0.4 <= mw._delay(1, None) <= 0.6 for _ in range(50))
    assert all(1.6 <= mw._delay(3, None) <= 2.4 for _ in range(50))  # doubles with each attempt
    assert mw._delay(1, 3600.0) == 60.0 and mw._delay(20, None) == 60.0
