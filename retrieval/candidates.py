"""Candidate short answers of a question and what the answer model weighs about each.

The answering article's best sentences each give several spans: those of the asked type
(retrieval/extract.py, the most likely first) and, whatever the kind, the noun phrases,
names, figures, dates, quotations and 《titles》 of the sentence. Every span is described
by `FEATURES`: how well its type agrees with the kind asked, where it stands against the
question's words (tied to them, in the same clause, how far), how well its sentence and
article match the question, the qualifiers around it, and whether other sentences repeat
it. A learned ranker (retrieval/confidence.py) then picks one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from .extract import OLD_ASKED, RECURRING_DATE, SAID_ASKED, Span, common_word, is_speech, Tagger, anchors_of, role_agrees, roles_before, speaker, spans_of
from .figures import CLOCK_RE, FIGURE_RE, FREQUENCY_QUESTION, FREQUENCY_RE, TIME_RE, UNIT_CLASSES, Figure, chinese_number, counts_another_noun, counts_in, find_figures, generic_count, noun_stands_before, unit_word_differs
from .kinds import RULES
from .lexicon import Lexicon
from .models import Kind
from .question import QUALIFIERS, Question, asked_qualifiers, qualifier_value, qualifiers_of
from .sentences import Sentence, split_sentences

DISTANCE_SCALE = 40.0  # characters: a span this far from the question's words is "far"
ADJACENT = 6  # characters: a question word this close to the span is read as tied to it
TIE_GAP = 2  # characters (的, 为, 是) allowed between a question word and the span it introduces
LOCAL = 15  # characters before a span read as its own qualifiers (第二批 …), with the rest of its clause
MAX_SPAN = 30  # characters: longer spans are not short answers
MAX_PER_SENTENCE = 24  # generic spans kept per sentence (nearest the question's words first)

_DATE_LIKE = re.compile(r"\d{1,4}[年月日号]")  # 9月, 3日: a date, never a place
# 今年年初, 近日, 上午: a time said in words, never a place or an organisation
_RELATIVE_TIME = re.compile(r"今年|去年|明年|前年|年初|年底|年末|年中|月初|月底|月末|近日|日前|近期|上午|下午|晚上|当天|当日|此前|目前")
# 一处滑雪场, 一所大学, 某单位: a thing left unnamed answers no 哪个 / 哪所
_INDEFINITE = re.compile(r"(?<![第\d一二三四五六七八九十百千万])(?:一[处所家座条支](?![一二三四五六七八九十\d])|某)")
_CLAUSE = re.compile(r"[^，。；：,;:！？!?]+")
_CLAUSE_END = re.compile(r"[，。；：,;:！？!?]")
_HAN = re.compile("[\u4e00-\u9fff]")  # one Chinese character
_SEGMENT_BREAK = "，。；：,;:！？!?、（）()“”"
SEGMENT = 16  # characters: the words next to a span are read up to a break, or this far
_SEGMENT_HEAD = re.compile(f"[^{re.escape(_SEGMENT_BREAK)}]*")
_SEGMENT_TAIL = re.compile(f"[^{re.escape(_SEGMENT_BREAK)}]*\\Z")
# what ends a transliterated name (丹增·诺尔盖从南坡…, 门捷列夫于1869年): a function word
_AFTER_FOREIGN = set("和与及从在于是的等将曾被把为对向到说称以也都就又所由了")
FOREIGN_PART = 6  # characters: a part of a transliterated name longer than this runs into the sentence
SHORT_FOREIGN_PART = 4  # characters: a function word this soon after the last · ends the name
# parts of speech a generic noun phrase is built from (jieba's tag set)
_NOUNISH = ("n", "j", "eng", "b", "s", "l", "i")
_NUMERIC = ("m", "q")
_NAME_TAG = "nr"
_QUOTED = re.compile(r"“([^“”]{1,30})”|《[^《》]{1,30}》|「([^「」]{1,30})」")
# the question asks what something is called: its name, title, theme or slogan
_NAME_ASKED = re.compile(r"叫(?:什么|啥|个啥)|(?:名字|名称|全称|主题|口号|题目|标题|称号)(?:是|叫)?(?:什么|啥)|(?:什么|啥)(?:名字|名称|主题|口号|称号)")
_ORDINAL_DIGITS = "一二三四五六七八九十百零两0123456789"
_ORDINAL = re.compile(rf"第[{_ORDINAL_DIGITS}]+")

FEATURES: tuple[str, ...] = (
    *(f"kind_{k.value}" for k in Kind),
    "from_kind",  # found by the kind's own extractor
    "kind_order",  # 1 for the extractor's first choice, less for the later ones
    "strength",  # the extractor's pattern is tied to the question's words (0 for generic spans)
    "type_match",  # the span has the shape the kind asks for (a figure in the unit, a name …)
    "unit_agrees",  # a figure in the asked unit
    "unit_word_differs",  # its figures count with another word of the asked class (一批 for 几期)
    "generic_count",  # 个 asked, its figures count with the measure word of a kind of thing (19项)
    "is_figure",
    "is_date",
    "is_name",
    "is_place",  # ends with a place head or is tagged a place
    "is_organisation",  # ends with an organisation head
    "is_quoted",  # “…” or 《…》
    "quoted_name_asked",  # a quoted name where the question asks what something is called (叫什么, 主题是啥)
    "is_list",  # items joined by 、
    "unnamed",  # 一处滑雪场, 某单位: a thing the sentence does not name
    "echo",  # share of the span's characters that the question has (answers rarely repeat it)
    "tied_before",  # a question word stands just before the span, in its clause (发源于 马雄山)
    "tied_after",  # a question word follows the span, in its clause (蒋文云 带队)
    "adjacent",  # a question word within ADJACENT characters
    "distance",  # distance to the question's words (0 near … 1 far)
    "clause_coverage",  # the question's weight in the span's own clause
    "left_overlap",  # share of the words before the span, back to the last comma or 、, that the question has
    "right_overlap",  # the same for the words after it (联合工会3315家 for 联合工会有多少家)
    "noun_follows",  # the counted or asked noun follows the span (300余名 职工)
    "noun_adjacent",  # … right after it, or ends it (476个小项 for 多少个小项)
    "counts_another",  # the asked noun after the figure only modifies the noun it counts (98名职工代表 for 多少职工)
    "noun_before",  # the noun counted before the question word stands right before the span (高级技师有几个: 其中高级技师5人)
    "left_foreign",  # characters before the span, back to the last comma, that the question lacks (log)
    "qualifier_local",  # the asked 第二批 / 一等奖 stands just before the span
    "qualifier_local_conflict",  # another one of that class does
    "span_length",  # log length
    "ordinal_unasked",  # an ordinal (第三届) where the question asks no 第几 and names none
    "total",  # a total asked (一共, 累计): 1 when the span's clause says it counts all (累计, 共), -1 when not
    "cut_inside_word",  # the span begins or ends inside a word of the sentence (人计划 of 个人计划, 车站内所销 of …所销售)
    "function_edge",  # it begins or ends with a function word (了安史之乱后, 复杂的)
    "change_side",  # a value that changed (由30元提高到45元): 1 when the span is the side asked (the new one, or the old for 原来), -1 when the other
    "competitors",  # other spans of the same shape elsewhere in the sentence, not overlapping it (log count)
    "repeated",  # other candidate sentences hold the same text
    "in_headline",  # the article's headings state it (朝阳160余名职工网球场上挥拍竞技): the story's main figure or name
    "sentence_coverage",  # the question's weight in the sentence (with synonyms, neighbours)
    "sentence_rank",  # 1 for the best sentence, less for the next ones
    "sentence_gap",  # how far the sentence's score falls below the best one's
    "lead_sentence",
    "qualifier_agrees",  # the sentence states the asked qualifier
    "qualifier_conflicts",  # the sentence states another one of that class
    "article_coverage",  # the question's weight in the article
    "margin",  # reranking margin of the best article over the next
    "names_agree",  # share of the question's proper nouns the article has
    "unit_asked",
    "byline",  # the answer is the article's byline
    "speaker",  # who speaks in the paragraph before a sentence that names nobody (李国红表示 …)
)


class Candidate(BaseModel):
    """A candidate short answer: the span, its sentence, and its features."""

    model_config = ConfigDict(frozen=True)

    text: str
    paragraph: int
    sentence: Sentence
    span: Span
    features: dict[str, float]


@dataclass
class SentenceChoice:
    """A sentence of the answering article, with its score (how well it matches the
    question) and its rank among the article's sentences."""

    paragraph: int
    sentence: Sentence
    score: float
    rank: int
    lead: bool


