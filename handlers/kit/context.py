"""What every handler shares: the services, the per-update context with its unit of work, replies
that wait for the unit to commit, and the role check."""

import functools
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackContext, ExtBot

from accounts.models import User
from accounts.readers import ReaderDirectory
from accounts.service import Permission, find_account, has_permission
from db.unit_of_work import UnitOfWork, refuse_inside_unit
from events.registration_desk import RegistrationDesk
from handlers.kit.callbacks import CallbackCodec
from handlers.kit.latest_messages import LatestMessages
from i18n import Catalogs, Translator
from settings import Settings
from surveys.answer_desk import AnswerDesk, DefinitionCache

if TYPE_CHECKING:
    from handlers.kit.deep_links import DeepLinks


@dataclass(frozen=True)
class Services:
    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    catalogs: Catalogs
    codec: CallbackCodec
    clock: Callable[[], datetime]
    readers: ReaderDirectory
    registration_desk: RegistrationDesk
    answer_desk: AnswerDesk
    survey_definitions: DefinitionCache
    latest_messages: LatestMessages
    deep_links: "DeepLinks"

    def transaction(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A transaction of its own, for work outside an update (jobs, sweeps, renderers);
        a handler uses ``context.session()``, its update's one transaction."""
        refuse_inside_unit("a transaction of its own")
        return _Transaction(self.session_factory)


class _Transaction:
    """``async with services.transaction() as session``: commit on success, roll back on error."""

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self._session = factory()

    async def __aenter__(self) -> AsyncSession:
        await self._session.begin()
        return self._session

    async def __aexit__(self, exc_type: object, *_: object) -> None:
        try:
            if exc_type is None:
                await self._session.commit()
            else:
                await self._session.rollback()
        finally:
            await self._session.close()


SERVICES_KEY = "services"
# The id of a button press made by typing its label (handlers.runtime.typed_presses).
TYPED_PRESS_PREFIX = "typed:"


class TidelineContext(
    CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]
):
    """PTB's context plus Tideline's services and the reader's translator for this update."""

    def __init__(
        self, application: Application, chat_id: int | None = None, user_id: int | None = None
    ) -> None:
        super().__init__(application, chat_id, user_id)
        self._translator: Translator | None = None
        self._query_answered = False
        self._unit: UnitOfWork | None = None

    @property
    def services(self) -> Services:
        return self.application.bot_data[SERVICES_KEY]

    @property
    def t(self) -> Translator:
        if self._translator is None:
            self._translator = self.services.catalogs.translator(None)
        return self._translator

    def use_language(self, language: str) -> Translator:
        self._translator = self.services.catalogs.translator(language)
        return self._translator

    def enter_unit(self, unit: UnitOfWork) -> None:
        self._unit = unit

    def leave_unit(self) -> None:
        self._unit = None

    @property
    def unit(self) -> UnitOfWork:
        if self._unit is None:
            raise RuntimeError("handlers run as steps: see handlers.kit.steps")
        return self._unit

    async def session(self) -> AsyncSession:
        """The update's one transaction (begun on first use, committed when the step ends)."""
        return await self.unit.session()

    async def send(self, action: Callable[[], Awaitable[object]]) -> None:
        """Talks to Telegram once the step's transaction committed, never if it rolled back;
        outside a step (the error handler, the gates) at once."""
        if self._unit is None:
            await action()
        else:
            self._unit.after_commit(action)

    async def answer_query(
        self, update: Update, text: str | None = None, show_alert: bool = False
    ) -> None:
        """Telegram takes one answer per button press: the first one here is sent, later ones
        are dropped, and ``answer_pending_query`` sends an empty one if nobody answered."""
        query = update.callback_query
        if query is None or self._query_answered:
            return
        self._query_answered = True
        if query.id.startswith(TYPED_PRESS_PREFIX):
            # A typed label: no button spins, and Telegram knows no such query.
            return
        await self.send(lambda: query.answer(text, show_alert=show_alert))

    def now(self) -> datetime:
        return self.services.clock()

    def button(self, text: str, action: str, *args: object) -> InlineKeyboardButton:
        """An inline button whose data only the person reading this update can use."""
        user = self._user_id
        if user is None:
            raise RuntimeError("buttons are only made in answer to a person")
        return InlineKeyboardButton(
            text, callback_data=self.services.codec.encode(user, action, *args)
        )


def utc_now() -> datetime:
    return datetime.now(UTC)


HandlerCallback = Callable[[Update, TidelineContext], Awaitable[Any]]
F = TypeVar("F", bound=HandlerCallback)


def requires(permission: Permission) -> Callable[[F], F]:
    """Decorates a command or button callback: it runs only for people with ``permission``,
    checked against the database on every update, never trusted from the button."""

    def decorate(callback: F) -> F:
        @functools.wraps(callback)
        async def guarded(update: Update, context: TidelineContext) -> Any:
            user = update.effective_user
            assert user is not None
            account = await find_account(await context.session(), user.id)
            permitted = account is not None and has_permission(
                account, permission, context.services.settings.ADMIN_IDS
            )
            if permitted:
                return await callback(update, context)
            text = context.t._("Sorry, your role does not allow that.")
            if update.callback_query:
                await context.answer_query(update, text, show_alert=True)
            elif update.effective_message:
                await answer(update, context, text)
            return None

        return guarded  # type: ignore[return-value]

    return decorate


async def answer(
    update: Update,
    context: TidelineContext,
    text: str,
    keyboard: list[list[InlineKeyboardButton]] | None = None,
    *,
    edit: bool = False,
) -> None:
    """Reply with HTML text once the step committed: edit the pressed message when answering a
    button (``edit``), else send anew."""
    markup = InlineKeyboardMarkup(keyboard) if keyboard else None
    query = update.callback_query
    if query is not None:
        await context.answer_query(update)
        if edit and query.message is not None:
            await context.send(lambda: _edit(query, text, markup))
            return
    chat = update.effective_chat
    assert chat is not None
    await context.send(
        lambda: chat.send_message(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    )


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as error:
        # A repeated tap asks for the same edit again: the message already says it.
        if "not modified" not in error.message:
            raise


async def account_of(session: AsyncSession, update: Update) -> User:
    """The account of the person behind the update (``resolve_reader`` has made sure it exists)."""
    user = update.effective_user
    assert user is not None
    account = await find_account(session, user.id)
    if account is None:
        raise LookupError("resolve_reader runs before every handler")
    return account
