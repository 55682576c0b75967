"""Real HTTP servers on loopback for tests: routes are data, handlers are plain functions.

``Route`` answers with a fixed status/headers/body; a callable route receives the
``BaseHTTPRequestHandler`` and answers itself (for 429-then-200, resets, hangs, …).
Every server binds 127.0.0.1 (or ::1) on a free port and stops when the ``with`` ends.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Route:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"


Handler = Callable[[BaseHTTPRequestHandler], None]


def send_route(h: BaseHTTPRequestHandler, route: Route) -> None:
    """Answer the request ``h`` handles with ``route`` (status, headers, body; no body for HEAD)."""
    body = route.body.encode("utf-8") if isinstance(route.body, str) else route.body
    h.send_response(route.status)
    for k, v in {"Content-Type": route.content_type, **route.headers}.items():
        h.send_header(k, v)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


class LoopbackServer:
    """``with LoopbackServer({"/": Route(body="<html>…")}) as srv: srv.url("/")``"""

    def __init__(self, routes: dict[str, Route | Handler] | None = None, root: Path | None = None,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self.routes = routes or {}
        self.root = root
        self.host = host
        self.hits: list[tuple[str, str]] = []  # (method, path) in arrival order
        server = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _serve(self) -> None:
                server.hits.append((self.command, self.path))
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
                if route is None and server.root is not None:
                    route = server._file_route(self.path)
                if route is None:
                    route = server.routes.get("*") or Route(404, "<html><body>Not Found</body></html>")
                if callable(route):
                    route(self)
                    return
                send_route(self, route)

            do_GET = do_HEAD = do_POST = _serve

        family = socket.AF_INET6 if ":" in host else socket.AF_INET

        class S(_Server):
            address_family = family

        self.httpd = S((host, port), H)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _file_route(self, path: str) -> Route | None:
        assert self.root is not None
        rel = path.split("?")[0].lstrip("/")
        target = (self.root / rel).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not str(target).startswith(str(self.root.resolve())) or not target.is_file():
            return None
        ctype = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf", ".png": "image/png",
                 ".jpg": "image/jpeg", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 ".txt": "text/plain; charset=utf-8", ".js": "application/javascript",
                 ".css": "text/css"}.get(target.suffix, "application/octet-stream")
        return Route(200, target.read_bytes(), content_type=ctype)

    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base + path

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# Sockets that hold reserved ports until the test process ends (see reserved_port).
_HELD: list[socket.socket] = []


def hold_port(host: str, port: int = 0) -> int:
    """Bind ``host:port`` (0: any) with SO_REUSEADDR and keep it bound, never listening, for the
    rest of the test process; returns the port. See reserved_port."""
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
    except OSError:
        s.close()
        raise
    _HELD.append(s)
    return int(s.getsockname()[1])


def dead_udp_port(host: str = "127.0.0.1") -> int:
    """A UDP port on ``host`` that is bound for the whole test process and never read: a name
    server there never answers (the query waits for its timeout), and no other process — a
    dnsmasq of another test — can bind it and start answering."""
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, 0))
    _HELD.append(s)
    return int(s.getsockname()[1])


def reserved_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that stays ours for the whole test process, so it cannot race.

    The port is bound (SO_REUSEADDR) and never listens: the kernel gives it to no other socket
    of any process, a server of ours that sets SO_REUSEADDR (http.server, aiosmtpd, Redis,
    PostgreSQL, dnsmasq all do) can still bind and listen on it, and while none does, a
    connection to it is refused — a dead port that no other test can bring to life."""
    return hold_port(host)
