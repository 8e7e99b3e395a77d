"""Shared steps for the delivery tests: people in the database and the sandbox, and plain
outbox messages queued for them."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import AccessRole, User
from delivery.models import OutboxMessage, OutboxStatus
from delivery.outbox import OutboxItem, enqueue_many
from demo.runner import BotRunner, SimulatedClock, sandbox_settings
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
