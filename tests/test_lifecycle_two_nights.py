"""End to end through the real CLI: two (three) nights over a loopback site that changes in
between give the right statuses, first_seen, deadlines and fixed.jsonl; re-auditing the same
crawl changes nothing; --no-mail fills the outbox and the next mailing run sends it."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import run_cli
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer, Route
from tests.support.smtp import Sink, loopback_smtp

pytestmark = pytest.mark.slow  # starts processes (CLI, crawl child, browser or servers): not in the fast tier


def page(title: str, body: str) -> str:
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"


def _read(path: Path) -> dict[str, dict]:
    """findings by the dead link's target path (each target is unique in this site)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        f = json.loads(line)
        if f["audit"] == "dead_link":
            out[f["target"].split(":", 2)[2].split("/", 1)[1]] = f
    return out


def _unavailable(h) -> None:
    body = b"busy"
    h.send_response(503)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def test_two_nights_over_a_changing_site(tmp_path: Path) -> None:
    routes = {
        "/": Route(body=page("首页", "<a href='/jyj/a.html'>通知A</a> <a href='/wjj/b.html'>通知B</a> "
                                    "<a href='/jyj/c.html'>通知C</a>")),
        "/jyj/a.html": Route(body=page("通知A", "<p>通知正文。</p><a href='/jyj/gone1.html'>附件一</a>")),
        "/wjj/b.html": Route(body=page("通知B", "<p>通知正文。</p><a href='/wjj/gone2.html'>附件二</a>")),
        "/jyj/c.html": Route(body=page("通知C", "<p>通知正文。</p><a href='/jyj/gone3.html'>附件三</a>")),
    }
    sink = Sink()
    with loopback_smtp(sink) as smtp:
        with LoopbackServer(routes) as srv:
            cfg = write_profile(tmp_path, {
                "site": {"name": "测试区人民政府", "start_urls": [srv.url("/")], "own_site": True},
                "crawl": {"timeout_s": 3.0, "retries": 0, "check_external": False, "attachments": False},
                "ipv6": {"enabled": False},
                "deadlines": {"medium": 1},
                "units": [{"name": "区教体局", "paths": ["/jyj/"], "email": "jyj@test.gov.cn"},
                          {"name": "区卫健局", "paths": ["/wjj/"], "email": "wjj@test.gov.cn"}],
                "mail": {"smtp": f"127.0.0.1:{smtp.port}", "sender": "zhaocuo@test.gov.cn", "security": "none",
                         "office": ["gkb@test.gov.cn"], "timeout_s": 5.0},
            })

            def run(out: str, as_of: str, *extra: str) -> tuple[dict[str, dict], dict[str, dict]]:
                proc = run_cli("run", "--config", str(cfg), "--out", str(tmp_path / out), "--as-of", as_of,
                               *extra, timeout=180)
                assert proc.returncode == 0, proc.stderr
                return _read(tmp_path / out / "findings.jsonl"), _read(tmp_path / out / "fixed.jsonl")

            # Night 1, before the National Day holiday; mail only to the outbox.
            found, fixed = run("n1", "2026-09-30", "--no-mail")
            assert {k: f["status"] for k, f in found.items()} == {
                "jyj/gone1.html": "new", "wjj/gone2.html": "new", "jyj/gone3.html": "new"}
            assert fixed == {}
            # medium = 1 working day in this profile: 09-30 + 1 → 10-08 (10-01…10-07 are off).
            assert {f["deadline"] for f in found.values()} == {"2026-10-08"}
            assert sink.received == []
            assert len(list((tmp_path / "n1" / "outbox").glob("*.eml"))) == 3

            # 区卫健局 answers with the ledger it was sent: 附件二 "已整改" (it was not); the office
            # marks 附件一 as 已整改 too (it really is, below). Imported through the CLI.
            ledger = tmp_path / "n1" / "ledger.xlsx"
            wb = openpyxl.load_workbook(ledger)
            ws = wb["汇总"]
            header = [c.value for c in ws[1]]
            for row in ws.iter_rows(min_row=2):
                fid = row[header.index("问题编号")].value
                # Dead links are answered per target: the row's 问题编号 is the group's id.
                if fid in (found["wjj/gone2.html"]["group"], found["jyj/gone1.html"]["group"]):
                    row[header.index("整改状态")].value = "已整改"
            wb.save(ledger)
            proc = run_cli("feedback", str(ledger), "--config", str(cfg), "--office", timeout=120)
            assert proc.returncode == 0 and "已整改 2 项" in proc.stdout, proc.stderr

            # Between the nights: A's link is repaired, B gains a second dead link, C is down.
            routes["/jyj/a.html"] = Route(body=page("通知A", "<p>通知正文。</p>"))
            routes["/wjj/b.html"] = Route(body=page("通知B", "<a href='/wjj/gone2.html'>附件二</a> "
                                                            "<a href='/wjj/gone4.html'>附件四</a>"))
            routes["/jyj/c.html"] = _unavailable

            found, fixed = run("n2", "2026-10-09")
            night2 = found
            got = {k: (f["status"], f["first_seen"], f["overdue"]) for k, f in found.items()}
            # Claimed fixed but still on the page: reopened, with the claim noted in the message.
            assert got["wjj/gone2.html"] == ("reopened", "2026-09-30", True)
            assert "单位曾反馈已整改" in found["wjj/gone2.html"]["message"]
            assert got["wjj/gone4.html"] == ("new", "2026-10-09", False)
            assert "jyj/gone1.html" not in got and "jyj/gone3.html" not in got
            # Only A was crawled again without its problem; C answered 503 and proves nothing.
            assert {k: f["status"] for k, f in fixed.items()} == {"jyj/gone1.html": "fixed"}

            # Re-auditing the same crawl (no network) gives the same statuses and fixed list.
            proc = run_cli("audit", "--config", str(cfg), "--out", str(tmp_path / "n2b"), "--as-of", "2026-10-09",
                           timeout=180)
            assert proc.returncode == 0, proc.stderr
            assert _read(tmp_path / "n2b" / "findings.jsonl") == found
            assert _read(tmp_path / "n2b" / "fixed.jsonl") == fixed

            # Night 2 mailed one digest per recipient: night 1's three waiting messages were
            # replaced by night 2's — 区卫健局 and the office; 区教体局 has nothing left this
            # night, so it gets no message (not night 1's stale list either).
            keys = [(m["X-Zhaocuo-Run"], tuple(r)) for r, m in sink.received]
            assert len(keys) == len(set(keys)) == 2
            assert sorted(r for _, r in keys) == [("gkb@test.gov.cn",), ("wjj@test.gov.cn",)]
            assert len({run for run, _ in keys}) == 1
            wjj = [m for r, m in sink.received if r == ["wjj@test.gov.cn"]][-1]
            html = wjj.get_body(("html",)).get_content()
            assert "附件二" in html or "gone2" in html
            assert "gone1" not in html and "gone3" not in html
            office = [m for r, m in sink.received if r == ["gkb@test.gov.cn"]][-1]
            assert "首页可访问" in office.get_body(("html",)).get_content()

            # Night 3: C is back with its dead link — seen before and never fixed: open.
            routes["/jyj/c.html"] = Route(body=page("通知C", "<p>通知正文。</p><a href='/jyj/gone3.html'>附件三</a>"))
            found, fixed = run("n3", "2026-10-12", "--no-mail")
            assert (found["jyj/gone3.html"]["status"], found["jyj/gone3.html"]["first_seen"]) == ("open", "2026-09-30")
            # The homepage's link to C, dead (503) on night 2 if the dead-link audit judged so, is fixed now.
            assert set(fixed) == ({"jyj/c.html"} & set(night2))
