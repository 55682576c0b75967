"""A post of a new-media account and the ways its date is written on public pages.

Platforms write dates relative to the moment the page is seen ("3小时前", "昨天 10:21",
"11-15"), so they are resolved here, at gathering time, against the fetch time, and stored as
absolute dates: an audit re-run next week must not make a post younger or older.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from zhaocuo.core.dates import DATE_RE, make_date

# Chinese platforms show Beijing time; a post at 23:30 in Beijing is already "tomorrow" in UTC terms.
BEIJING = timezone(timedelta(hours=8))
_EARLIEST = date(2010, 1, 1)  # before any government new-media account existed


@dataclass
class Post:
    title: str
    url: str
    date: date | None
    raw_date: str = ""

    def record(self, account: str, platform: str, account_url: str = "") -> dict[str, str]:
        return {"account": account, "account_url": account_url, "title": self.title, "date": self.date.isoformat() if self.date else "",
                "url": self.url, "platform": platform, "raw_date": self.raw_date}


def _plausible(d: date | None, now: datetime) -> date | None:
    """A date after the platforms existed and not beyond tomorrow (clock skew); else None."""
    if d is None or d < _EARLIEST or d > (now + timedelta(days=1)).date():
        return None
    return d


def from_timestamp(value: str | int | float, now: datetime) -> date | None:
    """A Unix timestamp (seconds or milliseconds) as a Beijing date."""
    try:
        ts = float(value)
    except (TypeError, ValueError):
        return None
    if ts > 1e11:  # milliseconds
        ts /= 1000
    if ts <= 0:
        return None
    try:
        return _plausible(datetime.fromtimestamp(ts, BEIJING).date(), now)
    except (OverflowError, OSError, ValueError):
        return None


def from_snowflake_id(value: str, now: datetime) -> date | None:
    """Douyin and Toutiao item ids (19 digits) carry their creation time in the top 32 bits."""
    if not value.isdigit() or not 18 <= len(value) <= 20:
        return None
    return from_timestamp(int(value) >> 32, now)


_REL = [
    (re.compile(r"^\s*(刚刚|just now)"), lambda m, now: now),
    (re.compile(r"(\d+)\s*秒前"), lambda m, now: now - timedelta(seconds=int(m.group(1)))),
    (re.compile(r"(\d+)\s*分钟前"), lambda m, now: now - timedelta(minutes=int(m.group(1)))),
    (re.compile(r"(\d+)\s*(?:个)?小时前"), lambda m, now: now - timedelta(hours=int(m.group(1)))),
    (re.compile(r"今天"), lambda m, now: now),
    (re.compile(r"昨天"), lambda m, now: now - timedelta(days=1)),
    (re.compile(r"前天"), lambda m, now: now - timedelta(days=2)),
    (re.compile(r"(\d+)\s*天前"), lambda m, now: now - timedelta(days=int(m.group(1)))),
    (re.compile(r"(\d+)\s*(?:周|星期)前"), lambda m, now: now - timedelta(weeks=int(m.group(1)))),
]
_MONTHS_AGO = re.compile(r"(\d+)\s*(?:个)?月前")
_YEARS_AGO = re.compile(r"(\d+)\s*年前")
_SHORT_YEAR = re.compile(r"(?<!\d)(\d\d)-(\d{1,2})-(\d{1,2})(?!\d)")
_MONTH_DAY = re.compile(r"(?<![\d-])(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*日?(?![\d-])")


def parse_when(text: str, now: datetime) -> date | None:
    """The date a platform's time label means, seen at ``now`` (Beijing time), or None.

    Full dates first ("2024-03-05", "2024年3月5日"), then "23-11-15" (Weibo's short year), then
    relative phrases, then "11-15" / "11月15日", which mean this year unless that lies in the
    future (then last year: a January page shows December's posts)."""
    text = (text or "").strip()
    if not text:
        return None
    now = now.astimezone(BEIJING)
    m = DATE_RE.search(text)
    if m:
        return _plausible(make_date(*m.groups()), now)
    m = _SHORT_YEAR.search(text)
    if m:
        return _plausible(make_date(2000 + int(m.group(1)), m.group(2), m.group(3)), now)
    for rx, fn in _REL:
        m = rx.search(text)
        if m:
            return _plausible(fn(m, now).date(), now)
    # "N个月前" / "N年前" say only roughly when: take the latest day it can mean (never makes a post older).
    m = _MONTHS_AGO.search(text)
    if m:
        return _plausible((now - timedelta(days=28 * int(m.group(1)))).date(), now)
    m = _YEARS_AGO.search(text)
    if m:
        return _plausible((now - timedelta(days=365 * int(m.group(1)))).date(), now)
    m = _MONTH_DAY.search(text)
    if m:
        d = make_date(now.year, m.group(1), m.group(2))
        if d and d > (now + timedelta(days=1)).date():
            d = make_date(now.year - 1, m.group(1), m.group(2))
        return _plausible(d, now)
    return None


def now_beijing() -> datetime:
    return datetime.now(UTC).astimezone(BEIJING)
