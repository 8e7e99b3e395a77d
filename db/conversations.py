"""Storage for chat conversation states (see handlers.persistence)."""

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


async def forget_key(session: AsyncSession, key: str) -> None:
    await session.execute(delete(ConversationState).where(ConversationState.key == key))
