"""A returned file that is a zip bomb is refused before anything parses it: the declared and
the real inflated size of every part of the xlsx are checked first (zhaocuo.core.safezip).
A 1.1 MB ledger inflating to 1.15 GB — whether its header says so or lies — is refused after
inflating at most the declared size of the bomb part (1,000 bytes when it lies, nothing when it
is honest) and under 200 MB of memory, with one line naming the file, and the store is
unchanged; the platform import refuses it the same way. How long the refusal takes is measured
by bench/zipbomb_bench.py, not asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from reports.ledger import write_ledger
from tests.conftest import ROOT, run_cli
from tests.support.profiles import write_profile
from tests.support.reportdata import titles
from tests.support.zipbomb import READ_LEDGER_PROBE, bomb_xlsx
from zhaocuo.app import lifecycle
from zhaocuo.core.finding import Finding
from zhaocuo.core.profile import load_profile
from zhaocuo.core.safezip import UnsafeZip, check_package
from zhaocuo.core.store import Page, SQLiteStore

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier

HOME = "http://www.test.gov.cn/"
SIZE = 1_150 * 1024 * 1024


@pytest.fixture
def ledger(tmp_path: Path) -> tuple[Path, Path]:
    """A site with findings judged once, and the unit's ledger with one row answered 已整改."""
    cfg = write_profile(tmp_path, {"site": {"start_urls": [HOME]}, "units": [{"name": "区教体局", "paths": ["/jyj/"]}]})
    profile = load_profile(cfg)
    store = SQLiteStore(profile.default_store_path())
    run_id, _ = store.begin_run()
    store.add_page(run_id, Page(url=HOME + "jyj/1.html", status=200))
    store.finish_run(run_id, "complete")
    found, _ = lifecycle.apply(store, profile, store.crawl(run_id), [
        Finding(audit="typo", severity="medium", url=HOME + "jyj/1.html", text="布署", unit="区教体局", message="错字。")],
        date(2026, 11, 2))
    store.close()
    return cfg, write_ledger(tmp_path / "back.xlsx", found, titles(), unit="区教体局")


def _state(cfg: Path) -> dict:
    store = SQLiteStore(load_profile(cfg).default_store_path())
    try:
        return {k: store.all_state(k) for k in ("finding", "claim", "false_alarm", "progress")}
    finally:
        store.close()


@pytest.mark.parametrize("lies", [False, True], ids=["declared", "lying-header"])
def test_zip_bomb_ledger_is_refused_before_inflating_it_and_changes_nothing(ledger, tmp_path: Path, lies: bool) -> None:
    cfg, valid = ledger
    bomb = bomb_xlsx(valid, tmp_path / "bomb.xlsx", SIZE, declared=1000 if lies else None)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    probe = subprocess.run([sys.executable, "-c", READ_LEDGER_PROBE, str(bomb)], cwd=ROOT, capture_output=True, text=True,
                           timeout=60)
    measured = json.loads(probe.stdout)
    assert "zip bomb" in measured["error"] and str(bomb) in measured["error"]
    # Honest: refused by the declared size, nothing inflated; lying: zipfile stops at the 1,000
    # bytes the header declares and the checksum fails.
    assert measured["inflated"] <= (1000 if lies else 0) and measured["peak_mb"] < 200, measured
    before = _state(cfg)
    res = run_cli("feedback", str(bomb), "--config", str(cfg), timeout=120)
    assert res.returncode == 2
    (line,) = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert str(bomb) in line and "拒绝读取 refused" in line and "nothing imported" in line
    assert _state(cfg) == before
    # The same bomb as the 找错 platform's export.
    res = run_cli("import-platform", str(bomb), "--config", str(cfg), timeout=120)
    assert res.returncode == 2 and "zip bomb" in res.stderr and "Traceback" not in res.stderr
    assert _state(cfg) == before


def test_an_honest_ledger_passes_the_package_check(ledger) -> None:
    _, valid = ledger
    check_package(valid, 10 * 1024 * 1024)
    with pytest.raises(UnsafeZip, match="inflates"):
        check_package(valid, 1000)
