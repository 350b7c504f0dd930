"""Exceptions raised by the retrieval package.

RetrievalError
├── IssueError        an issue file cannot be read or holds no article
└── IndexError_       a saved index is missing, corrupt, or does not fit the corpus
"""

from __future__ import annotations


class RetrievalError(Exception):
    """Base class of everything this package raises on purpose."""


class IssueError(RetrievalError, ValueError):
    """An issue file was refused; `reason` says why in one short phrase."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class IndexError_(RetrievalError):
    """A saved index cannot be used."""
