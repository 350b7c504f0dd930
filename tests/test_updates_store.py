"""The updates table (SQLite and PostgreSQL): an update is stored once, claims are renewed
by their claimant only, an update whose claim ran out is taken over (once, oldest first),
a handled one never, and handled rows are pruned after a while."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from bot.storage.store import Store
from bot.storage.updates import StoredUpdate, Updates

TERM = 30.0


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    with Store(database_url) as opened:
        yield opened


def batch(*ids: int) -> list[StoredUpdate]:
    return [StoredUpdate(update_id=i, payload=f'{{"update_id": {i}, "text": "问{i}"}}') for i in ids]


def age(store: Store, seconds: float, *ids: int) -> None:
    """Make the claims on these updates (all, without ids) `seconds` older."""
    where = f" WHERE update_id IN ({', '.join(str(i) for i in ids)})" if ids else ""
    with store.transaction() as connection:
        connection.execute(text(f"UPDATE updates SET claimed_at = claimed_at - :s{where}"), {"s": seconds})


def rows(store: Store) -> list[tuple[int, str, bool]]:
    with store.reading() as connection:
        found = connection.execute(
            text("SELECT update_id, claimed_by, handled_at IS NOT NULL FROM updates ORDER BY update_id")
        ).all()
    return [(int(r[0]), str(r[1]), bool(r[2])) for r in found]


def test_an_update_is_stored_once_and_keeps_its_first_claim(store: Store) -> None:
    updates = Updates(store)
    assert updates.receive(batch(3, 1, 2), "a") == [1, 2, 3]
    assert updates.receive(batch(2, 3, 4), "b") == [4]  # delivered again: only the new one is b's
    assert updates.receive([], "b") == []
    assert rows(store) == [(1, "a", False), (2, "a", False), (3, "a", False), (4, "b", False)]
    assert updates.open_elsewhere("a") == 1 and updates.open_elsewhere("b") == 3
    updates.handled([1, 2, 3])
    assert updates.receive(batch(1), "b") == []  # handled: never again
    assert updates.open_elsewhere("b") == 0


def test_claims_are_renewed_by_their_claimant_only_and_not_once_handled(store: Store) -> None:
    updates = Updates(store)
    updates.receive(batch(1, 2, 3), "a")
    age(store, TERM)
    assert updates.renew("b", [1, 2, 3]) == []
    updates.handled([3])
    assert updates.renew("a", [1, 2, 3, 99]) == [1, 2]
    assert updates.recover("b", TERM) == []  # renewed just now


def test_an_update_whose_claim_ran_out_is_taken_over_once_oldest_first(store: Store) -> None:
    updates = Updates(store)
    updates.receive(batch(5, 6, 7, 8), "a")
    assert updates.recover("b", TERM) == []  # a's claims are fresh
    age(store, TERM + 1, 5, 6, 7)
    updates.handled([6])
    taken = updates.recover("b", TERM, limit=1)
    assert taken == batch(5)  # with its JSON as stored
    assert [u.update_id for u in updates.recover("b", TERM)] == [7]
    assert updates.recover("c", TERM) == []  # b holds them now
    assert rows(store) == [(5, "b", False), (6, "a", True), (7, "b", False), (8, "a", False)]
    assert updates.renew("a", [5, 7, 8]) == [8]  # a lost them


def test_handled_updates_are_pruned_after_a_while(store: Store) -> None:
    updates = Updates(store)
    updates.receive(batch(1, 2, 3), "a")
    updates.handled([1, 2])
    assert updates.prune(3600) == 0
    with store.transaction() as connection:
        connection.execute(text("UPDATE updates SET handled_at = handled_at - 7200 WHERE update_id = 1"))
    updates.handled([1])  # recorded before: keeps its time
    assert updates.prune(3600) == 1
    assert [r[0] for r in rows(store)] == [2, 3]


def test_many_ids_at_once(store: Store) -> None:
    updates = Updates(store)
    ids = list(range(1, 1202))
    assert updates.receive(batch(*ids), "a") == ids
    assert updates.renew("a", ids) == ids
    updates.handled(ids[:1100])
    assert updates.open_elsewhere("b") == 101


@pytest.mark.postgres
def test_two_processes_taking_over_at_once_never_take_the_same_update(postgres_url: str) -> None:
    with Store(postgres_url) as store:
        Updates(store).receive(batch(*range(1, 201)), "dead")
        age(store, TERM + 1)
    taken: dict[str, list[int]] = {}
    start = threading.Barrier(2)

    def take(claimant: str) -> None:
        with Store(postgres_url) as own:
            start.wait()
            got: list[int] = []
            while chunk := Updates(own).recover(claimant, TERM, limit=7):
                got.extend(u.update_id for u in chunk)
            taken[claimant] = got

    threads = [threading.Thread(target=take, args=(name,)) for name in ("x", "y")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(taken["x"] + taken["y"]) == list(range(1, 201))
