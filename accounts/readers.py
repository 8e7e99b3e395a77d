"""The language of the person behind each update, looked up for many updates at once.

Every update needs it, so a burst of updates shares one query per batch (``db.group_commit``)
instead of a transaction each. First contacts and changed Telegram names, which write, go
through :func:`accounts.service.reader_language` in the same transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import User
from accounts.service import reader_language
from db.group_commit import GroupCommit


@dataclass(frozen=True)
class Reader:
    telegram_id: int
    username: str | None
    first_name: str | None
    # For a first contact: the language their Telegram app uses, if Tideline speaks it.
    language: str
    now: datetime


class ReaderDirectory:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory
        self._lookups: GroupCommit[Reader, str] = GroupCommit(self._write)

    async def language_of(self, reader: Reader) -> str:
        """The reader's language; their account is created on first contact."""
        return await self._lookups.submit(reader)

    async def _write(self, readers: Sequence[Reader]) -> list[str]:
        async with self._sessions() as session, session.begin():
            return await languages_of(session, readers)


async def languages_of(session: AsyncSession, readers: Sequence[Reader]) -> list[str]:
    rows = await session.execute(
        select(User.telegram_id, User.language, User.username, User.first_name).where(
            User.telegram_id.in_({reader.telegram_id for reader in readers})
        )
    )
    known = {row.telegram_id: row for row in rows}
    languages = []
    for reader in readers:
        row = known.get(reader.telegram_id)
        if row is not None and (row.username, row.first_name) == (
            reader.username,
            reader.first_name,
        ):
            languages.append(str(row.language))
            continue
        languages.append(
            await reader_language(
                session,
                telegram_id=reader.telegram_id,
                username=reader.username,
                first_name=reader.first_name,
                language=reader.language,
                now=reader.now,
            )
        )
    return languages
