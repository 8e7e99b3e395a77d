"""accounts.readers: many updates' languages in one query, accounts created on first contact
and Telegram names kept current, also when one person appears twice in a batch."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import User
from accounts.readers import Reader, languages_of
from db.engine import create_engine, create_session_factory

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        session.add(User(telegram_id=1, first_name="Lin", language="zh", created_at=NOW))
    yield sessions
    await engine.dispose()


def _reader(telegram_id: int, first_name: str, language: str = "en") -> Reader:
    return Reader(telegram_id, None, first_name, language, NOW)


async def test_known_new_and_renamed_readers_in_one_batch(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    batch = [
        _reader(1, "Lin"),
        _reader(2, "Somchai", "th"),
        _reader(1, "Lin Wei"),
        _reader(2, "Somchai", "vi"),
    ]
    async with sessions() as session, session.begin():
        # The account's language wins over the app's; a first contact keeps their app's.
        assert await languages_of(session, batch) == ["zh", "th", "zh", "th"]
    async with sessions() as session:
        names = dict((await session.execute(select(User.telegram_id, User.first_name))).all())
        accounts = await session.scalar(select(func.count()).select_from(User))
    assert names == {1: "Lin Wei", 2: "Somchai"}
    assert accounts == 2
