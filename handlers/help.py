"""/help: what the person can do here, by role."""

from telegram import Update
from telegram.ext import CommandHandler

from accounts.service import can_organize, is_admin
from db.models import User
from handlers.common import TidelineContext, account_of, answer
from i18n import Translator, lazy

PARTICIPANT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", lazy("Start or finish setting up")),
    ("help", lazy("What I can do")),
    ("events", lazy("Find roundtables and cleanups")),
    ("my", lazy("Your registrations, calendar files and check-in codes")),
    ("language", lazy("Change your language")),
    ("profile", lazy("See and edit your profile")),
    ("privacy", lazy("Choose what your data is used for")),
    ("mydata", lazy("Download all your data")),
    ("deleteme", lazy("Delete your data")),
    ("report", lazy("Send a cleanup data card")),
    ("impact", lazy("See what your cleanups achieved")),
    ("cancel", lazy("Stop what you are doing")),
)

ORGANIZER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("organize", lazy("Create and manage your events")),
    ("broadcast", lazy("Send news and invitations")),
)

ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("grant", lazy("Make someone an organizer")),
    ("revoke", lazy("Remove someone's organizer role")),
)


def command_lines(t: Translator, commands: tuple[tuple[str, str], ...]) -> list[str]:
    return [f"/{name} – {t._(description)}" for name, description in commands]


def help_text(context: TidelineContext, account: User) -> str:
    t = context.t
    lines = [t._("<b>What I can do</b>"), *command_lines(t, PARTICIPANT_COMMANDS)]
    admins = context.services.settings.ADMIN_IDS
    if can_organize(account, admins):
        lines += ["", t._("<b>Organizers</b>"), *command_lines(t, ORGANIZER_COMMANDS)]
    if account.telegram_id is not None and is_admin(account.telegram_id, admins):
        lines += ["", t._("<b>Administrators</b>"), *command_lines(t, ADMIN_COMMANDS)]
    return "\n".join(lines)


async def show_help(update: Update, context: TidelineContext) -> None:
    async with context.services.transaction() as session:
        account = await account_of(session, update)
    await answer(update, context, help_text(context, account))


def build_help() -> CommandHandler:
    return CommandHandler("help", show_help)
