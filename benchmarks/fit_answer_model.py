"""Fit the answer model (config/answer_model.json): a logistic regression over the
features of each question's best candidate span, labelled by whether that span holds
the gold answer, on the training question sets.

    python benchmarks/fit_answer_model.py            # fit, cross-validate, write the model
    python benchmarks/fit_answer_model.py --check    # cross-validated figures only

The printing threshold is the lowest at which the cross-validated (out-of-fold)
precision of printed answers reaches PRECISION_TARGET. Hold-out sets are never read.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import unicodedata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.library import ANSWER_MODEL_FILE, Library  # noqa: E402
from bot.settings import Settings  # noqa: E402
from retrieval.confidence import FEATURES, AnswerModel  # noqa: E402

DATA = ROOT / "tests" / "data"
# (QA file, the issues it is asked over): the training side only
TRAINING_SETS = (
    ("dev_qa.jsonl", ROOT / "seeds"),
    ("extra_qa.jsonl", ROOT / "seeds"),
    ("holdout_qa.jsonl", ROOT / "seeds"),
    ("member_train.jsonl", ROOT / "seeds"),
    ("encyclopedia_qa.jsonl", DATA / "encyclopedia"),
    ("wiki_qa.jsonl", DATA / "wiki"),
    ("wiki_qa2.jsonl", DATA / "wiki"),
)
PRECISION_TARGET = 0.97  # a wrong answer line is worse than none: the target
# when no threshold reaches the target, the one with the best cross-validated precision
# that still prints this share of the right answers (printing nothing helps nobody)
MIN_PRINTED_SHARE = 0.15
L2 = 1.0  # ridge penalty: few hundred examples, keep the weights modest
FOLDS = 5
SEED = 7


def _norm(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def collect() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Features and labels of every training question with a candidate answer."""
    rows_x, rows_y, names = [], [], []
    by_corpus: dict[Path, list[str]] = {}
    for name, seeds in TRAINING_SETS:
        if (DATA / name).is_file():
            by_corpus.setdefault(seeds, []).append(name)
    for seeds, files in by_corpus.items():
        with tempfile.TemporaryDirectory() as tmp, Library(Settings(data_dir=Path(tmp), seeds_dir=seeds)) as library:
            answerer = library.answerer
            for name in files:
                for line in (DATA / name).read_text(encoding="utf-8").splitlines():
                    if not line.strip():
                        continue
                    row = json.loads(line)
                    explained = answerer.explain(row["q"])
                    if explained.features is None or not explained.answer.found:
                        continue
                    shown = _norm(explained.candidate)
                    need = all if row.get("all") else any
                    right = row.get("article") is not None and bool(shown) and need(_norm(g) in shown for g in row["answer"])
                    rows_x.append([explained.features.get(f, 0.0) for f in FEATURES])
                    rows_y.append(float(right))
                    names.append(f"{name}: {row['q']}")
    return np.array(rows_x, dtype=float), np.array(rows_y, dtype=float), names


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (the bias not penalised)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * L2
    penalty[-1, -1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ w, -30, 30)))
        gradient = design.T @ (p - y) + penalty @ w
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w[:-1], float(w[-1])


def predict(x: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x @ weights + bias, -30, 30)))


def out_of_fold(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    order = np.random.default_rng(SEED).permutation(len(y))
    probabilities = np.zeros(len(y))
    for fold in range(FOLDS):
        test = order[fold::FOLDS]
        train = np.setdiff1d(order, test)
        weights, bias = fit(x[train], y[train])
        probabilities[test] = predict(x[test], weights, bias)
    return probabilities


def threshold_for(probabilities: np.ndarray, y: np.ndarray, target: float) -> float:
    """The lowest threshold whose printed answers (p >= t) reach the precision target
    while printing at least MIN_PRINTED_SHARE of the right answers; failing that, the one
    with the best precision among those that print that share."""
    best, best_precision = 1.0, 0.0
    for t in np.round(np.arange(0.5, 1.0, 0.01), 2):
        printed = probabilities >= t
        if y[printed].sum() < MIN_PRINTED_SHARE * y.sum():
            continue
        precision = float(y[printed].mean())
        if precision >= target:
            return float(t)
        if precision > best_precision:
            best, best_precision = float(t), precision
    print(f"warning: no threshold reaches {target:.0%} cross-validated precision; best {best_precision:.1%} at {best:.2f}")
    return best


def report(probabilities: np.ndarray, y: np.ndarray, threshold: float) -> None:
    printed = probabilities >= threshold
    print(f"{len(y)} candidates, {int(y.sum())} right; threshold {threshold:.2f}: "
          f"{int(printed.sum())} printed, precision {y[printed].mean() if printed.any() else 0:.1%}, "
          f"right answers printed {int(y[printed].sum())}/{int(y.sum())}")
    for low, high in ((0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)):
        bucket = (probabilities >= low) & (probabilities < high)
        if bucket.any():
            print(f"  confidence {low:.1f}-{min(high, 1):.1f}: {int(bucket.sum())} answers, {y[bucket].mean():.0%} right")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="print cross-validated figures, write nothing")
    parser.add_argument("--output", type=Path, default=ANSWER_MODEL_FILE)
    args = parser.parse_args()
    x, y, _ = collect()
    probabilities = out_of_fold(x, y)
    threshold = threshold_for(probabilities, y, PRECISION_TARGET)
    print("cross-validated:")
    report(probabilities, y, threshold)
    if args.check:
        return 0
    weights, bias = fit(x, y)
    model = AnswerModel(
        features=FEATURES, weights=tuple(round(float(w), 5) for w in weights), bias=round(bias, 5), print_threshold=threshold
    )
    args.output.write_text(json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    print("in-sample:")
    report(predict(x, weights, bias), y, threshold)
    return 0


if __name__ == "__main__":
    sys.exit(main())
