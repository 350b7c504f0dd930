"""The application's corpus: the store opened from settings, filled from the seeds on first use."""

from __future__ import annotations

import logging
from functools import partial

from retrieval import Layout, load_layout

from .ingest import IngestReport, ingest
from .settings import PROJECT_DIR, Settings
from .sources import http_client
from .store import Store

log = logging.getLogger(__name__)

LAYOUT_FILE = PROJECT_DIR / "config" / "layout.toml"


def layout_from(settings: Settings) -> Layout:
    return load_layout(LAYOUT_FILE) if LAYOUT_FILE.exists() else Layout()


def open_store(settings: Settings) -> Store:
    """Open the database; an empty one is filled from the seeds folder once."""
    store = Store(settings.sqlite_path)
    if store.meta("seeded") is None and store.issue_count() == 0 and settings.seeds_dir is not None:
        report = ingest_targets(store, settings, [str(settings.seeds_dir)], progress=False)
        for failure in report.refused:
            log.warning("seed %s refused: %s", failure.name, failure.reason)
    if store.meta("seeded") is None:
        store.set_meta("seeded", "1")
    return store


def ingest_targets(
    store: Store, settings: Settings, targets: list[str], progress: bool | None = None
) -> IngestReport:
    return ingest(
        store,
        targets,
        layout=layout_from(settings),
        max_bytes=settings.max_issue_bytes,
        client_factory=partial(http_client, settings.fetch_timeout_seconds),
        progress=progress,
    )
