"""Whatever no flow claimed: unknown commands, stray messages, old buttons, and the bot being
blocked or unblocked."""

from telegram import ChatMember, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from accounts.service import record_block_status
from handlers.kit.context import TidelineContext, answer


async def nothing_to_cancel(update: Update, context: TidelineContext) -> None:
    await answer(
        update, context, context.t._("There is nothing to cancel. Send /help to see what I can do.")
    )


async def unknown_command(update: Update, context: TidelineContext) -> None:
    await answer(
        update, context, context.t._("I don't know that command. Send /help to see what I can do.")
    )


async def unexpected_message(update: Update, context: TidelineContext) -> None:
    await answer(
        update, context, context.t._("I didn't understand that. Send /help to see what I can do.")
    )


async def inactive_button(update: Update, context: TidelineContext) -> None:
    assert update.callback_query is not None
    await context.answer_query(
        update,
        context.t._("This button is no longer active. Send /help to see what you can do."),
        show_alert=True,
    )


async def track_block_status(update: Update, context: TidelineContext) -> None:
    change = update.my_chat_member
    assert change is not None
    blocked = change.new_chat_member.status in (ChatMember.BANNED, ChatMember.LEFT)
    session = await context.session()
    await record_block_status(session, change.from_user.id, blocked, context.now())


def build_fallbacks() -> list[BaseHandler]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("cancel", nothing_to_cancel),
        MessageHandler(filters.COMMAND & private, unknown_command),
        MessageHandler(private & ~filters.StatusUpdate.ALL, unexpected_message),
        CallbackQueryHandler(inactive_button),
    ]


def build_membership_tracking() -> ChatMemberHandler:
    return ChatMemberHandler(track_block_status, ChatMemberHandler.MY_CHAT_MEMBER)
