"""/language: switch languages at any point; a flow under way is paused or stopped first, and
the person is told which (``handlers.runtime.conversations``)."""

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from accounts import service
from handlers.kit import profile_fields as steps
from handlers.kit.callbacks import action_pattern, button_args
from handlers.kit.context import TidelineContext, account_of, answer
from handlers.runtime.command_menu import set_chat_command_menu

CHOOSE = "lang"


async def show_languages(update: Update, context: TidelineContext) -> None:
    session = await context.session()
    account = await account_of(session, update)
    await answer(
        update,
        context,
        steps.language_prompt(context.t),
        steps.language_keyboard(context, CHOOSE, account.language),
    )


async def choose_language(update: Update, context: TidelineContext) -> None:
    (language,) = button_args(update)
    session = await context.session()
    account = await account_of(session, update)
    service.set_language(account, language)
    t = context.use_language(language)
    await answer(
        update,
        context,
        t._("Language: {language}").format(language=steps.LANGUAGES[language].native_name),
        edit=True,
    )
    await set_chat_command_menu(context, account)


def build_language() -> list[BaseHandler]:
    return [
        CommandHandler("language", show_languages),
        CallbackQueryHandler(choose_language, pattern=action_pattern(CHOOSE)),
    ]
