"""Ingest: read issue files from paths, folders and URLs, parse them, store them."""

from __future__ import annotations

import logging
import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import httpx
from pydantic import BaseModel, ConfigDict, field_validator
from tqdm import tqdm

from bot.storage.store import AddOutcome, Store
from retrieval import IssueError, Layout, parse_issue

from .fetch import FetchLimits, fetch_issue
from .sources import IssueFile, SourceFailure, expand, printable, read_file

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
    outcome = store.add_issue(issue, item.origin)
    log.info("%s: %s (%d articles)", item.origin, outcome.value, len(issue.articles))
    return IngestResult(name=item.origin, outcome=outcome, articles=len(issue.articles))


def ingest(
    store: Store,
    targets: Iterable[str],
    *,
    layout: Layout,
    limits: FetchLimits,
    client_factory: Callable[[], httpx.Client],
    progress: bool | None = None,
) -> IngestReport:
    """Ingest every file named by `targets`; the good ones are stored even when others fail."""
    items = list(expand(list(targets)))
    show = sys.stderr.isatty() if progress is None else progress
    results: list[IngestResult] = []
    client: httpx.Client | None = None
    try:
        bar = tqdm(
            items,
            desc="ingest",
            unit="file",
            disable=not show or len(items) < 2,
            file=sys.stderr,
            # a terminal that reports no size (0x0) would hide the bar: assume 80x24
            ncols=shutil.get_terminal_size().columns,
            nrows=shutil.get_terminal_size().lines,
        )
        for item in bar:
            got: IssueFile | SourceFailure
            if isinstance(item, SourceFailure):
                got = item
            elif isinstance(item, Path):
                got = read_file(item, limits.max_bytes)
            else:
                client = client or client_factory()
                got = fetch_issue(client, item, limits)
            if isinstance(got, SourceFailure):
                results.append(IngestResult.refusal(got))
            else:
                results.append(ingest_file(store, got, layout))
    finally:
        if client is not None:
            client.close()
    return IngestReport(results=tuple(results))
