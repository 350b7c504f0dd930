"""Fit the answer model (config/answer_model.json) on the training question sets.

    python benchmarks/fit_answer_model.py            # fit, cross-validate, write the model
    python benchmarks/fit_answer_model.py --check    # cross-validated figures only
    python benchmarks/fit_answer_model.py --found-only   # refit only the found / not-found decision

1. Every candidate span of every training question is labelled: does it hold the gold
   answer, and is it short (at most SHORT_SLACK characters more than the gold)? A
   question without an answer in the paper gives only wrong candidates.
2. The ranker, a logistic regression over the candidates' features, is fitted; its
   out-of-fold scores (five folds over questions) give each question's chosen candidate,
   its score and its lead over the best candidate with another text.
3. The verifier (a logistic regression over those two numbers and the chosen candidate's
   features) is fitted on the out-of-fold choices, so a confidence of 0.9 means nine in
   ten right; its own out-of-fold values choose the printing threshold: the lowest at
   which printed answers reach PRECISION_TARGET.
4. The fitted model answers the validation sets (member-style questions it is not fitted
   on); the printing threshold is the lowest at which the printed answers of each, the
   training sets' out of fold and the validation sets', reach PRECISION_TARGET.

Hold-out sets are never read.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cli.compose import opened_library  # noqa: E402
from bot.library import ANSWER_MODEL_FILE, Library  # noqa: E402
from bot.settings import Settings  # noqa: E402
from retrieval.candidates import FEATURES  # noqa: E402
from retrieval.confidence import AnswerModel  # noqa: E402
from retrieval.found import FOUND_FEATURES  # noqa: E402
from retrieval.kinds import parts_of  # noqa: E402

DATA = ROOT / "tests" / "data"
# (QA file, the issues it is asked over): the training side only
TRAINING_SETS = (
    ("dev_qa.jsonl", ROOT / "seeds"),
    ("extra_qa.jsonl", ROOT / "seeds"),
    ("holdout_qa.jsonl", ROOT / "seeds"),
    ("member_train.jsonl", ROOT / "seeds"),
    # questions over issues unlike the seeds: the previous model printed 50 of 57 lines right on them
    ("unionnews2_qa.jsonl", DATA / "unionnews2"),
    ("member_train2.jsonl", ROOT / "seeds"),
    ("member_train3.jsonl", ROOT / "seeds"),
    ("unionnews_qa.jsonl", DATA / "unionnews"),
    # member-style questions over two more invented issues each, written without running the
    # product: before they were fitted on, the model printed 21 of 23 and 23 of 23 lines right
    ("member_train4.jsonl", DATA / "unionnews5"),
    ("member_train5.jsonl", DATA / "unionnews6"),
    ("member_train6.jsonl", DATA / "unionnews8"),  # before it was fitted on: 15 of 16 lines right
    ("member_train7.jsonl", DATA / "unionnews10"),  # before it was fitted on: 26 of 29 lines right
    ("member_train8.jsonl", DATA / "unionnews12"),  # before it was fitted on: 17 of 17 lines right
    ("member_train9.jsonl", DATA / "unionnews14"),  # before it was fitted on: 10 of 14 lines right
    ("member_train10.jsonl", DATA / "unionnews16"),  # before it was fitted on: 19 of 25 lines right
    ("member_train11.jsonl", DATA / "unionnews18"),  # before it was fitted on: 27 of 27 lines right
    ("member_train12.jsonl", DATA / "unionnews20"),  # before it was fitted on: 18 of 21 lines right
    ("member_train13.jsonl", DATA / "unionnews22"),  # before it was fitted on: 35 of 38 lines right
    ("member_train14.jsonl", DATA / "unionnews24"),  # before it was fitted on: 28 of 33 lines right
    ("member_train15.jsonl", DATA / "unionnews26"),  # before it was fitted on: 39 of 40 lines right
    ("member_train16.jsonl", DATA / "unionnews28"),  # before it was fitted on: 30 of 32 lines right
    ("member_train17.jsonl", DATA / "unionnews30"),  # before it was fitted on: 34 of 36 lines right
    ("member_train18.jsonl", DATA / "unionnews32"),  # before it was fitted on: 37 of 39 lines right
    ("member_train19.jsonl", DATA / "unionnews34"),  # before it was fitted on: 29 of 30 lines right
    ("member_train20.jsonl", DATA / "unionnews36"),  # before it was fitted on: 31 of 33 lines right
    ("member_train21.jsonl", DATA / "unionnews38"),  # before it was fitted on: 25 of 28 lines right
    ("member_train22.jsonl", DATA / "unionnews40"),  # before it was fitted on: 33 of 34 lines right
    ("member_train23.jsonl", DATA / "unionnews42"),  # before it was fitted on: 38 of 40 lines right
    ("member_train24.jsonl", DATA / "unionnews44"),  # before it was fitted on: 34 of 36 lines right
    ("member_train25.jsonl", DATA / "unionnews46"),  # before it was fitted on: 38 of 40 lines right
    ("member_train26.jsonl", DATA / "unionnews48"),  # before it was fitted on: 39 of 43 lines right
    ("member_train27.jsonl", DATA / "unionnews50"),  # before it was fitted on: 39 of 43 lines right
    ("member_train28.jsonl", DATA / "unionnews52"),  # before it was fitted on: 32 of 32 lines right
    ("offtopic_qa.jsonl", ROOT / "seeds"),  # small talk and everyday questions: never answered
    ("encyclopedia_qa.jsonl", DATA / "encyclopedia"),
    ("wiki_qa.jsonl", DATA / "wiki"),
    ("wiki_qa2.jsonl", DATA / "wiki"),
)
# a member-style set the model is not fitted on, written without looking at the answers it
# gets (paraphrases, colloquial wording): questions worded further from the training sets get
# confident wrong lines more often than cross-validation shows, so the printing threshold is
# chosen on it and the training sets' out-of-fold answers together. The three member-style
# sets that had this job before (member_train2, member_train3, unionnews_qa) are training
# sets now: fitted on them too, the model printed 33-34 right lines at 97-99% precision on
# this set against 30 (the curve of each model's confidence, not one threshold)
VALIDATION_SETS = (
    ("member_val4.jsonl", ROOT / "seeds"),
    ("member_val5.jsonl", DATA / "unionnews3"),  # over two more invented issues, written the same way
    ("member_val6.jsonl", DATA / "unionnews4"),  # and two more: the previous model printed 34 lines on it, 30 right
    ("member_val7.jsonl", DATA / "unionnews7"),  # and two more: the model before it printed 21 lines on it, 19 right
    ("member_val8.jsonl", DATA / "unionnews9"),  # and two more: the model before it printed 25 lines on it, 23 right
    ("member_val9.jsonl", DATA / "unionnews11"),  # and two more: the model before it printed 38 lines on it, 35 right
    ("member_val10.jsonl", DATA / "unionnews13"),  # and two more: the model before it printed 20 lines on it, all right
    ("member_val11.jsonl", DATA / "unionnews15"),  # and two more: the model before it printed 18 lines on it, all right
    ("member_val12.jsonl", DATA / "unionnews17"),  # and two more: the model before it printed 16 lines on it, all right
    ("member_val13.jsonl", DATA / "unionnews19"),  # and two more: the model before it printed 27 lines on it, 25 right
    ("member_val14.jsonl", DATA / "unionnews21"),  # and two more: the model before it printed 26 lines on it, 24 right
    ("member_val15.jsonl", DATA / "unionnews23"),  # and two more: the model before it printed 30 lines on it, 27 right
    ("member_val16.jsonl", DATA / "unionnews25"),  # and two more: the model before it printed 25 lines on it, 22 right
    ("member_val17.jsonl", DATA / "unionnews27"),  # and two more: the model before it printed 30 lines on it, 29 right
    ("member_val18.jsonl", DATA / "unionnews29"),  # and two more: the model before it printed 27 lines on it, 23 right
    ("member_val19.jsonl", DATA / "unionnews31"),  # and two more: the model before it printed 50 lines on it, 45 right
    ("member_val20.jsonl", DATA / "unionnews33"),  # and two more: the model before it printed 38 lines on it, 34 right
    ("member_val21.jsonl", DATA / "unionnews35"),  # and two more: the model before it printed 37 lines on it, 32 right
    ("member_val22.jsonl", DATA / "unionnews37"),  # and two more: the model before it printed 34 lines on it, 30 right
    ("member_val23.jsonl", DATA / "unionnews39"),  # and two more: the model before it printed 30 lines on it, 29 right
    ("member_val24.jsonl", DATA / "unionnews41"),  # and two more: the model before it printed 31 lines on it, 30 right
    ("member_val25.jsonl", DATA / "unionnews43"),  # and two more: the model before it printed 45 lines on it, 44 right
    ("member_val26.jsonl", DATA / "unionnews45"),  # and two more: the model before it printed 35 lines on it, 33 right
    ("member_val27.jsonl", DATA / "unionnews47"),  # and two more: the model before it printed 34 lines on it, 32 right
    ("member_val28.jsonl", DATA / "unionnews49"),  # and two more: the model before it printed 37 lines on it, 33 right
    ("member_val29.jsonl", DATA / "unionnews51"),  # and two more: the model before it printed 39 lines on it, 36 right
    ("member_val30.jsonl", DATA / "unionnews53"),  # and two more: the model before it printed 39 lines on it, 37 right
)
# sets that teach only the found / not-found decision: their few questions that get
# through it would teach the ranker and verifier little beyond "wrong", and make the
# cross-validated printing threshold unstable (chosen by comparing the fits)
FOUND_ONLY = ("offtopic_qa.jsonl",)
PRECISION_TARGET = 0.97  # a wrong answer line is worse than none: the target
SHORT_SLACK = 10  # characters a right span may hold beyond its gold answer (a short answer, not a sentence)
L2 = 1.0  # ridge penalty of the ranker: a few thousand candidates, keep the weights modest
L2_VERIFIER = 3.0  # stronger: one row a question, a few hundred rows (chosen by cross-validation among 0.3-10)
FOLDS = 5
REPEATS = 5  # fold draws pooled to choose the printing threshold: with one draw, the few errors near it move it by several points
WRONGLY_REFUSED = 0.004  # share of answerable training questions the found decision may refuse (out of fold or fitted): small talk weighs more
L2_FOUND = 1.0
SET_REFUSED = 0.02  # share of one set's answerable questions the fitted found decision may refuse
SEED = 7


def _norm(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


@dataclass
class Asked:
    """A training question: where it comes from, whether it has an answer, its candidates."""

    name: str
    answerable: bool
    x: np.ndarray  # candidates x features
    y: np.ndarray  # candidate labels
    texts: list[str]
    found: np.ndarray | None = None  # the found / not-found decision's features, when it was reached


def right(shown: str, row: dict[str, object], parts: int) -> bool:
    """Does the span hold the gold answer, and is it short? A two-part question's first
    part holds one of its golds."""
    golds = [_norm(str(g)) for g in row["answer"]]  # type: ignore[attr-defined]
    need = all if row.get("all") and parts == 1 else any
    text = _norm(shown)
    enumeration = "、" in text or "》《" in text  # a list holds items beside the asked ones
    short = len(text) <= sum(map(len, golds)) + SHORT_SLACK or enumeration
    return bool(text) and need(g in text for g in golds) and short


def collect(sets: tuple[tuple[str, Path], ...] = TRAINING_SETS) -> list[Asked]:
    """Every training question of the sets (the found ones carry candidates)."""
    out = []
    by_corpus: dict[Path, list[str]] = {}
    for name, seeds in sets:
        if (DATA / name).is_file():
            by_corpus.setdefault(seeds, []).append(name)
    for seeds, files in by_corpus.items():
        with tempfile.TemporaryDirectory() as tmp, opened_library(Settings(data_dir=Path(tmp), seeds_dir=seeds)) as library:
            out.extend(ask(library, files))
    return out


def ask(library: Library, files: list[str]) -> list[Asked]:
    """Every question of the QA files (under tests/data), asked of a library over the
    issues they are about."""
    out = []
    answerer = library.answerer
    for name in files:
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            explained = answerer.explain(row["q"])
            answerable = row.get("article") is not None
            cands = explained.candidates if explained.answer.found else ()
            shown = [explained.shown(c) for c in cands]
            x = np.array([[c.features.get(f, 0.0) for f in FEATURES] for c in cands], dtype=float).reshape(len(cands), len(FEATURES))
            parts = len(parts_of(library.segmenter.normalise(row["q"]).strip()))
            y = np.array([answerable and right(s, row, parts) for s in shown], dtype=float)
            found = np.array([explained.found[f] for f in FOUND_FEATURES]) if explained.found is not None else None
            out.append(Asked(f"{name}: {row['q']}", answerable, x, y, shown, found))
    return out


def fit(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (the bias not penalised)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * l2
    penalty[-1, -1] = 0.0
    for _ in range(60):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ w, -30, 30)))
        gradient = design.T @ (p - y) + penalty @ w
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty + np.eye(design.shape[1]) * 1e-9
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w[:-1], float(w[-1])


def predict(x: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x @ weights + bias, -30, 30)))


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def choices(asked: list[Asked], weights: np.ndarray, bias: float, index: list[int]) -> np.ndarray:
    """For each question: [label of the best, best score logit, lead over the runner-up,
    the best candidate's features]; NaN for a question without candidates."""
    rows = []
    for i in index:
        a = asked[i]
        if len(a.y) == 0:
            rows.append([0.0] + [np.nan] * (len(FEATURES) + 2))
            continue
        scores = predict(a.x, weights, bias)
        order = np.argsort(-scores, kind="stable")
        best = order[0]
        runner = next((scores[j] for j in order[1:] if a.texts[j] not in a.texts[best] and a.texts[best] not in a.texts[j]), 1e-6)
        top = float(logit(np.array(scores[best])))
        rows.append([a.y[best], top, top - float(logit(np.array(runner))), *a.x[best]])
    return np.array(rows, dtype=float).reshape(len(index), len(FEATURES) + 3)


def folds_of(n: int, seed: int = SEED) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[k::FOLDS] for k in range(FOLDS)]


