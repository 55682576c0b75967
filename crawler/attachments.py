"""Text of attachments (PDF, DOCX, XLSX) so they are audited like pages.

STUB — the proofreading issue replaces the body; crawler.site calls this signature.
"""

from __future__ import annotations


def extract_text(body: bytes, content_type: str, url: str, max_chars: int = 500_000) -> str:
    """Plain text of an attachment; "" when the type is not supported or it cannot be read.
    Must never raise on hostile input and must bound time and size."""
    return ""
