"""The pytest fixture: a running server for one test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._server import FakeBotApi


@pytest.fixture
def fake_botapi() -> Iterator[FakeBotApi]:
    """A running :class:`FakeBotApi`, stopped after the test."""
    with FakeBotApi() as server:
        yield server
