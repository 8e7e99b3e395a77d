"""The sandbox's world: users, chats, messages, files and the update queue.

Everything here is plain data producing Telegram-shaped JSON dicts; both the Bot API handlers
(``methods.py``) and the user side (``users.py``) operate on one :class:`SandboxState`.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import mimetypes
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .keyboards import Markup, inline_buttons, reply_rows

Json = dict[str, Any]


def unix_now() -> int:
    return int(time.time())


class Signal:
    """Wakes every waiter when something changes (new update, acknowledgement, bot call).

    Waiters take the current event, re-check their condition, then wait; ``notify`` swaps in a
    fresh event so nobody misses a change between checking and waiting.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float | None) -> bool:  # noqa: ASYNC109
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def wait_until(self, condition: Callable[[], bool], timeout: float) -> None:  # noqa: ASYNC109
        """Return once ``condition()`` holds; raise TimeoutError after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError("condition not reached in time")
            await self.wait(remaining)


@dataclass
class UserProfile:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_json(self) -> Json:
        data: Json = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for name in ("last_name", "username", "language_code"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        return data

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


# --------------------------------------------------------------------------------------------
# Files


@dataclass(frozen=True)
class FileRecord:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    filename: str | None
    mime_type: str | None

    @property
    def size(self) -> int:
        return len(self.data)


class FileStore:
    def __init__(self) -> None:
        self._by_id: dict[str, FileRecord] = {}
        self._by_path: dict[str, FileRecord] = {}
        self._counter = itertools.count(1)

    def add(
        self,
        data: bytes,
        *,
        kind: str,
        filename: str | None = None,
        mime_type: str | None = None,
    ) -> FileRecord:
        number = next(self._counter)
        digest = hashlib.sha1(data + str(number).encode()).hexdigest()
        extension = _extension(filename, mime_type, kind)
        record = FileRecord(
            file_id=f"SBX{kind[:3].upper()}{number:06d}{digest[:24]}",
            file_unique_id=f"U{digest[:15]}",
            file_path=f"{kind}s/file_{number}{extension}",
            data=data,
            filename=filename,
            mime_type=mime_type,
        )
        self._by_id[record.file_id] = record
        self._by_path[record.file_path] = record
        return record

    def photo_sizes(self, record: FileRecord) -> list[Json]:
        """Telegram sends several sizes; here a thumbnail and the original, sharing the bytes."""
        width, height = image_size(record.data)
        scale = min(1.0, 90 / max(width, height, 1))
        thumbnail = FileRecord(
            file_id=record.file_id + "_s",
            file_unique_id=record.file_unique_id + "s",
            file_path=record.file_path,
            data=record.data,
            filename=record.filename,
            mime_type=record.mime_type,
        )
        self._by_id[thumbnail.file_id] = thumbnail
        sizes = [(thumbnail, max(1, int(width * scale)), max(1, int(height * scale)))]
        sizes.append((record, width, height))
        return [
            {
                "file_id": size.file_id,
                "file_unique_id": size.file_unique_id,
                "width": w,
                "height": h,
                "file_size": size.size,
            }
            for size, w, h in sizes
        ]

    def get(self, file_id: str) -> FileRecord | None:
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> FileRecord | None:
        return self._by_path.get(file_path)


def _extension(filename: str | None, mime_type: str | None, kind: str) -> str:
    if filename and "." in filename:
        return "." + filename.rsplit(".", 1)[1]
    guessed = mimetypes.guess_extension(mime_type) if mime_type else None
    return guessed or {"photo": ".jpg", "sticker": ".webp"}.get(kind, "")


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG; a plausible default for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(data) and data[index] == 0xFF:
            marker = data[index + 1]
            length = struct.unpack(">H", data[index + 2 : index + 4])[0]
            if marker in {0xC0, 0xC1, 0xC2}:
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + length
    return 800, 600


class DocumentInfo(NamedTuple):
    filename: str | None
    mime_type: str | None
    data: bytes


# --------------------------------------------------------------------------------------------
# Messages


@dataclass
class BotMessage:
    """A message the bot sent, as the user sees it (kept up to date with edits/deletes)."""

    message_id: int
    chat_id: int
    date: int
    method: str
    text: str | None = None  # visible text, or the caption of a media message
    raw_text: str | None = None  # exactly what the bot sent, markup included
    parse_mode: str | None = None
    entities: list[Json] = field(default_factory=list)
    markup: Markup | None = None
    document: DocumentInfo | None = None
    photo: bytes | None = None
    location: tuple[float, float] | None = None
    venue: Json | None = None
    reply_to_message_id: int | None = None
    edited: int = 0
    edit_date: int | None = None
    deleted: bool = False
    content: Json = field(default_factory=dict)  # kind-specific Message JSON fields

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        return inline_buttons(self.markup)

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        return reply_rows(self.markup)

    @property
    def has_inline_keyboard(self) -> bool:
        return self.markup is not None and self.markup.is_inline

    @property
    def is_text(self) -> bool:
        return "text" in self.content

    def summary(self) -> Json:
        """A JSON-safe description for the HTTP control API."""
        return {
            "message_id": self.message_id,
            "chat_id": self.chat_id,
            "date": self.date,
            "text": self.text,
            "raw_text": self.raw_text,
            "parse_mode": self.parse_mode,
            "buttons": self.buttons,
            "reply_keyboard": self.reply_keyboard,
            "document": None
            if self.document is None
            else {
                "filename": self.document.filename,
                "mime_type": self.document.mime_type,
                "size": len(self.document.data),
            },
            "photo_size": None if self.photo is None else len(self.photo),
            "location": self.location,
            "venue": self.venue,
            "edited": self.edited,
            "deleted": self.deleted,
        }


@dataclass
class Chat:
    id: int
    type: str  # "private" | "group" | "supergroup"
    title: str | None = None
    user: UserProfile | None = None  # the other party of a private chat
    members: dict[int, UserProfile] = field(default_factory=dict)
    blocked: bool = False
    next_message_id: int = 1
    bot_messages: list[BotMessage] = field(default_factory=list)
    user_messages: dict[int, Json] = field(default_factory=dict)
    reply_keyboard: Markup | None = None  # the reply keyboard currently shown, if any
    _bot_index: dict[int, BotMessage] = field(default_factory=dict, repr=False)

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    @property
    def chat_instance(self) -> str:
        return str(int(hashlib.sha1(str(self.id).encode()).hexdigest()[:15], 16))

    def to_json(self) -> Json:
        if self.user is not None:
            data: Json = {"id": self.id, "type": "private", "first_name": self.user.first_name}
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
            return data
        return {"id": self.id, "type": self.type, "title": self.title or ""}

    def allocate_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def add_bot_message(self, message: BotMessage) -> None:
        self.bot_messages.append(message)
        self._bot_index[message.message_id] = message

    def bot_message(self, message_id: int) -> BotMessage | None:
        """A bot message that still exists (not deleted)."""
        message = self._bot_index.get(message_id)
        return message if message is not None and not message.deleted else None

    def has_message(self, message_id: int) -> bool:
        return self.bot_message(message_id) is not None or message_id in self.user_messages


@dataclass
class CallbackRecord:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False


# --------------------------------------------------------------------------------------------
# Updates


class UpdateQueue:
    """Updates waiting for the bot, with Telegram's acknowledge-by-offset semantics."""

    def __init__(self, signal: Signal) -> None:
        self._signal = signal
        self._next_id = 1
        self.pending: list[Json] = []
        self.acknowledged: set[int] = set()

    def push(self, kind: str, body: Json) -> Json:
        update = {"update_id": self._next_id, kind: body}
        self._next_id += 1
        self.pending.append(update)
        self._signal.notify()
        return update

    def ack_below(self, offset: int) -> None:
        """getUpdates with ``offset``: everything before it is confirmed and forgotten."""
        kept = []
        for update in self.pending:
            if update["update_id"] < offset:
                self.acknowledged.add(update["update_id"])
            else:
                kept.append(update)
        if len(kept) != len(self.pending):
            self.pending = kept
            self._signal.notify()

    def ack(self, update_id: int) -> None:
        self.pending = [u for u in self.pending if u["update_id"] != update_id]
        self.acknowledged.add(update_id)
        self._signal.notify()

    def keep_last(self, count: int) -> None:
        """A negative getUpdates offset: forget all but the last ``count`` updates."""
        self.pending = self.pending[-count:] if count > 0 else []

    def drop(self, predicate: Callable[[Json], bool] | None = None) -> int:
        """Forget pending updates (drop_pending_updates, or types the bot doesn't want)."""
        before = len(self.pending)
        self.pending = [u for u in self.pending if predicate is not None and not predicate(u)]
        return before - len(self.pending)

    @property
    def last_id(self) -> int:
        return self._next_id - 1


