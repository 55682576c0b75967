"""Zip bombs for tests, built without inflating anything: a valid xlsx whose shared strings
part is replaced by one cell of ``size`` bytes, compressed ~1000:1 by repeating one
full-flushed deflate block. ``declared`` sets what the central directory claims the part
inflates to (an honest bomb says ``size``; a lying one says something small)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

BLOCK = 1 << 20  # one megabyte of "a" per repeated deflate block


def _bomb_stream(size: int) -> tuple[bytes, int]:
    head, tail = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>', b"</t></si></sst>"
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = [c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)]
    block = c.compress(b"a" * BLOCK) + c.flush(zlib.Z_FULL_FLUSH)
    n = max(1, (size - len(head) - len(tail)) // BLOCK)
    out.append(block * n)
    out.append(c.compress(tail) + c.flush())
    return b"".join(out), len(head) + n * BLOCK + len(tail)


def bomb_xlsx(valid: Path, out: Path, size: int, declared: int | None = None) -> Path:
    """``valid`` (a real xlsx) with xl/sharedStrings.xml replaced by the bomb; written by hand
    (local headers, central directory, end record) so nothing is ever inflated."""
    parts: list[tuple[str, bytes, int, int, int]] = []  # name, deflated, crc, size, declared size
    with zipfile.ZipFile(valid) as z:
        for info in z.infolist():
            if info.filename == "xl/sharedStrings.xml":
                continue
            raw = z.read(info)
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            parts.append((info.filename, c.compress(raw) + c.flush(), zlib.crc32(raw), len(raw), len(raw)))
    stream, real = _bomb_stream(size)
    # The CRC of the real content is not needed: an honest bomb is refused by its declared size,
    # a lying one fails its checksum where zipfile stops at the declared size.
    parts.append(("xl/sharedStrings.xml", stream, 0, real, real if declared is None else declared))
    body = bytearray()
    central = bytearray()
    for name, data, crc, _real, decl in parts:
        offset = len(body)
        fn = name.encode()
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), decl, len(fn), 0) + fn + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), decl,
                               len(fn), 0, 0, 0, 0, 0, offset) + fn
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(central), len(body), 0)
    out.write_bytes(bytes(body + central + end))
    return out


# Run in a fresh process (``python -c READ_LEDGER_PROBE LEDGER``): reads the ledger as the feedback
# import does and prints JSON — the refusal's error, the bytes of the bomb part inflated, the
# seconds taken and the peak memory (VmHWM: ru_maxrss would keep the forking parent's peak).
READ_LEDGER_PROBE = """
import json, sys, time, zipfile
from pathlib import Path
from zhaocuo.app import feedback
inflated = 0
_read = zipfile.ZipExtFile.read
def counting_read(self, n=-1):
    global inflated
    data = _read(self, n)
    if self.name == "xl/sharedStrings.xml":
        inflated += len(data)
    return data
zipfile.ZipExtFile.read = counting_read
t0 = time.monotonic()
try:
    feedback.read_ledger(Path(sys.argv[1]))
    error = ""
except feedback.FeedbackError as exc:
    error = str(exc)
seconds = time.monotonic() - t0
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"error": error, "inflated": inflated, "s": seconds, "peak_mb": peak / 1024}))
"""
