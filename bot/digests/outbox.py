"""Subscriptions and the digest outbox, in the application's database.

A delivery row (issue, chat) is created in the transaction that stores the issue
(`Store.add_issue`). The sender claims a row, sends the digest part by part, and records
each part's message id as soon as Telegram returns it; so after a crash only the part in
flight can be sent twice, and nothing recorded as sent is sent again.

A claim is a conditional UPDATE (pending -> sending) in its own transaction; on PostgreSQL
the row is first taken with SELECT … FOR UPDATE SKIP LOCKED, so senders in several
processes never claim the same delivery and never wait on each other's claims. A sender
claims as the holder of the sender lease (bot/storage/leases.py): the claim is made only
while that lease is still its own, and the row records who claimed it, so that `recover`
puts back what dead senders left claimed and nothing a live one is sending.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from sqlalchemy import RowMapping, func, or_, select

from bot.storage.dialects import greatest, upsert
from bot.storage.leases import LeaseName, holds, live_holder
from bot.storage.schema import deliveries, subscriptions
from bot.storage.store import Store


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Subscription(BaseModel):
    model_config = ConfigDict(frozen=True)

    chat_id: int
    chat_type: str
    title: str | None
    active: bool


class Delivery(BaseModel):
    model_config = ConfigDict(frozen=True)

    delivery_id: int
    issue_id: str
    chat_id: int
    status: DeliveryStatus
    parts_sent: int
    message_ids: tuple[int, ...]
    attempts: int
    first_attempt_at: datetime | None
    claimed_by: str | None = None  # the sender lease holder that claimed it last


def _now() -> datetime:
    return datetime.now(UTC)


def _delivery(row: RowMapping) -> Delivery:
    first = row["first_attempt_at"]
    return Delivery(
        delivery_id=int(row["delivery_id"]),
        issue_id=str(row["issue_id"]),
        chat_id=int(row["chat_id"]),
        status=DeliveryStatus(str(row["status"])),
        parts_sent=int(row["parts_sent"]),
        message_ids=tuple(json.loads(str(row["message_ids"]))),
        attempts=int(row["attempts"]),
        first_attempt_at=datetime.fromisoformat(str(first)) if first else None,
        claimed_by=row["claimed_by"],
    )


_DELIVERY_COLUMNS = tuple(
    deliveries.c[name]
    for name in (
        "delivery_id", "issue_id", "chat_id", "status", "parts_sent", "message_ids", "attempts", "next_attempt_at",
        "first_attempt_at", "claimed_by",
    )
)
_UNSENT = (DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value)


class Outbox:
    """Subscriptions and deliveries; every change is its own committed transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- subscriptions ----------------------------------------------------------------

    def subscribe(self, chat_id: int, chat_type: str, title: str | None) -> bool:
        """Start (or restart) a chat's subscription; False when it was already on."""
        now = _now().isoformat()
        current = self.subscription(chat_id)
        with self.store.transaction() as connection:
            statement = upsert(connection, subscriptions).values(
                chat_id=chat_id, chat_type=chat_type, title=title, active=1, created_at=now, updated_at=now
            )
            connection.execute(statement.on_conflict_do_update(
                index_elements=[subscriptions.c.chat_id],
                set_={
                    "active": 1,
                    "chat_type": statement.excluded.chat_type,
                    "title": statement.excluded.title,
                    "updated_at": statement.excluded.updated_at,
                    "ended_reason": None,
                },
            ))
        return current is None or not current.active

    def unsubscribe(self, chat_id: int, reason: str = "unsubscribed") -> bool:
        """End a chat's subscription and drop its unsent digests; False when it was off."""
        current = self.subscription(chat_id)
        with self.store.transaction() as connection:
            connection.execute(
                subscriptions.update()
                .where(subscriptions.c.chat_id == chat_id)
                .values(active=0, ended_reason=reason, updated_at=_now().isoformat())
            )
            connection.execute(
                deliveries.update()
                .where(deliveries.c.chat_id == chat_id, deliveries.c.status.in_(_UNSENT))
                .values(status=DeliveryStatus.CANCELLED.value, last_error=reason)
            )
        return current is not None and current.active

    def subscription(self, chat_id: int) -> Subscription | None:
        query = select(subscriptions.c.chat_id, subscriptions.c.chat_type, subscriptions.c.title, subscriptions.c.active)
        with self.store.reading() as connection:
            row = connection.execute(query.where(subscriptions.c.chat_id == chat_id)).first()
        if row is None:
            return None
        return Subscription(chat_id=row.chat_id, chat_type=row.chat_type, title=row.title, active=bool(row.active))

    def active_count(self) -> int:
        query = select(func.count()).select_from(subscriptions).where(subscriptions.c.active == 1)
        with self.store.reading() as connection:
            return int(connection.execute(query).scalar_one())

    def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its subscription and unsent digests move along."""
        with self.store.transaction() as connection:
            row = connection.execute(
                select(subscriptions.c.title, subscriptions.c.active, subscriptions.c.created_at)
                .where(subscriptions.c.chat_id == old_chat_id)
            ).first()
            if row is None:
                return
            now = _now().isoformat()
            statement = upsert(connection, subscriptions).values(
                chat_id=new_chat_id, chat_type="supergroup", title=row.title, active=row.active,
                created_at=row.created_at, updated_at=now,
            )
            connection.execute(statement.on_conflict_do_update(
                index_elements=[subscriptions.c.chat_id],
                set_={
                    "active": greatest(subscriptions.c.active, statement.excluded.active),
                    "updated_at": statement.excluded.updated_at,
                },
            ))
            connection.execute(
                subscriptions.update()
                .where(subscriptions.c.chat_id == old_chat_id)
                .values(active=0, ended_reason=f"migrated to {new_chat_id}", updated_at=now)
            )
            # the new chat's own deliveries of an issue win; the old chat's of other issues move
            has_it = select(deliveries.c.issue_id).where(deliveries.c.chat_id == new_chat_id)
            connection.execute(
                deliveries.update()
                .where(
                    deliveries.c.chat_id == old_chat_id,
                    deliveries.c.status.in_(_UNSENT),
                    deliveries.c.issue_id.not_in(has_it),
                )
                .values(chat_id=new_chat_id, status=DeliveryStatus.PENDING.value, next_attempt_at=None)
            )
            connection.execute(
                deliveries.update()
                .where(deliveries.c.chat_id == old_chat_id, deliveries.c.status.in_(_UNSENT))
                .values(status=DeliveryStatus.CANCELLED.value, last_error="migrated; the new chat has it")
            )

    # -- deliveries -------------------------------------------------------------------

    def recover(self) -> int:
        """Deliveries left claimed by a sender that no longer holds the sender lease (it
        died, or lost the lease) go back to pending (the part in flight may be sent again);
        those the live holder claimed are left to it. How many went back."""
        with self.store.transaction() as connection:
            live = live_holder(connection, LeaseName.SENDER)
            result = connection.execute(
                deliveries.update()
                .where(
                    deliveries.c.status == DeliveryStatus.SENDING.value,
                    or_(deliveries.c.claimed_by.is_(None), deliveries.c.claimed_by.not_in(live.scalar_subquery())),
                )
                .values(status=DeliveryStatus.PENDING.value, claimed_by=None)
            )
            return int(result.rowcount)

    def due(self, limit: int = 500) -> list[Delivery]:
        """Pending deliveries whose time has come, oldest first."""
        now = _now().isoformat()
        query = (
            select(*_DELIVERY_COLUMNS)
            .where(
                deliveries.c.status == DeliveryStatus.PENDING.value,
                or_(deliveries.c.next_attempt_at.is_(None), deliveries.c.next_attempt_at <= now),
            )
            .order_by(deliveries.c.delivery_id)
            .limit(limit)
        )
        with self.store.reading() as connection:
            return [_delivery(row) for row in connection.execute(query).mappings()]

    def next_due_in(self) -> float | None:
        """Seconds until the next pending delivery is due (0 when one is due now)."""
        query = select(func.min(func.coalesce(deliveries.c.next_attempt_at, ""))).where(
            deliveries.c.status == DeliveryStatus.PENDING.value
        )
        with self.store.reading() as connection:
            first = connection.execute(query).scalar_one_or_none()
        if first is None:
            return None
        if first == "":
            return 0.0
        return max(0.0, (datetime.fromisoformat(first) - _now()).total_seconds())

    def claim(self, delivery_id: int, by: str | None = None) -> bool:
        """Mark a delivery as being sent; False when another sender claimed or ended it, or
        (PostgreSQL) is claiming it right now: its row is locked, and skipped, not waited for.

        `by` is the sender lease holder claiming it: the claim is made only while the lease
        is still its own, and recorded. Without it the claim is unowned (`recover` puts it
        back whoever sends)."""
        claimed = (
            deliveries.update()
            .where(deliveries.c.delivery_id == delivery_id, deliveries.c.status == DeliveryStatus.PENDING.value)
            .values(
                status=DeliveryStatus.SENDING.value,
                attempts=deliveries.c.attempts + 1,
                first_attempt_at=func.coalesce(deliveries.c.first_attempt_at, _now().isoformat()),
                claimed_by=by,
            )
        )
        with self.store.transaction() as connection:
            if by is not None and not holds(connection, LeaseName.SENDER, by):
                return False
            if connection.dialect.name == "postgresql":
                free = connection.execute(
                    select(deliveries.c.delivery_id)
                    .where(deliveries.c.delivery_id == delivery_id, deliveries.c.status == DeliveryStatus.PENDING.value)
                    .with_for_update(skip_locked=True)
                ).first()
                if free is None:
                    return False
            return int(connection.execute(claimed).rowcount) == 1

    def abandon(self, delivery_id: int, by: str) -> bool:
        """A sender that lost the lease puts back a delivery it claimed and did not finish
        (its parts already sent stay recorded); False when it was not claimed by `by`."""
        with self.store.transaction() as connection:
            result = connection.execute(
                deliveries.update()
                .where(
                    deliveries.c.delivery_id == delivery_id,
                    deliveries.c.status == DeliveryStatus.SENDING.value,
                    deliveries.c.claimed_by == by,
                )
                .values(status=DeliveryStatus.PENDING.value, claimed_by=None)
            )
            return int(result.rowcount) == 1

    def part_sent(self, delivery_id: int, message_id: int) -> None:
        """Record one sent part, right after Telegram confirmed it."""
        with self.store.transaction() as connection:
            before = connection.execute(
                select(deliveries.c.message_ids).where(deliveries.c.delivery_id == delivery_id).with_for_update()
            ).scalar_one_or_none()
            ids = [*json.loads(before), message_id] if before is not None else [message_id]
            connection.execute(
                deliveries.update()
                .where(deliveries.c.delivery_id == delivery_id)
                .values(parts_sent=deliveries.c.parts_sent + 1, message_ids=json.dumps(ids))
            )

    def finish(self, delivery_id: int) -> None:
        self._set(delivery_id, status=DeliveryStatus.SENT.value, sent_at=_now().isoformat(), last_error=None)

    def retry_later(self, delivery_id: int, seconds: float, error: str) -> None:
        at = (_now() + timedelta(seconds=seconds)).isoformat()
        self._set(delivery_id, status=DeliveryStatus.PENDING.value, next_attempt_at=at, last_error=error[:500])

    def fail(self, delivery_id: int, error: str, status: DeliveryStatus = DeliveryStatus.FAILED) -> None:
        self._set(delivery_id, status=status.value, last_error=error[:500])

    def _set(self, delivery_id: int, **values: object) -> None:
        with self.store.transaction() as connection:
            connection.execute(deliveries.update().where(deliveries.c.delivery_id == delivery_id).values(**values))

    def deliveries(self, issue_id: str | None = None) -> list[Delivery]:
        query = select(*_DELIVERY_COLUMNS).order_by(deliveries.c.delivery_id)
        if issue_id is not None:
            query = query.where(deliveries.c.issue_id == issue_id)
        with self.store.reading() as connection:
            return [_delivery(row) for row in connection.execute(query).mappings()]
