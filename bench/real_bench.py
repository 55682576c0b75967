"""Benchmark of the audits on real government pages (../shared/realpages).

Real pages were written by no one on this project: on them, typo findings per 10,000
characters of distinct text is close to the false-alarm rate (the text is presumed correct as
published). For each site under ``realpages/pages/<site>/`` this script

1. serves the folder on loopback (a static server on 127.0.0.1, port from the OS),
2. writes a temporary profile naming that host:port (``check_external = false``, no browser),
   with ``--as-of`` a few days after the site's newest labelled date in ``labels.tsv``,
3. runs the real ``zhaocuo run --no-mail`` as a child process, and
4. prints the distinct characters of page text the proofreading read (summary.json's
   ``typo.chars_checked``) and typo / outdated_expression / privacy_leak / blank_column
   findings, raw and per 10,000 of those characters.

The text set (``realpages/text/hebei``, one official document per file) goes through the
real ``zhaocuo check-text`` (each distinct line once); its text findings are printed the same way,
with privacy_leak's number finder (audits.privacy_leak.find_personal, which check-text does not
run) over the same lines, each with the text above it in its file.

``--list AUDIT`` prints every finding of that audit (site and text set) with its words around,
for reading them one by one.

Labels (newest list date, item counts, article dates in labels.tsv) are checked by
``label_checks`` — the place to extend for the list/date audits.

Never copy realpages text into the project: it is read from ../shared at benchmark time.

    python bench/real_bench.py [--shared DIR] [--site NAME ...] [--no-text] [--keep DIR]
        [--config-extra TOML] [--check-text-arg ARG ...]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import functools
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # label_checks reads the store with this checkout's code, as the child runs do
SITE_AUDITS = ("typo", "outdated_expression", "privacy_leak", "blank_column", "interaction_unanswered",
               "interaction_slow")
TEXT_AUDITS = ("typo", "serious_error", "outdated_expression", "privacy_leak")
AS_OF_DAYS_AFTER = 5        # --as-of: this many days after the site's newest labelled date
RUN_TIMEOUT_S = 1800        # one site's zhaocuo run at most


def find_shared(given: str | None) -> Path | None:
    """``--shared DIR``, else ``../shared`` beside the repository root (for a git worktree, also
    beside the main checkout); None when absent."""
    if given:
        candidates = [Path(given)]
    else:
        candidates = [ROOT.parent / "shared"]
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            common = subprocess.run(["git", "rev-parse", "--path-format=absolute", "--git-common-dir"], cwd=ROOT,
                                    capture_output=True, text=True, timeout=10).stdout.strip()
            if common:
                candidates.append(Path(common).parent.parent / "shared")
    return next((p for p in candidates if (p / "realpages").is_dir()), None)


@dataclass
class Label:
    """One row of labels.tsv (columns kept as strings; empty means not labelled)."""

    file: str
    kind: str
    newest_date: str
    items: str
    title: str
    pub_date: str
    row: dict[str, str] = field(default_factory=dict)

    @property
    def site(self) -> str:
        return self.file.split("/")[1]

    @property
    def url_path(self) -> str:
        """The path the page is served at (labels name files as ``pages/<site>/<path>``)."""
        return "/" + self.file.split("/", 2)[2]


def read_labels(realpages: Path) -> list[Label]:
    with (realpages / "labels.tsv").open(encoding="utf-8", newline="") as fh:
        return [Label(r["file"], r["kind"], r.get("label_newest_date") or "", r.get("label_items") or "",
                      r.get("label_title") or "", r.get("label_pub_date") or "", r)
                for r in csv.DictReader(fh, delimiter="\t")]


def site_as_of(labels: list[Label], site: str) -> date:
    """A few days after the newest date labelled on the site (list or article)."""
    dates = [date.fromisoformat(d) for lb in labels if lb.site == site
             for d in (lb.newest_date, lb.pub_date) if d]
    if not dates:
        raise SystemExit(f"labels.tsv: no labelled date for site {site}")
    return max(dates) + timedelta(days=AS_OF_DAYS_AFTER)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 at a port the OS picks; yields ``host:port``."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def site_start_urls(folder: Path, base: str) -> list[str]:
    """The homepage first, then every saved page: the rip rewrote links to pages it did not save
    into ``javascript:;``, so some saved pages are linked from nowhere and would not be audited."""
    pages = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))
    home = "index.html" if "index.html" in pages else None
    ordered = ([f"{base}/"] if home else []) + [f"{base}/{p}" for p in pages if p != home]
    return ordered


def write_profile(path: Path, site: str, hostport: str, start_urls: list[str], extra: str = "") -> None:
    """A profile for one served site: everything on loopback, no browser, no outside links."""
    urls = ", ".join(json.dumps(u) for u in start_urls)
    path.write_text(f"""[site]
