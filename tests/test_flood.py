"""The per-user flood guard: a limit per sliding window, counted in the database, so that
guards of several processes on one database share each user's budget; rows that decide
nothing any more are pruned."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from bot.storage.flood import Admission, FloodWindows
from bot.storage.store import Store
from bot.telegram.flood import FloodGuard

ALLOWED, WARNED, QUIET = Admission.ALLOWED, Admission.WARNED, Admission.QUIET


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def stores(migrated_database_url: str) -> Iterator[tuple[Store, Store]]:
    """Two stores on one database: what two bot processes hold."""
    with Store(migrated_database_url) as first, Store(migrated_database_url) as second:
        yield first, second


def test_limit_per_window_then_forgiven(stores: tuple[Store, Store]) -> None:
    clock = Clock()
    guard = FloodGuard(FloodWindows(stores[0]), limit=3, window=60, clock=clock)
    assert [guard.admit(1) for _ in range(5)] == [ALLOWED, ALLOWED, ALLOWED, WARNED, QUIET]  # warned once
    assert guard.admit(2) is ALLOWED  # another user's budget is their own
    clock.now += 121  # two windows later the old questions weigh nothing
    assert [guard.admit(1) for _ in range(4)] == [ALLOWED, ALLOWED, ALLOWED, WARNED]


def test_two_guards_on_one_database_share_a_users_budget(stores: tuple[Store, Store]) -> None:
    clock = Clock()
    here = FloodGuard(FloodWindows(stores[0]), limit=4, window=60, clock=clock)
    there = FloodGuard(FloodWindows(stores[1]), limit=4, window=60, clock=clock)
    assert [here.admit(7), there.admit(7), here.admit(7), there.admit(7)] == [ALLOWED] * 4
    assert there.admit(7) is WARNED  # the fifth question, whichever process gets it
    assert here.admit(7) is QUIET  # and the warning was given once, by either


def test_a_burst_across_a_window_boundary_is_still_limited(stores: tuple[Store, Store]) -> None:
    clock = Clock()
    guard = FloodGuard(FloodWindows(stores[0]), limit=10, window=60, clock=clock)
    assert guard.admit(3) is ALLOWED  # the window starts here
    clock.now += 59
    assert [guard.admit(3) for _ in range(9)] == [ALLOWED] * 9
    clock.now += 2  # a new window: the last one's ten questions still weigh 59/60
    assert guard.admit(3) is WARNED
    clock.now += 29  # half-way through it they weigh half: five more, and the warning was given
    assert [guard.admit(3) for _ in range(6)] == [ALLOWED] * 5 + [QUIET]


def test_inline_queries_over_the_limit_leave_the_warning_for_a_message(stores: tuple[Store, Store]) -> None:
    guard = FloodGuard(FloodWindows(stores[0]), limit=1, window=60, clock=Clock())
    assert guard.admit(4, warn=False) is ALLOWED
    assert guard.admit(4, warn=False) is QUIET
    assert guard.admit(4) is WARNED


def test_the_database_clock_is_used_when_no_clock_is_given(stores: tuple[Store, Store]) -> None:
    here = FloodGuard(FloodWindows(stores[0]), limit=3, window=600)
    there = FloodGuard(FloodWindows(stores[1]), limit=3, window=600)
    assert [here.admit(5), there.admit(5), here.admit(5), there.admit(5), here.admit(5)] == [
        ALLOWED, ALLOWED, ALLOWED, WARNED, QUIET,
    ]


def test_processes_admitting_one_user_at_once_let_through_exactly_the_limit(stores: tuple[Store, Store]) -> None:
    guards = [FloodGuard(FloodWindows(store), limit=25, window=600) for store in stores]
    results: list[Admission] = []
    lock = threading.Lock()

    def ask(guard: FloodGuard) -> None:
        for _ in range(10):
            admission = guard.admit(6)
            with lock:
                results.append(admission)

    threads = [threading.Thread(target=ask, args=(guards[i % 2],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(ALLOWED) == 25 and results.count(WARNED) == 1 and len(results) == 40


def test_rows_that_decide_nothing_are_pruned(stores: tuple[Store, Store]) -> None:
    clock = Clock()
    start = clock.now
    windows = FloodWindows(stores[0])
    guard = FloodGuard(windows, limit=2, window=60, clock=clock, prune_every=50)
    for user_id in range(40):
        assert guard.admit(user_id) is ALLOWED
    clock.now = start + 100
    assert [guard.admit(1000) for _ in range(3)] == [ALLOWED, ALLOWED, WARNED]
    assert windows.tracked_users() == 41
    clock.now = start + 121
    for _ in range(7):  # the 50th question prunes the rows whose windows are both over
        guard.admit(2000)
    assert windows.tracked_users() == 2
    assert guard.admit(1000) is QUIET  # a row kept still decides
    clock.now = start + 241
    guard.prune_every = 1
    assert guard.admit(3000) is ALLOWED
    assert windows.tracked_users() == 1
    assert [guard.admit(1000) for _ in range(3)] == [ALLOWED, ALLOWED, WARNED]  # as if never seen
