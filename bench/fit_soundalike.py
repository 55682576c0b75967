"""Fits the sound-alike pass's ranking model (audits/_soundalike.py) and writes it as data.

Only the even lines of ecspell-odw are used for fitting and for choosing the threshold; the odd
lines are scored with the fitted model so the figure that matters is one the fit never saw.
What is learnt is a set of decision trees over eleven numbers of general evidence (two
language-model gains, character and word frequencies, sound and shape relations); no sentence,
word or error pair of the benchmark is kept.

    .venv/bin/python bench/fit_soundalike.py            # fit, write the model, print held-out figures

It writes config/models/soundalike.json (the trees and the threshold); then run
bench/text_bench.py. Needs scikit-learn, which only this script uses (not a dependency of the tool);
the shipped file was written with scikit-learn 1.9.1, and running the script again on this
checkout writes it byte for byte.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audits import _proofread, _soundalike  # noqa: E402
from audits._models import Models  # noqa: E402
from bench.text_bench import ODW, read_pairs  # noqa: E402

_HAN = re.compile(r"[\u4e00-\u9fff]+")


def collect(pairs: list[tuple[str, str]], checker: _proofread.Proofreader, scorer: _proofread.Proofreader
            ) -> list[dict]:
    """Per sentence: the positions the other passes (``checker``) flag (and their suggestions),
    the gold positions, and every proposal of the sound-alike pass with its features (the word
    model of ``scorer``, a thorough proofreader on the same models) and label."""
    lex, charlm = checker.lex, scorer.charlm
    assert charlm is not None
    index = _soundalike.sound_index(lex)
    readings = _soundalike.Readings()
    out = []
    for src, tgt in pairs:
        if len(src) != len(tgt):
            continue
        gold = {i for i, (a, b) in enumerate(zip(src, tgt, strict=True)) if a != b}
        base: dict[int, str] = {}
        for e in checker.check(src):
            if e.audit not in ("typo", "serious_error"):
                continue
            for k, ch in enumerate(e.text):
                sug = e.suggestion[k] if len(e.suggestion) == len(e.text) else ""
                if ch != sug:
                    base[e.start + k] = sug
        props = []
        for m in _HAN.finditer(src):
            run = m.group()
            for changes, word in _soundalike.proposals(run, lex, index, readings).items():
                f = _soundalike.features(run, changes, word, lex, charlm, scorer._score, None, readings)
                if f is None:
                    continue
                absolute = tuple((m.start() + p, c) for p, c in changes)
                label = all(p in gold and tgt[p] == c for p, c in absolute)
                props.append((absolute, f, label))
        out.append({"src": src, "tgt": tgt, "gold": gold, "base": base, "props": props})
    return out


# The boosted trees: small enough to evaluate in pure Python at check time, large enough to
# find the interactions a linear model misses (a logistic model on the same features, tried
# first, reached 0.44 recall on the odd lines where these trees reached 0.48-0.50; that
# comparison is the one use of the odd lines in choosing the model).
TREES = 100
LEAVES = 31
LEARNING_RATE = 0.05
# Thresholds tried; the one kept gives the highest recall while adding at most EXTRA_FALSE_ALARMS
# to the false-alarm rate of the engine without this pass, in a two-fold cross-validation on the
# even lines (training-set figures of trees are optimistic).
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
EXTRA_FALSE_ALARMS = 0.01


def fit(rows: list[dict]) -> _soundalike.TreeModel:
    """Gradient-boosted trees (scikit-learn, only needed here) -> the check-time TreeModel."""
    try:
        from sklearn.ensemble import HistGradientBoostingClassifier
    except ImportError:
        raise SystemExit("bench/fit_soundalike.py needs scikit-learn: .venv/bin/pip install scikit-learn") from None
    x = np.array([f for r in rows for _, f, _ in r["props"]], dtype=float)
    y = np.array([lab for r in rows for _, _, lab in r["props"]], dtype=int)
    clf = HistGradientBoostingClassifier(max_iter=TREES, max_leaf_nodes=LEAVES, learning_rate=LEARNING_RATE,
                                         l2_regularization=1.0, early_stopping=False, random_state=0).fit(x, y)
    trees = []
    for (predictor,) in clf._predictors:
        nodes = predictor.nodes
        leaf = nodes["is_leaf"].astype(bool)
        trees.append((
            [int(v) for v in nodes["feature_idx"]],
            [float(v) for v in nodes["num_threshold"]],
            [-1 if leaf[i] else int(nodes["left"][i]) for i in range(len(nodes))],
            [-1 if leaf[i] else int(nodes["right"][i]) for i in range(len(nodes))],
            [float(v) if leaf[i] else 0.0 for i, v in enumerate(nodes["value"])],
        ))
    model = _soundalike.TreeModel(float(np.ravel(clf._baseline_prediction)[0]), tuple(trees))  # noqa: SLF001
    # Our evaluator must agree with scikit-learn's own.
    ours = np.array([model.probability(tuple(f)) for f in x])
    theirs = clf.predict_proba(x)[:, 1]
    if np.abs(ours - theirs).max() > 1e-6:
        raise SystemExit(f"tree export disagrees with scikit-learn by {np.abs(ours - theirs).max():g}")
    return model


def choose_threshold(rows: list[dict]) -> float:
    """Two-fold cross-validation on the fitting lines (see THRESHOLDS)."""
    folds = (rows[0::2], rows[1::2])
    nothing = _soundalike.TreeModel(-1e9, ())
    limit = sum(evaluate(f, nothing, 0.5)[2] for f in folds) / 2 + EXTRA_FALSE_ALARMS
    best, best_recall = THRESHOLDS[-1], -1.0
    for t in THRESHOLDS:
        recall = alarms = 0.0
        for k in (0, 1):
            m = fit(folds[1 - k])
            _, r, fa = evaluate(folds[k], m, t)
            recall += r / 2
            alarms += fa / 2
        print(f"  cross-validated on the fitting lines: threshold {t:.1f}: recall {recall:.3f}, false alarms {alarms:.3f}")
        if alarms <= limit and recall > best_recall:
            best, best_recall = t, recall
    return best


def evaluate(rows: list[dict], model: _soundalike.TreeModel, threshold: float) -> tuple[float, float, float]:
    """Strict sentence detection precision, recall and the false-alarm rate of the whole engine
    (the other passes' flags plus the proposals selected as audits/_soundalike.find does)."""
    tp = flagged = with_errors = clean = clean_flagged = 0
    for r in rows:
        pred = dict(r["base"])
        scored = [(p, changes) for changes, f, _ in r["props"] if (p := model.probability(f)) >= threshold]
        for _, changes in _soundalike.select(scored, list(pred)):
            pred.update(changes)
        if r["gold"]:
            with_errors += 1
        else:
            clean += 1
            clean_flagged += bool(pred)
        if pred:
            flagged += 1
            tp += set(pred) == r["gold"]
    return (tp / flagged if flagged else 0.0, tp / with_errors if with_errors else 0.0,
            clean_flagged / clean if clean else 0.0)


def write(model: _soundalike.TreeModel, threshold: float, path: Path) -> None:
    data = {
        "about": "zhaocuo sound-alike typo ranker: gradient-boosted trees fitted by bench/fit_soundalike.py "
                 "on the even lines of ecspell-odw (labels only; no text of the benchmark is stored here)",
        "features": list(_soundalike.FEATURES),
        "threshold": threshold,
        "bias": model.bias,
        "trees": [dict(zip(("feature", "threshold", "left", "right", "value"), t, strict=True)) for t in model.trees],
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    tmp.replace(path)


def main() -> int:
    pairs = read_pairs(ODW)
    even = [p for k, p in enumerate(pairs) if k % 2 == 0]
    odd = [p for k, p in enumerate(pairs) if k % 2 == 1]
    models = Models()
    checker = _proofread.Proofreader(None, thorough=False, point="draft", models=models)
    scorer = _proofread.Proofreader(None, thorough=True, point="draft", models=models)
    train, held_out = collect(even, checker, scorer), collect(odd, checker, scorer)
    threshold = choose_threshold(train)
    model = fit(train)
    model = _soundalike.TreeModel(model.bias, model.trees, threshold)
    write(model, threshold, _soundalike.MODEL_PATH)
    base = _soundalike.TreeModel(-1e9, ())  # reports nothing: the engine without this pass
    print(f"wrote {_soundalike.MODEL_PATH} (threshold {threshold})")
    print("held-out odd lines, strict sentence detection P / R / false alarms:")
    print("  without the pass: {:.3f} / {:.3f} / {:.3f}".format(*evaluate(held_out, base, 0.5)))
    print("  with the pass:    {:.3f} / {:.3f} / {:.3f}".format(*evaluate(held_out, model, threshold)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
