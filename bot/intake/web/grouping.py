"""Web articles into issues: the pages of one day's printed page (第N版) form one issue,
and a feed's entries one issue per day. Issue ids are stable and safe for file names and
commands: `<site>-2024-07-10-03` (an edition's page 3) or `<site>-2024-07-10` (a day)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from retrieval import Article, Issue, article_id, content_hash

from .models import WebArticle
from .site import site_name


def issue_id_for(site: str, published: datetime.date, edition: int | None = None) -> str:
    """The id of a site's issue of one day (and printed page); `site` is a URL or a name."""
    day = f"{site_name(site)}-{published:%Y-%m-%d}"
    return day if edition is None else f"{day}-{edition:02d}"


def group_articles(
    articles: Sequence[WebArticle],
    site: str,
    *,
    ingested: datetime.date,
    by_edition: bool = True,
) -> list[Issue]:
    """Issues of the articles, oldest first (then by page), each article once (by URL) and
    in the given order. `site` is the site's URL (or its name); an article without a date
    counts as published on `ingested`; `by_edition` False (feeds): one issue per day."""
    groups: dict[tuple[datetime.date, int | None], list[WebArticle]] = {}
    seen: set[str] = set()
    for web in articles:
        if web.url in seen:
            continue
        seen.add(web.url)
        key = (web.published or ingested, web.edition if by_edition else None)
        groups.setdefault(key, []).append(web)
    issues = []
    for (day, edition), members in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
        issue_id = issue_id_for(site, day, edition)
        repeats: dict[str, int] = {}
        built: list[Article] = []
        for web in members:
            repeat = repeats.get(web.title, 0)
            repeats[web.title] = repeat + 1
            built.append(
                Article(
                    issue=issue_id,
                    article_id=article_id(issue_id, web.title, repeat),
                    ordinal=len(built) + 1,
                    title=web.title,
                    pretitle=web.pretitle,
                    subtitle=web.subtitle,
                    section=web.section,
                    kind=web.kind,
                    reporters=web.reporters,
                    source=web.source,
                    paragraphs=web.paragraphs,
                    url=web.url,
                    published=day,
                    edition=edition,
                )
            )
        issues.append(
            Issue(issue_id=issue_id, content_hash=content_hash(built), articles=tuple(built), published=day,
                  edition=edition)
        )
    return issues