@dataclass
class QuestionContext:
    """What is known of the question and its article, shared by all its candidates."""

    question: Question
    weights: dict[str, float]
    total: float
    article_coverage: float
    margin: float
    names_agree: float
    byline: bool
    normalise: Callable[[str], str]
    tag: Tagger
    lexicon: Lexicon
    # the spans of the asked type in a sentence (`spans_of`), when the caller has read them
    typed: Callable[[str], list[Span]] | None = None
    headline: str = ""  # the article's headings, normalised
    paragraphs: Sequence[str] = ()  # the article's paragraphs (who speaks before a sentence)
    common: dict[str, float] = field(default_factory=dict)
    terms: tuple[str, ...] = ()  # the question's words that tie to a span (two characters or more)

    def __post_init__(self) -> None:
        kind = self.question.kind
        self.terms = tuple(t for t in self.question.terms if len(t) >= 2 and not t.startswith("#"))
        self.common = {f"kind_{k.value}": float(kind is k) for k in Kind}
        self.common.update(
            article_coverage=self.article_coverage,
            margin=max(0.0, min(1.0, self.margin)),
            names_agree=self.names_agree,
            unit_asked=float(self.question.unit_class is not None),
            byline=float(self.byline),
        )


def candidates_of(
    context: QuestionContext, choices: Sequence[SentenceChoice], forced: Sequence[tuple[SentenceChoice, Span]] = ()
) -> list[Candidate]:
    """Every candidate span of the given sentences, with its features; `forced` spans
    (the byline) count as the kind's first choice."""
    best_score = max((c.score for c in choices), default=0.0)
    per_sentence: list[tuple[SentenceChoice, str, list[tuple[Span, int | None]]]] = [
        (choice, context.normalise(choice.sentence.text), [(span, 0)]) for choice, span in forced
    ]
    anchors: dict[str, list[int]] = {}  # where the question's words stand, by sentence
    speakers: set[int] = set()  # the entries that are the speaker of the sentence before them
    for choice in choices:
        norm = context.normalise(choice.sentence.text)
        anchors[choice.sentence.text] = anchors_of(choice.sentence.text, context.question)
        found = (
            context.typed(choice.sentence.text)
            if context.typed is not None
            else spans_of(choice.sentence.text, context.question, context.tag, context.lexicon, RULES[context.question.kind].extractor)
        )
        typed = [s for s in found if context.question.kind in (Kind.YES_NO, Kind.CHOICE) or not _echoes(s.text, context)]
        typed = [s for s in typed if not _bound_to_another_role(choice.sentence.text, s, context)]
        # 5月、10月分别开展第二次、第三次: asked about 5月, 第三次 belongs to 10月
        typed = [s for s in typed if respective(choice.sentence.text, s, context.question.normalised) >= 0]
        given = context.question.kind is Kind.QUANTITY  # 15个骑手代表里有几个是快递员: not 15 itself
        if given:
            typed = [s for s in typed if not given_in_question(s.text, context.question.normalised)]
        spans: list[tuple[Span, int | None]] = [(s, i) for i, s in enumerate(typed)]
        seen = {(s.start, s.end) for s in typed}
        if context.question.kind not in (Kind.YES_NO, Kind.CHOICE):  # only what their extractor states
            for span in _generic_spans(choice.sentence.text, context, anchors[choice.sentence.text]):
                if _bound_to_another_role(choice.sentence.text, span, context) or respective(choice.sentence.text, span, context.question.normalised) < 0:
                    continue
                if given and given_in_question(span.text, context.question.normalised):
                    continue
                if (span.start, span.end) not in seen:
                    seen.add((span.start, span.end))
                    spans.append((span, None))
        per_sentence.append((choice, norm, spans))
        if context.question.kind is Kind.PERSON and context.paragraphs and not typed:
            said = _said_by(context, choice)
            if said is not None:  # the speaker's sentence, judged by the statement's words
                per_sentence.append((said[0], norm, [(said[1], 0)]))
                speakers.add(len(per_sentence) - 1)
    texts = [norm for _, norm, _ in per_sentence]
    out = []
    for index, (choice, norm, spans) in enumerate(per_sentence):
        text = choice.sentence.text
        if text not in anchors:
            anchors[text] = anchors_of(text, context.question)
        clauses = [(m.start(), m.end(), m.group(0)) for m in _CLAUSE.finditer(text)]
        sentence_values = _sentence_features(context, choice, norm, best_score)
        words = context.tag(text)
        bounds, function_at = _word_bounds(words)
        figures = [find_figures(s.text) for s, _ in spans]
        shapes = [_shape(s.text, context, f) for (s, _), f in zip(spans, figures, strict=True)]
        # spans of the asked shape, each against the others that stand elsewhere in the
        # sentence (not 300余 inside 300余人: a sub-span is the same figure, no rival)
        matching = [s for (s, _), shape in zip(spans, shapes, strict=True) if shape["type_match"]]
        for (span, order), shape, span_figures in zip(spans, shapes, figures, strict=True):
            values = {**context.common, **sentence_values, **shape, **_span_features(context, text, span, order, anchors[text], clauses, span_figures)}
            # the other spans of the sentence with the asked shape
            same = sum(1 for other in matching if other.end <= span.start or other.start >= span.end) if shape["type_match"] else 0
            values["competitors"] = math.log1p(same)
            values["repeated"] = math.log1p(sum(span.text in t for j, t in enumerate(texts) if j != index))
            values["in_headline"] = float(_stated_in(context.normalise(span.text), context.headline))
            values["speaker"] = float(index in speakers)
            if values["noun_follows"] or values["noun_adjacent"]:
                noun = context.question.noun
                another = bool(span_figures) and counts_another_noun(
                    text, span.start, span.end, noun if noun in text[span.start :] else noun[:2], words, context.lexicon.same_people_heads
                )
                values["counts_another"] = float(another)
                if another:  # the noun stands there, but the figure counts something else
                    values["noun_follows"] = values["noun_adjacent"] = 0.0
            if words:
                values["cut_inside_word"] = float(span.start not in bounds or span.end not in bounds)
                values["function_edge"] = float(span.start in function_at or (span.end - 1) in function_at)
            # every value above is a float already: validating each candidate's features
            # again would cost more than working them out
            out.append(
                Candidate.model_construct(text=span.text, paragraph=choice.paragraph, sentence=choice.sentence, span=span, features=values)
            )
    return out