def update_kind(update: Json) -> str:
    return next(key for key in update if key != "update_id")


# --------------------------------------------------------------------------------------------
# The world


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class SandboxState:
    def __init__(self, token: str, bot_username: str, bot_first_name: str = "Tideline") -> None:
        self.token = token
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot = UserProfile(bot_id, bot_first_name, username=bot_username, is_bot=True)
        self.signal = Signal()
        self.updates = UpdateQueue(self.signal)
        self.users: dict[int, UserProfile] = {}
        self.chats: dict[int, Chat] = {}
        self.files = FileStore()
        self.callbacks: dict[str, CallbackRecord] = {}
        self.callback_answers: dict[int, list[Json]] = {}
        self.commands: dict[tuple[str, str], list[Json]] = {}
        self.menu_buttons: dict[int | None, Json] = {}
        self.webhook: WebhookConfig | None = None
        self.allowed_updates: list[str] | None = None
        self._callback_ids = itertools.count(1)

    # -- people and chats ------------------------------------------------------------------

    def ensure_user(self, user_id: int, **profile: Any) -> UserProfile:
        user = self.users.get(user_id)
        if user is None:
            user = UserProfile(user_id, profile.pop("first_name", None) or f"User{user_id}")
            self.users[user_id] = user
        for name, value in profile.items():
            if value is not None:
                setattr(user, name, value)
        return user

    def private_chat(self, user: UserProfile) -> Chat:
        """The private chat with ``user``, created on the user's first action."""
        chat = self.chats.get(user.id)
        if chat is None:
            chat = Chat(id=user.id, type="private", user=user)
            self.chats[user.id] = chat
        return chat

    def group_chat(self, chat_id: int, title: str, chat_type: str) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = Chat(id=chat_id, type=chat_type, title=title)
            self.chats[chat_id] = chat
        return chat

    def resolve_chat(self, chat_id: int | str | None) -> Chat | None:
        if isinstance(chat_id, int):
            return self.chats.get(chat_id)
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            wanted = chat_id[1:].lower()
            for chat in self.chats.values():
                if chat.user is not None and (chat.user.username or "").lower() == wanted:
                    return chat
        return None

    # -- messages from people --------------------------------------------------------------

    def user_message(self, chat: Chat, sender: UserProfile, content: Json) -> Json:
        """Store a message a person sent and return its JSON (not yet enqueued)."""
        message = {
            "message_id": chat.allocate_message_id(),
            "from": sender.to_json(),
            "chat": chat.to_json(),
            "date": unix_now(),
            **content,
        }
        chat.user_messages[message["message_id"]] = message
        return message

    def enqueue(self, kind: str, body: Json) -> Json:
        return self.updates.push(kind, body)

    def new_callback_id(self, user_id: int) -> str:
        return f"{user_id}{next(self._callback_ids):08d}"

    # -- bot messages ----------------------------------------------------------------------

    def message_json(self, chat: Chat, message_id: int, *, nested: bool = True) -> Json | None:
        bot_message = chat.bot_message(message_id)
        if bot_message is not None:
            return self.bot_message_json(chat, bot_message, nested=nested)
        message = chat.user_messages.get(message_id)
        if message is None:
            return None
        return message if nested else {k: v for k, v in message.items() if k != "reply_to_message"}

    def bot_message_json(self, chat: Chat, message: BotMessage, *, nested: bool = True) -> Json:
        data: Json = {
            "message_id": message.message_id,
            "from": self.bot.to_json(),
            "chat": chat.to_json(),
            "date": message.date,
            **message.content,
        }
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.has_inline_keyboard:
            assert message.markup is not None
            data["reply_markup"] = message.markup.data
        if nested and message.reply_to_message_id is not None:
            replied = self.message_json(chat, message.reply_to_message_id, nested=False)
            if replied is not None:
                data["reply_to_message"] = replied
        return data
