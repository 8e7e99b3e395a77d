"""A PTB persistence that keeps conversation states in Tideline's own database.

Only conversations are stored: everything else a flow needs is saved to the domain tables as
soon as the person gives it, so there is no user_data or chat_data to persist. PTB hands over
the states changed since its last run all at once, every few seconds: they are written together
(``db.group_commit``), not one transaction each, which on SQLite would hold the one connection
for every chat through hundreds of small transactions after a burst of people starting or
finishing a flow.
"""

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from db.conversations import load_states, save_states
from db.group_commit import GroupCommit

# A conversation's name, its key as stored, and the new state (None: ended).
_StateWrite = tuple[str, str, str | None]

# Conversation keys are tuples of chat and user ids; JSON keeps them readable in the table.


def _encode_key(key: ConversationKey) -> str:
    return json.dumps(list(key))


def _decode_key(text: str) -> ConversationKey:
    return tuple(json.loads(text))


class DatabasePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=False, callback_data=False
            ),
            update_interval=5,
        )
        self._session_factory = session_factory
        # What this process last read or wrote per conversation and key: PTB hands over every
        # state a step set, and most steps set the one the person was already in (the next
        # question of a survey), which needs no transaction of its own.
        self._stored: dict[tuple[str, ConversationKey], str | None] = {}
        self._writes: GroupCommit[_StateWrite, None] = GroupCommit(self._write_states)

    async def get_conversations(self, name: str) -> ConversationDict:
        async with self._session_factory() as session:
            states = await load_states(session, name)
        conversations: ConversationDict = {}
        for text, state in states.items():
            key = _decode_key(text)
            conversations[key] = state
            self._stored[(name, key)] = state
        return conversations

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        state = _state_text(new_state)
        if self._stored.get((name, key)) == state:
            return
        await self._writes.submit((name, _encode_key(key), state))
        if state is None:
            self._stored.pop((name, key), None)
        else:
            self._stored[(name, key)] = state

    async def _write_states(self, writes: Sequence[_StateWrite]) -> list[None]:
        async with self._session_factory() as session, session.begin():
            await save_states(session, writes)
        return [None] * len(writes)

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        return None


def _state_text(state: object | None) -> str | None:
    return None if state is None else str(state)
