"""The last line of defence: log what failed without personal data, apologize, keep serving."""

import logging

from telegram import Update
from telegram.error import Conflict, RetryAfter

from accounts.service import find_account
from db.failures import describe_failure
from handlers.kit.context import TidelineContext
from i18n import Translator, match_language

logger = logging.getLogger("tideline.errors")


async def _reader_translator(update: Update, context: TidelineContext) -> Translator:
    """The error handler gets a fresh context, so the reader's language is looked up again."""
    user = update.effective_user
    if user is None:
        return context.t
    try:
        async with context.services.transaction() as session:
            account = await find_account(session, user.id)
    except Exception:  # noqa: BLE001 - the database may be what failed; apologize anyway
        account = None
    language = account.language if account else match_language(user.language_code)
    return context.services.catalogs.translator(language)


async def handle_error(update: object, context: TidelineContext) -> None:
    error = context.error
    assert error is not None
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, RetryAfter):
        # Telegram asked us to slow down for this chat: an apology would be refused the same way.
        logger.warning("update %s: rate limited by Telegram", update_id)
        return
    if isinstance(error, Conflict):
        # Telegram hands each update to one poller; PTB keeps retrying with a growing pause.
        logger.error(
            "another process is receiving updates for this bot (409 Conflict): stop it; only "
            "one process may poll a bot's updates"
        )
        return
    logger.error("update %s failed: %s", update_id, describe_failure(error))
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    t = await _reader_translator(update, context)
    apology = t._(
        "Sorry, something went wrong on my side. Please try again in a "
        "moment; what you entered before is saved."
    )
    try:
        if update.callback_query is not None:
            await context.answer_query(update, apology, show_alert=True)
        else:
            await update.effective_chat.send_message(apology)
    except Exception as secondary:  # noqa: BLE001 - the apology is best effort
        logger.warning(
            "could not apologize for update %s: %s", update_id, type(secondary).__qualname__
        )
