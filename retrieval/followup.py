"""Follow-up questions: a message that leans on the previous question of a conversation.

"那朝阳呢？" after "密云区总工会培训了多少人" asks "朝阳区总工会培训了多少人"; "具体哪天？"
asks for a date about the same thing; "谁写的这篇？" is answered from the previous article's
byline, and "原文" is that article. `resolve` decides, from the message and the previous
turn, whether the message is a follow-up and what it asks on its own:

- a follow-up is short and elliptical: it opens with an opener (那, 还有 …) or ends with a
  closer (呢) and lacks either a question word or a content word of its own; or it has a
  pronoun (这篇, 他 …); or it asks something without naming anything ("具体哪天？");
- the new entities (districts and their short forms, organisations and the project's short
  forms, people, years) replace the previous question's entities of the same type; a new
  word that shares its head with a word of the previous question (副主席 / 主席) replaces it;
- question words without a topic are joined to the previous question's topic;
- a standalone question (it names its own topic and asks something) is never rewritten.

The word lists come from config/ and are passed in (FollowupWords); the segmenter gives the
entity tags, the places of its dictionary and the short forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from .models import Answer, Article, Headline, Hit
from .segment import Segmenter
from .sentences import SNIPPET_MAX, cut_around, split_sentences

_PUNCT = "，,。.？?！!、 ：:~～…"
_EDGE = "是有在了的吗呢啊吧呀" + _PUNCT  # trimmed off the ends of a topic
_YEAR = re.compile(r"(?:19|20)\d{2}年")
_CONTENT_FLAGS = ("n", "vn", "eng")  # nouns name a topic; a bare verb (举办) does not
_DISTRICT_SUFFIXES = ("区", "县", "市")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FollowupWords(_Frozen):
    """The word lists that steer follow-ups (config/followups.toml)."""

    openers: tuple[str, ...] = ()
    demonstratives: tuple[str, ...] = ()
    closers: tuple[str, ...] = ()
    person_pronouns: tuple[str, ...] = ()
    thing_pronouns: tuple[str, ...] = ()
    question_words: tuple[str, ...] = ()
    person_questions: tuple[str, ...] = ()
    author_words: tuple[str, ...] = ()
    article_words: tuple[str, ...] = ()
    article_nouns: tuple[str, ...] = ()


class Turn(_Frozen):
    """The previous question of a conversation and what answered it."""

    question: str
    article: Article | None = None  # the cited article, if one was cited
    answer: str | None = None  # the short answer, if one was given
    kind: str | None = None  # "person" when the answer is a person
    asked_at: datetime


class FollowupKind(StrEnum):
    STANDALONE = "standalone"  # not a follow-up: answer the message as it is
    QUESTION = "question"  # answer `question`, the previous article first
    MORE = "more"  # 还有呢: the previous question, from another article
    REPORTERS = "reporters"  # who wrote the previous article
    ARTICLE = "article"  # the previous article itself


class Resolution(_Frozen):
    """What a message asks on its own, and the previous article it leans on."""

    kind: FollowupKind
    question: str
    article: Article | None = None


@dataclass(frozen=True)
class _Entity:
    text: str
    type: str  # place, org, person, name, year
    start: int
    end: int


@dataclass
class _Parsed:
    text: str
    opener: bool = False
    closer: bool = False
    asks: bool = False
    core: str = ""  # the message without opener, closer and edge particles
    person_pronoun: tuple[int, int] | None = None  # span in core
    thing_pronoun: tuple[int, int] | None = None
    author: bool = False
    article_request: bool = False
    entities: list[_Entity] = field(default_factory=list)  # spans in core
    topic_words: list[tuple[str, int]] = field(default_factory=list)  # content words, not entities


def asked_kind(question: str, words: FollowupWords) -> str:
    """"person" when the question asks for a person, else "other" (what a pronoun can stand for)."""
    return "person" if any(w in question for w in words.person_questions) else "other"


def resolve(
    message: str,
    previous: Turn | None,
    segmenter: Segmenter,
    words: FollowupWords,
    now: datetime,
    max_age: timedelta | None,
) -> Resolution:
    """The question a message asks, given the previous turn of the conversation (ignored
    when older than `max_age`; None: any age)."""
    standalone = Resolution(kind=FollowupKind.STANDALONE, question=message)
    if previous is None or (max_age is not None and now - previous.asked_at > max_age):
        return standalone
    parsed = _parse(message, segmenter, words)
    if not parsed.core and not (parsed.opener or parsed.closer):
        return standalone
    article = previous.article
    if (parsed.article_request or parsed.author) and not parsed.topic_words and not parsed.entities:
        if article is None:  # nothing was cited: there is no article to lean on
            return standalone
        kind = FollowupKind.ARTICLE if parsed.article_request else FollowupKind.REPORTERS
        return Resolution(kind=kind, question=message, article=article)
    content = bool(parsed.topic_words or parsed.entities)
    pronoun = parsed.person_pronoun is not None or parsed.thing_pronoun is not None
    marked = parsed.opener or parsed.closer
    if not (pronoun or (marked and not (parsed.asks and content)) or (parsed.asks and not content)):
        return standalone
    before = _parse(previous.question, segmenter, words)
    if parsed.person_pronoun is not None:
        person = _person_of(previous, before)
        if person:
            start, end = parsed.person_pronoun
            return _question(parsed.core[:start] + person + parsed.core[end:], article)
    if not parsed.asks and content:
        return _question(_substitute(parsed, before, segmenter), article)
    if not parsed.asks:
        return Resolution(kind=FollowupKind.MORE, question=before.text, article=article)
    core = parsed.core
    if parsed.thing_pronoun is not None:
        start, end = parsed.thing_pronoun
        core = core[:start] + core[end:]
    return _question(_topic(before, words) + core.strip(_PUNCT), article)


def _question(text: str, article: Article | None) -> Resolution:
    return Resolution(kind=FollowupKind.QUESTION, question=text, article=article)


def _person_of(previous: Turn, before: _Parsed) -> str | None:
    """Whom 他 / 她 stands for: the person the previous answer named, else the one the
    previous question named."""
    if previous.kind == "person" and previous.answer:
        return previous.answer.split("、")[0]
    people = [e.text for e in before.entities if e.type == "person"]
    return people[0] if people else None


# -- parsing a message --------------------------------------------------------------


def _longest_first(words: tuple[str, ...]) -> list[str]:
    return sorted(words, key=len, reverse=True)


def _parse(message: str, segmenter: Segmenter, words: FollowupWords) -> _Parsed:
    text = segmenter.normalise(message).strip().strip(_PUNCT)
    parsed = _Parsed(text=text)
    core = text
    for opener in _longest_first(words.openers):
        if core.startswith(opener) and not core.startswith(words.demonstratives):
            parsed.opener = True
            core = core[len(opener) :].lstrip(_PUNCT)
            break
    for closer in _longest_first(words.closers):
        if core.endswith(closer):
            parsed.closer = True
            core = core[: -len(closer)].rstrip(_PUNCT)
            break
    parsed.core = core
    tokens = _tokens(core, segmenter)
    starts = {start for _, _, start in tokens}
    parsed.person_pronoun = _at_token(core, starts, words.person_pronouns)
    parsed.thing_pronoun = _at_token(core, starts, words.thing_pronouns)
    parsed.asks = _at_token(core, starts, words.question_words) is not None or any(
        w in core for w in words.question_words if len(w) > 1
    )
    parsed.author = any(w in core for w in words.author_words)
    parsed.article_request = any(w in core for w in words.article_words)
    parsed.entities = _entities(core, tokens, segmenter)
    covered = {i for e in parsed.entities for i in range(e.start, e.end)}
    functional = set(words.question_words) | set(words.author_words) | set(words.article_words)
    functional |= set(words.article_nouns) | set(words.person_pronouns) | set(words.thing_pronouns)
    after_question = False
    for word, flag, start in tokens:
        is_question = any(word.startswith(q) for q in words.question_words)
        part_of_question = after_question and len(word) == 1  # 多少人, 哪天
        after_question = is_question
        if is_question or part_of_question or start in covered or word in functional:
            continue
        if word in segmenter.stopwords or not flag.startswith(_CONTENT_FLAGS):
            continue
        parsed.topic_words.append((word, start))
    return parsed


def _tokens(text: str, segmenter: Segmenter) -> list[tuple[str, str, int]]:
    out = []
    at = 0
    for pair in segmenter.tagger.lcut(text):
        out.append((pair.word, pair.flag, at))
        at += len(pair.word)
    return out


def _at_token(text: str, starts: set[int], candidates: tuple[str, ...]) -> tuple[int, int] | None:
    """The first of `candidates` that begins where a token begins (他 in 他是, not in 其他)."""
    best: tuple[int, int] | None = None
    for word in _longest_first(candidates):
        for start in sorted(starts):
            if text.startswith(word, start) and (best is None or start < best[0]):
                best = (start, start + len(word))
                break
    return best


def _entities(text: str, tokens: list[tuple[str, str, int]], segmenter: Segmenter) -> list[_Entity]:
    """Places, organisations (and short forms of them), people, other names and years."""
    places = segmenter.places | segmenter.places_short
    found = [_Entity(m.group(0), "year", m.start(), m.end()) for m in _YEAR.finditer(text)]
    taken = {i for e in found for i in range(e.start, e.end)}
    for word, flag, start in tokens:
        if start in taken or len(word) < 2:
            continue
        kind = None
        if word in segmenter.aliases:
            full = segmenter.aliases[word]
            tags = segmenter.tagger.lcut(full)
            kind = "org" if tags and tags[-1].flag == "nt" else "name"
        elif word in places or flag == "ns":
            kind = "place"
        elif flag == "nt":
            kind = "org"
        elif flag == "nr":
            kind = "person"
        elif flag == "nz":
            kind = "name"
        if kind is not None:
            found.append(_Entity(word, kind, start, start + len(word)))
    return sorted(found, key=lambda e: e.start)


# -- building the question ----------------------------------------------------------


def _topic(before: _Parsed, words: FollowupWords) -> str:
    """The previous question without what it asked: 密云区总工会培训了多少人 -> 密云区总工会培训."""
    text = before.core
    spans = [(m.start(), m.end()) for w in words.question_words for m in re.finditer(re.escape(w), text)]
    if not spans:
        return text.strip(_EDGE)
    start = min(s for s, _ in spans)
    end = max(e for s, e in spans if s == start)
    head = text[:start].strip(_EDGE)
    tail = text[end + 1 :].strip(_EDGE) if end < len(text) else ""
    return head if len(head) >= 2 or not tail else tail


def _full_place(short: str, like: str, segmenter: Segmenter) -> str:
    """A place in the form of the one it replaces (朝阳 for 密云区 -> 朝阳区)."""
    suffix = like[-1] if like.endswith(_DISTRICT_SUFFIXES) and like[:-1] in segmenter.places_short else ""
    if suffix and short in segmenter.places_short and short + suffix in segmenter.places:
        return short + suffix
    return short


def _substitute(parsed: _Parsed, before: _Parsed, segmenter: Segmenter) -> str:
    """The previous question with the message's entities and words in place of its own of
    the same type (or head); what has no counterpart is put in front."""
    text = before.core
    unplaced: list[str] = []
    entities = list(before.entities)
    for new in parsed.entities:
        value = segmenter.aliases.get(new.text, new.text) if new.type in ("org", "name") else new.text
        span = _counterpart(new.type, value, text, entities)
        if span is None:
            unplaced.append(value)
            continue
        start, end = span
        if new.type == "place":
            value = _full_place(new.text, text[start:end], segmenter)
        text = text[:start] + value + text[end:]
        shift = len(value) - (end - start)
        entities = [
            _Entity(e.text, e.type, e.start + (shift if e.start >= end else 0), e.end + (shift if e.start >= end else 0))
            for e in entities
            if e.end <= start or e.start >= end
        ]
    for word, _ in parsed.topic_words:
        same_head = [w for w, _ in before.topic_words if w != word and w[-1] == word[-1] and w in text]
        if same_head:
            text = text.replace(same_head[0], _replace_head(same_head[0], word), 1)
        elif word not in text:
            unplaced.append(word)
    return "".join(unplaced) + text


def _replace_head(old: str, new: str) -> str:
    """A word with the same head in place of the old one: 副主席 for 主席 keeps what stands
    before a shared head of two or more characters (工会主席 -> 工会副主席); a shared head
    of one character (网球 / 乒乓球) replaces the whole word."""
    shared = 0
    while shared < min(len(old), len(new)) and old[-1 - shared] == new[-1 - shared]:
        shared += 1
    return old[: len(old) - shared] + new if shared >= 2 else new


def _counterpart(kind: str, value: str, text: str, entities: list[_Entity]) -> tuple[int, int] | None:
    """Where the previous question names the thing of this type. An organisation also
    takes the place in front of it (密云区总工会 for 市总工会), and is found by its head
    (总工会) when the tagger did not mark it."""
    same = [e for e in entities if e.type == kind]
    if kind != "org":
        return (same[0].start, same[0].end) if same else None
    for size in range(len(value) - 1, 1, -1):
        at = text.find(value[-size:])
        if at < 0:
            continue
        start = at
        for e in entities:
            if e.end == start and e.type == "place":
                start = e.start
        return start, at + size
    return (same[0].start, same[0].end) if same else None


# -- answers that lean on the previous article --------------------------------------


def prefer_article(answer: Answer, article_id: str) -> Answer:
    """The answer with the hit from the previous article first, when it has one."""
    hits = list(answer.hits)
    mine = [h for h in hits if h.article.article_id == article_id]
    if not answer.found or not mine or hits[0] is mine[0]:
        return answer
    ordered = (mine[0], *[h for h in hits if h is not mine[0]])
    return answer.model_copy(update={"hits": ordered, "answer": mine[0].answer})


def other_articles(answer: Answer, article_id: str) -> Answer:
    """The answer without the previous article's hit (还有呢: what else the paper says)."""
    hits = tuple(h for h in answer.hits if h.article.article_id != article_id)
    if not answer.found or not hits:
        return Answer(question=answer.question, found=False, reason="weak")
    return answer.model_copy(update={"hits": hits, "answer": hits[0].answer})


def reporters_answer(question: str, article: Article) -> Answer:
    """Who wrote the article: its reporters (or the paper it was reprinted from), cited from
    the sentence that names them."""
    names = list(article.reporters) or ([article.source] if article.source else [])
    if not names:
        headline = Headline(article_id=article.article_id, title=article.title, issue=article.issue)
        return Answer(question=question, found=False, reason="unsaid", related=(headline,))
    for p, paragraph in enumerate(article.paragraphs):
        for sentence in split_sentences(paragraph):
            at = sentence.text.find(names[0])
            if at < 0:
                continue
            text = sentence.text.strip()
            at = text.find(names[0])
            if len(text) > SNIPPET_MAX:
                text = cut_around(text, at, at + len(names[0]))
                at = text.find(names[0])
            hit = Hit(
                article=article, paragraph=p, snippet=text, answer=names[0], answer_start=max(at, 0), score=1.0
            )
            return Answer(question=question, found=True, answer="、".join(names), hits=(hit,))
    lead = article.paragraphs[0][:SNIPPET_MAX] if article.paragraphs else article.title
    hit = Hit(article=article, paragraph=0, snippet=lead, score=1.0)
    return Answer(question=question, found=True, answer="、".join(names), hits=(hit,))
