"""The user side: people who talk to the bot in private chats and groups.

Every action builds the Telegram JSON a real client would cause, enqueues exactly one Update
(waking long pollers / the webhook sender at once) and returns that Update. What the bot sends
back is read from ``messages`` / ``last`` / ``inbox_since``.
"""

from __future__ import annotations

import asyncio
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence

from .state import (
    BotMessage,
    CallbackRecord,
    Chat,
    Json,
    SandboxState,
    UserProfile,
    unix_now,
)

_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_STICKER_BYTES = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"  # noqa: E501


def command_entities(text: str) -> list[Json]:
    """bot_command entities, as Telegram adds them to incoming text (PTB's CommandHandler
    only recognises a command when an entity starts at offset 0)."""
    entities = []
    for match in _COMMAND.finditer(text):
        offset = len(text[: match.start()].encode("utf-16-le")) // 2
        length = len(match.group(0).encode("utf-16-le")) // 2
        entities.append({"type": "bot_command", "offset": offset, "length": length})
    return entities


def text_content(text: str) -> Json:
    content: Json = {"text": text}
    entities = command_entities(text)
    if entities:
        content["entities"] = entities
    return content


MessageRef = BotMessage | int | None


class ChatView(ABC):
    """What a person sees of one chat: the bot's messages, kept up to date."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self._last_action_mark = 0

    @abstractmethod
    def _chat(self) -> Chat | None:
        """The chat this view shows (None while a private chat has not started)."""

    @property
    def messages(self) -> list[BotMessage]:
        """Everything the bot sent to this chat, in order; deleted ones have deleted=True."""
        chat = self._chat()
        return list(chat.bot_messages) if chat is not None else []

    @property
    def last(self) -> BotMessage | None:
        """The latest bot message that has not been deleted."""
        chat = self._chat()
        if chat is None:
            return None
        return next((m for m in reversed(chat.bot_messages) if not m.deleted), None)

    def mark(self) -> int:
        """A position in the chat to pass to :meth:`inbox_since` later."""
        chat = self._chat()
        return len(chat.bot_messages) if chat is not None else 0

    def inbox_since(self, mark: int) -> list[BotMessage]:
        """Bot messages sent after ``mark`` (from :meth:`mark`) that were not deleted."""
        chat = self._chat()
        messages = chat.bot_messages[mark:] if chat is not None else []
        return [message for message in messages if not message.deleted]

    async def wait_for_message(
        self,
        mark: int | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> BotMessage:
        """The first bot message after ``mark`` (default: before this side's latest action)."""
        start = self._last_action_mark if mark is None else mark
        await self._state.signal.wait_until(lambda: bool(self.inbox_since(start)), timeout)
        return self.inbox_since(start)[0]

    def _find_message(self, message: MessageRef, *, need_keyboard: bool) -> BotMessage:
        chat = self._chat()
        if chat is None:
            raise LookupError("the bot has not sent anything to this chat")
        if isinstance(message, BotMessage):
            message = message.message_id
        if isinstance(message, int):
            found = chat.bot_message(message)
            if found is None:
                raise LookupError(f"no bot message {message} in chat {chat.id}")
            return found
        candidates = [m for m in chat.bot_messages if not m.deleted]
        with_keyboard = [m for m in candidates if m.has_inline_keyboard]
        if with_keyboard:
            return with_keyboard[-1]
        if candidates and not need_keyboard:
            return candidates[-1]
        raise LookupError(f"no bot message with an inline keyboard in chat {chat.id}")

    def _callback(self, user: UserProfile, target: BotMessage, data: str) -> Json:
        chat = self._chat()
        assert chat is not None
        query_id = self._state.new_callback_id(user.id)
        self._state.callbacks[query_id] = CallbackRecord(
            query_id, user.id, chat.id, target.message_id, data
        )
        body = {
            "id": query_id,
            "from": user.to_json(),
            "message": self._state.bot_message_json(chat, target),
            "chat_instance": chat.chat_instance,
            "data": data,
        }
        return self._state.enqueue("callback_query", body)

    def _press(self, user: UserProfile, button: str, message: MessageRef) -> Json:
        target = self._find_message(message, need_keyboard=True)
        markup = target.markup if target.has_inline_keyboard else None
        keyboard = markup.data["inline_keyboard"] if markup is not None else []
        pressable = [b for row in keyboard for b in row if "callback_data" in b]
        by_text = [b["callback_data"] for b in pressable if b["text"] == button]
        by_data = [b["callback_data"] for b in pressable if b["callback_data"] == button]
        if not by_text and not by_data:
            raise LookupError(
                f"no callback button {button!r} on message {target.message_id}; "
                f"buttons are {target.buttons}"
            )
        self._last_action_mark = self.mark()
        return self._callback(user, target, (by_text or by_data)[0])

    def _post(self, sender: UserProfile, content: Json, kind: str = "message") -> Json:
        chat = self._chat()
        assert chat is not None
        self._last_action_mark = self.mark()
        message = self._state.user_message(chat, sender, content)
        return self._state.enqueue(kind, message)


class SandboxUser(ChatView):
    """A person with a private chat with the bot (created by their first action)."""

    def __init__(self, state: SandboxState, profile: UserProfile) -> None:
        super().__init__(state)
        self.profile = profile

    def __repr__(self) -> str:
        return f"SandboxUser({self.id}, {self.profile.first_name!r})"

    @property
    def id(self) -> int:
        return self.profile.id

    @property
    def first_name(self) -> str:
        return self.profile.first_name

    @property
    def username(self) -> str | None:
        return self.profile.username

    @property
    def chat(self) -> Chat:
        return self._state.private_chat(self.profile)

    def _chat(self) -> Chat | None:
        return self._state.chats.get(self.profile.id)

    @property
    def blocked(self) -> bool:
        chat = self._chat()
        return chat is not None and chat.blocked

    @property
    def callback_answers(self) -> list[Json]:
        """answerCallbackQuery payloads for this user's button presses, oldest first."""
        return list(self._state.callback_answers.get(self.id, []))

    def to_json(self) -> Json:
        return self.profile.to_json()

    # -- sending ---------------------------------------------------------------------------

    async def send_text(self, text: str, *, reply_to: int | None = None) -> Json:
        content = text_content(text)
        if reply_to is not None:
            replied = self._state.message_json(self.chat, reply_to, nested=False)
            if replied is None:
                raise LookupError(f"no message {reply_to} to reply to")
            content["reply_to_message"] = replied
        return await self._act(content)

    async def edit_text(self, message_id: int, text: str) -> Json:
        """Edit a text message the user sent earlier; arrives as ``edited_message``."""
        message = self.chat.user_messages.get(message_id)
        if message is None or "text" not in message:
            raise LookupError(f"no text message {message_id} from this user to edit")
        message.pop("entities", None)
        message.update(text_content(text), edit_date=unix_now())
        self._last_action_mark = self.mark()
        update = self._state.enqueue("edited_message", dict(message))
        await asyncio.sleep(0)
        return update

    async def send_command(self, command: str, args: str | None = None) -> Json:
        text = "/" + command.lstrip("/")
        return await self.send_text(f"{text} {args}" if args else text)

    async def send_sticker(self, emoji: str = "👍") -> Json:
        record = self._state.files.add(_STICKER_BYTES, kind="sticker", mime_type="image/webp")
        sticker = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": record.size,
        }
        return await self._act({"sticker": sticker})

    async def send_photo(self, data: bytes, caption: str | None = None) -> Json:
        record = self._state.files.add(data, kind="photo", mime_type="image/jpeg")
        content: Json = {"photo": self._state.files.photo_sizes(record)}
        if caption:
            content["caption"] = caption
        return await self._act(content)

    async def send_document(
        self,
        data: bytes,
        filename: str = "file.bin",
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> Json:
        record = self._state.files.add(
            data, kind="document", filename=filename, mime_type=mime_type
        )
        document = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_name": filename,
            "mime_type": mime_type,
            "file_size": record.size,
        }
        content: Json = {"document": document}
        if caption:
            content["caption"] = caption
        return await self._act(content)

    async def send_location(
        self,
        latitude: float,
        longitude: float,
        live_period: int | None = None,
        horizontal_accuracy: float | None = None,
    ) -> Json:
        location: Json = {"latitude": latitude, "longitude": longitude}
        if live_period is not None:
            location["live_period"] = live_period
        if horizontal_accuracy is not None:
            location["horizontal_accuracy"] = horizontal_accuracy
        return await self._act({"location": location})

    async def move_live_location(
        self, latitude: float, longitude: float, message_id: int | None = None
    ) -> Json:
        """Update a live location the user is sharing; arrives as ``edited_message``."""
        chat = self.chat
        live = [
            m
            for m in chat.user_messages.values()
            if "live_period" in m.get("location", {})
            and (message_id is None or m["message_id"] == message_id)
        ]
        if not live:
            raise LookupError("the user is not sharing a live location")
        message = live[-1]
        message["location"] = {**message["location"], "latitude": latitude, "longitude": longitude}
        message["edit_date"] = unix_now()
        self._last_action_mark = self.mark()
        update = self._state.enqueue("edited_message", dict(message))
        await asyncio.sleep(0)
        return update

    async def send_contact(
        self,
        phone_number: str,
        first_name: str,
        last_name: str | None = None,
        user_id: int | None = None,
    ) -> Json:
        contact: Json = {"phone_number": phone_number, "first_name": first_name}
        if last_name:
            contact["last_name"] = last_name
        if user_id is not None:
            contact["user_id"] = user_id
        return await self._act({"contact": contact})

    async def forward_from(
        self, origin: SandboxUser | None, text: str = "", *, hidden_name: str = "Hidden User"
    ) -> Json:
        """A message forwarded from ``origin``, or from a user hiding their account (None)."""
        date = unix_now() - 60
        forward: Json
        if origin is None:
            forward = {"type": "hidden_user", "sender_user_name": hidden_name, "date": date}
        else:
            forward = {"type": "user", "sender_user": origin.to_json(), "date": date}
        return await self._act({**text_content(text or "(forwarded)"), "forward_origin": forward})

    # -- buttons ---------------------------------------------------------------------------

    async def press(self, button: str, message: MessageRef = None) -> Json:
        """Press an inline button (by label first, then by callback_data).

        ``message`` defaults to the latest bot message in the chat with an inline keyboard.
        """
        update = self._press(self.profile, button, message)
        await asyncio.sleep(0)
        return update

    async def press_data(self, data: str, message: MessageRef = None) -> Json:
        """A callback query with arbitrary (possibly forged) data on a bot message."""
        target = self._find_message(message, need_keyboard=False)
        self._last_action_mark = self.mark()
        update = self._callback(self.profile, target, data)
        await asyncio.sleep(0)
        return update

    async def tap_reply_keyboard(self, text: str) -> Json:
        """Send the text of a button of the reply keyboard currently shown."""
        keyboard = self.chat.reply_keyboard
        rows = [
            [b if isinstance(b, str) else b["text"] for b in row]
            for row in (keyboard.data["keyboard"] if keyboard is not None else [])
        ]
        if not any(text in row for row in rows):
            raise LookupError(f"no reply keyboard button {text!r}; shown keyboard: {rows}")
        if keyboard is not None and keyboard.data.get("one_time_keyboard"):
            self.chat.reply_keyboard = None
        return await self.send_text(text)

    # -- blocking --------------------------------------------------------------------------

    def block(self) -> Json | None:
        """Block the bot: a my_chat_member update, and from now on sends get 403."""
        return self._set_blocked(True)

    def unblock(self) -> Json | None:
        return self._set_blocked(False)

    def _set_blocked(self, blocked: bool) -> Json | None:
        chat = self.chat
        if chat.blocked == blocked:
            return None
        chat.blocked = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        bot = self._state.bot.to_json()
        old_member: Json = {"status": old, "user": bot}
        new_member: Json = {"status": new, "user": bot}
        for member in (old_member, new_member):
            if member["status"] == "kicked":
                member["until_date"] = 0
        self._last_action_mark = self.mark()
        return self._state.enqueue(
            "my_chat_member",
            {
                "chat": chat.to_json(),
                "from": self.to_json(),
                "date": unix_now(),
                "old_chat_member": old_member,
                "new_chat_member": new_member,
            },
        )

    async def _act(self, content: Json) -> Json:
        self.chat  # noqa: B018 -- the private chat starts with the user's first action
        update = self._post(self.profile, content)
        await asyncio.sleep(0)
        return update


