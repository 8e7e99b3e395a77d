"""Storage for chat conversation states (see handlers.persistence)."""

from collections.abc import Sequence
from itertools import groupby

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ConversationState


async def load_states(session: AsyncSession, name: str) -> dict[str, str]:
    rows = await session.scalars(select(ConversationState).where(ConversationState.name == name))
    return {row.key: row.state for row in rows}


async def load_state(session: AsyncSession, name: str, key: str) -> str | None:
    row = await session.get(ConversationState, (name, key))
    return row.state if row is not None else None


async def save_state(session: AsyncSession, name: str, key: str, state: str | None) -> None:
    row = await session.get(ConversationState, (name, key))
    if state is None:
        if row is not None:
            await session.delete(row)
    elif row is None:
        session.add(ConversationState(name=name, key=key, state=state))
    else:
        row.state = state


async def save_states(session: AsyncSession, writes: Sequence[tuple[str, str, str | None]]) -> None:
    """Many (name, key, state) writes with one read per conversation name; a later write of the
    same key wins, as if they were saved one after another."""
    rows: dict[tuple[str, str], ConversationState] = {}
    for name, of_name in groupby(sorted({(n, k) for n, k, _ in writes}), key=lambda nk: nk[0]):
        keys = [key for _, key in of_name]
        found = await session.scalars(
            select(ConversationState).where(
                ConversationState.name == name, ConversationState.key.in_(keys)
            )
        )
        rows.update({(row.name, row.key): row for row in found})
    for name, key, state in writes:
        row = rows.get((name, key))
        if state is None:
            if row in session.new:
                session.expunge(row)  # added by an earlier write of this batch
            elif row is not None:
                await session.delete(row)
            rows.pop((name, key), None)
        elif row is None:
            rows[(name, key)] = row = ConversationState(name=name, key=key, state=state)
            session.add(row)
        else:
            row.state = state


async def forget_key(session: AsyncSession, key: str) -> None:
    await session.execute(delete(ConversationState).where(ConversationState.key == key))
