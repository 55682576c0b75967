"""``zhaocuo doctor`` through the real CLI: a ready machine passes every check — the profile,
the files it names, the store, the start URL's name through the profile's DNS server
(dnsmasq), the start URL over HTTP, the SMTP server (aiosmtpd: connect and EHLO, no mail) and
the browser — and each broken part is named on its own line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.dns import Dnsmasq
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route, reserved_port
from tests.support.smtp import loopback_smtp
from zhaocuo.core.store import SQLiteStore

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier


@pytest.fixture
def smtp():
    with loopback_smtp() as ctl:
        yield ctl, ctl.handler


@pytest.fixture
def site():
    with LoopbackServer({"/": Route(body="<html><title>测试区</title><body>首页</body></html>")}) as srv:
        yield srv


def _lines(stdout: str) -> dict[str, str]:
    """Each check's line by its name (the words after the mark, before the colon)."""
    out = {}
    for line in stdout.splitlines():
        if line.startswith("["):
            name = line.split("] ", 1)[1].split(": ", 1)[0].strip()
            out[name] = line
    return out


def test_a_ready_machine_passes_every_check(tmp_path: Path, smtp, site) -> None:
    ctl, sink = smtp
    (tmp_path / "目录.csv").write_text("公开事项,公开内容,公开时限,公开主体,公开渠道,公开方式,责任单位\n"
                                     "工作动态,工作动态,20个工作日内,测试区人民政府,政府网站,主动公开,区政府办公室\n",
                                     encoding="utf-8")
    with Dnsmasq(hosts={"www.test.gov.cn": ["127.0.0.1"]}) as dns:
        profile = write_profile(tmp_path, {
            "site": {"start_urls": [f"http://www.test.gov.cn:{site.port}/"]},
            "dns": {"nameservers": [dns.nameserver]},
            "column_settings": {"catalog_file": "目录.csv"},
            "mail": {"smtp": f"127.0.0.1:{ctl.port}", "sender": "z@test.gov.cn", "security": "none"},
        })
        store = SQLiteStore(tmp_path / "site.sqlite")
        store.finish_run(store.begin_run("x")[0], "complete", {})
        store.close()
        proc = run_cli("doctor", "--config", str(profile), timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = _lines(proc.stdout)
    assert all(line.startswith("[通过 OK]") for line in lines.values()), proc.stdout
    assert list(lines) == ["配置 profile", "公开目录 catalogue", "数据库 store", "域名解析 DNS", "起始地址 start URLs",
                           "邮件服务器 SMTP", "浏览器 browser"]
    assert "integrity_check ok (1 次抓取 runs)" in lines["数据库 store"]
    assert "www.test.gov.cn → 127.0.0.1" in lines["域名解析 DNS"] and dns.nameserver in lines["域名解析 DNS"]
    assert "HTTP 200" in lines["起始地址 start URLs"]
    assert "未发信" in lines["邮件服务器 SMTP"] and sink.received == []  # greeted, nothing sent
    assert "Chromium" in lines["浏览器 browser"] and "/usr/bin/chromium" in lines["浏览器 browser"]
    assert proc.stdout.splitlines()[-1] == "环境就绪 ready"


def test_a_missing_file_an_unreachable_smtp_server_and_a_dead_start_url_are_each_named(tmp_path: Path, site) -> None:
    with Dnsmasq(hosts={"www.test.gov.cn": ["127.0.0.1"]}) as dns:
        profile = write_profile(tmp_path, {
            "site": {"start_urls": [f"http://www.test.gov.cn:{site.port}/", f"http://127.0.0.1:{site.port}/gone.html",
                                    "http://nowhere.test.gov.cn/"]},
            "dns": {"nameservers": [dns.nameserver], "timeout_s": 2.0},
            "crawl": {"timeout_s": 3.0},
            "column_settings": {"catalog_file": "目录.xlsx"},
            "mail": {"smtp": f"127.0.0.1:{reserved_port()}", "sender": "z@test.gov.cn", "security": "none",
                     "timeout_s": 3.0},
        })
        proc = run_cli("doctor", "--config", str(profile), "--skip-browser", timeout=120)
    assert proc.returncode == 1
    lines = _lines(proc.stdout)
    assert lines["配置 profile"].startswith("[通过 OK]")
    assert lines["公开目录 catalogue"].startswith("[失败 FAIL]") and "columns.catalog_file" in lines["公开目录 catalogue"]
    assert str(tmp_path / "目录.xlsx") in lines["公开目录 catalogue"]
    assert lines["域名解析 DNS"].startswith("[失败 FAIL]") and "nowhere.test.gov.cn" in lines["域名解析 DNS"]
    assert lines["起始地址 start URLs"].startswith("[失败 FAIL]") and "gone.html: HTTP 404" in lines["起始地址 start URLs"]
    assert lines["邮件服务器 SMTP"].startswith("[失败 FAIL]") and "mail.smtp" in lines["邮件服务器 SMTP"]
    assert "浏览器 browser" not in lines
    assert "4 check(s) failed" in proc.stdout.splitlines()[-1]


def test_a_bad_profile_a_damaged_store_and_a_missing_browser_are_each_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[site]\nstart_urls = ["http://127.0.0.1:9/"]\n[crawl]\nmax_page = 10\n', encoding="utf-8")
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
    profile = write_profile(tmp_path, {"site": {"start_urls": ["http://127.0.0.1:9/"]}})
    proc = run_cli("doctor", "--config", str(profile), "--skip-network", "--skip-browser", timeout=120)
    assert "[通过 OK]   数据库 store" in proc.stdout and "尚未创建" in proc.stdout
    assert proc.returncode == 0
    assert not (tmp_path / "site.sqlite").exists()  # the doctor never creates the store
