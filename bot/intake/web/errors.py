"""Exceptions raised by the intake package.

IntakeError        a web document cannot be taken in; `reason` says why in one short phrase
└── PageError      a page or feed entry holds no article text
"""

from __future__ import annotations


class IntakeError(ValueError):
    """A web document was refused; `url` names it and `reason` says why."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class PageError(IntakeError):
    """A page (or a feed entry's content) in which no article was found."""
