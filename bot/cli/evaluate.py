"""`unionbot eval QA.jsonl`: the development figures, computed as the acceptance scorer does."""

from __future__ import annotations

import json
import time
import unicodedata
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from bot.library import Library

from .console import answer_json

SNIPPET_MAX = 160


class Figures(BaseModel):
    model_config = ConfigDict(frozen=True)

    answerable: int
    article_at_1: int
    answer_found: int
    short_answer: int
    printed: int = 0  # answer lines printed (answerable or not)
    wrong_lines: int = 0  # printed answer lines that are wrong
    unanswerable: int
    abstained: int
    wrongly_abstained: int
    seconds: float
    misses: tuple[str, ...]

    def line(self) -> str:
        n, nn = max(self.answerable, 1), max(self.unanswerable, 1)
        return (
            f"article@1 {self.article_at_1 / n:.0%} ({self.article_at_1}/{self.answerable}); "
            f"answer in answer+snippet {self.answer_found / n:.0%}; short answer right {self.short_answer / n:.0%}; "
            f"answer lines right {self.precision:.0%} ({self.printed - self.wrong_lines}/{self.printed}); "
            f"abstained {self.abstained}/{self.unanswerable}; wrongly abstained {self.wrongly_abstained}; "
            f"{self.answerable + self.unanswerable} questions in {self.seconds:.1f}s"
        )

    @property
    def precision(self) -> float:
        """The share of printed answer lines that are right."""
        return (self.printed - self.wrong_lines) / max(self.printed, 1)

    def passes(self, min_article: float, min_answer: float, min_abstain: float) -> bool:
        n, nn = max(self.answerable, 1), max(self.unanswerable, 1)
        return (
            self.article_at_1 / n >= min_article
            and self.answer_found / n >= min_answer
            and self.abstained / nn >= min_abstain
        )


def _norm(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def evaluate(library: Library, qa_file: Path) -> Figures:
    rows = [json.loads(line) for line in qa_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    start = time.perf_counter()
    outputs = [answer_json(library.answer(row["q"])) for row in rows]
    seconds = time.perf_counter() - start
    counts = dict.fromkeys(("n", "art", "ans", "short", "nn", "abst", "false", "printed", "wrong"), 0)
    misses: list[str] = []
    for row, out in zip(rows, outputs, strict=True):
        results = out["results"] if isinstance(out["results"], list) else []
        shown = _norm(out["answer"] if isinstance(out["answer"], str) and out["found"] else None)
        counts["printed"] += bool(shown)
        if row.get("article") is None:
            counts["nn"] += 1
            counts["wrong"] += bool(shown)
            if not out["found"]:
                counts["abst"] += 1
            else:
                misses.append(f"answered unanswerable: {row['q']} -> {results[0]['article'] if results else ''}")
            continue
        counts["n"] += 1
        top = results[0] if results and out["found"] else {}
        counts["false"] += not out["found"]
        article_ok = _norm(top.get("article")) == _norm(row["article"])
        answer = out["answer"] if isinstance(out["answer"], str) else None
        text = _norm(answer) + "|" + _norm(top.get("snippet"))[:SNIPPET_MAX]
        found = (all if row.get("all") else any)(_norm(g) in text for g in row["answer"])
        counts["art"] += article_ok
        counts["ans"] += found
        need = all if row.get("all") else any
        right = bool(shown) and need(_norm(g) in shown for g in row["answer"])
        counts["short"] += right
        counts["wrong"] += bool(shown) and not right
        if not (article_ok and found):
            misses.append(f"miss: {row['q']} -> [{answer}] {str(top.get('article', '(none)'))[:30]} | {str(top.get('snippet', ''))[:60]}")
    return Figures(
        answerable=counts["n"],
        article_at_1=counts["art"],
        answer_found=counts["ans"],
        short_answer=counts["short"],
        printed=counts["printed"],
        wrong_lines=counts["wrong"],
        unanswerable=counts["nn"],
        abstained=counts["abst"],
        wrongly_abstained=counts["false"],
        seconds=seconds,
        misses=tuple(misses),
    )
