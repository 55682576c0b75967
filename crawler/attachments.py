"""Text of attachments (PDF, DOCX, XLSX) so they are audited like pages.

Attachments are untrusted: a crafted PDF can make a parser loop for minutes, a "DOCX" can
be a zip bomb. So every extraction is bounded in input size, pages/rows read, characters
returned and wall time (a SIGALRM timer where we run in the main thread, as in the crawl's
Scrapy child process), and any failure yields "" — the attachment is then simply not
proofread, the crawl goes on.
"""

from __future__ import annotations

import contextlib
import io
import logging
import signal
import threading
import time
import zipfile
from collections.abc import Iterator
from urllib.parse import urlsplit

from zhaocuo.core.safezip import check_package

log = logging.getLogger("zhaocuo.crawler.attachments")

MAX_BODY = 30 * 1024 * 1024        # bytes of attachment we try to read at all
MAX_PDF_PAGES = 200
MAX_XLSX_ROWS = 20000
MAX_UNZIPPED = 200 * 1024 * 1024   # total uncompressed size of an OOXML package (zip bombs)
TIME_LIMIT_S = 20.0

_PDF = "application/pdf"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Timeout(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (main thread only; elsewhere the size bounds hold)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def _raise(signum: int, frame: object) -> None:
        raise _Timeout()

    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def kind_of(body: bytes, content_type: str, url: str) -> str:
    """"pdf", "docx", "xlsx" or "" — by magic bytes first (servers mislabel), then type and name."""
    ct = content_type.split(";")[0].strip().lower()
    ext = urlsplit(url).path.rsplit(".", 1)[-1].lower() if "." in urlsplit(url).path else ""
    if body[:5] == b"%PDF-":
        return "pdf"
    if body[:4] == b"PK\x03\x04":
        if ct == _XLSX or ext == "xlsx":
            return "xlsx"
        if ct == _DOCX or ext == "docx":
            return "docx"
        try:
            names = zipfile.ZipFile(io.BytesIO(body)).namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return ""
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return ""


def _safe_zip(body: bytes) -> bool:
    """Declared and real inflated sizes within MAX_UNZIPPED (zhaocuo.core.safezip)."""
    try:
        check_package(io.BytesIO(body), MAX_UNZIPPED)
        return True
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError, NotImplementedError):
        return False  # UnsafeZip is a ValueError


def _pdf_text(body: bytes, max_chars: int) -> str:
    from pdfminer.high_level import extract_text as pdf_extract

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    return pdf_extract(io.BytesIO(body), maxpages=MAX_PDF_PAGES)[:max_chars]


def _docx_text(body: bytes, max_chars: int) -> str:
    import docx

    doc = docx.Document(io.BytesIO(body))
    parts: list[str] = []
    size = 0
    for para in doc.paragraphs:
        parts.append(para.text)
        size += len(para.text) + 1
        if size >= max_chars:
            break
    for table in doc.tables:
        if size >= max_chars:
            break
        for row in table.rows:
            # One line per cell: joining cells would glue two names into one "word".
            for cell in row.cells:
                parts.append(cell.text)
                size += len(cell.text) + 1
    return "\n".join(parts)[:max_chars]


def _xlsx_text(body: bytes, max_chars: int) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    parts: list[str] = []
    size = rows = 0
    try:
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                rows += 1
                for value in row:
                    if value is None:
                        continue
                    s = str(value)
                    parts.append(s)
                    size += len(s) + 1
                if size >= max_chars or rows >= MAX_XLSX_ROWS:
                    return "\n".join(parts)[:max_chars]
    finally:
        wb.close()
    return "\n".join(parts)[:max_chars]


def extract_text(body: bytes, content_type: str, url: str, max_chars: int = 500_000) -> str:
    """Plain text of an attachment; "" when the type is not supported or it cannot be read.
    Never raises on hostile input; bounded in size and time."""
    if not body or len(body) > MAX_BODY:
        return ""
    started = time.monotonic()
    try:
        kind = kind_of(body, content_type, url)
        if not kind:
            return ""
        if kind in ("docx", "xlsx") and not _safe_zip(body):
            log.warning("%s: 附件解压后过大或损坏 attachment too large unpacked or broken, skipped", url)
            return ""
        with _time_limit(TIME_LIMIT_S):
            if kind == "pdf":
                text = _pdf_text(body, max_chars)
            elif kind == "docx":
                text = _docx_text(body, max_chars)
            else:
                text = _xlsx_text(body, max_chars)
    except _Timeout:
        log.warning("%s: 附件解析超时 attachment parsing exceeded %.0f s, skipped", url, TIME_LIMIT_S)
        return ""
    except Exception as exc:  # noqa: BLE001 - hostile or broken files: never stop the crawl
        log.info("%s: 附件无法解析 cannot read attachment (%s: %s)", url, type(exc).__name__, str(exc)[:200])
        return ""
    log.debug("%s: %d chars in %.2f s", url, len(text), time.monotonic() - started)
    return text.replace("\x00", "")
