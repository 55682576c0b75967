import os
import subprocess
import sys
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
