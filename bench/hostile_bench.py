"""Hostile-site benchmark (a script, not a test): the nightly run against a site built to hurt it.

    .venv/bin/python bench/hostile_bench.py [--max-pages 3000] [--keep]

A loopback server (its own process, asyncio, HTTP/1.1 keep-alive; never counted in the
memory figures) serves, linked from its homepage:

- script injection in titles and anchors (``</title><script>``, ``javascript:`` hrefs,
  ``onerror`` attributes in anchor text);
- a 15 MB page, a gzip bomb (5 MB on the wire, 5 GB inflated), a server trickling one byte a
  second (headers first, and one that never finishes its status line), 2 MB of random bytes
  served as ``text/html``;
- broken encodings (GBK bytes declared UTF-8, a bogus charset, UTF-16 without BOM, invalid
  sequences) and malformed markup (50,000 nested ``<div>``, unclosed comments and attributes,
  NUL bytes);
- a page farm: every page links 1,000 new pages, without end;
- 2,500-character URLs linking further 2,500-character URLs.

The real command line runs it — ``zhaocuo run`` with ``[crawl] max_pages`` (3,000 by
default) and every other key at its default — and the script prints the wall time, the exit
status, the peak memory of the CLI and every child (PSS and RSS summed), what the crawl dropped
and what the report says. Targets (issue 13): ends by itself in under 5 minutes, under 1.5 GB
for all processes together, a report and exit 0 or 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._measure import MB, run_measured  # noqa: E402

FARM_LINKS = 1000
LONG = 2500


def page(title: str, body: str, charset: str = "utf-8") -> bytes:
    return (f"<html><head><meta charset='{charset}'><title>{title}</title></head><body>{body}</body></html>"
            ).encode(charset if charset in ("utf-8", "gbk") else "utf-8")


def gzip_bomb(inflated: int) -> bytes:
    """A gzip member inflating to ``inflated`` bytes of whitespace, made without inflating it:
    one full-flushed deflate block of 1 MB repeated (about 1,000:1)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(b"<html><body>") + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(b" " * (1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.compress(b"</body></html>") + c.flush()
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + head + block * (inflated >> 20) + tail + b"\0" * 8


class Site:
    def __init__(self) -> None:
        rnd = random.Random(13)
        self.binary = bytes(rnd.getrandbits(8) for _ in range(2 * 1024 * 1024))
        self.bomb = gzip_bomb(5 * 1024 ** 3)
        para = "<p>" + "为深入贯彻落实政务公开工作部署，进一步提升政府网站建设管理水平。" * 20 + "</p>\n"
        self.big = page("特大页面", "<a href='/'>首页</a>" + para * (15 * 1024 * 1024 // len(para.encode())))

    def home(self) -> bytes:
        links = ["/inject/1.html", "/big.html", "/bomb.html", "/trickle.html", "/trickle-status.html",
                 "/binary.html", "/enc/gbk-as-utf8.html", "/enc/bogus.html", "/enc/utf16.html", "/enc/invalid.html",
                 "/bad/nested.html", "/bad/unclosed.html", "/bad/nul.html", "/farm/0.html", self.long_url(0)]
        body = "".join(f"<li><a href='{u}'>栏目{i}</a></li>" for i, u in enumerate(links))
        return page("恶意站点测试区人民政府", f"<ul>{body}</ul><p>首页正文。</p>")

    @staticmethod
    def long_url(n: int) -> str:
        base = f"/long/{n}/"
        return base + "a" * (LONG - len(base) - 12) + f"?n={n:06d}"

    def route(self, path: str) -> tuple[int, dict[str, str], bytes | str]:
        html = {"Content-Type": "text/html; charset=utf-8"}
        if path == "/":
            return 200, html, self.home()
        if path.startswith("/inject/"):
            n = int(path.rsplit("/", 1)[1].split(".")[0] or 0)
            title = "</title><script>alert(document.cookie)</script><img src=x onerror=alert(1)>通知"
            nxt = n + 1 if n < 20 else 1
            anchors = ("<a href=\"javascript:alert('x')\">点此</a>"
                       f"<a href='/inject/{nxt}.html' onclick='steal()'>&lt;script&gt;alert(2)&lt;/script&gt;"
                       "<img src=x onerror=alert(3)>下一篇</a>"
                       "<a href='\"><script>alert(4)</script>'>坏链接</a>")
            return 200, html, (f"<html><head><title>{title}</title></head><body>{anchors}"
                               "<script>document.write('<a href=/x>x</a>')</script></body></html>").encode()
        if path == "/big.html":
            return 200, html, self.big
        if path == "/bomb.html":
            return 200, {**html, "Content-Encoding": "gzip"}, self.bomb
        if path in ("/trickle.html", "/trickle-status.html"):
            return 0, {}, path
        if path == "/binary.html":
            return 200, html, self.binary
        if path == "/enc/gbk-as-utf8.html":
            return 200, html, page("编码错误", "<p>这一页用 GBK 写成却声明 UTF-8。</p><a href='/'>首页</a>", "gbk")
        if path == "/enc/bogus.html":
            return 200, {"Content-Type": "text/html; charset=x-no-such-charset"}, page("未知编码", "<p>内容</p>")
        if path == "/enc/utf16.html":
            return 200, {"Content-Type": "text/html"}, "<html><title>UTF16</title><body>内容</body></html>".encode("utf-16-le")
        if path == "/enc/invalid.html":
            return 200, html, b"<html><title>\xff\xfe\x80\x81</title><body>\xc3\x28\xa0\xa1\xe2\x28\xa1" * 50 + b"</body></html>"
        if path == "/bad/nested.html":
            return 200, html, b"<html><title>nest</title><body>" + b"<div>" * 50000 + b"deep" + b"<a href='/'>x</a>"
        if path == "/bad/unclosed.html":
            return 200, html, (b"<html><head><title>unclosed<body><!-- never closed <a href='/farm/1.html'>"
                               b"<a href=\"/x.html <p class='" + b"x" * 100000)
        if path == "/bad/nul.html":
            return 200, html, b"<html><title>n\x00ul</title><body>\x00\x00<a href='/\x00x.html'>\x00</a></body></html>"
        if path.startswith("/farm/"):
            n = int(path[6:].split(".")[0] or 0)
            links = "".join(f"<a href='/farm/{n * FARM_LINKS + i + 1}.html'>第{i}条</a> " for i in range(FARM_LINKS))
            return 200, html, page(f"农场{n}", f"<p>农场页面 {n}。</p>{links}")
        if path.startswith("/long/"):
            n = int(path.rsplit("n=", 1)[-1] or 0) if "n=" in path else 0
            links = "".join(f"<a href='{self.long_url(n * 5 + i + 1)}'>长{i}</a>" for i in range(5))
            return 200, html, page("长地址", links)
        return 404, html, page("404", "<p>页面不存在</p>")


async def _serve(port: int) -> None:
    site = Site()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                line = head.split(b"\r\n", 1)[0].decode("latin-1")
                method, path = line.split(" ")[:2]
                status, headers, body = site.route(path)
                if status == 0:  # the tricklers: one byte a second for ten minutes
                    if body == "/trickle.html":
                        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 600\r\n\r\n")
                    for _ in range(600):
                        writer.write(b"H" if body == "/trickle-status.html" else b"<")
                        await writer.drain()
                        await asyncio.sleep(1)
                    break
                data = body if isinstance(body, bytes) else body.encode()
                out = [f"HTTP/1.1 {status} X", f"Content-Length: {len(data)}", "Connection: keep-alive",
                       *(f"{k}: {v}" for k, v in headers.items())]
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1"))
                if method != "HEAD":
                    writer.write(data)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, limit=1 << 16, backlog=512)
    async with server:
        await server.serve_forever()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--max-pages", type=int, default=3000)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (store, reports)")
    ap.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        asyncio.run(_serve(args.serve))
        return 0
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)])
    tmp = Path(tempfile.mkdtemp(prefix="zhaocuo-hostile-"))
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        profile = tmp / "hostile.toml"
        profile.write_text(f"[site]\nname = \"恶意站点测试区\"\nstart_urls = [\"http://127.0.0.1:{port}/\"]\n"
                           f"[crawl]\nmax_pages = {args.max_pages}\n"
                           f"[store]\npath = \"{tmp / 'hostile.sqlite'}\"\n", encoding="utf-8")
        out = tmp / "out"
        cmd = [sys.executable, "-m", "zhaocuo", "run", "--config", str(profile), "--out", str(out), "--no-mail"]
        print(f"load before: {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs; running {' '.join(cmd[2:])}", flush=True)
        done, wall, peak = run_measured(cmd, cwd=ROOT, timeout=1800)
        print(f"load after:  {os.getloadavg()[0]:.2f}")
        print(f"exit status        {done.returncode} (target 0 or 1)")
        print(f"wall time          {wall:.1f} s (target < 300 s, ended by itself: {done.returncode is not None and wall < 1800})")
        print(f"peak memory        {peak.line()} (target < 1,536 MB)")
        if done.returncode not in (0, 1):
            print(done.stderr[-4000:], file=sys.stderr)
        summary_path = out / "summary.json"
        if summary_path.exists():
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
            crawl = summary.get("crawl", {})
            print(f"report             {out / 'report.html'} ({'written' if (out / 'report.html').exists() else 'MISSING'})")
            print(f"pages crawled      {summary['pages_crawled']}; links checked {summary['links_checked']}")
            print(f"crawl child        {crawl.get('crawl_elapsed_s')} s, CPU {crawl.get('crawl_cpu_s')} s, "
                  f"peak RSS {crawl.get('crawl_peak_rss_mb')} MB; link check {crawl.get('linkcheck_elapsed_s')} s, "
                  f"peak RSS {crawl.get('linkcheck_peak_rss_mb')} MB")
            print(f"frontier           {json.dumps(crawl.get('frontier', {}), ensure_ascii=False)}")
            print(f"skipped            {json.dumps(crawl.get('crawl_skipped', {}), ensure_ascii=False)}")
            print(f"findings           {json.dumps(summary.get('findings', {}), ensure_ascii=False)}")
            report = (out / "report.html").read_text(encoding="utf-8") if (out / "report.html").exists() else ""
            print(f"injection escaped  {'<script>alert' not in report and 'onerror=alert' not in report}")
        else:
            print("no summary.json written", file=sys.stderr)
        mem = sorted(peak.samples, key=lambda s: -s[1])[:1]
        if mem:
            print(f"PSS peak at        {mem[0][0]} s into the run")
        return 0 if done.returncode in (0, 1) and wall < 300 and peak.rss < 1536 * MB else 1
    finally:
        server.terminate()
        server.wait(10)
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