# function words: particles, prepositions, conjunctions, adverbs, pronouns, interjections
_FUNCTION_TAGS = ("u", "p", "c", "d", "r", "y", "e")


def _word_bounds(words: Sequence[tuple[str, str]]) -> tuple[frozenset[int], frozenset[int]]:
    """Where the sentence's words begin and end, and the positions held by function words."""
    bounds, function_at, at = {0}, set[int](), 0
    for word, flag in words:
        if flag.startswith(_FUNCTION_TAGS) or word in ("的", "了", "地", "得"):
            function_at.update(range(at, at + len(word)))
        at += len(word)
        bounds.add(at)
    return frozenset(bounds), frozenset(function_at)


# a question about everything together (一共解决了多少个难题), and a clause that counts it
_TOTAL_ASKED = re.compile(r"一共|总共|累计|共计|总计|合计|总数|总量|加起来")
_TOTAL_STATED = re.compile(r"累计|共|总计|合计|总数|总量|全年|全部|全市|全区|以来")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def given_in_question(text: str, question: str) -> bool:
    """Is the span's number one the question itself gives (15 of 15个骑手代表里有几个), or the
    count inside an ordinal it asks about (一批 of 第一批夜校多少学员)?"""
    if len(text) >= 2 and "第" + text in question:
        return True
    numbers = _NUMBER.findall(text)
    return bool(numbers) and all(n in _NUMBER.findall(question) for n in numbers)


