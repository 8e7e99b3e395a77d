"""The conversations a person is in, seen from outside any one of them: one flow at a time (a
flow that starts, or a command outside it, ends or pauses the others and says so), /cancel names
what it cancelled, /deleteme ends them all, and an edited message may answer only the question
its step left open."""

import functools
from collections.abc import Iterable, Iterator
from html import escape
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, BaseHandler, CommandHandler, ConversationHandler

from handlers.kit.context import TidelineContext
from handlers.kit.steps import handlers_within
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
    "pledge_review": lazy("reviewing pledges"),
    "progress_report": lazy("the progress report"),
    "survey_setup": lazy("setting up a survey"),
    "survey": lazy("answering a survey"),
}

# Flows whose answers outlive the conversation (saved as they are given): interrupted, they are
# paused, and the person is told how to pick them up again. Every other flow is stopped.
KEEPS_ANSWERS = frozenset({"onboarding", "organize", "survey"})
# How a person picks up a flow that no command of its own starts (a survey opens from a button:
# /my lists the surveys waiting for them).
RESUMED_BY: dict[str, str] = {"survey": "/my"}

# Commands that start nothing, so they leave an open flow as it is: help, and the privacy
# settings a flow may need changed midway (withdrawing the photo consent while reporting).
# /language is not one: the paused flow picks up asking again in the new language.
NEUTRAL_COMMANDS = frozenset({"help", "cancel", "privacy", "mydata"})

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


def open_flows(application: AnyApplication, chat_id: int, user_id: int) -> tuple[object, ...]:
    """Which conversations of (chat, person) are open and at which state: what the bot is
    waiting for there, compared by ``handlers.runtime.typed_presses``."""
    return tuple(
        (conversation.name, conversation._conversations[key])
        for conversation in conversations_of(application)
        if not conversation.per_message
        and (key := _key(conversation, chat_id, user_id)) in conversation._conversations
    )


def _label(t: Translator, name: str) -> str:
    return t._(FLOW_LABELS[name]) if name in FLOW_LABELS else ""


def stopped_notice(t: Translator, names: list[str]) -> str:
    flows = ", ".join(label for name in names if (label := _label(t, name)))
    if not flows:
        return t._("I stopped what you were doing before.")
    return t._("I stopped what you were doing ({flows}).").format(flows=flows)


def _resume_command(application: AnyApplication, name: str) -> str | None:
    if name in RESUMED_BY:
        return RESUMED_BY[name]
    for conversation in conversations_of(application):
        if conversation.name != name:
            continue
        for entry in conversation.entry_points:
            if isinstance(entry, CommandHandler):
                return "/" + sorted(entry.commands)[0]
    return None


def interrupted_notice(t: Translator, application: AnyApplication, names: list[str]) -> str:
    """What became of the flows another one interrupted: paused (answers kept) or stopped."""
    lines = []
    for name in names:
        command = _resume_command(application, name)
        if name in KEEPS_ANSWERS and command is not None:
            lines.append(
                t._(
                    "I paused what you were doing ({flow}). Your answers so far are kept: "
                    "send {command} to pick up where you left off."
                ).format(flow=_label(t, name), command=command)
            )
    stopped = [
        name
        for name in names
        if name not in KEEPS_ANSWERS or not _resume_command(application, name)
    ]
    if stopped:
        lines.append(stopped_notice(t, stopped))
    return "\n".join(lines)


def cancelled_notice(t: Translator, name: str) -> str:
    label = _label(t, name)
    if not label:
        return t._("I cancelled what you were doing.")
    return t._("I cancelled what you were doing ({flow}).").format(flow=label)


def _notice_first(update: Update, context: TidelineContext, text: str) -> None:
    """Sent before the step's own replies, so the person reads what ended before what began."""
    chat = update.effective_chat
    assert chat is not None
    context.unit.after_commit(
        lambda: chat.send_message(escape(text, quote=False), parse_mode=ParseMode.HTML),
        first=True,
    )


def one_flow_at_a_time(handlers: Iterable[BaseHandler[Any, Any, Any]]) -> None:
    """Wraps, before ``as_steps`` (so notices join the step's replies), every handler of every
    conversation and every command that starts something, so that at most one flow of a chat
    is open and waits for typed input; a conversation added later gets this for free.

    - a conversation that is open after its step (it started, or went on) ends the others;
      a command it answers ends them even when it ends at once (``/start`` for someone set up);
    - a command outside every conversation (``/language``, ``/events``) ends them all;
    - its ``/cancel`` says which flow it cancelled."""
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            for inner in handlers_within(handler):
                _guard_flow(handler, inner)
        elif isinstance(handler, CommandHandler) and not handler.commands & NEUTRAL_COMMANDS:
            _guard_command(handler)


def _guard_flow(
    conversation: ConversationHandler[Any], handler: BaseHandler[Any, Any, Any]
) -> None:
    callback = handler.callback
    command = isinstance(handler, CommandHandler)
    cancel = command and "cancel" in handler.commands  # type: ignore[attr-defined]
    name = conversation.name or ""

    @functools.wraps(callback)
    async def one_at_a_time(update: Update, context: TidelineContext) -> object:
        key = chat_key(update)
        if key is None:
            return await callback(update, context)
        was_open = _key(conversation, *key) in conversation._conversations
        result = await callback(update, context)
        if cancel:
            if was_open:
                _notice_first(update, context, cancelled_notice(context.t, name))
            return result
        open_after = result not in (None, ConversationHandler.END) or (result is None and was_open)
        if command or open_after:
            ended = end_conversations(context.application, *key, keep=name)
            if ended:
                notice = interrupted_notice(context.t, context.application, ended)
                _notice_first(update, context, notice)
        return result

    handler.callback = one_at_a_time


def _guard_command(handler: CommandHandler[Any, Any]) -> None:
    callback = handler.callback

    @functools.wraps(callback)
    async def ending_flows(update: Update, context: TidelineContext) -> object:
        key = chat_key(update)
        result = await callback(update, context)
        if key is not None:
            ended = end_conversations(context.application, *key)
            if ended:
                notice = interrupted_notice(context.t, context.application, ended)
                _notice_first(update, context, notice)
        return result

    handler.callback = ending_flows


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
