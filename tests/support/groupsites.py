"""Small test sites for site-group tests, served on loopback, every request timed.

``Recorder`` notes when each request arrived and finished at any of the servers and how many
were being answered at once, per host: what per-host politeness across workers is measured
from. A route may answer slowly (``delay_s``) so a crawl lasts long enough to be killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from tests.support.servers import LoopbackServer, Route

ROOT = Path(__file__).resolve().parent.parent.parent

LEADERS = [{"title": "区长", "name": "王建国"}]
VETO_SENTENCE = "副区长王建国到辖区企业检查安全生产。"  # a leader's wrong title: 严重表述错误 (single veto)


def page(title: str, body: str) -> str:
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"


@dataclass
class Recorder:
    events: list[tuple[float, float, str, str]] = field(default_factory=list)  # (arrived, done, host, path)
    in_flight: dict[str, int] = field(default_factory=dict)
    peak: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.events.clear()
            self.peak.clear()

    def handler(self, host: str, route: Route, delay_s: float):
        def serve(h: BaseHTTPRequestHandler) -> None:
            t0 = time.monotonic()
            with self.lock:
                self.in_flight[host] = self.in_flight.get(host, 0) + 1
                self.peak[host] = max(self.peak.get(host, 0), self.in_flight[host])
            try:
                if delay_s:
                    time.sleep(delay_s)
                body = route.body.encode("utf-8") if isinstance(route.body, str) else route.body
                h.send_response(route.status)
                h.send_header("Content-Type", route.content_type)
                h.send_header("Content-Length", str(len(body)))
                h.end_headers()
                if h.command != "HEAD":
                    h.wfile.write(body)
                h.wfile.flush()
            finally:
                with self.lock:
                    self.in_flight[host] -= 1
                    self.events.append((t0, time.monotonic(), host, h.path))
        return serve

    def gaps(self, host: str) -> list[float]:
        """Seconds between consecutive request arrivals at ``host`` (all its ports together)."""
        starts = sorted(e[0] for e in self.events if e[2] == host)
        return [b - a for a, b in zip(starts, starts[1:], strict=False)]


def site_routes(label: str, pages: int, veto: bool = False) -> dict[str, Route]:
    """A homepage, a column list and ``pages`` articles, one dead link; ``veto``: one article
    carries a serious wording error (the site fails the national check)."""
    links = "".join(f"<li><a href='/art/{i}.html'>{label}通知{i}</a></li>" for i in range(pages))
    routes = {
        "/": Route(body=page(f"{label}首页", f"<h1>{label}</h1><a href='/list.html'>通知公告</a>"
                                           f"<a href='/gone.html'>旧栏目</a><ul>{links}</ul>")),
        "/list.html": Route(body=page("通知公告", f"<ul>{links}</ul>")),
        "/robots.txt": Route(body="User-agent: *\nAllow: /\n", content_type="text/plain"),
    }
    for i in range(pages):
        text = f"<p>{label}第{i}篇：各单位认真落实工作要求，按期报送材料。</p>"
        if veto and i == 1:
            text += f"<p>{VETO_SENTENCE}</p>"
        routes[f"/art/{i}.html"] = Route(body=page(f"{label}通知{i}", text))
    return routes


def timed_server(rec: Recorder, routes: dict[str, Route], delay_s: float = 0.0, host: str = "127.0.0.1"
                 ) -> LoopbackServer:
    handlers = {path: rec.handler(host, r, delay_s) for path, r in routes.items()}
    handlers["*"] = rec.handler(host, Route(404, page("404", "页面不存在")), delay_s)
    return LoopbackServer(handlers, host=host)  # type: ignore[arg-type]


def start_worker(redis_url: str, db: str, name: str, lease_s: int = 3) -> subprocess.Popen[str]:
    """A real `zhaocuo worker`, in its own process group (a kill takes the whole of it)."""
    return subprocess.Popen([sys.executable, "-m", "zhaocuo", "worker", "--queue", redis_url, "--db", db,
                             "--name", name, "--heartbeat-s", "1", "--lease-s", str(lease_s)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def stop(proc: subprocess.Popen[str], timeout: float = 60) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        raise


def write_group(folder: Path, name: str, redis_url: str, store: str) -> Path:
    path = folder / "group.toml"
    path.write_text(f'[group]\nname = "{name}"\nsites = ["sites/*.toml"]\nqueue = "{redis_url}"\n'
                    f'store = "{store}"\nlocal_workers = 0\n', encoding="utf-8")
    return path
