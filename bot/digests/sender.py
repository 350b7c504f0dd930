"""Sends the digests in the outbox: claim a delivery, send it part by part through a
Messenger, record each part's message id as soon as the messenger returns it.

- flood wait (429): wait `retry_after` (python-telegram-bot's rate limiter waits and
  retries first; if that is not enough the delivery is put back for later) and go on;
- chat gone (403: bot kicked or blocked): the subscription ends, no retry;
- chat moved (the group became a supergroup): the subscription moves to the new chat id,
  and the digest is sent there;
- passing failures (5xx, timeouts): retried with backoff, given up after a configured
  time with a logged failure.
Digests are paced evenly (20 a second by default, leaving room for answers under
Telegram's 30 a second) and also go through the bot's rate limiter (20 a minute per
group); parts of one digest to one chat are spaced a second apart (three in groups).

With a fence (the sender lease of a running bot), a delivery is claimed only while the
lease is this process's own, in its holder's name; a sender that loses the lease claims
nothing more and puts back a delivery it is in the middle of before its next part.

Every database call (the outbox, the issue's articles) runs in the `database` executor
(a running bot's database thread, the one its handlers use), so the event loop never
waits on the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import UTC, datetime
from functools import partial
from typing import ParamSpec, Protocol, TypeVar

from bot.storage.store import Store

from .digest import DigestPart, digest_parts
from .messenger import (
    ChatGone,
    ChatMoved,
    FloodWait,
    Messenger,
    SendFailed,
    SendRefused,
)
from .outbox import Delivery, DeliveryStatus, Outbox

log = logging.getLogger(__name__)

MAX_BACKOFF = 300.0
CACHED_DIGESTS = 20
PART_SPACING = 1.0
"""Seconds between the parts of one digest to one private chat (three times that in groups)."""

P = ParamSpec("P")
T = TypeVar("T")


class Fence(Protocol):
    """The sender lease as the sender sees it."""

    @property
    def holder(self) -> str | None:
        """Who this process sends as while it holds the lease; None when it does not."""


class LeaseLost(Exception):
    """The sender lease stopped being ours in the middle of a delivery."""


class Pacer:
    """Spaces events evenly: at most `rate` a second in any window (no bursts)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        at = max(now, self._next)
        self._next = at + self.interval
        if at > now:
            await asyncio.sleep(at - now)


