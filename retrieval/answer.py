"""From a question to a cited answer: search, rerank, pick the sentence, extract the span.

1. BM25 finds candidate passages (paragraphs with their article's headings).
2. Each candidate is reranked on what BM25 cannot see: the question's places and
   organisations must appear in the article, the sentence should hold the kind of
   answer asked for (a figure in the asked unit, a name after the asked role …), and
   the question's words should stand together in one sentence.
3. The best article's best sentence gives the snippet and the short answer.
4. When the question's words are mostly absent from the best article, or the thing
   asked about is in no article at all, the answer is "not found".
5. The short answer is printed only when the answer model (retrieval/confidence.py) is
   sure enough; otherwise the reply cites the evidence without an answer line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .corpus import Corpus
from .confidence import AnswerModel
from .extract import Span, anchors_of, extract
from .figures import TIME_RE, find_figures
from .kinds import BYLINE_QUESTION, HAS_QUESTION, RULES, parts_of
from .lexicon import Lexicon
from .models import Answer, Article, Headline, Hit, Kind
from .question import Question, analyse, qualifiers_of
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
SYNONYM_CREDIT = 0.8  # a synonym of a question word says nearly the same
NEIGHBOUR_SHARE = 0.3  # the question's words in the next or previous sentence count a little
QUALIFIER_PENALTY = 0.5  # a sentence stating another rank / round / year is not the answer
QUALIFIER_BONUS = 0.1  # one stating the asked one is more likely
# qualifiers judged sentence by sentence; a year is often stated once for the whole article
SENTENCE_QUALIFIERS = ("ordinal", "rank")
DISTANCE_SCALE = 40.0  # characters: a span this far from the question's words is "far"
ADJACENT = 6  # characters: a question word this close to the span is read as tied to it


# 奖金有多少: the words a 多少 at the end of the question counts
_BEFORE_HOW_MANY = re.compile(r"([\u4e00-\u9fff]{1,8}?)(?:有|是|为|共计?|一共|总共)?多少$")


@dataclass
class Explained:
    """An answer with what the answer model saw: the features of its best candidate span
    (None when there was none) and that span's text, printed or not."""

    answer: Answer
    features: dict[str, float] | None = None
    candidate: str | None = None


@dataclass
class _Scored:
    row: int
    paragraph: int
    sentence: Sentence
    score: float
    coverage: float


