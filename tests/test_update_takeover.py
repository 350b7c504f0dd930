"""The polling process killed (-9) while it handles a batch of updates that Telegram already
counts as delivered: the process that takes over answers every update of the batch, and
none twice.

Two `serve` processes on one database (PostgreSQL when UNIONBOT_TEST_POSTGRES_URL is set,
else one SQLite file), through the project's own Bot API server, which holds the answers
(sendMessage) so that the poller is still handling the batch when it is killed; the answers
it had on their way are dropped unsent, as requests that never reached Telegram."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from bot.storage.leases import LeaseName

from . import postgres
from .conftest import copy_data_dir
from .fakebotapi import FakeBotApi, RecordedCall
from .test_cluster import QUESTIONS, SECRET, Cluster, wait

pytestmark = [pytest.mark.slow]

LEASE = 1.5  # the cluster's UNIONBOT_LEASE_SECONDS


@pytest.fixture
def shared_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The processes' database, filled from the seeds but for the issue the tests publish:
    PostgreSQL when the tests are given a server, else an SQLite file (a copy of the
    session's, made once)."""
    if postgres.GIVEN_URL:
        request.node.add_marker(pytest.mark.postgres)
        url: str = request.getfixturevalue("earlier_postgres_url")
        return url
    filled = copy_data_dir(request.getfixturevalue("earlier_session_dir"), tmp_path / "shared")
    return f"sqlite:///{filled / 'unionbot.sqlite3'}"


@pytest.fixture
def cluster(shared_database: str, tmp_path: Path, earlier_session_dir: Path) -> Iterator[Cluster]:
    with FakeBotApi() as api:
        running = Cluster(api, shared_database, tmp_path, index=earlier_session_dir / "index")
        try:
            yield running
        finally:
            running.stop()


@pytest.fixture
def pair(cluster: Cluster) -> Cluster:
    cluster.start(2)
    return cluster


def _offset(call: RecordedCall) -> int:
    return int(call.params.get("offset") or 0)


def test_a_batch_the_poller_was_handling_when_killed_is_answered_once_by_the_process_taking_over(
    pair: Cluster,
) -> None:
    api = pair.api
    poller = wait(lambda: pair.holder(LeaseName.POLLER), "a process polling")
    [standby] = [b for b in pair.bots if b is not poller]
    users = [api.new_user(f"读者{i}") for i in range(4)]
    api.hold("sendMessage")
    asked = [api.send_text(user, user, question) for user in users for question in QUESTIONS]
    last = max(int(update["update_id"]) for update in asked)
    # the poller is handling the batch: each chat's first answer is on its way (the second
    # waits for it), and the batch is confirmed to the server, which will not give it again
    wait(lambda: len(api.calls("sendMessage")) >= len(users), "every chat's first answer on its way")
    wait(lambda: any(_offset(c) > last for c in api.calls("getUpdates")), "the batch confirmed by a later poll")
    assert not api.pending_updates()

    killed_at = pair.kill(poller)
    wait(lambda: all(c.status == 0 for c in api.calls("sendMessage")), "the killed poller's answers dropped unsent")
    assert not api.bot_messages()
    api.release("sendMessage")

    assert wait(lambda: pair.holder(LeaseName.POLLER), "the other process polling") is standby
    wait(lambda: all(len(api.bot_messages(u.id)) >= len(QUESTIONS) for u in users), "every question answered",
         timeout=30)
    answered = [c.time - killed_at for c in api.calls("sendMessage") if c.ok]
    polled = min(c.time for c in api.calls("getUpdates") if c.time > killed_at) - killed_at
    print(f"\nafter kill -9 of the poller (lease {LEASE}s): getUpdates again {polled:.1f}s, the first answer of "
          f"the batch it was handling {min(answered):.1f}s, all {len(answered)} {max(answered):.1f}s after")
    wait(lambda: _all_handled(pair, len(asked)), "every update recorded as handled")
    for user in users:  # once each, in the order asked
        replies = [m.text for m in api.bot_messages(user.id)]
        assert len(replies) == len(QUESTIONS), replies
        assert all(answer in reply for answer, reply in zip(QUESTIONS.values(), replies, strict=True)), replies
    assert "Traceback" not in standby.output()


def test_updates_a_webhook_process_took_when_killed_are_answered_once_by_another(cluster: Cluster) -> None:
    api = cluster.api
    cluster.start(2, webhook=True)
    killed, other = cluster.bots
    users = [api.new_user(f"网友{i}") for i in range(3)]
    api.hold("sendMessage")
    sent = [api.send_text(user, user, question, enqueue=False) for user in users for question in QUESTIONS]
    with httpx.Client(trust_env=False, timeout=30) as client:
        def post(bot_pid: int, update: dict[str, object]) -> int:
            response = client.post(cluster.hooks[bot_pid], json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            return response.status_code

        assert all(post(killed.proc.pid, update) == 200 for update in sent)  # stored: Telegram is done with them
        wait(lambda: len(api.calls("sendMessage")) >= len(users), "every chat's first answer on its way")
        cluster.kill(killed)
        wait(lambda: all(c.status == 0 for c in api.calls("sendMessage")), "the killed process's answers dropped")
        api.release("sendMessage")
        assert post(other.proc.pid, sent[0]) == 200  # Telegram sending one again: taken over, not answered twice
    wait(lambda: all(len(api.bot_messages(u.id)) >= len(QUESTIONS) for u in users), "every question answered",
         timeout=30)
    wait(lambda: _all_handled(cluster, len(sent)), "every update recorded as handled")
    for user in users:
        replies = [m.text for m in api.bot_messages(user.id)]
        assert len(replies) == len(QUESTIONS), replies
        assert all(answer in reply for answer, reply in zip(QUESTIONS.values(), replies, strict=True)), replies
    assert "took over" in other.output()


def _all_handled(pair: Cluster, count: int) -> bool:
    with pair.store.reading() as connection:
        handled = connection.execute(text("SELECT COUNT(*) FROM updates WHERE handled_at IS NOT NULL")).scalar_one()
    return int(handled) >= count
