"""The answer model: a learned ranker over candidate spans and the calibration of its
best candidate's score into a confidence.

1. The ranker is a logistic regression over `retrieval.candidates.FEATURES`: for every
   candidate span of a question, how likely it holds the answer. The best one is chosen.
2. The verifier, a second logistic regression, maps the chosen candidate's score, its
   lead over the best candidate with another text, and the chosen candidate's own
   features to the probability that the chosen answer is right; it is fitted on the
   ranker's out-of-fold choices, so that its probability means what it says.
3. The short answer is printed when that probability reaches `print_threshold`, chosen
   by cross-validation for the precision target.

The numbers are data (config/answer_model.json), fitted by benchmarks/fit_answer_model.py
on the training question sets and loaded once by the application.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from .candidates import FEATURES
from .found import FOUND_FEATURES


# a few hundred training questions cannot show a chance of error below about one in a hundred
MAX_CONFIDENCE = 0.99


def logit(p: float) -> float:
    p = max(1e-6, min(1.0 - 1e-6, p))
    return math.log(p / (1.0 - p))


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


class AnswerModel(BaseModel):
    """Ranker weights over `FEATURES`, the verifier's weights over the ranker's score, its
    lead and `FEATURES` of the chosen candidate, and the printing threshold."""

    model_config = ConfigDict(frozen=True)

    features: tuple[str, ...] = FEATURES
    weights: tuple[float, ...] = ()
    bias: float = 0.0
    verifier_weights: tuple[float, ...] = ()  # logit(best score), logit lead, then FEATURES
    verifier_bias: float = 0.0
    print_threshold: float = 1.0  # answers below it are not printed (no weights: none)
    # the found / not-found decision (retrieval/found.py): below found_threshold, not found
    found_features: tuple[str, ...] = FOUND_FEATURES
    found_weights: tuple[float, ...] = ()
    found_bias: float = 0.0
    found_threshold: float = 0.0  # no weights: every question the rules keep is found

    @classmethod
    def read(cls, path: Path) -> AnswerModel:
        """The model saved by the fitting script; a missing file, or one of another set of
        features, gives a model that prints nothing (a reply then shows the evidence
        without an answer line)."""
        if not path.is_file():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        model = cls.model_validate(data)
        if tuple(model.features) != FEATURES:
            return cls()
        if tuple(model.found_features) != FOUND_FEATURES:  # an older decision: the rules alone
            return model.model_copy(update={"found_features": FOUND_FEATURES, "found_weights": (), "found_threshold": 0.0})
        return model

    def score(self, values: dict[str, float]) -> float:
        """The ranker's probability that a candidate holds the answer."""
        if not self.weights:
            return 0.0
        z = self.bias + sum(w * values.get(name, 0.0) for name, w in zip(self.features, self.weights, strict=True))
        return sigmoid(z)

    def confidence(self, best: float, runner_up: float, values: dict[str, float]) -> float:
        """How likely the best candidate (its features `values`) is right, from its score,
        its lead and its features."""
        if not self.verifier_weights or len(self.verifier_weights) != len(self.features) + 2:
            return 0.0
        inputs = (logit(best), logit(best) - logit(runner_up), *(values.get(name, 0.0) for name in self.features))
        z = self.verifier_bias + sum(w * x for w, x in zip(self.verifier_weights, inputs, strict=True))
        return min(MAX_CONFIDENCE, sigmoid(z))

    def found_probability(self, values: dict[str, float]) -> float:
        """How likely the paper answers the question at all (1.0 without a fitted decision)."""
        if not self.found_weights or len(self.found_weights) != len(self.found_features):
            return 1.0
        z = self.found_bias + sum(w * values.get(name, 0.0) for name, w in zip(self.found_features, self.found_weights, strict=True))
        return sigmoid(z)
