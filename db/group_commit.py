"""Group commit: requests that arrive while a batch is being written wait and are written
together in the next one.

A burst of people tapping the same button then costs one transaction per batch instead of one
per person, and a lone request still goes out at once (it only waits for the running batch, if
any, and one turn of the event loop so that requests arriving together share a batch).
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from db.unit_of_work import refuse_while_open

Request = TypeVar("Request")
Outcome = TypeVar("Outcome")

WriteBatch = Callable[[Sequence[Request]], Awaitable[Sequence[Outcome]]]


class GroupCommit(Generic[Request, Outcome]):
    def __init__(self, write: WriteBatch[Request, Outcome], *, max_batch: int = 250) -> None:
        """``write`` gets the waiting requests in arrival order and returns one outcome for each,
        in the same order. If it raises, every request of that batch is retried alone, so one
        bad request fails only itself."""
        self._write = write
        self._max_batch = max_batch
        self._waiting: list[tuple[Request, asyncio.Future[Outcome]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, request: Request) -> Outcome:
        refuse_while_open("a group commit")
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting.append((request, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_while_waiting())
        return await future

    async def _write_while_waiting(self) -> None:
        batch: list[tuple[Request, asyncio.Future[Outcome]]] = []
        try:
            while self._waiting:
                # Requests made in the same turn of the event loop join this batch.
                await asyncio.sleep(0)
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                await self._settle(batch)
        finally:
            # Only reached with requests left when the writer itself is cancelled (shutdown).
            self._writer = None
            for _, future in [*batch, *self._waiting]:
                future.cancel()
            self._waiting.clear()

    async def _settle(self, batch: list[tuple[Request, asyncio.Future[Outcome]]]) -> None:
        live = [(request, future) for request, future in batch if not future.done()]
        if not live:
            return
        try:
            outcomes = await self._write([request for request, _ in live])
        except Exception as error:
            if len(live) == 1:
                _fail(live[0][1], error)
                return
            for one in live:
                await self._settle([one])
            return
        for (_, future), outcome in zip(live, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)


def _fail(future: asyncio.Future[Outcome], error: Exception) -> None:
    if not future.done():
        future.set_exception(error)
