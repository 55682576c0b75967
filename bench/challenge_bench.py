"""Anti-bot challenge recogniser on real pages (a script, not a test): how many real government
pages it would take for a gateway's challenge, and what it costs per response.

    .venv/bin/python bench/challenge_bench.py [--pages ../shared/realpages/pages]

Every HTML file under ``--pages`` (real pages of three government sites, never copied into the
project) is given to ``crawler.challenge.from_response`` as if it had been served with each
status a challenge comes with (200, 202, 403, 412, 503, 521). Every hit is a false positive —
the pages are ordinary pages — and is printed with its path. Then the time per call on those
pages (the byte test every response passes, and the full recognition). Recall is measured
by the tests on loopback imitations of 瑞数 412 and 加速乐 521 (tests/support/antibot.py); no
real challenge page is at hand to measure it on.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.challenge import STATUSES, from_response, maybe_challenge  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", default=str(ROOT.parent / "shared" / "realpages" / "pages"))
    args = ap.parse_args()
    files = sorted(Path(args.pages).rglob("*.htm*"))
    if not files:
        print(f"no HTML files under {args.pages}", file=sys.stderr)
        return 2
    bodies = [(f, f.read_bytes()) for f in files]
    small = sum(1 for _, b in bodies if len(b) <= 64 * 1024)
    print(f"pages: {len(bodies)} ({small} of at most 64 KB), statuses tried: {sorted(STATUSES)}")
    hits = 0
    for status in sorted(STATUSES):
        found = [(f, c) for f, b in bodies if (c := from_response(status, b, "text/html")) is not None]
        hits += len(found)
        passed_bytes = sum(1 for _, b in bodies if maybe_challenge(status, b))
        print(f"  HTTP {status}: passed the byte test {passed_bytes}, recognised as a challenge {len(found)}")
        for f, c in found[:10]:
            print(f"    false positive: {f.relative_to(args.pages)} → {c.vendor} known={c.known}")
    started = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for _, b in bodies:
            from_response(200, b, "text/html")
    per_200 = (time.perf_counter() - started) / (rounds * len(bodies)) * 1e6
    started = time.perf_counter()
    for _ in range(rounds):
        for _, b in bodies:
            from_response(403, b, "text/html")
    per_403 = (time.perf_counter() - started) / (rounds * len(bodies)) * 1e6
    print(f"time per response: {per_200:.1f} µs as HTTP 200, {per_403:.1f} µs as HTTP 403")
    print(f"false positives in all: {hits}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
