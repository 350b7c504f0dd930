"""Telegram handlers: read the update, call the service once, reply. Nothing else."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Chat, InlineQueryResultArticle, InputTextMessageContent, Message, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import filters

from bot.callbacks import ArticlePage, Example, Feedback, FindPage, MoreResults, OpenArticle, Subscription, decode
from bot.richtext import plain

from . import render
from .botdata import Context
from .markup import markup
from .render import Reply
from .responder import Responder
from .service import Asker

log = logging.getLogger(__name__)

T = TypeVar("T")
SEND_ATTEMPTS = 4
EXPIRED_BUTTON = "这个按钮已失效。"


def service(context: Context) -> Responder:
    """The bot's service, built in post_init."""
    return context.bot_data.running_service()


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
            reply.text, reply_markup=markup(reply.keyboard), do_quote=quote, disable_web_page_preview=True
        )
    )


def _replied_to_bot(message: Message) -> int | None:
    """The id of the bot's message this one replies to, if it replies to the bot."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != message.get_bot().id:
        return None
    return replied.message_id


async def answer_in_group(update: Update, context: Context, message: Message, question: str) -> None:
    """Answer in a group, quoting the question; a reply to one of the bot's answers is a
    follow-up of it, and the answer sent is remembered for replies to it."""
    svc = service(context)
    reply = await svc.ask(question, asker_of(update), reply_to=_replied_to_bot(message))
    sent = await reply_to(message, reply, quote=True)
    if sent is not None and reply is not None:
        await svc.remember(message.chat.id, sent.message_id, reply)


def _text_after_command(message: Message) -> str:
    parts = (message.text or "").split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


def _in_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


async def start(update: Update, context: Context) -> None:
    """/start: what the bot does, with three example questions as buttons."""
    if update.effective_message:
        await reply_to(update.effective_message, await service(context).start(asker_of(update)))


async def help_command(update: Update, context: Context) -> None:
    """/help: how to ask, in private chats, groups and inline."""
    if update.effective_message:
        reply = service(context).help(context.bot.username, asker_of(update))
        await reply_to(update.effective_message, reply)


async def ask_command(update: Update, context: Context) -> None:
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
        await reply_to(message, await service(context).ask(question, asker_of(update)))


async def private_text(update: Update, context: Context) -> None:
    """Any text in a private chat is a question."""
    message = update.effective_message
    if message is not None and message.text is not None:
        await reply_to(message, await service(context).ask(message.text, asker_of(update)))


async def group_text(update: Update, context: Context) -> None:
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


async def find_command(update: Update, context: Context) -> None:
    """/find 词 区:密云 记者:王路曼 期:001 日期:2024-07: matching articles, a page at a time."""
    message = update.effective_message
    if message is not None:
        await reply_to(message, await service(context).find(_text_after_command(message), asker_of(update)))


async def article_command(update: Update, context: Context) -> None:
    """/article ID: the whole article."""
    message = update.effective_message
    if message is None:
        return
    article_id = _text_after_command(message).strip()
    if not article_id:
        await reply_to(message, Reply(text=render.ARTICLE_USAGE))
        return
    await reply_to(message, await service(context).article(article_id, 0, asker_of(update)))


async def stats_command(update: Update, context: Context) -> None:
    """/stats (administrators): users, questions, unanswered questions, feedback."""
    if update.effective_message:
        await reply_to(update.effective_message, await service(context).stats(asker_of(update)))


async def button(update: Update, context: Context) -> None:
    """A button was pressed: open an article, turn its page, more results, a /find page,
    feedback, an example question, or the /status subscription button."""
    query = update.callback_query
    if query is None:
        return
    callback = decode(query.data)
    if callback is None:
        await query.answer(EXPIRED_BUTTON)
        return
    if isinstance(callback, Subscription):
        await subscription_button(update, context, callback)
        return
    svc, asker = service(context), asker_of(update)
    if isinstance(callback, Feedback):
        await query.answer(await svc.feedback(callback.query_id, callback.value, asker))
        return
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is None:
        return
    match callback:
        case OpenArticle(article_id=article_id, page=page):
            await reply_to(message, await svc.article(article_id, page, asker))
        case Example(index=index):
            await reply_to(message, await svc.example(index, asker))
        case ArticlePage(article_id=article_id, page=page):
            await _edit(message, await svc.article(article_id, page, asker))
        case MoreResults(query_id=query_id, index=index):
            await _edit(message, await svc.more(query_id, index, asker))
        case FindPage(query_id=query_id, page=page):
            await _edit(message, await svc.find_page(query_id, page, asker))


async def _edit(message: Message, reply: Reply | None) -> None:
    if reply is None:
        return
    try:
        await retrying(
            lambda: message.edit_text(
                reply.text, parse_mode="HTML", reply_markup=markup(reply.keyboard), disable_web_page_preview=True
            )
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def inline_query(update: Update, context: Context) -> None:
    """@bot 问题 in any chat: cited answers to post."""
    query = update.inline_query
    if query is None:
        return
    results = [
        InlineQueryResultArticle(
            id=result.result_id,
            title=result.title,
            description=result.description,
            input_message_content=InputTextMessageContent(result.message, parse_mode=ParseMode.HTML),
        )
        for result in await service(context).inline(query.query, asker_of(update))
    ]
    await retrying(lambda: query.answer(results, cache_time=30, is_personal=True))


async def on_error(update: object, context: Context) -> None:
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


async def may_change_subscription(update: Update, context: Context) -> bool:
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
    update: Update, context: Context, change: Callable[[Responder, Chat, Asker], Awaitable[Reply]]
) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    if not await may_change_subscription(update, context):
        await reply_to(message, Reply(text=render.ADMINS_ONLY), quote=True)
        return
    await reply_to(message, await change(service(context), chat, asker_of(update)))


async def subscribe_command(update: Update, context: Context) -> None:
    """/subscribe: this chat gets a digest of every new issue (groups: administrators)."""
    await _change_subscription(
        update,
        context,
        lambda svc, chat, asker: svc.subscribe(chat.id, chat.type, chat.title or chat.username or chat.first_name, asker),
    )


async def unsubscribe_command(update: Update, context: Context) -> None:
    """/unsubscribe: no more digests here (groups: administrators)."""
    await _change_subscription(update, context, lambda svc, chat, asker: svc.unsubscribe(chat.id, asker))


async def status_command(update: Update, context: Context) -> None:
    """/status: whether this chat gets digests, with a button to change it."""
    chat, message = update.effective_chat, update.effective_message
    if chat is not None and message is not None:
        await reply_to(message, await service(context).status(chat.id, asker_of(update)))


async def subscription_button(update: Update, context: Context, pressed: Subscription) -> None:
    """The /status button: checks again that the presser may change the subscription."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    if not await may_change_subscription(update, context):
        await query.answer(render.ADMINS_ONLY, show_alert=True)
        return
    svc, asker = service(context), asker_of(update)
    if pressed.on:
        result = await svc.subscribe(chat.id, chat.type, chat.title or chat.first_name, asker)
    else:
        result = await svc.unsubscribe(chat.id, asker)
    await query.answer(plain(result.text)[:190])
    if isinstance(query.message, Message):
        await _edit(query.message, await svc.status(chat.id, asker))


async def membership(update: Update, context: Context) -> None:
    """The bot was added to a chat (say how to subscribe) or removed (end its subscription)."""
    change = update.my_chat_member
    if change is None:
        return
    was = change.old_chat_member.status
    now = change.new_chat_member.status
    gone = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
    if now in gone:
        await service(context).left(change.chat.id)
    elif was in gone and change.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        await retrying(lambda: context.bot.send_message(change.chat.id, render.HELLO_GROUP))


async def migration(update: Update, context: Context) -> None:
    """A group became a supergroup: its subscription moves to the new chat id."""
    message = update.effective_message
    if message is not None and message.migrate_to_chat_id is not None:
        await service(context).migrated(message.chat.id, message.migrate_to_chat_id)