def _said_by(context: QuestionContext, choice: SentenceChoice) -> tuple[SentenceChoice, Span] | None:
    """The one who speaks before a sentence that names nobody, in its paragraph, as a
    choice of the speaker's sentence that keeps the statement's score and rank."""
    if choice.paragraph >= len(context.paragraphs):
        return None
    before = [s for s in split_sentences(context.paragraphs[choice.paragraph]) if s.start < choice.sentence.start]
    found = speaker(before, context.lexicon)
    if found is None:
        return None
    sentence, name = found
    return SentenceChoice(paragraph=choice.paragraph, sentence=sentence, score=choice.score, rank=choice.rank, lead=False), name


_CLAUSE_START = re.compile(r"[，。；：,;:！？]")


def _stated_in(text: str, headline: str) -> bool:
    """Does the headline state the span, not only as part of a longer figure (60余名 in
    160余名)?"""
    if len(text) < 2:
        return False
    at = headline.find(text)
    while at >= 0:
        if not (text[0].isdigit() and at > 0 and (headline[at - 1].isdigit() or headline[at - 1] == ".")):
            return True
        at = headline.find(text, at + 1)
    return False


def _bound_to_another_role(sentence: str, span: Span, context: QuestionContext) -> bool:
    """For a question about a role (副主席是谁): a name that follows other roles only
    (主席张克斌) is somebody else, and so is one whose role is another place's union's
    (海淀区总的副主席: not 市总工会党组成员、副主席郗明远)."""
    question = context.question
    if question.kind is not Kind.PERSON or not question.roles:
        return False
    stated = roles_before(sentence, span.start, context.lexicon)
    if stated and not any(role_agrees(s, asked) for s in stated for asked in question.roles):
        return True
    return bool(stated) and _owned_elsewhere(sentence, span.start, stated, question.normalised)


# a place's union (海淀区总工会, 市总工会, 东坝乡工会); a question that names one (海淀区总的)
_UNION_OF = re.compile(r"([\u4e00-\u9fff]{1,4}?(?:区|市|县|镇|乡|街道))?(?:总工会|工会)$|(市)总工会$")
_UNION_OF_INSIDE = re.compile(r"([\u4e00-\u9fff]{1,4}?(?:区|市|县|镇|乡|街道))?(?:总工会|工会)|(市)总工会")
OWNER_GAP = 6  # characters of a membership (党组成员、) between a union and the role it holds
_UNION_ASKED = re.compile(r"(?:区|市|县|镇|乡|街道)(?:总工会|总|工会)|[\u4e00-\u9fff]{2}总工会")  # 海淀区总的, 石景山总工会


def _owned_elsewhere(sentence: str, at: int, roles: Sequence[str], question: str) -> bool:
    """The roles before `at` are held at a union of another place than the one the
    question names: the words before the roles, back to the clause's start, end with a
    place's union whose place the question does not name."""
    if _UNION_ASKED.search(question) is None:
        return False
    start = at
    for role in reversed(roles):  # back over 党组成员、副主席
        found = sentence.rfind(role, 0, start)
        if found < 0:
            return False
        start = found
        while start > 0 and sentence[start - 1] in "、，和":
            if sentence[start - 1] == "，":
                break
            start -= 1
    owner = _CLAUSE_START.split(sentence[max(0, start - 24) : start])[-1]
    union = _UNION_OF.search(owner)
    if union is None:  # 市总工会党组成员、副主席: a membership between the union and the role
        unions = [m for m in _UNION_OF_INSIDE.finditer(owner) if len(owner) - m.end() <= OWNER_GAP]
        if not unions:
            return False
        union = unions[-1]
    place = union.group(1) or union.group(2) or ""
    stem = place[:-2] if place.endswith("街道") else place[:-1] if len(place) > 1 else place
    # 永外 of 永定门外: a place shortened to its first and last characters is the place
    return bool(place) and stem not in question and not (len(stem) > 2 and stem[0] + stem[-1] in question)



def _echoes(text: str, context: QuestionContext) -> bool:
    """The span stands whole in the question (第一张较为完整 … for a name 张较), or, for an
    organisation or a place, is made of its words and qualifiers: it is what is asked about,
    never the answer (a yes/no answer's span is the stated predicate, which echoes the
    question by design)."""
    norm, asked = context.normalise(text), context.question.normalised
    if len(text) >= 2 and norm in asked:
        return True
    if context.question.kind not in (Kind.ORGANISATION, Kind.PLACE):
        return False
    # 女子组冠军队 for 男子组冠军是哪个队: the question's own words and a qualifier name nobody
    bare = norm
    for pattern in QUALIFIERS.values():
        bare = pattern.sub("", bare)
    return len(text) >= 2 and all(ch in asked for ch in bare)


_RUN = re.compile(r"[^，。；：:、\s]+(?:、[^，。；：:、\s]+)+")
_ITEM_LEAD = re.compile(r"^.*(?:的|在|于|是|将|对|为|从|自)")  # 明年的5月: the item is 5月


# what joins the items of an enumeration: 120人、128人; the last two also 45人和38人
_LIST_JOINS = frozenset({"、", "和", "与", "及"})


