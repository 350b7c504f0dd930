"""Retrieval: from issue files to cited answers. Knows nothing of Telegram, settings or
storage: plain values in, frozen models out.

issue bytes -> parse_issue -> Issue/Article -> Corpus (passages + BM25) -> Answerer -> Answer

A follow-up message ("那朝阳呢？") is first made a question of its own from the previous
Turn (followup.resolve), then answered like any other.

Besides the pipeline, the names below are the text helpers the application shares with
it (normalising lines, bylines and credits, sentences, article ids), so that web pages
are read the way issue files are. Everything else is internal.
"""

from .answer import Answerer
from .byline import (
    CREDIT_ONLY_RE,
    LEAD_RE,
    PHOTO_CREDIT_LINE_RE,
    PHOTO_CREDIT_TAIL_RE,
    is_lead,
    lead_reporters,
    names_in_credit,
    source_of,
)
from .confidence import AnswerModel
from .corpus import Corpus
from .errors import IndexError_, IssueError, RetrievalError
from .followup import (
    FollowupKind,
    FollowupWords,
    Resolution,
    Turn,
    asked_kind,
    other_articles,
    prefer_article,
    reporters_answer,
    resolve,
)
from .index import Bm25Index
from .layout import Layout, load_layout
from .lexicon import Lexicon
from .models import Answer, Article, ArticleKind, Headline, Hit, Issue
from .parse import MAX_HEADING_CHARS, article_id, content_hash, parse_issue, parse_text, terminated
from .segment import Segmenter, read_aliases, read_word_list
from .sentences import Sentence, split_sentences
from .text import compact, is_cjk, normalise_line

__all__ = [
    "Answer",
    "AnswerModel",
    "Answerer",
    "Article",
    "ArticleKind",
    "Bm25Index",
    "CREDIT_ONLY_RE",
    "Corpus",
    "FollowupKind",
    "FollowupWords",
    "Headline",
    "Hit",
    "IndexError_",
    "Issue",
    "IssueError",
    "LEAD_RE",
    "Layout",
    "Lexicon",
    "MAX_HEADING_CHARS",
    "PHOTO_CREDIT_LINE_RE",
    "PHOTO_CREDIT_TAIL_RE",
    "Resolution",
    "RetrievalError",
    "Segmenter",
    "Sentence",
    "Turn",
    "article_id",
    "asked_kind",
    "compact",
    "content_hash",
    "is_cjk",
    "is_lead",
    "lead_reporters",
    "load_layout",
    "names_in_credit",
    "normalise_line",
    "other_articles",
    "parse_issue",
    "parse_text",
    "prefer_article",
    "read_aliases",
    "read_word_list",
    "reporters_answer",
    "resolve",
    "source_of",
    "split_sentences",
    "terminated",
]
