"""Store benchmark (a script, not a test): memory of what the dead_link audit reads.

    .venv/bin/python bench/store_bench.py                 # 100,000 link checks
    .venv/bin/python bench/store_bench.py --checks 20000

Writes a synthetic store in a temp dir through the store's own write API (``add_link_check``,
``add_links``, ``add_page``): one check per distinct URL as the crawler leaves them (most
answer 200 with a title and a snippet at the crawler's 2 KB cap, about 1% 404, a few soft 404s,
timeouts and redirect chains) and one link to each from 1,000 list pages. Then each
measurement runs in a fresh child process, so one peak cannot hide another, and prints its
peak RSS (``ru_maxrss``) and the growth over the RSS before loading:

- ``link_checks``: ``Crawl.link_checks()``, every check with its snippet in one dict (what
  dead_link read up to 2026-11).
- ``dead_link_checks``: ``dead_link.judge_checks()``, what dead_link reads now (one streaming
  pass; it keeps the checked URLs and the few dead checks only).
- ``audit``: the whole dead_link audit over the 100,000 links.

Measured 2026-11-27 on the shared 2-core machine (load ~1-4), 100,000 checks (432 MB store):
``link_checks`` +227 MB (peak 288 MB RSS); ``dead_link_checks`` +20 MB (peak 81 MB); the
whole audit +267 MB before the streaming change (peak 327 MB), +61 MB after (peak 122 MB).
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.spider import snippet  # noqa: E402 - after the sys.path line, so the script runs from anywhere
from zhaocuo.core.context import AuditContext  # noqa: E402
from zhaocuo.core.store import Link, LinkCheck, Page, SQLiteStore  # noqa: E402

SITE = "https://www.example.gov.cn"
MODES = ("link_checks", "dead_link_checks", "audit")
# Characters of ordinary government prose: the snippets are Chinese, as on a real site.
_HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研究"


def _text(rng: random.Random, chars: int) -> str:
    return "".join(rng.choices(_HAN, k=chars))


def build(folder: Path, n: int) -> Path:
    """A store with ``n`` link checks (and one link to each) written as the crawler writes them."""
    rng = random.Random(7)
    store = SQLiteStore(folder / "bench.sqlite")
    run_id, _ = store.begin_run()
    store.add_page(run_id, Page(url=SITE + "/", status=200, title="某区人民政府", text=_text(rng, 800)))
    store.add_page(run_id, Page(url=SITE + "/zhaocuo-404-probe.html", kind="notfound_probe", status=404,
                                title="404 Not Found", text="404 Not Found nginx"))
    store.add_link_check(run_id, LinkCheck(SITE + "/", status=200, final_url=SITE + "/", title="某区人民政府",
                                           snippet=snippet(_text(rng, 800)), content_type="text/html"))
    sources = [f"{SITE}/xwzx/zwyw/index_{i}.html" for i in range(1000)]
    links: list[Link] = []
    for i in range(n):
        url = f"{SITE}/zwgk/zcwj/{2015 + i % 10}{i % 12 + 1:02d}/t{20150101 + i}_{i:06d}.html"
        check = LinkCheck(url, status=200, final_url=url, method="GET", attempts=1, elapsed_ms=rng.randint(5, 900),
                          content_type="text/html; charset=utf-8", title=_text(rng, rng.randint(12, 40)),
                          snippet=snippet(_text(rng, 1500)))
        roll = i % 200
        if roll < 2:
            check.status, check.error_kind, check.title, check.snippet = 404, "http", "404 Not Found", "404 Not Found"
        elif roll == 2:
            check.title, check.snippet = "提示", "抱歉，您访问的页面不存在或已被删除！返回首页"
        elif roll == 3:
            check.status, check.error_kind, check.error, check.title, check.snippet = None, "timeout", "timeout", "", ""
        elif roll < 8:
            check.redirects = [url.replace("https:", "http:"), url]
        store.add_link_check(run_id, check)
        links.append(Link(sources[i % len(sources)], url, check.title[:20] or "附件", "a"))
        if len(links) >= 5000:
            store.add_links(run_id, links)
            links = []
            store.commit()
    store.add_links(run_id, links)
    store.finish_run(run_id, "complete")
    store.close()
    return folder / "bench.sqlite"


def measure(path: Path, mode: str) -> dict[str, Any]:
    """Load what ``mode`` names from the store at ``path`` and report the memory it took."""
    import audits.dead_link as dead_link

    store = SQLiteStore(path)
    crawl = store.crawl()
    profile: Any = SimpleNamespace(site=SimpleNamespace(start_urls=[SITE + "/"]))
    before = psutil.Process().memory_info().rss
    t0 = time.perf_counter()
    if mode == "link_checks":
        held: Any = crawl.link_checks()
        size = len(held)
    elif mode == "dead_link_checks":
        held = dead_link.judge_checks(crawl, dead_link._probes(crawl, profile))
        size = len(held.checked)
    else:
        held = list(dead_link.audit(AuditContext(crawl, profile, date(2026, 11, 27))))
        size = len(held)
    elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return {"mode": mode, "items": size, "seconds": round(elapsed, 2), "rss_before_mb": round(before / 2**20, 1),
            "peak_rss_mb": round(peak / 2**20, 1), "growth_mb": round((peak - before) / 2**20, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checks", type=int, default=100_000)
    parser.add_argument("--measure", choices=MODES, help=argparse.SUPPRESS)  # the child's side
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated: " + ", ".join(MODES))
    args = parser.parse_args()
    if args.measure:
        print(measure(args.store, args.measure))
        return
    with tempfile.TemporaryDirectory(prefix="zhaocuo-store-bench-") as tmp:
        t0 = time.perf_counter()
        path = build(Path(tmp), args.checks)
        print(f"store: {args.checks:,} link checks, {path.stat().st_size / 2**20:.1f} MB on disk, "
              f"written in {time.perf_counter() - t0:.1f} s")
        for mode in args.modes.split(","):
            out = subprocess.run([sys.executable, __file__, "--measure", mode, "--store", str(path)],
                                 capture_output=True, text=True)
            print(out.stdout.strip() or f"{mode}: failed\n{out.stderr.strip()[-2000:]}")


if __name__ == "__main__":
    main()
