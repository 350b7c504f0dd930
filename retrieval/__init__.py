"""Retrieval: from issue files to cited answers. Knows nothing of Telegram or settings."""

from .errors import IndexError_, IssueError, RetrievalError
from .layout import Layout, load_layout
from .models import Article, ArticleKind, Issue
from .parse import parse_issue, parse_text

__all__ = [
    "Article",
    "ArticleKind",
    "IndexError_",
    "Issue",
    "IssueError",
    "Layout",
    "RetrievalError",
    "load_layout",
    "parse_issue",
    "parse_text",
]
