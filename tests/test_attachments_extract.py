"""Attachment text: PDF, DOCX and XLSX built here, extracted within bounds; hostile input
(truncated, mislabelled, zip bombs) yields "" and never raises."""

from __future__ import annotations

import io
import zipfile

import pytest

from crawler.attachments import extract_text, kind_of
from tests.support.documents import make_docx, make_pdf, make_xlsx


def test_pdf_text_is_extracted() -> None:
    text = extract_text(make_pdf("ID 370305199001011231 phone"), "application/pdf", "http://x/a.pdf")
    assert "370305199001011231" in text


def test_docx_paragraphs_and_table_cells_are_extracted_one_per_line() -> None:
    body = make_docx(["区里对工作进行布署。"], ["张三", "李四"])
    text = extract_text(body, "application/octet-stream", "http://x/download?id=3")
    assert "区里对工作进行布署。" in text
    assert "张三\n李四" in text  # cells are not glued into one "word"


def test_xlsx_cells_are_extracted() -> None:
    body = make_xlsx([["姓名", "电话"], ["王五", "13853312345"], [None, 42]])
    text = extract_text(body, "", "http://x/list.xlsx")
    assert "13853312345" in text and "王五" in text and "42" in text


def test_type_is_recognised_by_content_not_by_label() -> None:
    assert kind_of(make_pdf("x"), "text/html", "http://x/a.html") == "pdf"
    assert kind_of(make_docx(["x"]), "application/zip", "http://x/file") == "docx"
    assert kind_of(make_xlsx([["x"]]), "", "http://x/file") == "xlsx"
    assert kind_of(b"<html>", "application/pdf", "http://x/a.pdf") == ""


def test_hostile_and_broken_input_gives_empty_text() -> None:
    pdf = make_pdf("hello")
    assert extract_text(pdf[: len(pdf) // 2], "application/pdf", "http://x/a.pdf") in ("", "hello\n\n\x0c", "hello")
    assert extract_text(b"%PDF-1.4 garbage \x00\xff" * 100, "application/pdf", "http://x/b.pdf") == ""
    assert extract_text(b"PK\x03\x04 not a zip", "", "http://x/c.docx") == ""
    assert extract_text(b"", "application/pdf", "http://x/d.pdf") == ""
    assert extract_text(b"plain words", "text/plain", "http://x/e.txt") == ""


def test_zip_bomb_is_refused_without_unpacking() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"\x00" * (210 * 1024 * 1024))
    body = buf.getvalue()
    assert len(body) < 1_000_000
    assert extract_text(body, "", "http://x/bomb.docx") == ""


def test_output_is_bounded() -> None:
    body = make_docx(["很长的段落。" * 1000] * 20)
    assert len(extract_text(body, "", "http://x/long.docx", max_chars=5000)) <= 5000


@pytest.mark.timeout(60)  # a parser the limit failed to stop would spin until this guard
def test_time_limit_interrupts_a_runaway_parser() -> None:
    from crawler.attachments import _time_limit, _Timeout

    spins = 0
    interrupted = False
    try:
        with _time_limit(0.2):
            while True:
                spins += 1
    except _Timeout:
        interrupted = True
    assert interrupted and spins > 0
