"""Ranking sentences against a question: which sentence of a passage or an article
answers it best.

A sentence scores the share of the question's weight it states (its words, their
synonyms, the characters of words no article has), less for the words its article's
title already has, a little for what its neighbours state, and by the qualifiers it
states (二等奖, 第三届). When the question needs a figure or a name, a sentence holding a
span of the asked type wins; ties go to the earlier sentence.

`Judging` is what judging takes, worked out once per question by the answerer (it knows
the corpus's weights); `SentenceRanker` judges and ranks, reading the sentences through
a `TextReader`.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .extract import Span, spans_of
from .kinds import RULES
from .lexicon import Lexicon
from .models import Kind
from .question import Question, qualifiers_of
from .reading import TextReader
from .sentences import Sentence

TITLE_DISCOUNT = 0.4
# a title of a few characters names the article's subject (蓝线裸顶鲷, 王家瑞), not its news:
# every sentence is about it, so its words tell the answering sentence still less
SUBJECT_TITLE_MAX = 8  # characters, not counting a bracketed remark
SUBJECT_DISCOUNT = 0.1
UNKNOWN_CREDIT = 0.5
SYNONYM_CREDIT = 0.8  # a synonym of a question word says nearly the same
NEIGHBOUR_SHARE = 0.3  # the question's words in the next or previous sentence count a little
QUALIFIER_PENALTY = 0.5  # a sentence stating another rank / round / year is not the answer
QUALIFIER_BONUS = 0.1  # one stating the asked one is more likely
# qualifiers judged sentence by sentence; a year is often stated once for the whole article
SENTENCE_QUALIFIERS = ("ordinal", "rank")
SPAN_CREDIT = 0.3  # a sentence holding a span of the asked type is more likely the answer
LIST_ITEM_CREDIT = 0.05  # for a 哪些 question, each further item of the list it holds …
LIST_ITEMS_CREDITED = 6  # … up to this many
LIST_CREDIT_MAX = LIST_ITEM_CREDIT * LIST_ITEMS_CREDITED
BOUND_SLACK = 1e-9  # on an upper bound of a score, for the rounding of the sums that reach it
# kinds whose spans are of no particular shape (a noun phrase, a quotation, a list): their
# span is credible evidence only in a sentence that states the question's own words, not
# just the article's subject (the title's words), up to this share of the question's weight
GENERIC_KINDS = (Kind.OTHER, Kind.LIST)
GENERIC_SPAN_EVIDENCE = 0.3


Plan = list[tuple[str, float, tuple[str, ...], bool]]


@dataclass
class Judging:
    """What judging sentences against one question takes, worked out once for the
    question (its forty passages and its article are all judged with the same words):
    the words' weights, their synonyms, which words no article has, the match plan of
    each title, and whether the answer needs a span of the asked type."""

    question: Question
    weights: dict[str, float]
    total: float
    alternatives: dict[str, tuple[str, ...]]
    unknown: dict[str, bool]
    needs: bool
    qualifiers: dict[str, frozenset[str]]  # the asked qualifiers judged sentence by sentence
    plans: dict[tuple[str, float], Plan] = field(default_factory=dict)
    typed: dict[str, list[Span]] = field(default_factory=dict)  # the spans of the asked type, by sentence

    def plan(self, title: str, discount: float) -> Plan:
        """What `matched` looks for in the sentences of an article: each word with its
        share of the weight (less when the title has it), its synonyms, and whether no
        article has it."""
        key = (title, discount)
        plan = self.plans.get(key)
        if plan is None:
            plan = [
                (term, weight * (discount if term in title else 1.0) / self.total, self.alternatives.get(term, ()), self.unknown[term])
                for term, weight in self.weights.items()
            ]
            self.plans[key] = plan
        return plan


@dataclass
class Judged:
    paragraph: int
    index: int  # in the paragraph
    sentence: Sentence
    score: float  # before the credit of a span
    own: float  # the question's words stated besides the article's subject


@dataclass
class Ranked:
    paragraph: int
    sentence: Sentence
    score: float
    span: Span | None


class SentenceRanker:
    """Judges and ranks the sentences of paragraphs against a question."""

    def __init__(self, reader: TextReader, lexicon: Lexicon) -> None:
        self.reader = reader
        self.lexicon = lexicon

    def typed(self, judging: Judging, sentence: str) -> list[Span]:
        """The spans of the asked type in a sentence, the most likely first (its short
        answer), read once per question: the passages, the answering article and its
        candidates share them."""
        spans = judging.typed.get(sentence)
        if spans is None:
            spans = spans_of(sentence, judging.question, self.reader.tag, self.lexicon, RULES[judging.question.kind].extractor)
            judging.typed[sentence] = spans
        return spans

    def ranked_sentences(
        self, paragraphs: Sequence[str], judging: Judging, title: str, discount: float = TITLE_DISCOUNT, wanted: int | None = None
    ) -> list[Ranked]:
        """The sentences of the paragraphs, the best answering one first, each with its
        score and the span of the asked type it holds. A sentence is judged with its
        neighbours (the question's words may stand in the sentence before the answer) and
        by the qualifiers it states; when the question needs a figure or a name, a
        sentence that has one wins; ties go to the earlier sentence.

        With `wanted`, only the first `wanted` of that ranking: the sentences are read for
        their spans best first, and the reading stops once no further sentence could
        enter them even with the largest credit a span gives."""
        return self.ranked(self.judged(paragraphs, judging, title, discount), judging, wanted)

    def ranked(self, judged: list[Judged], judging: Judging, wanted: int | None) -> list[Ranked]:
        """The ranking of `ranked_sentences` from the sentences' scores before their spans."""
        if not judged:
            raise ValueError("no paragraph to choose a sentence from")
        question = judging.question
        most = span_credit_most(question)
        scored: list[tuple[tuple[bool, float, int, int], Ranked]] = []
        for one in sorted(judged, key=lambda j: (j.score, -j.paragraph, -j.index), reverse=True):
            if wanted is not None and len(scored) >= wanted:
                last = heapq.nlargest(wanted, (key for key, _ in scored))[-1]
                if last[:2] > (judging.needs, one.score + most):
                    break
            score = one.score
            typed = self.typed(judging, one.sentence.text)
            span = typed[0] if typed else None
            if span is not None:
                evidence = 1.0
                if question.kind in GENERIC_KINDS:
                    evidence = min(1.0, one.own / GENERIC_SPAN_EVIDENCE)
                score += SPAN_CREDIT * span.strength * evidence
                if question.kind is Kind.LIST:  # a longer list answers 哪些 better
                    score += LIST_ITEM_CREDIT * min(span.text.count("、"), LIST_ITEMS_CREDITED)
            key = (span is not None and judging.needs, score, -one.paragraph, -one.index)
            scored.append((key, Ranked(paragraph=one.paragraph, sentence=one.sentence, score=score, span=span)))
        scored.sort(key=lambda x: x[0], reverse=True)
        return [ranked for _, ranked in scored[:wanted]]

    def judged(self, paragraphs: Sequence[str], judging: Judging, title: str, discount: float) -> list[Judged]:
        """The sentences of the paragraphs with their scores before any span's credit."""
        plan = judging.plan(title, discount)
        generic = judging.question.kind in GENERIC_KINDS
        own_plan = judging.plan(title, 0.0) if generic else plan
        out = []
        for p, paragraph in enumerate(paragraphs):
            sentences = self.reader.sentences(paragraph)
            norms = [self.reader.normal(x.text) for x in sentences]
            matched_ = [matched(n, plan) for n in norms]
            # the question's words a sentence states besides the article's subject (what
            # a span of a generic kind needs as evidence; other kinds never read it)
            own = [matched(n, own_plan) for n in norms] if generic else [0.0] * len(norms)
            for i, sentence in enumerate(sentences):
                near = max(matched_[i - 1] if i > 0 else 0.0, matched_[i + 1] if i + 1 < len(matched_) else 0.0)
                score = max(matched_[i], matched_[i] + NEIGHBOUR_SHARE * (near - matched_[i]))
                stated = qualifiers_of(norms[i]) if judging.qualifiers else {}
                for cls, asked in judging.qualifiers.items():
                    if asked & stated.get(cls, frozenset()):
                        score += QUALIFIER_BONUS
                    elif stated.get(cls):
                        score -= QUALIFIER_PENALTY
                out.append(Judged(paragraph=p, index=i, sentence=sentence, score=score, own=own[i]))
        return out


def matched(norm: str, plan: Plan) -> float:
    """The share of the question's weight a sentence states: its words, their synonyms
    (a little less), and the characters of words no article has (less again)."""
    got = 0.0
    for term, share, alternatives, unknown in plan:
        if term in norm:
            got += share
        elif any(alt in norm for alt in alternatives):
            got += share * SYNONYM_CREDIT
        elif unknown:
            got += share * UNKNOWN_CREDIT * sum(ch in norm for ch in term) / len(term)
    return got


_BRACKETED = re.compile(r"[（(][^）)]*[）)]")


def title_discount(title: str) -> float:
    """How much a word of the title counts in choosing the answering sentence of its article:
    less when the title only names the article's subject."""
    return SUBJECT_DISCOUNT if len(_BRACKETED.sub("", title).strip()) <= SUBJECT_TITLE_MAX else TITLE_DISCOUNT


def span_credit_most(question: Question) -> float:
    """The most a span can add to its sentence's score (and a little more, for rounding)."""
    return SPAN_CREDIT + (LIST_CREDIT_MAX if question.kind is Kind.LIST else 0.0) + BOUND_SLACK


def needs_span(question: Question) -> bool:
    """Questions whose answer, when printed, has a shape we always recognise."""
    return RULES[question.kind].refuses_without_span(question.unit_class is not None, bool(question.roles))
