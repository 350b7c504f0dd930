"""Telegram handlers: read the update, call the service once, reply. Nothing else."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Chat, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ContextTypes, filters

from . import render
from .render import Reply
from .service import Asker, BotService

log = logging.getLogger(__name__)

T = TypeVar("T")
SEND_ATTEMPTS = 4
_CALLBACK = re.compile(r"^([agmfpx]):([^:]{1,40})(?::(-?\d{1,4}))?$")


def service(context: ContextTypes.DEFAULT_TYPE) -> BotService:
    """The bot's service, built in post_init."""
    found = context.bot_data.get("service")
    if not isinstance(found, BotService):
        raise RuntimeError("the bot service is not running")
    return found


def asker_of(update: Update) -> Asker:
    user = update.effective_user
    chat = update.effective_chat
    return Asker(
        user_id=user.id if user else None,
        chat_id=chat.id if chat else None,
        chat_type=chat.type if chat else None,
        language=user.language_code if user else None,
        first_name=user.first_name if user else None,
    )


async def retrying(send: Callable[[], Awaitable[T]]) -> T:
    """Send, retrying network errors and timeouts with backoff (flood waits are the
    rate limiter's; bad requests and refusals are not retried)."""
    delay = 0.5
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            return await send()
        except RetryAfter:
            raise
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, (BadRequest, Forbidden)) or attempt == SEND_ATTEMPTS:
                raise
            log.warning("send failed (%s), retry %d in %.1fs", exc, attempt, delay)
            await asyncio.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


async def reply_to(message: Message, reply: Reply | None, quote: bool = False) -> Message | None:
    if reply is None:
        return None
    return await retrying(
        lambda: message.reply_html(
            reply.text, reply_markup=reply.keyboard, do_quote=quote, disable_web_page_preview=True
        )
    )


def _replied_to_bot(message: Message) -> int | None:
    """The id of the bot's message this one replies to, if it replies to the bot."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != message.get_bot().id:
        return None
    return replied.message_id


async def answer_in_group(update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message, question: str) -> None:
    """Answer in a group, quoting the question; a reply to one of the bot's answers is a
    follow-up of it, and the answer sent is remembered for replies to it."""
    svc = service(context)
    reply = svc.ask(question, asker_of(update), reply_to=_replied_to_bot(message))
    sent = await reply_to(message, reply, quote=True)
    if sent is not None and reply is not None:
        svc.remember(message.chat.id, sent.message_id, reply)


def _text_after_command(message: Message) -> str:
    parts = (message.text or "").split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


def _in_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: what the bot does, with three example questions as buttons."""
    if update.effective_message:
        await reply_to(update.effective_message, service(context).start(asker_of(update)))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: how to ask, in private chats, groups and inline."""
    if update.effective_message:
        reply = service(context).help(context.bot.username, asker_of(update))
        await reply_to(update.effective_message, reply)


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask 问题 (also /ask@bot 问题): answer; an empty /ask gets usage help."""
    message = update.effective_message
    if message is None:
        return
    question = _text_after_command(message)
    if not question.strip():
        await reply_to(message, Reply(text=render.ASK_USAGE), quote=_in_group(update))
        return
    if _in_group(update):
        await answer_in_group(update, context, message, question)
    else:
        await reply_to(message, service(context).ask(question, asker_of(update)))


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any text in a private chat is a question."""
    message = update.effective_message
    if message is not None and message.text is not None:
        await reply_to(message, service(context).ask(message.text, asker_of(update)))


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group: a message that mentions the bot, or replies to it, is a question."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    mention = f"@{context.bot.username}"
    question = re.sub(re.escape(mention), " ", message.text, flags=re.IGNORECASE)
    if not question.strip():
        await reply_to(message, Reply(text=render.ASK_USAGE), quote=True)
        return
    await answer_in_group(update, context, message, question)


async def find_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/find 词 区:密云 记者:王路曼 期:001: matching articles, a page at a time."""
    message = update.effective_message
    if message is not None:
        await reply_to(message, service(context).find(_text_after_command(message), asker_of(update)))


