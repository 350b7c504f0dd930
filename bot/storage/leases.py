"""Leases: which of the processes sharing the database does something only one may do
(poll Telegram, send digests). A lease is one row: its holder and when it expires, by
the database's own clock (`dialects.clock`), so hosts whose clocks differ still agree.

`acquire` takes a free or expired lease, or renews the caller's own, in one statement
(an INSERT … ON CONFLICT DO UPDATE whose WHERE lets only those two cases through), so two
processes never both take it. A holder renews well within the term; when it dies, its
lease runs out and another takes it. `release` ends a holding at once (a clean stop).

`holds` is the fence: checked in the transaction of what is done under the lease (a
digest claim), so that a process whose lease ran out, however slow it was to notice,
does nothing more in the lease's name; `live_holder` tells the others who holds it.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, Select, case, select

from .dialects import clock, upsert
from .schema import leases
from .store import Store


class LeaseName(StrEnum):
    POLLER = "poller"  # calls getUpdates (Telegram allows one consumer)
    SENDER = "sender"  # claims and sends digests, polls the feeds


class LeaseState(BaseModel):
    """A lease as the database saw it: who holds it (None: nobody, or the holding ran out)
    and how many seconds of that holding are left."""

    model_config = ConfigDict(frozen=True)

    name: str
    holder: str | None
    remaining: float


class Leases:
    """The leases table; every call is its own committed transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def acquire(self, name: str, holder: str, seconds: float) -> LeaseState:
        """Take the lease for `seconds` if it is free or expired, or renew it if `holder`
        has it; the state after (held when its holder is `holder`)."""
        with self.store.transaction() as connection:
            now = clock(connection)
            statement = upsert(connection, leases).values(
                name=name, holder=holder, acquired_at=now, expires_at=now + seconds
            )
            renewing = leases.c.holder == statement.excluded.holder
            connection.execute(statement.on_conflict_do_update(
                index_elements=[leases.c.name],
                set_={
                    "holder": statement.excluded.holder,
                    "acquired_at": case((renewing, leases.c.acquired_at), else_=statement.excluded.acquired_at),
                    "expires_at": statement.excluded.expires_at,
                },
                where=renewing | (leases.c.expires_at <= statement.excluded.acquired_at),
            ))
            return self._state(connection, name)

    def release(self, name: str, holder: str) -> bool:
        """End `holder`'s holding now, so another process may take the lease at once;
        False when it did not hold it."""
        with self.store.transaction() as connection:
            now = clock(connection)
            result = connection.execute(
                leases.update()
                .where(leases.c.name == name, leases.c.holder == holder, leases.c.expires_at > now)
                .values(expires_at=now)
            )
            return int(result.rowcount) == 1

    def state(self, name: str) -> LeaseState:
        with self.store.reading() as connection:
            return self._state(connection, name)

    def _state(self, connection: Connection, name: str) -> LeaseState:
        row = connection.execute(
            select(leases.c.holder, (leases.c.expires_at - clock(connection)).label("remaining"))
            .where(leases.c.name == name)
        ).first()
        if row is None or row.remaining <= 0:
            return LeaseState(name=name, holder=None, remaining=0.0)
        return LeaseState(name=name, holder=str(row.holder), remaining=float(row.remaining))


def live_holder(connection: Connection, name: str) -> Select[tuple[str]]:
    """The holder of the lease while its holding lasts (no row when nobody holds it)."""
    return select(leases.c.holder).where(leases.c.name == name, leases.c.expires_at > clock(connection))


def holds(connection: Connection, name: str, holder: str) -> bool:
    """Whether `holder` holds the lease now. On PostgreSQL its row is then locked FOR SHARE
    until the caller's transaction ends, so nobody takes the lease over before what the
    caller does under it is committed (SQLite's writers are one at a time anyway)."""
    fenced = live_holder(connection, name).where(leases.c.holder == holder).with_for_update(read=True)
    return connection.execute(fenced).first() is not None
