"""Tests register users and chats, and set members' and the bot's statuses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._chat_state import MEMBER_STATUSES, Member
from ._core import ServerCore
from ._models import FakeChat, FakeUser


class Registry(ServerCore):
    """Users and chats (private, group, supergroup, channel) and who is what in them."""

    def new_user(
        self,
        first_name: str = "测试用户",
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "zh-hans",
        is_premium: bool = False,
        started: bool = True,
        user_id: int | None = None,
    ) -> FakeUser:
        """A new user with a fresh id; ``started`` opens their private chat with the bot."""
        with self._lock:
            user = FakeUser(
                user_id if user_id is not None else next(self._user_ids),
                first_name,
                username=username,
                last_name=last_name,
                language_code=language_code,
                is_premium=is_premium,
            )
            self._users[user.id] = user
            if started:
                self._state(FakeChat.private(user))
            return user

    def new_group(
        self,
        title: str = "工会小组",
        *,
        members: Mapping[FakeUser, str] | Iterable[FakeUser] = (),
        bot_status: str = "member",
    ) -> FakeChat:
        """A basic group; ``members`` maps users to statuses (a plain list makes members)."""
        chat = FakeChat(-next(self._group_ids), "group", title=title)
        return self.add_chat(chat, members=members, bot_status=bot_status)

    def new_supergroup(
        self,
        title: str = "工会大群",
        *,
        username: str | None = None,
        is_forum: bool = False,
        members: Mapping[FakeUser, str] | Iterable[FakeUser] = (),
        bot_status: str = "member",
    ) -> FakeChat:
        chat = FakeChat(-next(self._supergroup_ids), "supergroup", title=title, username=username, is_forum=is_forum)
        return self.add_chat(chat, members=members, bot_status=bot_status)

    def new_channel(
        self,
        title: str = "工会报",
        *,
        username: str | None = None,
        members: Mapping[FakeUser, str] | Iterable[FakeUser] = (),
        bot_status: str = "administrator",
    ) -> FakeChat:
        chat = FakeChat(-next(self._supergroup_ids), "channel", title=title, username=username)
        return self.add_chat(chat, members=members, bot_status=bot_status)

    def add_chat(
        self,
        chat: FakeChat,
        *,
        members: Mapping[FakeUser, str] | Iterable[FakeUser] = (),
        bot_status: str = "member",
        started: bool = True,
    ) -> FakeChat:
        """Register ``chat`` (any type) with its members and the bot's own status in it."""
        with self._lock:
            state = self._state(chat)
            state.started = started
            if chat.type != "private":
                self._set_bot_status(state, bot_status)
            pairs = members.items() if isinstance(members, Mapping) else ((user, "member") for user in members)
            for user, status in pairs:
                self.set_member(chat, user, status)
            return chat

    def set_member(self, chat: FakeChat, user: FakeUser, status: str, **fields: Any) -> None:
        """Set ``user``'s status in ``chat`` (creator, administrator, member, restricted, left,
        kicked); ``fields`` override ChatMember fields such as ``can_delete_messages``."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown member status {status!r}")
        with self._lock:
            self._users.setdefault(user.id, user)
            if user.id == self.bot_user.id:
                self._set_bot_status(self._state(chat), status, fields)
                return
            self._state(chat).members[user.id] = Member(user, status, dict(fields))

    def set_bot_status(self, chat: FakeChat, status: str, **fields: Any) -> None:
        """The bot's own status in a group or channel (``kicked`` and ``left`` make sends fail)."""
        with self._lock:
            self._set_bot_status(self._state(chat), status, fields)

    def block_bot(self, user: FakeUser | FakeChat, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot: sends to them fail with 403."""
        with self._lock:
            self._state(self._private_chat(user)).blocked = blocked

    def deactivate_user(self, user: FakeUser | FakeChat) -> None:
        """The user deletes their account: sends fail with "user is deactivated"."""
        with self._lock:
            self._state(self._private_chat(user)).deactivated = True

    def mark_migrated(self, chat: FakeChat, new_chat_id: int) -> None:
        """Calls naming ``chat`` fail with 400 and ``migrate_to_chat_id`` (no updates queued)."""
        with self._lock:
            self._state(chat).migrated_to = new_chat_id

    def chat(self, chat_id: int) -> FakeChat:
        with self._lock:
            return self._chats[chat_id].chat
