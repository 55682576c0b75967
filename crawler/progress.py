"""Progress of a crawl on stderr: a live line on a terminal, plain lines every few seconds
otherwise (cron mails and CI logs must not fill with carriage returns)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, label: str, enabled: bool = True, stream: TextIO | None = None,
                 interval: float | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = enabled
        try:
            self.tty = self.stream.isatty()
        except (AttributeError, ValueError):
            self.tty = False
        self.interval = interval if interval is not None else (0.25 if self.tty else 5.0)
        self.started = time.monotonic()
        self.last = 0.0
        self.shown = False

    def update(self, done: int, queued: int, errors: int, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self.last < self.interval:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        line = (f"{self.label}: 已完成 done {done} · 队列 queue {queued} · "
                f"{done / elapsed:.1f}/s · 错误 errors {errors}")
        if self.tty:
            self.stream.write("\r\x1b[K" + line)
            self.shown = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self, done: int, queued: int, errors: int) -> None:
        if not self.enabled:
            return
        self.update(done, queued, errors, force=True)
        if self.tty and self.shown:
            self.stream.write("\n")
            self.stream.flush()