def _paired_by_qualifier(sentence: str, span: Span, question: str) -> int:
    """第一期、第二期培训班，各培训120人、128人 (or 分别招收45人和38人): figures listed as
    many as the qualifiers of one class listed before them, paired in order; 1 when the span is the partner of the
    qualifier the question asks (第二期: 128人), -1 when another one's, else 0."""
    listed_here = sentence[span.end : span.end + 1] in _LIST_JOINS or sentence[span.start - 1 : span.start] in _LIST_JOINS
    if not listed_here or not re.search(r"分别|各|依次", sentence[: span.start]):
        return 0
    figures = find_figures(sentence)
    run = [f for f in figures if f.start <= span.start < f.end]
    if not run:
        return 0
    at = figures.index(run[0])
    first = last = at
    while first > 0 and sentence[figures[first - 1].end : figures[first].start] in _LIST_JOINS:
        first -= 1
    while last + 1 < len(figures) and sentence[figures[last].end : figures[last + 1].start] in _LIST_JOINS:
        last += 1
    if last == first:
        return 0
    asked_all = asked_qualifiers(question)
    for name, pattern in QUALIFIERS.items():
        asked = asked_all.get(name, frozenset())
        if not asked:
            continue
        stated = [m for m in pattern.finditer(sentence, 0, figures[first].start)]
        # the qualifiers joined by 、 right before one another, the last run of them
        listed: list[str] = []
        previous_end = -1
        for m in stated:
            value = qualifier_value(name, m.group(0))
            if listed and sentence[previous_end : m.start()] in _LIST_JOINS:
                listed.append(value)
            else:
                listed = [value]
            previous_end = m.end()
        if len(listed) != last - first + 1 or not (asked & set(listed)):
            continue
        mine = listed[at - first]
        return 1 if mine in asked else -1
    return 0


# the label before a figure of an enumeration: the words since the last mark (其中海淀区129家)
_FIGURE_LABEL = re.compile(r"(?:其中)?([\u4e00-\u9fff]{2,12})$")
LABEL_SHARED = 2  # characters in a row a label shares with the question to name it


def _shared_run(one: str, other: str) -> int:
    """The most characters in a row the two texts share."""
    best = 0
    for i in range(len(one)):
        for j in range(i + best + 1, len(one) + 1):
            if one[i:j] not in other:
                break
            best = j - i
    return best


def _labelled(sentence: str, span: Span, question: str) -> int:
    """其中海淀区129家、朝阳区84家: figures joined by 、, each after its label; 1 when the span
    is the figure of the one label the question names (朝阳占了几家: 84家), -1 when another
    label's, else 0."""
    figures = find_figures(sentence)
    mine = next((i for i, f in enumerate(figures) if f.start <= span.start < f.end), None)
    if mine is None:
        return 0

    def label(i: int) -> str:
        found = _FIGURE_LABEL.search(sentence[figures[i - 1].end if i else 0 : figures[i].start])
        return found.group(1) if found is not None else ""

    def joined(i: int) -> bool:  # figure i follows figure i - 1 after a 、 and its own label
        between = sentence[figures[i - 1].end : figures[i].start]
        return between.startswith("、") and bool(label(i)) and between.endswith(label(i)) and len(between) - len(label(i)) <= 3

    first = last = mine
    while first > 0 and joined(first):
        first -= 1
    while last + 1 < len(figures) and joined(last + 1):
        last += 1
    if last == first or not label(first):
        return 0
    named = [i for i in range(first, last + 1) if _shared_run(label(i), question) >= LABEL_SHARED]
    if len(named) != 1:
        return 0
    return 1 if named == [mine] else -1


def respective(sentence: str, span: Span, question: str) -> int:
    """A span inside the second of two enumerations paired by 分别 (5月、10月，将分别开展
    第二次、第三次培训): 1 when the question names its partner in the first (5月那回是第几次:
    第二次), -1 when it names only other items' partners (such a span is no candidate), else 0."""
    paired = _paired_by_qualifier(sentence, span, question) or _labelled(sentence, span, question)
    if paired:
        return paired
    at = sentence.find("分别")
    if at < 0 or span.start < at:
        return 0
    before = _RUN.findall(sentence[:at])
    after = _RUN.search(sentence, at + 2)
    if not before or after is None or not (after.start() <= span.start and span.end <= after.end()):
        return 0
    lefts = [_ITEM_LEAD.sub("", item) or item for item in before[-1].split("、")]
    rights = after.group(0).split("、")
    if len(lefts) != len(rights):
        return 0
    offset, mine = after.start(), None
    for i, item in enumerate(rights):
        if offset <= span.start and span.end <= offset + len(item):
            mine = i
        offset += len(item) + 1
    if mine is None:
        return 0
    named = [i for i, item in enumerate(lefts) if len(item) >= 2 and item in question]
    if not named:
        return 0
    return 1 if named == [mine] else (-1 if mine not in named else 0)


# 开到几点 asks when it ends, one time of day (not 几点到几点, which asks the span)
_UNTIL_CLOCK_ASKED = re.compile(r"(?<![几点])(?:到|至)几点")
_CLOCKS_JOINED = re.compile(r"[至到—~\-和、]|次日")


def times_of_day(text: str) -> bool:
    """Is the text a time of day, or two as one span (22时至次日0时30分), maybe after the day
    that comes back (每周四晚7时至9时)?"""
    day = RECURRING_DATE.match(text)
    rest = CLOCK_RE.sub("", text[day.end() if day is not None else 0 :])
    return rest != text and not _CLOCKS_JOINED.sub("", rest) and CLOCK_RE.search(text) is not None