async def article_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/article ID: the whole article."""
    message = update.effective_message
    if message is None:
        return
    article_id = _text_after_command(message).strip()
    if not article_id:
        await reply_to(message, Reply(text=render.ARTICLE_USAGE))
        return
    await reply_to(message, service(context).article(article_id, 0, asker_of(update)))


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats (administrators): users, questions, unanswered questions, feedback."""
    if update.effective_message:
        await reply_to(update.effective_message, service(context).stats(asker_of(update)))


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Buttons: a open an article, g turn its page, m more results, p find page,
    f feedback, x example question."""
    query = update.callback_query
    if query is None:
        return
    match = _CALLBACK.match(query.data or "")
    if match is None:
        await query.answer("这个按钮已失效。")
        return
    kind, key, number = match.group(1), match.group(2), int(match.group(3) or 0)
    svc, asker = service(context), asker_of(update)
    if kind == "f":
        await query.answer(svc.feedback(int(key), number, asker) if key.isdigit() else "这条反馈已失效。")
        return
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is None:
        return
    if kind == "a":
        await reply_to(message, svc.article(key, number, asker))
    elif kind == "x":
        await reply_to(message, svc.example(int(key), asker) if key.isdigit() else None)
    elif kind == "g":
        await _edit(message, svc.article(key, number, asker))
    elif key.isdigit():
        await _edit(message, svc.more(int(key), number, asker) if kind == "m" else svc.find_page(int(key), number, asker))


async def _edit(message: Message, reply: Reply | None) -> None:
    if reply is None:
        return
    try:
        await retrying(
            lambda: message.edit_text(
                reply.text, parse_mode="HTML", reply_markup=reply.keyboard, disable_web_page_preview=True
            )
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """@bot 问题 in any chat: cited answers to post."""
    query = update.inline_query
    if query is None:
        return
    results = service(context).inline(query.query, asker_of(update))
    await retrying(lambda: query.answer(results, cache_time=30, is_personal=True))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log with a traceback, and still tell the user something went wrong."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None and update.callback_query is None:
        try:
            await update.effective_message.reply_text(render.ERROR)
        except Exception:  # noqa: BLE001 (the error handler must not raise)
            log.warning("could not tell the user about the error", exc_info=True)
    elif isinstance(update, Update) and update.callback_query is not None:
        try:
            await update.callback_query.answer(render.ERROR)
        except Exception:  # noqa: BLE001
            log.warning("could not answer the button press", exc_info=True)


class MentionsOrRepliesToBot(filters.MessageFilter):
    """Messages that mention the bot by @username, or reply to one of its messages."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        username = (bot.username or "").lower()
        text = (message.text or "").lower()
        if username and f"@{username}" in text:
            return True
        replied = message.reply_to_message
        return replied is not None and replied.from_user is not None and replied.from_user.id == bot.id


async def may_change_subscription(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """In private chats anyone; in groups the creator and administrators, including an
    anonymous administrator writing as the group. Asked of Telegram each time."""
    chat = update.effective_chat
    if chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    message = update.effective_message
    if update.callback_query is None and message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id
    user = update.effective_user
    if user is None:
        return False
    member = await retrying(lambda: context.bot.get_chat_member(chat.id, user.id))
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def _change_subscription(
    update: Update, context: ContextTypes.DEFAULT_TYPE, change: Callable[[BotService, Chat, Asker], Reply]
) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    if not await may_change_subscription(update, context):
        await reply_to(message, Reply(text=render.ADMINS_ONLY), quote=True)
        return
    await reply_to(message, change(service(context), chat, asker_of(update)))


async def subscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/subscribe: this chat gets a digest of every new issue (groups: administrators)."""
    await _change_subscription(
        update,
        context,
        lambda svc, chat, asker: svc.subscribe(chat.id, chat.type, chat.title or chat.username or chat.first_name, asker),
    )


async def unsubscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unsubscribe: no more digests here (groups: administrators)."""
    await _change_subscription(update, context, lambda svc, chat, asker: svc.unsubscribe(chat.id, asker))


async def status_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/status: whether this chat gets digests, with a button to change it."""
    chat, message = update.effective_chat, update.effective_message
    if chat is not None and message is not None:
        await reply_to(message, service(context).status(chat.id, asker_of(update)))


async def subscription_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The /status button: checks again that the presser may change the subscription."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    if not await may_change_subscription(update, context):
        await query.answer(render.ADMINS_ONLY, show_alert=True)
        return
    svc, asker = service(context), asker_of(update)
    if query.data == "s:on":
        result = svc.subscribe(chat.id, chat.type, chat.title or chat.first_name, asker)
    else:
        result = svc.unsubscribe(chat.id, asker)
    await query.answer(render.plain(result.text)[:190])
    if isinstance(query.message, Message):
        await _edit(query.message, svc.status(chat.id, asker))


async def membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was added to a chat (say how to subscribe) or removed (end its subscription)."""
    change = update.my_chat_member
    if change is None:
        return
    was = change.old_chat_member.status
    now = change.new_chat_member.status
    gone = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
    if now in gone:
        service(context).left(change.chat.id)
    elif was in gone and change.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        await retrying(lambda: context.bot.send_message(change.chat.id, render.HELLO_GROUP))


async def migration(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup: its subscription moves to the new chat id."""
    message = update.effective_message
    if message is not None and message.migrate_to_chat_id is not None:
        service(context).migrated(message.chat.id, message.migrate_to_chat_id)
