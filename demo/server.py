"""The demo site's web server: demo/site/ as files, plus a few dynamic routes, on loopback.

Files are served as they are, except that ``__DEAD_PORT__`` in a page becomes the number of
a loopback port nobody listens on (so a link to it is refused: a dead external link),
``__PORT__`` the server's own port, and any other ``__NAME__`` listed in ``fills`` its
value — which is how the site changes between the demo's two nights (a dead link present
on the earlier night only, so the later night reports it fixed). A path with no file answers
404 with the site's own not-found page (demo/site/404.html), like a real CMS.

Dynamic routes (redirects, …) live in ``ROUTES``: each audit may add its own there.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from demo import boards, cmsdemo

SITE = Path(__file__).resolve().parent / "site"
_UNFILLED = re.compile(rb"__[A-Z][A-Z0-9_]*__")

CONTENT_TYPES = {
    # No charset for HTML: the pages declare their own (one is GBK), as most CMSs do.
    ".html": "text/html", ".htm": "text/html", ".css": "text/css", ".js": "application/javascript",
    ".png": "image/png", ".jpg": "image/jpeg", ".gif": "image/gif", ".pdf": "application/pdf",
    ".doc": "application/msword", ".xls": "application/vnd.ms-excel", ".txt": "text/plain; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Route = Callable[[BaseHTTPRequestHandler], tuple[int, dict[str, str], bytes]]


def redirect(location: str, status: int = 302) -> Route:
    def route(_: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        return status, {"Location": location}, b""
    return route


# ===================== 动态路由 DYNAMIC ROUTES =====================
# 每个检查项可在此追加自己的演示路由（路径 → 处理函数）。Each audit may append its own routes.
ROUTES: dict[str, Route] = {
    # 重定向循环 a redirect loop: dead (链接不可用)
    "/hdjl/loop/a": redirect("/hdjl/loop/b"),
    "/hdjl/loop/b": redirect("/hdjl/loop/a"),
    # 旧地址 301 到仍然有效的页面: NOT dead (a look-alike the audit must leave alone)
    "/old/wjj/": redirect("/bm/wjj/", 301),
    # 互动交流的留言板 message boards (interaction_unanswered): demo/boards.py
    **boards.routes(),
    # 大汉栏目（dataproxy.jsp 分组，POST 与 GET）和 TRS 栏目（跳转根目录、createPageHTML 翻页）: demo/cmsdemo.py
    **cmsdemo.routes(),  # type: ignore[dict-item]
}
# =================== END 动态路由 DYNAMIC ROUTES ===================


def unused_port(host: str = "127.0.0.1") -> int:
    """A loopback port that is free now (nobody listens on it: connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class DemoServer:
    """``with DemoServer() as srv: srv.url("/")`` — serves the demo site until the block ends."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, root: Path = SITE,
                 fills: dict[str, str] | None = None) -> None:
        self.root = root.resolve()
        self.dead_port = unused_port(host)
        # Placeholder name (without the underscores) -> text; change it between requests
        # to change the site (the demo's "site edited between two nights").
        self.fills: dict[str, str] = dict(fills or {})
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "DemoCMS/1.0"

            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                outer.hits += 1
                path = unquote(urlsplit(self.path).path)
                route = ROUTES.get(path)
                answer = route(self) if route is not None else cmsdemo.article(self)
                status, headers, body = answer if answer is not None else outer.file(path)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_HEAD = do_POST = _answer  # POST: 大汉 dataproxy.jsp

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 128

        self.httpd = Server((host, port), Handler)
        self.host = host
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="demo-site", daemon=True)

    def file(self, path: str) -> tuple[int, dict[str, str], bytes]:
        target = (self.root / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        inside = target == self.root or self.root in target.parents
        if not inside or not target.is_file() or target.name == "404.html":
            return 404, {"Content-Type": "text/html"}, self._fill((self.root / "404.html").read_bytes())
        body = target.read_bytes()
        ctype = CONTENT_TYPES.get(target.suffix.lower(), "application/octet-stream")
        if ctype.startswith("text/html"):
            body = self._fill(body)
        return 200, {"Content-Type": ctype}, body

    def _fill(self, body: bytes) -> bytes:
        # ASCII placeholders: safe to replace in UTF-8 pages. (A GBK page must not use fills
        # with non-ASCII values: they are inserted as UTF-8.)
        body = body.replace(b"__DEAD_PORT__", str(self.dead_port).encode()).replace(b"__PORT__", str(self.port).encode())
        for name, value in self.fills.items():
            body = body.replace(f"__{name}__".encode("ascii"), value.encode("utf-8"))
        return _UNFILLED.sub(b"", body)  # a placeholder without a value this night: nothing

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def __enter__(self) -> DemoServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
