"""Container health check: the configuration loads, the database answers at the schema this
code needs (not merely one migrated once), and the bot is running (its heartbeat is fresh).
Prints one line; exit status 0 when healthy."""

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from db.engine import create_engine
from db.migrate import head_revision
from handlers.runtime.heartbeat import heartbeat_problem
from settings import ConfigurationError, Settings, load_settings


async def _schema_version(database_url: str) -> str | None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
            return None if version is None else str(version)
    finally:
        await engine.dispose()


async def health_report(settings: Settings, now: datetime) -> tuple[bool, str]:
    """Whether the deployment is healthy, and one line saying why (no secrets, no URL)."""
    head = head_revision()
    try:
        version = await _schema_version(settings.DATABASE_URL)
    except Exception as error:  # noqa: BLE001 - any failure to read the schema is "unhealthy"
        return False, f"unhealthy: the database does not answer ({type(error).__name__})"
    problems = []
    if version != head:
        problems.append(f"the schema is at {version or 'nothing'}, this code needs {head}")
    bot = "bot not checked (HEARTBEAT_FILE is empty)"
    if settings.HEARTBEAT_FILE:
        bot = "bot running"
        problem = heartbeat_problem(Path(settings.HEARTBEAT_FILE), now)
        if problem is not None:
            problems.append(problem)
    if problems:
        return False, "unhealthy: " + "; ".join(problems)
    return True, f"healthy: schema {head} is current, {bot}"


def main() -> int:
    try:
        settings = load_settings()
    except ConfigurationError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    healthy, line = asyncio.run(health_report(settings, datetime.now(UTC)))
    print(line, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
