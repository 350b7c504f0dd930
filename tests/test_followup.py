"""Follow-up questions (retrieval/followup.py): what an elliptical message asks on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.library import load_followup_words
from retrieval.followup import (
    FollowupKind,
    FollowupWords,
    Turn,
    other_articles,
    prefer_article,
    reporters_answer,
    resolve,
)
from retrieval.models import Answer, Article, Hit
from retrieval.segment import Segmenter

NOW = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=5)
ARTICLE = Article(
    issue="001_4042bde3bc384a6e",
    article_id="a1",
    ordinal=1,
    title="密云区总工会推进经费收支规范化管理",
    reporters=("王路曼",),
    paragraphs=("本报讯（记者 王路曼）工会经费怎么花？近日，密云区总工会举办培训会，为300余人答疑解惑。", "第二段。"),
)


@pytest.fixture(scope="module")
def words() -> FollowupWords:
    return load_followup_words()


def turn(question: str, answer: str | None = None, kind: str | None = None, age: timedelta = timedelta()) -> Turn:
    return Turn(question=question, article=ARTICLE, answer=answer, kind=kind, asked_at=NOW - age)


def ask(message: str, previous: Turn | None, segmenter: Segmenter, words: FollowupWords) -> tuple[FollowupKind, str]:
    resolution = resolve(message, previous, segmenter, words, NOW, WINDOW)
    return resolution.kind, resolution.question


@pytest.mark.parametrize(
    ("before", "message", "expected"),
    [
        ("密云区总工会培训了多少人", "那朝阳呢？", "朝阳区总工会培训了多少人"),  # short district, full form kept
        ("丰台区总工会主席是谁", "那大兴呢", "大兴区总工会主席是谁"),
        ("谁是平谷区总工会党组书记", "怀柔呢？", "谁是怀柔区总工会党组书记"),
        ("朝阳网球比赛有多少人参加", "那东城区呢", "东城区网球比赛有多少人参加"),  # full form for a short one
        ("密云区总工会培训了多少人", "那市总呢", "市总工会培训了多少人"),  # the project's short form
        ("2023年朝阳举办了什么活动", "那2022年呢", "2022年朝阳举办了什么活动"),
        ("丰台区总工会主席是谁", "那副主席呢", "丰台区总工会副主席是谁"),  # a word with the same head
    ],
)
def test_new_entity_replaces_the_one_of_the_same_type(
    segmenter: Segmenter, words: FollowupWords, before: str, message: str, expected: str
) -> None:
    assert ask(message, turn(before), segmenter, words) == (FollowupKind.QUESTION, expected)


@pytest.mark.parametrize(
    ("before", "message", "expected"),
    [
        ("密云区总工会培训了多少人", "具体哪天？", "密云区总工会培训具体哪天"),
        ("职工交友活动有多少人参加", "在哪里举办的？", "职工交友活动在哪里举办的"),
        ("密云区总工会培训了多少人", "这个活动在哪里举办", "密云区总工会培训活动在哪里举办"),
    ],
)
def test_question_words_join_the_previous_topic(
    segmenter: Segmenter, words: FollowupWords, before: str, message: str, expected: str
) -> None:
    kind, question = ask(message, turn(before), segmenter, words)
    assert (kind, question) == (FollowupKind.QUESTION, expected)
    assert resolve(message, turn(before), segmenter, words, NOW, WINDOW).article == ARTICLE  # searched first


def test_pronoun_questions_lean_on_the_previous_article_and_answer(segmenter: Segmenter, words: FollowupWords) -> None:
    previous = turn("密云区总工会培训了多少人", answer="300余人", kind="other")
    assert ask("谁写的这篇？", previous, segmenter, words)[0] is FollowupKind.REPORTERS
    assert ask("记者是谁", previous, segmenter, words)[0] is FollowupKind.REPORTERS
    assert ask("原文", previous, segmenter, words)[0] is FollowupKind.ARTICLE
    assert ask("这篇的全文", previous, segmenter, words)[0] is FollowupKind.ARTICLE
    assert ask("还有呢", previous, segmenter, words) == (FollowupKind.MORE, "密云区总工会培训了多少人")
    person = turn("朝阳区总工会主席是谁", answer="张克斌", kind="person")
    assert ask("他是哪个单位的？", person, segmenter, words) == (FollowupKind.QUESTION, "张克斌是哪个单位的")


@pytest.mark.parametrize(
    "message",
    ["朝阳区总工会主席是谁", "那朝阳区总工会主席是谁呢", "东城区覆盖了多少家企业", "其他区的职工交友活动有多少人参加"],
)
def test_standalone_questions_are_never_rewritten(segmenter: Segmenter, words: FollowupWords, message: str) -> None:
    assert ask(message, turn("密云区总工会培训了多少人"), segmenter, words) == (FollowupKind.STANDALONE, message)


def test_expired_or_missing_context_is_ignored(segmenter: Segmenter, words: FollowupWords) -> None:
    old = turn("密云区总工会培训了多少人", age=WINDOW + timedelta(seconds=1))
    assert ask("那朝阳呢？", old, segmenter, words) == (FollowupKind.STANDALONE, "那朝阳呢？")
    assert ask("谁写的这篇？", None, segmenter, words) == (FollowupKind.STANDALONE, "谁写的这篇？")
    fresh = turn("密云区总工会培训了多少人", age=WINDOW - timedelta(seconds=1))
    assert ask("那朝阳呢？", fresh, segmenter, words)[0] is FollowupKind.QUESTION
    # a group answer replied to is a follow-up at any age
    ancient = resolve("那朝阳呢？", turn("密云区总工会培训了多少人", age=timedelta(days=30)), segmenter, words, NOW, None)
    assert ancient.question == "朝阳区总工会培训了多少人"


def test_without_a_cited_article_there_is_no_byline_to_give(segmenter: Segmenter, words: FollowupWords) -> None:
    previous = Turn(question="密云区总工会主席是谁", asked_at=NOW)
    assert ask("谁写的这篇？", previous, segmenter, words)[0] is FollowupKind.STANDALONE


def test_reporters_answer_cites_the_byline() -> None:
    answer = reporters_answer("谁写的这篇？", ARTICLE)
    assert answer.found and answer.answer == "王路曼"
    hit = answer.hits[0]
    assert hit.snippet.startswith("本报讯（记者 王路曼）") and hit.answer_start is not None
    assert hit.snippet[hit.answer_start :].startswith("王路曼")
    unsigned = ARTICLE.model_copy(update={"reporters": (), "source": None})
    assert not reporters_answer("谁写的这篇？", unsigned).found


def test_previous_article_first_and_other_articles() -> None:
    other = ARTICLE.model_copy(update={"article_id": "a2", "title": "别的报道"})
    hits = (
        Hit(article=other, paragraph=0, snippet="别的", answer="近日", answer_start=0, score=2.0),
        Hit(article=ARTICLE, paragraph=0, snippet="密云", answer="3月1日", answer_start=0, score=1.0),
    )
    answer = Answer(question="q", found=True, answer="近日", hits=hits)
    first = prefer_article(answer, "a1")
    assert first.answer == "3月1日" and first.hits[0].article.article_id == "a1" and len(first.hits) == 2
    assert prefer_article(answer, "zz") == answer
    rest = other_articles(answer, "a2")
    assert rest.answer == "3月1日" and len(rest.hits) == 1
    assert not other_articles(Answer(question="q", found=True, hits=hits[:1]), "a2").found
