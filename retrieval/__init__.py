"""Retrieval: from issue files to cited answers. Knows nothing of Telegram, settings or
storage: plain values in, frozen models out.

issue bytes -> parse_issue -> Issue/Article -> Corpus (passages + BM25) -> Answerer -> Answer
"""

from .answer import Answerer
from .corpus import Corpus
from .errors import IndexError_, IssueError, RetrievalError
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
    "Headline",
    "Hit",
    "IndexError_",
    "Issue",
    "IssueError",
    "Layout",
    "RetrievalError",
    "Segmenter",
    "load_layout",
    "parse_issue",
    "parse_text",
]
