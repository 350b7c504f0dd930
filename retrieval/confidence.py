"""How sure a short answer is: a logistic regression over features of the candidate.

The weights are data (config/answer_model.json), fitted by benchmarks/fit_answer_model.py
on the training question sets and loaded once by the application; the printing threshold
is chosen there by cross-validation so that printed answers meet the precision target.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from .models import Kind

FEATURES: tuple[str, ...] = (
    *(f"kind_{k.value}" for k in Kind),
    "strength",  # 1: the extractor's pattern is tied to the question's own words
    "sentence_coverage",  # share of the question's weight in the answering sentence
    "article_coverage",  # share of the question's weight in the article
    "margin",  # reranking margin between the best and the second article
    "qualifier_agrees",  # the question's 第二批 / 一等奖 / 2023年 stated in the sentence
    "qualifier_conflicts",  # the sentence states another one of the same class
    "unit_asked",  # a quantity question that names its unit (多少人)
    "distance",  # how far the span stands from the question's words (0 near … 1 far)
    "lead_sentence",  # the article's first sentence (often a summary, not the answer)
    "span_length",  # log length of the span
    "specific",  # a date with digits, a figure with a number, a name of 2-3 characters
    "names_agree",  # share of the question's proper nouns found in the article
    "sentence_best_margin",  # how much the answering sentence beats the article's next best
    "noun_follows",  # the counted noun stands right after the figure (300余名职工)
    "competitors",  # other spans of the asked type in the sentence (log count)
    "adjacent",  # a question word stands right next to the span
    "byline",  # the answer is the article's byline (记者是谁)
)


class AnswerModel(BaseModel):
    """Logistic regression weights over `FEATURES`, and the printing threshold."""

    model_config = ConfigDict(frozen=True)

    features: tuple[str, ...] = FEATURES
    weights: tuple[float, ...] = ()
    bias: float = 0.0
    print_threshold: float = 1.0  # answers below it are not printed (no weights: none)

    @classmethod
    def read(cls, path: Path) -> AnswerModel:
        """The model saved by the fitting script; a missing file gives a model that
        prints nothing (a reply then shows the evidence without an answer line)."""
        if not path.is_file():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls.model_validate({k: data[k] for k in ("features", "weights", "bias", "print_threshold") if k in data})

    def probability(self, values: dict[str, float]) -> float:
        if not self.weights:
            return 0.0
        z = self.bias + sum(w * values.get(name, 0.0) for name, w in zip(self.features, self.weights, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
