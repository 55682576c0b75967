"""findings.jsonl, fixed.jsonl and summary.json — the contract's machine-readable outputs.

Each file is written to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from zhaocuo.core.finding import Finding


def atomic_write(path: Path, data: str | bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    if isinstance(data, str):
        tmp.write_text(data, encoding="utf-8")
    else:
        tmp.write_bytes(data)
    os.replace(tmp, path)


def write(out_dir: Path, findings: list[Finding], fixed: list[Finding], summary: dict[str, Any]) -> list[Path]:
    paths = [out_dir / "findings.jsonl", out_dir / "fixed.jsonl", out_dir / "summary.json"]
    atomic_write(paths[0], "".join(f.to_json() + "\n" for f in findings))
    atomic_write(paths[1], "".join(f.to_json() + "\n" for f in fixed))
    atomic_write(paths[2], json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    return paths
