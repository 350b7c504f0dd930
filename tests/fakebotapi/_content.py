"""Checks of outgoing content the way Telegram makes them: texts, entities, keyboards."""

from __future__ import annotations

import json
import re
from typing import Any

from ._core import ServerCore
from ._html import EntityParseError, detect_entities, parse_html, trim, utf16_len
from ._models import JSON, MAX_CALLBACK_DATA_BYTES, MAX_MESSAGE_LENGTH, BotApiError

_INLINE_BUTTON_KINDS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


class ContentChecks(ServerCore):
    """Message texts and captions after parsing, and reply markups, or Telegram's 400s."""

    def _prepare_text(
        self,
        text: str | None,
        parse_mode: str | None,
        entities: Any,
        *,
        empty: str = "message text is empty",
        too_long: str = "message is too long",
        limit: int = MAX_MESSAGE_LENGTH,
        allow_empty: bool = False,
    ) -> tuple[str, list[JSON]]:
        """Plain text and entities after parsing and trimming, checked like Telegram does."""
        if not text:
            if allow_empty:
                return "", []
            raise BotApiError.bad_request(empty)
        if entities is not None:
            plain, found = text, self._check_entities(entities)
        else:
            mode = (parse_mode or "").strip().lower()
            if mode == "html":
                try:
                    plain, found = parse_html(text, strict=self.strict_html)
                except EntityParseError as error:
                    raise BotApiError.bad_request(f"can't parse entities: {error}") from None
            elif mode in ("", "markdown", "markdownv2"):
                # Markdown modes are not interpreted: the text is stored as sent.
                plain, found = text, []
            else:
                raise BotApiError.bad_request("unsupported parse_mode")
        plain, found = trim(plain, found)
        if not plain:
            if allow_empty:
                return "", []
            raise BotApiError.bad_request(empty)
        if utf16_len(plain) > limit:
            raise BotApiError.bad_request(too_long)
        return plain, detect_entities(plain, found)

    @staticmethod
    def _check_entities(entities: Any) -> list[JSON]:
        if not isinstance(entities, list):
            raise BotApiError.bad_request("can't parse entities JSON object")
        checked: list[JSON] = []
        for entity in entities:
            if (
                not isinstance(entity, dict)
                or not isinstance(entity.get("type"), str)
                or not isinstance(entity.get("offset"), int)
                or not isinstance(entity.get("length"), int)
                or entity["offset"] < 0
            ):
                raise BotApiError.bad_request("can't parse MessageEntity JSON object")
            if entity["length"] > 0:
                checked.append(dict(entity))
        return checked

    @staticmethod
    def _check_markup(raw: Any) -> JSON | None:
        """A reply_markup checked like Telegram; ``None`` when absent."""
        if raw is None or raw == "":
            return None
        markup = raw
        if isinstance(raw, str):
            try:
                markup = json.loads(raw)
            except ValueError:
                raise BotApiError.bad_request("can't parse reply keyboard markup JSON object") from None
        if not isinstance(markup, dict):
            raise BotApiError.bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise BotApiError.bad_request(
                    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
                )
            count = 0
            for row in rows:
                for button in row:
                    ContentChecks._check_inline_button(button)
                    count += 1
            if count > 100:
                raise BotApiError.bad_request("reply markup is too long")
            return {"inline_keyboard": rows}
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise BotApiError.bad_request(
                    'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    text = button.get("text") if isinstance(button, dict) else button
                    if not isinstance(text, str) or not text:
                        raise BotApiError.bad_request(
                            'can\'t parse keyboard button: Field "text" must be of type String'
                        )
            return dict(markup)
        if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
            return dict(markup)
        raise BotApiError.bad_request("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_inline_button(button: Any) -> None:
        if not isinstance(button, dict):
            raise BotApiError.bad_request(
                "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
            )
        if not isinstance(button.get("text"), str):
            raise BotApiError.bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
        kinds = [kind for kind in _INLINE_BUTTON_KINDS if kind in button]
        if not kinds:
            raise BotApiError.bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                raise BotApiError.bad_request("BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not re.match(r"(?i)^(https?|tg)://[^\s]+$", url):
                raise BotApiError.bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
