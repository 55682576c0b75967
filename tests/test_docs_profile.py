"""docs/profile.md documents every profile key: a key added to zhaocuo/profile.py without
its line in the reference fails here (users read the doc, not the dataclasses)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from zhaocuo.core import profile

DOC = Path(__file__).resolve().parent.parent / "docs" / "profile.md"


def _sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    out = {}
    for part in re.split(r"^## ", text, flags=re.M)[1:]:
        m = re.match(r"\[\[?(\w+)\]?\]", part)
        if m:
            out[m.group(1)] = part
    return out


# "columns" is two things in TOML: [[columns]] (declared columns) or the older [columns] table
# of settings, documented as [column_settings].
DOCUMENTED = {**profile._SECTIONS, **profile._ARRAYS, "columns": profile.DeclaredColumn,
              "column_settings": profile.ColumnsSection}


def test_every_profile_key_has_a_line_in_its_section() -> None:
    sections = _sections()
    missing = []
    for name, cls in DOCUMENTED.items():
        body = sections.get(name)
        if body is None:
            missing.append(f"[{name}]")
            continue
        missing += [f"{name}.{f.name}" for f in dataclasses.fields(cls) if f"| `{f.name}` |" not in body]
    assert not missing, f"document these keys in docs/profile.md: {missing}"


def test_no_documented_key_is_unknown_to_the_loader() -> None:
    sections = _sections()
    unknown = []
    for name, body in sections.items():
        cls = DOCUMENTED.get(name)
        assert cls is not None, f"docs/profile.md documents an unknown section [{name}]"
        known = {f.name for f in dataclasses.fields(cls)}
        unknown += [f"{name}.{k}" for k in re.findall(r"^\| `(\w+)` \|", body, flags=re.M) if k not in known]
    assert not unknown, f"docs/profile.md documents keys the loader rejects: {unknown}"
