"""GROUP.toml is checked before any work: a bad key, URL, glob or two sites with one name is exit 2
with one line naming the file and key; every [group] key is documented in docs/group.md; a
worker on another machine crawls with the profile the group run sent (its text and CA file)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.support.profiles import write_profile
from zhaocuo.app.group import GroupSection, load_group
from zhaocuo.app.worker import job_spec, materialize
from zhaocuo.core.profile import ProfileError, load_profile

GOOD = {"queue": "redis://127.0.0.1:6379/0", "store": "postgresql://zhaocuo@127.0.0.1:5432/zhaocuo"}


def group_file(tmp: Path, **conf: object) -> Path:
    body = "\n".join(f"{k} = {v!r}".replace("'", '"') for k, v in {"name": "测试群", "sites": ["sites/*.toml"],
                                                                  **GOOD, **conf}.items())
    path = tmp / "group.toml"
    path.write_text("[group]\n" + body + "\n", encoding="utf-8")
    return path


def site(tmp: Path, stem: str, name: str) -> Path:
    (tmp / "sites").mkdir(exist_ok=True)
    return write_profile(tmp / "sites", {"site": {"name": name, "start_urls": ["http://127.0.0.1:9/"]}},
                         name=f"{stem}.toml")


def test_group_loads_its_sites_in_order(tmp_path: Path) -> None:
    site(tmp_path, "b", "乙站")
    site(tmp_path, "a", "甲站")
    g = load_group(group_file(tmp_path))
    assert [s.key for s in g.sites] == ["a", "b"] and g.conf.local_workers == 1


@pytest.mark.parametrize(("conf", "key"), [
    ({"queue": "http://x"}, "group.queue"),
    ({"store": "/var/lib/x.sqlite"}, "group.store"),
    ({"store": "postgresql://u:secret@h/db"}, "group.store"),
    ({"sites": ["nothing/*.toml"]}, "group.sites[0]"),
    ({"local_workers": -1}, "group.local_workers"),
    ({"colour": "red"}, "group.colour"),
])
def test_bad_group_keys_are_named(tmp_path: Path, conf: dict, key: str) -> None:
    site(tmp_path, "a", "甲站")
    with pytest.raises(ProfileError) as err:
        load_group(group_file(tmp_path, **conf))
    assert key in str(err.value) and "secret" not in str(err.value)


def test_two_sites_with_one_name_would_share_a_history_and_are_refused(tmp_path: Path) -> None:
    site(tmp_path, "a", "同名站")
    site(tmp_path, "b", "同名站")
    with pytest.raises(ProfileError, match="site.name"):
        load_group(group_file(tmp_path))


@pytest.mark.slow
def test_group_run_with_a_bad_group_file_exits_2_naming_the_key(tmp_path: Path) -> None:
    site(tmp_path, "a", "甲站")
    res = run_cli("group", "run", "--config", str(group_file(tmp_path, queue="memcached://x")), "--out",
                  str(tmp_path / "out"), timeout=120)
    assert res.returncode == 2 and "group.queue" in res.stderr


def test_every_group_key_is_documented() -> None:
    doc = (ROOT / "docs" / "group.md").read_text(encoding="utf-8")
    assert [f.name for f in dataclasses.fields(GroupSection) if f"| `{f.name}` |" not in doc] == []


def test_a_worker_elsewhere_crawls_with_the_profile_and_ca_file_the_group_sent(tmp_path: Path) -> None:
    (tmp_path / "certs").mkdir()
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    (tmp_path / "certs" / "ca.pem").write_text(pem)
    prof = write_profile(tmp_path, {"site": {"name": "远程站", "start_urls": ["https://127.0.0.1:9/"]},
                                    "crawl": {"ca_file": "certs/ca.pem", "per_host_concurrency": 3}})
    spec = job_spec("群", "远程站", prof, pem)
    assert materialize(spec) == prof.resolve(), "the same machine uses the group's own file"
    spec["profile_path"] = "/nonexistent/elsewhere/site.toml"  # another machine
    copy = materialize(spec)
    assert copy != prof and copy.name == "site.toml"
    loaded = load_profile(copy)
    assert loaded.crawl.per_host_concurrency == 3
    assert loaded.resolve_path(loaded.crawl.ca_file).read_text() == pem
