"""Leases in the database (SQLite and PostgreSQL): taking, renewing, expiry and takeover,
release; the outbox fenced by the sender lease, and `recover` leaving a live sender's
deliveries alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from bot.digests.outbox import DeliveryStatus, Outbox
from bot.storage.leases import LeaseName, Leases, holds
from bot.storage.store import Store
from retrieval import Article, ArticleKind, Issue

SENDER = LeaseName.SENDER
TERM = 30.0


@pytest.fixture
def store(migrated_database_url: str) -> Iterator[Store]:
    with Store(migrated_database_url) as opened:
        yield opened


def run_out(store: Store, name: str) -> None:
    """The lease's holding ends now, as if its holder had stopped renewing a term ago."""
    with store.transaction() as connection:
        connection.execute(text("UPDATE leases SET expires_at = expires_at - 3600 WHERE name = :n"), {"n": name})


def issue_with_deliveries(store: Store, chats: int, articles: int = 1) -> list[int]:
    """A small issue (of `articles` articles) stored for `chats` subscribers: their
    delivery ids."""
    outbox = Outbox(store)
    for chat in range(1, chats + 1):
        outbox.subscribe(chat, "private", None)
    stored = tuple(
        Article(issue="x", article_id=f"x-{i}", ordinal=i, title=f"标题{i}", kind=ArticleKind.NEWS,
                paragraphs=(f"本报讯 正文{i}。",))
        for i in range(articles)
    )
    store.add_issue(Issue(issue_id="x", content_hash="h", articles=stored), "test")
    return [d.delivery_id for d in outbox.due()]


def test_a_free_lease_is_taken_and_renewed_by_its_holder_only(store: Store) -> None:
    leases = Leases(store)
    first = leases.acquire(SENDER, "a", TERM)
    assert first.holder == "a" and 0 < first.remaining <= TERM
    refused = leases.acquire(SENDER, "b", TERM)
    assert refused.holder == "a" and refused.remaining > TERM - 5  # who holds it and for how long
    assert leases.acquire(SENDER, "a", TERM).holder == "a"
    assert leases.acquire(LeaseName.POLLER, "b", TERM).holder == "b"  # leases are independent
    with store.reading() as connection:
        rows = connection.execute(text("SELECT name, holder, acquired_at < expires_at FROM leases ORDER BY name")).all()
    assert [tuple(r) for r in rows] == [("poller", "b", True), ("sender", "a", True)]


def test_an_expired_lease_is_taken_over_and_its_old_holder_cannot_renew_it(store: Store) -> None:
    leases = Leases(store)
    leases.acquire(SENDER, "a", TERM)
    run_out(store, SENDER)
    assert leases.state(SENDER).holder is None
    assert leases.acquire(SENDER, "b", TERM).holder == "b"
    assert leases.acquire(SENDER, "a", TERM).holder == "b"  # too late: b has it now


def test_a_released_lease_is_free_at_once(store: Store) -> None:
    leases = Leases(store)
    leases.acquire(SENDER, "a", TERM)
    assert not leases.release(SENDER, "b")
    assert leases.release(SENDER, "a")
    assert leases.state(SENDER).holder is None
    assert leases.acquire(SENDER, "b", TERM).holder == "b"


def test_the_lease_runs_out_by_the_database_clock(store: Store) -> None:
    leases = Leases(store)
    leases.acquire(SENDER, "a", 0.3)
    deadline = time.monotonic() + 10
    while leases.acquire(SENDER, "b", TERM).holder != "b":
        assert time.monotonic() < deadline, "the lease never ran out"
        time.sleep(0.05)


