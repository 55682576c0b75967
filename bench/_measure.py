"""What the benchmarks share: a process tree's peak memory, sampled while a command runs.

RSS summed over processes counts pages shared between them (Chromium's processes share most
of theirs) once per process and so overstates; PSS splits shared pages between the processes
that map them. Both are reported; the server under test is never counted (it is not a child
of the measured command).
"""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import psutil

MB = 2**20


@dataclass
class Peak:
    rss: int = 0        # RSS summed over the tree
    pss: int = 0        # PSS summed over the tree
    python: int = 0     # the largest Python process (RSS)
    browser: int = 0    # Playwright's driver and Chromium (PSS)
    processes: int = 0  # most processes seen at once
    samples: list[tuple[float, int]] = field(default_factory=list)  # (seconds, PSS) every sample

    def line(self) -> str:
        return (f"{self.pss / MB:.0f} MB PSS summed over all processes (RSS summed {self.rss / MB:.0f} MB; "
                f"largest Python process {self.python / MB:.0f} MB RSS; browser {self.browser / MB:.0f} MB PSS; "
                f"up to {self.processes} processes)")


def run_measured(cmd: list[str], interval: float = 0.25, timeout: float | None = None,
                 **popen: Any) -> tuple[subprocess.CompletedProcess[str], float, Peak]:
    """Run ``cmd`` to its end, sampling the memory of it and all its descendants; returns
    (the finished process with stdout/stderr, wall seconds, the peaks)."""
    peak = Peak()
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)
    stop = threading.Event()

    def sample() -> None:
        try:
            parent = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not stop.is_set():
            try:
                procs = [parent, *parent.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            rss = pss = python = browser = 0
            for p in procs:
                try:
                    info = p.memory_full_info()
                    name = p.name()
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
                if name.startswith("python"):
                    python = max(python, info.rss)
                else:
                    browser += getattr(info, "pss", info.rss)
            peak.rss, peak.pss = max(peak.rss, rss), max(peak.pss, pss)
            peak.python, peak.browser = max(peak.python, python), max(peak.browser, browser)
            peak.processes = max(peak.processes, len(procs))
            peak.samples.append((round(time.monotonic() - started, 2), pss))
            stop.wait(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        for child in psutil.Process(proc.pid).children(recursive=True):
            child.kill()
        proc.kill()
        stdout, stderr = proc.communicate()
    wall = time.monotonic() - started
    stop.set()
    thread.join()
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr), wall, peak
