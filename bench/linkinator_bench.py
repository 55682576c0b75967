"""Side by side with linkinator (a script, not a test): the whole nightly run against the link
checker users compare it with, on the same site, in one benchmark run.

    .venv/bin/python bench/linkinator_bench.py [--pages 6300] [--script-pages 300] [--dead-share 0.0032]

The site is crawl_bench.py's generated district site (its generator, its nginx set-up and its
"external" server on 127.0.0.2 are imported from there): about 7,000 pages, among them a
300-page column (数据发布) whose lists and articles are built by fetch() from JSON, and about
5% of the distinct URLs it links dead (removed articles, two missing attachments). Both tools
run against the same nginx on loopback, one after the other:

- linkinator (npm, pinned; installed into the running venv's folder on first use, with a line
  saying so, and nothing else is downloaded): ``linkinator URL --recurse --format json``;
- ``zhaocuo run`` with the default profile (every audit, automatic rendering of script-built
  pages), only ``[ipv6] enabled = false`` (its probe would look names up outside loopback),
  ``own_site`` and a store in the temporary folder.

Printed: each tool's wall time and the ratio (target: zhaocuo ≤ 2 × linkinator), and what
each found — distinct dead URLs found against those planted, split by whether a checker
that runs no script can see them (the script-built column's links exist only after its
fetch() ran), and dead URLs reported that were not planted (false alarms).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from multiprocessing import Process
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._measure import MB, run_measured  # noqa: E402
from bench.crawl_bench import ExtSite, Site, _serve, free_port, site_paths, start_nginx  # noqa: E402

LINKINATOR = {20: "7.6.1", 18: "6.1.4"}  # pinned per Node.js major (7.x needs Node 20)
_LINK = re.compile(r"""(?:href|src)=['"]([^'"]+)['"]""")


def node_major() -> int:
    try:
        out = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return 0
    return int(out.strip().lstrip("v").split(".")[0])


def ensure_linkinator() -> tuple[Path, str]:
    """linkinator's executable, installed with npm (pinned) into the venv running this script
    (or the temporary folder outside a venv) when missing; Debian's nodejs and npm with apt
    when those are missing."""
    if not shutil.which("npm") or node_major() < 18:
        print("installing Debian's nodejs and npm (apt-get install nodejs npm) …", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "nodejs", "npm"], check=True, env=env)
    version = LINKINATOR[20 if node_major() >= 20 else 18]
    base = Path(sys.prefix) if sys.prefix != sys.base_prefix else Path(tempfile.gettempdir())
    folder = base / f"linkinator-{version}"
    exe = folder / "node_modules" / ".bin" / "linkinator"
    if not exe.exists():
        print(f"installing linkinator {version} from the npm registry into {folder} "
              f"(npm install linkinator@{version}; nothing else is downloaded) …", flush=True)
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--loglevel=error",
                        f"linkinator@{version}"], check=True)
    return exe, version


def planted(site: Site, base: str) -> tuple[dict[str, bool], int]:
    """(dead, linked): every distinct URL the site links (href/src in its HTML, and in the script-built column's
    JSON) that does not work → True when a page's HTML as served shows it (a checker that runs
    no script can see it), False when only the column's fetch() puts it on a page; and how many
    distinct URLs the site links in all."""
    ext = ExtSite()
    seen: dict[str, bool] = {}
    for path in site_paths(site):
        status, body, ctype = site.render(path)
        if path.endswith(".json"):
            data = json.loads(body)
            found = [x["url"] for x in data] if isinstance(data, list) else _LINK.findall(data["html"])
            static = False
        elif ctype.startswith("text/html") and status == 200:
            found, static = _LINK.findall(body.decode()), True
        else:
            continue
        for url in found:
            absolute = url if url.startswith("http") else base + url
            seen[absolute] = seen.get(absolute, False) or static
    dead = {}
    for url, static in seen.items():
        if url.startswith(site.ext_base):
            status = ext.render(url[len(site.ext_base):])[0]
        else:
            status = site.render(url[len(base):])[0]
        if status >= 400:
            dead[url] = static
    return dead, len(seen)


def compare(name: str, found: dict[str, str], dead: dict[str, bool]) -> str:
    """One line: planted dead URLs found (by where they stand) and URLs reported dead that work,
    with the reasons given for those (``found``: URL → status or error kind)."""
    static = {u for u, s in dead.items() if s}
    scripted = set(dead) - static
    false = Counter(why for url, why in found.items() if url not in dead)
    return (f"{name:<11} dead URLs found {len(found.keys() & dead.keys())} of {len(dead)} planted "
            f"({len(found.keys() & static)} of {len(static)} in served HTML, {len(found.keys() & scripted)} of "
            f"{len(scripted)} only in the script-built column); working URLs reported dead: {sum(false.values())}"
            + (f" ({', '.join(f'{why}: {n}' for why, n in false.most_common(4))})" if false else ""))


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=6300, help="ordinary articles (default 6300: ~7,000 pages in all)")
    ap.add_argument("--script-pages", type=int, default=300, help="articles in the script-built column (default 300)")
    ap.add_argument("--dead-share", type=float, default=0.0032,
                    help="share of related-article links that are dead (default 0.0032: ~5%% of distinct URLs)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (site, store, reports)")
    args = ap.parse_args()

    exe, version = ensure_linkinator()
    port, ext_port = free_port("127.0.0.1"), free_port("127.0.0.2")
    ext_base, base = f"http://127.0.0.2:{ext_port}", f"http://127.0.0.1:{port}"
    site = Site(args.pages, ext_base, dead_share=args.dead_share, script_pages=args.script_pages)
    tmp = Path(tempfile.mkdtemp(prefix="zhaocuo-linkinator-"))
    ext = Process(target=_serve, args=("127.0.0.2", ext_port, "ext", 0, ""), daemon=True)
    ext.start()
    nginx = start_nginx(site, port, tmp, 1)
    try:
        dead, linked = planted(site, base)
        pages = sum(1 for p in site_paths(site) if not p.endswith((".json", ".css", ".js", ".jpg")))
        print(f"site {base}/: {pages} pages ({args.script_pages} script-built articles and their lists), "
              f"{linked} distinct URLs linked, {len(dead)} of them dead "
              f"({len(dead) / linked:.1%}; {sum(1 for s in dead.values() if not s)} only in the "
              f"script-built column); {os.cpu_count()} CPUs", flush=True)

        print(f"uptime before linkinator: {uptime()}", flush=True)
        report = tmp / "linkinator.json"
        started = time.monotonic()
        with open(report, "w", encoding="utf-8") as out:
            lk = subprocess.run([str(exe), f"{base}/", "--recurse", "--format", "json"], stdout=out,
                                stderr=subprocess.PIPE, text=True, timeout=3600)
        lk_wall = time.monotonic() - started
        print(f"uptime after linkinator:  {uptime()}", flush=True)
        try:
            lk_links = json.loads(report.read_text(encoding="utf-8")).get("links", [])
        except json.JSONDecodeError:
            print(f"linkinator wrote no JSON (exit {lk.returncode}): {lk.stderr[-2000:]}", file=sys.stderr)
            return 1
        lk_pages = len({x["url"] for x in lk_links if x.get("url", "").startswith(base) and x.get("state") == "OK"
                        and not x["url"].endswith((".css", ".js", ".jpg"))})
        lk_dead = {x["url"]: f"status {x.get('status')}" for x in lk_links if x.get("state") == "BROKEN"}

        profile = tmp / "site.toml"
        profile.write_text(f"[site]\nname = \"基准测试区\"\nstart_urls = [\"{base}/\"]\nown_site = true\n"
                           f"[store]\npath = \"{tmp / 'zhaocuo.sqlite'}\"\n[ipv6]\nenabled = false\n", encoding="utf-8")
        out_dir = tmp / "out"
        cmd = [sys.executable, "-m", "zhaocuo", "run", "--config", str(profile), "--out", str(out_dir), "--no-mail"]
        print(f"uptime before zhaocuo:    {uptime()}", flush=True)
        done, zc_wall, peak = run_measured(cmd, cwd=ROOT, timeout=3600)
        print(f"uptime after zhaocuo:     {uptime()}", flush=True)
        if done.returncode not in (0, 1):
            print(done.stderr[-3000:], file=sys.stderr)
            return 1
        summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
        zc_dead: dict[str, str] = {}
        with open(out_dir / "findings.jsonl", encoding="utf-8") as fh:
            for line in fh:
                finding = json.loads(line)
                if finding.get("audit") == "dead_link":
                    zc_dead[finding["target"]] = finding.get("message", "")[:40]
        crawl = summary.get("crawl", {})

        print(f"linkinator {version}: {lk_wall:.1f} s, {lk_pages} pages of the site seen, {len(lk_links)} links "
              f"reported (exit {lk.returncode})")
        print(f"zhaocuo run: {zc_wall:.1f} s, {summary['pages_crawled']} pages crawled "
              f"({crawl.get('auto_rendered', 0)} rendered in the browser), {summary['links_checked']} links checked, "
              f"every audit; crawl {crawl.get('crawl_elapsed_s')} s, link check {crawl.get('linkcheck_elapsed_s')} s; "
              f"exit {done.returncode}; peak {peak.pss / MB:.0f} MB PSS summed")
        ratio = zc_wall / lk_wall if lk_wall else float("inf")
        print(f"ratio        zhaocuo / linkinator = {ratio:.2f} (target ≤ 2.00: {'met' if ratio <= 2 else 'NOT met'})")
        print(compare("linkinator", lk_dead, dead))
        print(compare("zhaocuo", zc_dead, dead))
        print(f"load average {os.getloadavg()[0]:.2f} (a shared machine: figures are noisy)")
        return 0
    finally:
        nginx.terminate()
        nginx.wait(10)
        ext.terminate()
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
