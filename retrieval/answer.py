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

import heapq
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

from .byline import credited_as, lead_credit
from .candidates import Candidate, QuestionContext, SentenceChoice, candidates_of
from .corpus import Corpus
from .confidence import AnswerModel
from .extract import ABBREVIATION_GAP, Span, held_names, name_at, things_stated
from .found import ABOUT_THE_BOT, ARITHMETIC, DAY_OF_ASKING, EVERYDAY, REQUEST_TO_THE_BOT, found_features
from .kinds import BYLINE_QUESTION, RULES, parts_of, yes_word
from .lexicon import Lexicon
from .models import Answer, Article, Headline, Hit, Kind
from .question import UNSAID_CLASSES, Question, analyse, qualifiers_of
from .ranking import (
    BOUND_SLACK,
    QUALIFIER_BONUS,
    SENTENCE_QUALIFIERS,
    TITLE_DISCOUNT,
    UNKNOWN_CREDIT,
    Judged,
    Judging,
    SentenceRanker,
    needs_span,
    span_credit_most,
    title_discount,
)
from .reading import TextReader
from .segment import Segmenter
from .sentences import SNIPPET_MAX, Sentence, cut_around, split_sentences

CANDIDATES = 40
EVERYDAY_FLOOR = 1e-7  # the everyday share of a word jieba's dictionary lacks (rarer than any it has)
AFFINITY_FLOOR = 6.0  # a question without content words has no word of the paper's
EXPANSION_WEIGHT = 0.3
# the question asks for people (三等奖都有谁, 那5个人都叫啥, 拿一等奖的是哪两位), not a team or a work
_PEOPLE_ASKED = re.compile(r"谁(?!的作品|拍的|写的|画的)|叫(?:啥|什么)(?:名字)?|哪(?:几|两|三)?(?:个|位|名)(?:人|选手|职工|师傅)|哪(?:几|两|三)位")
# how much of the words right before the question word (报名费要多少钱, 平均工资多少, 去年营收多少)
_AMOUNT_ASKED = re.compile(r"([\u4e00-\u9fff]{2,8}?)(?:是|有|要|能|得|大概|大约|一共|最低|最高|最少|最多)*(?:多少|几)")
# … and the noun counted right after it (多少成员, 几名成员)
_COUNTED_AFTER = re.compile(r"(?:多少|几)(?:个|名|位|项|笔)?([\u4e00-\u9fff]{2,4})")
# who by a word for people right before the question word (教练叫什么, 那个律师是谁, 的老师叫啥)
_HOLDER_ASKED = re.compile(r"([\u4e00-\u9fff]{2,4}?)(?:都|分别)?(?:叫(?:啥|什么)|是谁|是哪位|姓(?:啥|什么))")
# how many people an organisation has, in all (中科星河软件公司一共有多少职工, 嘉润包装一共多少职工,
# 京韵饭店管理集团有多少职工): not how many an activity reached (一共培训了多少职工)
_STAFF = r"(?:名|个)?(?:职工|员工|工人)(?:啊|呀|呢|吗)?[？?。]*$"
_HEADCOUNT_ASKED = re.compile(
    rf"^[\u4e00-\u9fff]{{2,16}}?(?:现在|目前)?(?:一共|总共|共)有?多少{_STAFF}"
    rf"|^[\u4e00-\u9fff]{{2,14}}(?:公司|集团|厂|企业|医院)(?:现在|目前)?有多少{_STAFF}"
)
# … which the paper states as a headcount (公司现有职工1260名, 企业有职工760余人, 职工总数达3200人,
# 全集团6200余名员工)
_HEADCOUNT = re.compile(
    r"(?:现有|共有|拥有|有|在岗|在职)(?:在岗|在职)?(?:职工|员工|工人)(?:总数)?(?:达|约|近|超过|逾)?[\d.]+万?(?:余|多)?(?:名|人)"
    r"|(?:职工|员工)(?:总数|总人数|人数)(?:达|为|约|近|超过|逾)?[\d.]+"
    r"|(?:全公司|全集团|全厂|全院|全体)(?:共)?[\d.]+万?(?:余|多)?名(?:职工|员工)"
)
_LOWER_PRIZES = frozenset({"二等奖", "三等奖", "四等奖", "优秀奖", "银奖", "铜奖"})  # prizes given to several people, by name or by count
_CLAUSE_SPLIT = re.compile(r"[，。；：！？,;:!?]")
# who of the organisation before it (朝阳区总工会是谁发的言, …在推进会上是谁发的言, …派谁去的)
_WHO_OF = r"(?:在[\u4e00-\u9fff]{1,12}?上)?(?:是|派了?|由)?(?:谁|哪位)"
# what the organisation before it said (海淀区总工会在推进会上介绍了啥经验, …发言讲了啥)
_SAID_OF = r"(?:在[\u4e00-\u9fff]{1,12}?上)?(?:具体|发言|都)?(?:介绍|讲|说|谈|分享)了?(?:些|点)?(?:啥|什么)"
# … which the text has it say, itself or by one of its people (海淀区总工会介绍, …副主席张良表示,
# …在发言中谈到); not an organisation only listed among those who spoke (…作交流发言)
_SPEAKS = re.compile(r"(?:在[\u4e00-\u9fff]{1,8}?中)?(?:介绍|表示|说|指出|谈到|分享|提出|强调|认为|发言(?:中|时|说|称|表示))")
ORGANISATION_REACH = 6  # characters between a place the question names and the organisation head it ends with (海淀区家政工会)
CHOICE_COVERAGE = 0.1  # share of the question's weight a sentence must state to answer a choice (no right choice of the training and validation sets below it)
ORGANISATION_CHARS = 4  # characters a word ending with an organisation head has at least to name one (区总工会)
UNHEARD_NAME_SHARE = 1e-6  # everyday share below which a tagged name is a proper name (沙峪 0, 斋堂 2e-7), not a word (联谊 5e-6)
OPTION_WEIGHT = 0.5  # each option of A还是B: the paper names one of the two
RELATED_SHARE = 0.35  # further hits must score at least this share of the best one
MIN_COVERAGE = 0.35
MIN_COVERAGE_NAMED = 0.2
MIN_COVERAGE_TITLED = 0.1
TITLE_NAME_BOOST = 1.3
RARE_NAME_DOCS = 20
ENTITY_PENALTY = 0.3
SENTENCES_CONSIDERED = 4  # the best article's best sentences that give candidate answers


