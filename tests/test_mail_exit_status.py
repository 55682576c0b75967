"""A night whose mail could not be sent or composed ends with exit 4 and a warning, the
reports written and the messages kept in the outbox; with --no-mail it is not a failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route, reserved_port

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier


@pytest.fixture(scope="module")
def server():
    home = ('<html><head><meta charset="utf-8"><title>测试区人民政府</title></head><body><p>欢迎。</p>'
            '<a href="/jyj/gone.html">附件</a></body></html>')
    with LoopbackServer({"/": Route(body=home)}) as srv:
        yield srv


def _profile(folder: Path, url: str, smtp_port: int) -> Path:
    return write_profile(folder, {
        "site": {"start_urls": [url], "allowed_hosts": ["127.0.0.1"], "own_site": True},
        "crawl": {"max_pages": 10, "timeout_s": 5.0, "retries": 0}, "ipv6": {"enabled": False},
        "units": [{"name": "区政府办公室", "paths": ["/"], "email": "bgs@test.gov.cn"}],
        "mail": {"smtp": f"127.0.0.1:{smtp_port}", "sender": "zhaocuo@test.gov.cn", "office": ["gkb@test.gov.cn"],
                 "security": "none", "timeout_s": 3.0},
    })


def test_a_mail_server_that_is_down_is_exit_4_unless_no_mail(tmp_path: Path, server) -> None:
    cfg = _profile(tmp_path, server.url("/"), reserved_port())  # nothing listens there
    proc = run_cli("run", "--config", str(cfg), "--out", str(tmp_path / "n1"), "--as-of", "2026-11-02", timeout=180)
    assert proc.returncode == 4, proc.stderr[-1500:]
    assert "警告 warning: 邮件发送失败" in proc.stderr and "退出码 4" in proc.stderr
    assert (tmp_path / "n1" / "report.html").exists() and len(list((tmp_path / "n1" / "outbox").glob("*.eml"))) == 2
    proc = run_cli("run", "--config", str(cfg), "--out", str(tmp_path / "n2"), "--as-of", "2026-11-03", "--no-mail",
                   timeout=180)
    assert proc.returncode == 0 and "outbox only" in proc.stderr


def test_a_message_that_cannot_be_composed_is_exit_4_unless_no_mail(tmp_path: Path, server,
                                                                    monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from reports import mail
    from zhaocuo.app.cli import main

    def broken(data):
        raise RuntimeError("template missing")

    monkeypatch.setattr(mail, "compose", broken)
    cfg = _profile(tmp_path, server.url("/"), reserved_port())
    assert main(["run", "--config", str(cfg), "--out", str(tmp_path / "n1"), "--as-of", "2026-11-02"]) == 4
    err = capsys.readouterr().err
    assert "邮件生成失败" in err and "template missing" in err and (tmp_path / "n1" / "ledger.xlsx").exists()
    assert main(["run", "--config", str(cfg), "--out", str(tmp_path / "n2"), "--as-of", "2026-11-02", "--no-mail"]) == 0
    assert "邮件生成失败" in capsys.readouterr().err  # still said, just not a failed night
