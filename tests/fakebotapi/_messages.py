"""The methods that send, copy, forward, edit and delete messages."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable

from ._chat_state import ChatState
from ._content import ContentChecks
from ._flood import FloodModel
from ._http import Connection
from ._models import JSON, MAX_CAPTION_LENGTH, BotApiError, StoredMessage, without_reply
from ._params import Params

_COPIED_KEYS = frozenset({"text", "entities", "caption", "caption_entities", "document", "photo"})


class MessageMethods(ContentChecks, FloodModel):
    """sendMessage and the other send methods, copyMessage, forwardMessage, the edits and
    deleteMessage."""

    def _reply_target(self, state: ChatState, params: Params) -> JSON | None:
        reply = params.get_json("reply_parameters")
        message_id: int | None
        allow_missing = params.get_bool("allow_sending_without_reply")
        target_state = state
        if isinstance(reply, dict):
            message_id = reply.get("message_id") if isinstance(reply.get("message_id"), int) else None
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
            if reply.get("chat_id") not in (None, state.chat.id):
                target_state = self._resolve_chat(Params({"chat_id": reply["chat_id"]}))
        elif reply is not None:
            raise BotApiError.bad_request("can't parse reply parameters JSON object")
        else:
            message_id = params.get_int("reply_to_message_id")
        if message_id is None:
            return None
        stored = target_state.messages.get(message_id)
        if stored is None or stored.deleted:
            if allow_missing:
                return None
            raise BotApiError.bad_request("message to be replied not found")
        return without_reply(stored.message)

    def _new_bot_message(self, state: ChatState, content: JSON, markup: JSON | None, reply_to: JSON | None) -> JSON:
        message: JSON = {"message_id": state.take_message_id()}
        if state.chat.type == "channel":
            message["sender_chat"] = state.chat.to_json()
        else:
            message["from"] = self.bot_user.to_json()
        message["chat"] = state.chat.to_json()
        message["date"] = int(time.time())
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(content)
        if markup and markup.get("inline_keyboard"):
            message["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        return message

    def _target_message(self, params: Params, action: str) -> tuple[ChatState, StoredMessage] | None:
        """The message an edit names; ``None`` for inline messages."""
        if params.present("inline_message_id"):
            return None
        if not params.present("chat_id"):
            raise BotApiError.bad_request("chat_id is empty")
        state = self._resolve_chat(params)
        message_id = params.get_int("message_id")
        if message_id is None:
            raise BotApiError.bad_request("message identifier is not specified")
        stored = state.messages.get(message_id)
        if stored is None or stored.deleted:
            raise BotApiError.bad_request(f"message to {action} not found")
        return state, stored

    def _replace(self, stored: StoredMessage, content: JSON, markup: JSON | None, drop_keys: Iterable[str]) -> JSON:
        old = stored.message
        new = {k: v for k, v in old.items() if k not in drop_keys and k not in ("reply_markup", "edit_date")}
        new.update(content)
        if markup and markup.get("inline_keyboard"):
            new["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        comparable = ("text", "entities", "caption", "caption_entities", "reply_markup")
        if all(new.get(k) == old.get(k) for k in comparable):
            raise BotApiError.bad_request(
                "message is not modified: specified new message content and reply markup are exactly the same "
                "as a current content and reply markup of the message"
            )
        new["edit_date"] = int(time.time())
        stored.history.append(old)
        stored.message = new
        return new

    def _m_send_message(self, params: Params, connection: Connection) -> JSON:
        state = self._resolve_chat(params)
        self._check_can_write(state)
        source = params.get_str("text")
        parse_mode = params.get_str("parse_mode")
        text, entities = self._prepare_text(source, parse_mode, params.get_json("entities"))
        markup = self._check_markup(params.raw.get("reply_markup"))
        reply_to = self._reply_target(state, params)
        self._check_flood(state)
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        preview = params.get_json("link_preview_options")
        if isinstance(preview, dict) and any(e["type"] in ("url", "text_link") for e in entities):
            content["link_preview_options"] = preview
        message = self._new_bot_message(state, content, markup, reply_to)
        self._store_message(state, message, source or "", parse_mode, from_bot=True)
        self._note_send(state)
        return copy.deepcopy(message)

    def _prepare_caption(self, params: Params) -> tuple[str | None, str | None, str, list[JSON]]:
        """A caption as sent and as parsed: (source, parse mode, plain caption, entities)."""
        source = params.get_str("caption")
        parse_mode = params.get_str("parse_mode")
        caption, entities = self._prepare_text(
            source,
            parse_mode,
            params.get_json("caption_entities"),
            too_long="message caption is too long",
            limit=MAX_CAPTION_LENGTH,
            allow_empty=True,
        )
        return source, parse_mode, caption, entities

    def _make_generic_send(self, method: str) -> Callable[[Params, Connection], JSON]:
        def send(params: Params, connection: Connection) -> JSON:
            state = self._resolve_chat(params)
            self._check_can_write(state)
            source, parse_mode, caption, entities = self._prepare_caption(params)
            markup = self._check_markup(params.raw.get("reply_markup"))
            reply_to = self._reply_target(state, params)
            self._check_flood(state)
            content: JSON = {}
            file_id = f"BQACAgIAAx0Cfake{state.next_message_id}"
            if method == "sendDocument":
                content["document"] = {"file_id": file_id, "file_unique_id": f"AgAD{state.next_message_id}"}
            elif method == "sendPhoto":
                unique = f"AQAD{state.next_message_id}"
                content["photo"] = [{"file_id": file_id, "file_unique_id": unique, "width": 800, "height": 600}]
            elif method == "sendDice":
                content["dice"] = {"emoji": params.get_str("emoji") or "🎲", "value": 3}
            if caption:
                content["caption"] = caption
                if entities:
                    content["caption_entities"] = entities
            message = self._new_bot_message(state, content, markup, reply_to)
            self._store_message(state, message, source or "", parse_mode, from_bot=True)
            self._note_send(state)
            return copy.deepcopy(message)

        return send

    def _copied_content(self, params: Params) -> tuple[ChatState, StoredMessage]:
        source_state = self._resolve_chat(params, "from_chat_id")
        message_id = params.get_int("message_id")
        stored = None if message_id is None else source_state.messages.get(message_id)
        if stored is None or stored.deleted:
            raise BotApiError.bad_request("message to copy not found")
        return source_state, stored

    def _m_copy_message(self, params: Params, connection: Connection) -> JSON:
        _, original = self._copied_content(params)
        state = self._resolve_chat(params)
        self._check_can_write(state)
        self._check_flood(state)
        content = {k: v for k, v in original.message.items() if k in _COPIED_KEYS}
        markup = self._check_markup(params.raw.get("reply_markup"))
        message = self._new_bot_message(state, content, markup, self._reply_target(state, params))
        self._store_message(state, message, original.source, original.parse_mode, from_bot=True)
        self._note_send(state)
        return {"message_id": message["message_id"]}

    def _m_forward_message(self, params: Params, connection: Connection) -> JSON:
        source_state, original = self._copied_content(params)
        state = self._resolve_chat(params)
        self._check_can_write(state)
        self._check_flood(state)
        content = {k: v for k, v in original.message.items() if k in _COPIED_KEYS}
        sender = original.message.get("from")
        date = original.message["date"]
        origin: JSON = (
            {"type": "user", "sender_user": sender, "date": date}
            if sender and source_state.chat.type != "channel"
            else {
                "type": "channel",
                "chat": source_state.chat.to_json(),
                "message_id": original.message_id,
                "date": date,
            }
        )
        message = self._new_bot_message(state, {"forward_origin": origin, **content}, None, None)
        self._store_message(state, message, original.source, original.parse_mode, from_bot=True)
        self._note_send(state)
        return copy.deepcopy(message)

    def _m_edit_message_text(self, params: Params, connection: Connection) -> JSON | bool:
        source = params.get_str("text")
        parse_mode = params.get_str("parse_mode")
        text, entities = self._prepare_text(source, parse_mode, params.get_json("entities"))
        markup = self._check_markup(params.raw.get("reply_markup"))
        target = self._target_message(params, "edit")
        if target is None:
            return True
        _, stored = target
        if not stored.from_bot or "text" not in stored.message:
            raise BotApiError.bad_request("message can't be edited")
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        new = self._replace(stored, content, markup, ("text", "entities"))
        stored.source, stored.parse_mode = source or "", parse_mode
        return copy.deepcopy(new)

    def _m_edit_message_caption(self, params: Params, connection: Connection) -> JSON | bool:
        source, parse_mode, caption, entities = self._prepare_caption(params)
        markup = self._check_markup(params.raw.get("reply_markup"))
        target = self._target_message(params, "edit")
        if target is None:
            return True
        _, stored = target
        if not stored.from_bot or "text" in stored.message:
            raise BotApiError.bad_request("there is no caption in the message to edit")
        content: JSON = {}
        if caption:
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        new = self._replace(stored, content, markup, ("caption", "caption_entities"))
        stored.source, stored.parse_mode = source or "", parse_mode
        return copy.deepcopy(new)

    def _m_edit_message_reply_markup(self, params: Params, connection: Connection) -> JSON | bool:
        markup = self._check_markup(params.raw.get("reply_markup"))
        target = self._target_message(params, "edit")
        if target is None:
            return True
        _, stored = target
        if not stored.from_bot:
            raise BotApiError.bad_request("message can't be edited")
        return copy.deepcopy(self._replace(stored, {}, markup, ()))

    def _m_delete_message(self, params: Params, connection: Connection) -> bool:
        state = self._resolve_chat(params)
        message_id = params.get_int("message_id")
        if message_id is None:
            raise BotApiError.bad_request("message identifier is not specified")
        stored = state.messages.get(message_id)
        if stored is None or stored.deleted:
            raise BotApiError.bad_request("message to delete not found")
        is_admin = state.bot_status in ("administrator", "creator")
        may_delete = is_admin and state.bot_extra.get("can_delete_messages", True)
        if state.chat.type != "private" and not stored.from_bot and not may_delete:
            raise BotApiError.bad_request("message can't be deleted")
        stored.deleted = True
        return True
