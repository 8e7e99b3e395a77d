"""Validation of ``reply_markup`` the way Telegram checks it.

Inline keyboards are where most real-world bot bugs show up (callback_data over 64 bytes,
empty labels, bad URLs), so they are checked strictly. Reply keyboards and the
remove/force-reply markups are checked for shape only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import ApiError, bad_request
from .markup import is_valid_url

MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100

# An inline button must have exactly one of these action fields.
_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


@dataclass(frozen=True)
class Markup:
    """A validated reply_markup: exactly one of the four Telegram kinds."""

    kind: str  # "inline" | "reply" | "remove" | "force_reply"
    data: dict[str, Any]

    @property
    def is_inline(self) -> bool:
        return self.kind == "inline"


def validate_markup(markup: Any, *, inline_only: bool = False) -> Markup | None:
    """Check a decoded reply_markup object; raise the 400 Telegram would send."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _validate_inline_keyboard(markup["inline_keyboard"])
        return Markup("inline", markup)
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        _validate_reply_keyboard(markup["keyboard"])
        return Markup("reply", markup)
    if markup.get("remove_keyboard"):
        return Markup("remove", markup)
    if markup.get("force_reply"):
        return Markup("force_reply", markup)
    raise bad_request("can't parse reply keyboard markup JSON object")


def _rows(keyboard: Any, what: str) -> list[list[Any]]:
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise bad_request(f'field "{what}" of the reply markup must be an Array of Arrays')
    return keyboard


def _validate_inline_keyboard(keyboard: Any) -> None:
    rows = _rows(keyboard, "inline_keyboard")
    if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    for row in rows:
        for button in row:
            _validate_inline_button(button)


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str) or text.strip() == "":
        raise bad_request("text must be non-empty")
    actions = [name for name in _INLINE_ACTIONS if name in button]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: only one of the optional fields must be used"
        )
    if "callback_data" in button:
        _validate_callback_data(button["callback_data"])
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not is_valid_url(url):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _validate_callback_data(data: Any) -> None:
    if not isinstance(data, str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "callback_data" must be of type String'
        )
    size = len(data.encode("utf-8"))
    if size == 0 or size > MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")


def _validate_reply_keyboard(keyboard: Any) -> None:
    for row in _rows(keyboard, "keyboard"):
        for button in row:
            if reply_button_text(button).strip() == "":
                raise bad_request("keyboard button text must be non-empty")


def reply_button_text(button: Any) -> str:
    """Reply keyboard buttons may be plain strings or KeyboardButton objects."""
    if isinstance(button, str):
        return button
    if isinstance(button, dict) and isinstance(button.get("text"), str):
        return button["text"]
    raise ApiError(400, "Bad Request: can't parse keyboard button")


def inline_buttons(markup: Markup | None) -> list[list[tuple[str, str | None]]]:
    """Rows of (text, callback_data or url) for an inline keyboard, else []."""
    if markup is None or not markup.is_inline:
        return []
    return [
        [(button["text"], button.get("callback_data", button.get("url"))) for button in row]
        for row in markup.data["inline_keyboard"]
    ]


def reply_rows(markup: Markup | None) -> list[list[str]] | None:
    if markup is None or markup.kind != "reply":
        return None
    return [[reply_button_text(button) for button in row] for row in markup.data["keyboard"]]
