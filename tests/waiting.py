"""Waiting on a condition in async tests, with a deadline (never a fixed pause)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

WAIT = 20.0  # seconds: how long a condition may take on a busy machine before the test fails


async def until(condition: Callable[[], object], what: str, timeout: float = WAIT) -> None:
    """Return once `condition()` is true; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened within {timeout:.0f}s: {what}")
        await asyncio.sleep(0.01)
