"""What an operator sees when starting ``bot.py run``: one line per start-up problem naming the
setting, a second poller explained in one line, and never the token, even at DEBUG."""

import asyncio
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from handlers.runtime.log_setup import configure_logging
from sandbox import SandboxServer
from settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = tuple(Settings.model_fields)
SECRET_TOKEN = "7654321:AAH-secret-half-of-the-token_0123456789"
CONFLICT_LINE = "another process is receiving updates for this bot (409 Conflict)"


def _environment(**settings: str) -> dict[str, str]:
    inherited = {name: value for name, value in os.environ.items() if name not in SETTINGS}
    return {**inherited, **settings}


async def _run_to_exit(cwd: Path, **settings: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bot.py"),
        "run",
        cwd=cwd,
        env=_environment(**settings),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_a_rejected_token_is_one_line_without_the_token(
    sandbox: SandboxServer, database_url: str, tmp_path: Path
) -> None:
    code, output = await _run_to_exit(
        tmp_path,
        BOT_TOKEN=SECRET_TOKEN,
        BOT_API_BASE_URL=sandbox.base_url,
        DATABASE_URL=database_url,
    )
    assert code == 2
    assert output.strip() == (
        f"Configuration error: BOT_TOKEN: rejected by the Bot API at {sandbox.base_url}; "
        "copy the token again from @BotFather"
    )
    assert "secret-half" not in output


@pytest.mark.parametrize(
    ("database_url", "reason"),
    [
        # Heroku-style: accepted and run on asyncpg, so the failure is the connection's.
        ("postgres://tideline:pw@127.0.0.1:1/tideline", "ConnectionRefusedError"),
        ("postgresql://tideline:pw@127.0.0.1:1/tideline?sslmode=disable", "ConnectionRefusedError"),
    ],
)
async def test_an_unreachable_database_is_one_line(
    tmp_path: Path, database_url: str, reason: str
) -> None:
    code, output = await _run_to_exit(tmp_path, BOT_TOKEN=SECRET_TOKEN, DATABASE_URL=database_url)
    assert code == 2
    assert (
        output.strip() == f"Configuration error: DATABASE_URL: cannot open the database ({reason})"
    )


async def test_an_unreachable_bot_api_is_one_line(database_url: str, tmp_path: Path) -> None:
    code, output = await _run_to_exit(
        tmp_path,
        BOT_TOKEN=SECRET_TOKEN,
        BOT_API_BASE_URL="http://127.0.0.1:1",
        DATABASE_URL=database_url,
    )
    assert code == 2
    assert output.strip() == (
        "Configuration error: BOT_API_BASE_URL: cannot reach http://127.0.0.1:1 (NetworkError)"
    )


async def test_a_webhook_port_in_use_is_one_line(
    sandbox: SandboxServer, database_url: str, tmp_path: Path
) -> None:
    code, output = await _run_to_exit(
        tmp_path,
        BOT_TOKEN=sandbox.token,
        BOT_API_BASE_URL=sandbox.base_url,
        DATABASE_URL=database_url,
        ADMIN_IDS="1",
        WEBHOOK_URL="https://bot.example.org",
        WEBHOOK_LISTEN=sandbox.host,
        WEBHOOK_PORT=str(sandbox.port),  # the sandbox holds it
    )
    assert code == 2
    assert output.strip() == (
        f"Configuration error: WEBHOOK_PORT: cannot listen on {sandbox.host}:{sandbox.port} "
        "(Address already in use)"
    )


@pytest.fixture
async def secret_sandbox() -> AsyncIterator[SandboxServer]:
    async with SandboxServer(token=SECRET_TOKEN) as server:
        yield server


async def _second_poller(sandbox: SandboxServer) -> None:
    async with aiohttp.ClientSession() as http:
        await http.post(f"{sandbox.base_url}/bot{SECRET_TOKEN}/getUpdates", json={"timeout": 0})


async def test_running_at_debug_never_prints_the_token_and_explains_a_second_poller(
    secret_sandbox: SandboxServer, database_url: str, tmp_path: Path
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bot.py"),
        "run",
        cwd=tmp_path,
        env=_environment(
            BOT_TOKEN=SECRET_TOKEN,
            BOT_API_BASE_URL=secret_sandbox.base_url,
            DATABASE_URL=database_url,
            LOG_LEVEL="DEBUG",
        ),
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    lines: list[str] = []
    explained = asyncio.Event()

    async def read() -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            lines.append(raw.decode())
            if CONFLICT_LINE in lines[-1]:
                explained.set()

    reader = asyncio.create_task(read())
    try:
        await secret_sandbox.wait_for(lambda: secret_sandbox.poller.waiting > 0, timeout=60)
        await _second_poller(secret_sandbox)
        await asyncio.wait_for(explained.wait(), timeout=30)
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), timeout=30)
        await reader
    output = "".join(lines)
    assert "DEBUG" in output  # the level took effect, so every logger had its chance
    assert "secret-half" not in output
    assert "ADMIN_IDS is empty: nobody can grant or revoke the organizer role" in output
    conflict = [line for line in lines if CONFLICT_LINE in line]
    assert conflict and all(line.startswith("20") for line in conflict)
    assert "Traceback" not in output


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    chatty = {name: logging.getLogger(name).level for name in ("apscheduler", "alembic")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, saved in chatty.items():
        logging.getLogger(name).setLevel(saved)


@pytest.mark.usefixtures("restored_logging")
def test_routine_scheduler_and_migration_lines_are_not_logged_at_info() -> None:
    configure_logging(logging.INFO)
    assert not logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.INFO)
    assert not logging.getLogger("alembic.runtime.migration").isEnabledFor(logging.INFO)
    assert logging.getLogger("tideline").isEnabledFor(logging.INFO)
