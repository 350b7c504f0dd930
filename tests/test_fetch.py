"""Bounded fetches: a byte cap and a total deadline, against real misbehaving servers."""

from __future__ import annotations

import json
import threading
from functools import partial
from pathlib import Path

import pytest

from bot.cli.compose import opened_library
from bot.intake.feeds import Feeds
from bot.intake.fetch import http_client
from bot.intake.ingest import IngestResult
from bot.settings import Settings
from retrieval import Segmenter

from .cli import Cli
from .conftest import SEEDS
from .hostile_http import Answer, HostileServer

GOOD = SEEDS / "001_4042bde3bc384a6e.txt"


def test_ingest_refuses_slow_and_endless_urls_by_name_and_stores_the_good_file(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNIONBOT_SEEDS_DIR", "")
    # only the slow URLs are fetched; they trickle a byte every 0.1 s, well within the
    # read timeout, and only the deadline stops them
    monkeypatch.setenv("UNIONBOT_FETCH_DEADLINE_SECONDS", "0.3")
    monkeypatch.setenv("UNIONBOT_MAX_ISSUE_BYTES", "200000")
    with HostileServer(trickle_seconds=0.1) as server:
        trickle, endless, never = (
            server.url("/trickle-head/101.txt"), server.url("/endless/102.txt"), server.url("/never/103.txt")
        )
        done = cli("ingest", trickle, endless, never, str(GOOD), within=60)
        assert server.sent < 32_000_000  # the endless body was not read on and on
    assert done.code == 1
    lines = done.err.splitlines()
    assert f"unionbot: ingest: {trickle}: too slow" in "\n".join(lines), lines
    assert any(line.startswith(f"unionbot: ingest: {endless}: too large") for line in lines), lines
    assert any(line.startswith(f"unionbot: ingest: {never}: too slow") for line in lines), lines
    assert lines[-1] == "1 added, 0 updated, 0 unchanged, 3 refused"
    listed = cli("articles", "--json")
    assert {row["issue"] for row in json.loads(listed.out)} == {GOOD.stem}


def _poll_within(feeds: Feeds, seconds: float) -> list[IngestResult]:
    """Poll in a thread; fail the test (instead of hanging it) when the poll does not end."""
    out: list[list[IngestResult]] = []
    worker = threading.Thread(target=lambda: out.append(feeds.poll()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"the feed poll did not end within {seconds} s"
    return out[0]


def test_a_feed_poll_is_bounded_by_size_and_time_and_the_other_feeds_go_on(tmp_path: Path, segmenter: Segmenter) -> None:
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=None, fetch_deadline_seconds=0.5, max_issue_bytes=200_000)
    with HostileServer(trickle_seconds=0.1) as server, opened_library(settings, segmenter) as library:
        server.routes["/list.txt"] = [Answer(body=server.url("/issues/003_8c0f42011e5a1360.txt").encode())]
        server.routes["/issues/003_8c0f42011e5a1360.txt"] = [Answer(body=(SEEDS / "003_8c0f42011e5a1360.txt").read_bytes())]
        feeds = Feeds(
            library,
            [server.url("/endless/feed"), server.url("/trickle-body/feed"), server.url("/trickle-head/feed"),
             server.url("/list.txt")],
            partial(http_client, 20.0),
        )
        results = _poll_within(feeds, 30)
        assert server.sent < 32_000_000
        assert library.store.issue_ids() == ["003_8c0f42011e5a1360"]
    reasons = {r.name: r.reason or "" for r in results}
    assert reasons[server.url("/endless/feed")].startswith("too large")
    assert reasons[server.url("/trickle-body/feed")].startswith("too slow")
    assert reasons[server.url("/trickle-head/feed")].startswith("too slow")


def test_redirects_are_followed_and_loops_refused(tmp_path: Path, segmenter: Segmenter) -> None:
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=None, fetch_deadline_seconds=5, max_issue_bytes=200_000)
    with HostileServer() as server, opened_library(settings, segmenter) as library:
        server.routes["/moved.txt"] = [Answer(302, b"x" * 1_000_000, {"Location": "/issues/001_4042bde3bc384a6e.txt"})]
        server.routes["/issues/001_4042bde3bc384a6e.txt"] = [Answer(body=GOOD.read_bytes())]
        server.routes["/loop.txt"] = [Answer(302, b"", {"Location": "/loop.txt"})]
        report = library.ingest([server.url("/moved.txt"), server.url("/loop.txt")], progress=False)
        assert [(r.name, r.reason) for r in report.refused] == [(server.url("/loop.txt"), "more than 10 redirects")]
        assert library.store.issue_ids() == ["moved"]