name = "{site}"
start_urls = [{urls}]
allowed_hosts = ["127.0.0.1"]
own_site = true

[crawl]
max_pages = 5000
max_depth = 10
concurrency = 8
per_host_concurrency = 8
timeout_s = 10.0
retries = 0
check_external = false
auto_render_share = 0.0

[[units]]
name = "{site}"
paths = ["/"]
{extra}
""", encoding="utf-8")


def zhaocuo_cmd() -> list[str]:
    return [sys.executable, "-m", "zhaocuo"]


def child_env() -> dict[str, str]:
    """This checkout's code first on the path (a worktree runs its own code, not main's)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


@dataclass
class SiteResult:
    site: str
    pages: int
    chars: int
    counts: Counter
    elapsed_s: float
    typo_chars_per_s: float | None
    typo_build_s: float | None
    out_dir: Path
    findings: list[dict]
    labels: list[str] = field(default_factory=list)


def run_site(realpages: Path, site: str, labels: list[Label], work: Path, extra: str = "") -> SiteResult:
    """Serve one site, run ``zhaocuo run`` over it, read summary.json and findings.jsonl."""
    folder = realpages / "pages" / site
    as_of = site_as_of(labels, site)
    out = work / site / "out"
    out.mkdir(parents=True, exist_ok=True)
    profile = work / site / "profile.toml"
    with serve(folder) as hostport:
        base = f"http://{hostport}"
        write_profile(profile, site, hostport, site_start_urls(folder, base), extra)
        started = time.monotonic()
        proc = subprocess.run(
            [*zhaocuo_cmd(), "run", "--config", str(profile), "--db", str(work / site / "store.sqlite"),
             "--out", str(out), "--as-of", as_of.isoformat(), "--no-mail"],
            cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
        elapsed = time.monotonic() - started
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"{site}: zhaocuo run exited {proc.returncode}")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    findings = [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines() if line]
    typo_stats = summary.get("typo") or {}
    result = SiteResult(site, int(summary.get("pages_crawled", 0)), int(typo_stats.get("chars_checked", 0)),
                        Counter(f["audit"] for f in findings), elapsed, typo_stats.get("chars_per_s"),
                        typo_stats.get("build_s"), out, findings)
    result.labels = label_checks(site, [lb for lb in labels if lb.site == site], result, base)
    return result


def label_checks(site: str, labels: list[Label], result: SiteResult, base: str) -> list[str]:
    """One line per label of ``site`` against what zhaocuo read from the run's store: for a list
    page, the newest date and the number of dated rows of that page (the reader the column audits
    use, audits._columns); for an article, its title (zhaocuo.core.htmlheur.article_title) and
    publication date (zhaocuo.core.dates.page_date, as every date audit reads it); for a policy,
    its 文号, title and date as audits._policy reads them. Ends with the count right."""
    from audits import _columns, _policy
    from zhaocuo.core.dates import page_date
    from zhaocuo.core.htmlheur import article_title
    from zhaocuo.core.profile import load_profile
    from zhaocuo.core.store import open_store

    store = open_store(str(result.out_dir.parent / "store.sqlite"))
    try:
        crawl = store.crawl()
        profile = load_profile(result.out_dir.parent / "profile.toml")
        as_of = site_as_of(labels, site)
        columns = _columns._discover(crawl, profile, as_of)
        lines, right = [], 0
        for lb in labels:
            url = base + lb.url_path
            page = crawl.page(url)
            if page is None:
                lines.append(f"  WRONG {lb.kind} {lb.url_path}: not crawled")
                continue
            checks: list[tuple[str, str, str]] = []  # (what, label, read)
            if lb.kind == "list":
                f = _columns._extract(_columns.norm_url(url), page.depth, page.title, page.text, page.html, profile,
                                      as_of, page.rendered, full=False)
                dated = f.dated if f else []
                newest = max((d for _, _, d in dated), default=None)
                checks += [("newest", lb.newest_date, newest.isoformat() if newest else "-"),
                           ("items", lb.items, str(len(dated)))]
                col = next((c for c in columns.columns if _columns.norm_url(url) in {_columns.norm_url(p) for p in
                                                                                   [c.url, *c.pages]}), None)
                where = f" [column {col.name!r}: {col.count} items, newest {col.newest.date if col.newest else '-'}]" \
                    if col else " [no column]"
            else:
                where = ""
                if lb.kind == "policy":
                    doc = _policy.parse_policy(page)
                    title = doc.title if doc else article_title(page.html, page.title)
                    day = (doc.published or doc.written) if doc else page_date(page.html, page.text, page.url, as_of)
                    if lb.row.get("label_doc_no"):
                        checks.append(("文号", lb.row["label_doc_no"], doc.doc_no if doc else "-"))
                else:
                    title = article_title(page.html, page.title)
                    day = page_date(page.html, page.text, page.url, as_of)
                checks += [("title", lb.title, title), ("date", lb.pub_date, day.isoformat() if day else "-")]
            ok = all(_same(what, want, got) for what, want, got in checks if want)
            right += ok
            shown = "; ".join(f"{what} {got!r}" + ("" if _same(what, want, got) else f" (label {want!r})")
                              for what, want, got in checks if want)
            lines.append(f"  {'right' if ok else 'WRONG'} {lb.kind} {lb.url_path}: {shown}{where}")
        lines.append(f"  labels right: {right}/{len(labels)}")
        return lines
    finally:
        store.close()


