"""The progress display: a live line on a terminal, plain lines when not on a terminal."""

from __future__ import annotations

import io

from crawler.progress import Progress


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_gets_one_live_line_rewritten_in_place() -> None:
    out = FakeTty()
    p = Progress("抓取 crawl", stream=out, interval=0)
    p.update(10, 5, 1)
    p.update(20, 3, 2)
    p.close(30, 0, 2)
    text = out.getvalue()
    assert text.count("\r\x1b[K") == 3 and text.endswith("\n") and text.count("\n") == 1
    assert "已完成 done 30" in text and "队列 queue 0" in text and "错误 errors 2" in text and "/s" in text


def test_non_terminal_gets_plain_lines_at_most_every_interval() -> None:
    out = io.StringIO()
    p = Progress("抓取 crawl", stream=out)  # not a tty: one line every 5 s at most
    for i in range(100):
        p.update(i, 100 - i, 0)
    p.close(100, 0, 0)
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert len(lines) == 2 and lines[0].startswith("抓取 crawl: 已完成 done 0") and "已完成 done 100" in lines[1]


def test_disabled_progress_prints_nothing() -> None:
    out = io.StringIO()
    p = Progress("x", enabled=False, stream=out)
    p.update(1, 1, 1, force=True)
    p.close(1, 1, 1)
    assert out.getvalue() == ""
