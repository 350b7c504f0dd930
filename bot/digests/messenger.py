"""What the digest sender needs of a messaging service: send one part of a digest to a
chat and get the message id back, or one of these errors:

- FloodWait: sent too fast; wait `retry_after` seconds;
- ChatGone: the chat refuses messages for good (bot kicked or blocked, chat deleted);
- ChatMoved: the chat became another one (a group became a supergroup): `new_chat_id`;
- SendRefused: this message will never be accepted (a bad request);
- SendFailed: a passing failure (network, timeout, server error); try again later.

The Telegram front implements it; tests implement it with a fake.
"""

from __future__ import annotations

from typing import Protocol

from .digest import DigestPart


class SendError(Exception):
    """A part could not be sent."""


class FloodWait(SendError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"flood wait {retry_after:.0f}s")
        self.retry_after = retry_after


class ChatGone(SendError):
    """The chat takes no more messages; the subscription should end."""


class ChatMoved(SendError):
    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"chat moved to {new_chat_id}")
        self.new_chat_id = new_chat_id


class SendRefused(SendError):
    """This message is refused for good; sending it again would not help."""


class SendFailed(SendError):
    """A passing failure; the same send may work later."""


class Messenger(Protocol):
    async def send(self, chat_id: int, part: DigestPart) -> int:
        """Send `part` to `chat_id`; the sent message's id."""
        ...
