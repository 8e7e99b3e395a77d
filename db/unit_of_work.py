"""One unit of work: the single transaction an update (or any other piece of work) reads and writes
in, and what must happen only once it committed.

The chat layer runs every update in one unit (``handlers.kit.steps``): the transaction is begun
on first use and committed when the step returns; messages to Telegram wait in
``after_commit`` until then and are dropped when it rolls back. Holding a transaction open
across a network round trip would stall every other chat on SQLite, whose one pooled
connection serves them all, and a second transaction begun inside an open one would wait for
that same connection until the pool times out. So while a unit's transaction is open in a task,
``refuse_while_open`` raises instead of letting either happen, and ``refuse_inside_unit`` keeps
a unit's work from beginning a transaction of its own at all.
"""

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

_open_unit: ContextVar["UnitOfWork | None"] = ContextVar("open_unit_of_work", default=None)


class TransactionStillOpen(RuntimeError):
    """Something that must not happen inside a transaction was attempted inside one."""


def _unit_of_this_task() -> "UnitOfWork | None":
    # Callbacks scheduled from inside a unit (timers, jobs) copy its context, not its task.
    unit = _open_unit.get()
    return unit if unit is not None and unit.task is asyncio.current_task() else None


def refuse_inside_unit(what: str) -> None:
    """Raises when this task is doing a unit of work: it has its one transaction already."""
    if _unit_of_this_task() is not None:
        raise TransactionStillOpen(f"{what} inside a unit of work")


def refuse_while_open(what: str) -> None:
    """Raises when this task has a unit of work whose transaction is open."""
    unit = _unit_of_this_task()
    if unit is not None and unit.in_transaction:
        raise TransactionStillOpen(f"{what} while a transaction is open")


class UnitOfWork:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self._after_commit: list[Callable[[], Awaitable[object]]] = []
        self.task: asyncio.Task[object] | None = None

    @property
    def in_transaction(self) -> bool:
        return self._session is not None

    async def session(self) -> AsyncSession:
        """The unit's session, its transaction begun on first use."""
        if self._session is None:
            self._session = self._session_factory()
            await self._session.begin()
        return self._session

    def after_commit(self, action: Callable[[], Awaitable[object]], *, first: bool = False) -> None:
        """Queues ``action`` for after the commit; ``first`` puts it before everything queued so
        far (a notice that must precede the step's own replies)."""
        if first:
            self._after_commit.insert(0, action)
        else:
            self._after_commit.append(action)

    async def discard_changes(self) -> None:
        """Rolls back what the unit wrote so far, and forgets what was to follow it; the unit
        stays usable (a refused step still answers, and may read again)."""
        await self._close(commit=False)

    async def __aenter__(self) -> "UnitOfWork":
        self.task = asyncio.current_task()
        self._token = _open_unit.set(self)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        """Commits and then runs the after-commit actions, or rolls back and drops them."""
        try:
            await self._close(commit=exc_type is None)
        finally:
            _open_unit.reset(self._token)
        if exc_type is None:
            await self._run_after_commit()

    async def _run_after_commit(self) -> None:
        while self._after_commit:
            await self._after_commit.pop(0)()

    async def _close(self, *, commit: bool) -> None:
        session, self._session = self._session, None
        if session is None:
            if not commit:
                self._after_commit.clear()
            return
        try:
            if commit:
                await session.commit()
            else:
                self._after_commit.clear()
                await session.rollback()
        finally:
            await session.close()
