"""What ``bot.py run`` checks before it starts serving, so that a wrong setting stops start-up
with one line naming it instead of a traceback (which would also quote the token)."""

import logging

from sqlalchemy import text
from telegram import Bot
from telegram.error import InvalidToken, NetworkError

from db.engine import create_engine
from handlers.runtime.bot_api_http import AiohttpRequest
from settings import ConfigurationError, Settings

logger = logging.getLogger("tideline")


def _root_cause(error: BaseException) -> BaseException:
    while error.__cause__ is not None:
        error = error.__cause__
    return error


async def check_database(settings: Settings) -> None:
    """The database answers; its error's type names the trouble (never its message, which may
    quote the URL)."""
    engine = create_engine(settings.DATABASE_URL)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure to connect is the setting's
        reason = type(_root_cause(error)).__name__
        raise ConfigurationError(
            f"Configuration error: DATABASE_URL: cannot open the database ({reason})"
        ) from None
    finally:
        await engine.dispose()


async def check_bot_api(settings: Settings) -> None:
    """The Bot API answers getMe for this token."""
    root = settings.BOT_API_BASE_URL
    bot = Bot(settings.BOT_TOKEN, base_url=f"{root}/bot", request=AiohttpRequest())
    try:
        async with bot:  # getMe; closes its connections on failure too
            pass
    except InvalidToken:
        raise ConfigurationError(
            f"Configuration error: BOT_TOKEN: rejected by the Bot API at {root}; "
            "copy the token again from @BotFather"
        ) from None
    except NetworkError as error:
        raise ConfigurationError(
            f"Configuration error: BOT_API_BASE_URL: cannot reach {root} ({type(error).__name__})"
        ) from None


def warn_about_settings(settings: Settings) -> None:
    if not settings.ADMIN_IDS:
        logger.warning(
            "ADMIN_IDS is empty: nobody can grant or revoke the organizer role "
            "(set it to your Telegram user id)"
        )