def _same(what: str, want: str, got: str) -> bool:
    """A label matches what was read; a title label cut with … matches the title it begins."""
    if what == "title":
        w, g = (re.sub(r"\s+", "", x) for x in (want, got))
        return g == w or (w.endswith("…") and g.startswith(w[:-1]))
    return want == got


def per10k(n: int, chars: int) -> str:
    return f"{n * 10000 / chars:.2f}" if chars else "-"


def print_site(r: SiteResult) -> None:
    parts = [f"{a} {r.counts.get(a, 0)} ({per10k(r.counts.get(a, 0), r.chars)}/10k)" for a in SITE_AUDITS]
    speed = (f", typo {r.typo_chars_per_s} chars per CPU-second (summary.json typo.chars_per_s: checking alone; "
             f"building the proofreader took {r.typo_build_s} CPU-s more)" if r.typo_chars_per_s else "")
    print(f"{r.site}: {r.pages} pages, {r.chars} distinct chars; " + "; ".join(parts)
          + f"  [{r.elapsed_s:.1f}s{speed}]", flush=True)
    for line in r.labels:
        print(line)
    print(interaction_line(r), flush=True)


def interaction_line(r: SiteResult) -> str:
    """互动回应: the boards and messages read, the channels and how they were judged, and the
    interaction findings (on these saved sites every one would be a false alarm: they were
    saved without their boards, and their mailbox links were rewritten to javascript:)."""
    summary = json.loads((r.out_dir / "summary.json").read_text(encoding="utf-8"))
    s = summary.get("interaction_unanswered") or {}
    mine = [f for f in r.findings if f["audit"] in ("interaction_unanswered", "interaction_slow")]
    return (f"  interaction: {s.get('boards_found', 0)} boards, {s.get('messages', 0)} messages, "
            f"channels {s.get('channels', {})}, uncheckable {[c['name'] for c in s.get('uncheckable', [])]}, "
            f"no_channel {s.get('no_channel')}; findings {len(mine)} "
            f"{[(f['audit'], f['url'], f['message'][:40]) for f in mine][:5]}")


@dataclass
class TextResult:
    files: int
    lines: int
    chars: int
    counts: Counter
    elapsed_s: float
    errors: list[tuple[str, dict]]


def distinct_text_lines(folder: Path) -> tuple[int, list[str]]:
    """Each distinct non-empty line of the text set's files, in file order."""
    files = sorted(folder.glob("*.txt"))
    seen: dict[str, None] = {}
    for path in files:
        for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
            line = raw.strip()
            if line:
                seen.setdefault(line)
    return len(files), list(seen)


def run_text(folder: Path, work: Path, args: list[str]) -> TextResult:
    """The text set through the real ``zhaocuo check-text`` (stdin, one line each)."""
    nfiles, lines = distinct_text_lines(folder)
    started = time.monotonic()
    proc = subprocess.run([*zhaocuo_cmd(), "check-text", *args, "-"], input="\n".join(lines) + "\n",
                          cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    elapsed = time.monotonic() - started
    if proc.returncode not in (0, 1):  # 1: errors found (a linter's exit status)
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"text set: zhaocuo check-text exited {proc.returncode}")
    errors = []
    for row in proc.stdout.splitlines():
        data = json.loads(row)
        for e in data["errors"]:
            errors.append((lines[data["line"] - 1], e))
    errors += text_privacy(folder)
    (work / "text-errors.jsonl").write_text(
        "".join(json.dumps({"line": line, **e}, ensure_ascii=False) + "\n" for line, e in errors), encoding="utf-8")
    return TextResult(nfiles, len(lines), sum(len(x) for x in lines), Counter(e["audit"] for _, e in errors),
                      elapsed, errors)


