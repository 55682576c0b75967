"""What the crawler stores about a column published by a content-management system, and how the
audits read it back: one schema shared by a stage that writes (crawler/cms) and one that reads
(audits/_columns), so it lives in the core.

Two record kinds (``Store.put_record`` / ``Crawl.records``):

``cms_list`` — one per list page a family rule recognised, keyed by the page's canonical URL::

    {"family": "trs" | "hanweb" | "epoint" | "kaipuyun" | "siteserver" | "last_page",
     "pages": [further list pages the markup names (TRS index_N.html, Epoint N.html…)],
     "total": records the page declares (or null), "per_page": N, "group_size": N,
     "proxy": {"url": dataproxy.jsp, "form": [[name, value], …]} (大汉 only), "groups": N expected}

``cms_group`` — one per group of 大汉 datastore records (group 0 is the one inline in the page),
keyed by ``group_key(list_url, index)``::

    {"list": list URL, "group": index, "start": first record number, "end": last,
     "request": "inline" | "POST <url>" | "GET <url>", "status": HTTP status or null,
     "records": [each record's HTML fragment, as published], "total": totalrecord or null,
     "error": "" or why the group could not be read (Chinese first)}

A list whose record holds an ``error`` is a column the crawl could not read: never judged blank.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

LIST_KIND = "cms_list"
GROUP_KIND = "cms_group"
# Every family rule, by the key [cms] disabled names (docs/cms.md has the table).
FAMILIES = ("hanweb", "trs", "kaipuyun", "epoint", "siteserver", "last_page")


def group_key(list_url: str, index: int) -> str:
    return f"{list_url}\x1f{index:05d}"


@dataclass
class CmsList:
    """A recognised list page with everything the crawl gathered for it."""

    url: str
    family: str
    pages: list[str] = field(default_factory=list)
    records: list[str] = field(default_factory=list)   # 大汉 record fragments, in group order
    total: int | None = None
    groups_expected: int = 0
    groups_read: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def error(self) -> str:
        """Why the column could not be read in full ("" when it was)."""
        return "；".join(self.errors[:3]) + (f"（另有{len(self.errors) - 3}处）" if len(self.errors) > 3 else "")


def read_lists(lists: dict[str, dict[str, Any]], groups: dict[str, dict[str, Any]]) -> dict[str, CmsList]:
    """The stored ``cms_list`` and ``cms_group`` records joined: one CmsList per list URL."""
    out: dict[str, CmsList] = {}
    for url, data in lists.items():
        out[url] = CmsList(url=url, family=str(data.get("family", "")),
                           pages=[str(p) for p in data.get("pages") or []],
                           total=_int(data.get("total")), groups_expected=int(data.get("groups") or 0))
    for key in sorted(groups):  # group_key sorts groups of one list in order
        data = groups[key]
        url = str(data.get("list", key.split("\x1f", 1)[0]))
        lst = out.setdefault(url, CmsList(url=url, family="hanweb"))
        lst.groups_read += 1
        lst.records += [str(r) for r in data.get("records") or []]
        if data.get("error"):
            lst.errors.append(str(data["error"]))
        if lst.total is None:
            lst.total = _int(data.get("total"))
    for lst in out.values():
        if lst.family == "hanweb" and lst.groups_read < lst.groups_expected and not lst.errors:
            lst.errors.append(f"大汉数据源应有{lst.groups_expected}组记录，只读到{lst.groups_read}组"
                              f"（抓取中断或超出页面预算）")
    return out


def records_html(records: Iterable[str]) -> str:
    """The record fragments as one page body, as jpage.js shows them (for list-row readers)."""
    return "<html><body><div class='zc-cms-records'>" + "".join(records) + "</div></body></html>"


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and str(value).strip() != "" else None
    except (TypeError, ValueError):
        return None
