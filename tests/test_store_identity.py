"""A site's history belongs to the site, not to the path of its profile: the same profile
copied, moved or reached through a symlink finds the same store; a store an older version
named from the profile's path is adopted once, with a line saying so; re-auditing a crawl
(days later, without --as-of) never moves a first-seen date or a deadline."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.profiles import to_toml
from tests.support.servers import LoopbackServer, Route
from zhaocuo.core.profile import load_profile, store_file_stem

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier


def _site() -> dict[str, Route]:
    home = ('<html><head><meta charset="utf-8"><title>测试区人民政府</title></head><body>'
            '<p>欢迎访问。</p><a href="/gone.html">机构设置</a></body></html>')
    return {"/": Route(body=home)}


def _profile(folder: Path, url: str, name: str = "site.toml") -> Path:
    """A profile without [store] path: the default store under $ZHAOCUO_HOME is used."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(to_toml({
        "site": {"name": "测试区人民政府", "start_urls": [url], "allowed_hosts": ["127.0.0.1"], "own_site": True},
        "crawl": {"max_pages": 20, "timeout_s": 5.0, "retries": 0},
        "ipv6": {"enabled": False},
    }), encoding="utf-8")
    return path


def _dead_links(out: Path) -> list[dict]:
    rows = [json.loads(x) for x in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    return [r for r in rows if r["audit"] == "dead_link"]


def test_store_is_named_after_the_site(tmp_path: Path) -> None:
    prof = load_profile(_profile(tmp_path, "http://www.test.gov.cn/"))
    assert prof.default_store_path() == Path(os.environ["ZHAOCUO_HOME"]) / "测试区人民政府.sqlite"
    assert store_file_stem("a/b: c*?") == "a_b_c"
    assert len(store_file_stem("区" * 200)) <= 60


@pytest.fixture(scope="module")
def server():
    with LoopbackServer(_site()) as srv:
        yield srv


def test_a_moved_copied_or_linked_profile_keeps_its_history(tmp_path: Path, server) -> None:
    first = _profile(tmp_path / "etc", server.url("/"))
    proc = run_cli("run", "--config", str(first), "--out", str(tmp_path / "n1"), "--as-of", "2026-11-02",
                   "--no-mail", timeout=180)
    assert proc.returncode == 0, proc.stderr[-1500:]
    (dead,) = _dead_links(tmp_path / "n1")
    assert (dead["status"], dead["first_seen"]) == ("new", "2026-11-02")

    # Re-audited later without --as-of (today is the real date): nothing moves.
    proc = run_cli("audit", "--config", str(first), "--out", str(tmp_path / "again"), timeout=120)
    assert proc.returncode == 0, proc.stderr[-1500:]
    (again,) = _dead_links(tmp_path / "again")
    assert (again["status"], again["first_seen"], again["deadline"]) == ("new", "2026-11-02", dead["deadline"])

    # The profile moved to another folder and name, then reached through a symlink.
    moved = tmp_path / "srv" / "zhaocuo" / "district.toml"
    moved.parent.mkdir(parents=True)
    shutil.move(first, moved)
    link = tmp_path / "current.toml"
    link.symlink_to(moved)
    for cfg, out in ((moved, "n2"), (link, "n3")):
        proc = run_cli("run", "--config", str(cfg), "--out", str(tmp_path / out), "--as-of", "2026-11-03",
                       "--no-mail", timeout=180)
        assert proc.returncode == 0, proc.stderr[-1500:]
        (seen,) = _dead_links(tmp_path / out)
        assert (seen["status"], seen["first_seen"], seen["deadline"]) == ("open", "2026-11-02", dead["deadline"])


def test_a_path_hashed_store_of_an_older_version_is_adopted_once(tmp_path: Path, server) -> None:
    cfg = _profile(tmp_path / "etc", server.url("/"))
    proc = run_cli("run", "--config", str(cfg), "--out", str(tmp_path / "n1"), "--as-of", "2026-11-02",
                   "--no-mail", timeout=180)
    assert proc.returncode == 0, proc.stderr[-1500:]
    prof = load_profile(cfg)
    new = prof.default_store_path()
    legacy = prof.legacy_store_paths()[0]
    assert legacy.name.startswith("site-") and legacy.parent == new.parent
    os.replace(new, legacy)  # as an older version left it
    for suffix in ("-wal", "-shm"):
        if Path(str(new) + suffix).exists():
            os.replace(Path(str(new) + suffix), Path(str(legacy) + suffix))

    doctor = run_cli("doctor", "--config", str(cfg), timeout=120, env={"ZHAOCUO_CHROMIUM": "/nonexistent"})
    assert str(legacy) in doctor.stdout and "下次运行时改名" in doctor.stdout
    assert legacy.exists() and not new.exists()  # the doctor only looks

    proc = run_cli("audit", "--config", str(cfg), "--out", str(tmp_path / "n2"), "--as-of", "2026-11-03", timeout=120)
    assert proc.returncode == 0, proc.stderr[-1500:]
    assert proc.stderr.count("已沿用原有数据库") == 1 and str(legacy) in proc.stderr
    assert new.exists() and not legacy.exists()
    (seen,) = _dead_links(tmp_path / "n2")
    assert (seen["status"], seen["first_seen"]) == ("new", "2026-11-02")  # an empty store would say 11-03
    proc = run_cli("audit", "--config", str(cfg), "--out", str(tmp_path / "n3"), "--as-of", "2026-11-03", timeout=120)
    assert proc.returncode == 0 and "已沿用" not in proc.stderr
