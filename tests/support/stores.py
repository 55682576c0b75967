"""Store backends the store test suite runs against (tests/test_store.py).

Each entry opens a fresh, empty store for one test: ``factory(folder, request)`` with the
test's temporary folder and its pytest request (for the servers a backend needs). A new
backend adds one entry here and must pass the whole suite unchanged.

PostgreSQL: one real server per test session (the ``postgres_url`` fixture, tests/conftest.py);
each test gets a namespace of its own in it, so every store starts empty.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import pytest

from zhaocuo.core.store import SQLiteStore, Store, open_store, with_namespace


def _postgres(folder: Path, request: pytest.FixtureRequest) -> Store:
    url = request.getfixturevalue("postgres_url")
    return open_store(with_namespace(url, f"test-{folder.name}-{secrets.token_hex(4)}"))


BACKENDS: dict[str, Callable[[Path, pytest.FixtureRequest], Store]] = {
    "sqlite": lambda folder, request: SQLiteStore(folder / "s.sqlite"),
    "postgresql": _postgres,
}
# Backends that need a server process: their half of the suite is in the slow tier.
SERVER_BACKENDS = {"postgresql"}


def backend_params() -> list[object]:
    """The suite's parametrisation: one entry per backend, server backends marked slow."""
    return [pytest.param(name, marks=[pytest.mark.slow] if name in SERVER_BACKENDS else [])
            for name in sorted(BACKENDS)]
