"""``zhaocuo doctor``: is this machine ready for the nightly run?

Three checks, one Chinese/English line each, exit 0 when all pass and 1 otherwise:

1. the profile loads (``--config``), with the same message a run would print;
2. the store opens and passes SQLite's ``PRAGMA integrity_check`` (``--db`` or the profile's);
   a store not created yet is fine — the first run creates it — if its folder is writable;
3. Chromium launches through Playwright with the crawler's own options and renders a
   ``data:`` page whose text only a running script writes (so a browser that starts but
   cannot run JavaScript fails too).

Without ``--config`` and ``--db`` the store check has nothing to open and says so.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from pathlib import Path

from zhaocuo.app.profiles import load as load_profile
from zhaocuo.app.stores import legacy_store, location
from zhaocuo.core.profile import Profile, ProfileError
from zhaocuo.core.store import StoreError, is_server_url, open_store

_PROBE_HTML = "data:text/html;charset=utf-8,<title>zhaocuo</title><body><script>document.body.textContent = '渲染' + (40 + 2)</script></body>"
_PROBE_EXPECT = "渲染42"


@dataclass
class Check:
    ok: bool | None  # None: skipped (nothing to check)
    name: str
    detail: str

    def line(self) -> str:
        mark = {True: "[通过 OK]  ", False: "[失败 FAIL]", None: "[跳过 SKIP]"}[self.ok]
        return f"{mark} {self.name}: {self.detail}"


def check_profile(path: str | None) -> tuple[Check, Profile | None]:
    if not path:
        return Check(None, "配置 profile", "未指定 --config no profile given"), None
    try:
        profile = load_profile(path)
    except ProfileError as exc:
        return Check(False, "配置 profile", str(exc)), None
    return Check(True, "配置 profile", f"{path} 可以加载 loads ({profile.site.name}, "
                                       f"{len(profile.site.start_urls)} 个起始地址 start URLs, "
                                       f"{len(profile.newmedia)} 个新媒体账号 new-media accounts)"), profile


def check_store(db: str | None, profile: Profile | None) -> Check:
    if profile is None and db and is_server_url(db):
        return _check_server(db)
    if profile is not None and isinstance(location(profile, db), str):
        return _check_server(str(location(profile, db)))
    if db:
        path, old = Path(db.removeprefix("sqlite:///")), None
    elif profile is not None:
        path, old = profile.default_store_path(), legacy_store(profile)
    else:
        return Check(None, "数据库 store", "未指定 --db 或 --config, 无从检查 nothing to open")
    if old is not None:
        return Check(True, "数据库 store", f"{old} 是本站原有的数据库, 下次运行时改名为 {path} 并继续使用 "
                                           "an older store of this site; the next run adopts it under the new name")
    if not path.exists():
        folder = next((p for p in [path.parent, *path.parent.parents] if p.exists()), Path("/"))
        if os.access(folder, os.W_OK):
            return Check(True, "数据库 store", f"{path} 尚未创建, 首次运行时创建 not created yet (the first run creates it)")
        return Check(False, "数据库 store", f"{path} 无法创建: 目录不可写 cannot be created: {folder} is not writable")
    try:
        store = open_store(path, read_only=True)
        try:
            result = store.integrity_problems()
            runs = store.run_count()
        finally:
            store.close()
    except StoreError as exc:
        return Check(False, "数据库 store", f"{path} 无法打开或已损坏 cannot be opened or is damaged: {exc}")
    if result:
        return Check(False, "数据库 store", f"{path} 完整性检查未通过 integrity_check failed: {'; '.join(result[:3])}")
    return Check(True, "数据库 store", f"{path} 完整性检查通过 integrity_check ok ({runs} 次抓取 runs)")


def _check_server(url: str) -> Check:
    """A site's namespace in a shared PostgreSQL database: reachable, created, at this version."""
    try:
        store = open_store(url, read_only=True)
    except StoreError as exc:
        if "no store for site" in str(exc):
            return Check(True, "数据库 store", f"{exc}; 首次运行时创建 the first run creates it")
        return Check(False, "数据库 store", str(exc))
    try:
        problems, runs = store.integrity_problems(), store.run_count()
    finally:
        store.close()
    if problems:
        return Check(False, "数据库 store", f"{store.url} 检查未通过 check failed: {'; '.join(problems[:3])}")
    return Check(True, "数据库 store", f"{store.url} 检查通过 ok ({runs} 次抓取 runs)")


def check_browser(timeout_s: float = 60.0) -> Check:
    from crawler.chromium import chromium_path, launch_options

    exe = chromium_path()
    if not Path(exe).exists():
        return Check(False, "浏览器 browser", f"找不到 Chromium not found at {exe} (Debian: apt-get install chromium)")
    started = time.monotonic()
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(**{**launch_options(), "timeout": timeout_s * 1000})
            try:
                page = browser.new_page()
                page.goto(_PROBE_HTML, timeout=timeout_s * 1000)
                text = page.inner_text("body", timeout=timeout_s * 1000)
                version = browser.version
            finally:
                browser.close()
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, the line must say it
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        return Check(False, "浏览器 browser", f"{exe} 无法启动或渲染 cannot launch or render: {first[:300]}")
    if text.strip() != _PROBE_EXPECT:
        return Check(False, "浏览器 browser", f"{exe} 未执行页面脚本 did not run the page's script (got {text[:60]!r})")
    return Check(True, "浏览器 browser", f"Chromium {version} ({exe}) 可渲染页面 renders pages "
                                         f"({time.monotonic() - started:.1f} s)")


def doctor(args: argparse.Namespace) -> int:
    """Run every check, print one line each, return 0 when none failed, else 1."""
    profile_check, profile = check_profile(getattr(args, "config", None))
    checks = [profile_check]
    print(profile_check.line(), flush=True)
    for run in (lambda: check_store(getattr(args, "db", None), profile), check_browser):
        c = run()
        checks.append(c)
        print(c.line(), flush=True)
    failed = [c for c in checks if c.ok is False]
    if failed:
        print(f"有 {len(failed)} 项检查未通过 {len(failed)} check(s) failed")
        return 1
    print("环境就绪 ready")
    return 0
