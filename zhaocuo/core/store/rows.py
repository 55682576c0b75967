"""The column lists and row decoders both backends share: a row read from ``pages``,
``link_checks`` or ``runs`` becomes the same model object whichever database held it (html is
stored zlib-compressed, JSON columns as text)."""

from __future__ import annotations

import json
import zlib
from typing import Any

from zhaocuo.core.store.model import LinkCheck, Page, Run

CHECK_COLS = ("url, status, final_url, error_kind, error, method, attempts, elapsed_ms, content_type, "
              "title, snippet, redirects, checked_at")
PAGE_COLS = ("url, final_url, status, content_type, kind, encoding, title, text, html, content_hash, "
             "fetched_at, depth, rendered, error, size, headers")
LINK_COLS = "source, target, anchor, tag"
RUN_COLS = "id, started_at, finished_at, status, resumed, stats"


def page(row: tuple[Any, ...]) -> Page:
    return Page(
        url=row[0], final_url=row[1] or row[0], status=row[2], content_type=row[3] or "", kind=row[4] or "",
        encoding=row[5] or "", title=row[6] or "", text=row[7] or "",
        html=zlib.decompress(row[8]).decode("utf-8") if row[8] else "",
        content_hash=row[9] or "", fetched_at=row[10] or "", depth=row[11] or 0, rendered=bool(row[12]),
        error=row[13] or "", size=row[14] or 0, headers=json.loads(row[15] or "{}"),
    )


def link_check(r: tuple[Any, ...]) -> LinkCheck:
    return LinkCheck(
        url=r[0], status=r[1], final_url=r[2] or "", error_kind=r[3] or "", error=r[4] or "",
        method=r[5] or "", attempts=r[6] or 0, elapsed_ms=r[7] or 0, content_type=r[8] or "",
        title=r[9] or "", snippet=r[10] or "", redirects=json.loads(r[11] or "[]"), checked_at=r[12] or "",
    )


def run(row: tuple[Any, ...] | None) -> Run | None:
    if not row:
        return None
    return Run(row[0], row[1], row[2], row[3], bool(row[4]), json.loads(row[5] or "{}"))
