"""The server tests run: :class:`FakeBotApi`, composed of the parts, serving over HTTP."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from ._chats import ChatMethods
from ._commands import CommandMethods
from ._content import ContentChecks
from ._core import TOKEN_SHAPE
from ._faults import FaultInjection
from ._flood import FloodModel
from ._http import Connection, TrackingHTTPServer
from ._incoming import IncomingUpdates
from ._messages import MessageMethods
from ._models import DEFAULT_TOKEN, JSON, BotApiError, Dropped, Fault, FloodLimits, RecordedCall, Reply
from ._params import Params, decode_for_record
from ._queries import QueryMethods
from ._records import Records
from ._registry import Registry
from ._updates import UpdateDelivery

_SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendAudio",
        "sendDocument",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendDice",
        "sendSticker",
        "sendMediaGroup",
        "forwardMessage",
        "copyMessage",
    }
)
_GENERIC_TRUE_METHODS = (
    "setMyDescription setMyShortDescription setMyName setChatMenuButton setMyDefaultAdministratorRights "
    "pinChatMessage unpinChatMessage unpinAllChatMessages banChatMember unbanChatMember restrictChatMember "
    "promoteChatMember setChatAdministratorCustomTitle banChatSenderChat unbanChatSenderChat "
    "setChatPermissions setChatPhoto deleteChatPhoto setChatTitle setChatDescription setChatStickerSet "
    "deleteChatStickerSet deleteMessages setMessageReaction approveChatJoinRequest declineChatJoinRequest "
    "answerShippingQuery answerPreCheckoutQuery answerWebAppQuery setPassportDataErrors editForumTopic "
    "closeForumTopic reopenForumTopic deleteForumTopic unpinAllForumTopicMessages editGeneralForumTopic "
    "closeGeneralForumTopic reopenGeneralForumTopic hideGeneralForumTopic unhideGeneralForumTopic "
    "unpinAllGeneralForumTopicMessages setUserEmojiStatus setStickerPositionInSet deleteStickerFromSet "
    "setStickerEmojiList setStickerKeywords setStickerMaskPosition setStickerSetTitle "
    "setStickerSetThumbnail setCustomEmojiStickerSetThumbnail deleteStickerSet addStickerToSet "
    "createNewStickerSet replaceStickerInSet refundStarPayment setGameScore"
).split()

_API_PATH = re.compile(r"/bot([^/]*)/([^/]*)")


class FakeBotApi(
    IncomingUpdates,
    Registry,
    Records,
    FaultInjection,
    UpdateDelivery,
    MessageMethods,
    QueryMethods,
    ContentChecks,
    FloodModel,
    CommandMethods,
    ChatMethods,
):
    """A Bot API server on 127.0.0.1 in a background thread, for one bot token.

    Use it as a context manager (or the :func:`fake_botapi` fixture); everything is
    thread-safe, so tests may call any method while the bot talks to the server.  Inside
    ``async`` tests use the ``*_async`` waits: the blocking ones would stall the event loop
    the bot runs in.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "unionbot_test_bot",
        bot_name: str = "工会报问答 (test)",
        privacy_mode: bool = True,
        strict_html: bool = True,
        flood_limits: FloodLimits | None = None,
        allow_http_webhooks: bool = True,
        webhook_retry_interval: float = 0.2,
        latency: float = 0.0,
    ) -> None:
        """Configure the server; :meth:`start` (or ``with``) opens the socket.

        Args:
            token: the only token accepted; the bot's user id is the number before the colon.
            privacy_mode: like BotFather's setting; with it on, a bot that is not an admin only
                receives commands, replies to its messages and mentions from groups.
            strict_html: reject a bare ``&`` or ``>`` in HTML text (Telegram tolerates them,
                its documentation does not); see :func:`parse_html`.
            flood_limits: the flood model, off when ``None``; see :meth:`set_flood_limits`.
            allow_http_webhooks: accept ``http://`` webhooks on any port, so that a local
                webhook server can be tested; Telegram only takes HTTPS on 443, 80, 88, 8443.
            webhook_retry_interval: pause between failed deliveries to a webhook.
            latency: seconds every request waits before it is carried out (the network
                between the bot and Telegram); see :meth:`set_latency`.
        """
        super().__init__(
            token,
            bot_username=bot_username,
            bot_name=bot_name,
            privacy_mode=privacy_mode,
            strict_html=strict_html,
            flood_limits=flood_limits,
            allow_http_webhooks=allow_http_webhooks,
            webhook_retry_interval=webhook_retry_interval,
        )
        self._httpd: TrackingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._delivery_thread: threading.Thread | None = None
        self._started = False
        self._latency = latency

        self._methods: dict[str, tuple[str, Callable[[Params, Connection], Any]]] = {}
        handlers: dict[str, Callable[[Params, Connection], Any]] = {
            "getMe": self._m_get_me,
            "getUpdates": self._m_get_updates,
            "setWebhook": self._m_set_webhook,
            "deleteWebhook": self._m_delete_webhook,
            "getWebhookInfo": self._m_get_webhook_info,
            "setMyCommands": self._m_set_my_commands,
            "getMyCommands": self._m_get_my_commands,
            "deleteMyCommands": self._m_delete_my_commands,
            "sendMessage": self._m_send_message,
            "editMessageText": self._m_edit_message_text,
            "editMessageCaption": self._m_edit_message_caption,
            "editMessageReplyMarkup": self._m_edit_message_reply_markup,
            "deleteMessage": self._m_delete_message,
            "answerCallbackQuery": self._m_answer_callback_query,
            "answerInlineQuery": self._m_answer_inline_query,
            "sendChatAction": self._m_send_chat_action,
            "getChat": self._m_get_chat,
            "getChatMember": self._m_get_chat_member,
            "getChatAdministrators": self._m_get_chat_administrators,
            "getChatMemberCount": self._m_get_chat_member_count,
            "leaveChat": self._m_leave_chat,
            "copyMessage": self._m_copy_message,
            "forwardMessage": self._m_forward_message,
            "getMyName": lambda p, c: {"name": self.bot_user.first_name},
            "getMyDescription": lambda p, c: {"description": ""},
            "getMyShortDescription": lambda p, c: {"short_description": ""},
            "getChatMenuButton": lambda p, c: {"type": "commands"},
            "close": lambda p, c: True,
            "logOut": lambda p, c: True,
        }
        for name in _SEND_METHODS - {"sendMessage", "copyMessage", "forwardMessage", "sendMediaGroup"}:
            handlers[name] = self._make_generic_send(name)
        for name in _GENERIC_TRUE_METHODS:
            handlers.setdefault(name, lambda p, c: True)
        for name, handler in handlers.items():
            self._methods[name.lower()] = (name, handler)

    def set_latency(self, seconds: float) -> None:
        """Make every later request wait ``seconds`` before it is carried out (0: none),
        as a round trip to Telegram would; requests wait side by side, not in turn."""
        if seconds < 0:
            raise ValueError("latency cannot be negative")
        with self._lock:
            self._latency = seconds

    @property
    def latency(self) -> float:
        return self._latency

    # -- life cycle ----------------------------------------------------------------------

    def start(self) -> FakeBotApi:
        """Open the socket and serve in background threads (once per instance)."""
        with self._lock:
            if self._started:
                return self
            self._started = True
        self._httpd = TrackingHTTPServer(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, name="fake-bot-api", daemon=True
        )
        self._thread.start()
        self._delivery_thread = threading.Thread(target=self._deliver_loop, name="fake-bot-api-webhook", daemon=True)
        self._delivery_thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: wake long polls and delayed answers, close every socket, join threads."""
        httpd = self._httpd
        if httpd is None:
            return
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        for thread in (self._thread, self._delivery_thread):
            if thread is not None:
                thread.join(timeout=10)
        self._httpd = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What python-telegram-bot takes as ``base_url``: it appends the token and the method."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    def __repr__(self) -> str:
        where = self.url if self._httpd is not None else "stopped"
        return f"<FakeBotApi {where} bot=@{self.bot_username}>"

    # -- HTTP plumbing -------------------------------------------------------------------

    def _handle(self, connection: Connection) -> None:
        """Answer one HTTP request of ``connection``."""
        path = urlsplit(connection.handler.path).path
        try:
            params = connection.read_params()
        except (ValueError, UnicodeDecodeError):
            connection.send_json(400, BotApiError.bad_request("can't parse request body").payload())
            return
        match = _API_PATH.fullmatch(path)
        if match is None:
            connection.send_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        token, method_name = match.groups()
        if token != self.token:
            if TOKEN_SHAPE.fullmatch(token):
                connection.send_json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            else:
                connection.send_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        entry = self._methods.get(method_name.lower())
        decoded = {k: decode_for_record(k, v) for k, v in params.items()}
        call = RecordedCall(entry[0] if entry else method_name, decoded, time.time())
        with self._lock:
            self._calls.append(call)
            fault = None if entry is None else self._take_fault(entry[0])
        if entry is None:
            not_found: JSON = {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
            with self._lock:
                call.status, call.response = 404, not_found
            connection.send_json(404, not_found)
            return
        if self._latency and self._stopping.wait(self._latency):
            connection.drop()
            return
        if not self._wait_while_held(entry[0], connection):
            with self._lock:
                call.status = 0
            connection.drop()
            return
        status, payload, raw = self._answer(entry[1], Params(params), connection, fault)
        with self._lock:
            call.status = status
            call.response = payload
        if status == 0:
            connection.drop()
        elif raw is not None:
            connection.send(status, raw, "text/html")
        else:
            connection.send_json(status, payload)

    def _answer(
        self,
        handler: Callable[[Params, Connection], Any],
        params: Params,
        connection: Connection,
        fault: Fault | None,
    ) -> tuple[int, JSON | None, bytes | None]:
        """Status (0 to drop the connection), JSON payload, raw body override."""
        if fault is not None:
            if fault.delay and self._stopping.wait(fault.delay):
                return 0, None, None
            if fault.drop:
                return 0, None, None
            if fault.status is not None:
                if fault.body is not None:
                    return fault.status, None, fault.body
                return fault.status, self._fault_error(fault).payload(), None
        try:
            with self._cond:
                result = handler(params, connection)
        except Dropped:
            return 0, None, None
        except BotApiError as error:
            return error.status, error.payload(), None
        reply = result if isinstance(result, Reply) else Reply(result)
        payload: JSON = {"ok": True, "result": reply.result}
        if reply.description:
            payload["description"] = reply.description
        return 200, payload, None

    def _m_get_me(self, params: Params, connection: Connection) -> JSON:
        return {
            **self.bot_user.to_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