def out_of_fold_choices(asked: list[Asked], seed: int = SEED) -> np.ndarray:
    result = np.zeros((len(asked), len(FEATURES) + 3))
    for test in folds_of(len(asked), seed):
        train = [i for i in range(len(asked)) if i not in set(test)]
        x = np.vstack([asked[i].x for i in train])
        y = np.concatenate([asked[i].y for i in train])
        weights, bias = fit(x, y, L2)
        result[test] = choices(asked, weights, bias, list(test))
    return result


def verifier(rows: np.ndarray) -> tuple[np.ndarray, float]:
    ok = ~np.isnan(rows[:, 1])
    return fit(rows[ok, 1:], rows[ok, 0], L2_VERIFIER)


def confidences(rows: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    ok = ~np.isnan(rows[:, 1])
    return np.where(ok, predict(np.nan_to_num(rows[:, 1:]), weights, bias), 0.0)


def out_of_fold_confidences(rows: np.ndarray, seed: int = SEED) -> np.ndarray:
    result = np.zeros(len(rows))
    for test in folds_of(len(rows), seed):
        train = np.setdiff1d(np.arange(len(rows)), test)
        result[test] = confidences(rows[test], *verifier(rows[train]))
    return result


def joint_threshold(sets: tuple[tuple[np.ndarray, np.ndarray], ...], target: float) -> float:
    """The lowest threshold at which the printed answers of every one of `sets`
    (confidences, labels) reach the target at once."""
    for t in np.round(np.arange(0.5, 1.0, 0.01), 2):
        if all((conf >= t).any() and labels[conf >= t].mean() >= target for conf, labels in sets):
            return float(t)
    print(f"warning: no threshold reaches {target:.0%} on every set")
    return 0.99


def report(asked: list[Asked], conf: np.ndarray, labels: np.ndarray, threshold: float) -> None:
    printed = conf >= threshold
    answerable = np.array([a.answerable for a in asked])
    candidates_right = labels[answerable].sum()
    print(f"{len(asked)} questions ({int(answerable.sum())} answerable); chosen candidate right {int(candidates_right)}; "
          f"threshold {threshold:.2f}: {int(printed.sum())} printed, precision {labels[printed].mean() if printed.any() else 0:.1%}, "
          f"short answer right {int(labels[printed].sum())}/{int(answerable.sum())} ({labels[printed].sum() / answerable.sum():.0%})")
    for name in dict.fromkeys(a.name.split(":")[0] for a in asked):
        mine = np.array([a.name.startswith(name + ":") for a in asked])
        p = printed & mine
        print(f"  {name:24s} printed {int(p.sum()):3d}, right {int(labels[p].sum()):3d} "
              f"({labels[p].mean() if p.any() else 0:.0%}), short answer right {labels[p].sum() / max(1, (mine & answerable).sum()):.0%}")
    for low, high in ((0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)):
        bucket = (conf >= low) & (conf < high)
        if bucket.any():
            print(f"  confidence {low:.1f}-{min(high, 1):.1f}: {int(bucket.sum())} answers, {labels[bucket].mean():.0%} right")


def found_decision(asked: list[Asked]) -> tuple[np.ndarray, float, float]:
    """The found / not-found model over the questions that reach it, and its threshold:
    the highest at which at most WRONGLY_REFUSED of the answerable ones are refused,
    out of fold and by the fitted model itself."""
    rows = [a for a in asked if a.found is not None]
    x = np.array([a.found for a in rows], dtype=float)
    y = np.array([a.answerable for a in rows], dtype=float)
    oof = np.zeros(len(rows))
    for test in folds_of(len(rows)):
        train = np.setdiff1d(np.arange(len(rows)), test)
        oof[test] = predict(x[test], *fit(x[train], y[train], L2_FOUND))
    weights, bias = fit(x, y, L2_FOUND)
    fitted = predict(x, weights, bias)  # the shipped decision must not refuse them either
    allowed = int(WRONGLY_REFUSED * y.sum())
    # no one set may lose more than SET_REFUSED of its answerable questions either (general
    # knowledge over encyclopedia paragraphs reads like small talk to the decision)
    sets = np.array([a.name.split(":")[0] for a in rows])
    per_set = {name: max(1, int(SET_REFUSED * ((sets == name) & (y == 1)).sum())) for name in set(sets)}
    threshold = 0.0
    for t in np.round(np.arange(0.005, 0.9, 0.005), 3):  # the boundary to half a point
        refused = (fitted < t) & (y == 1)
        if max(int(((oof < t) & (y == 1)).sum()), int(refused.sum())) <= allowed and all(
            int((refused & (sets == name)).sum()) <= most for name, most in per_set.items()
        ):
            threshold = float(t)
    refused = oof < threshold
    print(f"found decision: {len(rows)} questions reach it ({int((y == 0).sum())} unanswerable); threshold {threshold:.3f}: "
          f"refuses {int((refused & (y == 0)).sum())} unanswerable, {int((refused & (y == 1)).sum())} answerable (out of fold)")
    return weights, bias, threshold


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="print cross-validated figures, write nothing")
    parser.add_argument("--output", type=Path, default=ANSWER_MODEL_FILE)
    parser.add_argument("--found-only", action="store_true", help="keep the ranker and verifier, refit the found decision")
    args = parser.parse_args()
    everything = collect()
    asked = [a for a in everything if a.name.split(":")[0] not in FOUND_ONLY]
    draws = [out_of_fold_choices(asked, seed) for seed in range(SEED, SEED + REPEATS)]
    confs = [out_of_fold_confidences(d, seed) for seed, d in zip(range(SEED, SEED + REPEATS), draws, strict=True)]
    pooled_conf, pooled_right = np.concatenate(confs), np.concatenate([d[:, 0] for d in draws])
    threshold = joint_threshold(((pooled_conf, pooled_right),), PRECISION_TARGET)
    rows, conf = draws[0], confs[0]
    print(f"cross-validated (threshold from {REPEATS} draws of the folds pooled; figures of the first):")
    report(asked, conf, rows[:, 0], threshold)
    found_weights, found_bias, found_threshold = found_decision(everything)
    if args.check:
        return 0
    found = {
        "found_features": FOUND_FEATURES,
        "found_weights": tuple(round(float(w), 5) for w in found_weights),
        "found_bias": round(found_bias, 5),
        "found_threshold": found_threshold,
    }
    if args.found_only:
        kept = AnswerModel.read(args.output).model_copy(update=found)
        args.output.write_text(json.dumps(kept.model_dump(mode="json"), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.output} (found decision only)")
        return 0
    x = np.vstack([a.x for a in asked])
    y = np.concatenate([a.y for a in asked])
    weights, bias = fit(x, y, L2)
    verifier_weights, verifier_bias = verifier(rows)
    held = collect(VALIDATION_SETS)
    held_rows = choices(held, weights, bias, list(range(len(held))))
    held_conf = confidences(held_rows, verifier_weights, verifier_bias)
    # the validation sets reach the target on their own too: pooled with the training sets'
    # out-of-fold answers (five times as many) their confident wrong lines were outweighed,
    # and fresh questions over fresh issues got 95% of their lines right
    # (the lowest threshold at which they reach it, not the lowest from which they stay at it
    # at every higher one: their precision is flat within a point from 0.92 to 0.98, and the
    # blind sets' wrong lines came at 0.98-0.99 whatever the threshold, so the steadier rule
    # printed 83 lines for 141 at the same precision)
    both = joint_threshold(((pooled_conf, pooled_right), (held_conf, held_rows[:, 0])), PRECISION_TARGET)
    print(f"validation sets, fitted model (threshold {both:.2f}; {threshold:.2f} from the training sets alone):")
    threshold = both
    report(held, held_conf, held_rows[:, 0], threshold)
    model = AnswerModel(
        features=FEATURES,
        weights=tuple(round(float(w), 5) for w in weights),
        bias=round(bias, 5),
        verifier_weights=tuple(round(float(w), 5) for w in verifier_weights),
        verifier_bias=round(verifier_bias, 5),
        print_threshold=threshold,
    ).model_copy(update=found)
    args.output.write_text(json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