class Answerer:
    """Answers questions from a corpus; cheap to build, shares the corpus and segmenter."""

    def __init__(
        self, corpus: Corpus, segmenter: Segmenter, lexicon: Lexicon | None = None, model: AnswerModel | None = None
    ) -> None:
        self.corpus = corpus
        self.segmenter = segmenter
        self.lexicon = lexicon if lexicon is not None else Lexicon()
        self.model = model if model is not None else AnswerModel()
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
            if term in out or term in self.lexicon.generic_organisations:
                continue
            if term in places or (len(term) >= 4 and term.endswith(self.lexicon.organisation_heads)):
                out.append(term)
        # keep the longest of overlapping forms (密云区 covers 密云)
        return [t for t in out if not any(t != o and t in o for o in out)] or out

    # -- answering --------------------------------------------------------------------

    def answer(self, text: str, limit: int = 5) -> Answer:
        """The answer to one question, with up to `limit` cited hits."""
        return self.explain(text, limit).answer

    def explain(self, text: str, limit: int = 5) -> Explained:
        """The answer, and the features its confidence was computed from. A two-part
        question (多少人参加，评出几个奖项) answers each part from the same article."""
        parts = parts_of(self.segmenter.normalise(text).strip())
        first = self._explain(text if len(parts) == 1 else parts[0], limit)
        if len(parts) == 1 or not first.answer.found:
            return Explained(first.answer.model_copy(update={"question": text}), first.features, first.candidate)
        top = first.answer.hits[0]
        shown: list[str | None] = [first.candidate]
        for part in parts[1:]:
            question = analyse(part, self.segmenter, self.lexicon)
            weights, total = self._weights(question)
            title = self.segmenter.normalise(top.article.title)
            _, _, _, span, _ = self._best_sentence(top.article.paragraphs, question, weights, total, title)
            shown.append(self._shown(question, span))
        candidate = "；".join(a for a in shown if a) if all(shown) else None
        # each further part is found with less context than the first: its confidence is
        # the first part's, and a part without an answer withholds the whole line
        confidence = first.answer.confidence if candidate else 0.0
        printed = candidate if candidate and confidence >= self.model.print_threshold else None
        answer = first.answer.model_copy(update={"question": text, "answer": printed, "confidence": confidence})
        return Explained(answer, first.features if candidate else None, candidate)

    def _weights(self, question: Question) -> tuple[dict[str, float], float]:
        core = set(question.core)
        terms = [t for t in question.terms if not t.startswith("#")]
        # words that only come from expanding a short form count as alternatives, less
        weights = {t: self._idf(t) * (1.0 if t in core else EXPANSION_WEIGHT) for t in dict.fromkeys(terms)}
        return weights, sum(weights.values()) or 1.0

    def _shown(self, question: Question, span: Span | None) -> str | None:
        """The answer words of a span: the span, or 有 / 是 for a yes/no question."""
        if span is None:
            return None
        if question.kind is Kind.YES_NO:
            return "有" if HAS_QUESTION.search(question.normalised) else "是"
        return span.text

    def _explain(self, text: str, limit: int) -> Explained:
        question = analyse(text, self.segmenter, self.lexicon)
        terms = [t for t in question.terms if not t.startswith("#")]
        if not terms or len(self.corpus) == 0:
            return Explained(Answer(question=text, found=False, reason="empty", kind=question.kind))
        weights, total = self._weights(question)
        candidates = self.corpus.bm25.top(question.terms, CANDIDATES)
        if not candidates:
            return Explained(Answer(question=text, found=False, reason="unknown", kind=question.kind))
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
            _, sentence, local, _, _ = self._best_sentence([text_of_passage], question, weights, total, title)
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
        kind = question.kind
        if self._asks_about_unknown(question, top_text):
            return Explained(Answer(question=text, found=False, reason="unknown", kind=kind))
        # a rare name of the question found in the article: its other words may be paraphrased
        rare = [n for n in names if self.corpus.bm25.doc_freq(n) <= RARE_NAME_DOCS]
        threshold = MIN_COVERAGE
        if any(n in top_text for n in rare):
            threshold = MIN_COVERAGE_NAMED
        if any(n in top_title for n in rare):  # the article about what the question names
            threshold = MIN_COVERAGE_TITLED
        if top.coverage < threshold or not all(e in top_text for e in entities):
            related = tuple(self._headline(self.corpus.article(s.row)) for s in ranked[:3] if s.coverage >= 0.3)
            return Explained(Answer(question=text, found=False, reason="weak", related=related, kind=kind))
        if _qualifier_missing(question, top_text):
            # 二等奖 asked, only 一等奖 stated: the paper does not say
            related = tuple(self._headline(self.corpus.article(s.row)) for s in ranked[:3])
            return Explained(Answer(question=text, found=False, reason="unsaid", related=related, kind=kind))
        relevant = [s for s in ranked[:limit] if s.score >= RELATED_SHARE * top.score and s.coverage >= MIN_COVERAGE / 2]
        article = self.corpus.article(top.row)
        paragraph, sentence, local, span, runner_up = self._best_sentence(
            article.paragraphs, question, weights, total, top_title
        )
        if kind is Kind.PERSON and article.reporters and BYLINE_QUESTION.search(question.normalised):
            span, sentence, paragraph = _byline(article), article_lead(article), 0
        hits = [self._hit(top, paragraph, sentence, span)]
        for other in relevant[1:]:
            hits.append(self._hit(other, other.paragraph, other.sentence, self._extract(other.sentence.text, question)))
        rule = RULES[kind]
        if span is None and rule.refuses_without_span(question.unit_class is not None, bool(question.roles)):
            # 多少人 with no count of people in the article, 谁 with no name after the role,
            # 有没有 with nothing of the kind stated: the paper does not say, so do not cite.
            related = tuple(self._headline(h.article) for h in hits[:3])
            return Explained(Answer(question=text, found=False, reason="unsaid", related=related, kind=kind))
        features = None
        confidence = 0.0
        if span is not None:
            second = ranked[1].score if len(ranked) > 1 else 0.0
            features = self._features(
                question, sentence.text, span, top.coverage, (top.score - second) / max(top.score, 1e-9),
                lead=(paragraph == 0 and sentence.start == 0),
                names_share=(sum(n in top_text for n in names) / len(names)) if names else 1.0,
                local=local, runner_up=runner_up, weights=weights, total=total,
            )
            confidence = self.model.probability(features)
        shown = self._shown(question, span)
        printed = shown if shown is not None and confidence >= self.model.print_threshold else None
        answer = Answer(
            question=text,
            found=True,
            answer=printed,
            confidence=round(confidence, 3),
            kind=kind,
            hits=tuple(hits),
        )
        return Explained(answer, features, shown)

    def _features(
        self,
        question: Question,
        sentence: str,
        span: Span,
        coverage: float,
        margin: float,
        lead: bool,
        names_share: float,
        local: float,
        runner_up: float,
        weights: dict[str, float],
        total: float,
    ) -> dict[str, float]:
        """What the answer model weighs (see retrieval/confidence.py FEATURES)."""
        norm = self.segmenter.normalise(sentence)
        asked, stated = question.qualifiers, qualifiers_of(norm)
        agrees = any(asked[c] & stated.get(c, frozenset()) for c in asked)
        conflicts = any(stated.get(c) and not (asked[c] & stated[c]) for c in asked)
        anchors = anchors_of(sentence, question)
        distance = min(abs(span.start - a) for a in anchors) / DISTANCE_SCALE if anchors else DISTANCE_SCALE
        values: dict[str, float] = {f"kind_{k.value}": float(question.kind is k) for k in Kind}
        values.update(
            strength=span.strength,
            sentence_coverage=sum(w for t, w in weights.items() if t in norm) / total,
            article_coverage=coverage,
            margin=max(0.0, min(1.0, margin)),
            qualifier_agrees=float(agrees),
            qualifier_conflicts=float(conflicts),
            unit_asked=float(question.unit_class is not None),
            distance=min(1.0, distance),
            lead_sentence=float(lead),
            span_length=math.log1p(len(span.text)),
            specific=float(_specific(question, span.text)),
            names_agree=names_share,
            sentence_best_margin=max(0.0, min(1.0, local - runner_up)),
            noun_follows=float(bool(question.noun) and question.noun[:2] in norm[span.end : span.end + 8]),
            competitors=math.log1p(_competitors(question, norm, span)),
            adjacent=float(bool(anchors) and min(min(abs(span.start - a), abs(span.end - a)) for a in anchors) <= ADJACENT),
            byline=float(question.kind is Kind.PERSON and BYLINE_QUESTION.search(question.normalised) is not None),
        )
        return values

    def _extract(self, sentence: str, question: Question) -> Span | None:
        return extract(sentence, question, self._tag, self.lexicon, RULES[question.kind].extractor)

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
        if question.kind is not Kind.QUANTITY or question.unit_class is not None:
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

    def _alternatives(self, question: Question) -> dict[str, tuple[str, ...]]:
        """Synonyms of the question's words (config/synonyms.txt)."""
        return {t: tuple(sorted(self.lexicon.synonyms_of(t))) for t in question.terms if not t.startswith("#")}

    def _matched(
        self, norm: str, weights: dict[str, float], total: float, title: str, discount: float,
        alternatives: dict[str, tuple[str, ...]],
    ) -> float:
        """The share of the question's weight a sentence states: its words, their synonyms
        (a little less), and the characters of words no article has (less again)."""
        got = 0.0
        for term, weight in weights.items():
            scale = discount if term in title else 1.0
            if term in norm:
                got += weight * scale
            elif any(alt in norm for alt in alternatives.get(term, ())):
                got += weight * scale * SYNONYM_CREDIT
            elif len(term) > 1 and self.corpus.bm25.doc_freq(term) == 0:
                got += weight * scale * UNKNOWN_CREDIT * sum(ch in norm for ch in term) / len(term)
        return got / total

    def _best_sentence(
        self, paragraphs: Sequence[str], question: Question, weights: dict[str, float], total: float, title: str
    ) -> tuple[int, Sentence, float, Span | None, float]:
        """The best answering sentence of the paragraphs: (paragraph index, sentence, score,
        short answer, the next best sentence's score). A sentence is judged with its
        neighbours (the question's words may stand in the sentence before the answer) and
        by the qualifiers it states; when the question needs a figure or a name, a
        sentence that has one wins; ties go to the earlier sentence."""
        discount = TITLE_DISCOUNT if question.kind is not Kind.OTHER else 1.0
        alternatives = self._alternatives(question)
        needs = _needs_span(question)
        scored: list[tuple[tuple[bool, float, int, int], int, Sentence, float, Span | None]] = []
        for p, paragraph in enumerate(paragraphs):
            sentences = split_sentences(paragraph) or [Sentence(text=paragraph, start=0)]
            norms = [self.segmenter.normalise(x.text) for x in sentences]
            matched = [self._matched(n, weights, total, title, discount, alternatives) for n in norms]
            for i, sentence in enumerate(sentences):
                near = max(matched[i - 1] if i > 0 else 0.0, matched[i + 1] if i + 1 < len(matched) else 0.0)
                score = max(matched[i], matched[i] + NEIGHBOUR_SHARE * (near - matched[i]))
                stated = qualifiers_of(norms[i])
                for cls, asked in question.qualifiers.items():
                    if cls not in SENTENCE_QUALIFIERS:
                        continue
                    if asked & stated.get(cls, frozenset()):
                        score += QUALIFIER_BONUS
                    elif stated.get(cls):
                        score -= QUALIFIER_PENALTY
                span = self._extract(sentence.text, question)
                if span is not None:
                    score += 0.3 * span.strength
                    if question.kind is Kind.LIST:  # a longer list answers 哪些 better
                        score += 0.05 * min(span.text.count("、"), 6)
                key = (span is not None and needs, score, -p, -i)
                scored.append((key, p, sentence, score, span))
        if not scored:
            raise ValueError("no paragraph to choose a sentence from")
        scored.sort(key=lambda x: x[0], reverse=True)
        best = scored[0]
        runner_up = scored[1][3] if len(scored) > 1 else 0.0
        return best[1], best[2], best[3], best[4], runner_up

    def _hit(self, scored: _Scored, paragraph: int, sentence: Sentence, span: Span | None) -> Hit:
        article = self.corpus.article(scored.row)
        snippet, answer_start = _snippet(article.paragraphs[paragraph], sentence, span)
        return Hit(
            article=article,
            paragraph=paragraph,
            snippet=snippet,
            answer=span.text if span is not None else None,
            answer_start=answer_start,
            score=round(scored.score * 10, 4),
        )


