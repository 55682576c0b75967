"""Reaching a site that sits behind more than production does: basic auth and extra headers.

A vendor's staging site typically wants HTTP basic auth, sometimes a header its gateway
checks. The profile names *environment variables* for the secrets (``[crawl] auth_user_env``,
``auth_password_env``, ``headers_env``) and may give plain headers (``[crawl] headers``);
``SiteAccess`` reads the variables when a crawl starts. Credentials and headers go to the
site's own hosts only (``[site] allowed_hosts``) — never to a linked site, never after a
redirect to another host: the Scrapy middleware here sets or strips them on every request,
redirected ones included, and the browser's requests get the same treatment
(crawler.playwright_handler). Secrets are never put into URLs, settings, the store or logs;
``redact`` scrubs them from any text that might echo them (log lines).
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Iterable, Mapping
from typing import Any

from crawler.urls import host_of
from zhaocuo.core.profile import Profile, ProfileError

REDACTED = "***"
# A secret shorter than this is not scrubbed from free text (it would mangle ordinary words);
# it is still never written by us anywhere.
MIN_REDACT_LEN = 4


class SiteAccess:
    """The headers a request to the site's own hosts carries (see the module doc)."""

    def __init__(self, profile: Profile, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        c = profile.crawl
        self._profile = profile
        headers: dict[str, str] = dict(c.headers)
        secrets: list[str] = []
        for name, var in c.headers_env.items():
            value = _env_value(profile, env, var, f"crawl.headers_env.{name}")
            if any(ch in value for ch in "\r\n\0"):
                raise ProfileError(profile.path, f"crawl.headers_env.{name}",
                                   f"环境变量 {var} 的值含换行 the value of {var} holds a line break")
            headers[name] = value
            secrets.append(value)
        if c.auth_user_env:
            user = _env_value(profile, env, c.auth_user_env, "crawl.auth_user_env")
            password = _env_value(profile, env, c.auth_password_env, "crawl.auth_password_env")
            if ":" in user:
                raise ProfileError(profile.path, "crawl.auth_user_env",
                                   f"环境变量 {c.auth_user_env} 的用户名不能含冒号 a basic-auth user name cannot hold ':'")
            token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
            secrets += [password, token, f"{user}:{password}"]
        self._headers = headers
        self._names = {k.lower() for k in headers}
        self.secrets = tuple(sorted({s for s in secrets if len(s) >= MIN_REDACT_LEN}, key=len, reverse=True))

    def __repr__(self) -> str:  # never the values
        return f"SiteAccess(headers={sorted(self._names)})"

    @property
    def active(self) -> bool:
        return bool(self._headers)

    @property
    def names(self) -> set[str]:
        """The header names this access manages (lowercase)."""
        return set(self._names)

    def own(self, url: str) -> bool:
        return self._profile.host_allowed(host_of(url))

    def headers_for(self, url: str) -> dict[str, str]:
        """The headers ``url`` gets: all of them on the site's own hosts, none elsewhere."""
        return dict(self._headers) if self._headers and self.own(url) else {}

    def apply(self, url: str, headers: Any) -> None:
        """Set or strip this access's headers in a (case-insensitive) header mapping, in place."""
        for key in [k for k in list(headers.keys()) if _text(k).lower() in self._names]:
            del headers[key]
        for key, value in self.headers_for(url).items():
            headers[key] = value

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _env_value(profile: Profile, env: Mapping[str, str], var: str, key: str) -> str:
    value = env.get(var)
    if not value:
        # Name the variable and the key, never a value.
        raise ProfileError(profile.path, key, f"环境变量 {var} 未设置或为空 environment variable {var} is not set")
    return value


class RedactingFormatter(logging.Formatter):
    """A log formatter that scrubs the access's secrets from every line (tracebacks included)."""

    def __init__(self, secrets: Iterable[str], base: logging.Formatter | None = None) -> None:
        super().__init__()
        self._secrets = tuple(secrets)
        self._base = base or logging.Formatter("%(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = self._base.format(record)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def redact_logs(access: SiteAccess, install: bool = False) -> None:
    """Scrub ``access``'s secrets from the root logger's output. ``install``: add a stderr
    handler (WARNING) when there is none, as in the crawl's child process."""
    if not access.secrets:
        return
    root = logging.getLogger()
    if install and not root.handlers:
        handler = logging.StreamHandler()
        handler.setLevel(logging.WARNING)
        root.addHandler(handler)
    for handler in root.handlers:
        handler.setFormatter(RedactingFormatter(access.secrets, handler.formatter))


class SiteAccessMiddleware:
    """Scrapy downloader middleware: every request (redirected ones too, which pass through
    here again) gets the access headers when it goes to the site's own hosts, and loses them
    when it does not."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self._access: SiteAccess | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> SiteAccessMiddleware:
        return cls(crawler)

    def _get(self) -> SiteAccess:
        if self._access is None:
            self._access = SiteAccess(self.crawler.spider.profile)
        return self._access

    def process_request(self, request: Any, spider: Any = None) -> None:
        access = self._get()
        if access.active:
            access.apply(request.url, request.headers)
        return None
