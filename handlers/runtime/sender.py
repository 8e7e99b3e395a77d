"""The only part of delivery that knows Telegram: what a renderer returns, and sending it
through PTB's Bot while translating Bot API errors into :mod:`delivery.errors`."""

import warnings
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from accounts.models import User
from delivery.errors import (
    FloodWait,
    RecipientBlocked,
    Rejected,
    SkipSend,
    TransientError,
)
from i18n import Catalogs, Translator

__all__ = [
    "Outgoing",
    "RenderRequest",
    "Renderer",
    "SkipSend",
    "TelegramSender",
    "UnknownKind",
    "PhotoSpec",
    "VenueSpec",
    "retry_after_seconds",
]


@dataclass(frozen=True)
class VenueSpec:
    latitude: float
    longitude: float
    title: str
    address: str


@dataclass(frozen=True)
class PhotoSpec:
    filename: str
    content: bytes
    caption: str | None = None  # HTML, at most 1,024 characters


@dataclass
class Outgoing:
    """One outbox message as the recipient sees it: the venue (sendVenue) first, then the HTML
    text with its keyboard, then the photo (sendPhoto), then the document (sendDocument). Each
    part waits for its own pacing slot; a retry sends every part again."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None
    venue: VenueSpec | None = None
    photo: PhotoSpec | None = None
    document: tuple[str, bytes] | None = None  # (filename, content)


ButtonFactory = Callable[..., InlineKeyboardButton]


@dataclass
class RenderRequest:
    """What a renderer gets: the recipient's current language, a button maker whose callback
    data only the recipient can use, and the bot's username for its deep links."""

    session: AsyncSession
    user: User
    payload: dict[str, Any]
    t: Translator
    now: datetime
    button: ButtonFactory
    bot_username: str


Renderer = Callable[[RenderRequest], Awaitable[Outgoing]]
SignCallback = Callable[..., str]  # (telegram_id, action, *args) -> callback data


class UnknownKind(Rejected):
    """No renderer for the row's kind (e.g. rolled back to a release without it)."""


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that retry_after becomes a timedelta; both forms are handled.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramSender:
    """Renders outbox rows and sends them with the application's Bot."""

    def __init__(
        self,
        bot: Bot,
        renderers: Mapping[str, Renderer],
        catalogs: Catalogs,
        sign: SignCallback,
    ) -> None:
        self.bot = bot
        self.renderers = dict(renderers)
        self.catalogs = catalogs
        self._sign = sign

    async def render(
        self,
        session: AsyncSession,
        user: User,
        kind: str,
        payload: dict[str, Any],
        now: datetime,
    ) -> Outgoing:
        renderer = self.renderers.get(kind)
        if renderer is None:
            raise UnknownKind(f"no renderer for kind {kind!r}")
        telegram_id = user.telegram_id
        if telegram_id is None:
            raise SkipSend("recipient erased their data")

        def button(text: str, action: str, *args: object) -> InlineKeyboardButton:
            return InlineKeyboardButton(text, callback_data=self._sign(telegram_id, action, *args))

        request = RenderRequest(
            session=session,
            user=user,
            payload=payload,
            t=self.catalogs.translator(user.language),
            now=now,
            button=button,
            bot_username=self.bot.username,
        )
        return await renderer(request)

    async def send(
        self, chat_id: int, outgoing: Outgoing, pace: Callable[[int], Awaitable[None]]
    ) -> None:
        """Send every part, each after the pacer allows it; raises a :class:`SendError`."""
        try:
            if outgoing.venue is not None:
                venue = outgoing.venue
                await pace(chat_id)
                await self.bot.send_venue(
                    chat_id,
                    latitude=venue.latitude,
                    longitude=venue.longitude,
                    title=venue.title,
                    address=venue.address,
                )
            await pace(chat_id)
            await self.bot.send_message(
                chat_id,
                outgoing.text,
                parse_mode=ParseMode.HTML,
                reply_markup=outgoing.keyboard,
            )
            if outgoing.photo is not None:
                photo = outgoing.photo
                await pace(chat_id)
                await self.bot.send_photo(
                    chat_id,
                    photo=InputFile(photo.content, filename=photo.filename),
                    caption=photo.caption,
                    parse_mode=ParseMode.HTML if photo.caption else None,
                )
            if outgoing.document is not None:
                filename, content = outgoing.document
                await pace(chat_id)
                await self.bot.send_document(
                    chat_id, document=InputFile(content, filename=filename)
                )
        except RetryAfter as error:
            raise FloodWait(retry_after_seconds(error)) from error
        except Forbidden as error:
            raise RecipientBlocked(f"403: {error.message}") from error
        except ChatMigrated as error:
            raise Rejected("400: chat migrated to a supergroup") from error
        except BadRequest as error:  # before NetworkError, its base class
            raise Rejected(f"400: {error.message}") from error
        except TelegramError as error:
            # NetworkError (5xx, connection failures), TimedOut, Conflict, InvalidToken: all
            # may pass; the row is retried with backoff and fails after the last attempt.
            raise TransientError(f"{type(error).__name__}: {error.message}") from error
