"""The Telegram application: built in one place, long-lived parts opened in post_init and
closed in post_shutdown, run by long polling or by webhook (with a secret, always).

Of the processes on one database, only the holder of the polling lease calls getUpdates
(Telegram allows one consumer); the others stand by and take over when it stops or dies.
In webhook mode every process answers the updates it is given. Either way every update is
stored before Telegram is told it arrived, and one a process left unhandled when it died
is handled by another (see `journal` and `polling`); only the holder of the sender lease
sends digests (see `poller`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.redaction import protect
from bot.settings import Settings
from bot.storage.leases import LeaseName
from retrieval import Segmenter

from . import handlers
from .botdata import BotData
from .compose import BotParts, compose_bot
from .leadership import LeaseKeeper
from .ordering import ChatOrderedUpdates
from .poller import Poller
from .polling import LongPolling
from .webhook import WebhookServer, webhook_secret

log = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("start", "开始使用"),
    BotCommand("help", "怎么提问"),
    BotCommand("ask", "提问：/ask 问题"),
    BotCommand("find", "查找报道：/find 词 区:密云 记者:王路曼 期:001 日期:2024-07"),
    BotCommand("article", "看报道全文：/article 编号"),
    BotCommand("subscribe", "订阅新一期摘要"),
    BotCommand("unsubscribe", "退订新一期摘要"),
    BotCommand("status", "订阅状态"),
    BotCommand("stats", "统计（管理员）"),
]


def file_url(api_url: str) -> str:
    """The Bot API file URL beside its method URL (…/bot -> …/file/bot)."""
    return api_url[: -len("bot")] + "file/bot" if api_url.endswith("/bot") else api_url.rstrip("/") + "/file/bot"


def build_application(settings: Settings, segmenter: Segmenter | None = None) -> Application:  # type: ignore[type-arg]
    """The bot with every handler registered; its parts are built in post_init by
    `compose_bot` (`segmenter` may be given: tests share one)."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    token = settings.telegram_bot_token.get_secret_value()
    processor = ChatOrderedUpdates(settings.max_concurrent_updates)

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        data: BotData = app.bot_data
        parts = await asyncio.to_thread(compose_bot, settings, app.bot, segmenter)
        data.parts = parts
        processor.journal = parts.journal
        recover_into = app.update_queue if settings.webhook_url else None  # with long polling, the poller does
        data.journal_task = asyncio.get_running_loop().create_task(
            parts.journal.run(recover_into, app.bot), name="update journal"
        )
        await app.bot.set_my_commands(COMMANDS)
        data.poller = Poller(
            settings, parts.library, parts.inbox, parts.inbox_lock, parts.feeds, parts.outbox, parts.sender,
            parts.sender_lease, parts.workers,
        )
        parts.sender_lease.start()
        data.poller_task = asyncio.get_running_loop().create_task(data.poller.run(), name="poller")
        data.watch_task = asyncio.get_running_loop().create_task(parts.corpus_watch.run(), name="corpus watch")
        data.records_task = asyncio.get_running_loop().create_task(parts.record_writer.run(), name="record writer")
        log.info("serving as @%s over %d passages", app.bot.username, len(parts.library.corpus))

    async def post_stop(app: Application) -> None:  # type: ignore[type-arg]
        data: BotData = app.bot_data
        tasks = [data.poller_task, data.watch_task, data.journal_task, data.records_task]  # what records are left: parts.close
        data.poller_task = data.watch_task = data.journal_task = data.records_task = None
        for task in tasks:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        data.poller = None
        if data.parts is not None:
            await data.parts.journal.close()  # every update handled is recorded as such
            await data.parts.sender_lease.close()  # another process sends from now on

    async def post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
        data: BotData = app.bot_data
        parts, data.parts = data.parts, None
        if parts is not None:
            await asyncio.to_thread(parts.close)

    app = (
        Application.builder()
        .token(token)
        .context_types(ContextTypes(bot_data=BotData))
        .base_url(settings.telegram_api_url)
        .base_file_url(file_url(settings.telegram_api_url))
        .request(
            HTTPXRequest(
                connection_pool_size=16,
                connect_timeout=min(10.0, settings.telegram_timeout_seconds),
                read_timeout=settings.telegram_timeout_seconds,
                write_timeout=settings.telegram_timeout_seconds,
            )
        )
        .get_updates_request(HTTPXRequest(connect_timeout=10, read_timeout=40))
        .rate_limiter(AIORateLimiter(overall_max_rate=30, group_max_rate=18, max_retries=3))
        .concurrent_updates(processor)
        .updater(None)  # long polling is ours (see `polling`), the webhook server too
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    register(app)
    return app


def register(app: Application) -> None:  # type: ignore[type-arg]
    """All handlers, in one place."""
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    app.add_handler(CommandHandler("start", handlers.start))
    app.add_handler(CommandHandler("help", handlers.help_command))
    app.add_handler(CommandHandler("ask", handlers.ask_command))
    app.add_handler(CommandHandler("find", handlers.find_command))
    app.add_handler(CommandHandler("article", handlers.article_command))
    app.add_handler(CommandHandler("stats", handlers.stats_command))
    app.add_handler(CommandHandler("subscribe", handlers.subscribe_command))
    app.add_handler(CommandHandler("unsubscribe", handlers.unsubscribe_command))
    app.add_handler(CommandHandler("status", handlers.status_command))
    app.add_handler(ChatMemberHandler(handlers.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, handlers.migration))
    app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, handlers.private_text))
    app.add_handler(
        MessageHandler(groups & filters.TEXT & ~filters.COMMAND & handlers.MentionsOrRepliesToBot(), handlers.group_text)
    )
    app.add_handler(CallbackQueryHandler(handlers.button))
    app.add_handler(InlineQueryHandler(handlers.inline_query))
    app.add_error_handler(handlers.on_error)