# 奖金有多少: the words a 多少 at the end of the question counts
_BEFORE_HOW_MANY = re.compile(r"([\u4e00-\u9fff]{1,8}?)(?:有|是|为|共计?|一共|总共)?多少$")


@dataclass
class Explained:
    """An answer with what the answer model saw: every candidate span with its features,
    the chosen one, and the words it would print (printed or not)."""

    answer: Answer
    candidates: tuple[Candidate, ...] = ()
    chosen: Candidate | None = None
    candidate: str | None = None
    yes_word: str | None = None  # 有 / 是: what every candidate of a yes/no question says
    found: dict[str, float] | None = None  # the found / not-found decision's features

    def shown(self, candidate: Candidate) -> str:
        """The answer words of a candidate (有 / 是 for a yes/no question)."""
        return self.yes_word if self.yes_word is not None else candidate.text


@dataclass
class _Passage:
    """A candidate passage: its BM25 share, its article's coverage and the factors of its
    score (names agreeing, entities missing), and its sentences before their spans."""

    order: int  # in BM25's ranking
    passage: int
    row: int
    paragraph: int
    title: str  # its article's, normalised
    bm25: float
    coverage: float
    factors: tuple[float, ...]
    judged: list[Judged] | None = None  # its sentences, once scored
    bound: float = 0.0  # the score it could reach: any sentence's, then its best sentence's with a span

    def score(self, local: float) -> float:
        """The passage's score when its best sentence scores `local`."""
        score = 0.35 * self.bm25 + 0.4 * self.coverage + 0.35 * local
        for factor in self.factors:
            score *= factor
        return score


@dataclass
class _Scored:
    row: int
    paragraph: int
    sentence: Sentence
    score: float
    coverage: float
    local: float = 0.0  # the best sentence's share of the question's weight


