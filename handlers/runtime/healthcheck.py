"""Container health check: the configuration loads and the database is reachable and migrated."""

import asyncio
import sys

from sqlalchemy import text

from db.engine import create_engine
from settings import ConfigurationError, load_settings


async def _database_is_current(database_url: str) -> bool:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
            return version is not None
    finally:
        await engine.dispose()


def main() -> int:
    try:
        settings = load_settings()
        healthy = asyncio.run(_database_is_current(settings.DATABASE_URL))
    except ConfigurationError as error:
        print(error, file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - any failure is "unhealthy"
        print(f"unhealthy: {type(error).__name__}", file=sys.stderr)
        return 1
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
