"""Write profiles for tests: a dict becomes a TOML file (a tiny writer, enough for profiles)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def to_toml(data: dict[str, Any]) -> str:
    out: list[str] = []
    for section, body in data.items():
        if isinstance(body, list):
            for item in body:
                out.append(f"[[{section}]]")
                out += [f"{k} = {_value(v)}" for k, v in item.items()]
                out.append("")
        else:
            out.append(f"[{section}]")
            out += [f"{k} = {_value(v)}" for k, v in body.items()]
            out.append("")
    return "\n".join(out)


def write_profile(folder: Path, data: dict[str, Any], name: str = "site.toml") -> Path:
    """Write ``data`` as a profile; a store path inside ``folder`` is added unless a store is given."""
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    store = data.setdefault("store", {})
    if "url" not in store:
        store.setdefault("path", str(folder / (Path(name).stem + ".sqlite")))
    path = folder / name
    path.write_text(to_toml(data), encoding="utf-8")
    return path
