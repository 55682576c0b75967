"""公开目录要素不全 (catalog_incomplete): a catalogue row that leaves out a required element.

The 2024 政务公开工作方案 requires each item of the 主动公开事项目录 to name its 公开主体,
公开内容, 公开时限, 公开方式, 公开渠道 and 责任单位. One finding per incomplete row of the
catalogue spreadsheet, naming the missing elements. The profile's own ``[[catalog]]`` entries
are a list of required columns, not the official catalogue, so they are not judged here.

The finding's url is the site's homepage (the catalogue is the site's promise), not the
spreadsheet: a finding can only become 已整改 when its url is crawled again, and a file on
the auditor's disk never is. The spreadsheet and row are named in the message and extra.
"""

from __future__ import annotations

from collections.abc import Iterable

from audits import AuditMeta
from audits._catalog import catalog, unit_of
from audits._columns import discover
from zhaocuo.core.context import AuditContext
from zhaocuo.core.finding import Finding, Severity

META = AuditMeta(name="catalog_incomplete", title="公开目录要素不全", severity=Severity.MEDIUM,
                 requires=("profile:catalog_file",),
                 description="主动公开事项目录每个事项应明确公开主体、内容、时限、方式、渠道和责任单位。")


def audit(ctx: AuditContext) -> Iterable[Finding]:
    profile = ctx.profile
    homepage = ""
    for entry in catalog(ctx):
        if entry.source == "profile":
            continue
        missing = entry.missing
        if not missing:
            continue
        homepage = homepage or discover(ctx).homepage  # the store's URL for it
        label = f"{entry.level1}/{entry.name}" if entry.level1 else entry.name
        yield Finding(
            audit=META.name, severity=META.severity, url=homepage, column=entry.name,
            unit=unit_of(entry, profile),
            # The key is the item's names, not the row number: inserting a row above must not
            # turn every later finding into a "new" one.
            key=f"{entry.level1}\x1f{entry.name}\x1f{entry.fields.get('content', '')}",
            message=f"公开目录第{entry.row}行“{label}”缺少{'、'.join(missing)}，请补全该事项的要素。",
            evidence=f"{entry.source} 第{entry.row}行",
            extra={"catalog_file": entry.source, "catalog_row": entry.row, "missing": missing},
        )
