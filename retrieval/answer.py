"""From a question to a cited answer: search, rerank, pick the sentence, extract the span.

1. BM25 finds candidate passages (paragraphs with their article's headings).
2. Each candidate is reranked on what BM25 cannot see: the question's places and
   organisations must appear in the article, the sentence should hold the kind of
   answer asked for (a figure in the asked unit, a name after the asked role …), and
   the question's words should stand together in one sentence.
3. The best article's best sentence gives the snippet and the short answer.
4. When the question's words are mostly absent from the best article, or the thing
   asked about is in no article at all, the answer is "not found".
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .corpus import Corpus
from .extract import Span, extract
from .models import Answer, Article, Headline, Hit
from .question import ORG_HEADS, Question, QuestionType, analyse
from .segment import Segmenter
from .sentences import SNIPPET_MAX, Sentence, cut_around, split_sentences

CANDIDATES = 40
TITLE_DISCOUNT = 0.4
EXPANSION_WEIGHT = 0.3
UNKNOWN_CREDIT = 0.5
RELATED_SHARE = 0.35  # further hits must score at least this share of the best one
MIN_COVERAGE = 0.35
MIN_COVERAGE_NAMED = 0.2
MIN_COVERAGE_TITLED = 0.1
TITLE_NAME_BOOST = 1.3
RARE_NAME_DOCS = 20
ENTITY_PENALTY = 0.3
_GENERIC_ORGS = {"总工会", "市总工会", "区总工会", "工会", "街道总工会", "全国总工会", "公司", "单位", "企业"}


# 奖金有多少: the words a 多少 at the end of the question counts
_BEFORE_HOW_MANY = re.compile(r"([\u4e00-\u9fff]{1,8}?)(?:有|是|为|共计?|一共|总共)?多少$")


@dataclass
class _Scored:
    row: int
    paragraph: int
    sentence: Sentence
    score: float
    coverage: float


class Answerer:
    """Answers questions from a corpus; cheap to build, shares the corpus and segmenter."""

    def __init__(self, corpus: Corpus, segmenter: Segmenter) -> None:
        self.corpus = corpus
        self.segmenter = segmenter
        self._norm_cache: dict[int, tuple[str, str]] = {}

    # -- helpers ----------------------------------------------------------------------

    def _idf(self, term: str) -> float:
        n = self.corpus.bm25.doc_freq(term)
        total = max(len(self.corpus), 1)
        return math.log(1.0 + (total - n + 0.5) / (n + 0.5))

    def _normalised(self, row: int) -> tuple[str, str]:
        """An article's title and whole text (headings and paragraphs), normalised once."""
        cached = self._norm_cache.get(row)
        if cached is None:
            article = self.corpus.article(row)
            heads = " ".join(x for x in (article.pretitle, article.title, article.subtitle) if x)
            text = self.segmenter.normalise(heads + "\n" + "\n".join(article.paragraphs))
            cached = (self.segmenter.normalise(article.title), text)
            if len(self._norm_cache) > 2048:
                self._norm_cache.clear()
            self._norm_cache[row] = cached
        return cached

    def _names(self, question: Question, entities: list[str]) -> list[str]:
        """Other proper nouns of the question (people, places, works) that some article has;
        an article without them is less likely to answer, but tagging is not sure enough
        to require them."""
        return [n for n in question.names if n not in entities and self.corpus.bm25.doc_freq(n) > 0]

    def _entities(self, question: Question) -> list[str]:
        """The districts, streets and organisations the question names: the answering
        article must name them too (密云区 is not answered from 东城区)."""
        places = self.segmenter.places | self.segmenter.places_short
        out = []
        for term in question.terms:
            if term in out or term in _GENERIC_ORGS:
                continue
            if term in places or (len(term) >= 4 and term.endswith(ORG_HEADS)):
                out.append(term)
        # keep the longest of overlapping forms (密云区 covers 密云)
        return [t for t in out if not any(t != o and t in o for o in out)] or out

    # -- answering --------------------------------------------------------------------

    def answer(self, text: str, limit: int = 5) -> Answer:
        """The answer to one question, with up to `limit` cited hits."""
        question = analyse(text, self.segmenter)
        terms = [t for t in question.terms if not t.startswith("#")]
        if not terms or len(self.corpus) == 0:
            return Answer(question=text, found=False, reason="empty")
        core = set(question.core)
        # words that only come from expanding a short form count as alternatives, less
        weights = {t: self._idf(t) * (1.0 if t in core else EXPANSION_WEIGHT) for t in dict.fromkeys(terms)}
        total = sum(weights.values())
        candidates = self.corpus.bm25.top(question.terms, CANDIDATES)
        if not candidates:
            return Answer(question=text, found=False, reason="unknown")
        best_bm25 = candidates[0][1]
        entities = self._entities(question)
        names = self._names(question, entities)
        by_article: dict[int, _Scored] = {}
        for passage, bm25 in candidates:
            row = self.corpus.article_of(passage)
            title, article_text = self._normalised(row)
            coverage = self._coverage(weights, total, article_text)
            agrees = all(e in article_text for e in entities)
            paragraph = passage - self.corpus.article_passages(row).start
            text_of_passage = self.corpus.passages[passage]
            _, sentence, local, _ = self._best_sentence([text_of_passage], question, weights, total, title)
            score = 0.35 * (bm25 / best_bm25) + 0.4 * coverage + 0.35 * local
            if not agrees:
                score *= ENTITY_PENALTY
            if names:
                score *= 0.5 + 0.5 * sum(n in article_text for n in names) / len(names)
                if any(n in title for n in names):  # the article about what the question names
                    score *= TITLE_NAME_BOOST
            current = by_article.get(row)
            if current is None or score > current.score:
                by_article[row] = _Scored(row, paragraph, sentence, score, coverage)
        ranked = sorted(by_article.values(), key=lambda s: (-s.score, s.row))
        top = ranked[0]
        top_title, top_text = self._normalised(top.row)
        if self._asks_about_unknown(question, top_text):
            return Answer(question=text, found=False, reason="unknown")
        # a rare name of the question found in the article: its other words may be paraphrased
        rare = [n for n in names if self.corpus.bm25.doc_freq(n) <= RARE_NAME_DOCS]
        threshold = MIN_COVERAGE
        if any(n in top_text for n in rare):
            threshold = MIN_COVERAGE_NAMED
        if any(n in top_title for n in rare):  # the article about what the question names
            threshold = MIN_COVERAGE_TITLED
        if top.coverage < threshold or not all(e in top_text for e in entities):
            related = tuple(self._headline(self.corpus.article(s.row)) for s in ranked[:3] if s.coverage >= 0.3)
            return Answer(question=text, found=False, reason="weak", related=related)
        relevant = [s for s in ranked[:limit] if s.score >= RELATED_SHARE * top.score and s.coverage >= MIN_COVERAGE / 2]
        hits = [self._hit(s, question, weights, total, first=(i == 0)) for i, s in enumerate(relevant)]
        if hits[0].answer is None and _needs_span(question):
            # 多少人 with no count of people in the article, 谁 with no name after the role:
            # the paper does not say, so do not cite something beside the point.
            related = tuple(self._headline(h.article) for h in hits[:3])
            return Answer(question=text, found=False, reason="unsaid", related=related)
        return Answer(question=text, found=True, answer=hits[0].answer, hits=tuple(hits))

    @staticmethod
    def _headline(article: Article) -> Headline:
        return Headline(article_id=article.article_id, title=article.title, issue=article.issue)

    def _coverage(self, weights: dict[str, float], total: float, text: str) -> float:
        """The share of the question's weight found in the text. A word found in no
        article at all (a paraphrase: 最初 for 初名) earns half credit for the share of
        its characters the text has."""
        got = 0.0
        for term, weight in weights.items():
            if term in text:
                got += weight
            elif self.corpus.bm25.doc_freq(term) == 0 and len(term) > 1:
                got += weight * UNKNOWN_CREDIT * sum(ch in text for ch in term) / len(term)
        return got / total

    def _asks_about_unknown(self, question: Question, top_text: str) -> bool:
        """Is the thing asked about (多少年终奖 -> 年终奖) in no article at all, and not even
        its characters in the best one (多少资金 is answered by 融资250亿美元)?"""
        if question.qtype is not QuestionType.QUANTITY or question.unit_class is not None:
            return False
        noun = question.noun
        if not noun:  # 奖金有多少: the last noun before 多少
            before = _BEFORE_HOW_MANY.search(question.normalised.rstrip("？?。 "))
            tagged = self.segmenter.tagger.lcut(before.group(1)) if before else []
            nouns = [w.word for w in tagged if w.flag.startswith("n") and w.word not in self.segmenter.stopwords]
            noun = nouns[-1] if nouns else ""
        if not noun:
            return False
        words = [w for w in self.segmenter.cut(noun) if w not in self.segmenter.stopwords]
        if not words or any(self.corpus.bm25.doc_freq(w) > 0 for w in words):
            return False
        shared = sum(ch in top_text for ch in noun) / len(noun)
        return len(noun) >= 3 or shared < 0.5

    def _tag(self, text: str) -> list[tuple[str, str]]:
        return [(w.word, w.flag) for w in self.segmenter.tagger.lcut(text)]

    def _sentence_score(
        self, sentence: str, question: Question, weights: dict[str, float], total: float, title: str
    ) -> tuple[float, Span | None]:
        """Question words in the sentence (those of the title count less: the title already
        says them), plus a bonus when the sentence holds the kind of answer asked for."""
        norm = self.segmenter.normalise(sentence)
        discount = TITLE_DISCOUNT if question.qtype is not QuestionType.STATEMENT else 1.0
        matched = sum(w * (discount if t in title else 1.0) for t, w in weights.items() if t in norm) / total
        span = extract(sentence, question, self._tag)
        bonus = 0.0
        if span is not None:
            bonus = 0.3 * span.strength
            if question.qtype is QuestionType.LIST and span.strength < 1:  # a longer list answers 哪些 better
                bonus += 0.05 * min(span.text.count("、"), 6)
        return matched + bonus, span

    def _best_sentence(
        self, paragraphs: Sequence[str], question: Question, weights: dict[str, float], total: float, title: str
    ) -> tuple[int, Sentence, float, Span | None]:
        """The best answering sentence of the paragraphs: (paragraph index, sentence, score,
        short answer). When the question needs a figure or a name, a sentence that has one
        wins; ties go to the earlier sentence."""
        best: tuple[tuple[bool, float, int, int], int, Sentence, float, Span | None] | None = None
        for p, paragraph in enumerate(paragraphs):
            for i, sentence in enumerate(split_sentences(paragraph) or [Sentence(text=paragraph, start=0)]):
                score, span = self._sentence_score(sentence.text, question, weights, total, title)
                key = (span is not None and _needs_span(question), score, -p, -i)
                if best is None or key > best[0]:
                    best = (key, p, sentence, score, span)
        if best is None:
            raise ValueError("no paragraph to choose a sentence from")
        return best[1], best[2], best[3], best[4]

    def _hit(
        self, scored: _Scored, question: Question, weights: dict[str, float], total: float, first: bool
    ) -> Hit:
        article = self.corpus.article(scored.row)
        paragraph, sentence, span = scored.paragraph, scored.sentence, None
        if first:
            title = self._normalised(scored.row)[0]
            paragraph, sentence, _, span = self._best_sentence(article.paragraphs, question, weights, total, title)
        else:
            span = extract(sentence.text, question, self._tag)
        snippet, answer_start = _snippet(article.paragraphs[paragraph], sentence, span)
        return Hit(
            article=article,
            paragraph=paragraph,
            snippet=snippet,
            answer=span.text if span is not None else None,
            answer_start=answer_start,
            score=round(scored.score * 10, 4),
        )

def _needs_span(question: Question) -> bool:
    """Questions whose answer, when printed, has a shape we always recognise."""
    if question.qtype is QuestionType.QUANTITY:
        return question.unit_class is not None
    return question.qtype is QuestionType.PERSON and bool(question.roles)


def _snippet(paragraph: str, sentence: Sentence, span: Span | None) -> tuple[str, int | None]:
    """The sentence (and the next ones while they fit), cut around the answer if too long."""
    text = sentence.text.strip()
    offset = len(sentence.text) - len(sentence.text.lstrip())
    if len(text) > SNIPPET_MAX:
        start, end = (span.start - offset, span.end - offset) if span is not None else (0, 0)
        cut = cut_around(text, max(start, 0), max(end, 0))
        at = cut.find(span.text) if span is not None else -1
        return cut, (at if at >= 0 else None)
    following = paragraph[sentence.start + len(sentence.text) :]
    for extra in split_sentences(following):
        if len(text) + len(extra.text.strip()) > SNIPPET_MAX:
            break
        text += extra.text.strip()
    at = text.find(span.text) if span is not None else -1
    return text, (at if at >= 0 else None)

