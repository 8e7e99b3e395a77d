"""Conversation states written in one batch (db.conversations.save_states, as the persistence
writes what PTB hands it) end as if written one after another."""

from db.conversations import load_states, save_state, save_states
from db.engine import create_engine, create_session_factory


async def test_a_batch_of_state_writes_ends_as_one_by_one(database_url: str) -> None:
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    try:
        async with sessions() as session, session.begin():
            await save_state(session, "answering", "[1, 1]", "ANSWER")
            await save_state(session, "answering", "[2, 2]", "ANSWER")
            await save_state(session, "profile", "[1, 1]", "NAME")
        async with sessions() as session, session.begin():
            await save_states(
                session,
                [
                    ("answering", "[1, 1]", None),  # ended
                    ("answering", "[2, 2]", "OTHER_TEXT"),
                    ("answering", "[3, 3]", "ANSWER"),  # new
                    ("answering", "[3, 3]", "OTHER_TEXT"),  # the later write wins
                    ("profile", "[4, 4]", "NAME"),
                    ("profile", "[4, 4]", None),
                ],
            )
        async with sessions() as session:
            assert await load_states(session, "answering") == {
                "[2, 2]": "OTHER_TEXT",
                "[3, 3]": "OTHER_TEXT",
            }
            assert await load_states(session, "profile") == {"[1, 1]": "NAME"}
    finally:
        await engine.dispose()
