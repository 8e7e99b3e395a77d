"""Gates every update passes before any conversation (account and locale resolution, callback
authenticity), and the last step after all of them."""

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from accounts.readers import Reader
from handlers.kit.context import TidelineContext
from i18n import match_language


async def resolve_reader(update: object, context: TidelineContext) -> None:
    """Gate 1: find or create the person's account and settle their language, once per update."""
    if not isinstance(update, Update) or update.effective_user is None:
        return
    user = update.effective_user
    if user.is_bot:
        raise ApplicationHandlerStop
    services = context.services
    language = await services.readers.language_of(
        Reader(
            telegram_id=user.id,
            username=user.username,
            first_name=user.first_name,
            language=match_language(user.language_code) or services.settings.DEFAULT_LANGUAGE,
            now=context.now(),
        )
    )
    context.use_language(language)


async def refuse_forged_buttons(update: object, context: TidelineContext) -> None:
    """Gate 2: buttons whose data we did not sign for this person never reach a handler."""
    if not isinstance(update, Update) or update.callback_query is None:
        return
    query = update.callback_query
    if not context.services.codec.is_authentic(query.from_user.id, query.data or ""):
        await context.answer_query(
            update,
            context.t._("This button is not valid. Send /help to see what you can do."),
            show_alert=True,
        )
        raise ApplicationHandlerStop


async def answer_pending_query(update: object, context: TidelineContext) -> None:
    """Last step of every update: stop the button's spinner if no handler answered it."""
    if isinstance(update, Update):
        await context.answer_query(update)
