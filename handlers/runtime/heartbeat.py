"""The running bot's heartbeat: a file the health check reads to tell a running bot from a
process that is alive but no longer serving (``HEARTBEAT_FILE``; off when empty)."""

import contextlib
from datetime import datetime, timedelta
from pathlib import Path

from telegram.ext import Application, ContextTypes

from handlers.kit.context import SERVICES_KEY, Services

HEARTBEAT_SECONDS = 30
# Three beats missed: the event loop is stuck or the application stopped.
STALE_AFTER = timedelta(seconds=3 * HEARTBEAT_SECONDS)
HEARTBEAT_JOB = "heartbeat"


def write_heartbeat(path: Path, now: datetime) -> None:
    # Written aside and renamed, so the health check never reads half a timestamp.
    temporary = path.with_name(f"{path.name}.tmp")
    temporary.write_text(now.isoformat())
    temporary.replace(path)


def last_heartbeat(path: Path) -> datetime | None:
    try:
        return datetime.fromisoformat(path.read_text().strip())
    except (OSError, ValueError):
        return None


def heartbeat_problem(path: Path, now: datetime) -> str | None:
    beat = last_heartbeat(path)
    if beat is None:
        return "the bot is not running (no heartbeat in HEARTBEAT_FILE)"
    if now - beat > STALE_AFTER:
        seconds = int((now - beat).total_seconds())
        return f"the bot is not running (last heartbeat {seconds} s ago)"
    return None


def _heartbeat_path(application: Application) -> Path | None:
    services: Services = application.bot_data[SERVICES_KEY]
    configured = services.settings.HEARTBEAT_FILE
    return Path(configured) if configured else None


async def _beat(context: ContextTypes.DEFAULT_TYPE) -> None:
    application = context.application
    path = _heartbeat_path(application)
    if path is not None and application.running:
        services: Services = application.bot_data[SERVICES_KEY]
        write_heartbeat(path, services.clock())


def start_heartbeat(application: Application) -> None:
    path = _heartbeat_path(application)
    if path is None:
        return
    services: Services = application.bot_data[SERVICES_KEY]
    write_heartbeat(path, services.clock())
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("the heartbeat needs the JobQueue: python-telegram-bot[job-queue]")
    job_queue.run_repeating(
        _beat, interval=HEARTBEAT_SECONDS, first=HEARTBEAT_SECONDS, name=HEARTBEAT_JOB
    )


def stop_heartbeat(application: Application) -> None:
    path = _heartbeat_path(application)
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
