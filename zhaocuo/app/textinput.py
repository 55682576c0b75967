"""Plain text as offices have it: UTF-8 with or without a BOM, GBK/GB18030 from older Windows
tools, UTF-16 from Word's "Unicode text". ``zhaocuo check-text`` reads it line by line.

The encoding is decided once from the head of the input — a byte-order mark says it outright;
NUL bytes in every other position mean UTF-16 without a mark; otherwise UTF-8 when the head
decodes as UTF-8, else GB18030 (a superset of GBK and GB2312). UTF-16 text of Chinese
characters only has no NUL bytes to tell it by: Notepad and Word write a BOM, otherwise name it
with ``--encoding utf-16-le``. A BOM is never part of the
first line, so character offsets count from the first real character. Decoding then streams,
so a large file is never held whole; a byte sequence the chosen encoding cannot read later
on is an error naming the line (``--encoding`` settles it).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

SNIFF_BYTES = 1 << 20
CHUNK = 1 << 16
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


class TextInputError(Exception):
    """Input that cannot be decoded; ``str()`` names the line."""


def sniff(head: bytes) -> str:
    """The encoding of input that starts with ``head``."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if head and head.count(0) * 4 >= len(head):
        even = head[0::2].count(0)
        odd = head[1::2].count(0)
        return "utf-16-be" if even > odd else "utf-16-le"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def lines(stream: BinaryIO, encoding: str | None = None) -> tuple[str, Iterator[str]]:
    """(encoding used, the input's lines without their line ends)."""
    head = stream.read(SNIFF_BYTES)
    if encoding:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise TextInputError(f"--encoding: 未知的编码 unknown encoding {encoding!r}") from None
        if name == "utf-8" and head.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
    else:
        name = sniff(head)
    return name, _decode(stream, head, name)


def _decode(stream: BinaryIO, head: bytes, encoding: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    pending = ""
    n = 0
    chunk = head
    while True:
        final = not chunk
        try:
            pending += decoder.decode(chunk, final=final)
        except UnicodeDecodeError:
            line = n + pending.count("\n") + 1
            raise TextInputError(f"第 {line} 行无法按 {encoding} 解码 line {line} is not valid {encoding} "
                                 "(可用 --encoding 指定编码 name the encoding with --encoding)") from None
        *complete, pending = pending.split("\n")
        for text in complete:
            n += 1
            yield text.removesuffix("\r")
        if final:
            break
        chunk = stream.read(CHUNK)
    if pending:
        yield pending.removesuffix("\r")
