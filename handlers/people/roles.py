"""/grant and /revoke: administrators give or take the organizer role."""

from contextlib import suppress
from enum import StrEnum
from html import escape

from telegram import MessageOriginUser, Update
from telegram.error import Forbidden
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from accounts import service
from accounts.models import AccessRole, User
from accounts.service import Permission
from handlers.kit.context import TidelineContext, answer, requires
from handlers.kit.reprompts import expect_text
from handlers.runtime.command_menu import set_chat_command_menu


class Awaiting(StrEnum):
    PERSON_TO_GRANT = "person_to_grant"
    PERSON_TO_REVOKE = "person_to_revoke"


def _display(account: User) -> str:
    name = account.first_name or ""
    if account.username:
        name = f"{name} (@{account.username})".strip()
    return escape(f"{name} [{account.telegram_id}]".strip())


async def _apply(
    update: Update, context: TidelineContext, reference: str | int, role: AccessRole
) -> None:
    t = context.t
    session = await context.session()
    target = (
        await service.find_account(session, reference)
        if isinstance(reference, int)
        else await service.find_person(session, reference)
    )
    if target is None:
        await answer(
            update,
            context,
            t._(
                "I don't know that person yet. Ask them to send /start to "
                "the bot first, then try again with their user id, "
                "@username or a forwarded message."
            ),
        )
        return
    if role == AccessRole.PARTICIPANT and service.is_admin(
        target.telegram_id or 0, context.services.settings.ADMIN_IDS
    ):
        await answer(
            update,
            context,
            t._("{person} is an administrator; that role comes from the ADMIN_IDS setting.").format(
                person=_display(target)
            ),
        )
        return
    changed = service.set_access_role(target, role)
    await answer(update, context, _outcome(t, target, role, changed))
    if changed:
        await _notify(context, target, role)


def _outcome(t, target: User, role: AccessRole, changed: bool) -> str:  # type: ignore[no-untyped-def]
    person = _display(target)
    if role == AccessRole.ORGANIZER:
        message = (
            t._("{person} is now an organizer.")
            if changed
            else t._("{person} is already an organizer.")
        )
    else:
        message = (
            t._("{person} is no longer an organizer.")
            if changed
            else t._("{person} was not an organizer.")
        )
    return message.format(person=person)


async def _notify(context: TidelineContext, target: User, role: AccessRole) -> None:
    t = context.services.catalogs.translator(target.language)
    text = (
        t._("You are now an organizer in Tideline.")
        if role == AccessRole.ORGANIZER
        else t._("Your organizer role in Tideline has ended.")
    )
    chat_id = target.telegram_id
    assert chat_id is not None

    async def tell() -> None:
        # If they blocked the bot, the role change still stands; they will see it in /help.
        with suppress(Forbidden):
            await context.bot.send_message(chat_id, text)

    await context.send(tell)
    await set_chat_command_menu(context, target)


async def _start(
    update: Update, context: TidelineContext, role: AccessRole, waiting: Awaiting
) -> Awaiting | int:
    if context.args:
        await _apply(update, context, " ".join(context.args), role)
        return ConversationHandler.END
    await answer(
        update,
        context,
        context.t._(
            "Whom? Send their Telegram user id or @username, or "
            "forward me a message they wrote. /cancel stops."
        ),
    )
    return waiting


@requires(Permission.MANAGE_ROLES)
async def grant(update: Update, context: TidelineContext) -> Awaiting | int:
    return await _start(update, context, AccessRole.ORGANIZER, Awaiting.PERSON_TO_GRANT)


@requires(Permission.MANAGE_ROLES)
async def revoke(update: Update, context: TidelineContext) -> Awaiting | int:
    return await _start(update, context, AccessRole.PARTICIPANT, Awaiting.PERSON_TO_REVOKE)


async def _receive(update: Update, context: TidelineContext, role: AccessRole) -> int | None:
    message = update.effective_message
    assert message is not None
    origin = message.forward_origin
    if origin is not None:
        if not isinstance(origin, MessageOriginUser):
            await answer(
                update,
                context,
                context.t._(
                    "That person hides their account in forwarded messages. Ask them for their "
                    "user id: they find it in /mydata."
                ),
            )
            return None
        await _apply(update, context, origin.sender_user.id, role)
        return ConversationHandler.END
    await _apply(update, context, message.text or "", role)
    return ConversationHandler.END


@requires(Permission.MANAGE_ROLES)
async def receive_grantee(update: Update, context: TidelineContext) -> int | None:
    return await _receive(update, context, AccessRole.ORGANIZER)


@requires(Permission.MANAGE_ROLES)
async def receive_revokee(update: Update, context: TidelineContext) -> int | None:
    return await _receive(update, context, AccessRole.PARTICIPANT)


async def cancel(update: Update, context: TidelineContext) -> int:
    await answer(update, context, context.t._("Cancelled. No role was changed."))
    return ConversationHandler.END


def build_roles() -> ConversationHandler:
    person = (filters.TEXT & ~filters.COMMAND) | filters.FORWARDED
    return ConversationHandler(
        name="roles",
        persistent=True,
        allow_reentry=True,
        entry_points=[CommandHandler("grant", grant), CommandHandler("revoke", revoke)],
        states={
            Awaiting.PERSON_TO_GRANT: [
                MessageHandler(person, receive_grantee),
                MessageHandler(~filters.COMMAND, expect_text),
            ],
            Awaiting.PERSON_TO_REVOKE: [
                MessageHandler(person, receive_revokee),
                MessageHandler(~filters.COMMAND, expect_text),
            ],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
    )
