import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every store a test creates inside its tmp folder, never in ~/.local/share."""
    monkeypatch.setenv("ZHAOCUO_HOME", str(tmp_path / "zhaocuo-home"))


def run_cli(*args: str, input: str | None = None, timeout: float = 300, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a child process, as a user or a cron job would."""
    return subprocess.run([sys.executable, "-m", "zhaocuo", *args], cwd=ROOT, input=input, text=True,
                          capture_output=True, timeout=timeout, env={**os.environ, **(env or {})})


@pytest.fixture(scope="session")
def proof_models() -> object:
    """The proofreader's models and word lists (audits/_models.py), loaded once for the whole
    session and handed to every Proofreader a test builds, as the audit run and check-text do."""
    from audits._models import Models

    return Models()


@pytest.fixture
def official_calendar_ends_2026(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Pin the last year of official holiday data at 2026, as the installed chinesecalendar had
    it when the estimate tests were written: a fresh install that already knows 2027 must not
    turn those tests into tests of the official data."""
    from zhaocuo.core import workdays

    def clear() -> None:
        for fn in (workdays.is_workday, workdays.add_workdays, workdays.deadline_after):
            fn.cache_clear()

    monkeypatch.setattr(workdays, "covered_years", lambda: (2004, 2026))
    clear()
    yield
    clear()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL (Debian's) for the whole session, on loopback in a temporary folder,
    stopped at the end; tests take a namespace of their own (``?site=``). Skipped, with the
    reason, only where PostgreSQL cannot be started."""
    from tests.support.services import PostgresServer, pg_available

    why = pg_available()
    if why:
        pytest.skip(why)
    with PostgresServer() as pg:
        yield pg.url


@pytest.fixture
def redis_server() -> Iterator[object]:
    """A real Redis (Debian's) for one test, on loopback, stopped after it."""
    from tests.support.services import RedisServer, redis_available

    why = redis_available()
    if why:
        pytest.skip(why)
    with RedisServer() as r:
        yield r
