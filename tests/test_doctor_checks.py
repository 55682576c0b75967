"""``zhaocuo doctor`` through the real CLI: a ready machine passes, each broken part is named."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli
from tests.support.profiles import write_profile
from zhaocuo.core.store import SQLiteStore


def test_a_ready_machine_passes_every_check(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, {"site": {"start_urls": ["http://www.zibo.gov.cn/"]}})
    store = SQLiteStore(tmp_path / "site.sqlite")
    store.finish_run(store.begin_run("x")[0], "complete", {})
    store.close()
    proc = run_cli("doctor", "--config", str(profile), timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("[通过 OK]") and "配置 profile" in lines[0]
    assert lines[1].startswith("[通过 OK]") and "integrity_check ok (1 次抓取 runs)" in lines[1]
    assert lines[2].startswith("[通过 OK]") and "Chromium" in lines[2] and "/usr/bin/chromium" in lines[2]
    assert lines[-1] == "环境就绪 ready"


def test_a_bad_profile_a_damaged_store_and_a_missing_browser_are_each_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[site]\nstart_urls = ["http://www.zibo.gov.cn/"]\n[crawl]\nmax_page = 10\n', encoding="utf-8")
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"this is not a database" * 200)
    proc = run_cli("doctor", "--config", str(bad), "--db", str(damaged), timeout=120,
                   env={"ZHAOCUO_CHROMIUM": str(tmp_path / "no-chromium")})
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("[失败 FAIL]") and "crawl.max_page" in lines[0] and str(bad) in lines[0]
    assert lines[1].startswith("[失败 FAIL]") and str(damaged) in lines[1] and "损坏" in lines[1]
    assert lines[2].startswith("[失败 FAIL]") and "找不到 Chromium" in lines[2]
    assert "3 check(s) failed" in lines[-1]


def test_a_store_not_created_yet_is_fine(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, {"site": {"start_urls": ["http://www.zibo.gov.cn/"]}})
    proc = run_cli("doctor", "--config", str(profile), timeout=120, env={"ZHAOCUO_CHROMIUM": "/nonexistent"})
    assert "[通过 OK]   数据库 store" in proc.stdout and "尚未创建" in proc.stdout
    assert not (tmp_path / "site.sqlite").exists()  # the doctor never creates the store
