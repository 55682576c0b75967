"""Crawl benchmark (a script, not a test): crawl + dead-link audit of a generated site.

    .venv/bin/python bench/crawl_bench.py                  # 5,000 pages (the speed target)
    .venv/bin/python bench/crawl_bench.py --pages 100000 --max-pages 16000 --max-links-checked 10000
                                                           # ~100,000 known URLs (the memory target)

The site is written as static files and served by Debian's nginx on loopback (installed
with apt when missing), or with ``--server python`` generated on the fly by a multi-process
Python server (SO_REUSEPORT workers, HTTP/1.1 keep-alive): district-government pages with
a navigation bar, paginated column lists, ~1,500-character articles and 10-40 links each, about 1% of
them dead (404) and a few to an "external" host (127.0.0.2, also partly dead), and a 领导信箱 message
board (one message per 100 articles, a page each). The real
command line runs it — ``python -m zhaocuo run`` with every audit but dead_link disabled
and no IPv6 probe — so the figures include the CLI, the crawl child, the link-check child,
the browser (started when a page looks script-built) and the audit. Peak memory is sampled
with psutil every 0.25 s over the CLI process and all its children (PSS summed, RSS of the
largest Python process; the server is not counted). Targets on the 2-core machine: ≥ 150 pages/s end to
end; < 500 MB peak with 100,000 known URLs.

Measured 2026-11-27 on the shared 2-core machine (load average 5-12 from the other engineers'
work, so every figure is noisy; nginx server, default profile values):
- 5,000 articles (5,211 pages, 6,006 link checks): 15.9 s / 327 pages/s end to end at load ~5,
  20.1 s / 260 pages/s at load ~2, 27.7 s / 188 pages/s at load ~7; crawl child 312-440 pages
  per CPU-second, 98-99 MB RSS.
- 100,000 articles, 16,000 pages crawled, 96,525 URLs known, 10,000 more checked:
  with --no-browser 96.4 s, peak 228 MB PSS summed (crawl child 126 MB, link-check child
  114 MB, CLI 266 MB RSS during the audit); with the default automatic rendering (2
  script-built pages re-fetched in Chromium) 100.5-123.6 s, peak 518-643 MB PSS, of which
  the Playwright driver + Chromium are 382-523 MB (last run, after the snippet cap and the
  Scrapy-free parent: 518 MB PSS, crawl child 134 MB, CLI 220 MB; at load ~2: 68.3 s,
  234 pages/s, 626 MB PSS of which Chromium + driver 505 MB).
With ``--server python`` the same 5,000 pages ran at 46-58 pages/s: that server takes the
CPU the crawler needs on two cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from multiprocessing import Process
from pathlib import Path
from socketserver import ThreadingMixIn

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import _nginx  # noqa: E402 - after the repository is on the path

COLUMNS = [("xwzx/zwyw", "政务要闻"), ("xwzx/bmdt", "部门动态"), ("xwzx/tzgg", "通知公告"), ("zwgk/zcwj", "政策文件"),
           ("zwgk/zcjd", "政策解读"), ("zwgk/rsxx", "人事信息"), ("zwgk/czzj", "财政资金"), ("zwgk/ghjh", "规划计划"),
           ("hdjl/zxft", "在线访谈"), ("hdjl/myzj", "民意征集"), ("zwfw/bsfw", "办事服务"), ("bm/jyj", "区教体局"),
           ("bm/wjj", "区卫健局"), ("bm/zjj", "区住建局"), ("bm/mzj", "区民政局"), ("bm/scjgj", "区市场监管局")]
SENTENCES = [
    "为深入贯彻落实党中央、国务院决策部署，进一步优化营商环境，激发市场主体活力，", "区政府召开常务会议，研究部署下一阶段重点工作。",
    "会议强调，要坚持以人民为中心的发展思想，扎实做好民生保障各项工作。", "各镇、街道，区直各部门要提高政治站位，压实工作责任，确保各项任务落到实处。",
    "现将有关事项通知如下：", "一、总体要求。以高质量发展为主题，统筹发展和安全，", "二、主要任务。加快推进重点项目建设，强化要素保障，",
    "三、保障措施。加强组织领导，健全工作机制，强化督导考核。", "本通知自印发之日起施行，由区政府办公室负责解释。",
    "联系电话：0533-1234567。", "区教育和体育局组织开展校园安全专项检查，覆盖全区中小学校和幼儿园。",
    "区卫生健康局持续推进家庭医生签约服务，签约率稳步提升。", "据统计，今年以来全区累计新增市场主体三千余户，同比增长百分之十二。",
    "区住房和城乡建设局启动老旧小区改造工程，惠及居民两千余户。", "区民政局进一步规范最低生活保障审核确认工作，做到应保尽保。",
]


def h(n: int, salt: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{salt}{n}".encode(), digest_size=8).digest(), "big")


class Site:
    """A deterministic site of ``pages`` articles spread over the columns.

    ``dead_share`` of the related links in articles point at removed articles (404);
    ``script_pages`` > 0 adds a column (数据发布, /zwgk/sjfb/) whose list and article pages are
    frames that build their content with fetch() from JSON, as many CMS "data release" and
    policy-library columns do: a checker that runs no script sees none of its links."""

    SCRIPT_COL = ("zwgk/sjfb", "数据发布")

    def __init__(self, pages: int, ext_base: str, dead_share: float = 0.01, script_pages: int = 0) -> None:
        self.pages = pages
        self.ext_base = ext_base
        self.per_list = 25
        self.dead_share = dead_share
        self.script_pages = script_pages

    def column_of(self, i: int) -> int:
        return i % len(COLUMNS)

    def article_url(self, i: int) -> str:
        return f"/{COLUMNS[self.column_of(i)][0]}/{2020 + i % 6}{(i % 12) + 1:02d}/t{i}.html"

    def nav(self) -> str:
        items = "".join(f"<li><a href='/{c}/'>{name}</a></li>" for c, name in [*COLUMNS[:12], (self.BOARD, "领导信箱")])
        return (f"<div class='top'><a href='/'>首页</a><a href='{self.ext_base}/'>中国政府网</a></div>"
                f"<ul class='nav'>{items}</ul>")

    def wrap(self, title: str, body: str) -> bytes:
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}_某区人民政府</title>"
                "<link rel='stylesheet' href='/css/main.css'><script src='/js/jquery.min.js'></script></head>"
                f"<body>{self.nav()}<div class='main'>{body}</div><div class='foot'>"
                "<a href='/wzdt/'>网站地图</a><a href='/lxwm/'>联系我们</a>"
                f"<a href='{self.ext_base}/bszn/{h(len(title), 'f') % 40}.html'>政务服务网</a>"
                "<p>主办：某区人民政府办公室 承办：某区大数据中心 网站标识码：3703050001 鲁ICP备12345678号</p></div>"
                "</body></html>").encode()

    def related(self, i: int, n: int, salt: str = "") -> list[tuple[str, str]]:
        """(URL, label) of ``n`` related articles of article ``i``; a dead_share of them removed (404)."""
        out = []
        for k in range(n):
            j = h(i * 97 + k, "r" + salt) % self.pages
            url = self.article_url(j)
            if h(i * 13 + k, "d" + salt) % 100_000 < self.dead_share * 100_000:
                url = f"/{COLUMNS[self.column_of(j)][0]}/old/t{j}.html"  # dead: removed article
            out.append((url, SENTENCES[j % len(SENTENCES)][:16]))
        return out

    def text(self, i: int, n: int) -> str:
        return "".join(f"<p>{SENTENCES[h(i * 31 + k, 's') % len(SENTENCES)]}</p>" for k in range(n))

    def home(self) -> bytes:
        latest = "".join(f"<li><a href='{self.article_url(i)}'>{SENTENCES[i % len(SENTENCES)][:18]}</a></li>"
                         for i in range(min(30, self.pages)))
        cols = "".join(f"<a href='/{c}/'>{name}</a>"
                       for c, name in [*COLUMNS, *([self.SCRIPT_COL] if self.script_pages else [])])
        return self.wrap("首页", f"<div class='cols'>{cols}</div><ul class='latest'>{latest}</ul>"
                                 "<img src='/images/banner.jpg' alt='横幅'>")

    def column_page(self, col: int, page: int) -> bytes | None:
        ids = list(range(col, self.pages, len(COLUMNS)))
        chunk = ids[page * self.per_list:(page + 1) * self.per_list]
        if not chunk and page:
            return None
        base = f"/{COLUMNS[col][0]}/"
        items = "".join(f"<li><a href='{self.article_url(i)}'>{SENTENCES[h(i, 't') % len(SENTENCES)][:20]}</a>"
                        f"<span>{2020 + i % 6}-{(i % 12) + 1:02d}-{(i % 28) + 1:02d}</span></li>" for i in chunk)
        pager = ""
        if (page + 1) * self.per_list < len(ids):
            pager = f"<a href='{base}index_{page + 1}.html'>下一页</a>"
        return self.wrap(COLUMNS[col][1], f"<h2>{COLUMNS[col][1]}</h2><ul>{items}</ul>{pager}")

    def article(self, i: int) -> bytes:
        rel_n = 10 + h(i, "n") % 16  # 10-25 related links, plus ~15 in nav/foot/body
        related = [f"<li><a href='{url}'>{label}</a></li>" for url, label in self.related(i, rel_n)]
        attach = ""
        if i % 20 == 0:
            attach = f"<a href='{self.ext_base}/files/{i % 50}.pdf'>附件下载</a>"
        return self.wrap(SENTENCES[h(i, 't') % len(SENTENCES)][:20],
                         f"<h1>{SENTENCES[h(i, 't') % len(SENTENCES)][:20]}</h1><div class='info'>发布时间："
                         f"{2020 + i % 6}-{(i % 12) + 1:02d}-{(i % 28) + 1:02d}</div>{self.text(i, 18 + i % 10)}"
                         f"{attach}<ul class='related'>{''.join(related)}</ul>")

    # 领导信箱: a message board of one message per 100 articles, 25 a list page (index_N.html),
    # each message on its own page with labelled fields; states cycle through answered, open and
    # forwarded, so interaction_unanswered has work on a big site (a fifth are open, some for years).
    BOARD = "hdjl/ldxx"

    def messages(self) -> int:
        return self.pages // 100

    def message(self, i: int) -> tuple[str, str, str, str]:
        """(title, asked, state, reply) of message ``i``."""
        asked = f"{2020 + i % 6}-{(i % 12) + 1:02d}-{(i % 28) + 1:02d}"
        state = ("已回复", "已回复", "已办结", "办理中", "已转办")[i % 5]
        reply = f"{2020 + i % 6}-{(i % 12) + 1:02d}-{min(28, (i % 28) + 1 + i % 7):02d}" if i % 5 < 3 else ""
        return f"关于{SENTENCES[h(i, 'm') % len(SENTENCES)][:12]}的来信", asked, state, reply

    def board_page(self, page: int) -> bytes | None:
        chunk = list(range(page * self.per_list, min(self.messages(), (page + 1) * self.per_list)))
        if not chunk and page:
            return None
        rows = "".join(f"<li><a href='/{self.BOARD}/m{i}.html'>{t}</a><span>[{st}]</span><span>{a}</span></li>"
                       for i in chunk for t, a, st, _ in [self.message(i)])
        pager = f"<a href='/{self.BOARD}/index_{page + 1}.html'>下一页</a>" \
            if (page + 1) * self.per_list < self.messages() else ""
        return self.wrap("领导信箱", f"<h2>领导信箱</h2><ul>{rows}</ul>{pager}")

    def message_page(self, i: int) -> bytes:
        title, asked, state, reply = self.message(i)
        answer = f"<p>答复时间：{reply}</p><p>答复内容：您好，来信反映的问题已转相关部门办理。</p>" if reply \
            else "<p>答复内容：暂无回复</p>"
        return self.wrap(title, f"<h1>{title}</h1><p>来信时间：{asked}</p><p>办理状态：{state}</p>{answer}")

    # The script-built column: frames filled by fetch() from JSON (list_N.json, aN.json).
    def script_lists(self) -> int:
        return (self.script_pages + self.per_list - 1) // self.per_list

    def script_list_page(self, page: int) -> bytes:
        base = f"/{self.SCRIPT_COL[0]}/"
        pager = f"<a href='{base}index_{page + 1}.html'>下一页</a>" if page + 1 < self.script_lists() else ""
        return self.wrap(self.SCRIPT_COL[1], f"<h2>{self.SCRIPT_COL[1]}</h2><ul id='list'></ul>{pager}"
                         f"<script>fetch('{base}data/list_{page}.json').then(r => r.json()).then(items => {{"
                         "document.getElementById('list').innerHTML = items.map(x => '<li><a href=\"' + x.url + "
                         "'\">' + x.title + '</a><span>' + x.date + '</span></li>').join('');});</script>")

    def script_list_json(self, page: int) -> bytes:
        chunk = range(page * self.per_list, min(self.script_pages, (page + 1) * self.per_list))
        return json.dumps([{"url": f"/{self.SCRIPT_COL[0]}/a{n}.html", "title": SENTENCES[h(n, "st") % len(SENTENCES)][:20],
                            "date": f"2026-{(n % 12) + 1:02d}-{(n % 28) + 1:02d}"} for n in chunk],
                          ensure_ascii=False).encode()

    def script_article(self, n: int) -> bytes:
        return self.wrap("数据发布", "<h1 id='t'></h1><div id='content'></div>"
                         f"<script>fetch('/{self.SCRIPT_COL[0]}/data/a{n}.json').then(r => r.json()).then(a => {{"
                         "document.getElementById('t').textContent = a.title;"
                         "document.getElementById('content').innerHTML = a.html;});</script>")

    def script_article_json(self, n: int) -> bytes:
        links = "".join(f"<li><a href='{url}'>{label}</a></li>"
                        for url, label in self.related(n, 10 + h(n, "sn") % 16, salt="s"))
        nxt = f"<a href='/{self.SCRIPT_COL[0]}/a{(n + 1) % self.script_pages}.html'>下一篇</a>"
        return json.dumps({"title": SENTENCES[h(n, "st") % len(SENTENCES)][:20],
                           "html": f"{self.text(n + 7919, 12)}<ul class='related'>{links}</ul>{nxt}"},
                          ensure_ascii=False).encode()

    def script_paths(self) -> list[str]:
        base = f"/{self.SCRIPT_COL[0]}/"
        if not self.script_pages:
            return []
        return ([base] + [f"{base}index_{p}.html" for p in range(1, self.script_lists())]
                + [f"{base}data/list_{p}.json" for p in range(self.script_lists())]
                + [f"{base}a{n}.html" for n in range(self.script_pages)]
                + [f"{base}data/a{n}.json" for n in range(self.script_pages)])

    _SCRIPT_PATH = re.compile(r"(index_|data/list_|a|data/a)(\d+)\.(html|json)")

    def _script_route(self, rest: str) -> tuple[int, bytes, str] | None:
        if rest in ("", "index.html"):
            return 200, self.script_list_page(0), "text/html; charset=utf-8"
        m = self._SCRIPT_PATH.fullmatch(rest)
        if not m:
            return None
        kind, n = m.group(1) + "." + m.group(3), int(m.group(2))
        lists, pages = self.script_lists(), self.script_pages
        make = {"index_.html": (lists, self.script_list_page), "data/list_.json": (lists, self.script_list_json),
                "a.html": (pages, self.script_article), "data/a.json": (pages, self.script_article_json)}.get(kind)
        if make is None or n >= make[0]:
            return None
        return 200, make[1](n), "application/json" if kind.endswith("json") else "text/html; charset=utf-8"

    def render(self, path: str) -> tuple[int, bytes, str]:
        path = path.split("?")[0]
        if path == "/":
            return 200, self.home(), "text/html; charset=utf-8"
        if self.script_pages and path.startswith(f"/{self.SCRIPT_COL[0]}/"):
            hit = self._script_route(path[len(self.SCRIPT_COL[0]) + 2:])
            if hit:
                return hit
        if path.startswith(f"/{self.BOARD}/"):
            rest = path[len(self.BOARD) + 2:]
            if rest in ("", "index.html") or (rest.startswith("index_") and rest.endswith(".html")):
                body = self.board_page(int(rest[6:-5] or 0) if rest.startswith("index_") else 0)
                if body:
                    return 200, body, "text/html; charset=utf-8"
            if rest.startswith("m") and rest.endswith(".html") and rest[1:-5].isdigit() \
                    and int(rest[1:-5]) < self.messages():
                return 200, self.message_page(int(rest[1:-5])), "text/html; charset=utf-8"
        if path.endswith((".css", ".js", ".jpg")):
            return 200, b"/* static */" * 20, "text/css" if path.endswith(".css") else "application/octet-stream"
        if path.endswith(".html") and "/t" in path and "/old/" not in path:
            try:
                i = int(path.rsplit("/t", 1)[1][:-5])
            except ValueError:
                i = -1
            if 0 <= i < self.pages and self.article_url(i) == path:
                return 200, self.article(i), "text/html; charset=utf-8"
        for col, (c, _) in enumerate(COLUMNS):
            if path == f"/{c}/":
                return 200, self.column_page(col, 0) or b"", "text/html; charset=utf-8"
            if path.startswith(f"/{c}/index_") and path.endswith(".html"):
                body = self.column_page(col, int(path[len(c) + 8:-5] or 0))
                if body:
                    return 200, body, "text/html; charset=utf-8"
        if path in ("/wzdt/", "/lxwm/"):
            return 200, self.wrap("网站地图", "<p>网站地图</p>"), "text/html; charset=utf-8"
        return 404, self.wrap("404 Not Found", "<p>您访问的页面不存在</p>"), "text/html; charset=utf-8"


class ExtSite:
    def render(self, path: str) -> tuple[int, bytes, str]:
        if path.startswith("/files/") and path.endswith(("3.pdf", "7.pdf")):
            return 404, b"not found", "text/plain"
        if path.startswith("/files/"):
            return 200, b"%PDF-1.4\n" + b"0" * 2000, "application/pdf"
        return 200, b"<html><head><title>external</title></head><body>ok</body></html>", "text/html"


class _Server(ThreadingMixIn, HTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        super().server_bind()


def _serve(host: str, port: int, kind: str, pages: int, ext_base: str) -> None:
    site = Site(pages, ext_base) if kind == "site" else ExtSite()

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            status, body, ctype = site.render(self.path)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_HEAD = do_GET

    _Server((host, port), H).serve_forever()


def free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def site_paths(site: Site) -> list[str]:
    """Every address the generated site serves (for writing it out as static files)."""
    paths = ["/", "/wzdt/", "/lxwm/", "/css/main.css", "/js/jquery.min.js", "/images/banner.jpg"]
    for col, (c, _) in enumerate(COLUMNS):
        paths.append(f"/{c}/")
        n_ids = len(range(col, site.pages, len(COLUMNS)))
        paths += [f"/{c}/index_{p}.html" for p in range(1, (n_ids + site.per_list - 1) // site.per_list)]
    paths += [site.article_url(i) for i in range(site.pages)]
    paths += [f"/{Site.BOARD}/"] + [f"/{Site.BOARD}/index_{p}.html" for p in
                                    range(1, (site.messages() + site.per_list - 1) // site.per_list)]
    paths += [f"/{Site.BOARD}/m{i}.html" for i in range(site.messages())]
    return paths + site.script_paths()


def start_nginx(site: Site, port: int, tmp: Path, workers: int) -> subprocess.Popen[bytes]:
    """Write the site as static files and serve them with nginx on 127.0.0.1:port."""
    root = tmp / "www"
    for path in site_paths(site):
        status, body, _ = site.render(path)
        target = root / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    (root / "404.html").write_bytes(site.render("/no/such/page.html")[1])
    return serve_folder(root, port, tmp, workers)


def serve_folder(root: Path, port: int, tmp: Path, workers: int = 1) -> subprocess.Popen[bytes]:
    """Serve the static files under ``root`` with nginx on 127.0.0.1:port (``/404.html`` for
    what is missing, when the folder has one); nginx's own files go to ``tmp`` (bench._nginx)."""
    root.chmod(0o755)  # nginx workers run as an unprivileged user: mkdtemp's 0700 would be a 403
    server = f"server {{ listen 127.0.0.1:{port}; root {root}; index index.html; error_page 404 /404.html; }}"
    return _nginx.start(tmp, server, ("127.0.0.1", port), workers)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=5000, help="articles in the generated site (default 5000)")
    ap.add_argument("--server", choices=("nginx", "python"), default="nginx",
                    help="nginx (Debian's, installed when missing; the site written as static files) or the "
                         "multi-process Python server generating pages on the fly (default nginx: it leaves the "
                         "CPU to the crawler)")
    ap.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--max-pages", type=int, default=0,
                    help="crawl budget (default: the whole site). With --pages 100000 --max-pages 10000 the crawler "
                         "knows ~92,000 URLs after 10,000 pages: the memory case without a 30-minute run")
    ap.add_argument("--max-links-checked", type=int, default=200000)
    ap.add_argument("--no-browser", action="store_true",
                    help="crawl.auto_render_share = 0: no page is re-fetched through Chromium (memory without the "
                         "browser)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (store, reports)")
    args = ap.parse_args()

    port, ext_port = free_port("127.0.0.1"), free_port("127.0.0.2")
    ext_base = f"http://127.0.0.2:{ext_port}"
    tmp = Path(tempfile.mkdtemp(prefix="zhaocuo-bench-"))
    servers = [Process(target=_serve, args=("127.0.0.2", ext_port, "ext", 0, ""), daemon=True)]
    nginx: subprocess.Popen[bytes] | None = None
    if args.server == "nginx":
        t0 = time.monotonic()
        nginx = start_nginx(Site(args.pages, ext_base), port, tmp, args.workers)
        print(f"nginx serves the generated site (written in {time.monotonic() - t0:.1f} s)", flush=True)
    else:
        servers += [Process(target=_serve, args=("127.0.0.1", port, "site", args.pages, ext_base), daemon=True)
                    for _ in range(args.workers)]
    for p in servers:
        p.start()
    time.sleep(0.5)

    import audits

    others = [m.META.name for m in audits.all_audits() if m.META.name != "dead_link"]
    profile = tmp / "bench.toml"
    profile.write_text(
        "[site]\nname = \"基准测试区\"\n"
        f"start_urls = [\"http://127.0.0.1:{port}/\"]\nown_site = true\n"
        f"[crawl]\nmax_pages = {args.max_pages or args.pages + 1000}\n"
        f"max_links_checked = {args.max_links_checked}\nconcurrency = {args.concurrency}\nper_host_concurrency = 16\n"
        "timeout_s = 20.0\n" + ("auto_render_share = 0.0\n" if args.no_browser else "") +
        f"[store]\npath = \"{tmp / 'bench.sqlite'}\"\n"
        "[ipv6]\nenabled = false\n"
        f"[audits]\ndisabled = {json.dumps(others, ensure_ascii=False)}\n", encoding="utf-8")
    out = tmp / "out"
    cmd = [sys.executable, "-m", "zhaocuo", "run", "--config", str(profile), "--out", str(out), "--no-mail"]
    print(f"site: http://127.0.0.1:{port}/ ({args.pages} articles), {os.cpu_count()} CPUs; running: {' '.join(cmd[2:])}",
          flush=True)
    peak = {"rss": 0, "pss": 0, "python": 0, "browser": 0}
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()

    def sample() -> None:
        """Peak memory of the CLI and all its children. RSS double-counts pages shared between
        processes (Chromium's many processes share most of theirs), so PSS is summed too."""
        parent = psutil.Process(proc.pid)
        while not stop.is_set():
            try:
                procs = [parent, *parent.children(recursive=True)]
                rss = pss = python = browser = 0
                for p in procs:
                    try:
                        info = p.memory_full_info()
                        name = p.name()
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        continue
                    rss += info.rss
                    pss += getattr(info, "pss", info.rss)
                    if name.startswith("python"):
                        python = max(python, info.rss)
                    else:  # the Playwright driver (node) and Chromium
                        browser += getattr(info, "pss", info.rss)
                peak["rss"] = max(peak["rss"], rss)
                peak["pss"] = max(peak["pss"], pss)
                peak["python"] = max(peak["python"], python)
                peak["browser"] = max(peak["browser"], browser)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
            time.sleep(0.25)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    stdout, stderr = proc.communicate()
    wall = time.monotonic() - started
    stop.set()
    t.join()
    for p in servers:
        if p.pid:
            os.kill(p.pid, signal.SIGTERM)
    if nginx is not None:
        nginx.terminate()
        nginx.wait(10)
    if proc.returncode not in (0, 1):
        print(stderr[-3000:], file=sys.stderr)
        return 1
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    crawl = summary.get("crawl", {})
    pages = summary["pages_crawled"]
    if pages == 0:
        print("nothing was crawled: the benchmark site did not answer\n" + stderr[-2000:], file=sys.stderr)
        return 1
    print(f"pages crawled      {pages}")
    print(f"URLs known         {crawl.get('urls_known')} (in the crawl child's frontier/seen set)")
    print(f"links checked      {summary['links_checked']} (checker child: {crawl.get('links_checked_by_checker')})")
    print(f"dead-link findings {summary['findings'].get('dead_link', 0)}")
    print(f"wall time          {wall:.1f} s end to end (crawl child {crawl.get('crawl_elapsed_s')} s, "
          f"link check {crawl.get('linkcheck_elapsed_s')} s)")
    print(f"pages/s            {pages / wall:.1f} end to end")
    cpu = crawl.get("crawl_cpu_s") or 0
    if cpu:
        print(f"crawl child CPU    {cpu} s = {pages / cpu:.0f} pages per CPU-second "
              f"(peak RSS {crawl.get('crawl_peak_rss_mb')} MB)")
    mb = 2**20
    print(f"peak memory        {peak['pss'] / mb:.0f} MB PSS summed over the CLI and all its children "
          f"(RSS sum {peak['rss'] / mb:.0f} MB); largest Python process {peak['python'] / mb:.0f} MB RSS; "
          f"browser (Playwright driver + Chromium) {peak['browser'] / mb:.0f} MB PSS")
    print(f"link-check child   CPU {crawl.get('linkcheck_cpu_s')} s, peak RSS {crawl.get('linkcheck_peak_rss_mb')} MB")
    print(f"auto-rendered      {crawl.get('auto_rendered', 0)} pages (script-built pages fetched again in Chromium)")
    print(f"load average       {os.getloadavg()[0]:.2f} (a shared machine: figures are noisy)")
    if args.keep:
        print(f"kept: {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