class Answerer:
    """Answers questions from a corpus; cheap to build, shares the corpus and segmenter."""

    def __init__(
        self, corpus: Corpus, segmenter: Segmenter, lexicon: Lexicon | None = None, model: AnswerModel | None = None
    ) -> None:
        self.corpus = corpus
        self.segmenter = segmenter
        self.lexicon = lexicon if lexicon is not None else Lexicon()
        self.model = model if model is not None else AnswerModel()
        self.reader = TextReader(segmenter)
        self.ranker = SentenceRanker(self.reader, self.lexicon)
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
        # the options of A还是B are asked about, not required (西城还是东城: the paper names one)
        options = question.options
        out = []
        for term in question.terms:
            if term in out or term in self.lexicon.generic_organisations:
                continue
            if any(term in o or o in term for o in options):
                continue
            if term in places or (len(term) >= ORGANISATION_CHARS and term.endswith(self.lexicon.organisation_heads)) or self._named_place(term, question.terms):
                out.append(term)
        # keep the longest of overlapping forms (密云区 covers 密云)
        return [t for t in out if not any(t != o and t in o for o in out)] or out

    def _holder_unsaid(self, question: Question, text: str) -> bool:
        """Does the question ask who by a profession (教练, 律师, 家庭医生) that the article never
        says (律师 in 执业律师, 教练 in 教练员 say it)?"""
        asked = _HOLDER_ASKED.search(question.normalised)
        if asked is None:
            return False
        word = next((w for w in self.lexicon.professions if asked.group(1).endswith(w)), None)
        return word is not None and not self._says(text, word)

    def _says(self, text: str, word: str) -> bool:
        """Does the text say the word, or one of its synonyms?"""
        return any(form in text for form in (word, *self.lexicon.synonyms_of(word)))

    def _article_unsaid(self, question: Question, byline: bool, entities: list[str], text: str) -> bool:
        """Does the article about the question leave unsaid what it asks, though it tells of
        the same thing: the people of a prize it gives by count (三等奖都有谁: 另有5名选手获得
        三等奖), a kind of amount it never states (报名费多少钱), an organisation's headcount it
        never gives (京西钢构公司一共有多少职工), a profession it never names
        (游泳班的教练叫什么), somebody of an organisation it lists with no name (海淀区总工会是谁
        发的言), what an organisation it only lists among the speakers said (…介绍了啥经验)?"""
        kind = question.kind
        if kind in (Kind.PERSON, Kind.LIST) and _PEOPLE_ASKED.search(question.normalised) and self._rank_unnamed(question, text):
            return True
        if self._unsaid_by(question, entities, text):
            return True
        if kind is Kind.QUANTITY:
            return self._amount_unsaid(question, text) or (_HEADCOUNT_ASKED.search(question.normalised) is not None and not _HEADCOUNT.search(text))
        if kind is not Kind.PERSON or byline:
            return False
        return self._holder_unsaid(question, text) or (not question.roles and self._nobody_of(question, entities, text))

    def _amount_unsaid(self, question: Question, text: str) -> bool:
        """Does the question ask how much of a kind of amount (报名费, 营收, 平均工资), or how
        many of a kind of member (多少成员), that the article never says?"""
        asked = "".join(m.group(1) for m in _AMOUNT_ASKED.finditer(question.normalised))
        asked += "".join(m.group(1) for m in _COUNTED_AFTER.finditer(question.normalised))
        word = next((w for w in self.lexicon.amounts if w in asked), None)
        return word is not None and not any(self._says(text, form) for form in (word, *self.lexicon.amount_forms.get(word, ())))

    def _rank_unnamed(self, question: Question, text: str) -> bool:
        """Does the article state the asked prize (三等奖) but name nobody in any clause that
        does (郜雨棠、邰文静获得二等奖 names; 另有5名选手获得三等奖 does not)?"""
        asked = question.qualifiers.get("rank", frozenset()) & _LOWER_PRIZES
        if not asked:  # the first place may go to a team, or be called 第一名: not read so
            return False
        stated = False
        for clause in _CLAUSE_SPLIT.split(text):
            if not qualifiers_of(clause).get("rank", frozenset()) & asked:
                continue
            stated = True
            if held_names(clause, self.lexicon):
                return False
        return stated

    def _nobody_of(self, question: Question, entities: list[str], text: str) -> bool:
        """Does the question ask who of an organisation it names (海淀区总工会是谁发的言) while
        the article names nobody with it: no name right after it or after its roles
        (海淀区总工会副主席张良), only the organisation itself (海淀区总工会作交流发言)?"""
        places = self._organisation_places(question, entities, _WHO_OF, text)
        return places is not None and not any(name_at(text, at, self.lexicon) is not None for at in places)

    def _unsaid_by(self, question: Question, entities: list[str], text: str) -> bool:
        """Does the question ask what an organisation it names said (朝阳区总工会在推进会上介绍
        了啥经验) while the article never has it say anything, only lists it among those who
        spoke (朝阳区总工会、…作交流发言)?"""
        places = self._organisation_places(question, entities, _SAID_OF, text)
        if places is None:
            return False
        return not any(_SPEAKS.match(text, name.end if (name := name_at(text, at, self.lexicon)) is not None else at) for at in places)

    def _organisation_places(self, question: Question, entities: list[str], asked: str, text: str) -> list[int] | None:
        """Where the text goes on after each mention of an organisation the question asks
        who or what of (`asked`), behind its roles (海淀区总工会副主席 | 张良); None when the
        question asks no such thing. 朝阳区 and its 总工会, which the segmenter cuts apart, are
        one organisation (not 朝阳区总工会全委会是谁主持的)."""
        asked_of, bound = _who_of_patterns(self.lexicon.organisation_heads, self.lexicon.roles, asked)
        organisations = [m.group(0) for e in entities if (m := re.search(re.escape(e) + asked_of, question.normalised))]
        if not organisations:
            return None
        places = []
        for organisation in organisations:
            for found in re.finditer(re.escape(organisation), text):
                after = bound.match(text, found.end())
                places.append(after.end() if after is not None else found.end())
        return places

    def _places_asked(self, question: Question) -> list[str]:
        """Names of the question no article has and everyday Chinese hardly knows (沙峪; not
        联谊, 东西, which the tagger calls names too), and towns and streets the segmenter cut
        from their heads (斋堂/镇: a word of the dictionary, rare in everyday Chinese, before
        镇, 乡, 街道; not 那条 of 那条市民热线)."""
        out = [n for n in question.names if self.corpus.bm25.doc_freq(n) == 0 and self.segmenter.everyday_share(n) < UNHEARD_NAME_SHARE]
        for term in question.terms:
            head = next((h for h in _TOWN_HEADS if question.normalised.find(term + h) >= 0), None)
            if head is not None and len(term) >= 2 and 0 < self.segmenter.everyday_share(term) < PLACE_NAME_SHARE:
                out.append(term + head)
        return out

    def _named_place(self, term: str, terms: Sequence[str]) -> bool:
        """A place named by its own name and its head, both words of the question (思明区:
        思明 and 思明区; the gazetteer knows Beijing's, not every city's), the name rare in
        everyday Chinese; not a common noun before 区 (功能区, 开发区) nor 社区, 园区."""
        for head in _ADMINISTRATIVE:
            name = term[: -len(head)]
            if term.endswith(head) and len(name) >= 2 and name in terms and self.segmenter.everyday_share(name) < PLACE_NAME_SHARE:
                return True
        return False

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
            return Explained(
                first.answer.model_copy(update={"question": text}), first.candidates, first.chosen, first.candidate, first.yes_word,
                first.found,
            )
        top = first.answer.hits[0]
        shown: list[str | None] = [first.candidate]
        confidences = [first.answer.confidence or 0.0]
        for part in parts[1:]:
            part_shown, part_confidence = self._part(part, top.article, first.found)
            shown.append(part_shown)
            confidences.append(part_confidence)
        candidate = "；".join(a for a in shown if a) if all(shown) else None
        # the line is as sure as its least sure part; a part without an answer withholds it,
        # and so do two parts answered alike (338个；338个: the paper said one of them only)
        confidence = min(confidences) if candidate and len(set(shown)) == len(shown) else 0.0
        printed = candidate if candidate and confidence >= self.model.print_threshold else None
        hits = first.answer.hits if printed else tuple(h.model_copy(update={"answer": None, "answer_start": None}) for h in first.answer.hits)
        answer = first.answer.model_copy(update={"question": text, "answer": printed, "confidence": confidence, "hits": hits})
        return Explained(answer, first.candidates, first.chosen, candidate, first.yes_word, first.found)

    def _part(self, part: str, article: Article, found: dict[str, float] | None) -> tuple[str | None, float]:
        """A further part of a two-part question, answered from the first part's article by
        the same ranker and verifier: its answer words and their confidence."""
        question = analyse(part, self.segmenter, self.lexicon)
        judging = self._judging(question)
        weights, total = judging.weights, judging.total
        title = self.segmenter.normalise(article.title)
        sentences = self.ranker.ranked_sentences(article.paragraphs, judging, title, title_discount(title), SENTENCES_CONSIDERED)
        context = QuestionContext(
            question=question, weights=weights, total=total,
            article_coverage=self._coverage(weights, total, self.reader.normal("\n".join(article.paragraphs))),
            margin=found.get("margin", 0.0) if found else 0.0, names_agree=1.0, byline=False,
            normalise=self.reader.normal, tag=self.reader.tag, lexicon=self.lexicon, typed=partial(self.ranker.typed, judging),
            headline=self._headings(article), paragraphs=article.paragraphs,
        )
        choices = [
            SentenceChoice(paragraph=s.paragraph, sentence=s.sentence, score=s.score, rank=i, lead=(s.paragraph == 0 and s.sentence.start == 0))
            for i, s in enumerate(sentences[:SENTENCES_CONSIDERED])
        ]
        chosen, confidence = self._choose(candidates_of(context, choices), question.kind)
        return (self._shown(question, chosen.span) if chosen is not None else None), confidence

    def _weights(self, question: Question) -> tuple[dict[str, float], float]:
        core = set(question.core)
        terms = [t for t in question.terms if not t.startswith("#")]
        # words that only come from expanding a short form count as alternatives, less
        weights = {t: self._idf(t) * (1.0 if t in core else EXPANSION_WEIGHT) for t in dict.fromkeys(terms)}
        if question.options:  # A还是B: the paper states one of them, so each counts half
            weights = {t: w * (OPTION_WEIGHT if any(t in o for o in question.options) else 1.0) for t, w in weights.items()}
        return weights, sum(weights.values()) or 1.0

    def _judging(self, question: Question) -> Judging:
        weights, total = self._weights(question)
        return Judging(
            question=question,
            weights=weights,
            total=total,
            alternatives=self._alternatives(question),
            unknown={t: len(t) > 1 and self.corpus.bm25.doc_freq(t) == 0 for t in weights},
            needs=needs_span(question),
            qualifiers={c: a for c, a in question.qualifiers.items() if c in SENTENCE_QUALIFIERS},
        )

    def _shown(self, question: Question, span: Span | None) -> str | None:
        """The answer words of a span: the span, or 有 / 是 for a yes/no question."""
        if span is None:
            return None
        if question.kind is Kind.YES_NO:
            return yes_word(question.normalised)
        return span.text

    def _explain(self, text: str, limit: int) -> Explained:
        question = analyse(text, self.segmenter, self.lexicon)
        terms = [t for t in question.terms if not t.startswith("#")]
        if not terms or len(self.corpus) == 0:
            return Explained(Answer(question=text, found=False, reason="empty", kind=question.kind))
        refused = (ARITHMETIC, ABOUT_THE_BOT, REQUEST_TO_THE_BOT, DAY_OF_ASKING, EVERYDAY)
        if any(rule.search(question.normalised) for rule in refused):
            return Explained(Answer(question=text, found=False, reason="unknown", kind=question.kind))
        judging = self._judging(question)
        weights, total = judging.weights, judging.total
        candidates = self.corpus.bm25.top(question.terms, CANDIDATES)
        if not candidates:
            return Explained(Answer(question=text, found=False, reason="unknown", kind=question.kind))
        best_bm25 = candidates[0][1]
        entities = self._entities(question)
        names = self._names(question, entities)
        passages = [
            self._passage(order, passage, bm25 / best_bm25, judging, entities, names) for order, (passage, bm25) in enumerate(candidates)
        ]
        # Only the first few articles of the ranking are read further (the answer, the
        # related hits, the margin over the second): a passage is read only while its
        # score could still place its article among them. Its bound is first the one any
        # sentence allows (all the question's words, the asked qualifiers, a span), then,
        # once its sentences are scored, the one its best sentence allows with a span,
        # and then it is read for its best sentence's span.
        needed = max(limit, 3)
        by_article: dict[int, tuple[_Scored, int]] = {}
        kept: list[float] = []  # the articles' scores so far, best first
        waiting = [(-one.bound, one.order, one) for one in passages]
        heapq.heapify(waiting)
        while waiting:
            if len(kept) >= needed and kept[needed - 1] > -waiting[0][0]:
                break
            _, _, one = heapq.heappop(waiting)
            if one.judged is None:
                one.judged = self.ranker.judged([self.corpus.passages[one.passage]], judging, one.title, TITLE_DISCOUNT)
                one.bound = one.score(max(j.score for j in one.judged) + span_credit_most(judging.question))
                heapq.heappush(waiting, (-one.bound, one.order, one))
                continue
            best = self.ranker.ranked(one.judged, judging, 1)[0]
            score = one.score(best.score)
            current = by_article.get(one.row)
            # of an article's passages the best one counts; on a tie, the one BM25 ranked first
            if current is None or score > current[0].score or (score == current[0].score and one.order < current[1]):
                by_article[one.row] = (_Scored(one.row, one.paragraph, best.sentence, score, one.coverage, best.score), one.order)
                kept = sorted((s.score for s, _ in by_article.values()), reverse=True)
        ranked = sorted((s for s, _ in by_article.values()), key=lambda s: (-s.score, s.row))
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
        sentences = self.ranker.ranked_sentences(article.paragraphs, judging, top_title, title_discount(top_title), SENTENCES_CONSIDERED)
        best = sentences[0]
        paragraph, sentence, span = best.paragraph, best.sentence, best.span
        byline = kind is Kind.PERSON and bool(article.reporters) and BYLINE_QUESTION.search(question.normalised) is not None
        if byline:
            span, sentence, paragraph = _byline(article, question), article_lead(article), 0
            if span is None:  # 通讯员是谁, and the byline names no 通讯员: the paper does not say
                return Explained(Answer(question=text, found=False, reason="unsaid", related=(self._headline(article),), kind=kind))
        if self._article_unsaid(question, byline, entities, top_text):
            return Explained(Answer(question=text, found=False, reason="unsaid", related=(self._headline(article),), kind=kind))
        rule = RULES[kind]
        cited = kind is Kind.YES_NO and things_stated(question, top_text, self.reader.tag, self.lexicon)
        if span is None and rule.refuses_without_span(question.unit_class is not None, bool(question.roles)) and not cited:
            # 多少人 with no count of people in the article, 谁 with no name after the role,
            # 有没有 with nothing of the kind stated: the paper does not say, so do not cite.
            # A yes/no question whose things the article names (搞了趣味赛: 趣味赛), though no
            # sentence states the whole predicate, is cited without an answer line.
            related = tuple(self._headline(self.corpus.article(s.row)) for s in relevant[:3])
            return Explained(Answer(question=text, found=False, reason="unsaid", related=related, kind=kind))
        second = ranked[1].score if len(ranked) > 1 else 0.0
        decision = self._found_features(question, top, best_bm25, (top.score - second) / max(top.score, 1e-9), span is not None, entities, top_text)
        if self.model.found_probability(decision) < self.model.found_threshold:
            # small talk, everyday questions, things no article states: the learned decision
            related = tuple(self._headline(self.corpus.article(s.row)) for s in relevant[:3])
            return Explained(Answer(question=text, found=False, reason="weak", related=related, kind=kind), found=decision)
        context = QuestionContext(
            question=question, weights=weights, total=total, article_coverage=top.coverage,
            margin=(top.score - second) / max(top.score, 1e-9),
            names_agree=(sum(n in top_text for n in names) / len(names)) if names else 1.0,
            byline=byline, normalise=self.reader.normal, tag=self.reader.tag, lexicon=self.lexicon, typed=partial(self.ranker.typed, judging),
            headline=self._headings(article), paragraphs=article.paragraphs,
        )
        choices = [
            SentenceChoice(paragraph=s.paragraph, sentence=s.sentence, score=s.score, rank=i, lead=(s.paragraph == 0 and s.sentence.start == 0))
            for i, s in enumerate(sentences[:SENTENCES_CONSIDERED])
        ]
        forced = [(SentenceChoice(paragraph=0, sentence=sentence, score=best.score, rank=0, lead=True), span)] if byline and span else []
        spans = candidates_of(context, choices, forced)
        chosen, confidence = self._choose(spans, kind)
        word = yes_word(question.normalised) if kind is Kind.YES_NO else None
        explained = Explained(Answer(question=text, found=True, kind=kind), tuple(spans), chosen, yes_word=word)
        shown = explained.shown(chosen) if chosen is not None else None
        if kind is Kind.YES_NO and any(_never_named(n, top_text) for n in self._places_asked(question)):
            confidence = 0.0  # 后沙峪有没有…, over an article about another town: yes would be about that one
        if kind is Kind.CHOICE and chosen is not None and chosen.features.get("sentence_coverage", 0.0) < CHOICE_COVERAGE:
            confidence = 0.0  # 体检是一年一次还是两年一次, and the 1年 of 干1年和干10年拿的钱一样: an option stated of something else
        printed = shown if shown is not None and confidence >= self.model.print_threshold else None
        if printed is not None and chosen is not None:  # the sentence that holds the printed answer
            hits = [self._hit(top, chosen.paragraph, chosen.sentence, chosen.span)]
        else:  # the highlight is a claimed answer: none when no answer line is printed
            hits = [self._hit(top, paragraph, sentence, None)]
        for other in relevant[1:]:
            hits.append(self._hit(other, other.paragraph, other.sentence, None))
        answer = Answer(
            question=text,
            found=True,
            answer=printed,
            confidence=round(confidence, 3),
            kind=kind,
            hits=tuple(hits),
        )
        return Explained(answer, tuple(spans), chosen, shown, word, decision)

    def _passage(
        self, order: int, passage: int, bm25: float, judging: Judging, entities: list[str], names: list[str]
    ) -> _Passage:
        """A candidate passage (`bm25`: its share of the best BM25 score) with what its
        score takes besides its best sentence, and the most that could be."""
        row = self.corpus.article_of(passage)
        title, article_text = self._normalised(row)
        coverage = self._coverage(judging.weights, judging.total, article_text)
        factors = []
        if not all(e in article_text for e in entities):
            factors.append(ENTITY_PENALTY)
        if names:
            factors.append(0.5 + 0.5 * sum(n in article_text for n in names) / len(names))
            if any(n in title for n in names):  # the article about what the question names
                factors.append(TITLE_NAME_BOOST)
        one = _Passage(
            order=order, passage=passage, row=row, paragraph=passage - self.corpus.article_passages(row).start, title=title,
            bm25=bm25, coverage=coverage, factors=tuple(factors),
        )
        # a sentence states at most every word of the question (the plan's shares), with
        # its neighbours' too, and the asked qualifiers: its score before a span's credit
        # is at most their sum
        most = sum(share for _, share, _, _ in judging.plan(title, TITLE_DISCOUNT)) + QUALIFIER_BONUS * len(judging.qualifiers)
        one.bound = one.score(most + BOUND_SLACK + span_credit_most(judging.question))
        return one

    def _found_features(
        self, question: Question, top: _Scored, bm25: float, margin: float, typed: bool, entities: list[str], top_text: str
    ) -> dict[str, float]:
        """The features of the found / not-found decision (retrieval/found.py)."""
        words = [t for t in dict.fromkeys(question.core) if not t.startswith("#")]
        affinity, telling = self._affinities(words)
        most = sum(self._idf(t) for t in dict.fromkeys(question.terms)) * (self.corpus.bm25.k1 + 1.0)
        return found_features(
            article_coverage=top.coverage,
            sentence_coverage=top.local,
            known=sum(self.corpus.bm25.doc_freq(w) > 0 for w in words),
            words=len(words),
            unknown_name=any(self.corpus.bm25.doc_freq(n) == 0 for n in question.names),
            bm25=bm25,
            bm25_max=most,
            margin=margin,
            typed_span=typed,
            kind_other=question.kind is Kind.OTHER,
            entities_agree=all(e in top_text for e in entities),
            specificity=max((self._idf(w) for w in words if w in top_text), default=0.0) / math.log(2.0 + len(self.corpus)),
            question=question.normalised,
            content_chars=len("".join(w for w in words if not any(w != o and w in o for o in words))),
            affinity=affinity,
            telling=telling,
        )

    def _affinities(self, words: Sequence[str]) -> tuple[float, float]:
        """The log-ratio of the share of paragraphs that have a word to its share of everyday
        Chinese (jieba's dictionary corpus): 工会, 培训 are the paper's words, 电影, 名字, 天气
        everyone's. Its mean over the question's content words (a word no paragraph has counts
        as the least of the paper's), and its most over the words some paragraph has."""
        n = len(self.corpus) + 1.0
        ratios = []
        for word in words:
            df = self.corpus.bm25.doc_freq(word)
            ratios.append(math.log(df / n) - math.log(self.segmenter.everyday_share(word) + EVERYDAY_FLOOR) if df else None)
        known = [r for r in ratios if r is not None]
        mean = sum(r if r is not None else -AFFINITY_FLOOR for r in ratios) / len(ratios) if ratios else -AFFINITY_FLOOR
        return mean, max(known, default=-AFFINITY_FLOOR)

    def _choose(self, candidates: Sequence[Candidate], kind: Kind) -> tuple[Candidate | None, float]:
        """The ranker's best candidate and the calibrated confidence that it is right."""
        if not candidates:
            return None, 0.0
        scores = [self.model.score(c.features) for c in candidates]
        order = sorted(range(len(candidates)), key=lambda i: -scores[i])
        best = candidates[order[0]]
        # the runner-up is the best candidate that says something else
        runner_up = next(
            (scores[i] for i in order[1:] if candidates[i].text not in best.text and best.text not in candidates[i].text),
            1e-6,
        )
        return best, self.model.confidence(scores[order[0]], runner_up, best.features)

    def _headings(self, article: Article) -> str:
        """The article's pretitle, title and subtitle, normalised."""
        return self.reader.normal(" ".join(x for x in (article.pretitle, article.title, article.subtitle) if x))

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
        if not noun or noun.endswith(self.lexicon.number_nouns):  # 号码是多少: the number is the answer
            return False
        words = [w for w in self.segmenter.cut(noun) if w not in self.segmenter.stopwords]
        if not words or any(self.corpus.bm25.doc_freq(w) > 0 for w in words):
            return False
        shared = sum(ch in top_text for ch in noun) / len(noun)
        return len(noun) >= 3 or shared < 0.5

    def _alternatives(self, question: Question) -> dict[str, tuple[str, ...]]:
        """Synonyms of the question's words (config/synonyms.txt)."""
        return {t: tuple(sorted(self.lexicon.synonyms_of(t))) for t in question.terms if not t.startswith("#")}

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