def _sentence_features(context: QuestionContext, choice: SentenceChoice, norm: str, best: float) -> dict[str, float]:
    asked, stated = context.question.qualifiers, qualifiers_of(norm)
    return {
        "sentence_coverage": sum(w for t, w in context.weights.items() if t in norm) / context.total,
        "sentence_rank": 1.0 / (1.0 + choice.rank),
        "sentence_gap": max(0.0, min(1.0, best - choice.score)),
        "lead_sentence": float(choice.lead),
        "qualifier_agrees": float(any(asked[c] & stated.get(c, frozenset()) for c in asked)),
        "qualifier_conflicts": float(any(stated.get(c) and not (asked[c] & stated[c]) for c in asked)),
    }


def _span_features(
    context: QuestionContext,
    sentence: str,
    span: Span,
    order: int | None,
    anchors: Sequence[int],
    clauses: Sequence[tuple[int, int, str]],
    figures: Sequence[Figure],
) -> dict[str, float]:
    """The features of one span of a sentence: `anchors` are where the question's words
    stand in the sentence, `clauses` its clauses (start, end, text), `figures` the span's."""
    question = context.question
    asked_text = question.normalised
    start, end, text = span.start, span.end, span.text
    gap: float = DISTANCE_SCALE
    if anchors:
        gap = min(min([abs(start - a) for a in anchors]), min([abs(end - a) for a in anchors]))
    terms = context.terms
    # a question word ties to the span only from within its clause: 为期三天，张三 …
    # does not make 三天 the answer of 张三 …多少
    left, right = _segment_before(sentence, start), _segment_after(sentence, end)
    size = len(left)
    tied_before = any(left.endswith(terms, 0, size - k) for k in range(TIE_GAP + 1) if size > k)
    tied_after = any(right.startswith(terms, k) for k in range(TIE_GAP + 1))
    clause = _clause_around(sentence, span, clauses)
    rest = clause.replace(text, "")
    clause_weight = sum([w for t, w in context.weights.items() if t in rest]) / context.total
    asked = question.qualifiers
    # the qualifiers just before the span, read only when the question asks one
    # … within its clause, and the rest of the clause after it (第三工程公司代表队获得一等奖，
    # B队、C队获得二等奖: B and C are the 二等奖's)
    after = _CLAUSE_END.search(sentence, end)
    before = max(0, start - LOCAL, *(m.end() for m in _CLAUSE_END.finditer(sentence, max(0, start - LOCAL), start)))
    stated = qualifiers_of(context.normalise(sentence[before : after.start() if after else len(sentence)])) if asked else {}
    noun = question.noun[:2]
    chars = _HAN.findall(_without_figures(text, figures) if figures else text)
    echo = sum(map(asked_text.__contains__, chars)) / len(chars) if chars else 0.0
    return {
        "from_kind": float(order is not None),
        "kind_order": 1.0 / (1.0 + order) if order is not None else 0.0,
        "strength": span.strength if order is not None else 0.0,
        "echo": echo,
        "tied_before": float(tied_before),
        "tied_after": float(tied_after),
        "adjacent": float(gap <= ADJACENT),
        "distance": min(1.0, gap / DISTANCE_SCALE),
        "clause_coverage": clause_weight,
        "left_overlap": _overlap(left, asked_text),
        "right_overlap": _overlap(right, asked_text),
        "noun_follows": float(bool(noun) and noun in right[:8]),
        "noun_adjacent": float(bool(noun) and (span.text.endswith(noun) or sentence.startswith(noun, span.end))),
        "noun_before": float(noun_stands_before(sentence, start, question.noun_before)),
        "left_foreign": math.log1p(sum(1 for ch in _HAN.findall(_without_roles(left, context.lexicon)) if ch not in asked_text)),
        "qualifier_local": float(any(asked[c] & stated.get(c, frozenset()) for c in asked)),
        "qualifier_local_conflict": float(any(stated.get(c) and not (asked[c] & stated[c]) for c in asked)),
        "span_length": math.log1p(len(span.text)),
        "quoted_name_asked": float(_quoted_in(sentence, span) and _NAME_ASKED.search(question.normalised) is not None),
        "ordinal_unasked": float(_is_ordinal(sentence, span) and "第" not in question.normalised),
        "total": (1.0 if _TOTAL_STATED.search(clause) else -1.0) if _TOTAL_ASKED.search(question.normalised) else 0.0,
        "change_side": _change_side(sentence, span, question.normalised),
    }


# a value that changed: 由每班30元提高到45元, 合格率从92%提升到99.5%
_CHANGE = r"(?:提高|提升|增加|增长|调整|上调|下调|涨|上升|升|降低|下降|降|减少|缩短|延长|扩大|改|变)(?:到|至|为|成)"
_CHANGES_AFTER = re.compile(rf"^[^，。；0-9]{{0,2}}{_CHANGE}")
_CHANGED_BEFORE = re.compile(rf"{_CHANGE}[^，。；0-9]{{0,3}}$")


def _change_side(sentence: str, span: Span, question: str) -> float:
    """1 when the span is the side of a change the question asks (the value it became, or
    the one before for 原来 / 以前), -1 when it is the other side, 0 when nothing changed."""
    if _CHANGED_BEFORE.search(sentence[max(0, span.start - 8) : span.start]):
        new = True
    elif _CHANGES_AFTER.search(sentence[span.end : span.end + 8]):
        new = False
    else:
        return 0.0
    return 1.0 if new != bool(OLD_ASKED.search(question)) else -1.0


