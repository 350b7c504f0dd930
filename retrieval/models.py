"""Typed values that cross module boundaries: issues, articles, passages, hits, answers."""

from __future__ import annotations

import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ArticleKind(StrEnum):
    NEWS = "news"
    PHOTO = "photo"


class Kind(StrEnum):
    """What a question asks for (see retrieval/kinds.py)."""

    QUANTITY = "quantity"
    PERSON = "person"
    DATE = "date"
    PLACE = "place"
    ORGANISATION = "organisation"
    LIST = "list"
    YES_NO = "yes_no"
    CHOICE = "choice"
    TITLE = "title"
    OTHER = "other"


class Article(_Frozen):
    """One article of an issue, as printed: headings, byline, paragraphs."""

    issue: str
    article_id: str
    ordinal: int
    title: str
    pretitle: str | None = None
    subtitle: str | None = None
    section: str | None = None
    kind: ArticleKind = ArticleKind.NEWS
    reporters: tuple[str, ...] = ()
    source: str | None = None
    paragraphs: tuple[str, ...] = ()
    url: str | None = None  # the web page the article was taken from, if any
    published: datetime.date | None = None  # its issue's publication date, when known
    edition: int | None = None  # its issue's printed page (第N版), when known

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


class Issue(_Frozen):
    """One issue: its id (an issue file's stem, or the site, date and edition of web pages),
    content hash, page banner, articles, and publication date when known."""

    issue_id: str
    content_hash: str
    banner: str | None = None
    articles: tuple[Article, ...]
    published: datetime.date | None = None
    edition: int | None = None  # the printed page (第N版) of a web edition's issue


class Hit(_Frozen):
    """An article that answers, with the sentence or sentences that carry the answer."""

    article: Article
    paragraph: int  # index of the paragraph holding the snippet
    snippet: str
    answer: str | None = None
    answer_start: int | None = None  # where `answer` stands in `snippet`
    score: float


class Headline(_Frozen):
    """An article named by its title, for lists of related reading."""

    article_id: str
    title: str
    issue: str


class Answer(_Frozen):
    """The reply to a question: the short answer, and the hits that cite it."""

    question: str
    found: bool
    answer: str | None = None
    hits: tuple[Hit, ...] = ()
    confidence: float = 0.0  # how sure the short answer is right (calibrated probability)
    kind: Kind = Kind.OTHER
    reason: str | None = None  # why nothing was found: "empty", "unknown", "weak", "unsaid"
    related: tuple[Headline, ...] = ()  # nearby articles, when nothing answers
