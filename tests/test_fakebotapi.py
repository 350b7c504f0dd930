"""The test Bot API server, driven by a real python-telegram-bot client over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import socket
import ssl
import time
from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from . import fakebotapi
from .fakebotapi import (
    ANONYMOUS_ADMIN_ID,
    FakeBotApi,
    FloodLimits,
    fake_botapi,  # noqa: F401
    parse_html,
    utf16_len,
)


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """RetryAfter reads its deprecated integer form unless told to use timedeltas."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


# Building a TLS context costs ~50 ms per HTTP client; the server speaks plain HTTP, so the
# clients share one.
_TLS = ssl.create_default_context()


def _request(read_timeout: float = 2.0) -> HTTPXRequest:
    return HTTPXRequest(read_timeout=read_timeout, connect_timeout=2.0, httpx_kwargs={"verify": _TLS})


@pytest.fixture
async def bot(fake_botapi: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(
        fake_botapi.token, base_url=fake_botapi.base_url, request=_request(), get_updates_request=_request()
    ) as client:
        yield client


def _app(server: FakeBotApi) -> Application:  # type: ignore[type-arg]
    builder = Application.builder().token(server.token).base_url(server.base_url)
    return builder.request(_request()).get_updates_request(_request()).build()


# -- basics ----------------------------------------------------------------------------------


def test_every_name_in_all_exists() -> None:
    missing = [name for name in fakebotapi.__all__ if not hasattr(fakebotapi, name)]
    assert not missing, f"named in __all__ but not defined: {missing}"
    assert len(set(fakebotapi.__all__)) == len(fakebotapi.__all__)


async def test_get_me(bot: Bot, fake_botapi: FakeBotApi) -> None:
    me = await bot.get_me()
    assert me.username == "unionbot_test_bot"
    assert me.id == fake_botapi.bot_id == 7000000001
    assert me.is_bot and me.can_join_groups and me.supports_inline_queries
    assert me.can_read_all_group_messages is False
    assert fake_botapi.calls("getMe")[0].ok


async def test_only_the_configured_token_is_accepted(fake_botapi: FakeBotApi) -> None:
    stranger = Bot("7000000001:AAHsomebodyElsesToken_000000000000", base_url=fake_botapi.base_url)
    with pytest.raises(InvalidToken, match="was rejected by the server"):
        await stranger.initialize()
    await stranger.shutdown()
    assert fake_botapi.calls() == []  # rejected before any method runs


async def test_unknown_methods_are_not_found_and_known_ones_answer_true(bot: Bot, fake_botapi: FakeBotApi) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    assert fake_botapi.calls("noSuchMethod")[0].status == 404
    assert await bot.pin_chat_message(chat_id=1, message_id=1) is True


# -- sending and HTML validation -------------------------------------------------------------


async def test_good_html_is_parsed_into_entities(bot: Bot, fake_botapi: FakeBotApi) -> None:
    user = fake_botapi.new_user("张三")
    html = (
        "  <b>第1期</b> <i>工会</i> "
        '<a href="https://example.com/?a=1&amp;b=2">原文</a> &lt;3 &#x1F600; '
        "<tg-spoiler>秘</tg-spoiler> <blockquote expandable>引文</blockquote>"
        '<pre><code class="language-python">print(1)</code></pre> /help  '
    )
    message = await bot.send_message(user.id, html, parse_mode=ParseMode.HTML)
    plain = "第1期 工会 原文 <3 😀 秘 引文print(1) /help"
    assert message.text == plain
    kinds = [(e.type, e.offset, e.length) for e in message.entities]
    assert kinds == [
        ("bold", 0, 3),
        ("italic", 4, 2),
        ("text_link", 7, 2),
        ("spoiler", 16, 1),
        ("expandable_blockquote", 18, 2),
        ("pre", 20, 8),
        ("bot_command", 29, 5),
    ]
    assert message.entities[2].url == "https://example.com/?a=1&b=2"
    assert message.entities[5].language == "python"
    stored = fake_botapi.bot_messages(user.id)[0]
    assert stored.html == html and stored.text == plain and stored.parse_mode == "HTML"
    assert fake_botapi.sent_messages(user.id)[0]["text"] == plain


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("第一行<br>第二行", 'Can\'t parse entities: unsupported start tag "br" at byte offset 9'),
        ("<div>x</div>", 'Can\'t parse entities: unsupported start tag "div" at byte offset 0'),
        ("AT&T", 'Can\'t parse entities: unescaped "&" at byte offset 2'),
        ("1 < 2", 'Can\'t parse entities: unsupported start tag "" at byte offset 2'),
        ("2 > 1", 'Can\'t parse entities: unescaped ">" at byte offset 2'),
        ("<b>粗体", 'Can\'t parse entities: can\'t find end tag corresponding to start tag "b"'),
        (
            "<b><i>x</b></i>",
            'Can\'t parse entities: unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
        ),
        ("<span>x</span>", 'Can\'t parse entities: tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b> </b>\n", "Message text is empty"),
        ("长" * 4097, "Message is too long"),
        ("😀" * 2049, "Message is too long"),
        ("<b>x</b>" + "&amp;" * 4096, "Message is too long"),
    ],
)
async def test_bad_html_is_rejected_like_telegram(bot: Bot, fake_botapi: FakeBotApi, text: str, message: str) -> None:
    user = fake_botapi.new_user()
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(user.id, text, parse_mode=ParseMode.HTML)
    assert caught.value.message == message
    assert fake_botapi.calls("sendMessage")[-1].status == 400
    assert fake_botapi.sent_messages() == []


