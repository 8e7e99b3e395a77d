"""/help: what the person can do here, by role."""

from telegram import Update
from telegram.ext import CommandHandler

from accounts.models import User
from accounts.service import Permission, can_organize, has_permission, is_admin
from handlers.kit.commands import (
    ADMIN_COMMANDS,
    ORGANIZER_COMMANDS,
    PARTICIPANT_COMMANDS,
    REVIEWER_COMMANDS,
    command_lines,
)
from handlers.kit.context import TidelineContext, account_of, answer


def help_text(context: TidelineContext, account: User) -> str:
    t = context.t
    lines = [t._("<b>What I can do</b>"), *command_lines(t, PARTICIPANT_COMMANDS)]
    admins = context.services.settings.ADMIN_IDS
    if can_organize(account, admins):
        lines += ["", t._("<b>Organizers</b>"), *command_lines(t, ORGANIZER_COMMANDS)]
    if has_permission(account, Permission.REVIEW, admins):
        lines += ["", t._("<b>Reviewers</b>"), *command_lines(t, REVIEWER_COMMANDS)]
    if account.telegram_id is not None and is_admin(account.telegram_id, admins):
        lines += ["", t._("<b>Administrators</b>"), *command_lines(t, ADMIN_COMMANDS)]
    return "\n".join(lines)


async def show_help(update: Update, context: TidelineContext) -> None:
    session = await context.session()
    account = await account_of(session, update)
    await answer(update, context, help_text(context, account))


def build_help() -> CommandHandler:
    return CommandHandler("help", show_help)
