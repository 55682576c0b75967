"""A site that does not answer is the night's most serious finding, not a profile error:
``zhaocuo run`` tries the homepage several times over a bounded window, then writes every
report with a ``site_unreachable`` veto (what was tried, when, the errors), mails the office
and exits 3. The next night on which the homepage answers, the finding is fixed."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route, reserved_port
from tests.support.smtp import Sink, loopback_smtp, smtp_controller

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier

PROBES = 3
FAST = {"timeout_s": 1.0, "retries": 0, "max_backoff_s": 0.2, "auto_render_share": 0.0,
        "down_probes": PROBES, "down_window_s": 1.0}


class Silent:
    """Accepts connections and never answers (a hung server): every try times out."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self.stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
                self.conns.append(conn)
            except OSError:
                continue

    def close(self) -> None:
        self.stop.set()
        for c in self.conns:
            c.close()
        self.sock.close()


def _unavailable(h) -> None:
    body = b"<html><body>Service Unavailable</body></html>"
    h.send_response(503)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def _night(tmp_path: Path, url: str, smtp_port: int, out: str, as_of: str = "2026-11-20"):
    cfg = write_profile(tmp_path, {
        "site": {"name": "测试区人民政府", "start_urls": [url]},
        "crawl": FAST, "ipv6": {"enabled": False},
        "units": [{"name": "区政府办公室", "paths": ["/"], "email": "bgs@test.gov.cn"}],
        "mail": {"smtp": f"127.0.0.1:{smtp_port}", "sender": "zhaocuo@test.gov.cn", "security": "none",
                 "office": ["gkb@test.gov.cn"], "timeout_s": 5.0},
    })
    return run_cli("run", "--config", str(cfg), "--out", str(tmp_path / out), "--as-of", as_of, timeout=180)


def _findings(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("how", ["refused", "timeout", "503"])
def test_start_url_down_gives_reports_with_the_veto_office_mail_and_exit_3(tmp_path: Path, how: str) -> None:
    sink = Sink()
    smtp = smtp_controller(sink)
    smtp.start()
    silent = Silent() if how == "timeout" else None
    server = LoopbackServer({"*": _unavailable}) if how == "503" else None
    try:
        if server:
            server.__enter__()
        url = (f"http://127.0.0.1:{reserved_port()}/" if how == "refused" else
               f"http://127.0.0.1:{silent.port}/" if silent else server.url("/"))
        res = _night(tmp_path, url, smtp.port, "out")
    finally:
        smtp.stop()
        if silent:
            silent.close()
        if server:
            server.__exit__(None, None, None)
    assert res.returncode == 3, res.stderr
    assert "Traceback" not in res.stderr and url in res.stderr and "exit 3" in res.stderr
    out = tmp_path / "out"
    for name in ("findings.jsonl", "summary.json", "report.html", "ledger.xlsx", "junit.xml"):
        assert (out / name).exists(), name
    (finding,) = _findings(out / "findings.jsonl")
    assert finding["audit"] == "site_unreachable" and finding["severity"] == "veto"
    assert finding["url"] == url and finding["status"] == "new" and finding["unit"] == "区政府办公室"
    assert f"{PROBES} 次访问均失败" in finding["message"] and "北京时间" in finding["message"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["findings"]["site_unreachable"] == 1 and summary["pages_crawled"] == 0
    tries = summary["site_unreachable"]["tries"]
    assert tries == PROBES
    kind = {"refused": "refused", "timeout": "timeout", "503": "http"}[how]
    detail = summary["site_unreachable"]["reason"]
    assert {"refused": "connection refused", "timeout": "timed out", "503": "HTTP 503"}[how] in detail
    assert summary["crawl"]["site_unreachable"]["url"] == url
    assert "网站无法访问" in (out / "report.html").read_text(encoding="utf-8")
    assert "site_unreachable" in (out / "junit.xml").read_text(encoding="utf-8")
    office = [m for to, m in sink.received if to == ["gkb@test.gov.cn"]]
    assert len(office) == 1
    body = office[0].get_body(("html", "plain")).get_content()
    assert "网站无法访问" in body and f"首页 {PROBES} 次访问均失败" in body and kind in body


def test_the_veto_is_fixed_the_next_night_the_homepage_answers(tmp_path: Path) -> None:
    state = {"down": True}

    def home(h) -> None:
        if state["down"]:
            _unavailable(h)
            return
        body = "<html><head><meta charset='utf-8'><title>首页</title></head><body><p>欢迎</p></body></html>".encode()
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    sink = Sink()
    with loopback_smtp(sink) as smtp:
        with LoopbackServer({"/": home, "*": Route(404, "<html><body>404</body></html>")}) as srv:
            first = _night(tmp_path, srv.url("/"), smtp.port, "n1", "2026-11-20")
            state["down"] = False
            second = _night(tmp_path, srv.url("/"), smtp.port, "n2", "2026-11-21")
    assert first.returncode == 3, first.stderr
    assert second.returncode == 0, second.stderr
    assert "site_unreachable" not in [f["audit"] for f in _findings(tmp_path / "n2" / "findings.jsonl")]
    fixed = _findings(tmp_path / "n2" / "fixed.jsonl")
    assert [(f["audit"], f["status"]) for f in fixed] == [("site_unreachable", "fixed")]
