"""Buttons under a message, as our own values: what each shows and what pressing it asks
for. The Telegram front turns a Keyboard into python-telegram-bot's markup; nothing here
knows Telegram's classes, so rendering and digests are built and tested without them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pydantic import BaseModel, ConfigDict, model_validator

from .callbacks import Callback, encode


class Button(BaseModel):
    """One button: its label and the callback it sends (checked to fit 64 bytes)."""

    model_config = ConfigDict(frozen=True)

    text: str
    callback: Callback

    @model_validator(mode="after")
    def _fits(self) -> Button:
        encode(self.callback)  # raises CallbackTooLong (a ValueError) when over the limit
        return self

    @property
    def data(self) -> str:
        """The callback data Telegram carries back when the button is pressed."""
        return encode(self.callback)


class Keyboard(BaseModel):
    """Rows of buttons."""

    model_config = ConfigDict(frozen=True)

    rows: tuple[tuple[Button, ...], ...]

    @classmethod
    def of(cls, rows: Iterable[Iterable[Button]]) -> Keyboard | None:
        """A keyboard of the non-empty rows; None when there is no button at all."""
        kept = tuple(tuple(row) for row in rows)
        kept = tuple(row for row in kept if row)
        return cls(rows=kept) if kept else None

    @property
    def buttons(self) -> list[Button]:
        return [button for row in self.rows for button in row]

    def relabelled(self, change: Callable[[str], str]) -> Keyboard:
        """The same buttons with their labels changed (e.g. into traditional characters)."""
        return Keyboard(
            rows=tuple(tuple(b.model_copy(update={"text": change(b.text)}) for b in row) for row in self.rows)
        )
