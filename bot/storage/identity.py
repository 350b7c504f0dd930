"""What makes two articles one (their URL, or the key of their text), and the date an
issue file's name gives."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from datetime import date

_NAME_DATE = re.compile(r"(?<!\d)(20\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")


def date_in_name(name: str) -> date | None:
    """The date a file or URL name carries (2024-07-10, 2024_07_10, 20240710), if any."""
    for match in _NAME_DATE.finditer(name):
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
    return None


def text_key(paragraphs: Sequence[str]) -> str:
    """What two copies of one article's text have in common: a hash of its paragraphs,
    NFKC-normalised and without whitespace."""
    text = "\n".join("".join(unicodedata.normalize("NFKC", p).split()) for p in paragraphs)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