def _quoted_in(sentence: str, span: Span) -> bool:
    """The span is a 《title》 or stands between quotation marks (“冰爽一夏”)."""
    if span.text[:1] in "“《「":
        return True
    before, after = sentence[span.start - 1 : span.start], sentence[span.end : span.end + 1]
    return (before, after) in (("“", "”"), ("「", "」"), ("《", "》"), ("‘", "’"), ('"', '"'))


def _is_ordinal(sentence: str, span: Span) -> bool:
    """第三届 or the 三届 of 第三届."""
    return _ORDINAL.search(span.text) is not None or (span.start > 0 and sentence[span.start - 1] == "第" and span.text[:1] in _ORDINAL_DIGITS)


def _without_figures(text: str, figures: Sequence[Figure]) -> str:
    """The text without its figures (`find_figures(text)`): 三百人 shares 三 with 第三届
    …多少人 by chance, not by repeating what the question says."""
    inside: set[int] = set()
    for figure in figures:
        inside.update(range(figure.start, figure.end))
    return "".join(ch for i, ch in enumerate(text) if i not in inside)


def _segment_before(sentence: str, start: int) -> str:
    """The words before `start`, back to the last break (at most SEGMENT characters)."""
    found = _SEGMENT_TAIL.search(sentence, max(0, start - SEGMENT), start)
    return found.group(0) if found is not None else ""


def _segment_after(sentence: str, end: int) -> str:
    """The words after `end`, up to the next break (at most SEGMENT characters)."""
    found = _SEGMENT_HEAD.match(sentence, end, end + SEGMENT)
    return found.group(0) if found is not None else ""


def _without_roles(text: str, lexicon: Lexicon) -> str:
    """The text without role words (a name is often preceded by several: 党组书记、常务副主席张艳革)."""
    for role in lexicon.roles:
        if role in text:
            text = text.replace(role, "")
    return text


def _overlap(segment: str, question: str) -> float:
    """The share of a segment's characters that the question has (0 for an empty one)."""
    chars = _HAN.findall(segment)
    return sum(map(question.__contains__, chars)) / len(chars) if chars else 0.0


def _clause_around(sentence: str, span: Span, clauses: Sequence[tuple[int, int, str]]) -> str:
    """The clause (between commas, colons, full stops) that holds the span's start;
    `clauses` are the sentence's, as (start, end, text)."""
    for start, end, clause in clauses:
        if start <= span.start < end or start <= span.start == end:
            return clause
    return sentence[max(0, span.start - 10) : span.end + 10]


def _shape(text: str, context: QuestionContext, figures: Sequence[Figure]) -> dict[str, float]:
    """What the span looks like (`figures`: its figures), and whether that is what the kind
    asks for."""
    lexicon, question = context.lexicon, context.question
    figure = FIGURE_RE.fullmatch(text) is not None and any(f.end - f.start == len(text) for f in figures)
    counted = text[: len(text) - len(question.noun)] if len(question.noun) >= 2 and text.endswith(question.noun) else ""
    counts_noun = bool(counted) and (counted.isdigit() or chinese_number(counted) is not None)  # 八不准 for 几个不准
    number = question.unit_class == "" and text.isdigit()  # 号码是多少: a bare number is the answer
    unit_agrees = question.unit_class is not None and (any(counts_in(f, question.unit_class, question.noun) for f in figures) or counts_noun or number)
    date = (TIME_RE.search(text) is not None or _DATE_LIKE.search(text) is not None) and any(ch.isdigit() for ch in text) or RECURRING_DATE.match(text) is not None
    relative = _RELATIVE_TIME.search(text) is not None
    unnamed = _INDEFINITE.search(text) is not None

    def is_name(part: str) -> bool:
        return (
            2 <= len(part) <= 4
            and (part[0] in lexicon.surnames or part[:2] in lexicon.surnames)
            and all("\u4e00" <= c <= "\u9fff" for c in part)
            and not common_word(part, context.tag, lexicon.people_nouns)
        )

    name = all(map(is_name, text.split("、")))  # 毛晓川、俞婉婷: the names of a prize's several winners
    foreign = "·" in text and len(text) <= 12
    place = text.endswith(lexicon.place_heads) if lexicon.place_heads else False
    organisation = text.endswith(lexicon.organisation_names) if lexicon.organisation_names else False
    quoted = text[:1] in "“《「" or _QUOTED.fullmatch(text) is not None
    listed = "、" in text
    kind = question.kind
    match = {
        Kind.QUANTITY: (bool(figures) or counts_noun or number) and (question.unit_class is None or unit_agrees)
        or (FREQUENCY_RE.fullmatch(text) is not None and FREQUENCY_QUESTION.search(question.normalised) is not None),
        # 几点: a time of day; 哪天几点: the day with it (12月12日上午10时)
        Kind.DATE: (
            (times_of_day(text) if not _UNTIL_CLOCK_ASKED.search(question.normalised) else CLOCK_RE.fullmatch(text) is not None)
            or (question.wants_day and date and CLOCK_RE.search(text) is not None)
        ) if question.wants_clock else date,
        Kind.PERSON: (name or foreign) and not unnamed,
        Kind.PLACE: (place or not (figures or date)) and not (relative or unnamed),
        Kind.ORGANISATION: organisation and not unnamed,
        Kind.TITLE: text.startswith("《"),
        Kind.LIST: listed,
        Kind.YES_NO: True,
        Kind.CHOICE: True,
        Kind.OTHER: not (figures or date) or bool(question.noun and question.noun[-1:] in text),
    }[kind]
    return {
        "type_match": float(match),
        "unit_agrees": float(unit_agrees),
        "unit_word_differs": float(bool(figures) and all(unit_word_differs(f, question.unit) for f in figures)),
        "generic_count": float(bool(figures) and all(generic_count(f, question.unit_class) for f in figures)),
        "is_figure": float(figure or bool(figures) or counts_noun),
        "is_date": float(date),
        "is_name": float(name or foreign),
        "is_place": float(place),
        "is_organisation": float(organisation),
        "is_quoted": float(quoted),
        "is_list": float(listed),
        "unnamed": float(unnamed),
    }


