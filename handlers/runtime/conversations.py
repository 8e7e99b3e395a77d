"""The conversations a person is in, seen from outside any one of them: /deleteme and /start end
them all, and an edited message may answer only the question its step left open."""

import functools
from collections.abc import Iterator
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseHandler, ConversationHandler

from i18n import Translator, lazy

# What each conversation is, as the person would name it ("I stopped what you were doing (…)").
FLOW_LABELS: dict[str, str] = {
    "registration": lazy("registering for an event"),
    "onboarding": lazy("setting up"),
    "profile": lazy("changing your profile"),
    "roles": lazy("changing someone's role"),
    "cleanup_card": lazy("the cleanup data card"),
    "broadcast": lazy("writing a broadcast"),
    "organize": lazy("organizing events"),
    "company": lazy("registering or managing a company"),
    "pledge": lazy("writing your company's pledge"),
}

OPEN_ANSWERS_KEY = "open_answers"

ChatKey = tuple[int, int]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def conversations_of(application: AnyApplication) -> Iterator[ConversationHandler[Any]]:
    for group in application.handlers.values():
        for handler in group:
            if isinstance(handler, ConversationHandler):
                yield handler


def _key(conversation: ConversationHandler[Any], chat_id: int, user_id: int) -> tuple[int, ...]:
    parts = ((chat_id, conversation.per_chat), (user_id, conversation.per_user))
    return tuple(part for part, used in parts if used)


def end_conversations(
    application: AnyApplication,
    chat_id: int,
    user_id: int,
    *,
    keep: str | None = None,
) -> list[str]:
    """Ends every conversation of (chat, person) but ``keep``; the names of those that were on.

    PTB offers no public way to end a conversation from outside it: ``_update_state`` with END is
    the path its own handlers take, and it marks the key for the persistence to delete."""
    ended = []
    for conversation in conversations_of(application):
        if conversation.name == keep or conversation.per_message:
            continue
        key = _key(conversation, chat_id, user_id)
        if key in conversation._conversations:
            conversation._update_state(ConversationHandler.END, key)
            ended.append(conversation.name or "")
    return ended


def stopped_notice(t: Translator, names: list[str]) -> str:
    flows = ", ".join(t._(FLOW_LABELS[name]) for name in names if name in FLOW_LABELS)
    if not flows:
        return t._("I stopped what you were doing before.")
    return t._("I stopped what you were doing ({flows}).").format(flows=flows)


class OpenAnswers:
    """Per chat and person, the id of their latest text message that a conversation step read and
    did not take (it asked again): the only message whose edit still answers a question.

    Kept in memory: after a restart nothing is open, so an edit is ignored, never misread."""

    def __init__(self) -> None:
        self._message_ids: dict[ChatKey, int] = {}

    def take(self, key: ChatKey) -> int | None:
        return self._message_ids.pop(key, None)

    def leave_open(self, key: ChatKey, message_id: int) -> None:
        self._message_ids[key] = message_id


def chat_key(update: Update) -> ChatKey | None:
    chat, user = update.effective_chat, update.effective_user
    return None if chat is None or user is None else (chat.id, user.id)


def open_answers(application: AnyApplication) -> OpenAnswers:
    return application.bot_data.setdefault(OPEN_ANSWERS_KEY, OpenAnswers())


def watch_open_answers(application: AnyApplication) -> None:
    """Wraps every step inside a conversation's states (after ``as_steps``, so it sees only
    committed steps): a step that read a text message and stayed where it was (returned None,
    PTB's "same state") leaves that message open for an edit."""
    answers = open_answers(application)
    for conversation in conversations_of(application):
        for handlers in conversation.states.values():
            for handler in handlers:
                _watch(handler, answers)


def _watch(handler: BaseHandler[Any, Any, Any], answers: OpenAnswers) -> None:
    callback = handler.callback

    @functools.wraps(callback)
    async def noting(update: Update, context: Any) -> object:
        result = await callback(update, context)
        message = update.message or update.edited_message
        key = chat_key(update)
        if result is None and key is not None and message is not None and message.text:
            answers.leave_open(key, message.message_id)
        return result

    handler.callback = noting