def test_html_parser_telegram_details() -> None:
    assert parse_html("&quot;x&#34;&#x26;") == ('"x"&', [])
    assert parse_html("AT&T", strict=False) == ("AT&T", [])
    assert parse_html("a > b", strict=False) == ("a > b", [])
    text, entities = parse_html('😀<a href="tg://user?id=42">张</a>')
    assert text == "😀张" and utf16_len(text) == 3
    user = {"id": 42, "is_bot": False, "first_name": "张"}
    assert entities == [{"offset": 2, "length": 1, "type": "text_mention", "user": user}]
    assert utf16_len("😀" * 2048) == 4096


async def test_limits_count_utf16_code_units(bot: Bot, fake_botapi: FakeBotApi) -> None:
    user = fake_botapi.new_user()
    sent = await bot.send_message(user.id, "😀" * 2048)
    assert sent.text == "😀" * 2048


async def test_reply_markup_and_replies_are_checked(bot: Bot, fake_botapi: FakeBotApi) -> None:
    user = fake_botapi.new_user()
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="工" * 22)]])
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(user.id, "hi", reply_markup=too_long)
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(user.id, "hi", reply_to_message_id=999)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(123, "hi")
    fits = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="工" * 21 + "a")]])
    sent = await bot.send_message(user.id, "hi", reply_markup=fits)
    assert sent.reply_markup == fits
    reply = await bot.send_message(user.id, "re", reply_to_message_id=sent.message_id)
    assert reply.reply_to_message is not None and reply.reply_to_message.message_id == sent.message_id


async def test_edits_and_deletes(bot: Bot, fake_botapi: FakeBotApi) -> None:
    user = fake_botapi.new_user()
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("更多", callback_data="more:1")]])
    sent = await bot.send_message(user.id, "<b>一</b>", parse_mode="HTML", reply_markup=keyboard)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("二", chat_id=user.id, message_id=sent.message_id + 100)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<b>一</b>", chat_id=user.id, message_id=sent.message_id, parse_mode="HTML", reply_markup=keyboard
        )
    edited = await bot.edit_message_text("二", chat_id=user.id, message_id=sent.message_id)
    assert isinstance(edited, object) and getattr(edited, "text", None) == "二"
    stored = fake_botapi.bot_messages(user.id)[0]
    assert stored.text == "二" and stored.reply_markup is None  # no reply_markup: the keyboard goes
    assert [m["text"] for m in stored.history] == ["一"] and stored.message["edit_date"]
    await bot.edit_message_reply_markup(chat_id=user.id, message_id=sent.message_id, reply_markup=keyboard)
    assert fake_botapi.bot_messages(user.id)[0].callback_data == ["more:1"]
    assert await bot.delete_message(user.id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(user.id, sent.message_id)
    assert fake_botapi.sent_messages(user.id) == []


# -- errors, faults, floods ------------------------------------------------------------------


async def test_injected_429_raises_retry_after(bot: Bot, fake_botapi: FakeBotApi) -> None:
    user = fake_botapi.new_user()
    fake_botapi.fail_next("sendMessage", retry_after=2)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(user.id, "hi")
    assert caught.value.retry_after == dtm.timedelta(seconds=2)
    assert fake_botapi.calls("sendMessage")[-1].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 2",
        "parameters": {"retry_after": 2},
    }
    await bot.send_message(user.id, "hi")  # the fault is used up
    assert len(fake_botapi.sent_messages()) == 1


