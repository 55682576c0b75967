"""Columns the profile names (``[[columns]]``), merged into what discovery found.

Discovery (audits/_columns.py) recognises columns by navigation, breadcrumbs, pagers and
dated lists. A site whose templates carry none of these (lists in bare ``<table>``s, menus
drawn by images) has columns discovery cannot see, and a page it mistook for a column is
judged as one. The profile corrects both, in two small steps kept apart from discovery:

1. ``seeds(profile)``: the list pages of declared columns, handed to discovery as
   candidates (source ``"declared"``) so their items, pages and blank markers are read by the
   same code as every other column's;
2. ``apply(discovery, profile)``: after discovery, a declared column's name replaces the one
   discovery chose, ``rule = "ignore"`` strikes a column out, a declared period or
   ``rule = "static"`` travels with the column (``Column.declared``, read by
   ``audits._columns.rule_for``), and a declared name counts as present for missing_column.
   Declared columns whose page was not in the crawl are listed (``Discovery.declared_missing``)
   rather than reported blank or stale: an unfetched page proves nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zhaocuo.core.profile import DeclaredColumn, Profile

if TYPE_CHECKING:
    from audits._columns import Column, Discovery


def _norm(url: str) -> str:
    from audits._columns import norm_url

    return norm_url(url)


def seeds(profile: Profile) -> list[tuple[str, str]]:
    """(normalised list URL, name) of every declared column discovery must consider."""
    return [(_norm(c.url), c.name) for c in profile.declared_columns if c.url and c.rule != "ignore"]


def _matches(col: Column, decl: DeclaredColumn) -> bool:
    from audits._catalog import normalise

    if decl.url:
        return _norm(col.url) == _norm(decl.url)
    # By name only: equal names (up to spacing and brackets), never the catalogue's generous
    # containment — "动态" must not strike out 工作动态 and 部门动态 too.
    return normalise(decl.name) == normalise(col.name)


def apply(found: Discovery, profile: Profile) -> Discovery:
    """``found`` corrected by the profile's ``[[columns]]`` (a declaration with a URL wins over
    one by name only). Returns the same object."""
    if not profile.declared_columns:
        return found
    by_url = [d for d in profile.declared_columns if d.url]
    by_name = [d for d in profile.declared_columns if not d.url]
    kept: list[Column] = []
    matched: set[int] = set()
    for col in found.columns:
        decl = next((d for d in by_url if _matches(col, d)), None) or next(
            (d for d in by_name if _matches(col, d)), None)
        if decl is None:
            kept.append(col)
            continue
        matched.add(id(decl))
        if decl.rule == "ignore":
            continue
        if decl.url:
            col.name = decl.name
        col.declared = decl
        col.sources.add("declared")
        kept.append(col)
    found.columns = kept
    for d in by_url:
        if d.rule != "ignore":
            found.nav_names.add(d.name)  # the profile says the column exists
    found.declared_missing = [d.url for d in by_url if id(d) not in matched and d.rule != "ignore"]
    return found
