"""Issue dates for people: "2024年7月10日 第3版" next to an issue, and the day or month a
`/find 日期:` filter names."""

from __future__ import annotations

import re

from retrieval import Article

_DAY_OR_MONTH = re.compile(r"^(20\d\d|19\d\d)\s*[-./年]\s*(\d{1,2})\s*(?:月)?(?:\s*[-./]?\s*(\d{1,2})\s*日?)?$")


def issue_label(article: Article) -> str | None:
    """The date and printed page of the article's issue ("2024年7月10日 第3版"), when known."""
    if article.published is None:
        return None
    day = article.published
    label = f"{day.year}年{day.month}月{day.day}日"
    return f"{label} 第{article.edition}版" if article.edition is not None else label


def date_filter(text: str) -> str | None:
    """The day or month a filter names, as the store keeps dates ("2024-07-10", "2024-07");
    None when it names neither. Takes 2024-07, 2024-07-10, 2024.7.10, 2024年7月10日."""
    match = _DAY_OR_MONTH.match(text.strip())
    if match is None:
        return None
    year, month, day = int(match.group(1)), int(match.group(2)), match.group(3)
    if not 1 <= month <= 12 or (day is not None and not 1 <= int(day) <= 31):
        return None
    return f"{year:04d}-{month:02d}" + (f"-{int(day):02d}" if day is not None else "")
