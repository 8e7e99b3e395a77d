"""/grant and /revoke: administrators give or take the organizer role; /grantreviewer and
/revokereviewer the reviewer role of business pledges. A person holds one of the two at a time
(administrators hold both through ADMIN_IDS), so granting one replaces the other, and revoking
a role the person does not hold changes nothing."""

from contextlib import suppress
from dataclasses import dataclass
from enum import StrEnum
from html import escape

from telegram import MessageOriginUser, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from accounts import service
from accounts.models import AccessRole, User
from accounts.service import Permission
from handlers.kit.context import TidelineContext, answer, requires
from handlers.kit.reprompts import expect_text
from handlers.runtime.command_menu import set_chat_command_menu
from i18n import Translator


class Awaiting(StrEnum):
    PERSON_TO_GRANT = "person_to_grant"
    PERSON_TO_REVOKE = "person_to_revoke"
    PERSON_TO_MAKE_REVIEWER = "person_to_make_reviewer"
    PERSON_TO_UNMAKE_REVIEWER = "person_to_unmake_reviewer"


@dataclass(frozen=True)
class Change:
    """The role an administrator grants, or takes back (``revoke``: then back to participant)."""

    role: AccessRole
    revoke: bool = False


GRANT_ORGANIZER = Change(AccessRole.ORGANIZER)
REVOKE_ORGANIZER = Change(AccessRole.ORGANIZER, revoke=True)
GRANT_REVIEWER = Change(AccessRole.REVIEWER)
REVOKE_REVIEWER = Change(AccessRole.REVIEWER, revoke=True)


def _display(account: User) -> str:
    name = account.first_name or ""
    if account.username:
        name = f"{name} (@{account.username})".strip()
    return escape(f"{name} [{account.telegram_id}]".strip())


