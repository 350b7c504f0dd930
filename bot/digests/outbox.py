"""Subscriptions and the digest outbox, in the application's database.

A delivery row (issue, chat) is created in the transaction that stores the issue
(`Store.add_issue`). The sender claims a row, sends the digest part by part, and records
each part's message id as soon as Telegram returns it; so after a crash only the part in
flight can be sent twice, and nothing recorded as sent is sent again.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

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


def _now() -> datetime:
    return datetime.now(UTC)


def _delivery(row: tuple[object, ...]) -> Delivery:
    first = row[8]
    return Delivery(
        delivery_id=int(str(row[0])),
        issue_id=str(row[1]),
        chat_id=int(str(row[2])),
        status=DeliveryStatus(str(row[3])),
        parts_sent=int(str(row[4])),
        message_ids=tuple(json.loads(str(row[5]))),
        attempts=int(str(row[6])),
        first_attempt_at=datetime.fromisoformat(str(first)) if first else None,
    )


_DELIVERY_COLUMNS = (
    "delivery_id, issue_id, chat_id, status, parts_sent, message_ids, attempts, next_attempt_at, first_attempt_at"
)


class Outbox:
    """Subscriptions and deliveries; every change is its own committed statement."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    # -- subscriptions ----------------------------------------------------------------

    def subscribe(self, chat_id: int, chat_type: str, title: str | None) -> bool:
        """Start (or restart) a chat's subscription; False when it was already on."""
        now = _now().isoformat()
        current = self.subscription(chat_id)
        self.db.execute(
            "INSERT INTO subscriptions (chat_id, chat_type, title, active, created_at, updated_at) "
            "VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT(chat_id) DO UPDATE SET active = 1, chat_type = excluded.chat_type, "
            "title = excluded.title, updated_at = excluded.updated_at, ended_reason = NULL",
            (chat_id, chat_type, title, now, now),
        )
        return current is None or not current.active

    def unsubscribe(self, chat_id: int, reason: str = "unsubscribed") -> bool:
        """End a chat's subscription and drop its unsent digests; False when it was off."""
        current = self.subscription(chat_id)
        with self.store.transaction() as db:
            db.execute(
                "UPDATE subscriptions SET active = 0, ended_reason = ?, updated_at = ? WHERE chat_id = ?",
                (reason, _now().isoformat(), chat_id),
            )
            db.execute(
                "UPDATE deliveries SET status = 'cancelled', last_error = ? WHERE chat_id = ? AND status IN ('pending', 'sending')",
                (reason, chat_id),
            )
        return current is not None and current.active

    def subscription(self, chat_id: int) -> Subscription | None:
        row = self.db.execute(
            "SELECT chat_id, chat_type, title, active FROM subscriptions WHERE chat_id = ?", (chat_id,)
        ).fetchone()
        if row is None:
            return None
        return Subscription(chat_id=row[0], chat_type=row[1], title=row[2], active=bool(row[3]))

    def active_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM subscriptions WHERE active = 1").fetchone()[0])

    def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its subscription and unsent digests move along."""
        with self.store.transaction() as db:
            row = db.execute("SELECT chat_type, title, active, created_at FROM subscriptions WHERE chat_id = ?", (old_chat_id,)).fetchone()
            if row is None:
                return
            now = _now().isoformat()
            db.execute(
                "INSERT INTO subscriptions (chat_id, chat_type, title, active, created_at, updated_at) VALUES (?, 'supergroup', ?, ?, ?, ?) "
                "ON CONFLICT(chat_id) DO UPDATE SET active = MAX(subscriptions.active, excluded.active), updated_at = excluded.updated_at",
                (new_chat_id, row[1], row[2], row[3], now),
            )
            db.execute(
                "UPDATE subscriptions SET active = 0, ended_reason = ?, updated_at = ? WHERE chat_id = ?",
                (f"migrated to {new_chat_id}", now, old_chat_id),
            )
            db.execute(
                "UPDATE OR IGNORE deliveries SET chat_id = ?, status = 'pending', next_attempt_at = NULL "
                "WHERE chat_id = ? AND status IN ('pending', 'sending')",
                (new_chat_id, old_chat_id),
            )
            db.execute(
                "UPDATE deliveries SET status = 'cancelled', last_error = 'migrated; the new chat has it' "
                "WHERE chat_id = ? AND status IN ('pending', 'sending')",
                (old_chat_id,),
            )

    # -- deliveries -------------------------------------------------------------------

    def recover(self) -> int:
        """At start, under the sender lock: deliveries a crashed sender left claimed go back
        to pending (the part in flight may be sent again)."""
        cursor = self.db.execute("UPDATE deliveries SET status = 'pending' WHERE status = 'sending'")
        return cursor.rowcount

    def due(self, limit: int = 500) -> list[Delivery]:
        """Pending deliveries whose time has come, oldest first."""
        now = _now().isoformat()
        rows = self.db.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE status = 'pending' "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY delivery_id LIMIT ?",
            (now, limit),
        ).fetchall()
        return [_delivery(tuple(r)) for r in rows]

    def next_due_in(self) -> float | None:
        """Seconds until the next pending delivery is due (0 when one is due now)."""
        row = self.db.execute(
            "SELECT MIN(COALESCE(next_attempt_at, '')) FROM deliveries WHERE status = 'pending'"
        ).fetchone()
        if row is None or row[0] is None:
            return None
        if row[0] == "":
            return 0.0
        return max(0.0, (datetime.fromisoformat(row[0]) - _now()).total_seconds())

    def claim(self, delivery_id: int) -> bool:
        """Mark a delivery as being sent; False when another claimed or ended it."""
        cursor = self.db.execute(
            "UPDATE deliveries SET status = 'sending', attempts = attempts + 1, "
            "first_attempt_at = COALESCE(first_attempt_at, ?) WHERE delivery_id = ? AND status = 'pending'",
            (_now().isoformat(), delivery_id),
        )
        return cursor.rowcount == 1

    def part_sent(self, delivery_id: int, message_id: int) -> None:
        """Record one sent part, right after Telegram confirmed it."""
        row = self.db.execute("SELECT message_ids FROM deliveries WHERE delivery_id = ?", (delivery_id,)).fetchone()
        ids = [*json.loads(row[0]), message_id] if row else [message_id]
        self.db.execute(
            "UPDATE deliveries SET parts_sent = parts_sent + 1, message_ids = ? WHERE delivery_id = ?",
            (json.dumps(ids), delivery_id),
        )

    def finish(self, delivery_id: int) -> None:
        self.db.execute(
            "UPDATE deliveries SET status = 'sent', sent_at = ?, last_error = NULL WHERE delivery_id = ?",
            (_now().isoformat(), delivery_id),
        )

    def retry_later(self, delivery_id: int, seconds: float, error: str) -> None:
        at = (_now() + timedelta(seconds=seconds)).isoformat()
        self.db.execute(
            "UPDATE deliveries SET status = 'pending', next_attempt_at = ?, last_error = ? WHERE delivery_id = ?",
            (at, error[:500], delivery_id),
        )

    def fail(self, delivery_id: int, error: str, status: DeliveryStatus = DeliveryStatus.FAILED) -> None:
        self.db.execute(
            "UPDATE deliveries SET status = ?, last_error = ? WHERE delivery_id = ?",
            (status.value, error[:500], delivery_id),
        )

    def deliveries(self, issue_id: str | None = None) -> list[Delivery]:
        query = f"SELECT {_DELIVERY_COLUMNS} FROM deliveries"
        params: tuple[str, ...] = ()
        if issue_id is not None:
            query += " WHERE issue_id = ?"
            params = (issue_id,)
        return [_delivery(tuple(r)) for r in self.db.execute(query + " ORDER BY delivery_id", params)]
