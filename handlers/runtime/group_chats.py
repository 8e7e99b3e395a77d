"""Group chats: the bot talks to people one to one, so in a group it never shows set-up, consent
or any other screen to everyone there. A command gets one short line with a link to a private
chat (keeping a ``/start`` payload, so ``/start ev_12`` in a group leads to that event); every
other update from a group, including the bot being added or removed, stops here unanswered."""

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler, filters

from handlers.kit.context import TidelineContext, answer
from handlers.kit.deep_links import START_PAYLOAD, start_url


def private_chat_url(bot_username: str, text: str) -> str:
    command, _, argument = text.partition(" ")
    payload = argument.strip()
    if command.split("@")[0] == "/start" and START_PAYLOAD.fullmatch(payload):
        return start_url(bot_username, payload)
    return f"https://t.me/{bot_username.removeprefix('@')}"


async def redirect_to_private_chat(update: object, context: TidelineContext) -> None:
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type == ChatType.PRIVATE:
        return
    message = update.message
    if message is not None and message.text and filters.COMMAND.check_update(update):
        url = private_chat_url(context.bot.username, message.text)
        text = context.t._("I work in a private chat, so nobody else sees your answers: {link}")
        await answer(update, context, text.format(link=url))
    elif update.callback_query is not None:
        await context.answer_query(update)
    raise ApplicationHandlerStop


def build_group_redirect() -> TypeHandler[Update, TidelineContext, None]:
    return TypeHandler(Update, redirect_to_private_chat)
