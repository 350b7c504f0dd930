"""What the server knows about one chat: its members, the bot's status and its messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._models import JSON, FakeChat, FakeUser, StoredMessage

_ADMIN_RIGHTS: JSON = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
    "can_pin_messages": True,
}
_CHANNEL_ADMIN_RIGHTS: JSON = {"can_post_messages": True, "can_edit_messages": True}
_RESTRICTED_FIELDS: JSON = {
    "is_member": True,
    "can_send_messages": False,
    "can_send_audios": False,
    "can_send_documents": False,
    "can_send_photos": False,
    "can_send_videos": False,
    "can_send_video_notes": False,
    "can_send_voice_notes": False,
    "can_send_polls": False,
    "can_send_other_messages": False,
    "can_add_web_page_previews": False,
    "can_change_info": False,
    "can_invite_users": False,
    "can_pin_messages": False,
    "can_manage_topics": False,
    "can_edit_tag": False,
    "until_date": 0,
}
MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})


def member_json(user: JSON, status: str, chat_type: str, extra: Mapping[str, Any] | None = None) -> JSON:
    """Telegram's ChatMember object for ``status``."""
    data: JSON = {"user": user, "status": status}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(_ADMIN_RIGHTS)
        if chat_type == "channel":
            data.update(_CHANNEL_ADMIN_RIGHTS)
        if chat_type == "supergroup":
            data["can_manage_topics"] = False
    elif status == "restricted":
        data.update(_RESTRICTED_FIELDS)
    elif status == "kicked":
        data["until_date"] = 0
    data.update(extra or {})
    return data


@dataclass
class Member:
    user: FakeUser
    status: str
    extra: JSON = field(default_factory=dict)


@dataclass
class ChatState:
    chat: FakeChat
    members: dict[int, Member] = field(default_factory=dict)
    bot_status: str = "member"
    bot_extra: JSON = field(default_factory=dict)
    started: bool = True
    blocked: bool = False
    deactivated: bool = False
    migrated_to: int | None = None
    next_message_id: int = 1
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    last_bot_command_sender: bool = False

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    @property
    def kind(self) -> str:
        return f"{self.chat.type} chat"
