"""Pieces for IPv6 tests: ports free on both loopbacks, a v6 listener that never answers, and
a stored crawl written directly (pages + links under a run) for the IPv6 probe to read."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.support.profiles import write_profile
from tests.support.servers import hold_port, reserved_port
from zhaocuo.core.profile import Profile, load_profile
from zhaocuo.core.store import Link, Page, SQLiteStore


def dual_reserved_port() -> int:
    """A port reserved on 127.0.0.1 and on ::1 (tests.support.servers.reserved_port), so a v4 and
    a v6 server can share it (one URL) and nothing else can take it meanwhile."""
    for _ in range(50):
        port = reserved_port("127.0.0.1")
        try:
            hold_port("::1", port)
        except OSError:
            continue  # taken on ::1: keep the v4 one held (harmless) and try another
        return port
    raise RuntimeError("no port free on both 127.0.0.1 and ::1")


class SilentListener:
    """Accepts TCP connections (the kernel completes the handshake) and never answers:
    what a firewall that drops HTTP after the handshake, or a hung v6 front end, looks like."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the port may be reserved (held)
        self.sock.bind((host, port))
        self.sock.listen(16)

    def __enter__(self) -> SilentListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def stored_crawl(folder: Path, profile_data: dict, pages: dict[str, list[tuple[str, str]]]
                 ) -> tuple[Profile, SQLiteStore, int]:
    """A profile and a store holding one running crawl run: ``pages`` maps each crawled page
    URL to its links as (target, tag)."""
    profile = load_profile(write_profile(folder, profile_data))
    store = SQLiteStore(profile.default_store_path())
    run_id, _ = store.begin_run("test", resume=False)
    for url, links in pages.items():
        store.add_page(run_id, Page(url=url, status=200, title=url, kind="html"))
        store.add_links(run_id, [Link(source=url, target=t, tag=tag) for t, tag in links])
    store.commit()
    return profile, store, run_id