async def test_flood_model_limits_group_messages(bot: Bot, fake_botapi: FakeBotApi) -> None:
    group = fake_botapi.new_group()
    fake_botapi.set_flood_limits(FloodLimits(per_second=None, per_group_per_minute=3))
    for _ in range(3):
        await bot.send_message(group.id, "hi")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(group.id, "hi")
    retry_after = caught.value.retry_after
    assert isinstance(retry_after, dtm.timedelta) and 58 <= retry_after.total_seconds() <= 60
    fake_botapi.set_flood_limits(None)
    await bot.send_message(group.id, "hi")


async def test_server_errors_and_dropped_connections_are_network_errors(bot: Bot, fake_botapi: FakeBotApi) -> None:
    fake_botapi.fail_next("getChat", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.get_chat(1)
    fake_botapi.fail_next(status=500, description="Internal Server Error: restart")
    with pytest.raises(NetworkError, match="restart"):
        await bot.get_chat(1)
    fake_botapi.fail_next("getChat", drop=True)
    with pytest.raises(NetworkError, match="RemoteProtocolError"):
        await bot.get_chat(1)
    fake_botapi.fail_next("sendMessage", status=400, description="Bad Request: message thread not found")
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(1, "x")


async def test_blocked_kicked_and_left_chats_are_forbidden(bot: Bot, fake_botapi: FakeBotApi) -> None:
    user = fake_botapi.new_user()
    fake_botapi.block_bot(user)
    with pytest.raises(Forbidden, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(user.id, "hi")
    group = fake_botapi.new_group(bot_status="kicked")
    with pytest.raises(Forbidden, match="Forbidden: bot was kicked from the group chat"):
        await bot.send_message(group.id, "hi")
    supergroup = fake_botapi.new_supergroup()
    assert await bot.leave_chat(supergroup.id)
    with pytest.raises(Forbidden, match="Forbidden: bot is not a member of the supergroup chat"):
        await bot.send_message(supergroup.id, "hi")
    stranger = fake_botapi.new_user(started=False)
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(stranger.id, "hi")


async def test_migrated_group_raises_chat_migrated(bot: Bot, fake_botapi: FakeBotApi) -> None:
    owner = fake_botapi.new_user("群主")
    group = fake_botapi.new_group(members={owner: "creator"})
    supergroup = fake_botapi.migrate(group)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(group.id, "hi")
    assert caught.value.new_chat_id == supergroup.id
    description = fake_botapi.calls("sendMessage")[-1].description
    assert description == "Bad Request: group chat was upgraded to a supergroup chat"
    await bot.send_message(supergroup.id, "hi")
    kinds = [next(k for k in u["message"] if k.startswith("migrate")) for u in fake_botapi.pending_updates()]
    assert kinds == ["migrate_to_chat_id", "migrate_from_chat_id"]


async def test_slow_answer_times_out_but_the_message_is_sent(fake_botapi: FakeBotApi) -> None:
    user = fake_botapi.new_user()
    async with Bot(fake_botapi.token, base_url=fake_botapi.base_url, request=_request(read_timeout=0.2)) as impatient:
        fake_botapi.fail_next("sendMessage", timeout=0.5)
        with pytest.raises(TimedOut):
            await impatient.send_message(user.id, "慢")
        messages = await fake_botapi.wait_for_messages_async(1, chat_id=user.id, timeout=2)
        assert messages[0]["text"] == "慢"


async def test_a_held_call_waits_and_is_dropped_unsent_when_its_client_goes_away(fake_botapi: FakeBotApi) -> None:
    user = fake_botapi.new_user()
    fake_botapi.hold("sendMessage")
    async with Bot(fake_botapi.token, base_url=fake_botapi.base_url, request=_request(read_timeout=0.3)) as impatient:
        with pytest.raises(TimedOut):  # the client gives up and closes the connection
            await impatient.send_message(user.id, "放弃了")
    [given_up] = await fake_botapi.wait_for_async(lambda: [c for c in fake_botapi.calls("sendMessage") if c.status == 0])
    assert not fake_botapi.bot_messages(user.id)  # never carried out
    async with Bot(fake_botapi.token, base_url=fake_botapi.base_url, request=_request()) as patient:
        sending = asyncio.ensure_future(patient.send_message(user.id, "等到了"))
        await fake_botapi.wait_for_async(lambda: len(fake_botapi.calls("sendMessage")) == 2)
        assert not sending.done() and not fake_botapi.bot_messages(user.id)
        fake_botapi.release("sendMessage")
        assert (await sending).text == "等到了"
    assert [m.text for m in fake_botapi.bot_messages(user.id)] == ["等到了"]


# -- chats, members, commands, webhooks ------------------------------------------------------


async def test_chats_members_and_commands(bot: Bot, fake_botapi: FakeBotApi) -> None:
    owner, admin, member = fake_botapi.new_user("主"), fake_botapi.new_user("管"), fake_botapi.new_user("员")
    members = {owner: "creator", admin: "administrator", member: "member"}
    group = fake_botapi.new_supergroup(username="union_hall", members=members)
    assert (await bot.get_chat("@union_hall")).id == group.id
    assert (await bot.get_chat_member(group.id, admin.id)).status == "administrator"
    assert (await bot.get_chat_member(group.id, fake_botapi.bot_id)).status == "member"
    admins = await bot.get_chat_administrators(group.id)
    assert [a.user.id for a in admins] == [owner.id, admin.id]
    fake_botapi.set_member(group, member, "kicked")
    assert (await bot.get_chat_member(group.id, member.id)).status == "kicked"
    with pytest.raises(BadRequest, match="There are no administrators in the private chat"):
        await bot.get_chat_administrators(owner.id)

    commands = [BotCommand("ask", "提问"), BotCommand("help", "帮助")]
    assert await bot.set_my_commands(commands, scope=BotCommandScopeChat(group.id), language_code="zh")
    assert await bot.get_my_commands(scope=BotCommandScopeChat(group.id), language_code="zh") == tuple(commands)
    assert await bot.get_my_commands() == ()
    scope = {"type": "chat", "chat_id": group.id}
    assert fake_botapi.commands(scope, "zh")[0] == {"command": "ask", "description": "提问"}
    with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Ask", "x")])
    assert await bot.delete_my_commands(scope=BotCommandScopeChat(group.id), language_code="zh")
    assert fake_botapi.commands(scope, "zh") == []
    assert await bot.send_chat_action(owner.id, "typing")


async def test_get_updates_long_polling(bot: Bot, fake_botapi: FakeBotApi) -> None:
    user = fake_botapi.new_user()
    assert await bot.get_updates(timeout=0) == ()
    waiting = asyncio.create_task(bot.get_updates(timeout=3))
    await fake_botapi.wait_for_async(lambda: len(fake_botapi.calls("getUpdates")) == 2, what="the long poll")
    poll = fake_botapi.calls("getUpdates")[1]
    assert poll.status is None and not waiting.done()  # arrived, and held open: nothing to give yet
    fake_botapi.send_text(user, None, "你好")
    (update,) = await waiting  # answered with the update, not emptied by the poll's timeout
    assert update.message is not None and update.message.text == "你好"
    for text in ("一", "二", "三"):
        fake_botapi.send_text(user, None, text)
    first_two = await bot.get_updates(offset=update.update_id + 1, limit=2)
    assert [u.message.text for u in first_two if u.message] == ["一", "二"]
    rest = await bot.get_updates(offset=first_two[-1].update_id + 1, timeout=0)
    assert [u.message.text for u in rest if u.message] == ["三"]
    fake_botapi.inline_query(user, "q")
    only_messages = await bot.get_updates(offset=rest[-1].update_id + 1, timeout=0, allowed_updates=["message"])
    assert only_messages == ()
    assert len(fake_botapi.pending_updates()) == 1


def test_group_privacy_mode_and_anonymous_admins(fake_botapi: FakeBotApi) -> None:
    user = fake_botapi.new_user(username="lisi")
    group = fake_botapi.new_group(members=[user])
    assert fake_botapi.send_text(group, user, "随便聊聊")["update_id"] == 0
    command = fake_botapi.send_command(group, user, "ask", "工会会费")
    assert command["message"]["text"] == "/ask@unionbot_test_bot 工会会费"
    assert command["message"]["entities"] == [{"offset": 0, "length": 22, "type": "bot_command"}]
    mention = fake_botapi.send_text(group, user, "问一下 @unionbot_test_bot 会费")
    assert mention["message"]["entities"] == [{"offset": 4, "length": 18, "type": "mention"}]
    anonymous = fake_botapi.anonymous_admin_text(group, "/stats")
    assert anonymous["message"]["from"]["id"] == ANONYMOUS_ADMIN_ID
    assert anonymous["message"]["sender_chat"]["id"] == group.id
    assert len(fake_botapi.pending_updates()) == 3
    assert [m.text for m in fake_botapi.messages(group.id)][0] == "随便聊聊"


async def test_updates_reach_a_webhook(fake_botapi: FakeBotApi) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/hook"
    app = _app(fake_botapi)

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"回声：{update.effective_message.text}")

    app.add_handler(MessageHandler(filters.TEXT, echo))
    user = fake_botapi.new_user()
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="hook", webhook_url=url, secret_token="s3cret"
        )
        assert fake_botapi.webhook is not None and fake_botapi.webhook["secret_token"] == "s3cret"
        fake_botapi.send_text(user, None, "走webhook")
        replies = await fake_botapi.wait_for_messages_async(1)
        assert replies[0]["text"] == "回声：走webhook"
        forged = fake_botapi.send_text(user, None, "伪造", enqueue=False)
        assert await asyncio.to_thread(fake_botapi.post_update_to, url, forged, "wrong") == 403
        assert await fake_botapi.post_update_to_async(url, forged, secret_token="s3cret") == 200
        await fake_botapi.wait_for_messages_async(2)
        await app.updater.stop()
        await app.stop()
    assert fake_botapi.calls("setWebhook")[0].params["url"] == url


