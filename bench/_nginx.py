"""Debian's nginx as the benchmarks run it: installed when missing, one configuration, started
on loopback and waited for.

Benchmarks serve their generated sites with nginx rather than a Python server, so the server
does not take the CPU that the crawl being measured needs (two cores). Each benchmark says only
what differs: its ``server { … }`` blocks and how many worker processes.
"""

from __future__ import annotations

import os
import resource
import shutil
import socket
import subprocess
import time
from pathlib import Path


def ensure_nginx() -> str:
    """Debian's nginx, installed with apt when missing (its service is kept from starting:
    only our own loopback instance may run)."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if found:
        return found
    print("installing Debian's nginx (apt-get install nginx-light or nginx) …", flush=True)
    policy = Path("/usr/sbin/policy-rc.d")
    made_policy = not policy.exists()
    if made_policy:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        for pkg in ("nginx-light", "nginx"):
            if subprocess.run(["apt-get", "install", "-y", "-qq", pkg], env=env).returncode == 0:
                break
    finally:
        if made_policy:
            policy.unlink()
    return shutil.which("nginx") or "/usr/sbin/nginx"


def start(tmp: Path, servers: str, listen: tuple[str, int], workers: int = 1) -> subprocess.Popen[bytes]:
    """Start nginx with ``servers`` (its ``server { … }`` blocks) in the common configuration,
    its own files in ``tmp``, and return once ``listen`` accepts connections (10 s at most).

    Connections are many (linkinator opens over a thousand at once: at nginx's default 1,024
    most of its checks failed with "other side closed"), kept alive for an hour (a client may
    leave one idle for minutes), and nothing is logged but errors."""
    nginx = ensure_nginx()
    tmp.chmod(0o755)  # nginx workers run as an unprivileged user: mkdtemp's 0700 would be a 403
    files = min(40000, resource.getrlimit(resource.RLIMIT_NOFILE)[1])  # a connection is up to two files
    conf = tmp / "nginx.conf"
    conf.write_text(f"""
worker_processes {workers};
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
worker_rlimit_nofile {files};
events {{ worker_connections {files // 2}; }}
http {{
    types {{ text/html html; text/css css; application/javascript js; image/jpeg jpg; application/json json; }}
    default_type application/octet-stream;
    charset utf-8;
    access_log off;
    sendfile on;
    keepalive_requests 100000;
    keepalive_timeout 3600s;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
{servers}
}}
""")
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(listen) == 0:
                return proc
        if proc.poll() is not None:
            raise RuntimeError("nginx did not start: " + (proc.stderr.read() or b"").decode(errors="replace"))
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("nginx did not start within 10 s")
