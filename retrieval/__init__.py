"""Retrieval: from issue files to cited answers. Knows nothing of Telegram, settings or
storage: plain values in, frozen models out.

issue bytes -> parse_issue -> Issue/Article -> Corpus (passages + BM25) -> Answerer -> Answer

A follow-up message ("那朝阳呢？") is first made a question of its own from the previous
Turn (followup.resolve), then answered like any other.
"""

from .answer import Answerer
from .corpus import Corpus
from .errors import IndexError_, IssueError, RetrievalError
from .followup import FollowupKind, FollowupWords, Resolution, Turn
from .index import Bm25Index
from .layout import Layout, load_layout
from .models import Answer, Article, ArticleKind, Headline, Hit, Issue
from .parse import parse_issue, parse_text
from .segment import Segmenter

__all__ = [
    "Answer",
    "Answerer",
    "Article",
    "ArticleKind",
    "Bm25Index",
    "Corpus",
    "FollowupKind",
    "FollowupWords",
    "Headline",
    "Hit",
    "IndexError_",
    "Issue",
    "IssueError",
    "Layout",
    "Resolution",
    "RetrievalError",
    "Segmenter",
    "Turn",
    "load_layout",
    "parse_issue",
    "parse_text",
]
