"""Feed items: each one's state kept in the database (SQLite or PostgreSQL), retried until
done or refused for good."""

from __future__ import annotations

import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli.compose import opened_library
from bot.intake.feeds import Feeds
from bot.intake.fetch import http_client
from bot.library import Library
from bot.settings import Settings
from retrieval import Segmenter

from .conftest import SEEDS
from .hostile_http import Answer, HostileServer, Seen

ISSUE = SEEDS / "003_8c0f42011e5a1360.txt"


@pytest.fixture
def library(tmp_path: Path, migrated_database_url: str, segmenter: Segmenter) -> Iterator[Library]:
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=None, poll_seconds=0.05, max_issue_bytes=200_000,
                        fetch_deadline_seconds=5, database_url=migrated_database_url)
    with opened_library(settings, segmenter) as opened:
        yield opened


def _feeds(library: Library, *urls: str) -> Feeds:
    return Feeds(library, list(urls), partial(http_client, 5.0))


def _items(library: Library) -> dict[str, tuple[str, str | None, int]]:
    with library.store.reading() as connection:
        rows = connection.execute(text("SELECT url, state, reason, attempts FROM feed_items")).all()
    return {url: (state, reason, attempts) for url, state, reason, attempts in rows}


def test_an_item_that_failed_is_fetched_again_though_the_list_answers_304(library: Library) -> None:
    with HostileServer() as server:
        item = server.url("/issues/003_8c0f42011e5a1360.txt")

        def listing(seen: Seen) -> Answer:
            if seen.headers.get("if-none-match") == '"v1"':
                return Answer(304)
            return Answer(body=item.encode() + b"\n", headers={"ETag": '"v1"'})

        server.routes["/list.txt"] = [listing]
        server.routes["/issues/003_8c0f42011e5a1360.txt"] = [Answer(503), Answer(body=ISSUE.read_bytes())]
        feeds = _feeds(library, server.url("/list.txt"))
        first = feeds.poll()
        assert [r.outcome for r in first if not r.refused] == []
        assert library.store.issue_ids() == []
        state, reason, attempts = _items(library)[item]
        assert state == "retry" and attempts == 1 and reason is not None and "503" in reason
        deadline = time.monotonic() + 10
        while "003_8c0f42011e5a1360" not in library.store.issue_ids() and time.monotonic() < deadline:
            time.sleep(0.05)  # the backoff: one poll interval after the first failure
            feeds.poll()
        assert library.store.issue_ids() == ["003_8c0f42011e5a1360"]
        lists = server.requests("/list.txt")
        assert len(lists) >= 2 and lists[-1].headers.get("if-none-match") == '"v1"'  # answered 304
        assert _items(library)[item][0] == "done"
        assert len(server.requests("/issues/003_8c0f42011e5a1360.txt")) == 2
        feeds.poll()
        assert len(server.requests("/issues/003_8c0f42011e5a1360.txt")) == 2  # done: not fetched again


def test_an_oversized_single_file_feed_is_refused_not_truncated(library: Library) -> None:
    articles = "".join(
        f"第{i}号街道工会举办培训\n\n本报讯（记者 张三）近日，第{i}号街道工会举办培训，{i + 1}人参加。\n\n"
        for i in range(3000)
    )
    body = articles.encode()
    assert len(body) > 200_000
    with HostileServer() as server:
        server.routes["/latest.txt"] = [Answer(body=body)]
        results = _feeds(library, server.url("/latest.txt")).poll()
    assert [(r.refused, (r.reason or "").split(":")[0]) for r in results] == [(True, "too large")]
    assert library.store.issue_ids() == []


def test_a_missing_item_is_refused_for_good_and_not_fetched_every_poll(library: Library) -> None:
    with HostileServer() as server:
        gone = server.url("/issues/gone.txt")
        server.routes["/list.txt"] = [Answer(body=gone.encode() + b"\n")]  # no ETag: the list comes whole each time
        feeds = _feeds(library, server.url("/list.txt"))
        results = feeds.poll()
        assert [(r.name, r.reason) for r in results] == [(gone, "HTTP 404")]
        for _ in range(3):
            time.sleep(0.06)
            assert feeds.poll() == []
        assert len(server.requests("/list.txt")) == 4
        assert len(server.requests("/issues/gone.txt")) == 1
    assert _items(library)[gone] == ("refused", "HTTP 404", 1)
