"""One unit of work per update, through the real bot: a step's replies go out only after its
transaction committed, none when it rolled back, and the two ways of holding SQLite's one
connection too long (a Bot API call inside the transaction, a second transaction inside the
step) fail at once instead of stalling every chat."""

import logging

import pytest
from sqlalchemy import select, text
from telegram import Update
from telegram.ext import ApplicationHandlerStop, CommandHandler

from accounts.models import User
from db.conversations import load_state, save_state
from demo.runner import BotRunner
from handlers.kit.context import TidelineContext, answer
from handlers.kit.steps import as_steps

PROBES = -5
APOLOGY = "Sorry, something went wrong on my side."


def _probe(bot: BotRunner, command: str, callback: object) -> None:
    bot.application.add_handler(as_steps([CommandHandler(command, callback)])[0], group=PROBES)  # type: ignore[arg-type]


async def _remembered(bot: BotRunner, key: str) -> str | None:
    async with bot.session_factory() as session:
        return await load_state(session, "probe", key)


async def test_replies_wait_for_the_commit_and_see_what_it_wrote(bot: BotRunner) -> None:
    async def write_then_reply(update: Update, context: TidelineContext) -> None:
        session = await context.session()
        await save_state(session, "probe", "written", "yes")
        await answer(update, context, "written")
        # Handled: nothing after this group answers it; a stop is control flow and commits.
        raise ApplicationHandlerStop

    _probe(bot, "write", write_then_reply)
    kim = bot.server.user(7001, first_name="Kim", language_code="en")
    await bot.do(kim.send_command("write"))

    assert kim.last is not None and kim.last.text == "written"
    assert await _remembered(bot, "written") == "yes"


async def test_a_step_that_fails_rolls_back_and_sends_nothing_it_queued(
    bot: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    async def write_reply_then_fail(update: Update, context: TidelineContext) -> None:
        session = await context.session()
        await save_state(session, "probe", "lost", "yes")
        await answer(update, context, "this must not arrive")
        await session.execute(text("SELECT * FROM no_such_table"))

    _probe(bot, "fail", write_reply_then_fail)
    kim = bot.server.user(7002, first_name="Kim", language_code="en")
    await bot.do(kim.send_command("fail"))

    texts = [message.text or "" for message in kim.messages]
    assert not any("must not arrive" in sent for sent in texts)
    assert any(sent.startswith(APOLOGY) for sent in texts)
    assert await _remembered(bot, "lost") is None


async def test_a_bot_api_call_inside_the_transaction_is_refused(
    bot: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    async def call_telegram_mid_transaction(update: Update, context: TidelineContext) -> None:
        session = await context.session()
        await session.scalar(select(User.id).limit(1))
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "sent while holding the lock")

    _probe(bot, "hold", call_telegram_mid_transaction)
    kim = bot.server.user(7003, first_name="Kim", language_code="en")
    with caplog.at_level(logging.ERROR):
        await bot.do(kim.send_command("hold"))

    assert "TransactionStillOpen" in caplog.text
    texts = [message.text or "" for message in kim.messages]
    assert "sent while holding the lock" not in texts
    assert any(sent.startswith(APOLOGY) for sent in texts)


async def test_a_second_transaction_inside_a_step_is_refused_at_once(
    bot: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    """On SQLite this used to wait 30 s for the one pooled connection, then apologize."""

    async def nested(update: Update, context: TidelineContext) -> None:
        session = await context.session()
        await session.scalar(select(User.id).limit(1))
        async with context.services.transaction() as second:
            await second.scalar(select(User.id).limit(1))

    _probe(bot, "nested", nested)
    kim = bot.server.user(7004, first_name="Kim", language_code="en")
    with caplog.at_level(logging.ERROR):
        await bot.do(kim.send_command("nested"))

    assert "TransactionStillOpen" in caplog.text
    assert any((message.text or "").startswith(APOLOGY) for message in kim.messages)
