"""Updates from Telegram, kept from when they are received until they are handled, so that
none is lost when the process handling it dies.

An update is stored before Telegram is told it arrived (with long polling, before the
getUpdates offset that confirms its batch; with a webhook, before the HTTP answer), claimed
by the process that received it. That process renews its claims while it handles them
(`renew`, every third of a term) and records each one handled (`handled`). An update whose
claim was not renewed for a term (its process died, or lost the database) is taken over by
another process (`recover`), which handles it in its turn. An update stored before is
never stored again (`receive` says which were new), nor taken over once handled, so an
update Telegram delivers twice is handled once.

Times are seconds since the epoch by the database's own clock (`dialects.clock`), as the
leases'. Handled rows are kept for a while (`prune`), since Telegram may deliver again an
update whose batch it was never told arrived: for at most 24 hours.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, func, select

from .dialects import clock, upsert
from .schema import updates
from .store import Store

CHUNK = 500
"""Ids named in one statement."""


class StoredUpdate(BaseModel):
    """An update as stored: its id and its JSON, as Telegram sent it."""

    model_config = ConfigDict(frozen=True)

    update_id: int
    payload: str


def _chunks(ids: Iterable[int]) -> list[list[int]]:
    listed = sorted(set(ids))
    return [listed[i:i + CHUNK] for i in range(0, len(listed), CHUNK)]


class Updates:
    """The updates table; every call is its own committed transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def receive(self, received: Sequence[StoredUpdate], claimant: str) -> list[int]:
        """Store the updates, claimed by `claimant`; the ids of those stored now (an update
        stored before is left as it is, whoever claims it and whether it was handled)."""
        if not received:
            return []
        with self.store.transaction() as connection:
            now = clock(connection)
            rows = [
                {"update_id": u.update_id, "payload": u.payload, "received_at": now, "claimed_by": claimant,
                 "claimed_at": now}
                for u in received
            ]
            statement = (
                upsert(connection, updates).values(rows)
                .on_conflict_do_nothing(index_elements=[updates.c.update_id])
                .returning(updates.c.update_id)
            )
            return sorted(int(i) for i in connection.execute(statement).scalars())

    def known(self, ids: Iterable[int]) -> set[int]:
        """Which of these updates are stored already (a read: it never waits for a writer)."""
        found: set[int] = set()
        for chunk in _chunks(ids):
            with self.store.reading() as connection:
                query = select(updates.c.update_id).where(updates.c.update_id.in_(chunk))
                found.update(int(i) for i in connection.execute(query).scalars())
        return found

    def renew(self, claimant: str, ids: Iterable[int]) -> list[int]:
        """Renew `claimant`'s claims on these updates; the ids still claimed by it and not
        handled (the others were taken over, or recorded as handled)."""
        renewed: list[int] = []
        for chunk in _chunks(ids):
            with self.store.transaction() as connection:
                statement = (
                    updates.update()
                    .where(updates.c.update_id.in_(chunk), updates.c.claimed_by == claimant,
                           updates.c.handled_at.is_(None))
                    .values(claimed_at=clock(connection))
                    .returning(updates.c.update_id)
                )
                renewed.extend(int(i) for i in connection.execute(statement).scalars())
        return sorted(renewed)

    def recover(self, claimant: str, term: float, limit: int = 100) -> list[StoredUpdate]:
        """Take over (for `claimant`) the updates not handled whose claim was not renewed
        for `term` seconds, oldest first; on PostgreSQL, rows another process is taking
        over at this moment are skipped, not waited for."""
        with self.store.transaction() as connection:
            now = clock(connection)
            stale = (updates.c.handled_at.is_(None), updates.c.claimed_at <= now - term)
            found = select(updates.c.update_id).where(*stale).order_by(updates.c.update_id).limit(limit)
            if connection.dialect.name == "postgresql":
                found = found.with_for_update(skip_locked=True)
            ids = list(connection.execute(found).scalars())
            if not ids:
                return []
            taken = connection.execute(
                updates.update()
                .where(updates.c.update_id.in_(ids), *stale)
                .values(claimed_by=claimant, claimed_at=now)
                .returning(updates.c.update_id, updates.c.payload)
            ).all()
        return sorted((StoredUpdate(update_id=int(r.update_id), payload=str(r.payload)) for r in taken),
                      key=lambda u: u.update_id)

    def open_elsewhere(self, claimant: str) -> int:
        """How many updates other claimants hold and have not handled (yet)."""
        with self.store.reading() as connection:
            count = connection.execute(
                select(func.count()).select_from(updates)
                .where(updates.c.handled_at.is_(None), updates.c.claimed_by != claimant)
            ).scalar_one()
        return int(count)

    def handled(self, ids: Iterable[int]) -> None:
        """Record the updates as handled (those already recorded keep their time)."""
        for chunk in _chunks(ids):
            with self.store.transaction() as connection:
                connection.execute(
                    updates.update()
                    .where(updates.c.update_id.in_(chunk), updates.c.handled_at.is_(None))
                    .values(handled_at=clock(connection))
                )

    def prune(self, seconds: float) -> int:
        """Delete the updates handled more than `seconds` ago; how many."""
        with self.store.transaction() as connection:
            done = delete(updates).where(updates.c.handled_at <= clock(connection) - seconds)
            return int(connection.execute(done).rowcount)