class SandboxGroup(ChatView):
    """A group chat with several members; each action names the member acting."""

    def __init__(self, state: SandboxState, chat: Chat) -> None:
        super().__init__(state)
        self.chat = chat

    def __repr__(self) -> str:
        return f"SandboxGroup({self.id}, {self.chat.title!r})"

    @property
    def id(self) -> int:
        return self.chat.id

    @property
    def title(self) -> str | None:
        return self.chat.title

    @property
    def members(self) -> list[UserProfile]:
        return list(self.chat.members.values())

    def _chat(self) -> Chat | None:
        return self.chat

    def add_member(self, user: SandboxUser) -> None:
        self.chat.members[user.id] = user.profile

    def add_members(self, users: Sequence[SandboxUser]) -> None:
        for user in users:
            self.add_member(user)

    async def send_text(self, user: SandboxUser, text: str) -> Json:
        self.add_member(user)
        update = self._post(user.profile, text_content(text))
        await asyncio.sleep(0)
        return update

    async def send_command(
        self, user: SandboxUser, command: str, args: str | None = None, *, mention: bool = False
    ) -> Json:
        text = "/" + command.lstrip("/")
        if mention:
            text += f"@{self._state.bot.username}"
        return await self.send_text(user, f"{text} {args}" if args else text)

    async def press(self, user: SandboxUser, button: str, message: MessageRef = None) -> Json:
        update = self._press(user.profile, button, message)
        await asyncio.sleep(0)
        return update

    async def press_data(self, user: SandboxUser, data: str, message: MessageRef = None) -> Json:
        target = self._find_message(message, need_keyboard=False)
        self._last_action_mark = self.mark()
        update = self._callback(user.profile, target, data)
        await asyncio.sleep(0)
        return update
