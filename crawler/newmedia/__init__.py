"""Gatherer for government new-media accounts (``[[newmedia]]``): render, extract posts, store.

For each account the page is rendered (``crawler.newmedia.browser``), read by its platform's
adapter (``crawler.newmedia.platforms``) and stored as

- a Page with kind='newmedia' (its visible text is proofread by the text audits like any page),
- its links as Links (the link-check gatherer that runs after this one checks them),
- one ``newmedia_post`` record per post: {account, title, date, url, platform},
- one ``newmedia_account`` record: whether the page could be read, the error, the posts found.

Nothing is judged here: ``audits.newmedia_stale`` decides what is stale from these records.
Relative dates ("3小时前") are resolved now, against the fetch time, and stored as dates.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import time
from typing import Any

from zhaocuo.core.profile import NewMedia, Profile
from zhaocuo.core.store import Link, Page, Store

log = logging.getLogger("zhaocuo.newmedia")

MAX_TEXT_CHARS = 500_000


def _add_page(store: Store, run_id: int, acct: NewMedia, rendered: Any, doc: Any, text: str, base: str) -> None:
    from crawler.newmedia import page as pagemod

    store.add_page(run_id, Page(
        url=acct.url, final_url=base, status=rendered.status, content_type=rendered.content_type or "text/html",
        kind="newmedia", encoding="utf-8", title=pagemod.title_of(doc), text=text,
        html=rendered.html if doc is not None else "",
        content_hash=hashlib.sha1(text.encode("utf-8")).hexdigest() if text else "",
        fetched_at=rendered.fetched_at, rendered=True, error=rendered.error, size=len(rendered.html),
    ))
    store.add_links(run_id, [Link(acct.url, lk.target, lk.anchor, lk.tag) for lk in pagemod.links_of(doc, base)])


def _store_account(store: Store, run_id: int, acct: NewMedia, rendered: Any) -> dict[str, Any]:
    from crawler.newmedia import page as pagemod
    from crawler.newmedia import platforms
    from crawler.newmedia.posts import now_beijing

    # A page that failed (HTTP 404, a platform's error page) is not the account's content: its
    # text and links are not kept, so the text and link audits never judge a platform's error page.
    doc = pagemod.parse(rendered.html) if not rendered.error else None
    text = pagemod.visible_text(doc)[:MAX_TEXT_CHARS]
    base = rendered.final_url or acct.url
    # The site crawl may have stored the same address already (an account page on the site
    # itself): that page stays as crawled; the account's posts are still recorded below.
    crawled = store.page_kind(run_id, acct.url)
    if crawled is None or crawled == "newmedia":
        _add_page(store, run_id, acct, rendered, doc, text, base)
    platform, posts = ("", [])
    if doc is not None:
        platform, posts = platforms.extract(acct.platform, doc, rendered.html, base, now_beijing())
    for post in posts:
        key = f"{acct.name}\x1f{post.url}\x1f{post.title[:80]}"
        store.put_record(run_id, "newmedia_post", key, post.record(acct.name, platform, acct.url))
    dated = [p.date for p in posts if p.date]
    summary = {
        "account": acct.name, "url": acct.url, "final_url": base, "platform": platform or acct.platform,
        "unit": acct.unit, "ok": not rendered.error, "status": rendered.status, "error": rendered.error,
        "posts": len(posts), "dated_posts": len(dated), "newest": max(dated).isoformat() if dated else "",
        "fetched_at": rendered.fetched_at,
    }
    store.put_record(run_id, "newmedia_account", f"{acct.name}\x1f{acct.url}", summary)
    store.commit()
    return summary


def gather(profile: Profile, store: Store, run_id: int, progress: bool = True) -> dict[str, Any]:
    """Render every ``[[newmedia]]`` account page and store what it shows. Returns stats."""
    from crawler.newmedia.browser import render_pages

    accounts = [a for a in profile.newmedia if a.url]
    if not accounts:
        return {}
    started = time.monotonic()
    if progress:
        print(f"政务新媒体 new-media accounts: 渲染 rendering {len(accounts)} …", file=sys.stderr, flush=True)
    try:
        rendered = render_pages([a.url for a in accounts], profile.crawl.render_timeout_s, profile.crawl.user_agent)
    except Exception as exc:  # noqa: BLE001 - no browser on this machine: say so, judge nothing
        # Not the accounts' fault: recording them as unreachable would send every unit a false
        # finding. No account record is written (the audit judges nothing) and the run says why.
        msg = f"浏览器无法启动 browser could not start: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        log.error("%s", msg)
        print(f"政务新媒体未检查 new-media accounts not checked — {msg[:300]} (运行 run `zhaocuo doctor`)",
              file=sys.stderr, flush=True)
        return {"newmedia_accounts": len(accounts), "newmedia_error": msg[:300]}
    ok = failed = posts = 0
    for acct, r in zip(accounts, rendered, strict=True):
        s = _store_account(store, run_id, acct, r)
        ok += s["ok"]
        failed += not s["ok"]
        posts += s["posts"]
        if progress:
            state = f"{s['posts']} 条 posts, 最新 newest {s['newest'] or '—'}" if s["ok"] else f"失败 failed: {s['error']}"
            print(f"  {acct.name}: {state}", file=sys.stderr, flush=True)
    return {"newmedia_accounts": len(accounts), "newmedia_ok": ok, "newmedia_failed": failed,
            "newmedia_posts": posts, "newmedia_elapsed_s": round(time.monotonic() - started, 2)}
