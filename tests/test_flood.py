"""The per-user flood guard: a limit per window, and memory bounded however many users."""

from __future__ import annotations

from bot.telegram.flood import FloodGuard


def test_limit_per_window_then_forgiven() -> None:
    now = [0.0]
    guard = FloodGuard(limit=3, window=60, clock=lambda: now[0])
    assert [guard.allow(1) for _ in range(4)] == [True, True, True, False]
    assert guard.should_warn(1) and not guard.should_warn(1)
    now[0] = 61
    assert guard.allow(1)


def test_memory_is_bounded_even_when_every_user_is_active() -> None:
    guard = FloodGuard(limit=3, window=60, clock=lambda: 0.0, max_users=100)
    for user_id in range(1000):
        assert guard.allow(user_id)
        guard.should_warn(user_id)
    assert guard.tracked_users() <= 100
    assert [guard.allow(999) for _ in range(3)] == [True, True, False]  # the recent ones are still counted