class ServeError(Exception):
    """The bot cannot start (token refused, Bot API unreachable, port taken): one line."""


def serve(settings: Settings, segmenter: Segmenter | None = None) -> int:
    """Run the bot until SIGINT or SIGTERM: webhook when UNIONBOT_WEBHOOK_URL is set, else
    long polling. Start-up failures are raised as ServeError, the token never in them.
    `segmenter` may be given to share one (see `build_application`)."""
    redactor = protect([s.get_secret_value() for s in (settings.telegram_bot_token, settings.webhook_secret) if s])
    app = build_application(settings, segmenter)
    try:
        asyncio.run(run(app, settings))
    except InvalidToken:
        raise ServeError("the Bot API refused TELEGRAM_BOT_TOKEN (revoked or mistyped? check it with @BotFather)") from None
    except NetworkError as exc:  # TimedOut included
        where = urlsplit(settings.telegram_api_url)
        raise ServeError(f"cannot reach the Bot API at {where.scheme}://{where.netloc}: {redactor(str(exc))}") from None
    except OSError as exc:  # the webhook port
        raise ServeError(f"cannot listen for the webhook: {redactor(str(exc))}") from None
    return 0


async def run(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """Start the application, take updates (long polling, or the webhook server with a
    secret registered by setWebhook) until SIGINT or SIGTERM, then stop it in order."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    server: WebhookServer | None = None
    try:
        await app.initialize()
        if app.post_init is not None:
            await app.post_init(app)
        data: BotData = app.bot_data
        if data.parts is None:
            raise RuntimeError("the bot's parts were not built")
        if settings.webhook_url:
            secret = webhook_secret(settings)
            protect([secret])
            server = WebhookServer(app, settings, secret, data.parts.journal)
            server.start()
            await app.bot.set_webhook(settings.webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES)
        await app.start()
        if server is None:
            data.poll_lease = polling_lease(app, data.parts, settings)
            data.poll_lease.start()
        await stopping.wait()
    finally:
        poll_lease, app.bot_data.poll_lease = app.bot_data.poll_lease, None
        if poll_lease is not None:
            await poll_lease.close()  # stops polling; another process polls from now on
        if server is not None:
            await server.stop()
        if app.running:  # handles what was received (its claims renewed meanwhile), then stops
            await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


def polling_lease(app: Application, parts: BotParts, settings: Settings) -> LeaseKeeper:  # type: ignore[type-arg]
    """The polling lease: long polling runs while this process holds it."""
    polling = LongPolling(app.bot, app.update_queue, parts.journal, settings.lease_seconds)
    return LeaseKeeper(
        parts.leases, LeaseName.POLLER, settings.lease_seconds, on_gain=polling.start, on_loss=polling.stop
    )
