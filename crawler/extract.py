"""What a fetched HTML page holds: title, visible text, links — with lxml, the hot path.

Visible text drops scripts, styles and templates and keeps a line break between blocks
(paragraphs, table cells, list items, headings, <br>), because the proofreading and date
audits work line by line and must not glue two table cells into one "word".
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from crawler import scriptwrite
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
               ("audio", "src"), ("track", "src"), ("button", "formaction"), ("input", "formaction"))
_LINK_TAGS = tuple({t for t, _ in _LINK_ATTRS} | {"link", "meta"})
# <link rel> values that name no resource to fetch (an origin to warm up) or that we do not want.
_LINK_REL_SKIP = {"dns-prefetch", "preconnect", "pingback", "webmention"}
# <meta property|name> whose content is a URL a reader or a sharing app loads.
_META_URL_NAMES = {
    "og:image", "og:image:url", "og:image:secure_url", "og:url", "og:video", "og:video:url",
    "og:video:secure_url", "og:audio", "og:audio:url", "og:audio:secure_url", "twitter:image",
    "twitter:image:src", "twitter:player", "msapplication-tileimage", "msapplication-square70x70logo",
    "msapplication-square150x150logo", "msapplication-wide310x150logo", "msapplication-square310x310logo",
    "thumbnail", "image",
}
# url(...) in CSS (quoted or not) and @import "…" without url().
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
# Characters no host may hold (WHATWG URL: forbidden host code points, plus space).
_BAD_HOST = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\x7f]")
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]")

# Link kinds of hrefs no browser can follow; the crawl stores them as dead links of their own kind.
INVALID_URL = "invalid_url"   # http:// with no host, a host with ] or a space, //////, a bad port
LOCAL_FILE = "local_file"     # file:///C:/… or C:\… pasted from a desktop editor


def invalid_href(href: str) -> str | None:
    """The kind of dead link ``href`` is before anything is fetched, or None when a browser
    could follow it (or it is not a web link at all: mailto:, javascript:…).

    Browsers refuse an http(s) or scheme-relative URL whose host is empty (``http://``, an empty
    CMS placeholder; ``//////``) or holds a forbidden character (``http://localhost]``), and a
    ``file:`` link (or a bare ``C:\\`` path) opens the author's own disk, not the site. A reader
    meets each as a link that does nothing: reported, never dropped nor "repaired" against the
    page's own address the way urljoin would."""
    h = href.strip().replace("\t", "").replace("\n", "").replace("\r", "")
    low = h[:8].lower()
    if low.startswith("file:") or _WINDOWS_PATH.match(h):
        return LOCAL_FILE
    if low.startswith(("http:", "https:")):
        rest = h[h.index(":") + 1:]
        if not rest.startswith(("/", "\\")):
            return None  # "http:x.html" is relative to a page of the same scheme
    elif h.startswith(("//", "\\\\", "/\\", "\\/")):
        rest = h
    else:
        return None
    rest = rest.lstrip("/\\")
    authority = re.split(r"[/\\?#]", rest, maxsplit=1)[0]
    hostport = authority.rsplit("@", 1)[-1]
    if not hostport:
        return INVALID_URL
    if hostport.startswith("["):
        inside, bracket, port = hostport[1:].partition("]")
        try:
            ipaddress.IPv6Address(inside)
        except ValueError:
            return INVALID_URL
        if not bracket or (port and not re.fullmatch(r":\d{0,5}", port)):
            return INVALID_URL
        port = port[1:]
    else:
        host, _, port = hostport.partition(":")
        if not host or _BAD_HOST.search(host):
            return INVALID_URL
    if port and (not port.isdigit() or int(port) > 65535):
        return INVALID_URL
    return None


def srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` (HTML's parsing algorithm: a URL runs to whitespace; trailing
    commas end a candidate; a descriptor runs to a comma outside parentheses), so commas
    inside a URL and data: URIs survive."""
    out: list[str] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        start = i
        while i < n and not value[i].isspace():
            i += 1
        url = value[start:i]
        ended = False
        if url.endswith(","):
            url = url.rstrip(",")
            ended = True
        if url:
            out.append(url)
        if ended:
            continue
        depth = 0
        while i < n:  # skip the descriptors ("2x", "480w") up to the candidate's comma
            c = value[i]
            if c == "(":
                depth += 1
            elif c == ")" and depth:
                depth -= 1
            elif c == "," and not depth:
                i += 1
                break
            i += 1
    return out


def css_urls(css: str) -> list[str]:
    """Every url(...) and @import "…" of a style sheet or a style attribute, in order."""
    css = _CSS_COMMENT.sub(" ", css)
    found: list[tuple[int, str]] = []
    for rx in (_CSS_URL, _CSS_IMPORT):
        for m in rx.finditer(css):
            found.append((m.start(), next((g for g in m.groups() if g is not None), "")))
    return [u.strip() for _, u in sorted(found) if u.strip()]


@dataclass
class Extracted:
    title: str
    text: str
    links: list[tuple[str, str, str]]  # (absolute target, anchor text, tag)
    base: str
    # Hrefs no browser can follow: (href as written, anchor, tag, kind) — see invalid_href.
    invalid: list[tuple[str, str, str, str]] = field(default_factory=list)


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


def _drop_invisible(root: etree._Element, shown: dict[etree._Element, str] | None = None) -> None:
    """Remove what a reader does not see; a script that prints literal text (``shown``) is
    replaced by that text, as the browser shows it."""
    for el in list(root.iter("script", "style", "noscript", "template", etree.Comment)):
        parent = el.getparent()
        if parent is None:
            continue
        tail = el.tail
        if shown and el in shown:
            tail = f" {shown[el]} {tail or ''}"
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


def links_of(root: etree._Element, base: str, invalid: list[tuple[str, str, str, str]] | None = None
             ) -> Iterator[tuple[str, str, str]]:
    """Every (absolute target, anchor, tag) the page carries: hrefs and srcs, srcset candidates
    (img, picture/source), CSS url() and @import (style attributes and blocks), <link> of any
    fetchable rel (stylesheets unless disabled, icons, alternate languages, RSS…), meta refresh
    and meta content URLs (og:image…), track src, formaction, poster and background images.

    Hrefs no browser can follow (``invalid_href``) are appended to ``invalid`` as (href as
    written, anchor, tag, kind) instead of being dropped or repaired."""

    def resolve(raw: str | None, anchor: str, tag: str) -> Iterator[tuple[str, str, str]]:
        if not raw or not raw.strip():
            return
        kind = invalid_href(raw)
        if kind is not None:
            if invalid is not None:
                invalid.append((raw.strip()[:500], anchor[:200], tag, kind))
            return
        target = absolute(base, raw)
        if target:
            yield target, anchor[:200], tag

    for el in root.iter(*_LINK_TAGS):
        tag = el.tag
        if tag == "meta":
            content = el.get("content") or ""
            if (el.get("http-equiv") or "").lower() == "refresh":
                # <meta http-equiv="refresh" content="0;url=/col/index.html">: many government
                # homepages are only this; the target is a link the visitor is sent to.
                m = _REFRESH_URL.match(content)
                if m:
                    yield from resolve(m.group(1).strip(), "", "meta")
                continue
            name = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
            if name in _META_URL_NAMES and content.strip()[:1] in ("/", "h", "H"):
                yield from resolve(content, "", "metaurl")
            continue
        if tag == "link":
            rels = set((el.get("rel") or "").lower().split())
            if not rels or rels & _LINK_REL_SKIP or ("stylesheet" in rels and el.get("disabled") is not None):
                continue  # a disabled style sheet is never loaded
            yield from resolve(el.get("href"), _clean(el.get("title") or ""), "link")
            continue
        href = None
        for t, attr in _LINK_ATTRS:
            if t == tag:
                href = el.get(attr)
                break
        if tag in ("a", "area"):
            if not href:
                continue
            # Most anchors hold only text: read it directly (text_content() runs an XPath per
            # call, a tenth of the crawl's CPU on a page farm's 1,000 links a page).
            anchor = _clean(el.text_content() if len(el) else el.text or "") or _clean(el.get("title") or "")
            if not anchor:
                img = el.find(".//img")
                if img is not None:
                    anchor = _clean(img.get("alt") or img.get("title") or "")
        elif tag == "img":
            anchor = _clean(el.get("alt") or el.get("title") or "")
        elif tag in ("button", "input"):
            if tag == "input" and href is None and (el.get("type") or "").lower() == "image":
                href = el.get("src")
            anchor = _clean(el.text_content() if tag == "button" else el.get("value") or "")
        else:
            anchor = _clean(el.get("title") or "")
        yield from resolve(href, anchor, tag)
        srcset = el.get("srcset") if tag in ("img", "source") else None
        if srcset:
            for u in srcset_urls(srcset):
                yield from resolve(u, anchor, "img" if tag == "img" else "source")
    for el in root.xpath("//*[@poster or @background]"):
        for attr in ("poster", "background"):
            yield from resolve(el.get(attr), "", "img")
    for el in root.xpath("//*[@style[contains(., 'url(')]]"):
        for u in css_urls(el.get("style") or ""):
            yield from resolve(u, "", "css")
    for el in root.iter("style"):
        if el.text and ("url(" in el.text or "@import" in el.text):
            for u in css_urls(el.text):
                yield from resolve(u, "", "css")


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
    invalid: list[tuple[str, str, str, str]] = []
    links = list(links_of(root, base, invalid))
    shown, redirects = _script_output(root, base, links, invalid)
    _drop_invisible(root, shown)
    head = root.find("head")
    if head is not None:
        head.getparent().remove(head)
    text = visible_text(root)
    if redirects and len(_MEANINGFUL.findall(text)) < STUB_TEXT:
        # A channel root that is only a script redirect: its target is where the visitor goes.
        target = absolute(base, redirects[0])
        if target:
            links.append((target, "", "meta"))
    return Extracted(title, text, links, base, invalid)


_JS_TYPES = ("", "text/javascript", "application/javascript", "javascript", "text/ecmascript")
_MEANINGFUL = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
STUB_TEXT = 100  # fewer letters than this: a page that only sends the visitor elsewhere


def _script_output(root: etree._Element, base: str, links: list[tuple[str, str, str]],
                   invalid: list[tuple[str, str, str, str]]) -> tuple[dict[etree._Element, str], list[str]]:
    """What inline scripts print (crawler.scriptwrite): the text each shows, by script element,
    with the links of what they print appended to ``links``; and literal script redirects."""
    shown: dict[etree._Element, str] = {}
    redirects: list[str] = []
    for el in root.iter("script"):
        code = el.text or ""
        if not code or el.get("src") or (el.get("type") or "").strip().lower() not in _JS_TYPES:
            continue
        if "document.write" in code:
            out = "".join(scriptwrite.written(code))
            if out.strip():
                try:
                    frag = lxml.html.fragment_fromstring(out, create_parent="div")
                except (etree.ParserError, ValueError):
                    frag = None
                if frag is not None:
                    links.extend(links_of(frag, base, invalid))
                    for bad in frag.iter("script", "style"):
                        bad.text = ""
                    words = _clean(frag.text_content())
                    if words:
                        shown[el] = words[:500]
        if "location" in code and (target := scriptwrite.redirect_target(code)):
            redirects.append(target)
    return shown, redirects
