"""How updates leave the server: getUpdates long polling, webhooks and their delivery."""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from ._core import DEFAULT_ALLOWED_UPDATES, ServerCore
from ._http import Connection
from ._models import JSON, BotApiError, Dropped, Reply, update_type
from ._params import Params

_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class UpdateDelivery(ServerCore):
    """getUpdates, setWebhook, deleteWebhook, getWebhookInfo, and the webhook sender."""

    def post_update_to(
        self, url: str, update: Mapping[str, Any], secret_token: str | None = None, timeout: float = 5.0
    ) -> int:
        """POST ``update`` to a webhook the way Telegram does; the HTTP status.

        Blocking: from a coroutine use :meth:`post_update_to_async`, or the bot's webhook
        server (running in the same event loop) cannot answer.
        """
        with httpx.Client(trust_env=False, timeout=timeout) as client:
            body, headers = self._webhook_body(update), self._webhook_headers(secret_token)
            return client.post(url, content=body, headers=headers).status_code

    async def post_update_to_async(
        self, url: str, update: Mapping[str, Any], secret_token: str | None = None, timeout: float = 5.0
    ) -> int:
        async with httpx.AsyncClient(trust_env=False, timeout=timeout) as client:
            body, headers = self._webhook_body(update), self._webhook_headers(secret_token)
            return (await client.post(url, content=body, headers=headers)).status_code

    @staticmethod
    def _webhook_body(update: Mapping[str, Any]) -> bytes:
        return json.dumps(update, ensure_ascii=False).encode("utf-8")

    @staticmethod
    def _webhook_headers(secret_token: str | None) -> dict[str, str]:
        # python-telegram-bot's webhook answers 403 unless the type is exactly this.
        headers = {"Content-Type": "application/json"}
        if secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        return headers

    def _deliver_loop(self) -> None:
        """While a webhook on this machine is set, deliver queued updates to it in order."""
        client: httpx.Client | None = None
        try:
            while not self._stopping.is_set():
                with self._cond:
                    target = self._next_delivery()
                    if target is None:
                        self._cond.wait(0.1)
                        continue
                url, secret, update = target
                if client is None:
                    client = httpx.Client(trust_env=False, timeout=5.0)
                error: str | None = None
                try:
                    body, headers = self._webhook_body(update), self._webhook_headers(secret)
                    response = client.post(url, content=body, headers=headers)
                    if not response.is_success:
                        error = f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
                except httpx.TimeoutException:
                    error = "Read timeout expired"
                except httpx.HTTPError:
                    error = "Connection refused"
                with self._cond:
                    if error is None:
                        if self._updates and self._updates[0] is update:
                            self._updates.popleft()
                        self._cond.notify_all()
                    else:
                        self._webhook_error = (int(time.time()), error)
                if error is not None:
                    self._stopping.wait(self.webhook_retry_interval)
        finally:
            if client is not None:
                client.close()

    def _next_delivery(self) -> tuple[str, str | None, JSON] | None:
        webhook = self._webhook
        if webhook is None or urlsplit(webhook["url"]).hostname not in _LOCAL_HOSTS:
            return None
        allowed = webhook.get("allowed") or DEFAULT_ALLOWED_UPDATES
        while self._updates and update_type(self._updates[0]) not in allowed:
            self._updates.popleft()
        if not self._updates:
            return None
        return webhook["url"], webhook.get("secret_token"), self._updates[0]

    def _m_get_updates(self, params: Params, connection: Connection) -> list[JSON]:
        offset = params.get_int("offset")
        limit = min(max(params.get_int("limit") or 100, 1), 100)
        timeout = max(params.get_float("timeout") or 0.0, 0.0)
        allowed = params.get_json("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
                raise BotApiError.bad_request("can't parse allowed updates JSON object")
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        if self._webhook is not None:
            raise BotApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._poll_generation += 1
        generation = self._poll_generation
        deadline = time.monotonic() + timeout
        while True:
            if offset is not None and offset < 0:
                while len(self._updates) > -offset:
                    self._updates.popleft()
            elif offset is not None:
                while self._updates and self._updates[0]["update_id"] < offset:
                    self._updates.popleft()
            batch = [u for u in self._updates if update_type(u) in self._allowed_updates][:limit]
            if batch:
                return copy.deepcopy(batch)
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._stopping.is_set():
                return []
            if generation != self._poll_generation:
                raise BotApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if connection.peer_closed():
                raise Dropped
            self._cond.wait(min(remaining, 0.05))

    def _m_set_webhook(self, params: Params, connection: Connection) -> Reply:
        url = (params.get_str("url") or "").strip()
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        if not url:
            return self._m_delete_webhook(params, connection)
        parts = urlsplit(url)
        if not self.allow_http_webhooks:
            if parts.scheme != "https":
                raise BotApiError.bad_request("bad webhook: An HTTPS URL must be provided for webhook")
            if (parts.port or 443) not in (443, 80, 88, 8443):
                raise BotApiError.bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        elif parts.scheme not in ("http", "https") or not parts.hostname:
            raise BotApiError.bad_request("bad webhook: Failed to resolve host: Name or service not known")
        secret = params.get_str("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise BotApiError.bad_request("secret token contains unallowed characters")
        max_connections = params.get_int("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise BotApiError.bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = params.get_json("allowed_updates")
        if allowed is not None and (not isinstance(allowed, list) or not all(isinstance(k, str) for k in allowed)):
            raise BotApiError.bad_request("can't parse allowed updates JSON object")
        same = self._webhook is not None and self._webhook["url"] == url
        self._webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": max_connections,
            "allowed_updates": allowed,
            "allowed": frozenset(allowed) if allowed else None,
            "ip_address": params.get_str("ip_address"),
            "has_custom_certificate": "certificate" in params.raw,
        }
        self._webhook_error = None
        self._cond.notify_all()
        return Reply(True, "Webhook is already set" if same else "Webhook was set")

    def _m_delete_webhook(self, params: Params, connection: Connection) -> Reply:
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        existed = self._webhook is not None
        self._webhook = None
        self._webhook_error = None
        return Reply(True, "Webhook was deleted" if existed else "Webhook is already deleted")

    def _m_get_webhook_info(self, params: Params, connection: Connection) -> JSON:
        webhook = self._webhook
        info: JSON = {
            "url": "" if webhook is None else webhook["url"],
            "has_custom_certificate": bool(webhook and webhook["has_custom_certificate"]),
            "pending_update_count": len(self._updates),
        }
        if webhook is not None:
            info["max_connections"] = webhook["max_connections"]
            if webhook["ip_address"]:
                info["ip_address"] = webhook["ip_address"]
            if webhook["allowed_updates"]:
                info["allowed_updates"] = webhook["allowed_updates"]
            if self._webhook_error is not None:
                info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info
