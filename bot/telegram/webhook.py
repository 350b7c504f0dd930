"""The webhook: an HTTP server in front of the application's update queue.

Every request must carry the secret registered with setWebhook in
`X-Telegram-Bot-Api-Secret-Token`, compared in constant time; without
UNIONBOT_WEBHOOK_SECRET a random one is made at each start and registered, so webhook mode
never runs without one. Only JSON POSTs at the webhook URL's path are taken, at most
MAX_UPDATE_BYTES each. An update is stored (`journal`) before Telegram gets its 200, so
that another process handles it if this one dies first; one stored before is not queued
again. (python-telegram-bot's own webhook server compares the secret with
`!=` and logs a wrong one, hence this one, on the same tornado it brings.)
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.ext import Application, ExtBot

from bot.settings import Settings

from .journal import DATABASE_ERRORS, UpdateJournal

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1_000_000


def webhook_secret(settings: Settings) -> str:
    """The configured secret, or a new random one (256 bits, Telegram's alphabet)."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    return secrets.token_urlsafe(32)


def webhook_path(settings: Settings) -> str:
    """The path of UNIONBOT_WEBHOOK_URL, where the server takes updates."""
    return "/" + urlsplit(settings.webhook_url or "").path.strip("/")


class UpdateHandler(tornado.web.RequestHandler):
    """Takes one update: the secret first, then the body."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, app: Application, secret: bytes, journal: UpdateJournal) -> None:  # type: ignore[type-arg]
        self.app = app
        self.secret = secret
        self.journal = journal

    async def post(self) -> None:
        """Refuse without the secret (403), then parse, store and queue the update: Telegram
        gets 200 once it is stored (an update stored before is not queued again), 503 when
        it cannot be (Telegram sends it again later)."""
        given = self.request.headers.get(SECRET_HEADER, "").encode("latin-1", "replace")
        if not hmac.compare_digest(given, self.secret):
            log.info("refused a webhook request without the right secret from %s", self.request.remote_ip)
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        media_type = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            raise tornado.web.HTTPError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
        try:
            data: Any = json.loads(self.request.body)
        except ValueError:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        if not isinstance(data, dict):
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        try:
            update = Update.de_json(data, self.app.bot)
        except Exception:  # noqa: BLE001 (whatever a malformed update raises, it is refused)
            log.warning("refused a webhook update that could not be read", exc_info=True)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        if isinstance(self.app.bot, ExtBot):
            self.app.bot.insert_callback_data(update)
        try:
            taken = await self.journal.receive([update])
        except DATABASE_ERRORS as exc:
            log.warning("could not store update %d; Telegram is to send it again: %s", update.update_id, exc)
            raise tornado.web.HTTPError(HTTPStatus.SERVICE_UNAVAILABLE) from None
        for fresh in taken:
            await self.app.update_queue.put(fresh)
        self.set_status(HTTPStatus.OK)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """No traceback and no page: the status says it."""
        self.finish()


class WebhookServer:
    """The HTTP server, listening on UNIONBOT_WEBHOOK_LISTEN:UNIONBOT_WEBHOOK_PORT."""

    def __init__(self, app: Application, settings: Settings, secret: str, journal: UpdateJournal) -> None:  # type: ignore[type-arg]
        routes = [(re.escape(webhook_path(settings)), UpdateHandler,
                   {"app": app, "secret": secret.encode(), "journal": journal})]
        web = tornado.web.Application(routes, log_function=lambda handler: None)
        self._server = tornado.httpserver.HTTPServer(web, max_body_size=MAX_UPDATE_BYTES)
        self._settings = settings

    def start(self) -> None:
        self._server.listen(self._settings.webhook_port, address=self._settings.webhook_listen)
        log.info(
            "webhook server on %s:%d%s",
            self._settings.webhook_listen,
            self._settings.webhook_port,
            webhook_path(self._settings),
        )

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()
