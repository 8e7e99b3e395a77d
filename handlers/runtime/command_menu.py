"""The "/" command menu (setMyCommands): everyone's commands in every language, and a chat's own
menu for people whose language or roles differ from that: who picked a language their Telegram
app does not use, organizers, reviewers and administrators."""

import logging
from contextlib import suppress

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application

from accounts.models import User
from accounts.service import Permission, can_organize, has_permission, is_admin, role_holders
from handlers.kit.commands import PARTICIPANT_COMMANDS, commands_for
from handlers.kit.context import SERVICES_KEY, Services, TidelineContext
from i18n import LANGUAGES, Catalogs, Translator

logger = logging.getLogger(__name__)

Commands = tuple[tuple[str, str], ...]


def _commands(t: Translator, commands: Commands = PARTICIPANT_COMMANDS) -> list[BotCommand]:
    return [BotCommand(name, t._(description)) for name, description in commands]


def _menu_of(account: User, catalogs: Catalogs, admin_ids: frozenset[int]) -> list[BotCommand]:
    admin = account.telegram_id is not None and is_admin(account.telegram_id, admin_ids)
    reviewer = has_permission(account, Permission.REVIEW, admin_ids)
    commands = commands_for(can_organize(account, admin_ids), admin, reviewer)
    return _commands(catalogs.translator(account.language), commands)


async def _set_chat_menu(bot: Bot, chat_id: int, commands: list[BotCommand]) -> bool:
    # The menu is a convenience: a chat Telegram no longer has, or a person who blocked the
    # bot, must not fail the role change or the language choice that asked for it.
    with suppress(BadRequest, Forbidden):
        return await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    return False


async def set_command_menus(application: Application) -> None:
    """At start-up: the menu for each client language, the default for everyone else, and the
    own menus of organizers, reviewers and administrators (roles may have changed while the bot
    was off, ADMIN_IDS too)."""
    services: Services = application.bot_data[SERVICES_KEY]
    catalogs = services.catalogs
    for code, language in LANGUAGES.items():
        await application.bot.set_my_commands(
            _commands(catalogs.translator(code)), language_code=language.command_menu_code
        )
    await application.bot.set_my_commands(_commands(catalogs.translator(None)))
    admins = services.settings.ADMIN_IDS
    async with services.transaction() as session:
        menus = [
            (account.telegram_id, _menu_of(account, catalogs, admins))
            for account in await role_holders(session, admins)
            if account.telegram_id is not None
        ]
    missed = [
        chat_id
        for chat_id, menu in menus
        if not await _set_chat_menu(application.bot, chat_id, menu)
    ]
    if missed:
        logger.warning(
            "command menu not set for %d organizers, reviewers or administrators", len(missed)
        )


async def set_chat_command_menu(context: TidelineContext, account: User) -> None:
    """The person's own menu, in their language and with the commands of their roles; after
    they pick a language and when their role changes."""
    chat_id = account.telegram_id
    if chat_id is None:
        return
    menu = _menu_of(account, context.services.catalogs, context.services.settings.ADMIN_IDS)
    await context.send(lambda: _set_chat_menu(context.bot, chat_id, menu))
