"""The Bot API methods, as synchronous operations on :class:`SandboxState`.

Each handler takes the request :class:`Params`, returns the ``result`` JSON, or raises
:class:`ApiError` with the status and description Telegram would use. getUpdates lives in
``polling.py`` because it waits.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from .errors import BLOCKED, CHAT_NOT_FOUND, ApiError, bad_request, forbidden, too_many_requests
from .flood import FloodControl, SendRecord
from .keyboards import Markup, validate_markup
from .markup import MarkupError, ParsedText, parse_text
from .params import Params, UploadedFile
from .state import (
    BotMessage,
    Chat,
    DocumentInfo,
    FileRecord,
    Json,
    SandboxState,
    WebhookConfig,
    unix_now,
)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_DOWNLOAD = 20 * 1024 * 1024
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
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
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

Handler = Callable[[Params], Any]


class BotApi:
    def __init__(
        self,
        state: SandboxState,
        flood: Callable[[], FloodControl],
        sends: list[SendRecord],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.state = state
        self._flood = flood  # a getter: tests may swap server.flood at run time
        self.sends = sends
        self._clock = clock

    def handlers(self) -> dict[str, Handler]:
        """Method name (lower case; Telegram ignores case) → handler."""
        methods: dict[str, Handler] = {
            "getMe": self.get_me,
            "sendMessage": self.send_message,
            "sendDocument": self.send_document,
            "sendPhoto": self.send_photo,
            "sendLocation": self.send_location,
            "sendVenue": self.send_venue,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "editMessageCaption": self.edit_message_caption,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "getFile": self.get_file,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setChatMenuButton": self.set_chat_menu_button,
            "getChatMenuButton": self.get_chat_menu_button,
            "getChat": self.get_chat,
            "sendChatAction": self.send_chat_action,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
        }
        return {name.lower(): handler for name, handler in methods.items()}

    # -- identity --------------------------------------------------------------------------

    def get_me(self, params: Params) -> Json:
        return {
            **self.state.bot.to_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    # -- sending ---------------------------------------------------------------------------

    def send_message(self, params: Params) -> Json:
        chat = self._send_target(params)
        parsed = self._text(params.string("text"), params.string("parse_mode"), params)
        markup = validate_markup(params.structured("reply_markup"))
        reply_to = self._reply_to(chat, params)
        content: Json = {"text": parsed.text}
        if parsed.entities:
            content["entities"] = parsed.entities
        preview = params.structured("link_preview_options")
        if isinstance(preview, dict) and preview:
            content["link_preview_options"] = preview
        message = BotMessage(
            message_id=0,
            chat_id=chat.id,
            date=0,
            method="sendMessage",
            text=parsed.text,
            raw_text=params.string("text"),
            parse_mode=params.string("parse_mode"),
            entities=parsed.entities,
            reply_to_message_id=reply_to,
            content=content,
        )
        return self._deliver(chat, message, markup, params)

    def send_document(self, params: Params) -> Json:
        chat = self._send_target(params)
        record = self._input_file(params, "document", kind="document")
        caption = self._caption(params)
        markup = validate_markup(params.structured("reply_markup"))
        reply_to = self._reply_to(chat, params)
        document: Json = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.size,
        }
        if record.filename:
            document["file_name"] = record.filename
        if record.mime_type:
            document["mime_type"] = record.mime_type
        message = self._media_message(
            chat, "sendDocument", {"document": document}, caption, params, reply_to
        )
        message.document = DocumentInfo(record.filename, record.mime_type, record.data)
        return self._deliver(chat, message, markup, params)

    def send_photo(self, params: Params) -> Json:
        chat = self._send_target(params)
        record = self._input_file(params, "photo", kind="photo")
        caption = self._caption(params)
        markup = validate_markup(params.structured("reply_markup"))
        reply_to = self._reply_to(chat, params)
        content = {"photo": self.state.files.photo_sizes(record)}
        message = self._media_message(chat, "sendPhoto", content, caption, params, reply_to)
        message.photo = record.data
        return self._deliver(chat, message, markup, params)

    def send_location(self, params: Params) -> Json:
        chat = self._send_target(params)
        location = self._location(params)
        for name in ("horizontal_accuracy", "live_period", "heading", "proximity_alert_radius"):
            if name in params:
                location[name] = params.number(name)
        markup = validate_markup(params.structured("reply_markup"))
        reply_to = self._reply_to(chat, params)
        message = BotMessage(
            message_id=0,
            chat_id=chat.id,
            date=0,
            method="sendLocation",
            location=(location["latitude"], location["longitude"]),
            reply_to_message_id=reply_to,
            content={"location": location},
        )
        return self._deliver(chat, message, markup, params)

    def send_venue(self, params: Params) -> Json:
        chat = self._send_target(params)
        location = self._location(params)
        venue: Json = {
            "location": location,
            "title": params.required_string("title"),
            "address": params.required_string("address"),
        }
        for name in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
            if name in params:
                venue[name] = params.string(name)
        markup = validate_markup(params.structured("reply_markup"))
        reply_to = self._reply_to(chat, params)
        message = BotMessage(
            message_id=0,
            chat_id=chat.id,
            date=0,
            method="sendVenue",
            location=(location["latitude"], location["longitude"]),
            venue=venue,
            reply_to_message_id=reply_to,
            content={"venue": venue, "location": location},
        )
        return self._deliver(chat, message, markup, params)

    def send_chat_action(self, params: Params) -> bool:
        self._send_target(params)
        if params.string("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    # -- editing ---------------------------------------------------------------------------

    def edit_message_text(self, params: Params) -> Json:
        chat, message = self._message_to_edit(params)
        if not message.is_text:
            raise bad_request("there is no text in the message to edit")
        parsed = self._text(params.string("text"), params.string("parse_mode"), params)
        markup = validate_markup(params.structured("reply_markup"), inline_only=True)
        if (parsed.text, parsed.entities, _inline(markup)) == (
            message.text,
            message.entities,
            _inline(message.markup),
        ):
            raise bad_request(NOT_MODIFIED)
        message.text, message.raw_text = parsed.text, params.string("text")
        message.parse_mode, message.entities = params.string("parse_mode"), parsed.entities
        message.content = {"text": parsed.text}
        if parsed.entities:
            message.content["entities"] = parsed.entities
        return self._apply_edit(chat, message, markup)

    def edit_message_caption(self, params: Params) -> Json:
        chat, message = self._message_to_edit(params)
        if message.is_text or message.location is not None:
            raise bad_request("there is no caption in the message to edit")
        caption = self._caption(params)
        markup = validate_markup(params.structured("reply_markup"), inline_only=True)
        new_text = caption.text if caption else None
        new_entities = caption.entities if caption else []
        if (new_text, new_entities, _inline(markup)) == (
            message.text,
            message.entities,
            _inline(message.markup),
        ):
            raise bad_request(NOT_MODIFIED)
        message.text, message.raw_text = new_text, params.string("caption")
        message.parse_mode, message.entities = params.string("parse_mode"), new_entities
        for key in ("caption", "caption_entities"):
            message.content.pop(key, None)
        _set_caption(message.content, caption)
        return self._apply_edit(chat, message, markup)

    def edit_message_reply_markup(self, params: Params) -> Json:
        chat, message = self._message_to_edit(params)
        markup = validate_markup(params.structured("reply_markup"), inline_only=True)
        if _inline(markup) == _inline(message.markup):
            raise bad_request(NOT_MODIFIED)
        return self._apply_edit(chat, message, markup)

    def delete_message(self, params: Params) -> bool:
        chat = self._known_chat(params)
        message_id = params.required_integer("message_id")
        message = chat.bot_message(message_id)
        if message is not None:
            message.deleted = True
            return True
        if message_id in chat.user_messages:
            if not chat.is_private:
                raise bad_request("message can't be deleted")
            del chat.user_messages[message_id]
            return True
        raise bad_request("message to delete not found")

    # -- callback queries and files --------------------------------------------------------

    def answer_callback_query(self, params: Params) -> bool:
        query_id = params.string("callback_query_id") or ""
        record = self.state.callbacks.get(query_id)
        if record is None or record.answered:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        record.answered = True
        answer: Json = {
            "callback_query_id": query_id,
            "text": params.string("text"),
            "show_alert": params.flag("show_alert"),
            "url": params.string("url"),
            "cache_time": params.integer("cache_time", 0),
        }
        self.state.callback_answers.setdefault(record.user_id, []).append(answer)
        return True

    def get_file(self, params: Params) -> Json:
        record = self.state.files.get(params.string("file_id") or "")
        if record is None:
            raise bad_request("invalid file_id")
        if record.size > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.size,
            "file_path": record.file_path,
        }

    # -- commands, menu, chats -------------------------------------------------------------

    def set_my_commands(self, params: Params) -> bool:
        commands = params.structured("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request('parameter "commands" must be an Array of at most 100 commands')
        for command in commands:
            _validate_command(command)
        scope = params.structured("scope")
        self._require_scope_chat(scope)
        key = (scope_key(scope), params.string("language_code") or "")
        self.state.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _require_scope_chat(self, scope: Any) -> None:
        """Like Telegram, a chat's own menu needs a chat the bot knows."""
        if not isinstance(scope, dict) or "chat_id" not in scope:
            return
        if self.state.resolve_chat(_chat_id(scope["chat_id"])) is None:
            raise bad_request("chat not found")

    def get_my_commands(self, params: Params) -> list[Json]:
        key = (scope_key(params.structured("scope")), params.string("language_code") or "")
        return [dict(command) for command in self.state.commands.get(key, [])]

    def delete_my_commands(self, params: Params) -> bool:
        key = (scope_key(params.structured("scope")), params.string("language_code") or "")
        self.state.commands.pop(key, None)
        return True

    def set_chat_menu_button(self, params: Params) -> bool:
        button = params.structured("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or "type" not in button:
            raise bad_request("can't parse menu button")
        self.state.menu_buttons[params.integer("chat_id")] = button
        return True

    def get_chat_menu_button(self, params: Params) -> Json:
        return self.state.menu_buttons.get(params.integer("chat_id"), {"type": "default"})

    def get_chat(self, params: Params) -> Json:
        chat = self._known_chat(params)
        info = {
            **chat.to_json(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if chat.user is not None and chat.user.last_name:
            info["last_name"] = chat.user.last_name
        return info

    # -- webhook ---------------------------------------------------------------------------

    def set_webhook(self, params: Params) -> bool:
        url = (params.string("url") or "").strip()
        if params.flag("drop_pending_updates"):
            self.state.updates.drop()
        if url == "":
            self.state.webhook = None  # Telegram treats an empty URL as deleteWebhook
            self.state.signal.notify()
            return True
        if not re.match(r"^https?://[^\s/]+", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.string("secret_token")
        if secret is not None and not _SECRET_TOKEN.match(secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = params.structured("allowed_updates")
        if allowed is not None:
            self.state.allowed_updates = list(allowed)
        self.state.webhook = WebhookConfig(
            url=url,
            secret_token=secret,
            max_connections=params.integer("max_connections", 40) or 40,
            allowed_updates=self.state.allowed_updates,
        )
        self.state.signal.notify()
        return True

    def delete_webhook(self, params: Params) -> bool:
        if params.flag("drop_pending_updates"):
            self.state.updates.drop()
        self.state.webhook = None
        self.state.signal.notify()
        return True

    def get_webhook_info(self, params: Params) -> Json:
        config = self.state.webhook
        info: Json = {
            "url": config.url if config else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.state.updates.pending),
        }
        if config is not None:
            info["max_connections"] = config.max_connections
            if config.allowed_updates is not None:
                info["allowed_updates"] = config.allowed_updates
            if config.last_error_date is not None:
                info["last_error_date"] = config.last_error_date
                info["last_error_message"] = config.last_error_message
        return info

    # -- shared checks ---------------------------------------------------------------------

    def _known_chat(self, params: Params) -> Chat:
        chat_id = params.chat_id_or_none()
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        chat = self.state.resolve_chat(chat_id)
        if chat is None:
            raise bad_request(CHAT_NOT_FOUND)
        return chat

    def _send_target(self, params: Params) -> Chat:
        chat = self._known_chat(params)
        if chat.blocked:
            raise forbidden(BLOCKED)
        return chat

    def _text(self, text: str | None, parse_mode: str | None, params: Params) -> ParsedText:
        if text is None or text == "":
            raise bad_request("message text is empty")
        parsed = _parse(text, parse_mode, params.structured("entities"))
        if parsed.text == "":
            raise bad_request("message text is empty")
        if parsed.length > MAX_TEXT:
            raise bad_request("message is too long")
        return parsed

    def _caption(self, params: Params) -> ParsedText | None:
        caption = params.string("caption")
        if not caption:
            return None
        parsed = _parse(caption, params.string("parse_mode"), params.structured("caption_entities"))
        if parsed.length > MAX_CAPTION:
            raise bad_request("message caption is too long")
        return parsed if parsed.text else None

    def _reply_to(self, chat: Chat, params: Params) -> int | None:
        reply = params.structured("reply_parameters")
        if not isinstance(reply, dict):
            legacy = params.integer("reply_to_message_id")
            reply = {"message_id": legacy} if legacy is not None else None
        if reply is None:
            return None
        message_id = int(reply.get("message_id", 0))
        target = chat
        if reply.get("chat_id") not in (None, chat.id):
            target = self.state.resolve_chat(_chat_id(reply["chat_id"])) or chat
        if target.has_message(message_id):
            # A reply to another chat's message is accepted but not linked in this chat.
            return message_id if target is chat else None
        if reply.get("allow_sending_without_reply") or params.flag("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")

    def _input_file(self, params: Params, name: str, *, kind: str) -> FileRecord:
        value = params.file(name)
        if value is None or value == "":
            raise bad_request(f"there is no {name} in the request")
        if isinstance(value, UploadedFile):
            return self.state.files.add(
                value.data, kind=kind, filename=value.filename, mime_type=value.mime_type
            )
        existing = self.state.files.get(value)
        if existing is not None:
            return existing
        if re.match(r"^https?://", value):
            # The sandbox has no internet: remember the URL's file name with empty content.
            filename = value.rstrip("/").rsplit("/", 1)[-1] or None
            return self.state.files.add(b"", kind=kind, filename=filename)
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _location(self, params: Params) -> Json:
        latitude, longitude = params.number("latitude"), params.number("longitude")
        if latitude is None or longitude is None:
            raise bad_request("latitude and longitude are required")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise bad_request("wrong latitude or longitude specified")
        return {"latitude": latitude, "longitude": longitude}

    def _media_message(
        self,
        chat: Chat,
        method: str,
        content: Json,
        caption: ParsedText | None,
        params: Params,
        reply_to: int | None,
    ) -> BotMessage:
        _set_caption(content, caption)
        return BotMessage(
            message_id=0,
            chat_id=chat.id,
            date=0,
            method=method,
            text=caption.text if caption else None,
            raw_text=params.string("caption"),
            parse_mode=params.string("parse_mode"),
            entities=caption.entities if caption else [],
            reply_to_message_id=reply_to,
            content=content,
        )

    def _deliver(
        self, chat: Chat, message: BotMessage, markup: Markup | None, params: Params
    ) -> Json:
        """Apply flood limits, then store the message: the point where a send is accepted."""
        paid = params.flag("allow_paid_broadcast")
        now = self._clock()
        retry_after = self._flood().check(chat.id, private=chat.is_private, paid=paid, now=now)
        if retry_after is not None:
            raise too_many_requests(retry_after)
        record = SendRecord(now, chat.id, message.method, chat.is_private, paid)
        self._flood().record(record)
        self.sends.append(record)
        message.message_id = chat.allocate_message_id()
        message.date = unix_now()
        message.markup = markup
        if markup is not None and markup.kind == "reply":
            chat.reply_keyboard = markup
        elif markup is not None and markup.kind == "remove":
            chat.reply_keyboard = None
        chat.add_bot_message(message)
        return self.state.bot_message_json(chat, message)

    def _message_to_edit(self, params: Params) -> tuple[Chat, BotMessage]:
        if "inline_message_id" in params:
            raise bad_request("inline messages are not supported by the sandbox")
        chat = self._known_chat(params)
        message = chat.bot_message(params.integer("message_id") or 0)
        if message is None:
            if params.integer("message_id") in chat.user_messages:
                raise bad_request("message can't be edited")
            raise bad_request("message to edit not found")
        return chat, message

    def _apply_edit(self, chat: Chat, message: BotMessage, markup: Markup | None) -> Json:
        # Telegram drops the inline keyboard when an edit does not repeat it.
        message.markup = markup
        message.edited += 1
        message.edit_date = unix_now()
        return self.state.bot_message_json(chat, message)


# --------------------------------------------------------------------------------------------
# Helpers


def _parse(text: str, parse_mode: str | None, entities: Any) -> ParsedText:
    try:
        parsed = parse_text(text, parse_mode)
    except MarkupError as error:
        raise bad_request(f"can't parse entities: {error}") from None
    except ValueError:
        raise bad_request(f'unsupported parse_mode "{parse_mode}"') from None
    if not parse_mode and isinstance(entities, list):
        parsed.entities = entities  # explicit entities are trusted as given
    return parsed


def _set_caption(content: Json, caption: ParsedText | None) -> None:
    if caption is not None:
        content["caption"] = caption.text
        if caption.entities:
            content["caption_entities"] = caption.entities


def _inline(markup: Markup | None) -> Any:
    return markup.data["inline_keyboard"] if markup is not None and markup.is_inline else None


def _chat_id(value: Any) -> int | str:
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)


def _validate_command(command: Any) -> None:
    if not isinstance(command, dict):
        raise bad_request("can't parse BotCommand")
    name, description = command.get("command"), command.get("description")
    if not isinstance(name, str) or not _COMMAND_NAME.match(name):
        raise bad_request("BOT_COMMAND_INVALID")
    if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
        raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")


def menu_lookup_order(chat_id: int, language_code: str | None) -> list[tuple[str, str]]:
    """Where Telegram looks for the menu of a private chat, first match wins: the chat's own
    scope, then all private chats, then the default; in each, the list for the person's app
    language before the list for every language."""
    language = (language_code or "").split("-")[0].lower()
    languages = [language, ""] if language else [""]
    scopes = [f"chat:{chat_id}", "all_private_chats", "default"]
    return [(scope, code) for scope in scopes for code in languages]


def scope_key(scope: Any) -> str:
    """Commands are stored per scope: "default", "all_private_chats", "chat:42", ..."""
    if scope is None:
        return "default"
    if isinstance(scope, str):
        return scope
    if not isinstance(scope, dict) or "type" not in scope:
        raise ApiError(400, "Bad Request: can't parse BotCommandScope")
    parts = [str(scope["type"])]
    parts += [str(scope[name]) for name in ("chat_id", "user_id") if name in scope]
    return ":".join(parts)
