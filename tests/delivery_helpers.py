"""Shared steps for the delivery tests: people in the database and the sandbox, and plain
outbox messages queued for them."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import AccessRole, User
from delivery.budget import SendBudget
from delivery.models import OutboxMessage, OutboxStatus
from delivery.outbox import OutboxItem, enqueue_many
from delivery.pacer import Pacer
from demo.runner import BotRunner, SimulatedClock, sandbox_settings
from handlers.runtime.dispatch_wiring import dispatcher_of
from sandbox import SandboxServer


async def add_people(
    session_factory: async_sessionmaker[AsyncSession],
    telegram_ids: Sequence[int],
    now: datetime,
    *,
    timezone: str | None = None,
    language: str = "en",
    sandbox: SandboxServer | None = None,
) -> dict[int, int]:
    """Accounts for ``telegram_ids`` (and their private chats in the sandbox); returns
    telegram id → account id."""
    async with session_factory.begin() as session:
        await session.execute(
            insert(User),
            [
                {
                    "telegram_id": telegram_id,
                    "first_name": f"Person {telegram_id}",
                    "language": language,
                    "timezone": timezone,
                    "access_role": AccessRole.PARTICIPANT,
                    "created_at": now,
                }
                for telegram_id in telegram_ids
            ],
        )
        rows = await session.execute(
            select(User.telegram_id, User.id).where(User.telegram_id.in_(telegram_ids))
        )
        accounts = {telegram_id: user_id for telegram_id, user_id in rows}
    if sandbox is not None:
        for telegram_id in telegram_ids:
            _ = sandbox.user(telegram_id, first_name=f"Person {telegram_id}").chat
    return accounts


async def queue_plain(
    session_factory: async_sessionmaker[AsyncSession],
    accounts: dict[int, int],
    prefix: str,
    due_at: datetime,
    *,
    urgent: bool = False,
    text: str = "Hello from the outbox",
) -> None:
    async with session_factory.begin() as session:
        await enqueue_many(
            session,
            [
                OutboxItem(
                    user_id=user_id,
                    kind="plain",
                    dedupe_key=f"{prefix}:{telegram_id}",
                    due_at=due_at,
                    payload={"text": f"{text} ({telegram_id})"},
                    urgent=urgent,
                )
                for telegram_id, user_id in accounts.items()
            ],
            now=due_at,
        )


async def statuses(
    session_factory: async_sessionmaker[AsyncSession], prefix: str
) -> dict[str, OutboxStatus]:
    async with session_factory() as session:
        rows = await session.execute(
            select(OutboxMessage.dedupe_key, OutboxMessage.status).where(
                OutboxMessage.dedupe_key.startswith(prefix)
            )
        )
        return {key: OutboxStatus(status) for key, status in rows}


def texts_to(sandbox: SandboxServer, telegram_id: int) -> list[str]:
    return [message.text or "" for message in sandbox.user(telegram_id).messages]


@asynccontextmanager
async def running_bot(
    sandbox: SandboxServer, database_url: str, clock: SimulatedClock, **settings: object
) -> AsyncIterator[BotRunner]:
    """The real bot polling the sandbox, with settings overridden (e.g. BROADCAST_RATE)."""
    runner = BotRunner(sandbox, sandbox_settings(sandbox, database_url, **settings), clock)
    await runner.start()
    try:
        yield runner
    finally:
        await runner.stop()


def sends_to(sandbox: SandboxServer, telegram_id: int) -> int:
    """Accepted sends to a chat (what the person received)."""
    return sum(1 for record in sandbox.sends if record.chat_id == telegram_id)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Wait until ``check`` holds: for steps the dispatcher takes in the background, which the
    sandbox's own ``wait_for`` does not see."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError("the expected state was never reached")
        await asyncio.sleep(0.02)


async def outbox_row(
    session_factory: async_sessionmaker[AsyncSession], dedupe_key: str
) -> OutboxMessage | None:
    async with session_factory() as session:
        return await session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        )


# Bot API methods that deliver a message (what the pacer lets start).
SEND_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument", "sendlocation", "sendvenue"})


class PacingTime:
    """Virtual seconds for the outbox's pacer and the sandbox, moved forward only by the
    pacer's sleeps (at once: no real time passes). Before moving it, a sleep waits until every
    send the pacer already let start has reached the sandbox, so the sandbox logs (and
    flood-checks) each send at the moment the pacer started it, however loaded the machine."""

    def __init__(self, sandbox: SandboxServer, start: float = 1000.0) -> None:
        self.now = start
        self.sandbox = sandbox
        self.started = 0  # sends the pacer let start

    def __call__(self) -> float:
        return self.now

    def _arrived(self) -> int:
        return sum(1 for call in self.sandbox.calls if call.method.lower() in SEND_METHODS)

    async def sleep(self, seconds: float) -> None:
        # Checked again after each wait, and the clock moved in the same step.
        while self._arrived() < self.started:
            await self.sandbox.wait_for(lambda: self._arrived() >= self.started, timeout=10)
        self.now += max(seconds, 0.0)


class _CountingPacer(Pacer):
    def __init__(self, pacer: Pacer, time: PacingTime) -> None:
        budget = SendBudget(pacer.budget.per_second, now=time, sleep=time.sleep)
        super().__init__(pacer.limits, now=time, sleep=time.sleep, budget=budget)
        self._time = time

    async def acquire(self, chat_id: int) -> None:
        await super().acquire(chat_id)
        self._time.started += 1


def pace_on_virtual_time(bot: BotRunner, sandbox: SandboxServer) -> PacingTime:
    """The running bot's outbox paced (with the limits its settings gave it) and the sandbox
    timed on one :class:`PacingTime`."""
    time = PacingTime(sandbox)
    dispatcher = dispatcher_of(bot.application)
    dispatcher.pacer = _CountingPacer(dispatcher.pacer, time)
    sandbox.clock = time
    return time
