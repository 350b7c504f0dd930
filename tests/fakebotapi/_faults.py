"""Injected failures: error answers, delays and dropped connections for the next calls."""

from __future__ import annotations

from collections import deque
from http import HTTPStatus

from ._core import ServerCore
from ._http import Connection
from ._models import JSON, BotApiError, Fault


class FaultInjection(ServerCore):
    """Queues of :class:`Fault` by method, used by the next calls in order."""

    def fail_next(
        self,
        method: str | None = None,
        *,
        status: int | None = None,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        timeout: float | None = None,
        drop: bool = False,
        body: bytes | None = None,
        times: int = 1,
    ) -> None:
        """Queue a fault for the next ``times`` calls of ``method`` (any method but getUpdates
        when ``None``; name getUpdates to break polling).  Faults are used in order.

        * ``status``: answer with this error; the description defaults to Telegram's wording
          ("Too Many Requests: retry after N" for 429, "Bad Gateway" for 502, ...).
        * ``retry_after``: implies 429, sent as ``parameters.retry_after``.
        * ``migrate_to_chat_id``: implies 400, sent as ``parameters.migrate_to_chat_id``.
        * ``timeout``: wait so many seconds before answering, so that the client times out;
          without ``status`` the request is then carried out as usual (the message is sent
          although the bot saw a timeout, as happens with Telegram).
        * ``drop``: close the connection without any answer; the request is not carried out.
        * ``body``: raw bytes to answer with instead of JSON (e.g. a proxy's HTML error page).
        """
        if retry_after is not None and status is None:
            status = 429
        if migrate_to_chat_id is not None and status is None:
            status = 400
        if body is not None and status is None:
            status = 502
        fault = Fault(status, description, retry_after, migrate_to_chat_id, timeout or 0.0, drop, body)
        key = method.lower() if method else None
        with self._lock:
            self._faults.setdefault(key, deque()).extend([fault] * times)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def hold(self, method: str) -> None:
        """Keep every later call of ``method`` waiting, neither answered nor carried out,
        until :meth:`release`.  A call whose client goes away meanwhile (it closed the
        connection, or its process died) is dropped without being carried out, as a request
        that never reached Telegram."""
        with self._cond:
            self._held.add(method.lower())

    def release(self, method: str) -> None:
        """Let the held calls of ``method`` (and later ones) go on."""
        with self._cond:
            self._held.discard(method.lower())
            self._cond.notify_all()

    def _wait_while_held(self, method: str, connection: Connection) -> bool:
        """Wait while ``method`` is held; False when the client went away (or the server stops)."""
        with self._cond:
            while method.lower() in self._held:
                if self._stopping.is_set() or connection.peer_closed():
                    return False
                self._cond.wait(0.02)
        return True

    def _take_fault(self, method: str) -> Fault | None:
        for key in (method.lower(), None):
            if key is None and method == "getUpdates":
                continue
            queue = self._faults.get(key)
            if queue:
                return queue.popleft()
        return None

    @staticmethod
    def _fault_error(fault: Fault) -> BotApiError:
        status = fault.status or 500
        parameters: JSON = {}
        if status == 429:
            parameters["retry_after"] = fault.retry_after if fault.retry_after is not None else 1
        if fault.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = fault.migrate_to_chat_id
        description = fault.description
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {parameters['retry_after']}"
            elif fault.migrate_to_chat_id is not None:
                description = "Bad Request: group chat was upgraded to a supergroup chat"
            else:
                try:
                    description = HTTPStatus(status).phrase
                except ValueError:
                    description = "Unknown error"
        return BotApiError(status, description, parameters or None)
