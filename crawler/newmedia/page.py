"""What a rendered account page holds, read with lxml: its title, visible text and links.

The text keeps a line break between blocks so the text audits see sentences, not one run-on
line; scripts, styles and templates are dropped (they are code, not what a reader sees).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

MAX_HTML_CHARS = 5_000_000  # bound the parse of a hostile page
_DROP = {"script", "style", "noscript", "template", "svg", "head"}
_BLOCKS = {"p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "section", "article", "header", "footer",
           "h1", "h2", "h3", "h4", "h5", "h6", "br", "dd", "dt", "dl", "blockquote", "pre", "main", "nav",
           "aside", "figure", "figcaption", "form", "hr"}


@dataclass
class PageLink:
    target: str
    anchor: str
    tag: str = "a"


def parse(html: str) -> lxml.html.HtmlElement | None:
    """The parsed document, or None for an empty or unparseable page."""
    if not html or not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html[:MAX_HTML_CHARS])
    except (etree.ParserError, ValueError):
        return None


def title_of(doc: lxml.html.HtmlElement | None) -> str:
    if doc is None:
        return ""
    found = doc.xpath("//title")
    return " ".join((found[0].text_content() or "").split())[:500] if found else ""


def visible_text(doc: lxml.html.HtmlElement | None) -> str:
    """The text a reader sees, one block a line."""
    if doc is None:
        return ""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _DROP:
            if el.tail:
                parts.append(el.tail)
            return
        block = tag in _BLOCKS
        if block:
            parts.append("\n")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
        if block:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    body = doc.find("body")
    walk(body if body is not None else doc)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def links_of(doc: lxml.html.HtmlElement | None, base: str) -> list[PageLink]:
    """Every http(s) link of the page (a and iframe), absolute, fragment removed, first anchor kept."""
    if doc is None:
        return []
    seen: dict[str, PageLink] = {}
    for el in doc.iter("a", "iframe", "area"):
        raw = (el.get("href") if el.tag != "iframe" else el.get("src")) or ""
        raw = raw.strip()
        if not raw or raw.lower().startswith(("javascript:", "mailto:", "tel:", "data:", "#")):
            continue
        try:
            target = urldefrag(urljoin(base, raw))[0]
        except ValueError:
            continue
        if urlsplit(target).scheme not in ("http", "https") or target in seen:
            continue
        anchor = " ".join((el.text_content() if el.tag != "iframe" else el.get("title") or "").split())[:200]
        seen[target] = PageLink(target, anchor, "a" if el.tag != "iframe" else "iframe")
    return list(seen.values())