# the heads of administrative places: a district, county, city, town or street named in full
_ADMINISTRATIVE = ("区", "县", "市", "镇", "乡", "街道")
_TOWN_HEADS = ("镇", "乡", "街道")  # places too many for the dictionary, named by word and head
# a place's own name is rare in everyday Chinese (思明, 义乌 below 2e-6; 密云, 海淀 1.7e-5), a
# common noun before 区 is not (功能区: 功能 1.3e-4, 核心区: 核心 8e-5, 开发区: 开发 1.7e-4)
PLACE_NAME_SHARE = 3e-5


def article_lead(article: Article) -> Sentence:
    first = split_sentences(article.paragraphs[0]) if article.paragraphs else []
    return first[0] if first else Sentence(text=article.paragraphs[0] if article.paragraphs else "", start=0)


# the credits a question may ask for by name; 记者 (or 谁写的) gets every name of the byline
CREDIT_ROLES = ("通讯员", "实习生")


def _byline(article: Article, question: Question) -> Span | None:
    """Who wrote or photographed the article: its reporters (谁写的, 谁拍的), only those
    credited as 记者 when a 记者 is asked and the byline says who is, or only those credited
    as the asked role (通讯员是谁), None when the byline names none."""
    reporters = list(article.reporters)
    lead = article_lead(article).text
    role = next((r for r in CREDIT_ROLES if r in question.normalised), None)
    credit = lead_credit(lead)
    if role is not None:
        reporters = credited_as(credit, role) if credit is not None else []
        if not reporters:
            return None
    elif "记者" in question.normalised and credit is not None:  # 哪个记者写的: not the 通讯员 credited beside
        reporters = credited_as(credit, "记者") or reporters
    names = "、".join(reporters)
    at = lead.find(reporters[0])
    return Span(text=names, start=max(at, 0), end=max(at, 0) + len(names) if at >= 0 else 0, strength=1.0)


