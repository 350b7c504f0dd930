"""Sentences of a paragraph, and snippets of at most a given length around an answer."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

SNIPPET_MAX = 160
_SENTENCE = re.compile(r"[^。！？；!?;]*(?:[。！？；!?;]+[”’」』）)]*|$)")
_CLAUSE_BREAK = re.compile(r"[，、：,:]")


class Sentence(BaseModel):
    """A sentence of a paragraph: its text and where it starts in the paragraph."""

    model_config = ConfigDict(frozen=True)

    text: str
    start: int


_ATTRIBUTION = re.compile(r"^[^。！？“”]{1,40}(?:说|表示|介绍|指出|坦言|感慨|笑着说|告诉记者)[。！]?$")


def split_sentences(paragraph: str) -> list[Sentence]:
    """The sentences of a paragraph; a quotation keeps its attribution (“……。”他说。), and
    a 《title》 is never cut at its own ！ or ？."""
    out: list[Sentence] = []
    for match in _SENTENCE.finditer(paragraph):
        text = match.group(0)
        if not text.strip():
            continue
        if out and out[-1].text.endswith(("”", "」")) and _ATTRIBUTION.match(text):
            out[-1] = Sentence(text=out[-1].text + text, start=out[-1].start)
            continue
        if out and out[-1].text.count("《") > out[-1].text.count("》"):  # 《卡拉OK.LIVE！台北》: a title ends no sentence
            out[-1] = Sentence(text=out[-1].text + text, start=out[-1].start)
            continue
        out.append(Sentence(text=text, start=match.start()))
    return out


def cut_around(text: str, start: int, end: int, limit: int = SNIPPET_MAX) -> str:
    """At most `limit` characters of `text` holding text[start:end], cut at clause
    boundaries where possible and marked with … where cut."""
    if len(text) <= limit:
        return text
    room = limit - 2  # for the two … marks
    span = max(end - start, 0)
    if span >= room:
        return text[start : start + limit - 1] + "…"
    left = max(0, start - (room - span) // 3)
    # prefer to start just after a clause break before the answer
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text, left, start)]
    if breaks and start - breaks[0] <= room - span:
        left = breaks[0]
    right = min(len(text), left + room)
    if right == len(text):
        left = max(0, right - room)
    head = "…" if left > 0 else ""
    tail = "…" if right < len(text) else ""
    if not head:
        right = min(len(text), right + 1)
    if not tail:
        left = max(0, left - 1) if head else left
    return head + text[left:right] + tail
