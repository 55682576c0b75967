"""Attachment text: PDF, DOCX and XLSX built here, extracted within bounds; hostile input
(truncated, mislabelled, zip bombs) yields "" and never raises."""

from __future__ import annotations

import io
import zipfile

from crawler.attachments import extract_text, kind_of


def make_pdf(text: str) -> bytes:
    """A minimal valid one-page PDF showing ``text`` (ASCII) in Helvetica."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def make_docx(paragraphs: list[str], cells: list[str] = ()) -> bytes:
    import docx

    doc = docx.Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    if cells:
        table = doc.add_table(rows=1, cols=len(cells))
        for cell, value in zip(table.rows[0].cells, cells, strict=True):
            cell.text = value
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def make_xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


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


def test_time_limit_interrupts_a_runaway_parser() -> None:
    import time

    from crawler.attachments import _time_limit, _Timeout

    started = time.monotonic()
    interrupted = False
    try:
        with _time_limit(0.2):
            while time.monotonic() - started < 5:
                pass
    except _Timeout:
        interrupted = True
    assert interrupted and time.monotonic() - started < 2
