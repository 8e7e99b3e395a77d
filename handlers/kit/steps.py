"""Every handler callback runs as one step: one unit of work per update.

A step reads and writes the database in exactly one transaction (``context.session()``, begun on
first use), and talks to Telegram only after that transaction committed: ``answer``,
``context.answer_query`` and ``context.send`` queue their Bot API calls on the unit, which sends
them in order once it committed and drops them when it rolled back. The role check of
``requires`` runs in the same transaction. A second transaction begun inside a step, or a Bot
API call made while its transaction is open, raises ``TransactionStillOpen``
(``db.unit_of_work``; the bot side is ``handlers.runtime.guarded_bot``).

``handlers.app`` wraps every callback it registers with ``as_steps``, so no feature can forget it;
a feature's own code never opens a transaction itself.
"""

import functools
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, ConversationHandler

from db.unit_of_work import UnitOfWork
from handlers.kit.context import TidelineContext

H = TypeVar("H", bound=BaseHandler[Any, Any, Any])
StepCallback = Callable[[Update, TidelineContext], Coroutine[Any, Any, Any]]
STEP_MARK = "__tideline_step__"


def step(callback: StepCallback) -> StepCallback:
    """``callback`` in a unit of work of its own; control-flow stops still commit."""
    if getattr(callback, STEP_MARK, False):
        return callback

    @functools.wraps(callback)
    async def run(update: Update, context: TidelineContext) -> Any:
        stop: ApplicationHandlerStop | None = None
        unit = UnitOfWork(context.services.session_factory)
        context.enter_unit(unit)
        try:
            async with unit:
                try:
                    result = await callback(update, context)
                except ApplicationHandlerStop as raised:
                    stop, result = raised, None
        finally:
            context.leave_unit()
        if stop is not None:
            raise stop
        return result

    setattr(run, STEP_MARK, True)
    return run


def is_step(callback: object) -> bool:
    return bool(getattr(callback, STEP_MARK, False))


def handlers_within(handler: BaseHandler[Any, Any, Any]) -> Iterable[BaseHandler[Any, Any, Any]]:
    """The handler itself, or for a conversation every handler it declares."""
    if not isinstance(handler, ConversationHandler):
        yield handler
        return
    yield from (inner for entry in handler.entry_points for inner in handlers_within(entry))
    for state_handlers in handler.states.values():
        yield from (inner for each in state_handlers for inner in handlers_within(each))
    yield from (inner for fallback in handler.fallbacks for inner in handlers_within(fallback))


def as_steps(handlers: list[H]) -> list[H]:
    """Makes every callback of ``handlers`` (conversations included) a step."""
    for handler in handlers:
        for inner in handlers_within(handler):
            inner.callback = step(inner.callback)
    return handlers