# -- whole applications ----------------------------------------------------------------------


async def test_echo_application_answers_a_queued_message(fake_botapi: FakeBotApi) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_html(f"<b>你说</b>：{update.message.text}", do_quote=True)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("欢迎")

    app = _app(fake_botapi)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    user = fake_botapi.new_user("王五", username="wangwu")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        fake_botapi.send_command(user, None, "start")
        question = fake_botapi.send_text(user, None, "会费怎么交？")
        replies = await fake_botapi.wait_for_messages_async(2, chat_id=user.id)
        await app.updater.stop()
        await app.stop()
    assert [r["text"] for r in replies] == ["欢迎", "你说：会费怎么交？"]
    assert replies[1]["reply_to_message"]["message_id"] == question["message"]["message_id"]
    assert fake_botapi.bot_messages(user.id)[1].html == "<b>你说</b>：会费怎么交？"
    assert fake_botapi.pending_updates() == []  # the last getUpdates confirmed them


async def test_button_presses_and_inline_queries_reach_handlers(fake_botapi: FakeBotApi) -> None:
    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("翻页")
        await query.edit_message_text(f"第{query.data}页")

    async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.inline_query is not None
        text = f"<b>{update.inline_query.query}</b> 的答案"
        result = InlineQueryResultArticle("q:0", "答案", InputTextMessageContent(text, parse_mode=ParseMode.HTML))
        await update.inline_query.answer([result], cache_time=0)

    app = _app(fake_botapi)
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(InlineQueryHandler(on_inline))
    user = fake_botapi.new_user()
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("下一页", callback_data="2")]])
        sent = await app.bot.send_message(user.id, "第1页", reply_markup=keyboard)
        (message,) = fake_botapi.sent_messages(user.id)
        assert message["message_id"] == sent.message_id
        press = fake_botapi.press_button(message, user, "2")
        with pytest.raises(ValueError):
            fake_botapi.press_button(message, user, "3")
        inline = fake_botapi.inline_query(user, "会费")
        await fake_botapi.wait_for_async(lambda: fake_botapi.bot_messages(user.id)[0].text == "第2页", timeout=3)
        await fake_botapi.wait_for_calls_async("answerInlineQuery", timeout=3)
        await app.updater.stop()
        await app.stop()
    query_id = press["callback_query"]["id"]
    assert fake_botapi.callback_answers()[query_id]["text"] == "翻页"
    answer = fake_botapi.inline_answers()[inline["inline_query"]["id"]]
    assert answer["results"][0]["input_message_content"]["message_text"] == "<b>会费</b> 的答案"


def test_wait_for_reports_what_happened(fake_botapi: FakeBotApi) -> None:
    with pytest.raises(AssertionError, match=r"(?s)1 bot message\(s\).*pending updates \(1\)"):
        fake_botapi.send_text(fake_botapi.new_user(), None, "没人回")
        fake_botapi.wait_for_messages(1, timeout=0.05)


async def test_stop_ends_long_polls_at_once(bot: Bot, fake_botapi: FakeBotApi) -> None:
    polling = asyncio.create_task(bot.get_updates(timeout=10))
    await fake_botapi.wait_for_async(lambda: fake_botapi.calls("getUpdates"))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await asyncio.to_thread(fake_botapi.stop)
    assert time.monotonic() - started < 1.5
    try:
        await polling
    except NetworkError:
        pass
