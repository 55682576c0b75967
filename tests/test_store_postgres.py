"""The PostgreSQL store's own promises (the shared store suite is tests/test_store.py): many
sites in one database, each its own namespace; the schema created once however many workers
open a new site at once; no password in a URL; a read-only open creates nothing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.conftest import run_cli
from zhaocuo.core.store import Page, StoreError, open_store, with_namespace

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)


def test_sites_in_one_database_never_see_each_other(postgres_url: str) -> None:
    a = open_store(with_namespace(postgres_url, "临淄区人民政府"))
    b = open_store(with_namespace(postgres_url, "张店区人民政府"))
    run_a, _ = a.begin_run()
    a.add_page(run_a, Page(url="http://a/", title="临淄"))
    a.put_state("finding", "f1", {"status": "new"})
    a.finish_run(run_a, "complete")
    assert b.last_run() is None and b.run_count() == 0 and b.all_state("finding") == {}
    run_b, resumed = b.begin_run()
    assert not resumed
    b.finish_run(run_b, "complete")
    assert a.crawl().page("http://a/").title == "临淄"
    assert a.run_count() == 1 and b.run_count() == 1
    assert "site=%E4%B8%B4%E6%B7%84" in a.url  # the URL reopens this site's namespace
    again = open_store(a.url)
    assert again.crawl().page("http://a/").title == "临淄"
    for s in (a, b, again):
        s.close()


def test_a_new_site_opened_by_many_workers_at_once_is_created_once(postgres_url: str) -> None:
    url = with_namespace(postgres_url, "同时打开")
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            open_store(url).close()
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    store = open_store(url)
    assert store.integrity_problems() == [] and store.run_count() == 0
    store.close()


def test_read_only_open_of_an_unknown_site_creates_nothing(postgres_url: str) -> None:
    url = with_namespace(postgres_url, "从未运行")
    with pytest.raises(StoreError, match="no store for site"):
        open_store(url, read_only=True)
    with pytest.raises(StoreError, match="no store for site"):
        open_store(url, read_only=True)  # still none: the first attempt created nothing


def test_password_in_url_is_refused_without_echoing_it(postgres_url: str) -> None:
    url = postgres_url.replace("zhaocuo@", "zhaocuo:s3cret@")
    with pytest.raises(StoreError) as err:
        open_store(url)
    assert "PGPASSWORD" in str(err.value) and "s3cret" not in str(err.value)


def test_unreachable_database_names_the_url(tmp_path: Path) -> None:
    from tests.support.servers import reserved_port

    with pytest.raises(StoreError, match=r"127\.0\.0\.1:\d+/zhaocuo.*cannot connect"):
        open_store(f"postgresql://zhaocuo@127.0.0.1:{reserved_port()}/zhaocuo")


def test_every_command_takes_a_postgresql_db_and_the_profile_store_url(postgres_url: str, tmp_path: Path) -> None:
    """--db postgresql://… and [store] url open the same site namespace (named after [site] name);
    a password in [store] url is exit 2 naming the key, without echoing it."""
    profile = tmp_path / "site.toml"
    profile.write_text('[site]\nname = "测试站"\nstart_urls = ["http://127.0.0.1:9/"]\n'
                       f'[store]\nurl = "{postgres_url}"\n', encoding="utf-8")
    store = open_store(with_namespace(postgres_url, "测试站"))
    run_id, _ = store.begin_run()
    store.finish_run(run_id, "complete")
    store.close()
    out = run_cli("doctor", "--config", str(profile), timeout=120)
    assert "site=%E6%B5%8B%E8%AF%95%E7%AB%99" in out.stdout and "1 次抓取 runs" in out.stdout, out.stdout
    out = run_cli("doctor", "--config", str(tmp_path / "site.toml"), "--db", postgres_url, timeout=120)
    assert "1 次抓取 runs" in out.stdout, out.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('[site]\nstart_urls = ["http://127.0.0.1:9/"]\n[store]\nurl = "postgresql://u:pw@h/db"\n',
                   encoding="utf-8")
    out = run_cli("crawl", "--config", str(bad), timeout=120)
    assert out.returncode == 2 and "store.url" in out.stderr and "pw" not in out.stderr
