"""The environment variables zhaocuo reads, all of them, in one place.

None of them changes a finding: they say where things are (the store folder, the browser) and
how much to log. Everything that shapes findings is a profile key (docs/profile.md). The SMTP
user and password are read from the variables the profile names (``[mail] user_env`` /
``password_env``, by default ZHAOCUO_SMTP_USER / ZHAOCUO_SMTP_PASSWORD), and a staging site's
credentials likewise (``[crawl] auth_user_env`` …): those names are profile values, not here.
Documented in docs/profile.md ("环境变量 Environment variables").
"""

from __future__ import annotations

import os
from pathlib import Path

HOME = "ZHAOCUO_HOME"          # folder of the default stores
CHROMIUM = "ZHAOCUO_CHROMIUM"  # the browser binary, when it is not Debian's /usr/bin/chromium
LOG = "ZHAOCUO_LOG"            # log level of the command (default WARNING)
SCRAPY_LOG = "ZHAOCUO_SCRAPY_LOG"  # log level of the crawl's Scrapy child (default ERROR)
RENDER_LOG = "ZHAOCUO_RENDER_LOG"  # log level of the standalone renderer's child (default ERROR)

ALL = (HOME, CHROMIUM, LOG, SCRAPY_LOG, RENDER_LOG)


def data_home() -> Path:
    """The folder of default stores: $ZHAOCUO_HOME, else $XDG_DATA_HOME/zhaocuo, else ~/.local/share/zhaocuo."""
    if os.environ.get(HOME):
        return Path(os.environ[HOME])
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "zhaocuo"


def chromium_override() -> str:
    """The browser binary named by $ZHAOCUO_CHROMIUM, or ""."""
    return os.environ.get(CHROMIUM, "")


def log_level(variable: str = LOG, default: str = "WARNING") -> str:
    """A log level from one of the variables above (``LOG``, ``SCRAPY_LOG``, ``RENDER_LOG``)."""
    return os.environ.get(variable, default).upper() or default