@lru_cache(maxsize=8)
def _who_of_patterns(heads: tuple[str, ...], roles: tuple[str, ...], asked: str = _WHO_OF) -> tuple[str, re.Pattern[str]]:
    """What follows a place the question names when it asks who (…总工会是谁) or what (…总工会
    介绍了啥经验) of its organisation, and the roles that may stand between an organisation
    and its person's name in the text."""
    head = "|".join(map(re.escape, sorted(heads, key=len, reverse=True))) or "(?!)"
    role = "|".join(map(re.escape, sorted(roles, key=len, reverse=True)))
    bound = re.compile(rf"(?:的|、|，)?(?:(?:{role})[、，]?)*") if role else re.compile("的?")
    return rf"[\u4e00-\u9fff]{{0,{ORGANISATION_REACH}}}?(?:{head})(?={asked})", bound


def _never_named(name: str, text: str) -> bool:
    """Does the text say nothing like a name of the question: not two of its characters side
    by side, nor its characters in order as an abbreviation spells them out (法援: 法律援助)?
    The tagger's names of colloquial questions are often cut wrong (康岳休 of 康岳 休陪护假),
    so only a name with nothing of it in the text counts as another one (后沙峪 over an
    article about 南法信)."""
    if any(name[i : i + 2] in text for i in range(len(name) - 1)):
        return False
    spelled = "".join(f"[^，。；、]{{0,{ABBREVIATION_GAP}}}?{re.escape(c)}" for c in name[1:])
    return re.search(re.escape(name[0]) + spelled, text) is None


