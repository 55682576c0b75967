"""Benchmark of the proofreading engine, through ``zhaocuo check-text`` itself.

Runs the real command (``zhaocuo check-text - --config PROFILE``, one sentence a line) over
ECSpell odw.train (official-document writing, ``N_ERRORS<TAB>SOURCE<TAB>TARGET``, in
../shared/benchmarks) and, with ``--sighan``, pycorrector's SIGHAN-15 test file, scores its
JSON output and prints per engine:

- lenient sentence detection (the issue's measure): a sentence with an error counts as found
  when any flag lands in it; any flag in a clean sentence is a false alarm: precision, recall;
- right correction: the share of found sentences whose every flag is on a wrong character and
  suggests the right one;
- strict detection (flagged positions == wrong positions, as in SIGHAN), flagged characters,
  false alarms per clean sentence;
- the command's CPU seconds (loading included), and the engine's own speed: characters per
  CPU-second of ``Proofreader.check`` in this process, one core, loading not counted (the median
  of ``--speed-passes`` passes, each with models and proofreader built anew).

Engines: ``draft`` (what check-text runs: the "draft" operating point), ``audit`` (the nightly
site audit's point, ``--operating-point audit``), ``thorough`` (draft plus the sound-alike pass,
``--thorough``). The language model is the install-time one unless ``--lm-from DIR`` names a
folder of text: then ``zhaocuo build-lm --from DIR`` builds a model into a temporary folder
first (e.g. ``--lm-from ../shared/corpora/official``: what an official corpus gives; the model
is deleted afterwards and never committed). ``--threshold`` and ``--tune KEY=VALUE`` set the
operating point through the profile (``[text] lm_threshold``, ``[text] lm_tuning``).
``--split even|odd`` keeps only the even (tuning) or odd (held-out) lines.

    python bench/text_bench.py [--engine draft|audit|thorough|all] [--lm-from DIR]
        [--threshold T] [--tune KEY=VALUE ...] [--split all|even|odd] [--sighan] [--shared DIR]
        [--speed-passes N] [--no-speed]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.real_bench import find_shared  # noqa: E402  (../shared, also beside a worktree's main checkout)

TARGETS = ("targets on odw.train (draft point, official-corpus model): lenient P >= 0.90 with R >= 0.70, "
           "right correction >= 0.80 of found sentences; the audit point >= 100,000 chars per CPU-second")


def odw_path(shared: Path | None) -> Path | None:
    return shared / "benchmarks" / "ecspell-odw" / "odw.train" if shared else None


# odw.train, as the project's other scripts (bench/fit_soundalike.py) find it.
ODW = odw_path(find_shared(None)) or ROOT.parent / "shared" / "benchmarks" / "ecspell-odw" / "odw.train"


def sighan_path() -> Path:
    import pycorrector

    return Path(pycorrector.__file__).parent / "data" / "sighan2015_test.tsv"


def read_pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            parts = parts[1:]
        if len(parts) != 2:
            continue
        pairs.append((parts[0], parts[1]))
    return pairs


def score(pairs: list[tuple[str, str]], predictions: list[list[dict]]) -> dict[str, float]:
    """The figures of the module docstring from each sentence's errors (check-text's keys)."""
    flagged = err_sents = found = right = tp = clean = clean_flagged = skipped = 0
    pos_flagged = pos_right = pos_gold = 0
    for (src, tgt), errors in zip(pairs, predictions, strict=True):
        if len(src) != len(tgt):
            skipped += 1
            continue  # length-changing edits: outside a character-substitution benchmark
        gold = {i for i, (a, b) in enumerate(zip(src, tgt, strict=True)) if a != b}
        pred: dict[int, str] = {}
        for e in errors:
            if e["audit"] not in ("typo", "serious_error"):
                continue  # outdated agency names are not spelling errors in these corpora
            for k, ch in enumerate(e["text"]):
                sug = e["suggestion"][k] if len(e["suggestion"]) == len(e["text"]) else ""
                if ch != sug:
                    pred[e["start"] + k] = sug
        pos_flagged += len(pred)
        pos_right += len(set(pred) & gold)
        pos_gold += len(gold)
        err_sents += bool(gold)
        clean += not gold
        if not pred:
            continue
        flagged += 1
        if not gold:
            clean_flagged += 1
            continue
        found += 1
        right += all(i in gold and tgt[i] == s for i, s in pred.items())
        tp += set(pred) == gold
    return {
        "sentences": len(pairs), "skipped": skipped, "with_errors": err_sents, "clean": clean, "flagged": flagged,
        "found": found, "right": right, "tp": tp, "clean_flagged": clean_flagged,
        "lenient_precision": found / flagged if flagged else 0.0,
        "lenient_recall": found / err_sents if err_sents else 0.0,
        "right_correction": right / found if found else 0.0,
        "strict_precision": tp / flagged if flagged else 0.0,
        "strict_recall": tp / err_sents if err_sents else 0.0,
        "char_precision": pos_right / pos_flagged if pos_flagged else 0.0,
        "char_recall": pos_right / pos_gold if pos_gold else 0.0,
        "false_alarm_rate": clean_flagged / clean if clean else 0.0,
    }


def run_check_text(pairs: list[tuple[str, str]], profile: Path, engine: str) -> tuple[list[list[dict]], float]:
    """``zhaocuo check-text - --config PROFILE`` on one sentence a line: each line's errors and
    the command's CPU seconds (loading included)."""
    text = "".join(src.replace("\n", " ") + "\n" for src, _ in pairs)
    args = [sys.executable, "-m", "zhaocuo", "check-text", "-", "--config", str(profile)]
    args += {"draft": [], "audit": ["--operating-point", "audit"], "thorough": ["--thorough"]}[engine]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(args, input=text, capture_output=True, text=True, encoding="utf-8", cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"check-text failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    if [o["line"] for o in lines] != list(range(1, len(pairs) + 1)):
        raise SystemExit("check-text did not answer one line per sentence")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return [o["errors"] for o in lines], cpu


def engine_speed(pairs: list[tuple[str, str]], profile: Path, engine: str, repeats: int = 1) -> tuple[list[float], float]:
    """(characters per CPU-second of Proofreader.check, one figure per pass; seconds to build
    models and proofreader, the first time) in this process, with the profile check-text was given.

    Each pass builds its models and proofreader anew, as a run does, so no pass reads what an
    earlier one remembered (the proofreader's per-run memos start empty): the passes differ only
    by what else the machine was doing, and ``repeats`` of them give a median that moves less
    with the load than one pass of about a second."""
    from audits._models import Models
    from audits._proofread import Proofreader
    from zhaocuo.core.profile import load_profile

    speeds, build_s = [], 0.0
    for n in range(repeats):
        started = time.perf_counter()
        checker = Proofreader(load_profile(profile), models=Models(), thorough=engine == "thorough",
                              point="audit" if engine == "audit" else "draft")
        if n == 0:
            build_s = time.perf_counter() - started
        cpu = 0.0
        for src, _ in pairs:
            t0 = time.process_time()
            checker.check(src)
            cpu += time.process_time() - t0
        speeds.append(sum(len(src) for src, _ in pairs) / cpu if cpu else 0.0)
        del checker
    return speeds, build_s


def write_profile(folder: Path, lm: Path | None, threshold: float | None, tuning: dict[str, float]) -> Path:
    lines = ["[site]", 'start_urls = ["http://127.0.0.1/"]', "", "[text]"]
    if lm:
        lines.append(f"lm = {json.dumps(str(lm))}")
    if threshold is not None:
        lines.append(f"lm_threshold = {threshold}")
    if tuning:
        lines.append("lm_tuning = {" + ", ".join(f"{k} = {v}" for k, v in tuning.items()) + "}")
    path = folder / "bench-profile.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@contextlib.contextmanager
def built_model(source: str | None) -> Iterator[Path | None]:
    """``zhaocuo build-lm --from SOURCE`` into a temporary folder (deleted afterwards)."""
    if not source:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="zhaocuo-bench-lm-") as tmp:
        out = Path(tmp) / "model.klm"
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "zhaocuo", "build-lm", "--out", str(out), "--from", source],
                              capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        if proc.returncode != 0:
            raise SystemExit(f"build-lm failed: {proc.stderr[-2000:]}")
        print(f"model built by zhaocuo build-lm --from {source}: {out.stat().st_size / 1e6:.1f} MB in "
              f"{time.monotonic() - started:.0f} s ({proc.stdout.strip()})", flush=True)
        yield out


