"""Several `unionbot serve` processes on one PostgreSQL database (each with a data dir of
its own, as on several hosts), through the project's own Bot API server: one polls and one
sends at a time, every update is answered once, every subscriber gets a digest once, and
when the polling or the sending process is killed (-9) another takes over within seconds.

The takeover times are printed (run with -s to see them); the tests only wait for them,
each up to a deadline, with a short lease term (UNIONBOT_LEASE_SECONDS)."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from bot.digests.outbox import Outbox
from bot.storage.leases import LeaseName, Leases
from bot.storage.store import Store

from . import forkserver
from .conftest import ROOT, SEEDS, copy_data_dir
from .fakebotapi import FakeBotApi, FakeUser
from .test_bot import BotProcess, stop_all
from .test_digests import DIGEST, FAST, NEW_ISSUE, digests, subscribe

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

LEASE = "1.5"
POLL = "0.3"
SECRET = "cluster-webhook-secret"
QUESTIONS = {
    "密云区总工会培训了多少人": "300余人",
    "东城区覆盖了多少家企业": "8327家",
}
T = TypeVar("T")


def wait(condition: Callable[[], T], what: str, timeout: float = 60.0, every: float = 0.05) -> T:
    """The condition's first true value, looked at every `every` seconds up to a deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"not within {timeout:.0f}s: {what}")
        time.sleep(every)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """`serve` processes on one database, each with its own data dir. Given `index` (an
    index saved over what the database holds), each data dir starts with a copy of it, so
    that each process loads the index instead of building it."""

    def __init__(self, api: FakeBotApi, database: str, root: Path, index: Path | None = None) -> None:
        self.api, self.database, self.root, self.index = api, database, root, index
        self.bots: list[BotProcess] = []
        self.hooks: dict[int, str] = {}  # pid -> webhook URL (webhook mode)
        self.store = Store(database)

    def start(self, count: int, webhook: bool = False, **env: str) -> None:
        for _ in range(count):
            number = len(self.bots)
            settings = {"UNIONBOT_DATABASE_URL": self.database, "UNIONBOT_SEEDS_DIR": "",
                        "UNIONBOT_LEASE_SECONDS": LEASE, "UNIONBOT_POLL_SECONDS": POLL, **env}
            url = ""
            if webhook:
                port = _free_port()
                url = f"http://127.0.0.1:{port}/unionbot/hook"
                settings |= {"UNIONBOT_WEBHOOK_URL": url, "UNIONBOT_WEBHOOK_PORT": str(port),
                             "UNIONBOT_WEBHOOK_SECRET": SECRET}
            host = self.root / f"host{number}"
            host.mkdir()
            bot = BotProcess(self.api, self.data_dir(host), **settings)
            self.bots.append(bot)
            if url:
                self.hooks[bot.proc.pid] = url
        started = [b for b in self.bots if b.proc.poll() is None]
        wait(lambda: all(self.ready(b) for b in started), "every process serving", timeout=120)

    def data_dir(self, host: Path) -> Path:
        """A host's data dir: empty, or holding a copy of the index."""
        data = host / "data"
        if self.index is not None and not (data / "index").exists():
            copy_data_dir(self.index, data / "index")
        return data

    def ready(self, bot: BotProcess) -> bool:
        assert bot.proc.poll() is None, bot.output()[-3000:]
        return "serving as @" in bot.output()

    def holder(self, lease: str) -> BotProcess | None:
        """The live process holding the lease, by the pid in its holder id."""
        held = Leases(self.store).state(lease).holder
        pid = int(held.split(":")[1]) if held else None
        return next((b for b in self.bots if b.proc.pid == pid and b.proc.poll() is None), None)

    def kill(self, bot: BotProcess) -> float:
        """kill -9; when it happened (wall clock, as the Bot API server records calls)."""
        bot.proc.send_signal(signal.SIGKILL)
        bot.proc.wait()
        return time.time()

    def all_sent(self) -> bool:
        """Every delivery recorded as sent: no sender sends anything more."""
        deliveries = Outbox(self.store).deliveries()
        return bool(deliveries) and all(d.status.value == "sent" for d in deliveries)

    def ingest(self, path: Path) -> None:
        """`unionbot ingest` by a process of its own (a fourth host), forked."""
        env = {**os.environ, "UNIONBOT_DATABASE_URL": self.database, "UNIONBOT_SEEDS_DIR": "",
               "UNIONBOT_DATA_DIR": str(self.data_dir(self.root / "ingesting"))}
        done = forkserver.server().run(["ingest", str(path)], env, ROOT, self.root / "ingesting", timeout=120)
        assert done.returncode == 0, done.stderr

    def stop(self) -> None:
        running = [b for b in self.bots if b.proc.poll() is None]
        codes = dict(zip([b.proc.pid for b in running], stop_all(running), strict=True))
        self.store.close()
        assert all(code == 0 for code in codes.values()), codes


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        yield server


@pytest.fixture
def database(earlier_postgres_url: str) -> str:
    """The database, filled from the seeds but for the issue the tests publish."""
    return earlier_postgres_url


@pytest.fixture
def cluster(api: FakeBotApi, database: str, tmp_path: Path, earlier_session_dir: Path) -> Iterator[Cluster]:
    running = Cluster(api, database, tmp_path, index=earlier_session_dir / "index")
    try:
        yield running
    finally:
        running.stop()


def ask_all(api: FakeBotApi, users: list[FakeUser]) -> None:
    """Each user asks every question; each question gets one reply, with its answer."""
    for user in users:
        for question in QUESTIONS:
            api.send_text(user, user, question)
    expected = len(QUESTIONS)
    wait(lambda: all(len(api.bot_messages(u.id)) >= expected for u in users), "every question answered")
    for user in users:
        replies = [m.text for m in api.bot_messages(user.id)]
        assert len(replies) == expected, replies
        assert all(answer in reply for answer, reply in zip(QUESTIONS.values(), replies, strict=True)), replies


