"""Store backends the store test suite runs against (tests/test_store.py).

Each entry opens a fresh, empty store in a test's temporary folder. A new backend adds one
entry here and must pass the whole suite unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from zhaocuo.core.store import SQLiteStore, Store

BACKENDS: dict[str, Callable[[Path], Store]] = {
    "sqlite": lambda folder: SQLiteStore(folder / "s.sqlite"),
}
