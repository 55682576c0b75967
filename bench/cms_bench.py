"""CMS benchmark (a script, not a test): crawl throughput on a site built like the CMS families
against a plain-HTML site of the same size.

    .venv/bin/python bench/cms_bench.py [--records 2000] [--small 90] [--trs-articles 60]

The CMS site has 50 大汉 jcms columns (one with ``--records`` records, 49 with ``--small``; the first
group of 45 inline in the column page, every later group from ``/module/web/jpage/dataproxy.jsp`` by
POST) and 50 TRS columns (a meta-refresh channel root, list pages ``index_N.html`` named only by
``createPageHTML``, 20 rows a page). The plain site has the same 100 columns and the same articles,
its lists paged by ordinary ``<a>`` links (20 rows a page). Both are written as static files and
served by Debian's nginx on loopback (dataproxy.jsp proxied to a small Python server holding the
answers, as a real jsp is dynamic). The crawl alone runs (``crawler.site.gather``: the Scrapy child
process, no audits, no link check, no browser), and the script prints for each site: pages crawled,
requests (pages + dataproxy.jsp groups), records gathered, pages/s, requests per record, and the CMS
site's throughput as a share of the plain site's. The target: within 20%.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import _nginx  # noqa: E402
from bench.crawl_bench import free_port  # noqa: E402
from demo.cmssite import (  # noqa: E402
    DATAPROXY,
    Dataproxy,
    HanwebColumn,
    Record,
    hanweb_article_url,
    meta_refresh,
    read_request,
    trs_article_path,
    trs_list_page,
)

COLUMNS = 50            # of each family
TRS_PER_PAGE = 20
NEWEST = date(2026, 11, 18)
BODY = ("<p>为深入贯彻落实党中央、国务院决策部署，进一步优化营商环境，激发市场主体活力，区政府召开常务会议，"
        "研究部署下一阶段重点工作。</p><p>会议强调，要坚持以人民为中心的发展思想，扎实做好民生保障各项工作。"
        "各镇、街道，区直各部门要提高政治站位，压实工作责任，确保各项任务落到实处。</p>") * 4


def article(title: str, day: date) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<div class='nav'><a href='/'>首页</a></div><h1>{title}</h1><div>发布日期：{day.isoformat()}</div>"
            f"{BODY}</body></html>")


def plain_list(name: str, rows: list[tuple[str, str, date]], page: int, pages: int) -> str:
    items = "".join(f"<li><a href='{h}'>{t}</a><span>{d.isoformat()}</span></li>" for h, t, d in rows)
    pager = "".join(f"<a href='{'index.html' if p == 0 else f'index_{p}.html'}'>{p + 1}</a>" for p in range(pages))
    nxt = f"<a href='index_{page + 1}.html'>下一页</a>" if page + 1 < pages else ""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{name}</title></head><body>"
            f"<div class='position'>当前位置：<a href='/'>首页</a> &gt; {name}</div><ul>{items}</ul>"
            f"<div class='page'>{pager}{nxt}</div></body></html>")


class Sites:
    """The CMS site and the plain site, as {path: bytes} (plus the dataproxy answers)."""

    def __init__(self, records: int, small: int, trs_articles: int) -> None:
        self.hanweb: dict[int, HanwebColumn] = {}
        for c in range(COLUMNS):
            cid = 1000 + c
            n = records if c == 0 else small
            recs = [Record(hanweb_article_url(cid, cid * 10000 + i, NEWEST - timedelta(days=i % 900)),
                           f"大汉栏目{c}信息第{i + 1}条", NEWEST - timedelta(days=i % 900)) for i in range(n)]
            self.hanweb[cid] = HanwebColumn(cid, f"大汉栏目{c}", recs)
        self.trs: list[tuple[str, list[tuple[str, str, date]]]] = []
        for c in range(COLUMNS):
            rows = [(trs_article_path("./", NEWEST - timedelta(days=i * 3), 500000 + c * 1000 + i),
                     f"TRS栏目{c}信息第{i + 1}条", NEWEST - timedelta(days=i * 3)) for i in range(trs_articles)]
            self.trs.append((f"/trs{c}/", rows))

    @property
    def records(self) -> int:
        return sum(len(c.records) for c in self.hanweb.values()) + sum(len(r) for _, r in self.trs)

    def home(self) -> str:
        links = "".join(f"<li><a href='{c.path}'>{c.name}</a></li>" for c in self.hanweb.values())
        links += "".join(f"<li><a href='{root}'>TRS栏目{i}</a></li>" for i, (root, _) in enumerate(self.trs))
        return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>基准区</title></head><body><ul class='nav'>{links}</ul></body></html>"

    def articles(self) -> dict[str, str]:
        out = {r.url: article(r.title, r.day) for c in self.hanweb.values() for r in c.records}
        for root, rows in self.trs:
            out.update({f"{root}list/{h[2:]}": article(t, d) for h, t, d in rows})
        return out

    def cms_files(self) -> dict[str, str]:
        files = {"/index.html": self.home(), **self.articles()}
        for c in self.hanweb.values():
            files[c.path] = c.page()
        for i, (root, rows) in enumerate(self.trs):
            files[root + "index.html"] = meta_refresh("./list/")
            pages = -(-len(rows) // TRS_PER_PAGE)
            for p in range(pages):
                name = "index.html" if p == 0 else f"index_{p}.html"
                files[f"{root}list/{name}"] = trs_list_page(f"TRS栏目{i}", rows[p * TRS_PER_PAGE:(p + 1) * TRS_PER_PAGE],
                                                            p, pages)
        return files

    def plain_files(self) -> dict[str, str]:
        files = {"/index.html": self.home(), **self.articles()}
        lists = [(c.path.rsplit("/", 1)[0] + "/", c.name, [(r.url, r.title, r.day) for r in c.records])
                 for c in self.hanweb.values()]
        lists += [(root, f"TRS栏目{i}", [(f"{root}list/{h[2:]}", t, d) for h, t, d in rows])
                  for i, (root, rows) in enumerate(self.trs)]
        for folder, name, rows in lists:
            pages = -(-len(rows) // TRS_PER_PAGE)
            for p in range(pages):
                files[folder + ("index.html" if p == 0 else f"index_{p}.html")] = plain_list(
                    name, rows[p * TRS_PER_PAGE:(p + 1) * TRS_PER_PAGE], p, pages)
        return files


def write_site(files: dict[str, str], root: Path) -> None:
    for path, body in files.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")


def start_nginx(root: Path, port: int, tmp: Path, upstream: int | None) -> subprocess.Popen[bytes]:
    proxy = (f"location = {DATAPROXY} {{ proxy_pass http://127.0.0.1:{upstream}; proxy_http_version 1.1; "
             "proxy_set_header Connection \"\"; }") if upstream else ""
    server = f"server {{ listen 127.0.0.1:{port}; root {root}; index index.html; {proxy} }}"
    return _nginx.start(tmp, server, ("127.0.0.1", port))


def start_dataproxy(proxy: Dataproxy) -> tuple[ThreadingHTTPServer, int]:
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a: object) -> None:
            pass

        def answer(self) -> None:
            status, ctype, body = proxy(*read_request(self))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def crawl(name: str, port: int, tmp: Path, concurrency: int) -> dict[str, object]:
    from crawler import site
    from zhaocuo.core.profile import load_profile
    from zhaocuo.core.store import SQLiteStore

    profile_path = tmp / f"{name}.toml"
    profile_path.write_text(
        f"[site]\nname = \"{name}\"\nstart_urls = [\"http://127.0.0.1:{port}/\"]\nown_site = true\n"
        f"[crawl]\nmax_pages = 100000\nmax_depth = 10\nconcurrency = {concurrency}\nper_host_concurrency = 16\n"
        "timeout_s = 20.0\nauto_render_share = 0.0\n"
        f"[store]\npath = \"{tmp / (name + '.sqlite')}\"\n", encoding="utf-8")
    profile = load_profile(profile_path)
    store = SQLiteStore(profile.default_store_path())
    run_id, _ = store.begin_run(resume=False)
    t0 = time.monotonic()
    stats = site.gather(profile, store, run_id, False)
    wall = time.monotonic() - t0
    store.finish_run(run_id, "complete", stats)
    return {"wall": wall, "pages": int(stats.get("pages_crawled", 0)), "cms": stats.get("cms") or {},
            "elapsed": stats.get("crawl_elapsed_s"), "cpu": stats.get("crawl_cpu_s")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=2000, help="records of the big 大汉 column (default 2000)")
    ap.add_argument("--small", type=int, default=90, help="records of each other 大汉 column (default 90)")
    ap.add_argument("--trs-articles", type=int, default=60, help="articles of each TRS column (default 60)")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    sites = Sites(args.records, args.small, args.trs_articles)
    tmp = Path(tempfile.mkdtemp(prefix="zhaocuo-cms-bench-"))
    tmp.chmod(0o755)  # nginx workers run as an unprivileged user
    results = {}
    print(f"cms_bench: {COLUMNS} 大汉 columns ({args.records} records in one, {args.small} in each other), "
          f"{COLUMNS} TRS columns ({args.trs_articles} articles each): {sites.records} records; "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}", flush=True)
    try:
        for name, files in (("plain", sites.plain_files()), ("cms", sites.cms_files())):
            root = tmp / name / "www"
            write_site(files, root)
            proxy = Dataproxy(sites.hanweb)
            server, upstream = start_dataproxy(proxy) if name == "cms" else (None, None)
            port = free_port("127.0.0.1")
            nginx = start_nginx(root, port, tmp / name, upstream)
            try:
                r = crawl(name, port, tmp / name, args.concurrency)
            finally:
                nginx.terminate()
                nginx.wait(10)
                if server is not None:
                    server.shutdown()
                    server.server_close()
            if not r["pages"]:
                raise SystemExit(f"cms_bench: nothing crawled on the {name} site (see {tmp / name}/nginx-error.log)")
            groups = int(r["cms"].get("requests", 0)) if isinstance(r["cms"], dict) else 0  # type: ignore[union-attr]
            requests = int(r["pages"]) + groups
            results[name] = r
            wall = float(r["wall"])  # type: ignore[arg-type]
            print(f"{name:5}: {r['pages']} pages + {groups} dataproxy.jsp requests = {requests} requests for "
                  f"{sites.records} records in {wall:.1f} s (crawl child {r['elapsed']} s, CPU {r['cpu']} s): "
                  f"{int(r['pages']) / wall:.1f} pages/s, {requests / wall:.1f} requests/s, "
                  f"{sites.records / wall:.1f} records/s, {requests / sites.records:.3f} requests per record "
                  f"({(requests - sites.records) / sites.records:.3f} for the lists, articles aside); "
                  f"cms stats {r['cms']}", flush=True)
            if name == "cms":
                big = [c for m, s, c in proxy.hits if c == 1000]
                print(f"       the {args.records}-record 大汉 column: {len(big)} dataproxy.jsp requests "
                      f"(methods {sorted({m for m, _, _ in proxy.hits})})", flush=True)
        plain, cms = results["plain"], results["cms"]
        share = (sites.records / float(cms["wall"])) / (sites.records / float(plain["wall"]))  # type: ignore[arg-type]
        print(f"throughput (records/s) of the CMS site: {share * 100:.0f}% of the plain site's "
              f"(target ≥ 80%); load {os.getloadavg()[0]:.2f}")
    finally:
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