def test_three_pollers_one_polls_all_answer_once_and_another_polls_after_a_kill_or_a_stop(cluster: Cluster) -> None:
    api = cluster.api
    cluster.start(3)
    poller = wait(lambda: cluster.holder(LeaseName.POLLER), "a process polling")
    others = [b for b in cluster.bots if b is not poller]
    users = [api.new_user(f"读者{i}") for i in range(6)]
    ask_all(api, users)
    assert not any("Conflict" in b.output() for b in cluster.bots)  # one getUpdates consumer at a time

    subscribers = [api.new_user(f"订阅者{i}") for i in range(3)]
    for reader in subscribers:
        assert subscribe(api, reader, reader).startswith("已订阅")
    cluster.ingest(SEEDS / f"{NEW_ISSUE}.txt")  # by a fourth process
    wait(lambda: all(digests(api, s.id) for s in subscribers), "every subscriber's digest")

    wait(cluster.all_sent, "every delivery recorded as sent")
    assert [len(digests(api, s.id)) for s in subscribers] == [1, 1, 1]

    killed_at = cluster.kill(poller)
    successor = wait(lambda: cluster.holder(LeaseName.POLLER), "another process taking the polling lease")
    took_over = time.time() - killed_at
    polled = wait(lambda: [c for c in api.calls("getUpdates") if c.time > killed_at], "a getUpdates call after the kill")
    print(f"\npolling lease taken over {took_over:.1f}s, getUpdates called again {polled[0].time - killed_at:.1f}s "
          f"after kill -9 (lease {LEASE}s)")
    assert successor in others
    later = [api.new_user(f"后来者{i}") for i in range(3)]
    ask_all(api, later)

    assert successor.stop() == 0  # a clean stop gives the lease back: the last one polls
    [last] = [b for b in others if b is not successor]
    assert wait(lambda: cluster.holder(LeaseName.POLLER), "the last process taking the polling lease") is last
    ask_all(api, [api.new_user("最后一位")])
    assert not any("Traceback" in b.output() for b in others)


def test_kill_9_of_the_sender_in_a_fan_out_another_finishes_it(cluster: Cluster) -> None:
    """45 chats, the sender killed a third of the way; sending at 30 a second (the pace is
    not what this test is about)."""
    api = cluster.api
    users = [api.new_user(f"s{i}") for i in range(45)]
    outbox = Outbox(cluster.store)
    for user in users:
        outbox.subscribe(user.id, "private", None)
    cluster.start(3, UNIONBOT_DELIVERY_RATE=FAST)
    sender = wait(lambda: cluster.holder(LeaseName.SENDER), "a process holding the sender lease")
    sent = lambda: sum(1 for m in api.bot_messages() if m.text.startswith(DIGEST))  # noqa: E731
    cluster.ingest(SEEDS / f"{NEW_ISSUE}.txt")
    wait(lambda: sent() >= 15, "the fan-out under way", every=0.01)
    killed_at = cluster.kill(sender)
    before = sent()
    assert before < len(users), "the fan-out finished before the kill; the test proves nothing"
    successor = wait(lambda: cluster.holder(LeaseName.SENDER), "another process taking the sender lease")
    took_over = time.time() - killed_at
    wait(lambda: sent() > before, "digests sent again after the kill", every=0.01)
    resumed = time.time() - killed_at
    wait(lambda: all(digests(api, u.id) for u in users), "every subscriber served", timeout=120)
    wait(cluster.all_sent, "every delivery recorded as sent")
    print(f"\nsender lease taken over {took_over:.1f}s, sending resumed {resumed:.1f}s after kill -9 "
          f"(lease {LEASE}s; {before} of {len(users)} sent before)")
    assert successor is not sender
    per_chat = Counter({u.id: len(digests(api, u.id)) for u in users})
    duplicates = sum(n - 1 for n in per_chat.values())
    assert duplicates <= 8, duplicates  # only sends in flight at the kill (8 workers)
    assert "pending again" in successor.output()


def test_webhook_updates_spread_over_three_processes_are_answered_once(cluster: Cluster) -> None:
    api = cluster.api
    cluster.start(3, webhook=True)
    assert Leases(cluster.store).state(LeaseName.POLLER).holder is None  # nobody polls in webhook mode
    users = [api.new_user(f"网友{i}") for i in range(6)]
    hooks = list(cluster.hooks.values())
    with httpx.Client(trust_env=False, timeout=30) as client:
        for i, user in enumerate(users):  # as a reverse proxy spreads them
            for j, question in enumerate(QUESTIONS):
                update = api.send_text(user, user, question, enqueue=False)
                response = client.post(hooks[(i + j) % len(hooks)], json=update,
                                       headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
                assert response.status_code == 200
        expected = len(QUESTIONS)
        wait(lambda: all(len(api.bot_messages(u.id)) >= expected for u in users), "every question answered")
    for user in users:  # a chat's two questions went to two processes: their replies come in either order
        replies = [m.text for m in api.bot_messages(user.id)]
        assert len(replies) == expected and all(any(a in r for r in replies) for a in QUESTIONS.values()), replies
    subscribers = [api.new_user(f"订户{i}") for i in range(3)]
    outbox = Outbox(cluster.store)
    for reader in subscribers:
        outbox.subscribe(reader.id, "private", None)
    cluster.ingest(SEEDS / f"{NEW_ISSUE}.txt")
    wait(cluster.all_sent, "every delivery recorded as sent")
    assert [len(digests(api, s.id)) for s in subscribers] == [1, 1, 1]
