"""List pages a CMS names only in a script or in a pager's last link: pure functions of the markup.

- TRS WCM: ``createPageHTML(4, 0, "index", "html")`` (or ``var countPage = 4`` … ``currentPage``)
  writes the pager; the pages are ``index.html`` (0) and ``index_1.html`` … ``index_3.html``.
- 开普云 kaipuyun: ``createPageHTML('page_div', 34, 1, 'list', 'shtml', 676)`` — pages ``list.shtml``
  (1) and ``list_2.shtml`` … ``list_34.shtml``.
- 新点 Epoint: ``$("#page").pagination({pageSize: 15, total: 169})`` with the page-click handler's
  ``location.href = "/a/b/" + (data.pageIndex + 1) + ".html"``; past its page limit the handler's
  other template (``moreinfo.html?categoryNum=…&pageIndex=N``).
- SiteServer and others whose pager is plain links: the last-page link (尾页/末页) ``18105_163.html``
  next to ``18105.html`` names every page between (``18105_2.html`` …), which the crawl would
  otherwise reach only ten pages per hop.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

_TRS_CALL = re.compile(
    r"""createPageHTML\(\s*(\w+)\s*,\s*(\w+)\s*,\s*['"]([\w-]+)['"]\s*,\s*['"](\w+)['"]\s*\)""")
_KPY_CALL = re.compile(
    r"""createPageHTML\(\s*['"][\w-]*['"]\s*,\s*['"]?(\d+)['"]?\s*,\s*['"]?(\d+)['"]?\s*,\s*['"]([\w-]+)['"]"""
    r"""\s*,\s*['"](\w+)['"]""")
_TRS_VAR = re.compile(r"""\bvar\s+(\w+)\s*=\s*['"]?(\d+)['"]?""")
_EPOINT = re.compile(r"""pagination\(\s*\{(.*?)\}\s*\)""", re.S)
_EPOINT_NUM = {k: re.compile(rf"""\b{k}\s*:\s*['"]?(\d+)""") for k in ("pageSize", "total")}
_EPOINT_HREF = re.compile(
    r"""location\.(?:href\s*=|replace\()\s*['"]([^'"]*)['"]\s*\+\s*\(\s*\w+\.pageIndex\s*\+\s*1\s*\)\s*(?:\+\s*['"]([^'"]*)['"])?""")
_LAST_WORDS = ("尾页", "末页", "最后一页", "最末页")
_LAST_LINK = re.compile(r"""<a\b[^>]*\bhref\s*=\s*['"]([^'"#]+)['"][^>]*>\s*(?:<[^>]+>\s*)*(尾页|末页|最后一页|最末页)""",
                        re.I)


def trs_pages(html: str, url: str, limit: int) -> list[str]:
    """index_1.html … of a TRS list (createPageHTML with numbers or with its countPage variables)."""
    if "createPageHTML" not in html and "countPage" not in html:
        return []
    variables = {m.group(1): int(m.group(2)) for m in _TRS_VAR.finditer(html)}
    for m in _TRS_CALL.finditer(html):
        total_s, base, ext = m.group(1), m.group(3), m.group(4)
        total = int(total_s) if total_s.isdigit() else variables.get(total_s)
        if total:
            return _numbered(url, base, ext, range(1, min(total, limit)), sep="_")
    if "countPage" in variables:  # the older pager writes its links with document.write
        name = urlsplit(url).path.rsplit("/", 1)[-1] or "index.html"
        base, _, ext = name.rpartition(".")
        return _numbered(url, base or "index", ext or "html", range(1, min(variables["countPage"], limit)), sep="_")
    return []


def kaipuyun_pages(html: str, url: str, limit: int) -> list[str]:
    """list_2.shtml … of a 开普云 list (createPageHTML with the pager's element id first)."""
    if "createPageHTML" not in html:
        return []
    m = _KPY_CALL.search(html)
    if not m:
        return []
    total, base, ext = int(m.group(1)), m.group(3), m.group(4)
    return _numbered(url, base, ext, range(2, min(total, limit) + 1), sep="_")


def epoint_pages(html: str, url: str, limit: int) -> list[str]:
    """2.html … of a 新点 moreinfo list (pagination set-up plus its page-click handler)."""
    if "pagination(" not in html or "pageIndex" not in html:
        return []
    m = _EPOINT.search(html)
    if not m:
        return []
    nums = {k: int(n.group(1)) for k, rx in _EPOINT_NUM.items() if (n := rx.search(m.group(1)))}
    if not nums.get("pageSize") or not nums.get("total"):
        return []
    pages = -(-nums["total"] // nums["pageSize"])
    templates = [(a, b or "") for a, b in _EPOINT_HREF.findall(html)]
    first = next((t for t in templates if not t[0].rstrip("=").endswith("pageIndex")), None)
    query = next((t for t in templates if t[0].rstrip("=").endswith("pageIndex")), None)
    if first is None and query is None:
        return []
    out = []
    for n in range(2, min(pages, limit) + 1):
        t = first if first is not None and (n <= 100 or query is None) else query
        assert t is not None
        out.append(urljoin(url, f"{t[0]}{n}{t[1]}"))
    return list(dict.fromkeys(out))


def last_link_pages(html: str, url: str, limit: int) -> list[str]:
    """X_2 … X_N when the pager's last-page link is X_N next to the list X (SiteServer and others)."""
    if not any(w in html for w in _LAST_WORDS):
        return []
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    stem, dot, ext = name.rpartition(".")
    if not dot:
        return []
    stem = re.sub(r"_\d+$", "", stem)
    for m in _LAST_LINK.finditer(html):
        last = urljoin(url, m.group(1).strip())
        lp = urlsplit(last)
        if lp.netloc != urlsplit(url).netloc or lp.query:
            continue
        n = re.fullmatch(rf"{re.escape(stem)}_(\d+)\.{re.escape(ext)}", lp.path.rsplit("/", 1)[-1])
        if n and lp.path.rsplit("/", 1)[0] == urlsplit(url).path.rsplit("/", 1)[0]:
            return _numbered(url, stem, ext, range(2, min(int(n.group(1)), limit) + 1), sep="_")
    return []


def _numbered(url: str, base: str, ext: str, numbers: range, sep: str) -> list[str]:
    return [urljoin(url, f"{base}{sep}{i}.{ext}") for i in numbers]