def text_privacy(folder: Path, before_chars: int = 80) -> list[tuple[str, dict]]:
    """privacy_leak's finder over the text set's distinct lines (each once, with the text above
    it in the file where it first stands, as the site audit reads a page)."""
    sys.path.insert(0, str(ROOT))  # this checkout's audits, not the installed one
    from audits.privacy_leak import find_personal

    as_of = date.today()
    seen: set[str] = set()
    out = []
    for path in sorted(folder.glob("*.txt")):
        above = ""
        for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
            line = raw.strip()
            if not line:
                continue
            before, above = above, (above + "\n" + line[-before_chars:])[-before_chars:]
            if line in seen:
                continue
            seen.add(line)
            for _, value, masked in find_personal(line, as_of, before):
                out.append((line, {"start": line.find(value[:6]), "text": masked, "suggestion": "",
                                   "audit": "privacy_leak"}))
    return out


def list_findings(audit: str, site: SiteResult | None = None, text: TextResult | None = None) -> None:
    """Every finding of ``audit`` with the words around it (for reading each one)."""
    if site is not None:
        for f in site.findings:
            if f["audit"] == audit:
                where = f["url"].split("/", 3)[-1][-48:]
                print(f"    [{audit}] {f['text']}  {(f.get('evidence') or '')[:50]}  /{where}")
    if text is not None:
        for line, e in text.errors:
            if e["audit"] == audit:
                s = max(0, e["start"])
                print(f"    [{audit}] {e['text']}  {line[max(0, s - 20):s + len(e['text']) + 12]}")


def print_text(r: TextResult, point: str = "") -> None:
    parts = [f"{a} {r.counts.get(a, 0)} ({per10k(r.counts.get(a, 0), r.chars)}/10k)" for a in TEXT_AUDITS]
    print(f"text/hebei{' (' + point + ')' if point else ''}: {r.files} files, {r.lines} distinct lines, {r.chars} chars; " + "; ".join(parts)
          + f"  [{r.elapsed_s:.1f}s]", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", help="the shared data folder (default: ../shared beside the repository)")
    ap.add_argument("--site", action="append", help="only this site (repeatable)")
    ap.add_argument("--no-text", action="store_true", help="skip the text set")
    ap.add_argument("--no-sites", action="store_true", help="skip the sites")
    ap.add_argument("--keep", help="keep the runs' outputs in this folder (default: a temporary one)")
    ap.add_argument("--config-extra", default="", help="TOML appended to each site's profile (e.g. a [text] section)")
    ap.add_argument("--check-text-arg", action="append", default=[], help="an argument passed to check-text")
    ap.add_argument("--show", type=int, default=0, help="print this many typo findings per site")
    ap.add_argument("--list", action="append", default=[], metavar="AUDIT",
                    help="print every finding of this audit with its context (repeatable)")
    args = ap.parse_args(argv)
    shared = find_shared(args.shared)
    if shared is None:
        print("real_bench: skipped — no shared data (../shared/realpages) beside the repository; use --shared DIR")
        return 0
    realpages = shared / "realpages"
    labels = read_labels(realpages)
    sites = args.site or sorted(p.name for p in (realpages / "pages").iterdir() if p.is_dir())
    print(f"real_bench: {realpages}  (load {os.getloadavg()[0]:.2f})", flush=True)
    with contextlib.ExitStack() as stack:
        work = Path(args.keep) if args.keep else Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="real_bench-")))
        work.mkdir(parents=True, exist_ok=True)
        if not args.no_sites:
            for site in sites:
                r = run_site(realpages, site, labels, work, args.config_extra)
                print_site(r)
                for f in [f for f in r.findings if f["audit"] == "typo"][:args.show]:
                    print(f"    {f['text']} -> {f['suggestion']}  {f.get('evidence', '')[:40]}")
                for audit in args.list:
                    list_findings(audit, site=r)
        if not args.no_text:
            # At the nightly audit's operating point (precision first), as the sites; then as an
            # editor's check-text draft (flags more) for comparison.
            t = run_text(realpages / "text" / "hebei", work, ["--operating-point", "audit", *args.check_text_arg])
            print_text(t, "audit point")
            if not args.check_text_arg:
                print_text(run_text(realpages / "text" / "hebei", work, ["--operating-point", "draft"]), "draft point")
            for line, e in [x for x in t.errors if x[1]["audit"] == "typo"][:args.show]:
                s = e["start"]
                print(f"    {e['text']} -> {e['suggestion']}  {line[max(0, s - 12):s + 14]}")
            for audit in args.list:
                list_findings(audit, text=t)
    print(f"real_bench: done (load {os.getloadavg()[0]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