class DigestSender:
    """Fans the outbox out to the subscribed chats."""

    def __init__(
        self,
        messenger: Messenger,
        outbox: Outbox,
        store: Store,
        workers: int = 8,
        give_up_after: float = 6 * 3600,
        rate: float = 20.0,
        fence: Fence | None = None,
        database: Executor | None = None,
        part_spacing: float = PART_SPACING,
    ) -> None:
        """`database` runs the database calls (None: the event loop's default executor)."""
        self.messenger = messenger
        self.fence = fence
        self.pacer = Pacer(rate)
        self.outbox = outbox
        self.store = store
        self.workers = workers
        self.give_up_after = give_up_after
        self.database = database
        self.part_spacing = part_spacing
        self._parts: OrderedDict[str, list[DigestPart]] = OrderedDict()

    async def _db(self, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a database call in the database executor."""
        return await asyncio.get_running_loop().run_in_executor(self.database, partial(call, *args, **kwargs))

    async def parts(self, issue_id: str) -> list[DigestPart]:
        """The digest of an issue (the last few are kept, as every chat gets the same)."""
        cached = self._parts.get(issue_id)
        if cached is None:
            cached = digest_parts(issue_id, await self._db(self.store.articles, [issue_id]))
            self._parts[issue_id] = cached
            while len(self._parts) > CACHED_DIGESTS:
                self._parts.popitem(last=False)
        else:
            self._parts.move_to_end(issue_id)
        return cached

    async def run_once(self, limit: int = 1000) -> int:
        """Send what is due now; returns how many deliveries were attempted."""
        due = await self._db(self.outbox.due, limit)
        if not due:
            return 0
        # A chat's deliveries go one after the other, several chats at once; grouping them
        # here keeps no per-chat state between runs.
        by_chat: dict[int, list[Delivery]] = {}
        for delivery in due:
            by_chat.setdefault(delivery.chat_id, []).append(delivery)
        semaphore = asyncio.Semaphore(self.workers)
        await asyncio.gather(*(self._deliver_to_chat(ds, semaphore) for ds in by_chat.values()))
        return len(due)

    async def _deliver_to_chat(self, deliveries: list[Delivery], semaphore: asyncio.Semaphore) -> None:
        for delivery in deliveries:
            async with semaphore:
                await self._deliver(delivery)

    async def _deliver(self, delivery: Delivery) -> None:
        by = self.fence.holder if self.fence is not None else None
        if self.fence is not None and by is None:
            return  # not (or no longer) the sender
        outbox = self.outbox
        if not await self._db(outbox.claim, delivery.delivery_id, by=by):
            return
        try:
            await self._send_parts(delivery, by)
        except LeaseLost:
            log.info("digest %s to %s put back: the sender lease was lost", delivery.issue_id, delivery.chat_id)
            if by is not None:
                await self._db(outbox.abandon, delivery.delivery_id, by)
        except FloodWait as exc:
            log.info("digest %s to %s: flood wait %.0fs", delivery.issue_id, delivery.chat_id, exc.retry_after)
            await self._db(outbox.retry_later, delivery.delivery_id, exc.retry_after, f"retry after {exc.retry_after:.0f}s")
        except ChatMoved as exc:
            log.info("chat %s became %s; moving its subscription", delivery.chat_id, exc.new_chat_id)
            await self._db(outbox.migrate, delivery.chat_id, exc.new_chat_id)
        except ChatGone as exc:
            log.info("chat %s refuses messages (%s); subscription ended", delivery.chat_id, exc)
            await self._db(outbox.unsubscribe, delivery.chat_id, reason=str(exc))
        except SendRefused as exc:
            log.error("digest %s to %s refused: %s", delivery.issue_id, delivery.chat_id, exc)
            await self._db(outbox.fail, delivery.delivery_id, str(exc))
        except SendFailed as exc:
            await self._retry_or_give_up(delivery, exc)

    async def _send_parts(self, delivery: Delivery, by: str | None) -> None:
        parts = await self.parts(delivery.issue_id)
        spacing = self.part_spacing if delivery.chat_id > 0 else 3 * self.part_spacing
        for index in range(delivery.parts_sent, len(parts)):
            if index > delivery.parts_sent:
                await asyncio.sleep(spacing)
            await self.pacer.wait()
            if self.fence is not None and self.fence.holder != by:
                raise LeaseLost
            message_id = await self.messenger.send(delivery.chat_id, parts[index])
            await self._db(self.outbox.part_sent, delivery.delivery_id, message_id)
        await self._db(self.outbox.finish, delivery.delivery_id)

    async def _retry_or_give_up(self, delivery: Delivery, exc: SendFailed) -> None:
        started = delivery.first_attempt_at or datetime.now(UTC)
        if (datetime.now(UTC) - started).total_seconds() >= self.give_up_after:
            log.error(
                "digest %s to chat %s given up after %d attempts: %s",
                delivery.issue_id, delivery.chat_id, delivery.attempts + 1, exc,
            )
            await self._db(self.outbox.fail, delivery.delivery_id, f"gave up: {exc}", DeliveryStatus.FAILED)
            return
        backoff = min(MAX_BACKOFF, 2.0 ** min(delivery.attempts, 10))
        log.warning("digest %s to chat %s failed (%s); retry in %.0fs", delivery.issue_id, delivery.chat_id, exc, backoff)
        await self._db(self.outbox.retry_later, delivery.delivery_id, backoff, str(exc))
