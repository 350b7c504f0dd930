"""One step of a conversation: a message and the previous turn in, the answer and the new
last turn out. The Telegram service and the console chat both take their steps here; each
keeps the last turn its own way (the database for chats, the process for the console).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from retrieval import (
    Answer,
    Article,
    FollowupKind,
    Resolution,
    Turn,
    asked_kind,
    other_articles,
    prefer_article,
    reporters_answer,
    resolve,
)

from .library import Library

ANSWER_LIMIT = 5


class Exchange(BaseModel):
    """What a message led to: how it was understood, the answer (None when the reply is
    the whole article) and the conversation's new last turn."""

    model_config = ConfigDict(frozen=True)

    resolution: Resolution
    answer: Answer | None
    turn: Turn

    @property
    def article(self) -> Article | None:
        """The article to show whole ("原文"), if that is what was asked."""
        return self.resolution.article if self.resolution.kind is FollowupKind.ARTICLE else None

    @property
    def rewritten(self) -> str | None:
        """The question the message was taken to ask, when it leaned on the previous one."""
        if self.resolution.kind in (FollowupKind.QUESTION, FollowupKind.MORE):
            return self.resolution.question
        return None


def converse(
    library: Library,
    message: str,
    previous: Turn | None,
    now: datetime,
    max_age: timedelta | None,
    limit: int = ANSWER_LIMIT,
) -> Exchange:
    """Answer a message in the light of the previous turn (a standalone question alone)."""
    words = library.followup_words
    resolution = resolve(message, previous, library.segmenter, words, now, max_age)
    kind, article = resolution.kind, resolution.article
    if kind is FollowupKind.ARTICLE and article is not None and previous is not None:
        return Exchange(resolution=resolution, answer=None, turn=previous.model_copy(update={"asked_at": now}))
    if kind is FollowupKind.REPORTERS and article is not None and previous is not None:
        answer = reporters_answer(message, article)
        turn = Turn(question=previous.question, article=article, answer=answer.answer, kind="person", asked_at=now)
        return Exchange(resolution=resolution, answer=answer, turn=turn)
    if kind is FollowupKind.MORE and article is not None and previous is not None:
        answer = other_articles(library.answer(resolution.question, limit + 1), article.article_id)
        if not answer.found:  # nothing more: the conversation stays where it was
            return Exchange(resolution=resolution, answer=answer, turn=previous.model_copy(update={"asked_at": now}))
    else:
        answer = library.answer(resolution.question, limit)
        if article is not None:
            answer = prefer_article(answer, article.article_id)
    if not answer.found and previous is not None and kind is FollowupKind.QUESTION:
        # a follow-up the paper does not answer leaves the conversation on its article
        return Exchange(resolution=resolution, answer=answer, turn=previous.model_copy(update={"asked_at": now}))
    cited = answer.hits[0].article if answer.found and answer.hits else None
    turn = Turn(
        question=resolution.question,
        article=cited,
        answer=answer.answer if answer.found else None,
        kind=asked_kind(resolution.question, words),
        asked_at=now,
    )
    return Exchange(resolution=resolution, answer=answer, turn=turn)