def _qualifier_missing(question: Question, text: str) -> bool:
    """Does the article state other qualifiers of a class the question asks for, and
    never the asked one (二等奖 asked, only 一等奖 stated)? Ordinals are compared by what
    they count: an article of the 第三届 says nothing against the 第一名 asked."""
    if not question.qualifiers:  # nothing asked: the article's qualifiers are not read
        return False
    stated = qualifiers_of(text)
    for name, asked in question.qualifiers.items():
        if name in UNSAID_CLASSES:
            continue
        for measure, values in _by_measure(name, asked).items():
            others = _by_measure(name, stated.get(name, frozenset())).get(measure)
            if others and not values & others:
                return True
    return False


def _measure(name: str, value: str) -> str:
    """What an ordinal counts (届 of 第二届, 名 of 第一名): 第一名 says nothing of 第三届."""
    return value.lstrip("第一二三四五六七八九十百零两0123456789") if name == "ordinal" else ""


def _by_measure(name: str, values: frozenset[str]) -> dict[str, frozenset[str]]:
    """The values of a class, by the thing an ordinal counts (one group for other classes)."""
    groups: dict[str, set[str]] = {}
    for value in values:
        groups.setdefault(_measure(name, value), set()).add(value)
    return {measure: frozenset(group) for measure, group in groups.items()}


