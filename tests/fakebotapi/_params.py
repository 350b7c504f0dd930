"""Request parameters: decoding query strings, forms, multipart parts and JSON bodies, and
typed access to the values with Telegram's 400 answers."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl

from ._models import JSON, BotApiError, UploadedFile

_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "query",
        "parse_mode",
        "url",
        "secret_token",
        "description",
        "short_description",
        "title",
        "name",
        "callback_query_id",
        "inline_query_id",
        "inline_message_id",
        "language_code",
        "action",
        "next_offset",
        "ip_address",
        "emoji",
        "message_effect_id",
        "business_connection_id",
        "custom_title",
        "switch_pm_text",
        "switch_pm_parameter",
        "question",
        "sticker",
        "photo",
        "document",
        "video",
        "audio",
        "voice",
        "animation",
    }
)
_JSON_FIELD_ERRORS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse entities JSON object",
    "allowed_updates": "can't parse allowed updates JSON object",
    "commands": "can't parse commands JSON object",
    "scope": "can't parse BotCommandScope JSON object",
    "results": "can't parse inline query results JSON object",
    "reply_parameters": "can't parse reply parameters JSON object",
    "link_preview_options": "can't parse link preview options JSON object",
    "button": "can't parse inline query results button JSON object",
    "media": "can't parse InputMedia JSON object",
    "message_ids": "can't parse message identifiers JSON object",
    "options": "can't parse options JSON object",
}


def decode_for_record(name: str, value: Any) -> Any:
    """A lenient decoding of one parameter for the call record."""
    if not isinstance(value, str) or name in _STRING_FIELDS:
        return value
    stripped = value.strip()
    if name in _JSON_FIELD_ERRORS or stripped[:1] in ("[", "{"):
        try:
            return json.loads(stripped)
        except ValueError:
            return value
    if re.fullmatch(r"-?\d+", stripped):
        return int(stripped)
    if stripped in ("true", "false"):
        return stripped == "true"
    return value


class Params:
    """Typed access to a request's parameters, failing with Telegram's 400 answers."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = dict(raw)

    def present(self, name: str) -> bool:
        return self.raw.get(name) not in (None, "")

    def get_str(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, UploadedFile):
            return f"attach://{name}"
        return json.dumps(value, ensure_ascii=False)

    def get_int(self, name: str) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            text = value.strip()
            if re.fullmatch(r"[-+]?\d+", text):
                return int(text)
            if re.fullmatch(r"[-+]?\d+\.0*", text):
                return int(float(text))
        raise BotApiError.bad_request(f'field "{name}" must be of type Integer')

    def get_float(self, name: str) -> float | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise BotApiError.bad_request(f'field "{name}" must be of type Number') from None

    def get_bool(self, name: str) -> bool:
        value = self.raw.get(name)
        if value is None or value == "":
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise BotApiError.bad_request(f'field "{name}" must be of type Boolean')

    def get_json(self, name: str) -> Any:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise BotApiError.bad_request(_JSON_FIELD_ERRORS.get(name, f"can't parse {name} JSON object")) from None


def parse_multipart(content_type: str, body: bytes) -> JSON:
    header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=policy.HTTP).parsebytes(header + body)
    if not message.is_multipart():
        raise ValueError("not a multipart body")
    params: JSON = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            params[name] = data.decode("utf-8")
        else:
            params[name] = UploadedFile(filename, part.get_content_type(), data)
    return params


def decode_params(query: str, content_type: str, body: bytes) -> JSON:
    """A request's parameters: the query string's, then the body's (a form, multipart parts or
    a JSON object; strings stay as sent).

    Raises:
        ValueError: for a body that cannot be decoded.
    """
    params: JSON = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";")[0].strip().lower()
    if not body:
        return params
    if kind == "application/json":
        data = json.loads(body.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("the JSON body is not an object")
        params.update(data)
    elif kind == "multipart/form-data":
        params.update(parse_multipart(content_type, body))
    else:
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return params
