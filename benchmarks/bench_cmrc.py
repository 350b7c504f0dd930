"""Answers on CMRC 2018's public dev set (Wikipedia paragraphs), scored as its own
evaluation scores short answers, through the same pipeline as `unionbot ask --json`.

    python benchmarks/bench_cmrc.py --data cmrc2018_dev.json [--limit N]

The data is not shipped: take `squad-style-data/cmrc2018_dev.json` (or the original
`data/cmrc2018_dev.json`) from https://github.com/ymcui/cmrc2018 (CC BY-SA 4.0, Cui et
al., "A Span-Extraction Dataset for Chinese Machine Reading Comprehension", EMNLP 2019).

Every paragraph becomes an article (its document's title as the article title) of
Markdown issue files of ISSUE_SIZE articles, ingested into a fresh data dir; then every
question is asked of the whole archive, as a member asks the paper. Printed figures:

- article@1: the question's own paragraph is cited first;
- gold in snippet: a gold answer stands inside the cited snippet (the first
  SNIPPET_MAX characters, as the project's QA scorer reads it);
- answer lines: how many questions got a short answer ("答：…") and how many of those
  hold a gold answer;
- EM / F1: CMRC 2018's measures over all questions (character F1 after dropping
  punctuation and spaces, the best over the gold answers), an unprinted answer
  scoring 0; and the same measures of the best span the reader found, printed or not
  (what CMRC scores for a reader that always answers).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cli.compose import opened_library  # noqa: E402
from bot.settings import Settings  # noqa: E402

ISSUE_SIZE = 100  # articles an issue file (a page of the "paper")
SNIPPET_MAX = 160  # characters of the snippet a reader sees, as the QA scorer counts them
# punctuation CMRC 2018's evaluation drops before comparing (Chinese and ASCII)
_PUNCTUATION = set("-:_*^/\\~`+=，。：？！“”；’《》……·、「」（）－～『』,.;:?!'\"()[]{}<>")


@dataclass(frozen=True)
class Question:
    text: str
    golds: tuple[str, ...]
    paragraph: int


def _norm(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def _chars(text: str) -> list[str]:
    return [c for c in _norm(text).lower() if c not in _PUNCTUATION]


def f1(predicted: str, gold: str) -> float:
    p, g = _chars(predicted), _chars(gold)
    common = sum((Counter(p) & Counter(g)).values())
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def exact(predicted: str, gold: str) -> bool:
    return bool(_chars(gold)) and _chars(predicted) == _chars(gold)


def read(path: Path) -> tuple[list[tuple[str, str]], list[Question]]:
    """(title, paragraph) pairs and the questions; both the SQuAD-style and the original layout."""
    data = json.loads(path.read_text(encoding="utf-8"))
    documents = data["data"] if isinstance(data, dict) else data
    paragraphs: list[tuple[str, str]] = []
    questions: list[Question] = []
    for document in documents:
        if "paragraphs" in document:  # SQuAD style
            for p in document["paragraphs"]:
                paragraphs.append((document.get("title") or p["id"], p["context"]))
                for qa in p["qas"]:
                    golds = tuple(dict.fromkeys(a["text"] for a in qa["answers"]))
                    questions.append(Question(qa["question"], golds, len(paragraphs) - 1))
        else:  # original: context_text, qas with answers as strings
            paragraphs.append((document.get("title") or document["context_id"], document["context_text"]))
            for qa in document["qas"]:
                golds = tuple(dict.fromkeys(str(a) for a in qa["answers"]))
                questions.append(Question(qa["query_text"], golds, len(paragraphs) - 1))
    return paragraphs, questions


def write_issues(paragraphs: list[tuple[str, str]], directory: Path) -> list[str]:
    """Markdown issue files of ISSUE_SIZE articles; returns each paragraph's article title."""
    titles = []
    for start in range(0, len(paragraphs), ISSUE_SIZE):
        lines = [f"# CMRC 2018 {start // ISSUE_SIZE + 1:03d}", ""]
        for number, (title, context) in enumerate(paragraphs[start:start + ISSUE_SIZE], start):
            heading = f"{' '.join(title.split())}（{number + 1}）"
            titles.append(heading)
            lines += [f"## {heading}", "", " ".join(context.split()), ""]
        (directory / f"cmrc_{start // ISSUE_SIZE:04d}.md").write_text("\n".join(lines), encoding="utf-8")
    return titles


