"""What a fetched HTML page holds: title, visible text, links — with lxml, the hot path.

Visible text drops scripts, styles and templates and keeps a line break between blocks
(paragraphs, table cells, list items, headings, <br>), because the proofreading and date
audits work line by line and must not glue two table cells into one "word".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.html
from lxml import etree

from crawler.urls import absolute

_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "nav", "aside", "main", "dd", "dt", "dl", "form",
    "blockquote", "pre", "hr", "tbody", "thead", "option", "figcaption", "address", "center",
}
_SPACES = re.compile(r"[ \t\r\f\v\u3000\xa0]+")
_LINES = re.compile(r"\n\s*\n+")

# (tag, attribute) pairs that point at something the page needs or links to.
_LINK_ATTRS = (("a", "href"), ("area", "href"), ("img", "src"), ("script", "src"), ("iframe", "src"),
               ("frame", "src"), ("embed", "src"), ("object", "data"), ("source", "src"), ("video", "src"),
               ("audio", "src"))


@dataclass
class Extracted:
    title: str
    text: str
    links: list[tuple[str, str, str]]  # (absolute target, anchor text, tag)
    base: str


def parse(html: str) -> etree._Element | None:
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        try:  # an XML declaration with an encoding inside a str makes lxml refuse it
            return lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", html))
        except (etree.ParserError, ValueError):
            return None


def _clean(s: str) -> str:
    return _SPACES.sub(" ", s).strip()


def visible_text(root: etree._Element) -> str:
    parts: list[str] = []
    body = root.find("body")
    node = body if body is not None else root
    for event, el in etree.iterwalk(node, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _BLOCK:
                parts.append("\n")
            if el.text and tag:
                parts.append(el.text)
        else:
            if tag in _BLOCK:
                parts.append("\n")
            if el.tail and el is not node:
                parts.append(el.tail)
    text = "".join(parts)
    lines = (_clean(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _drop_invisible(root: etree._Element) -> None:
    for el in list(root.iter("script", "style", "noscript", "template", etree.Comment)):
        parent = el.getparent()
        if parent is None:
            continue
        tail = el.tail
        if tail:  # keep the text that follows the removed element
            prev = el.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(el)


def title_of(root: etree._Element) -> str:
    t = root.find(".//title")
    return _clean(t.text_content()) if t is not None else ""


_REFRESH_URL = re.compile(r"""^\s*\d*(?:\.\d+)?\s*[;,]?\s*url\s*=\s*['"]?([^'"]+)""", re.I)


def links_of(root: etree._Element, base: str) -> Iterator[tuple[str, str, str]]:
    for el in root.iter("a", "area", "img", "script", "iframe", "frame", "embed", "object", "source",
                        "video", "audio", "link", "meta"):
        tag = el.tag
        if tag == "meta":
            # <meta http-equiv="refresh" content="0;url=/col/index.html">: many government
            # homepages are only this; the target is a link the visitor is sent to.
            if (el.get("http-equiv") or "").lower() != "refresh":
                continue
            m = _REFRESH_URL.match(el.get("content") or "")
            target = absolute(base, m.group(1).strip()) if m else None
            if target:
                yield target, "", "meta"
            continue
        if tag == "link":
            rel = (el.get("rel") or "").lower()
            if "stylesheet" not in rel and "icon" not in rel:
                continue
            href = el.get("href")
        else:
            href = None
            for t, attr in _LINK_ATTRS:
                if t == tag:
                    href = el.get(attr)
                    break
        if not href:
            continue
        target = absolute(base, href)
        if not target:
            continue
        if tag in ("a", "area"):
            anchor = _clean(el.text_content()) or _clean(el.get("title") or "")
            if not anchor:
                img = el.find(".//img")
                if img is not None:
                    anchor = _clean(img.get("alt") or img.get("title") or "")
        elif tag == "img":
            anchor = _clean(el.get("alt") or el.get("title") or "")
        else:
            anchor = _clean(el.get("title") or "")
        yield target, anchor[:200], tag


def extract(html: str, url: str) -> Extracted:
    """Title, visible text and links of ``html`` fetched from ``url``."""
    root = parse(html)
    if root is None:
        return Extracted("", "", [], url)
    base = url
    b = root.find(".//base")
    if b is not None and b.get("href"):
        base = absolute(url, b.get("href") or "") or url
    title = title_of(root)
    links = list(links_of(root, base))
    _drop_invisible(root)
    head = root.find("head")
    if head is not None:
        head.getparent().remove(head)
    text = visible_text(root)
    return Extracted(title, text, links, base)
