"""``zhaocuo doctor``: is this machine ready for the nightly run?

One Chinese/English line per check, exit 0 when none failed and 1 otherwise:

1. the profile loads (``--config``), with the same message a run would print;
2. every file the profile names exists and reads: the catalogue spreadsheet
   (``catalog_file``), the MacBERT model folder, the sound-alike model of ``[text] thorough``;
3. the store opens and passes SQLite's ``PRAGMA integrity_check`` (``--db`` or the profile's);
   a store not created yet is fine — the first run creates it — if its folder is writable;
4. the start URLs' host names resolve, through ``[dns] nameservers`` when given;
5. every start URL answers over HTTP (a status below 400), at the address just resolved;
6. the SMTP server of ``[mail]`` accepts a connection, EHLO and STARTTLS/TLS as configured —
   no login, no mail sent (an internal CA: see SSL_CERT_FILE in docs/profile.md);
7. Chromium launches through Playwright with the crawler's own options and renders a
   ``data:`` page whose text only a running script writes (so a browser that starts but
   cannot run JavaScript fails too).

``--skip-network`` leaves out 4–6, ``--skip-browser`` 7. Without ``--config`` only the store
(``--db``) and the browser are checked.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

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


def check_files(profile: Profile) -> list[Check]:
    """Every file or folder the profile names, read as a run would read it."""
    checks: list[Check] = []
    if profile.columns.catalog_file:
        from audits._catalog import load_catalog

        path = profile.resolve_path(profile.columns.catalog_file)
        if not path.is_file():
            checks.append(Check(False, "公开目录 catalogue", f"columns.catalog_file: {path} 文件不存在 file not found"))
        else:
            try:
                n = len(load_catalog(profile))
            except ProfileError as exc:
                checks.append(Check(False, "公开目录 catalogue", str(exc)))
            else:
                checks.append(Check(True, "公开目录 catalogue", f"{path} 可以读取 reads ({n} 项 items)"))
    if profile.text.macbert_dir:
        path = profile.resolve_path(profile.text.macbert_dir)
        ok = path.is_dir()
        checks.append(Check(ok, "模型 model", f"text.macbert_dir: {path} " + ("存在 found" if ok else "目录不存在 folder not found")))
    if profile.text.thorough:
        from audits import _soundalike

        try:
            _soundalike.model()
        except RuntimeError as exc:
            checks.append(Check(False, "同音模型 sound-alike model", f"text.thorough: {exc}"))
        else:
            checks.append(Check(True, "同音模型 sound-alike model", "可以读取 reads"))
    if not checks:
        checks.append(Check(None, "文件 files", "配置未引用其他文件 the profile names no other file"))
    return checks


def _hosts(profile: Profile) -> list[str]:
    return list(dict.fromkeys(urlsplit(u).hostname or "" for u in profile.site.start_urls))


def check_dns(profile: Profile) -> tuple[Check, dict[str, str]]:
    """Each start URL's host resolved as the crawler resolves it; (check, host → address)."""
    from crawler.ipv6_dns import lookup, make_resolver

    addresses: dict[str, str] = {}
    problems: list[str] = []
    via = "、".join(profile.dns.nameservers) if profile.dns.nameservers else "系统解析器 system resolver"
    resolver, why = make_resolver(profile.dns.nameservers, profile.dns.timeout_s) if profile.dns.nameservers else (None, "")
    for host in _hosts(profile):
        try:
            addresses[host] = str(ipaddress.ip_address(host.strip("[]")))
            continue
        except ValueError:
            pass
        if resolver is not None:
            found = lookup(resolver, host, "A")
            if found.values:
                addresses[host] = found.values[0]
            else:
                problems.append(f"{host}: {found.error}")
        elif why:
            problems.append(f"{host}: {why}")
        else:
            try:
                info = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
                addresses[host] = str(info[0][4][0])
            except OSError as exc:
                problems.append(f"{host}: 无法解析 cannot resolve ({exc.strerror or exc})")
    if problems:
        return Check(False, "域名解析 DNS", f"经 via {via}: " + "；".join(problems)), addresses
    shown = "，".join(f"{h} → {a}" for h, a in addresses.items())
    return Check(True, "域名解析 DNS", f"经 via {via}: {shown}"), addresses


def check_start_urls(profile: Profile, addresses: dict[str, str]) -> Check:
    """GET each start URL at the address resolved above (bounded in time and bytes)."""
    from crawler.ipv6_fetch import fetch_via

    problems, fine = [], []
    for url in profile.site.start_urls:
        host = urlsplit(url).hostname or ""
        if host not in addresses:
            problems.append(f"{url}: 域名未解析 not resolved")
            continue
        got = fetch_via(url, addresses[host], profile.crawl.timeout_s, 256 * 1024, profile.crawl.user_agent)
        if got.status is None:
            problems.append(f"{url}: {got.error or got.error_kind}")
        elif got.status >= 400:
            problems.append(f"{url}: HTTP {got.status}")
        else:
            fine.append(f"{url} HTTP {got.status}" + (f" → {got.location}" if got.location else ""))
    if problems:
        return Check(False, "起始地址 start URLs", "；".join(problems + fine))
    return Check(True, "起始地址 start URLs", "；".join(fine))


def check_smtp(profile: Profile) -> Check:
    if profile.mail is None:
        return Check(None, "邮件服务器 SMTP", "未配置 [mail]，不发邮件 no [mail]: nothing is sent")
    from zhaocuo.app.outbox import probe

    try:
        said = probe(profile.mail)
    except ssl.SSLCertVerificationError as exc:
        return Check(False, "邮件服务器 SMTP", f"mail.smtp {profile.mail.smtp}: 证书不被信任 certificate not trusted "
                                                f"({exc.verify_message}); 内网 CA 请设置 SSL_CERT_FILE (docs/profile.md)")
    except (OSError, smtplib.SMTPException) as exc:
        return Check(False, "邮件服务器 SMTP", f"mail.smtp {profile.mail.smtp}: 无法连接或握手 cannot connect or "
                                                f"greet ({type(exc).__name__}: {exc})")
    return Check(True, "邮件服务器 SMTP", f"{profile.mail.smtp} 应答 EHLO answered: {said}（未登录、未发信 no login, "
                                           "no mail sent）")


def check_browser(timeout_s: float = 60.0) -> Check:
    from crawler.chromium import chromium_path, launch_options

    exe = chromium_path()
    if not Path(exe).exists():
        return Check(False, "浏览器 browser", f"找不到 Chromium not found at {exe} (Debian: apt-get install chromium-headless-shell)")
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

    def say(c: Check) -> None:
        checks.append(c)
        print(c.line(), flush=True)

    print(profile_check.line(), flush=True)
    if profile is not None:
        for c in check_files(profile):
            say(c)
    say(check_store(getattr(args, "db", None), profile))
    if profile is not None and not getattr(args, "skip_network", False):
        dns_check, addresses = check_dns(profile)
        say(dns_check)
        say(check_start_urls(profile, addresses))
        say(check_smtp(profile))
    if not getattr(args, "skip_browser", False):
        say(check_browser())
    failed = [c for c in checks if c.ok is False]
    if failed:
        print(f"有 {len(failed)} 项检查未通过 {len(failed)} check(s) failed")
        return 1
    print("环境就绪 ready")
    return 0
