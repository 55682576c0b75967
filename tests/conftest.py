import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


_SLOW_HINT = ("this test starts a process (the CLI, a crawl child, Chromium, dnsmasq, a database…): "
              "mark its module slow (`pytestmark = pytest.mark.slow`) so the fast tier (make test-fast) "
              "stays under a minute")


_running: list[pytest.Item] = []  # the test whose setup, call or teardown is running
_real_popen_init = subprocess.Popen.__init__


def _guarded_popen_init(self: subprocess.Popen, *args: object, **kwargs: object) -> None:
    item = _running[-1] if _running else None
    if item is not None and item.get_closest_marker("slow") is None:
        pytest.fail(f"{item.nodeid}: {_SLOW_HINT}", pytrace=False)
    _real_popen_init(self, *args, **kwargs)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):  # noqa: ANN201 - pytest hook
    """The fast tier is the tests not marked ``slow``: they (and the fixtures they set up, of
    any scope) must not start a process. One that does fails with the reason, so the tiers
    cannot drift apart silently."""
    _running.append(item)
    subprocess.Popen.__init__ = _guarded_popen_init  # type: ignore[method-assign]
    try:
        yield
    finally:
        _running.pop()
        subprocess.Popen.__init__ = _real_popen_init  # type: ignore[method-assign]


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
def official_calendar_ends_2026(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin the last year of official holiday data at 2026, as the installed chinesecalendar had
    it when the estimate tests were written: a fresh install that already knows 2027 must not
    turn those tests into tests of the official data."""
    from zhaocuo.core import workdays

    monkeypatch.setattr(workdays, "covered_years", lambda: (2004, 2026))


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
