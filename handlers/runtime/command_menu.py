"""The command menu (setMyCommands) in every language, and per chat for a chosen language."""

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.ext import Application

from handlers.kit.commands import PARTICIPANT_COMMANDS
from handlers.kit.context import SERVICES_KEY, Services, TidelineContext
from i18n import LANGUAGES, Translator


def _commands(t: Translator) -> list[BotCommand]:
    return [BotCommand(name, t._(description)) for name, description in PARTICIPANT_COMMANDS]


async def set_command_menus(application: Application) -> None:
    """At start-up: the menu for each client language, and the default for everyone else."""
    services: Services = application.bot_data[SERVICES_KEY]
    catalogs = services.catalogs
    for code, language in LANGUAGES.items():
        await application.bot.set_my_commands(
            _commands(catalogs.translator(code)), language_code=language.command_menu_code
        )
    await application.bot.set_my_commands(_commands(catalogs.translator(None)))


async def set_chat_command_menu(context: TidelineContext, update: Update, language: str) -> None:
    """Someone picked a language their Telegram app may not use: give their chat its own menu."""
    chat = update.effective_chat
    if chat is None:
        return
    commands = _commands(context.services.catalogs.translator(language))
    await context.send(
        lambda: context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat.id))
    )
