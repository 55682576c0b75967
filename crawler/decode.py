"""Decoding page bytes: Chinese government sites still serve GBK/GB2312 pages whose meta tag
or header lies (says utf-8, or says gb2312 while using GBK-only characters).

Order (the only one that never garbles a real page): strict UTF-8 first — it almost never
decodes non-UTF-8 Chinese by accident —, then the declared charset, then gb18030 (a superset
of GB2312 and GBK, so it decodes every page written in either). GB2312 and GBK are always
decoded as gb18030 for the same reason.
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312", "gb_2312-80"}


def declared_charset(body: bytes, content_type: str = "") -> str:
    """The charset the header or the first 4 KB of the page declares ("" if none)."""
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", content_type or "", re.I)
    if m:
        return m.group(1).lower()
    m = _META_CHARSET.search(body[:4096])
    return m.group(1).decode("ascii", "replace").lower() if m else ""


def _normalise(charset: str) -> str:
    if charset in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return ""


def decode_body(body: bytes, content_type: str = "") -> tuple[str, str]:
    """(text, encoding used). Never raises: the last resort replaces undecodable bytes."""
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", "replace"), "utf-8"
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _normalise(declared_charset(body, content_type))
    if declared and declared not in ("utf-8", "gb18030"):
        try:
            return body.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return body.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    # Mostly-UTF-8 with a few broken bytes is far more common than anything else today.
    return body.decode(declared or "utf-8", "replace"), (declared or "utf-8") + "?"