def test_many_takers_at_once_one_wins(migrated_database_url: str) -> None:
    takers = 6
    start = threading.Barrier(takers)
    won: list[str] = []
    errors: list[BaseException] = []

    def take(name: str) -> None:
        try:
            with Store(migrated_database_url) as own:
                start.wait()
                if Leases(own).acquire(SENDER, name, TERM).holder == name:
                    won.append(name)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=take, args=(f"p{i}",)) for i in range(takers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and len(won) == 1


def test_claims_are_made_only_under_the_sender_lease_and_record_their_sender(store: Store) -> None:
    leases, outbox = Leases(store), Outbox(store)
    first, second, third = issue_with_deliveries(store, 3)
    assert not outbox.claim(first, by="a")  # nobody holds the lease
    leases.acquire(SENDER, "a", TERM)
    assert not outbox.claim(first, by="b")  # b does not hold it
    assert outbox.claim(first, by="a")
    run_out(store, SENDER)
    assert not outbox.claim(second, by="a")  # a's lease ran out: a claims nothing more
    leases.acquire(SENDER, "b", TERM)
    assert outbox.claim(second, by="b")
    claimed = {d.delivery_id: (d.status, d.claimed_by) for d in outbox.deliveries()}
    assert claimed == {
        first: (DeliveryStatus.SENDING, "a"),
        second: (DeliveryStatus.SENDING, "b"),
        third: (DeliveryStatus.PENDING, None),
    }


def test_recover_puts_back_only_what_dead_senders_left_claimed(store: Store) -> None:
    leases, outbox = Leases(store), Outbox(store)
    first, second = issue_with_deliveries(store, 2)
    leases.acquire(SENDER, "a", TERM)
    assert outbox.claim(first, by="a")
    outbox.part_sent(first, 501)
    assert outbox.recover() == 0  # a is alive and sending it
    assert [d.status for d in outbox.deliveries()] == [DeliveryStatus.SENDING, DeliveryStatus.PENDING]
    run_out(store, SENDER)  # a died
    leases.acquire(SENDER, "b", TERM)
    assert outbox.claim(second, by="b")
    assert outbox.recover() == 1  # a's goes back, b's stays b's
    after = {d.delivery_id: d for d in outbox.deliveries()}
    assert after[first].status is DeliveryStatus.PENDING and after[first].message_ids == (501,)
    assert after[first].claimed_by is None
    assert after[second].status is DeliveryStatus.SENDING and after[second].claimed_by == "b"


def test_a_sender_that_lost_the_lease_puts_back_what_it_claimed(store: Store) -> None:
    leases, outbox = Leases(store), Outbox(store)
    [delivery] = issue_with_deliveries(store, 1)
    leases.acquire(SENDER, "a", TERM)
    assert outbox.claim(delivery, by="a")
    assert not outbox.abandon(delivery, by="b")
    assert outbox.abandon(delivery, by="a")
    [back] = outbox.due()
    assert back.delivery_id == delivery and back.claimed_by is None


@pytest.mark.postgres
def test_a_takeover_waits_for_a_claim_made_under_the_old_lease(migrated_postgres_url: str) -> None:
    """A claim checks the lease and changes its delivery in one transaction; a process
    taking the lease over meanwhile waits for that transaction, so its `recover` sees the
    claim (and puts it back) instead of missing it."""
    with Store(migrated_postgres_url) as store, Store(migrated_postgres_url) as other:
        [delivery] = issue_with_deliveries(store, 1)
        Leases(store).acquire(SENDER, "a", 0.5)  # a short term: the test waits for it to run out
        taken: list[str | None] = []
        taker = threading.Thread(target=lambda: taken.append(Leases(other).acquire(SENDER, "b", TERM).holder))
        with store.transaction() as claiming:
            assert holds(claiming, SENDER, "a")
            claiming.execute(
                text("UPDATE deliveries SET status = 'sending', claimed_by = 'a' WHERE delivery_id = :d"),
                {"d": delivery},
            )
            deadline = time.monotonic() + 10
            while Leases(other).state(SENDER).holder is not None:  # a's term runs out meanwhile
                assert time.monotonic() < deadline
                time.sleep(0.02)
            taker.start()
            assert _waits_for_a_lock(other) and not taken, "the takeover did not wait for the claim"
        taker.join(timeout=20)
        assert taken == ["b"]
        assert Outbox(other).recover() == 1


def _waits_for_a_lock(store: Store) -> bool:
    deadline = time.monotonic() + 10
    query = text("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")
    while time.monotonic() < deadline:
        with store.reading() as connection:
            if connection.execute(query).scalar_one():
                return True
        time.sleep(0.02)
    return False
