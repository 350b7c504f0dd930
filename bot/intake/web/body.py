"""An article's text lines (from a page's main text or a feed entry's content) to its
paragraphs, reporters, reprint source and kind, by the rules the issue-file parser uses
(retrieval.byline): a dispatch lead names the reporters, a credit signed 摄影报道 makes photo
news, a 转自《…》 line names the reprint source.

Main-text extractors keep a little of the page around the body (the info line, 责任编辑,
share bars): a body's first and last paragraphs end a sentence, so lines at its edges that
do not (and are not a credit or a source) are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from retrieval import (
    CREDIT_ONLY_RE,
    PHOTO_CREDIT_LINE_RE,
    PHOTO_CREDIT_TAIL_RE,
    ArticleKind,
    compact,
    is_lead,
    lead_reporters,
    names_in_credit,
    normalise_line,
    source_of,
    terminated,
)

_AUTHOR = re.compile(r"(?:作者|记者|文)[：:]\s*([\u4e00-\u9fff·][\u4e00-\u9fff·、，, ]{1,40})")


class Body(BaseModel):
    """What an article's lines say besides its headings."""

    model_config = ConfigDict(frozen=True)

    paragraphs: tuple[str, ...]
    reporters: tuple[str, ...] = ()
    source: str | None = None
    kind: ArticleKind = ArticleKind.NEWS


def _is_credit(line: str) -> bool:
    return bool(PHOTO_CREDIT_LINE_RE.match(line) or CREDIT_ONLY_RE.match(line))


def byline_names(parts: Sequence[str]) -> list[str]:
    """Names in a page's byline such as 作者：边磊、张雪 (used when the text has no lead);
    `parts` are the texts printed under the headings, each searched on its own."""
    for part in parts:
        match = _AUTHOR.search(part)
        if match is not None:
            return [name for name in re.split(r"[、，,\s]+", match.group(1)) if 2 <= len(name) <= 5]
    return []


def _keeps(line: str) -> bool:
    return terminated(line) or _is_credit(line) or source_of(line) is not None


def trim_edges(lines: Sequence[str]) -> list[str]:
    """A page's main-text lines without the clutter at its edges: leading and trailing lines
    that neither end a sentence nor are a credit or a reprint source (nor a dispatch lead)."""
    text = [line for line in (normalise_line(raw) for raw in lines) if line]
    start = next((i for i, line in enumerate(text) if _keeps(line) or is_lead(line)), len(text))
    end = len(text)
    while end > start and not _keeps(text[end - 1]):
        end -= 1
    return text[start:end]


def read_body(lines: Sequence[str], headings: Sequence[str | None] = (), byline: Sequence[str] = ()) -> Body:
    """Paragraphs, reporters, source and kind from an article's text lines, in order.

    `headings` (title, pretitle, subtitle) are dropped where an extractor repeated them;
    `byline` are the page's lines under the headings (its author line), read only when neither a credit nor a lead names
    anyone."""
    heads = {compact(h) for h in headings if h}
    text = trim_edges([line for line in lines if compact(line) not in heads])
    credits: list[str] = []
    source: str | None = None
    while text:
        last = text[-1]
        if source_of(last) is not None:
            source = source or source_of(last)
        elif _is_credit(last):
            credits.insert(0, last)
        else:
            break
        text.pop()
    if text:
        tail = PHOTO_CREDIT_TAIL_RE.search(text[-1])
        if tail is not None and tail.start() > 0:
            credits.append(tail.group(0).strip())
            text[-1] = text[-1][: tail.start()].rstrip()
    photo = any("摄影报道" in credit for credit in credits)
    if credits:
        reporters = [name for credit in credits for name in names_in_credit(credit.replace("摄影报道", ""))]
    else:
        reporters = (lead_reporters(text[0]) if text else None) or byline_names(byline)
    return Body(
        paragraphs=tuple(p for p in text if p),
        reporters=tuple(dict.fromkeys(reporters)),
        source=source,
        kind=ArticleKind.PHOTO if photo else ArticleKind.NEWS,
    )