async def _apply(
    update: Update, context: TidelineContext, reference: str | int, change: Change
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
    if change.revoke and service.is_admin(
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
    held = target.access_role
    if change.revoke:
        changed = held == change.role and service.set_access_role(target, AccessRole.PARTICIPANT)
    else:
        changed = service.set_access_role(target, change.role)
    lines = [_outcome(t, change, changed).format(person=_display(target))]
    if changed and not change.revoke and held != AccessRole.PARTICIPANT:
        lines.append(_replaced(t, held))
    await answer(update, context, "\n".join(lines))
    if changed:
        await _notify(context, target, change)


def _outcome(t: Translator, change: Change, changed: bool) -> str:
    if change.role == AccessRole.ORGANIZER:
        if change.revoke:
            return (
                t._("{person} is no longer an organizer.")
                if changed
                else t._("{person} was not an organizer.")
            )
        return (
            t._("{person} is now an organizer.")
            if changed
            else t._("{person} is already an organizer.")
        )
    if change.revoke:
        return (
            t._("{person} is no longer a reviewer.")
            if changed
            else t._("{person} was not a reviewer.")
        )
    return (
        t._("{person} is now a reviewer of business pledges.")
        if changed
        else t._("{person} is already a reviewer.")
    )


def _replaced(t: Translator, held: AccessRole) -> str:
    """A person holds one role at a time: say which one the grant replaced."""
    if held == AccessRole.ORGANIZER:
        return t._("Their organizer role ended: a person is an organizer or a reviewer.")
    return t._("Their reviewer role ended: a person is an organizer or a reviewer.")


async def _notify(context: TidelineContext, target: User, change: Change) -> None:
    t = context.services.catalogs.translator(target.language)
    if change.role == AccessRole.ORGANIZER:
        text = (
            t._("Your organizer role in Tideline has ended.")
            if change.revoke
            else t._("You are now an organizer in Tideline.")
        )
    else:
        text = (
            t._("Your reviewer role in Tideline has ended.")
            if change.revoke
            else t._(
                "You are now a reviewer of business pledges in Tideline. Send /review to see "
                "what is waiting."
            )
        )
    chat_id = target.telegram_id
    assert chat_id is not None

    async def tell() -> None:
        # If they blocked the bot (or never opened a chat with it: an id typed by the
        # administrator), the role change still stands; they will see it in /help.
        with suppress(BadRequest, Forbidden):
            await context.bot.send_message(chat_id, text)

    await context.send(tell)
    await set_chat_command_menu(context, target)


async def _start(
    update: Update, context: TidelineContext, change: Change, waiting: Awaiting
) -> Awaiting | int:
    if context.args:
        await _apply(update, context, " ".join(context.args), change)
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
    return await _start(update, context, GRANT_ORGANIZER, Awaiting.PERSON_TO_GRANT)


@requires(Permission.MANAGE_ROLES)
async def revoke(update: Update, context: TidelineContext) -> Awaiting | int:
    return await _start(update, context, REVOKE_ORGANIZER, Awaiting.PERSON_TO_REVOKE)


@requires(Permission.MANAGE_ROLES)
async def grant_reviewer(update: Update, context: TidelineContext) -> Awaiting | int:
    return await _start(update, context, GRANT_REVIEWER, Awaiting.PERSON_TO_MAKE_REVIEWER)


@requires(Permission.MANAGE_ROLES)
async def revoke_reviewer(update: Update, context: TidelineContext) -> Awaiting | int:
    return await _start(update, context, REVOKE_REVIEWER, Awaiting.PERSON_TO_UNMAKE_REVIEWER)


async def _receive(update: Update, context: TidelineContext, change: Change) -> int | None:
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
        await _apply(update, context, origin.sender_user.id, change)
        return ConversationHandler.END
    await _apply(update, context, message.text or "", change)
    return ConversationHandler.END


@requires(Permission.MANAGE_ROLES)
async def receive_grantee(update: Update, context: TidelineContext) -> int | None:
    return await _receive(update, context, GRANT_ORGANIZER)


@requires(Permission.MANAGE_ROLES)
async def receive_revokee(update: Update, context: TidelineContext) -> int | None:
    return await _receive(update, context, REVOKE_ORGANIZER)


@requires(Permission.MANAGE_ROLES)
async def receive_new_reviewer(update: Update, context: TidelineContext) -> int | None:
    return await _receive(update, context, GRANT_REVIEWER)


@requires(Permission.MANAGE_ROLES)
async def receive_former_reviewer(update: Update, context: TidelineContext) -> int | None:
    return await _receive(update, context, REVOKE_REVIEWER)


async def cancel(update: Update, context: TidelineContext) -> int:
    await answer(update, context, context.t._("Cancelled. No role was changed."))
    return ConversationHandler.END


def build_roles() -> ConversationHandler:
    person = (filters.TEXT & ~filters.COMMAND) | filters.FORWARDED
    return ConversationHandler(
        name="roles",
        persistent=True,
        allow_reentry=True,
        entry_points=[
            CommandHandler("grant", grant),
            CommandHandler("revoke", revoke),
            CommandHandler("grantreviewer", grant_reviewer),
            CommandHandler("revokereviewer", revoke_reviewer),
        ],
        states={
            Awaiting.PERSON_TO_GRANT: [
                MessageHandler(person, receive_grantee),
                MessageHandler(~filters.COMMAND, expect_text),
            ],
            Awaiting.PERSON_TO_REVOKE: [
                MessageHandler(person, receive_revokee),
                MessageHandler(~filters.COMMAND, expect_text),
            ],
            Awaiting.PERSON_TO_MAKE_REVIEWER: [
                MessageHandler(person, receive_new_reviewer),
                MessageHandler(~filters.COMMAND, expect_text),
            ],
            Awaiting.PERSON_TO_UNMAKE_REVIEWER: [
                MessageHandler(person, receive_former_reviewer),
                MessageHandler(~filters.COMMAND, expect_text),
            ],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
    )
