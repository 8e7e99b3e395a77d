"""A typed text equal to a button's label on the current question is that button's press.

People type "Skip" (or "Laktawan") instead of tapping it; stored as an answer, the label would
reach approval requests and exports. ``GuardedBot`` reports every inline keyboard the bot shows
while handling an update; when the update is handled, the last one shown in the chat is kept with
what the chat's flows were then waiting for (``open_flows``). A later text equal to one of its
labels, while the flows still wait for the same thing, becomes a press of that button: the same
signed callback data, so the gates check it like any tap. A keyboard of an earlier question, or
one shown while another question was open, is never taken.

Kept in memory: after a restart typed text is read as text, as before."""

import unicodedata
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, filters

from handlers.kit.context import TYPED_PRESS_PREFIX, TidelineContext
from handlers.runtime.conversations import AnyApplication, ChatKey, chat_key, open_flows

SHOWN_KEYBOARDS_KEY = "shown_keyboards"

_SENDS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendLocation"})
_EDITS = frozenset(
    {"editMessageText", "editMessageCaption", "editMessageMedia", "editMessageReplyMarkup"}
)


@dataclass(frozen=True)
class _Shown:
    chat_id: int
    message_id: int
    markup: InlineKeyboardMarkup | None


# What the update being handled showed; None outside an update (the outbox, the heartbeat).
_shown_now: ContextVar[list[_Shown] | None] = ContextVar("tideline_shown_now", default=None)


def note_bot_call(endpoint: str, data: dict[str, Any], result: object) -> None:
    """Called by ``GuardedBot`` after every Bot API call."""
    shown = _shown_now.get()
    if shown is None:
        return
    markup = data.get("reply_markup")
    keyboard = markup if isinstance(markup, InlineKeyboardMarkup) else None
    if endpoint in _SENDS and keyboard is not None and isinstance(result, dict):
        shown.append(_Shown(int(result["chat"]["id"]), int(result["message_id"]), keyboard))
    elif endpoint in _EDITS and "chat_id" in data and "message_id" in data:
        # An edit without a keyboard takes the message's keyboard away.
        shown.append(_Shown(int(data["chat_id"]), int(data["message_id"]), keyboard))


def _normalized(text: str) -> str:
    return " ".join(text.split()).casefold()


def _bare(text: str) -> str:
    """Without the emoji, ticks and punctuation around a label ("⏭ Skip", "✅ Yes")."""
    ends = ("S", "P", "Z", "C")
    chars = list(_normalized(text))
    while chars and (unicodedata.category(chars[0])[0] in ends or chars[0] in "\ufe0f\u200d"):
        chars.pop(0)
    while chars and (unicodedata.category(chars[-1])[0] in ends or chars[-1] in "\ufe0f\u200d"):
        chars.pop()
    return "".join(chars).strip()


@dataclass(frozen=True)
class _Keyboard:
    message_id: int
    markup: InlineKeyboardMarkup
    waiting_for: tuple[object, ...]

    def data_for(self, typed: str) -> str | None:
        """The callback data of the one button whose label is ``typed``, if exactly one is."""
        buttons = [
            (button.text, button.callback_data)
            for row in self.markup.inline_keyboard
            for button in row
            if isinstance(button.callback_data, str)
        ]
        for same in (_normalized, _bare):
            wanted = same(typed)
            if not wanted:
                continue
            matches = {data for text, data in buttons if same(text) == wanted}
            if len(matches) == 1:
                return matches.pop()
            if matches:
                return None
        return None


class ShownKeyboards:
    """Per chat and person, the latest keyboard and what the flows waited for when it was shown;
    and the keyboards shown by the update being handled, settled once it is (or, when a handler
    stopped the update before the last step, when the chat's next update arrives)."""

    def __init__(self) -> None:
        self._latest: dict[ChatKey, _Keyboard] = {}
        self._pending: dict[ChatKey, list[_Shown]] = {}

    def latest(self, key: ChatKey) -> _Keyboard | None:
        return self._latest.get(key)

    def record(self, key: ChatKey) -> list[_Shown]:
        shown: list[_Shown] = []
        self._pending[key] = shown
        return shown

    def settle(self, key: ChatKey, waiting_for: tuple[object, ...]) -> None:
        for each in self._pending.pop(key, []):
            if each.chat_id != key[0]:
                continue
            if each.markup is not None:
                self._latest[key] = _Keyboard(each.message_id, each.markup, waiting_for)
            elif key in self._latest and self._latest[key].message_id == each.message_id:
                del self._latest[key]


def _keyboards(application: AnyApplication) -> ShownKeyboards:
    return application.bot_data.setdefault(SHOWN_KEYBOARDS_KEY, ShownKeyboards())


async def press_typed_labels(update: object, context: TidelineContext) -> None:
    """Gate: a typed label of the current question's keyboard is handled as its press."""
    _shown_now.set(None)
    key = chat_key(update) if isinstance(update, Update) else None
    if not isinstance(update, Update) or key is None:
        return
    application = context.application
    keyboards = _keyboards(application)
    keyboards.settle(key, open_flows(application, *key))
    _shown_now.set(keyboards.record(key))
    message = update.message
    if message is None or not message.text or message.chat.type != ChatType.PRIVATE:
        return
    if filters.COMMAND.check_update(update):
        return
    keyboard = keyboards.latest(key)
    if keyboard is None or keyboard.waiting_for != open_flows(application, *key):
        return
    data = keyboard.data_for(message.text)
    if data is None or message.from_user is None:
        return
    pressed = Message(message_id=keyboard.message_id, date=message.date, chat=message.chat)
    query = CallbackQuery(
        id=f"{TYPED_PRESS_PREFIX}{message.message_id}",
        from_user=message.from_user,
        chat_instance=str(message.chat.id),
        message=pressed,
        data=data,
    )
    press = Update(update.update_id, callback_query=query)
    for part in (pressed, query, press):
        part.set_bot(context.bot)
    await application.process_update(press)
    raise ApplicationHandlerStop


def remember_shown_keyboard(update: object, context: TidelineContext) -> None:
    """After an update: the chat's latest keyboard, with what its flows now wait for."""
    _shown_now.set(None)
    key = chat_key(update) if isinstance(update, Update) else None
    if key is not None:
        _keyboards(context.application).settle(key, open_flows(context.application, *key))