def export(paragraphs: list[tuple[str, str]], questions: list[Question], directory: Path) -> int:
    """The set as the project's training data: issue files and one QA row a question
    (the answer model's fitting script reads both)."""
    issues = directory / "issues"
    issues.mkdir(parents=True, exist_ok=True)
    titles = write_issues(paragraphs, issues)
    rows = [{"q": q.text, "article": titles[q.paragraph], "answer": list(q.golds), "type": "other"} for q in questions]
    (directory / "qa.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(titles)} articles in {len(list(issues.iterdir()))} issue files and {len(rows)} questions to {directory}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="cmrc2018_dev.json (SQuAD-style or original)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions (0: all)")
    parser.add_argument("--misses", type=int, default=0, help="print this many wrong answer lines")
    parser.add_argument("--export", type=Path, help="write the issue files and a QA file (qa.jsonl) to this folder, ask nothing")
    args = parser.parse_args()
    paragraphs, questions = read(args.data)
    if args.export:
        return export(paragraphs, questions, args.export)
    if args.limit:
        questions = questions[: args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "issues"
        seeds.mkdir()
        titles = write_issues(paragraphs, seeds)
        started = time.perf_counter()
        with opened_library(Settings(data_dir=Path(tmp) / "data", seeds_dir=seeds)) as library:
            built = time.perf_counter() - started
            cited = in_snippet = printed = right = 0
            f1_total = em_total = 0.0
            shown_misses = 0
            started = time.perf_counter()
            best_f1 = best_em = 0.0
            for q in questions:
                explained = library.answerer.explain(q.text)
                answer = explained.answer
                best = explained.candidate if answer.found and explained.candidate else ""
                best_f1 += max((f1(best, g) for g in q.golds), default=0.0) if best else 0.0
                best_em += any(exact(best, g) for g in q.golds) if best else 0.0
                top = answer.hits[0] if answer.found and answer.hits else None
                cited += bool(top) and _norm(top.article.title) == _norm(titles[q.paragraph])
                snippet = _norm(top.snippet)[:SNIPPET_MAX] if top else ""
                in_snippet += any(_norm(g) in snippet for g in q.golds)
                line = answer.answer if answer.found and answer.answer else ""
                if line:
                    printed += 1
                    hit = any(_norm(g) in _norm(line) for g in q.golds)
                    right += hit
                    if not hit and shown_misses < args.misses:
                        shown_misses += 1
                        print(f"  {q.text} -> 答：{line} (gold {list(q.golds)})")
                f1_total += max((f1(line, g) for g in q.golds), default=0.0) if line else 0.0
                em_total += any(exact(line, g) for g in q.golds) if line else 0.0
            asked = time.perf_counter() - started
    n = max(len(questions), 1)
    print(f"CMRC 2018 dev: {len(questions)} questions over {len(paragraphs)} paragraphs (index built in {built:.0f} s, "
          f"{asked / n * 1000:.0f} ms a question)")
    print(f"article@1 {cited / n:.1%}; gold in snippet {in_snippet / n:.1%}; answer lines {printed} "
          f"({printed / n:.0%} of questions), right {right} ({right / max(printed, 1):.0%}); "
          f"EM {em_total / n:.1%}; F1 {f1_total / n:.1%}")
    print(f"the reader's best span, printed or not (as CMRC scores a reader that always answers): "
          f"EM {best_em / n:.1%}; F1 {best_f1 / n:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
