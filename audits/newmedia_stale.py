"""newmedia_stale: a government new-media account not updated for more than two weeks (单项否决).

The national check (《政府网站与政务新媒体检查指标》) vetoes an account whose newest post is older
than two weeks. Judged only from what ``crawler.newmedia`` stored: the ``newmedia_account``
records (was the page read?) and the ``newmedia_post`` records (title, date, url).

Three findings, kept apart because they ask different things of the unit:

- ``stale`` (veto): the newest dated post is more than 14 days before ``as_of``;
- ``unreachable`` (high): the account page could not be read — we cannot tell whether it is
  stale, so it is not called stale; the unit must check the address or the account by hand;
- ``undated`` (high): the page was read but shows no dated post — likewise not called stale.

Findings go to the account's unit (``[[newmedia]] unit``), url = the account's page.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from audits import AuditMeta
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity

META = AuditMeta(
    name="newmedia_stale",
    title="政务新媒体更新不及时",
    severity=Severity.VETO,
    requires=("records:newmedia_account", "records:newmedia_post"),
    description="政务新媒体账号超过2周未更新的，属单项否决。",
)

MAX_AGE_DAYS = 14


def _newest(posts: Iterable[dict], as_of: date) -> tuple[date | None, dict | None]:
    best: tuple[date | None, dict | None] = (None, None)
    for post in posts:
        try:
            d = date.fromisoformat(post.get("date") or "")
        except ValueError:
            continue
        # A post dated after as_of (beyond a day of clock skew) is a typo or an audit re-run for an
        # earlier day: it must not make the account look fresh on that day.
        if d.toordinal() > as_of.toordinal() + 1:
            continue
        if best[0] is None or d > best[0]:
            best = (d, post)
    return best


def audit(ctx: AuditContext) -> Iterable[Finding]:
    crawl, profile, as_of = ctx.crawl, ctx.profile, ctx.as_of
    units = {(a.name, a.url): a.unit for a in profile.newmedia}
    posts_by_account: dict[tuple[str, str], list[dict]] = {}
    for post in crawl.records("newmedia_post").values():
        posts_by_account.setdefault((post.get("account", ""), post.get("account_url", "")), []).append(post)
    # Accounts come from the stored crawl, not the profile: an account added to the profile after
    # the crawl was never looked at, and "no data" is not evidence of anything.
    for acct in crawl.records("newmedia_account").values():
        name, url = acct.get("account", ""), acct.get("url", "")
        unit = units.get((name, url)) or acct.get("unit", "")
        extra = {"account": name, "platform": acct.get("platform", ""), "fetched_at": acct.get("fetched_at", "")}
        if not acct.get("ok"):
            error = acct.get("error") or "未知错误"
            yield Finding(
                audit=META.name, severity=Severity.HIGH, url=url, unit=unit, key=f"unreachable\x1f{name}",
                message=f"政务新媒体账号“{name}”的页面无法访问（{error}），未能检查其更新情况，请核实账号地址或人工检查。",
                extra={**extra, "kind": "unreachable", "error": error},
            )
            continue
        newest, post = _newest(posts_by_account.get((name, url), []), as_of)
        if newest is None:
            yield Finding(
                audit=META.name, severity=Severity.HIGH, url=url, unit=unit, key=f"undated\x1f{name}",
                message=f"政务新媒体账号“{name}”的页面上未找到带日期的发布内容，无法判断是否按时更新，请人工核实。",
                extra={**extra, "kind": "undated", "posts": acct.get("posts", 0)},
            )
            continue
        age = (as_of - newest).days
        if age > MAX_AGE_DAYS:  # exactly 14 days is still within "two weeks"
            title = (post or {}).get("title", "")
            yield Finding(
                audit=META.name, severity=META.severity, url=url, unit=unit, key=f"stale\x1f{name}",
                message=f"政务新媒体账号“{name}”最近一次更新是{newest.isoformat()}，已{age}天未更新（超过{MAX_AGE_DAYS}天），请尽快更新。",
                evidence=f"{newest.isoformat()} {title}".strip()[:300],
                extra={**extra, "kind": "stale", "newest": newest.isoformat(), "age_days": age,
                       "newest_title": title, "newest_url": (post or {}).get("url", "")},
            )


def summary(ctx: AuditContext, findings: list[Finding]) -> dict:
    crawl = ctx.crawl
    accounts = crawl.records("newmedia_account")
    kinds = [f.extra.get("kind") for f in findings]
    return {"accounts": len(accounts), "stale": kinds.count("stale"), "unreachable": kinds.count("unreachable"),
            "undated": kinds.count("undated")}
