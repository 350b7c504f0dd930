"""Main-text extractors on the test site's article pages (made from the seeds): how many
paragraphs of the hand-checked articles each finds, and how many it adds, after the same
headings, byline and clutter rules (bot.intake.web.body).

    .venv/bin/pip install readability-lxml   # the one not among the project's dependencies
    .venv/bin/python benchmarks/bench_extract.py
"""

from __future__ import annotations

import difflib
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.intake.web.article_page import extract_article, main_text  # noqa: E402
from bot.intake.web.decode import decode_page  # noqa: E402
from retrieval.text import compact  # noqa: E402
from tests.websites import build_site  # noqa: E402


def readability_text(html: str) -> list[str]:
    from readability import Document

    root = lxml.html.fromstring(Document(html).summary(html_partial=True))
    lines = []
    for el in root.iter("p", "h1", "h2", "h3", "h4", "li", "div"):
        if el.tag == "div" and el.find(".//p") is not None:
            continue
        lines.append(el.text_content())
    return lines


def measure(name: str, extractor: Callable[[str], list[str]]) -> None:
    site = build_site("http://127.0.0.1:8000")
    found = gold_total = got_total = whole = 0
    raw_found = raw_total = 0
    started = time.perf_counter()
    for article in site.articles:
        paths = [article.path]
        if article.path == site.paginated_path:
            paths.append(article.path.replace(".htm", "_2.htm"))
        pages = [decode_page(site.files[p][1], site.files[p][0]) for p in paths]
        gold = [compact(p) for p in article.paragraphs]
        raw = [compact(line) for page in pages for line in extractor(page) if line.strip()]
        got = [compact(p) for p in extract_article(pages, article.path, extractor).paragraphs]
        for ours, counter in ((raw, "raw"), (got, "final")):
            blocks = difflib.SequenceMatcher(a=gold, b=ours, autojunk=False).get_matching_blocks()
            matched = sum(b.size for b in blocks)
            if counter == "raw":
                raw_found += matched
                raw_total += len(ours)
            else:
                found += matched
                got_total += len(ours)
                whole += got == gold
        gold_total += len(gold)
    seconds = time.perf_counter() - started
    print(
        f"{name:12} raw: recall {raw_found / gold_total:.3f} precision {raw_found / raw_total:.3f} | "
        f"after rules: recall {found / gold_total:.3f} precision {found / got_total:.3f}, "
        f"articles exact {whole}/{len(site.articles)} | {seconds:.2f} s"
    )


def main() -> None:
    logging.disable(logging.CRITICAL)
    measure("trafilatura", main_text)
    try:
        measure("readability", readability_text)
    except ImportError:
        print("readability-lxml is not installed")


if __name__ == "__main__":
    main()