def report(name: str, split: str, engine: str, model: str, r: dict[str, float], cpu: float,
           speeds: list[float] | None, build_s: float | None) -> str:
    target = name.startswith("odw")
    ok = r["lenient_precision"] >= 0.9 and r["lenient_recall"] >= 0.7 and r["right_correction"] >= 0.8
    lines = [
        f"{name}, {split} lines — engine: {engine} (via zhaocuo check-text), model: {model}",
        f"  {r['sentences']} sentences: {r['with_errors']} with errors, {r['clean']} clean, "
        f"{r['skipped']} skipped (length-changing edits)",
        f"  lenient sentence detection: P={r['lenient_precision']:.3f} ({r['found']}/{r['flagged']} flagged sentences) "
        f"R={r['lenient_recall']:.3f} ({r['found']}/{r['with_errors']})",
        f"  right correction (found sentences whose every flag is right): {r['right_correction']:.3f} "
        f"({r['right']}/{r['found']})"
        + (f"  [P>=0.90, R>=0.70, right>=0.80: {'met' if ok else 'NOT met'}]" if target and engine == "draft" else ""),
        f"  strict detection: P={r['strict_precision']:.3f} R={r['strict_recall']:.3f}; characters: "
        f"P={r['char_precision']:.3f} R={r['char_recall']:.3f}",
        f"  false alarms: {r['clean_flagged']}/{r['clean']} clean sentences flagged = {r['false_alarm_rate']:.3f}",
        f"  check-text: {cpu:.1f} CPU-seconds, loading included",
    ]
    if speeds:
        speed = statistics.median(speeds)
        met = f"  [>=100,000: {'met' if speed >= 100_000 else 'NOT met'}]" if target and engine == "audit" else ""
        runs = f"median of {len(speeds)} passes, each with models and proofreader built anew: " \
            + " / ".join(f"{x:,.0f}" for x in speeds) + "; " if len(speeds) > 1 else ""
        lines.append(f"  engine speed: {speed:,.0f} characters per CPU-second (Proofreader.check, one core; {runs}"
                     f"building models and proofreader {build_s:.1f} s not counted){met}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", choices=("draft", "audit", "thorough", "all"), default="all")
    ap.add_argument("--lm-from", metavar="DIR", help="build the model with zhaocuo build-lm --from DIR first")
    ap.add_argument("--threshold", type=float, help="[text] lm_threshold")
    ap.add_argument("--tune", action="append", default=[], metavar="KEY=VALUE", help="[text] lm_tuning entries")
    ap.add_argument("--split", choices=("all", "even", "odd"), default="all")
    ap.add_argument("--sighan", action="store_true", help="also pycorrector's SIGHAN-15 test file")
    ap.add_argument("--no-speed", action="store_true", help="skip the in-process speed measurement")
    ap.add_argument("--speed-passes", type=int, default=3, metavar="N",
                    help="passes of the in-process speed measurement (the median is printed; default 3)")
    ap.add_argument("--shared", metavar="DIR", help="the shared folder (default: ../shared)")
    args = ap.parse_args(argv)
    tuning = {}
    for kv in args.tune:
        key, _, value = kv.partition("=")
        tuning[key] = float(value)
    files = {}
    odw = odw_path(find_shared(args.shared))
    if odw is None or not odw.exists():
        print("odw.train: ../shared/benchmarks not found, skipped")
    else:
        files["odw.train"] = odw
    if args.sighan:
        files["sighan2015_test"] = sighan_path()
    engines = ["draft", "audit", "thorough"] if args.engine == "all" else [args.engine]
    print(TARGETS, flush=True)
    with built_model(args.lm_from) as lm, tempfile.TemporaryDirectory(prefix="zhaocuo-bench-") as tmp:
        profile = write_profile(Path(tmp), lm, args.threshold, tuning)
        model = f"built from {args.lm_from}" if lm else "install-time default"
        for name, path in files.items():
            pairs = read_pairs(path)
            if args.split != "all":
                pairs = pairs[(0 if args.split == "even" else 1)::2]
            for engine in engines:
                predictions, cpu = run_check_text(pairs, profile, engine)
                speeds = build_s = None
                if not args.no_speed:
                    speeds, build_s = engine_speed(pairs, profile, engine, max(1, args.speed_passes))
                print(report(name, args.split, engine, model, score(pairs, predictions), cpu, speeds, build_s), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
