"""The loop that keeps a lease in each process (bot/telegram/leadership.py): one keeper
acts at a time, another takes over when it stops or cannot renew, and a keeper that
cannot renew stops acting before another starts; the digest sender under the lease, and
what the poller does as the sender or standing by."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from bot.digests.digest import DigestPart
from bot.digests.outbox import DeliveryStatus, Outbox
from bot.digests.sender import DigestSender
from bot.settings import Settings
from bot.storage.leases import LeaseName, Leases, LeaseState
from bot.storage.store import Store
from bot.telegram.leadership import LeaseKeeper
from bot.telegram.poller import Poller

from .test_leases import issue_with_deliveries, run_out
from .waiting import until

TERM = 0.6
WAIT = 20.0


@pytest.fixture
def store(migrated_database_url: str) -> Iterator[Store]:
    with Store(migrated_database_url) as opened:
        yield opened


class Journal:
    """What the keepers did, in order."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def hooks(self, who: str) -> dict[str, Any]:
        async def gained() -> None:
            self.events.append(f"{who} acts")

        async def lost() -> None:
            self.events.append(f"{who} stops")

        return {"on_gain": gained, "on_loss": lost}


class Counting(Leases):
    """Leases that count the grants they answer (a take or a renewal) and the attempts
    they answer that found the lease held by another."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.granted = 0
        self.refused = 0

    def acquire(self, name: str, holder: str, seconds: float) -> LeaseState:
        state = super().acquire(name, holder, seconds)
        if state.holder == holder:
            self.granted += 1
        else:
            self.refused += 1
        return state


async def test_one_keeper_acts_and_another_takes_over_when_it_stops(store: Store) -> None:
    journal = Journal()
    counting = Counting(store)
    first = LeaseKeeper(counting, LeaseName.POLLER, TERM, **journal.hooks("first"))
    second = LeaseKeeper(Leases(store), LeaseName.POLLER, TERM, **journal.hooks("second"))
    first.start()
    await until(lambda: first.holder is not None, "the first keeper takes the lease")
    holder = first.holder
    second.start()
    try:
        # the holder renews (a third of a term apart), the other stands by, past the end
        # of the term it took the lease for: looked at all along, several times a renewal
        renewed = counting.granted + 4
        while counting.granted < renewed:
            assert first.holder == holder and second.holder is None
            await asyncio.sleep(TERM / 30)
        assert first.holder == holder and Leases(store).state(LeaseName.POLLER).holder == holder
        await first.close()
        await until(lambda: second.holder is not None, "the second keeper takes over")
        assert journal.events == ["first acts", "first stops", "second acts"]
        assert first.holder is None and Leases(store).state(LeaseName.POLLER).holder == second.holder != holder
    finally:
        await first.close()
        await second.close()
    assert Leases(store).state(LeaseName.POLLER).holder is None  # released: free for the next one at once


class Stalling(Counting):
    """Leases whose calls hang once told to, like a database that stopped answering."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.stall = threading.Event()
        self.resume = threading.Event()

    def acquire(self, name: str, holder: str, seconds: float) -> LeaseState:
        if self.stall.is_set():
            self.resume.wait(timeout=WAIT)
        return super().acquire(name, holder, seconds)


async def test_a_keeper_that_cannot_renew_stops_acting_before_another_takes_over(store: Store) -> None:
    journal = Journal()
    stalling = Stalling(store)
    first = LeaseKeeper(stalling, LeaseName.SENDER, TERM, **journal.hooks("first"))
    second = LeaseKeeper(Leases(store), LeaseName.SENDER, TERM, **journal.hooks("second"))
    first.start()
    await until(lambda: first.holder is not None, "the first keeper takes the lease")
    second.start()
    try:
        stalling.stall.set()  # the first keeper's renewals get no answer from now on
        await until(lambda: second.holder is not None, "the second keeper takes over")
        assert journal.events == ["first acts", "first stops", "second acts"]
        assert first.holder is None
        stalling.stall.clear()
        stalling.resume.set()  # the database answers again: the first keeper stands by
        await until(lambda: stalling.refused >= 2, "the first keeper's stalled attempt and the next one answered")
        assert first.holder is None and second.holder is not None
        assert journal.events == ["first acts", "first stops", "second acts"]
    finally:
        stalling.resume.set()
        await first.close()
        await second.close()


async def test_a_keeper_whose_lease_was_taken_stops_acting(store: Store) -> None:
    journal = Journal()
    keeper = LeaseKeeper(Leases(store), LeaseName.SENDER, TERM, **journal.hooks("keeper"))
    keeper.start()
    try:
        await until(lambda: keeper.holder is not None, "the keeper takes the lease")
        before = keeper.holder
        run_out(store, LeaseName.SENDER)
        assert Leases(store).acquire(LeaseName.SENDER, "another", 30.0).holder == "another"
        await until(lambda: journal.events[-1:] == ["keeper stops"], "the keeper notices at its next renewal")
        assert keeper.holder is None and before is not None
    finally:
        await keeper.close()
    assert Leases(store).state(LeaseName.SENDER).holder == "another"  # closing released nothing of another's


