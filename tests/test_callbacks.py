"""Callback data: every kind of button round-trips; forged, stale and oversized data is
refused (None), never an exception."""

from __future__ import annotations

import pytest

from bot.callbacks import (
    MAX_CALLBACK_BYTES,
    ArticlePage,
    Callback,
    CallbackTooLong,
    Example,
    Feedback,
    FindPage,
    MoreResults,
    OpenArticle,
    Subscription,
    decode,
    encode,
)
from bot.keyboards import Button, Keyboard

EVERY_KIND: list[Callback] = [
    OpenArticle(article_id="4042bde3bc38"),
    OpenArticle(article_id="a" * 40, page=9999),
    ArticlePage(article_id="4042bde3bc38", page=2),
    MoreResults(query_id=12, index=1),
    MoreResults(query_id=2**63 - 1, index=999),
    Feedback(query_id=12, value=1),
    Feedback(query_id=12, value=-1),
    FindPage(query_id=7, page=0),
    Example(index=2),
    Subscription(on=True),
    Subscription(on=False),
]


@pytest.mark.parametrize("callback", EVERY_KIND, ids=lambda c: type(c).__name__)
def test_every_kind_round_trips_within_64_bytes(callback: Callback) -> None:
    data = encode(callback)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert decode(data) == callback


def test_the_wire_format_of_buttons_already_sent_is_kept() -> None:
    assert decode("a:abc123:0") == OpenArticle(article_id="abc123")
    assert decode("g:abc123:1") == ArticlePage(article_id="abc123", page=1)
    assert decode("m:12:1") == MoreResults(query_id=12, index=1)
    assert decode("f:12:-1") == Feedback(query_id=12, value=-1)
    assert decode("p:5:2") == FindPage(query_id=5, page=2)
    assert decode("x:0") == Example(index=0)
    assert decode("s:on") == Subscription(on=True) and decode("s:off") == Subscription(on=False)


@pytest.mark.parametrize(
    "data",
    [
        "",
        "z:1:2",
        "a",
        "a:",
        "a::0",
        "a:abc:0:extra",
        "a:ab/c:0",
        "a:abc:-1",
        "a:abc:10000",
        "m:0:1",
        "m:-3:1",
        "m:abc:1",
        "m:12",
        "f:12:2",
        "f:12:0",
        "x:100",
        "x:0 ",
        " x:0",
        "s:maybe",
        "s:on\n",
        "a:" + "a" * 41 + ":0",
        "m:" + "9" * 20 + ":0",
        "m:1:" + "1" * 70,
        "x:" + "0" * 80,
        "a:密云:0",
        "a:abc:٣",
    ],
)
def test_forged_or_oversized_data_is_refused(data: str) -> None:
    assert decode(data) is None


def test_not_a_string_is_refused() -> None:
    assert decode(None) is None and decode(b"x:0") is None and decode(3) is None


def test_a_button_over_64_bytes_cannot_be_made() -> None:
    with pytest.raises(ValueError):
        OpenArticle(article_id="a" * 41)
    with pytest.raises(CallbackTooLong):
        encode(OpenArticle.model_construct(article_id="a" * 70, page=0))
    with pytest.raises(ValueError):
        Button(text="x", callback=OpenArticle.model_construct(article_id="a" * 70, page=0))


def test_a_keyboard_drops_empty_rows_and_relabels() -> None:
    assert Keyboard.of([[], []]) is None
    keyboard = Keyboard.of([[Button(text="a", callback=Example(index=0))], []])
    assert keyboard is not None and len(keyboard.rows) == 1
    assert [b.text for b in keyboard.relabelled(str.upper).buttons] == ["A"]
    assert keyboard.buttons[0].data == "x:0"
