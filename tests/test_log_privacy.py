"""Logs carry row ids and error types only: a database error's message quotes the statement's
parameters (names, message text), so neither it nor a traceback ending in it is ever logged."""

import ast
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import AccessRole, User
from delivery.outbox import enqueue
from demo.runner import BotRunner
from handlers.runtime.dispatch_wiring import dispatcher_of
from handlers.runtime.sender import Outgoing, RenderRequest
from tests.delivery_helpers import add_people

ROOT = Path(__file__).resolve().parent.parent
# The sandbox is a stand-in for Telegram that only ever sees simulated people.
NOT_PRODUCT = {"tests", "sandbox", "bench", ".venv"}
PERSONAL = "Siti Rahmawati"


async def _clashing_insert(session: AsyncSession, telegram_id: int, now: datetime) -> None:
    """A statement that fails (the telegram id is taken) with a person's name among its
    parameters."""
    await session.execute(
        insert(User).values(
            telegram_id=telegram_id,
            first_name=PERSONAL,
            language="en",
            access_role=AccessRole.PARTICIPANT,
            created_at=now,
        )
    )


async def _queue(bot: BotRunner, user_id: int, kind: str) -> None:
    async with bot.session_factory.begin() as session:
        await enqueue(
            session,
            user_id=user_id,
            kind=kind,
            dedupe_key=f"{kind}:{user_id}",
            due_at=bot.clock(),
            payload={"text": "Hello"},
        )


async def _delivered_logs(bot: BotRunner, caplog: pytest.LogCaptureFixture) -> str:
    caplog.clear()
    # The level the bot runs at (bot.py); below it, drivers trace every statement they run.
    with caplog.at_level(logging.INFO):
        await bot.deliver_due()
    return caplog.text


async def test_a_statement_failing_inside_a_send_logs_no_parameters(
    bot: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    people = await add_people(bot.session_factory, [5101], bot.clock(), sandbox=bot.server)
    sender = dispatcher_of(bot.application).sender
    failures: list[BaseException] = []

    async def send(
        chat_id: int, outgoing: Outgoing, pace: Callable[[int], Awaitable[None]]
    ) -> None:
        try:
            async with bot.session_factory.begin() as session:
                await _clashing_insert(session, chat_id, bot.clock())
        except DBAPIError as error:
            failures.append(error)
            raise

    sender.send = send  # type: ignore[method-assign]
    await _queue(bot, people[5101], "plain")
    logs = await _delivered_logs(bot, caplog)

    assert failures, "the statement must have failed inside the send"
    assert "IntegrityError" in logs
    assert PERSONAL not in logs


async def test_a_statement_failing_inside_a_renderer_logs_no_parameters(
    bot: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    people = await add_people(bot.session_factory, [5102], bot.clock(), sandbox=bot.server)

    async def render(request: RenderRequest) -> Outgoing:
        assert request.user.telegram_id is not None
        await _clashing_insert(request.session, request.user.telegram_id, request.now)
        return Outgoing(text="never sent")

    dispatcher_of(bot.application).sender.renderers["clashing"] = render
    await _queue(bot, people[5102], "clashing")
    logs = await _delivered_logs(bot, caplog)

    assert "renderer for clashing failed" in logs and "IntegrityError" in logs
    assert PERSONAL not in logs


async def test_database_errors_do_not_quote_their_parameters(bot: BotRunner) -> None:
    # For whatever logs them anyway: PTB, asyncio's unretrieved task exceptions, a library.
    people = await add_people(bot.session_factory, [5103], bot.clock())
    assert people
    with pytest.raises(DBAPIError) as failure:
        async with bot.session_factory.begin() as session:
            await _clashing_insert(session, 5103, bot.clock())
    assert PERSONAL not in str(failure.value)


def _logs_tracebacks(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return False
    if node.func.attr == "exception":
        return True
    return any(keyword.arg in ("exc_info", "stack_info") for keyword in node.keywords)


def test_no_product_code_logs_a_traceback() -> None:
    """A traceback ends in the exception's message; ``db.failures.describe_failure`` gives the
    type and the code location instead."""
    offenders: list[str] = []
    for path in ROOT.rglob("*.py"):
        if NOT_PRODUCT & set(path.relative_to(ROOT).parts):
            continue
        tree: Any = ast.parse(path.read_text(), filename=str(path))
        offenders += [
            f"{path.relative_to(ROOT)}:{node.lineno}"
            for node in ast.walk(tree)
            if _logs_tracebacks(node)
        ]
    assert offenders == []