async def test_a_keeper_that_cannot_start_acting_gives_the_lease_back(store: Store) -> None:
    attempts: list[str] = []

    async def failing() -> None:
        attempts.append("start")
        raise RuntimeError("cannot start polling")

    journal = Journal()
    failing_keeper = LeaseKeeper(Leases(store), LeaseName.POLLER, 30.0, on_gain=failing)
    other = LeaseKeeper(Leases(store), LeaseName.POLLER, 30.0, **journal.hooks("other"))
    failing_keeper.start()
    try:
        await until(lambda: attempts, "the first keeper tries to act")
        # the other starts once the lease is given back: started before, it would find the
        # lease held and look again only a third of the term later
        await until(lambda: Leases(store).state(LeaseName.POLLER).holder is None, "the lease given back")
        other.start()
        await until(lambda: other.holder is not None, "the other keeper takes the lease given back")
        assert failing_keeper.holder is None and journal.events == ["other acts"]
    finally:
        await failing_keeper.close()
        await other.close()


class Held:
    """The sender lease as the sender sees it, held or not as the test says."""

    def __init__(self, holder: str | None) -> None:
        self.holder = holder


class Messenger:
    """Records what it sent; `after_send` runs after each send."""

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.after_send: Any = None

    async def send(self, chat_id: int, part: DigestPart) -> int:
        self.sent.append(chat_id)
        if self.after_send is not None:
            self.after_send()
        return 1000 + len(self.sent)


async def test_the_sender_claims_only_under_its_lease(store: Store) -> None:
    first, second = issue_with_deliveries(store, 2)
    outbox, messenger, fence = Outbox(store), Messenger(), Held(None)
    sender = DigestSender(messenger, outbox, store, rate=1000, fence=fence)
    await sender.run_once()
    assert messenger.sent == [] and len(outbox.due()) == 2  # not the sender: nothing claimed
    Leases(store).acquire(LeaseName.SENDER, "a", 30.0)
    fence.holder = "b"  # thinks it holds the lease, but the database says a does
    await sender.run_once()
    assert messenger.sent == [] and len(outbox.due()) == 2
    fence.holder = "a"
    await sender.run_once()
    assert sorted(messenger.sent) == [1, 2]
    assert {(d.status, d.claimed_by) for d in outbox.deliveries()} == {(DeliveryStatus.SENT, "a")}


async def test_a_sender_that_loses_the_lease_between_parts_puts_the_delivery_back(store: Store) -> None:
    [delivery] = issue_with_deliveries(store, 1, articles=45)  # a digest of two parts
    outbox, messenger, fence = Outbox(store), Messenger(), Held("a")
    Leases(store).acquire(LeaseName.SENDER, "a", 30.0)
    sender = DigestSender(messenger, outbox, store, rate=1000, fence=fence, part_spacing=0.01)
    assert len(await sender.parts("x")) == 2

    def lose() -> None:
        fence.holder = None

    messenger.after_send = lose
    await sender.run_once()
    assert messenger.sent == [1]  # the first part only
    [back] = outbox.deliveries()
    assert back.delivery_id == delivery and back.status is DeliveryStatus.PENDING
    assert back.parts_sent == 1 and back.claimed_by is None  # the next sender sends the second part


class Recorder:
    """Stands for every part the poller calls, and notes each call."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.corpus = self  # library.corpus.issues
        self.issues: tuple[str, ...] = ()

    def note(self, name: str, result: Any = None) -> Any:
        def call(*args: Any) -> Any:
            self.calls.append(name)
            return result

        return call


class Lease:
    """The sender lease as the poller sees it."""

    def __init__(self, holder: str | None) -> None:
        self.holder = holder
        self.seconds = TERM
        self.taken = asyncio.Event()


class Locked:
    def __init__(self, held: bool) -> None:
        self.held = held

    def try_acquire(self) -> bool:
        return self.held


class Inline:
    async def db(self, call: Any, *args: Any) -> Any:
        return call(*args)


def poller_with(recorder: Recorder, sender_lease: Lease, inbox_lock: Locked) -> Poller:
    part = recorder
    library = type("L", (), {"corpus": part, "refresh": part.note("refresh")})()
    inbox = type("I", (), {"poll": part.note("inbox")})()
    feeds = type("F", (), {"poll": part.note("feeds")})()
    outbox = type("O", (), {"recover": part.note("recover", 0), "next_due_in": part.note("due", None)})()

    async def run_once() -> int:
        part.calls.append("send")
        return 0

    sender = type("S", (), {"run_once": staticmethod(run_once)})()
    settings = Settings(poll_seconds=30)
    return Poller(settings, library, inbox, inbox_lock, feeds, outbox, sender, sender_lease, Inline())  # type: ignore[arg-type]


async def test_only_the_sender_recovers_polls_the_feeds_and_sends_every_bot_takes_in_its_inbox() -> None:
    standing_by = Recorder()
    await poller_with(standing_by, Lease(None), Locked(True)).tick()
    assert standing_by.calls == ["inbox", "refresh"]
    sending = Recorder()
    await poller_with(sending, Lease("me"), Locked(True)).tick()
    assert sending.calls == ["recover", "inbox", "feeds", "refresh", "send"]
    second_on_a_data_dir = Recorder()
    await poller_with(second_on_a_data_dir, Lease(None), Locked(False)).tick()
    assert second_on_a_data_dir.calls == ["refresh"]


async def test_a_bot_standing_by_starts_its_round_as_soon_as_it_becomes_the_sender() -> None:
    lease = Lease(None)
    poller = poller_with(Recorder(), lease, Locked(True))
    pause = asyncio.ensure_future(poller._pause())  # the poll interval is 30 s
    await asyncio.sleep(0.05)
    assert not pause.done()
    lease.holder = "me"
    lease.taken.set()
    await asyncio.wait_for(pause, timeout=WAIT)