# a sentence that opens by pointing back (因此, 在此背景下) is read with the one before it
_REFERS_BACK = re.compile(r"(?:因此|所以|因而|于是|由此|为此|从而|在此(?:背景|基础)下|此后|随后)")


def _snippet(paragraph: str, sentence: Sentence, span: Span | None) -> tuple[str, int | None]:
    """The sentence (and the next ones while they fit), cut around the answer if too long."""
    text = sentence.text.strip()
    offset = len(sentence.text) - len(sentence.text.lstrip())
    if len(text) > SNIPPET_MAX:
        start, end = (span.start - offset, span.end - offset) if span is not None else (0, 0)
        cut = cut_around(text, max(start, 0), max(end, 0))
        at = cut.find(span.text) if span is not None else -1
        return cut, (at if at >= 0 else None)
    if _REFERS_BACK.match(text) and sentence.start > 0:  # 因此，畜牧业发达: the reason stands before
        previous = split_sentences(paragraph[: sentence.start])
        if previous and len(previous[-1].text.strip()) + len(text) <= SNIPPET_MAX:
            text = previous[-1].text.strip() + text
    following = paragraph[sentence.start + len(sentence.text) :]
    for extra in split_sentences(following):
        if len(text) + len(extra.text.strip()) > SNIPPET_MAX:
            break
        text += extra.text.strip()
    at = text.find(span.text) if span is not None else -1
    return text, (at if at >= 0 else None)

