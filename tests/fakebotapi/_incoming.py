"""Builders of incoming updates: users writing, pressing buttons, asking inline, changing
memberships, groups migrating."""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from typing import Any

from ._chat_state import Member, member_json
from ._html import detect_entities, sorted_entities
from ._models import ANONYMOUS_ADMIN_ID, JSON, FakeChat, FakeUser, StoredMessage, without_reply
from ._registry import Registry


class IncomingUpdates(Registry):
    """Updates as Telegram would send them to the bot, stored and queued for delivery."""

    def send_text(
        self,
        chat: FakeChat | FakeUser,
        user: FakeUser | None,
        text: str,
        reply_to: Mapping[str, Any] | StoredMessage | None = None,
        entities: list[JSON] | None = None,
        *,
        enqueue: bool = True,
    ) -> JSON:
        """A user writes ``text`` in ``chat`` (a user means their private chat).

        Entities are detected like Telegram does (bot commands, @mentions, URLs, hashtags)
        unless given.  Returns the update.  In groups with privacy mode on, a message the bot
        would not see is stored but not queued, and its update has ``update_id`` 0.  With
        ``enqueue=False`` the update is only built, e.g. for :meth:`post_update_to`.
        """
        with self._lock:
            chat = self._private_chat(chat) if isinstance(chat, FakeUser) else chat
            sender = user or self._users.get(chat.id)
            if sender is None:
                raise ValueError("send_text needs the sending user outside private chats")
            state = self._incoming_state(chat, sender)
            message = self._user_message(state, sender)
            if reply_to is not None:
                message["reply_to_message"] = without_reply(self._find(reply_to).message)
            message["text"] = text
            found = detect_entities(text) if entities is None else sorted_entities(entities)
            if found:
                message["entities"] = found
            self._store_message(state, message, text, None, from_bot=False)
            update = {"message": message}
            if not self._bot_sees(state, message):
                return {"update_id": 0, **update}
            if not enqueue:
                return {"update_id": next(self._update_ids), **copy.deepcopy(update)}
            return self.enqueue(update)

    def send_command(self, chat: FakeChat | FakeUser, user: FakeUser | None, command: str, args: str = "") -> JSON:
        """``/command args``; in groups the command is addressed as ``/command@bot``."""
        with self._lock:
            target = self._private_chat(chat) if isinstance(chat, FakeUser) else chat
        name = command.lstrip("/")
        if target.type != "private" and "@" not in name:
            name = f"{name}@{self.bot_username}"
        return self.send_text(chat, user, f"/{name}" + (f" {args}" if args else ""))

    def edit_text(self, message: Mapping[str, Any] | StoredMessage, text: str) -> JSON:
        """The user edits their message: an ``edited_message`` update."""
        with self._lock:
            stored = self._find(message)
            if stored.from_bot:
                raise ValueError("users cannot edit the bot's messages")
            edited = {**stored.message, "text": text, "edit_date": int(time.time())}
            entities = detect_entities(text)
            if entities:
                edited["entities"] = entities
            else:
                edited.pop("entities", None)
            stored.history.append(stored.message)
            stored.message = edited
            stored.source = text
            key = "edited_channel_post" if edited["chat"]["type"] == "channel" else "edited_message"
            return self.enqueue({key: edited})

    def anonymous_admin_text(self, chat: FakeChat, text: str, *, signature: str | None = None) -> JSON:
        """An anonymous admin writes in a group: ``from`` is @GroupAnonymousBot and
        ``sender_chat`` the group itself.  Admin messages reach the bot as commands do."""
        anonymous = FakeUser(
            ANONYMOUS_ADMIN_ID, "Group", username="GroupAnonymousBot", is_bot=True, language_code=None
        )
        with self._lock:
            state = self._known_state(chat)
            if chat.type not in ("group", "supergroup"):
                raise ValueError("anonymous admins write in groups")
            message = self._user_message(state, anonymous)
            message["sender_chat"] = chat.to_json()
            if signature:
                message["author_signature"] = signature
            message["text"] = text
            entities = detect_entities(text)
            if entities:
                message["entities"] = entities
            self._store_message(state, message, text, None, from_bot=False)
            if not self._bot_sees(state, message):
                return {"update_id": 0, "message": message}
            return self.enqueue({"message": message})

    def channel_post(self, chat: FakeChat, text: str) -> JSON:
        """A post in a channel; the bot gets it only as a channel admin."""
        with self._lock:
            state = self._known_state(chat)
            message = {
                "message_id": state.take_message_id(),
                "sender_chat": chat.to_json(),
                "chat": chat.to_json(),
                "date": int(time.time()),
                "text": text,
            }
            entities = detect_entities(text)
            if entities:
                message["entities"] = entities
            self._store_message(state, message, text, None, from_bot=False)
            if state.bot_status not in ("administrator", "creator"):
                return {"update_id": 0, "channel_post": message}
            return self.enqueue({"channel_post": message})

    def press_button(
        self,
        message: Mapping[str, Any] | StoredMessage,
        user: FakeUser,
        data: str,
        *,
        check: bool = True,
    ) -> JSON:
        """``user`` presses the inline button with ``callback_data == data`` under a message.

        The update carries the message as it is now.  With ``check``, ``data`` must be one of
        the message's buttons.  The query stays open for answerCallbackQuery.
        """
        with self._lock:
            stored = self._find(message)
            if stored.deleted:
                raise ValueError(f"message {stored.message_id} in chat {stored.chat_id} was deleted")
            if check and data not in stored.callback_data:
                raise ValueError(f"no button with callback_data {data!r}; the message has {stored.callback_data}")
            query_id = str(4_200_000_000_000_000_000 + next(self._query_ids))
            query = {
                "id": query_id,
                "from": user.to_json(),
                "message": copy.deepcopy(stored.message),
                "chat_instance": str(-(abs(stored.chat_id) * 7919 + 17)),
                "data": data,
            }
            self._callback_queries[query_id] = query
            return self.enqueue({"callback_query": query})

    def inline_query(self, user: FakeUser, query: str, *, offset: str = "", chat_type: str | None = "sender") -> JSON:
        """``user`` types ``@bot query``; the query stays open for answerInlineQuery."""
        with self._lock:
            query_id = str(4_300_000_000_000_000_000 + next(self._query_ids))
            data: JSON = {"id": query_id, "from": user.to_json(), "query": query, "offset": offset}
            if chat_type:
                data["chat_type"] = chat_type
            self._inline_queries[query_id] = data
            return self.enqueue({"inline_query": data})

    def my_chat_member(
        self,
        chat: FakeChat | FakeUser,
        old_status: str,
        new_status: str,
        *,
        by: FakeUser | None = None,
    ) -> JSON:
        """The bot's status in ``chat`` changes (added to a group, promoted, removed, blocked
        by a user when ``kicked`` in a private chat); the new status takes effect at once."""
        with self._lock:
            target = self._private_chat(chat) if isinstance(chat, FakeUser) else chat
            state = self._state(target)
            actor = (
                by or self._users.get(target.id) or self._creator(state) or self.new_user("群管理员", started=False)
            )
            if target.type == "private":
                state.blocked = new_status == "kicked"
                state.started = state.started or new_status == "member"
            else:
                self._set_bot_status(state, new_status)
            update = {
                "chat": target.to_json(),
                "from": actor.to_json(),
                "date": int(time.time()),
                "old_chat_member": member_json(self.bot_user.to_json(), old_status, target.type),
                "new_chat_member": member_json(self.bot_user.to_json(), new_status, target.type, state.bot_extra),
            }
            return self.enqueue({"my_chat_member": update})

    def chat_member(
        self, chat: FakeChat, user: FakeUser, old_status: str, new_status: str, *, by: FakeUser | None = None
    ) -> JSON:
        """Another member's status changes (delivered only when allowed_updates asks for it)."""
        with self._lock:
            state = self._known_state(chat)
            self.set_member(chat, user, new_status)
            update = {
                "chat": chat.to_json(),
                "from": (by or user).to_json(),
                "date": int(time.time()),
                "old_chat_member": member_json(user.to_json(), old_status, chat.type),
                "new_chat_member": member_json(user.to_json(), new_status, chat.type, state.members[user.id].extra),
            }
            return self.enqueue({"chat_member": update})

    def migrate(self, chat: FakeChat, new_chat_id: int | None = None, *, by: FakeUser | None = None) -> FakeChat:
        """Upgrade a group to a supergroup as Telegram does: the old chat answers every call
        with ``migrate_to_chat_id``; a service message goes to each chat.  Returns the new chat."""
        with self._lock:
            old = self._known_state(chat)
            if chat.type != "group":
                raise ValueError("only basic groups migrate")
            new_id = new_chat_id if new_chat_id is not None else -next(self._supergroup_ids)
            new_chat = FakeChat(new_id, "supergroup", title=chat.title)
            new = self._state(new_chat)
            new.members = {uid: Member(m.user, m.status, dict(m.extra)) for uid, m in old.members.items()}
            new.bot_status, new.bot_extra = old.bot_status, dict(old.bot_extra)
            actor = by or self._creator(old) or self.new_user("群主", started=False)
            to_message = self._user_message(old, actor)
            to_message["migrate_to_chat_id"] = new_chat.id
            self._store_message(old, to_message, "", None, from_bot=False)
            old.migrated_to = new_chat.id
            from_message = self._user_message(new, actor)
            from_message["migrate_from_chat_id"] = chat.id
            self._store_message(new, from_message, "", None, from_bot=False)
            self.enqueue({"message": to_message})
            self.enqueue({"message": from_message})
            return new_chat
