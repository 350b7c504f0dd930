"""Web articles into stored issues: each article stored once (a URL or a text already in
the store is skipped), grouped by day and printed page (or by day, for a feed), and an
issue that grows (a new entry on the same day) keeps its articles and its id."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence

from bot.storage.identity import text_key
from bot.storage.store import AddOutcome, Store
from retrieval import Article

from .ingest import IngestResult
from .web import WebArticle, group_articles

log = logging.getLogger(__name__)


def _as_web(article: Article) -> WebArticle:
    return WebArticle(
        url=article.url or f"{article.issue}#{article.ordinal}",
        title=article.title,
        pretitle=article.pretitle,
        subtitle=article.subtitle,
        section=article.section,
        kind=article.kind,
        reporters=article.reporters,
        source=article.source,
        paragraphs=article.paragraphs,
        published=article.published,
        edition=article.edition,
    )


def store_web_articles(
    store: Store, articles: Sequence[WebArticle], origin: str, *, by_edition: bool, today: datetime.date | None = None
) -> list[IngestResult]:
    """Store the articles not stored before, in issues of `origin`'s site; one result per issue."""
    today = today or datetime.date.today()
    results: list[IngestResult] = []
    for issue in group_articles(articles, origin, ingested=today, by_edition=by_edition):
        fresh: list[WebArticle] = []
        keys: set[str] = set()
        urls = {a.url for a in issue.articles}
        for web in (a for a in articles if a.url in urls):
            key = text_key(web.paragraphs)
            if key in keys or store.stored_as(web.url, web.paragraphs) is not None:
                log.info("%s: already stored", web.url)
                continue
            keys.add(key)
            fresh.append(web)
        if not fresh:
            results.append(IngestResult(name=issue.issue_id, outcome=AddOutcome.UNCHANGED, articles=len(issue.articles)))
            continue
        kept = [_as_web(a) for a in store.articles([issue.issue_id])]
        regrouped = group_articles([*kept, *fresh], origin, ingested=today, by_edition=by_edition)
        merged = next(i for i in regrouped if i.issue_id == issue.issue_id)
        outcome = store.add_issue(merged, origin)
        log.info("%s: %s (%d articles, %d new)", issue.issue_id, outcome.value, len(merged.articles), len(fresh))
        results.append(IngestResult(name=issue.issue_id, outcome=outcome, articles=len(fresh)))
    return results
