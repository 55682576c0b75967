"""Every budget bounds memory too: a page farm (each page links hundreds of new pages) is
crawled to max_pages with a frontier that never holds more than the budget can fetch, what it
dropped is counted in summary.json and said in the report, and the link checker does not crawl
on past the budget; a gzip bomb is inflated only up to max_page_bytes; a page of too many links
keeps max_links_per_page of them."""

from __future__ import annotations

import json
import zlib
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.profiles import write_profile
from tests.support.servers import LoopbackServer

pytestmark = pytest.mark.slow  # starts processes or takes long: not in the fast tier (make test-fast)

FARM = 200
FAST = {"timeout_s": 3.0, "retries": 0, "auto_render_share": 0.0}


def _send(h: BaseHTTPRequestHandler, body: bytes, **headers: str) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    for k, v in headers.items():
        h.send_header(k.replace("_", "-"), v)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def _farm(h: BaseHTTPRequestHandler) -> None:
    n = int(h.path.rsplit("/", 1)[-1].split(".")[0] or 0) if h.path.startswith("/farm/") else 0
    links = "".join(f"<a href='/farm/{n * FARM + i + 1}.html'>第{i}条</a>" for i in range(FARM))
    _send(h, f"<html><head><title>农场{n}</title></head><body><p>农场页面。</p>{links}</body></html>".encode())


def _bomb_body(inflated: int) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    head = c.compress(b"<html><head><title>bomb</title></head><body><p>") + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(b"a" * (1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    return head + block * (inflated >> 20) + c.flush()


def test_a_page_farm_is_crawled_to_the_budget_with_a_bounded_frontier_and_said_so(tmp_path: Path) -> None:
    with LoopbackServer({"*": _farm}) as srv:
        cfg = write_profile(tmp_path, {"site": {"name": "农场", "start_urls": [srv.url("/farm/0.html")]},
                                       "crawl": {**FAST, "max_pages": 40}, "ipv6": {"enabled": False}})
        res = run_cli("run", "--config", str(cfg), "--out", str(tmp_path / "out"), "--no-mail", timeout=300)
    assert res.returncode in (0, 1), res.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    crawl = summary["crawl"]
    assert summary["pages_crawled"] == 40
    # The frontier holds what the budget can fetch plus a slack, never the 8,000 URLs linked.
    assert crawl["frontier"]["cap"] == 40 + 1000 and crawl["urls_known"] <= crawl["frontier"]["cap"] + 40
    cov = summary["coverage"]
    linked = 40 * FARM  # distinct farm URLs the 40 crawled pages link (all new)
    # Every linked URL is either crawled or counted once as not crawled (approximately: a filter).
    assert cov["page_budget_reached"] and abs(cov["urls_not_crawled"] - (linked + 1 - 40)) <= 20
    # The link checker did not crawl on past the budget: the farm's own pages are counted, not checked.
    assert summary["links_checked"] <= 45 and cov["links_own_not_checked"] >= linked - 1100
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "抓取范围" in report and "已达页面上限 40 页" in report and "个本站地址未抓取" in report


def test_a_gzip_bomb_is_inflated_only_up_to_max_page_bytes(tmp_path: Path) -> None:
    bomb = _bomb_body(1024 * 1024 * 1024)  # 1 GB inflated, about 1 MB sent
    assert len(bomb) < 2 * 1024 * 1024

    def routes(h: BaseHTTPRequestHandler) -> None:
        if h.path == "/":
            _send(h, "<html><head><title>首页</title></head><body><a href='/bomb.html'>炸弹</a>"
                     "<a href='/many.html'>链接很多</a></body></html>".encode())
        elif h.path == "/bomb.html":
            _send(h, bomb, Content_Encoding="gzip")
        elif h.path == "/many.html":
            links = "".join(f"<a href='/m/{i}.html'>{i}</a>" for i in range(500))
            _send(h, f"<html><head><title>多</title></head><body>{links}</body></html>".encode())
        else:
            _send(h, b"<html><head><title>m</title></head><body>m</body></html>")

    with LoopbackServer({"*": routes}) as srv:
        cfg = write_profile(tmp_path, {"site": {"name": "炸弹", "start_urls": [srv.url("/")]},
                                       "crawl": {**FAST, "max_page_bytes": 2 * 1024 * 1024, "max_links_per_page": 100,
                                                 "max_pages": 50},
                                       "ipv6": {"enabled": False}})
        res = run_cli("crawl", "--config", str(cfg), timeout=300)
        assert res.returncode == 0, res.stderr
    from zhaocuo.core.store import open_store

    store = open_store(tmp_path / "site.sqlite")
    crawl = store.crawl()
    page = crawl.page(srv.url("/bomb.html"))
    assert page is not None and page.title == "bomb" and len(page.html) <= 2 * 1024 * 1024
    assert crawl.stats["crawl_peak_rss_mb"] < 400, "the bomb was never inflated whole"
    assert len(crawl.links_from(srv.url("/many.html"))) == 100 and crawl.stats["frontier"]["links_cut"] == 400
    store.close()
