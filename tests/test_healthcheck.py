"""The health check: healthy only while the schema is the one the code needs and the bot runs."""

from datetime import timedelta
from pathlib import Path

from db.migrate import downgrade, head_revision, upgrade
from demo.runner import BotRunner, SimulatedClock, sandbox_settings
from handlers.runtime.healthcheck import health_report
from handlers.runtime.heartbeat import STALE_AFTER
from sandbox import SandboxServer


async def test_healthy_while_the_bot_runs_and_not_once_it_stopped(
    sandbox: SandboxServer, database_url: str, clock: SimulatedClock, tmp_path: Path
) -> None:
    heartbeat = tmp_path / "tideline.alive"
    settings = sandbox_settings(sandbox, database_url, HEARTBEAT_FILE=str(heartbeat))
    assert await health_report(settings, clock()) == (
        False,
        "unhealthy: the bot is not running (no heartbeat in HEARTBEAT_FILE)",
    )
    runner = BotRunner(sandbox, settings, clock)
    await runner.start()
    try:
        healthy, line = await health_report(settings, clock() + timedelta(seconds=5))
        assert healthy, line
        assert line == f"healthy: schema {head_revision()} is current, bot running"
        stuck = clock() + STALE_AFTER + timedelta(seconds=1)
        seconds = int(STALE_AFTER.total_seconds()) + 1
        assert await health_report(settings, stuck) == (
            False,
            f"unhealthy: the bot is not running (last heartbeat {seconds} s ago)",
        )
    finally:
        await runner.stop()
    healthy, line = await health_report(settings, clock())
    assert not healthy
    assert "no heartbeat" in line


async def test_a_schema_behind_the_code_is_unhealthy(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'behind.db'}"
    await upgrade(url)
    settings = sandbox_settings(sandbox, url)
    assert await health_report(settings, SimulatedClock()()) == (
        True,
        f"healthy: schema {head_revision()} is current, bot not checked (HEARTBEAT_FILE is empty)",
    )
    await downgrade(url, "-1")
    healthy, line = await health_report(settings, SimulatedClock()())
    assert not healthy
    assert line.startswith("unhealthy: the schema is at 0")
    assert line.endswith(f"this code needs {head_revision()}")


async def test_an_unreachable_database_is_unhealthy_without_its_url(
    sandbox: SandboxServer,
) -> None:
    settings = sandbox_settings(
        sandbox, "postgresql+asyncpg://tideline:s3cret-password@127.0.0.1:1/tideline"
    )
    healthy, line = await health_report(settings, SimulatedClock()())
    assert not healthy
    assert line.startswith("unhealthy: the database does not answer (")
    assert "s3cret" not in line