def article_lead(article: Article) -> Sentence:
    first = split_sentences(article.paragraphs[0]) if article.paragraphs else []
    return first[0] if first else Sentence(text=article.paragraphs[0] if article.paragraphs else "", start=0)


def _byline(article: Article) -> Span:
    """Who wrote or photographed the article: its reporters (记者是谁, 谁拍的)."""
    names = "、".join(article.reporters)
    lead = article_lead(article).text
    at = lead.find(article.reporters[0])
    return Span(text=names, start=max(at, 0), end=max(at, 0) + len(names) if at >= 0 else 0, strength=1.0)


def _qualifier_missing(question: Question, text: str) -> bool:
    """Does the article state other qualifiers of a class the question asks for, and
    never the asked one (二等奖 asked, only 一等奖 stated)?"""
    stated = qualifiers_of(text)
    return any(stated.get(c) and not (asked & stated[c]) for c, asked in question.qualifiers.items())


def _competitors(question: Question, norm: str, span: Span) -> int:
    """Other spans of the asked type in the sentence (four figures in 人 make a 多少人 risky)."""
    if question.kind is Kind.QUANTITY:
        return max(0, sum(question.unit_class in (None, f.unit_class) for f in find_figures(norm)) - 1)
    if question.kind is Kind.DATE:
        return max(0, len(TIME_RE.findall(norm)) - 1)
    return norm.count("、") if question.kind is not Kind.LIST else 0


def _specific(question: Question, text: str) -> bool:
    """Is the span of the precise shape the kind wants (a dated day, a figure, a name)?"""
    if question.kind is Kind.DATE:
        has_digit = any(ch.isdigit() for ch in text)
        return has_digit and (not question.wants_day or "日" in text or "号" in text)
    if question.kind is Kind.PERSON:
        return 2 <= len(text) <= 3
    if question.kind is Kind.QUANTITY:
        return any(ch.isdigit() or ch in "一二三四五六七八九十百千万两" for ch in text)
    return True


def _needs_span(question: Question) -> bool:
    """Questions whose answer, when printed, has a shape we always recognise."""
    return RULES[question.kind].refuses_without_span(question.unit_class is not None, bool(question.roles))


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

