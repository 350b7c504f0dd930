"""Ingest of one issue file (parse, date, store), and what became of it. Reading paths,
folders and URLs is in `ingestion`."""

from __future__ import annotations

import datetime
import logging

from pydantic import BaseModel, ConfigDict, field_validator

from bot.storage.identity import date_in_name
from bot.storage.store import AddOutcome, Store
from retrieval import IssueError, Layout, parse_issue

from .sources import IssueFile, SourceFailure, printable

log = logging.getLogger(__name__)


class IngestResult(BaseModel):
    """What became of one issue file; `name` and `reason` are for one-line messages, their
    control characters escaped."""

    model_config = ConfigDict(frozen=True)

    name: str
    outcome: AddOutcome | None = None  # None: refused
    reason: str | None = None
    articles: int = 0
    transient: bool = False  # refused this time; asking again later may succeed

    @field_validator("name", "reason")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        return None if value is None else printable(value)

    @classmethod
    def refusal(cls, failure: SourceFailure) -> IngestResult:
        return cls(name=failure.name, reason=failure.reason, transient=failure.transient)

    @property
    def refused(self) -> bool:
        return self.outcome is None


class IngestReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    results: tuple[IngestResult, ...]

    @property
    def refused(self) -> list[IngestResult]:
        return [r for r in self.results if r.refused]

    def count(self, outcome: AddOutcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)


def ingest_file(store: Store, item: IssueFile, layout: Layout) -> IngestResult:
    """Parse and store one issue file; a refused file leaves the store as it was."""
    try:
        issue = parse_issue(item.name, item.data, layout)
    except IssueError as exc:
        return IngestResult(name=item.origin, reason=exc.reason)
    origin_name = item.origin.split("?", 1)[0].rsplit("/", 1)[-1]
    published = date_in_name(origin_name) or date_in_name(item.name) or datetime.date.today()
    issue = issue.model_copy(update={"published": published})
    outcome = store.add_issue(issue, item.origin)
    log.info("%s: %s (%d articles)", item.origin, outcome.value, len(issue.articles))
    return IngestResult(name=item.origin, outcome=outcome, articles=len(issue.articles))
