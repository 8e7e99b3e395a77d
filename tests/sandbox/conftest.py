"""Fixtures: a fresh sandbox per test, and a real PTB Bot pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from sandbox import SandboxServer, SandboxUser


def make_bot(server: SandboxServer, token: str | None = None, read_timeout: float = 5.0) -> Bot:
    return Bot(
        token or server.token,
        base_url=f"{server.base_url}/bot",
        base_file_url=f"{server.base_url}/file/bot",
        request=HTTPXRequest(read_timeout=read_timeout, connect_timeout=2.0),
        # get_updates long-polls: it needs a read timeout longer than its own `timeout`.
        get_updates_request=HTTPXRequest(read_timeout=15.0, connect_timeout=2.0),
    )


@pytest.fixture
async def server() -> AsyncIterator[SandboxServer]:
    async with SandboxServer() as running:
        yield running


@pytest.fixture
async def bot(server: SandboxServer) -> AsyncIterator[Bot]:
    async with make_bot(server) as connected:
        yield connected


@pytest.fixture
async def alice(server: SandboxServer) -> SandboxUser:
    """A user who has already written to the bot, so the bot may message her."""
    user = server.user(1001, first_name="Alice", username="alice", language_code="th")
    await user.send_text("hi")
    return user
