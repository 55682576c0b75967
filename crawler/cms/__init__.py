"""CMS-aware gathering without a browser: the family rules the crawl applies to every HTML page.

Most government portals are published by a handful of content-management systems, and some write
their column lists where a plain HTML parser does not look: 大汉 jcms in an XML datastore and
later groups from dataproxy.jsp, TRS and 开普云 in a pager script, 新点 in a pagination set-up.
Each family is recognised from the page's markup (never from its host); what a rule reads is
turned into ordinary crawl work — further list pages to fetch, datastore records whose links are
the column's items, dataproxy.jsp groups to request — within the crawl's budgets and politeness,
and stored (zhaocuo.core.cmsrecords) so the audits re-run offline. Chromium stays the fallback
for script-built pages no rule reads. ``[cms] disabled`` turns a rule off for a site.

The table (docs/cms.md says the same for users):

| key        | recognised by                                 | followed                                  |
|------------|-----------------------------------------------|-------------------------------------------|
| hanweb     | ``<datastore>`` in the page / jpage+dataproxy | inline records; later groups (POST, GET)  |
| trs        | ``createPageHTML(n, cur, "index", "html")``   | index_1 … index_{n-1}                     |
| kaipuyun   | ``createPageHTML('div', n, cur, 'list', …)``  | list_2 … list_n                           |
| epoint     | ``pagination({pageSize, total})`` + handler   | 2.html … (or ?pageIndex=N)                |
| siteserver | ``publishmentSystemID`` page info             | X_2 … X_n from the 尾页 link               |
| last_page  | a 尾页/末页 link X_n beside list X             | X_2 … X_n                                 |
"""

from __future__ import annotations

from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from crawler.cms import hanweb, paging
from crawler.extract import links_of

__all__ = ["CmsPage", "read", "record_links", "hanweb", "paging"]


@dataclass
class CmsPage:
    """What the family rules read on one page."""

    family: str                                           # the first family recognised
    pages: list[str] = field(default_factory=list)        # further list pages (absolute)
    units: list[hanweb.Unit] = field(default_factory=list)  # 大汉 datastores


def read(html: str, url: str, disabled: frozenset[str] | set[str] = frozenset(), max_list_pages: int = 500
         ) -> CmsPage | None:
    """The family rules that apply to this page and what they read, or None."""
    if "hanweb" not in disabled and hanweb.recognise(html):
        units = hanweb.units_of(html, url)
        if units:
            return CmsPage("hanweb", units=units)
    for family, rule in (("trs", paging.trs_pages), ("kaipuyun", paging.kaipuyun_pages),
                         ("epoint", paging.epoint_pages)):
        if family in disabled:
            continue
        pages = rule(html, url, max_list_pages)
        if pages:
            return CmsPage(family, pages=pages)
    if "siteserver" not in disabled and "publishmentSystemID" in html:
        pages = paging.last_link_pages(html, url, max_list_pages)
        if pages:
            return CmsPage("siteserver", pages=pages)
    if "last_page" not in disabled:
        pages = paging.last_link_pages(html, url, max_list_pages)
        if pages:
            return CmsPage("last_page", pages=pages)
    return None


def record_links(records: list[str], base: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str, str]]]:
    """The links of datastore records (as on the page that shows them) and their invalid hrefs."""
    if not records:
        return [], []
    try:
        root = lxml.html.fragment_fromstring("".join(records), create_parent="div")
    except (etree.ParserError, ValueError):
        return [], []
    invalid: list[tuple[str, str, str, str]] = []
    return list(links_of(root, base, invalid)), invalid
