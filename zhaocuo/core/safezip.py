"""Bounded reading of zip packages (xlsx, docx) before anything parses them.

A returned ledger, a platform export or a crawled attachment is untrusted: a 1 MB xlsx can
inflate to gigabytes (a zip bomb), and openpyxl would read it whole (its shared strings are
loaded in one piece). ``check_package`` refuses such a file cheaply, before parsing:

1. declared sizes — the central directory's size of every part and their sum, the number of
   parts and the compression method — are checked against the limits without inflating
   anything (an honest bomb is refused in microseconds);
2. real sizes — every part is then inflated in small chunks and counted, never holding more
   than a chunk: a part whose header understates its size (a lying bomb) is cut at the
   declared size by ``zipfile`` and fails its CRC, or inflates past the limit — refused
   either way. The work is bounded by the declared total, which step 1 bounded.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO, Any

CHUNK = 1 << 16
MAX_PARTS = 10_000
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


class UnsafeZip(ValueError):
    """The package is refused; ``str()`` says why in one Chinese + English line (no path)."""


def _mb(n: int) -> str:
    return f"{n / 1_048_576:.0f} MB" if n >= 1_048_576 else f"{n} bytes"


def check_package(source: str | Path | IO[bytes], max_total: int, max_part: int | None = None) -> None:
    """Raise UnsafeZip unless every part of the zip at ``source`` inflates to at most
    ``max_part`` bytes and all of them to at most ``max_total``, by declaration and in fact.
    Raises zipfile.BadZipFile for a file that is not a zip at all."""
    max_part = max_part or max_total
    with zipfile.ZipFile(source) as z:
        infos = z.infolist()
        if len(infos) > MAX_PARTS:
            raise UnsafeZip(f"压缩包内文件过多 too many parts ({len(infos)} > {MAX_PARTS})")
        declared = 0
        for info in infos:
            if info.compress_type not in _METHODS:
                raise UnsafeZip(f"不支持的压缩方式 unsupported compression in {info.filename[:80]!r}")
            if info.file_size > max_part:
                raise UnsafeZip(f"解压后过大 {info.filename[:80]!r} inflates to {_mb(info.file_size)} "
                                f"(limit {_mb(max_part)})，疑似压缩炸弹 a zip bomb?")
            declared += info.file_size
        if declared > max_total:
            raise UnsafeZip(f"解压后过大 the package inflates to {_mb(declared)} (limit {_mb(max_total)})，"
                            "疑似压缩炸弹 a zip bomb?")
        real = 0
        for info in infos:
            if info.is_dir():
                continue
            size = 0
            try:
                with z.open(info) as part:
                    while chunk := part.read(CHUNK):
                        size += len(chunk)
                        real += len(chunk)
                        if size > max_part or real > max_total:
                            raise UnsafeZip(f"解压后过大 {info.filename[:80]!r} inflates past the limit "
                                            f"({_mb(max_part)})，疑似压缩炸弹 a zip bomb?")
            except zipfile.BadZipFile as exc:
                # zipfile stops at the declared size: a part that holds more fails its CRC.
                raise UnsafeZip(f"压缩包内容与声明不符 {info.filename[:80]!r} does not match its declared size or "
                                f"checksum ({exc})，疑似压缩炸弹 a zip bomb?") from None
            if size != info.file_size:
                raise UnsafeZip(f"压缩包内容与声明不符 {info.filename[:80]!r}: {size} bytes, declared {info.file_size}")


class NotAWorkbook(ValueError):
    """The file is no xlsx openpyxl can read; ``str()`` names the exception type only."""


def open_workbook(path: Path, max_total: int) -> Any:
    """openpyxl's read-only workbook of the xlsx at ``path`` after ``check_package`` passed it.
    Raises UnsafeZip for a bomb and NotAWorkbook for anything that is not an xlsx, so every
    reader of a returned file (ledger, platform export) refuses both the same way."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        check_package(path, max_total)
    except UnsafeZip:
        raise
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, ValueError) as exc:
        raise NotAWorkbook(type(exc).__name__) from None
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise NotAWorkbook(type(exc).__name__) from None
