"""The bot's command lists by scope and language."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any

from ._core import ServerCore
from ._http import Connection
from ._models import JSON, BotApiError
from ._params import Params

_COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


class CommandMethods(ServerCore):
    """setMyCommands, getMyCommands and deleteMyCommands."""

    def commands(self, scope: Mapping[str, Any] | None = None, language_code: str = "") -> list[JSON]:
        """The commands stored by setMyCommands for ``scope`` (default scope when ``None``)."""
        with self._lock:
            return copy.deepcopy(self._commands.get((self._scope_key(scope), language_code), []))

    def _scope_key(self, scope: Any) -> str:
        if scope is None:
            return json.dumps({"type": "default"})
        if not isinstance(scope, Mapping) or scope.get("type") not in _COMMAND_SCOPES:
            raise BotApiError.bad_request("can't parse BotCommandScope JSON object")
        kind = scope["type"]
        data: JSON = {"type": kind}
        if kind in ("chat", "chat_administrators", "chat_member"):
            state = self._resolve_chat(Params({"chat_id": scope.get("chat_id")}))
            data["chat_id"] = state.chat.id
            if kind == "chat_member":
                user_id = scope.get("user_id")
                if not isinstance(user_id, int):
                    raise BotApiError.bad_request("user not found")
                data["user_id"] = user_id
        return json.dumps(data, sort_keys=True)

    def _command_key(self, params: Params) -> tuple[str, str]:
        language = params.get_str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise BotApiError.bad_request("invalid language code specified")
        return self._scope_key(params.get_json("scope")), language

    def _m_set_my_commands(self, params: Params, connection: Connection) -> bool:
        commands = params.get_json("commands")
        if not isinstance(commands, list):
            raise BotApiError.bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise BotApiError.bad_request("too many commands specified")
        checked: list[JSON] = []
        for command in commands:
            if not isinstance(command, dict):
                raise BotApiError.bad_request("can't parse BotCommand JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise BotApiError.bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise BotApiError.bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            checked.append({"command": name, "description": description})
        key = self._command_key(params)
        if checked:
            self._commands[key] = checked
        else:
            self._commands.pop(key, None)
        return True

    def _m_get_my_commands(self, params: Params, connection: Connection) -> list[JSON]:
        return copy.deepcopy(self._commands.get(self._command_key(params), []))

    def _m_delete_my_commands(self, params: Params, connection: Connection) -> bool:
        self._commands.pop(self._command_key(params), None)
        return True
