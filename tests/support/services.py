"""Real PostgreSQL and Redis servers (Debian's) for tests and benchmarks, on loopback.

Each server lives in a fresh temporary folder (data, socket, log), listens on 127.0.0.1 on a
port the OS reported free, and is stopped and deleted when the ``with`` ends — also when the
test fails. The server process is also told to die with the process that started it
(PR_SET_PDEATHSIG), so a killed pytest leaves no server behind. PostgreSQL refuses to run as
root: as root it runs as the ``postgres`` user Debian's package creates (``initdb`` into a
folder handed to that user).

``available()`` says why a server cannot be started here (for a skip reason), or "".
"""

from __future__ import annotations

import ctypes
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.servers import reserved_port

PG_USER = "zhaocuo"  # the cluster's superuser, as the contract's example URL names it
PG_DB = "zhaocuo"


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return found[-1] if found else shutil.which(name)


_LIBC = ctypes.CDLL("libc.so.6", use_errno=True)


def _pdeathsig(sig: int) -> None:
    """In the child before exec (nothing imported there: as another user it may read no module)."""
    _LIBC.prctl(1, sig)  # PR_SET_PDEATHSIG


def pg_available() -> str:
    if not _pg_bin("initdb") or not _pg_bin("postgres"):
        return "PostgreSQL is not installed (make installs Debian's postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run PostgreSQL as"
    return ""


def redis_available() -> str:
    return "" if shutil.which("redis-server") else "redis-server is not installed (make installs Debian's redis-server)"


def _wait_port(port: int, proc: subprocess.Popen[bytes], log: Path, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout} s")


def _stop(proc: subprocess.Popen[bytes], sig: int) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


class PostgresServer:
    """``with PostgresServer() as pg: pg.url`` — a throwaway cluster with database ``zhaocuo``."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="zhaocuo-pg-"))
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/{PG_DB}"

    def __enter__(self) -> PostgresServer:
        try:
            self._start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start(self) -> None:
        as_user: dict[str, object] = {}
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.folder, pw.pw_uid, pw.pw_gid)
            as_user = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}
        data, log = self.folder / "data", self.folder / "server.log"
        subprocess.run([_pg_bin("initdb"), "-D", str(data), "-U", PG_USER, "--auth=trust", "-E", "UTF8",
                        "--locale=C.UTF-8", "-N"], check=True, capture_output=True, timeout=120, cwd=self.folder,
                       **as_user)  # type: ignore[arg-type]
        for _ in range(5):  # a port free a moment ago may be taken by another test's server
            self.port = reserved_port()
            with open(log, "wb") as out:
                self.proc = subprocess.Popen(
                    [_pg_bin("postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(self.port),
                     "-k", str(self.folder), "-c", "fsync=off", "-c", "synchronous_commit=off",
                     "-c", "full_page_writes=off", "-c", "max_connections=200"],
                    stdout=out, stderr=subprocess.STDOUT, cwd=self.folder,
                    preexec_fn=lambda: _pdeathsig(signal.SIGQUIT), **as_user)  # type: ignore[arg-type]
            try:
                _wait_port(self.port, self.proc, log, "postgres")
                break
            except RuntimeError:
                _stop(self.proc, signal.SIGQUIT)
                if "could not bind" not in log.read_text(errors="replace"):
                    raise
        import psycopg

        for _ in range(100):  # listening is not yet accepting logins
            try:
                with psycopg.connect(f"postgresql://{PG_USER}@127.0.0.1:{self.port}/postgres", autocommit=True) as c:
                    c.execute(f"CREATE DATABASE {PG_DB}")
                return
            except psycopg.OperationalError:
                time.sleep(0.1)
        raise RuntimeError("postgres did not accept connections")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            _stop(self.proc, signal.SIGINT)  # fast shutdown
        shutil.rmtree(self.folder, ignore_errors=True)


class RedisServer:
    """``with RedisServer() as r: r.url`` — a throwaway Redis (no persistence) on loopback."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="zhaocuo-redis-"))
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    def url_for(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    @property
    def url(self) -> str:
        return self.url_for(0)

    def __enter__(self) -> RedisServer:
        log = self.folder / "redis.log"
        try:
            for _ in range(5):
                self.port = reserved_port()
                with open(log, "wb") as out:
                    self.proc = subprocess.Popen(
                        ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
                         "--save", "", "--appendonly", "no", "--unixsocket", str(self.folder / "redis.sock")],
                        stdout=out, stderr=subprocess.STDOUT, cwd=self.folder,
                        preexec_fn=lambda: _pdeathsig(signal.SIGTERM))
                try:
                    _wait_port(self.port, self.proc, log, "redis-server")
                    return self
                except RuntimeError:
                    _stop(self.proc, signal.SIGTERM)
                    if "Address already in use" not in log.read_text(errors="replace"):
                        raise
            raise RuntimeError("redis-server found no free port")
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            _stop(self.proc, signal.SIGTERM)
        shutil.rmtree(self.folder, ignore_errors=True)
