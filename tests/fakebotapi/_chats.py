"""The methods about chats and their members."""

from __future__ import annotations

import time

from ._chat_state import ChatState, member_json
from ._core import ServerCore
from ._http import Connection
from ._models import JSON, BotApiError
from ._params import Params

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class ChatMethods(ServerCore):
    """sendChatAction, getChat, getChatMember, getChatAdministrators, getChatMemberCount and
    leaveChat."""

    def _m_send_chat_action(self, params: Params, connection: Connection) -> bool:
        state = self._resolve_chat(params)
        action = params.get_str("action")
        if not action:
            raise BotApiError.bad_request("action is empty")
        if action not in _CHAT_ACTIONS:
            raise BotApiError.bad_request("wrong parameter action in request")
        self._check_can_write(state)
        return True

    def _m_get_chat(self, params: Params, connection: Connection) -> JSON:
        state = self._resolve_chat(params)
        info = state.chat.to_json()
        info.update(
            {
                "accent_color_id": abs(state.chat.id) % 7,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        if state.chat.type in ("group", "supergroup"):
            info["permissions"] = {"can_send_messages": True, "can_send_polls": True, "can_invite_users": True}
        return info

    def _member_of(self, state: ChatState, user_id: int) -> JSON:
        if user_id == self.bot_user.id:
            status = state.bot_status if state.chat.type != "private" else "member"
            return member_json(self.bot_user.to_json(), status, state.chat.type, state.bot_extra)
        if state.chat.type == "private":
            if user_id != state.chat.id:
                raise BotApiError.bad_request("user not found")
            return member_json(self._users[user_id].to_json(), "member", "private")
        member = state.members.get(user_id)
        if member is not None:
            return member_json(member.user.to_json(), member.status, state.chat.type, member.extra)
        user = self._users.get(user_id)
        if user is None:
            raise BotApiError.bad_request("user not found")
        return member_json(user.to_json(), "left", state.chat.type)

    def _m_get_chat_member(self, params: Params, connection: Connection) -> JSON:
        state = self._resolve_chat(params)
        user_id = params.get_int("user_id")
        if user_id is None:
            raise BotApiError.bad_request("user_id is empty")
        return self._member_of(state, user_id)

    def _m_get_chat_administrators(self, params: Params, connection: Connection) -> list[JSON]:
        state = self._resolve_chat(params)
        if state.chat.type == "private":
            raise BotApiError.bad_request("there are no administrators in the private chat")
        if state.bot_status in ("left", "kicked"):
            raise BotApiError.forbidden(f"bot is not a member of the {state.kind}")
        admins = [
            member_json(m.user.to_json(), m.status, state.chat.type, m.extra)
            for m in state.members.values()
            if m.status in ("creator", "administrator")
        ]
        if state.bot_status == "administrator":
            admins.append(member_json(self.bot_user.to_json(), "administrator", state.chat.type, state.bot_extra))
        return sorted(admins, key=lambda a: a["status"] != "creator")

    def _m_get_chat_member_count(self, params: Params, connection: Connection) -> int:
        state = self._resolve_chat(params)
        if state.chat.type == "private":
            return 2
        present = ("creator", "administrator", "member", "restricted")
        count = sum(1 for m in state.members.values() if m.status in present)
        return count + (1 if state.bot_status in present else 0)

    def _m_leave_chat(self, params: Params, connection: Connection) -> bool:
        state = self._resolve_chat(params)
        if state.chat.type == "private":
            raise BotApiError.bad_request("chat member status can't be changed in private chats")
        if state.bot_status in ("left", "kicked"):
            raise BotApiError.forbidden(f"bot is not a member of the {state.kind}")
        old = state.bot_status
        self._set_bot_status(state, "left")
        self.enqueue(
            {
                "my_chat_member": {
                    "chat": state.chat.to_json(),
                    "from": self.bot_user.to_json(),
                    "date": int(time.time()),
                    "old_chat_member": member_json(self.bot_user.to_json(), old, state.chat.type),
                    "new_chat_member": member_json(self.bot_user.to_json(), "left", state.chat.type),
                }
            }
        )
        return True
