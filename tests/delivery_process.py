"""A real bot process for the crash and two-process tests: builds the real Application against
a sandbox and a database, starts it (JobQueue, dispatcher; no polling, so two processes do not
fight over getUpdates) and runs until SIGTERM, or until the outbox has nothing left to send.

    python -m tests.delivery_process --database-url URL --base-url URL --token TOKEN \
        --rate 20 [--lease 2] --clock-start 2026-11-25T02:00:00+00:00 --clock-anchor EPOCH

The clock is ``clock-start + (time.time() - clock-anchor)``: a process restarted with the same
anchor continues the same timeline.
"""

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func, select

from db.engine import create_engine, create_session_factory
from delivery.models import OPEN_STATUSES, OutboxMessage
from handlers.app import build_application
from handlers.runtime.dispatch_wiring import dispatcher_of
from i18n import Catalogs
from settings import load_settings


def anchored_clock(start: datetime, anchor: float) -> Callable[[], datetime]:
    return lambda: start + timedelta(seconds=time.time() - anchor)


async def run(arguments: argparse.Namespace) -> int:
    settings = load_settings(
        BOT_TOKEN=arguments.token,
        BOT_API_BASE_URL=arguments.base_url,
        DATABASE_URL=arguments.database_url,
        BROADCAST_RATE=arguments.rate,
        ADMIN_IDS="",
    )
    engine = create_engine(settings.DATABASE_URL)
    session_factory = create_session_factory(engine)
    clock = anchored_clock(datetime.fromisoformat(arguments.clock_start), arguments.clock_anchor)
    application = build_application(
        settings, session_factory, Catalogs(settings.DEFAULT_LANGUAGE), clock
    )
    dispatcher = dispatcher_of(application)
    if arguments.lease is not None:
        # A shorter lease, so the restarted process takes over a dead one's claims sooner.
        lease = timedelta(seconds=arguments.lease)
        dispatcher.options = replace(dispatcher.options, lease=lease, heartbeat=lease / 4)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)

    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    await application.start()
    print(f"ready {dispatcher.name}", flush=True)
    try:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.2)
            if arguments.exit_when_done:
                async with session_factory() as session:
                    left = await session.scalar(
                        select(func.count()).where(OutboxMessage.status.in_(OPEN_STATUSES))
                    )
                if left == 0:
                    break
    finally:
        await application.stop()
        assert application.post_stop is not None
        await application.post_stop(application)
        await application.shutdown()
        await engine.dispose()
    print(f"done {dispatcher.name} sent={dispatcher.totals.sent}", flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--lease", type=float, default=None, help="seconds (default: the bot's)")
    parser.add_argument("--clock-start", required=True)
    parser.add_argument("--clock-anchor", type=float, required=True)
    parser.add_argument("--exit-when-done", action="store_true")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
