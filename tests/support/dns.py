"""A real DNS server on loopback for tests: dnsmasq, started per test with its own records.

``with Dnsmasq(hosts={"www.test.gov.cn": ["127.0.0.1", "::1"]}) as dns: dns.nameserver``
gives "127.0.0.1:PORT" for the profile's ``dns.nameservers``. Nothing is forwarded off the
machine (``--no-resolv``): names not listed answer REFUSED, unless their domain is made local
with ``extra=[local_domain("example.cn")]`` (then NXDOMAIN, and NODATA for a missing type).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.support.servers import reserved_port


def dnsmasq_path() -> str:
    path = shutil.which("dnsmasq") or ("/usr/sbin/dnsmasq" if Path("/usr/sbin/dnsmasq").exists() else None)
    if not path:
        pytest.fail("dnsmasq is not installed: run `make test` (it installs Debian's dnsmasq)")
    return path


class Dnsmasq:
    def __init__(self, hosts: dict[str, list[str]] | None = None, extra: list[str] | None = None) -> None:
        self.hosts = hosts or {}
        self.extra = extra or []
        self.port = reserved_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.tmp = tempfile.TemporaryDirectory()

    @property
    def nameserver(self) -> str:
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> Dnsmasq:
        args = [dnsmasq_path(), "--keep-in-foreground", "--no-resolv", "--no-hosts", "--no-daemon",
                "--conf-file=/dev/null", f"--port={self.port}", "--listen-address=127.0.0.1",
                "--bind-interfaces", "--user=root", "--group=root", f"--pid-file={self.tmp.name}/pid", "--log-facility=-",
                # the readiness probe below asks for a .invalid name: answer it (NXDOMAIN)
                # instead of REFUSED, which is what dnsmasq --no-resolv says to unknown names
                local_domain("invalid")]
        for name, addrs in self.hosts.items():
            args.append("--host-record=" + ",".join([name, *addrs]))
        args += self.extra
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        import dns.resolver

        r = dns.resolver.Resolver(configure=False)
        r.nameservers = ["127.0.0.1"]
        r.port = self.port
        r.lifetime = 0.5
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("dnsmasq exited: " + (self.proc.stderr.read() or b"").decode(errors="replace"))
            try:
                r.resolve("zhaocuo-probe.invalid", "A")
            except dns.resolver.NXDOMAIN:
                return self
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.05)
                continue
            return self
        self.__exit__()  # __exit__ is not called when __enter__ raises: do not leak the process
        raise RuntimeError("dnsmasq did not start within 10 s")

    def __exit__(self, *exc: object) -> None:
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.tmp.cleanup()


# -- extra record kinds, as dnsmasq options for ``Dnsmasq(extra=[...])`` ------------------------

def local_domain(domain: str) -> str:
    """Answer every name under ``domain`` locally: NXDOMAIN for unknown names and an empty
    answer (NODATA) for a known name without the asked type, instead of dnsmasq's REFUSED."""
    return f"--local=/{domain}/"


def cname(alias: str, target: str) -> str:
    """A CNAME record; chains are built from several (alias → mid, mid → target)."""
    return f"--cname={alias},{target}"


def ns_record(zone: str, nameserver: str) -> str:
    """An NS record of ``zone`` (dnsmasq serves it as a raw RR in wire format)."""
    labels = nameserver.rstrip(".").split(".")
    wire = b"".join(bytes([len(label)]) + label.encode("ascii") for label in labels) + bytes(1)
    return f"--dns-rr={zone},2,{wire.hex()}"
