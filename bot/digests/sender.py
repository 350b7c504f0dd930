"""Sends the digests in the outbox: claim a delivery, send it part by part, record each
part's message id as soon as Telegram returns it.

- 429: wait `retry_after` (python-telegram-bot's rate limiter waits and retries first;
  if that is not enough the delivery is put back for later) and go on;
- 403 (bot kicked or blocked): the subscription ends, no retry;
- the group became a supergroup: the subscription moves to the new chat id, and the
  digest is sent there;
- 5xx and timeouts: retried with backoff, given up after a configured time with a logged
  failure.
Digests are paced evenly (20 a second by default, leaving room for answers under
Telegram's 30 a second) and also go through the bot's rate limiter (20 a minute per
group); parts of one digest to one chat are spaced a second apart (three in groups).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.library import Library
from bot.telegram import render

from .outbox import Delivery, DeliveryStatus, Outbox

log = logging.getLogger(__name__)

MAX_BACKOFF = 300.0


def seconds(value: float | timedelta) -> float:
    """python-telegram-bot gives durations as timedelta (or, in older modes, seconds)."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


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
        self, bot: Bot, library: Library, workers: int = 8, give_up_after: float = 6 * 3600, rate: float = 20.0
    ) -> None:
        self.bot = bot
        self.pacer = Pacer(rate)
        self.library = library
        self.outbox = Outbox(library.store)
        self.workers = workers
        self.give_up_after = give_up_after
        self._parts: dict[str, list[render.Reply]] = {}
        self._chat_locks: dict[int, asyncio.Lock] = {}

    def parts(self, issue_id: str) -> list[render.Reply]:
        cached = self._parts.get(issue_id)
        if cached is None:
            if len(self._parts) >= 20:
                self._parts.clear()
            cached = render.digest_parts(issue_id, self.library.store.articles([issue_id]))
            self._parts[issue_id] = cached
        return cached

    async def run_once(self, limit: int = 1000) -> int:
        """Send what is due now; returns how many deliveries were attempted."""
        due = self.outbox.due(limit)
        if not due:
            return 0
        semaphore = asyncio.Semaphore(self.workers)
        await asyncio.gather(*(self._deliver(d, semaphore) for d in due))
        return len(due)

    async def _deliver(self, delivery: Delivery, semaphore: asyncio.Semaphore) -> None:
        lock = self._chat_locks.setdefault(delivery.chat_id, asyncio.Lock())
        async with semaphore, lock:
            if not self.outbox.claim(delivery.delivery_id):
                return
            try:
                await self._send_parts(delivery)
            except RetryAfter as exc:
                wait = seconds(exc.retry_after)
                log.info("digest %s to %s: flood wait %.0fs", delivery.issue_id, delivery.chat_id, wait)
                self.outbox.retry_later(delivery.delivery_id, wait, f"retry after {wait:.0f}s")
            except ChatMigrated as exc:
                log.info("chat %s became %s; moving its subscription", delivery.chat_id, exc.new_chat_id)
                self.outbox.migrate(delivery.chat_id, exc.new_chat_id)
            except Forbidden as exc:
                log.info("chat %s refuses messages (%s); subscription ended", delivery.chat_id, exc.message)
                self.outbox.unsubscribe(delivery.chat_id, reason=exc.message)
            except BadRequest as exc:
                if "chat not found" in exc.message.lower() or "deactivated" in exc.message.lower():
                    self.outbox.unsubscribe(delivery.chat_id, reason=exc.message)
                else:
                    log.error("digest %s to %s refused: %s", delivery.issue_id, delivery.chat_id, exc.message)
                    self.outbox.fail(delivery.delivery_id, exc.message)
            except (NetworkError, TelegramError) as exc:
                self._retry_or_give_up(delivery, exc)

    async def _send_parts(self, delivery: Delivery) -> None:
        parts = self.parts(delivery.issue_id)
        spacing = 1.0 if delivery.chat_id > 0 else 3.0
        for index in range(delivery.parts_sent, len(parts)):
            if index > delivery.parts_sent:
                await asyncio.sleep(spacing)
            part = parts[index]
            await self.pacer.wait()
            message = await self.bot.send_message(
                delivery.chat_id,
                part.text,
                parse_mode=ParseMode.HTML,
                reply_markup=part.keyboard,
                disable_web_page_preview=True,
            )
            self.outbox.part_sent(delivery.delivery_id, message.message_id)
        self.outbox.finish(delivery.delivery_id)

    def _retry_or_give_up(self, delivery: Delivery, exc: TelegramError) -> None:
        started = delivery.first_attempt_at or datetime.now(UTC)
        if (datetime.now(UTC) - started).total_seconds() >= self.give_up_after:
            log.error(
                "digest %s to chat %s given up after %d attempts: %s",
                delivery.issue_id, delivery.chat_id, delivery.attempts + 1, exc,
            )
            self.outbox.fail(delivery.delivery_id, f"gave up: {exc}", DeliveryStatus.FAILED)
            return
        backoff = min(MAX_BACKOFF, 2.0 ** min(delivery.attempts, 10))
        log.warning("digest %s to chat %s failed (%s); retry in %.0fs", delivery.issue_id, delivery.chat_id, exc, backoff)
        self.outbox.retry_later(delivery.delivery_id, backoff, str(exc))