def foreign_names(sentence: str, words: Sequence[tuple[str, str]]) -> list[Span]:
    """Transliterated names (埃德蒙·希拉里, 列夫·尼古拉耶维奇·托尔斯泰), bounded by the
    words around them: the first part is the word before the first ·; the last part ends
    before a function word when one comes soon (丹增·诺尔盖从南坡: 诺尔盖), else with the
    word the tagger cut (托尔斯泰创作: 托尔斯泰)."""
    ending: dict[int, int] = {}  # end of a word -> its start
    beginning: dict[int, int] = {}  # start of a word -> its end
    at = 0
    for word, _ in words:
        ending[at + len(word)], beginning[at] = at, at + len(word)
        at += len(word)
    chains: list[list[int]] = []
    for dot in (i for i, ch in enumerate(sentence) if ch == "·"):
        between = sentence[chains[-1][-1] + 1 : dot] if chains else ""
        if between and len(between) <= FOREIGN_PART * 2 and _han(between) and not set(between) & _AFTER_FOREIGN:
            chains[-1].append(dot)
        else:
            chains.append([dot])
    out = []
    for chain in chains:
        first, last = chain[0], chain[-1] + 1
        start = ending.get(first, first)
        while start < first - 1 and sentence[start] in _AFTER_FOREIGN:  # 由列夫: 由 is no part of it
            start += 1
        run = last
        while run < len(sentence) and run - last < FOREIGN_PART * 2 and _han(sentence[run]):
            run += 1
        soon = next((i for i in range(last + 1, min(run, last + SHORT_FOREIGN_PART) + 1) if i == run or sentence[i] in _AFTER_FOREIGN), None)
        end = soon if soon is not None else min(beginning.get(last, run), run)
        if start < first and end > last:
            out.append(Span(text=sentence[start:end], start=start, end=end, strength=0.0))
    return out


def _han(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


def _generic_spans(sentence: str, context: QuestionContext, anchors: Sequence[int]) -> list[Span]:
    """Spans of any type: runs of nouns (and their last words), names, figures, dates,
    quotations and titles; the nearest to the question's words (`anchors`) first."""
    spans: list[tuple[str, int, int]] = []  # (text, start, end)
    words = context.tag(sentence)
    at = 0
    run: list[tuple[int, str, str]] = []  # (start, word, flag)

    def close() -> None:
        if not run:
            return
        end = run[-1][0] + len(run[-1][1])
        for i in range(max(0, len(run) - 3), len(run)):  # the run and its last one to three words
            start = run[i][0] if i > 0 else run[0][0]
            spans.append((sentence[start:end], start, end))
        spans.append((sentence[run[0][0] : end], run[0][0], end))
        run.clear()

    for word, flag in words:
        if flag.startswith(_NAME_TAG) and len(word) >= 2:
            spans.append((word, at, at + len(word)))
        if (flag.startswith(_NOUNISH) or flag.startswith(_NUMERIC) or flag.startswith(_NAME_TAG)) and word.strip():
            run.append((at, word, flag))
        elif run and run[-1][2].startswith(_NUMERIC) and flag.startswith("a"):
            run.append((at, word, flag))
        else:
            close()
        at += len(word)
    close()
    for figure in find_figures(sentence):
        spans.append((figure.text, figure.start, figure.end))
        unit = UNIT_CLASSES.get(figure.unit)
        if unit is not None:  # 64场 比赛: the figure with the noun it counts
            noun = re.match(r"[\u4e00-\u9fff]{1,4}?(?=[，。；、的]|$)", sentence[figure.end :])
            if noun is not None and len(noun.group(0)) <= 3:
                spans.append((figure.text + noun.group(0), figure.start, figure.end + len(noun.group(0))))
    for name in foreign_names(sentence, words):  # 德米特里·门捷列夫
        spans.append((name.text, name.start, name.end))
        last = name.text.rsplit("·", 1)[1]
        spans.append((last, name.end - len(last), name.end))
    for match in TIME_RE.finditer(sentence):
        spans.append((match.group(0), match.start(), match.end()))
    said = SAID_ASKED.search(context.question.normalised) is not None
    for match in _QUOTED.finditer(sentence):
        group = 1 if match.group(1) is not None else (2 if match.group(2) is not None else 0)
        if is_speech(match.group(group)) and not said:  # somebody's words answer only 说了什么
            continue
        spans.append((match.group(group), match.start(group), match.end(group)))
    unique: dict[tuple[int, int], str] = {}
    for text, start, _ in spans:
        trimmed = text.strip("的、，。 ")
        if not trimmed or len(trimmed) > MAX_SPAN or trimmed in context.question.normalised:
            continue
        start += text.find(trimmed)
        unique.setdefault((start, start + len(trimmed)), trimmed)
    ordered = sorted(unique.items(), key=lambda u: min((abs(u[0][0] - a) for a in anchors), default=u[0][0]))
    return [Span(text=text, start=start, end=end, strength=0.0) for (start, end), text in ordered[:MAX_PER_SENTENCE]]
