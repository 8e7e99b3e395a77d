"""Runs the real Tideline Application against the sandbox Bot API, on an injected clock."""

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application

from db.engine import create_engine, create_session_factory
from delivery.dispatcher import DeliveryReport
from handlers.app import build_application
from handlers.runtime.dispatch_wiring import dispatcher_of
from handlers.runtime.sweeps import sweep_events
from i18n import Catalogs
from sandbox import FloodPolicy, SandboxServer
from settings import Settings, load_settings


def interactive_flood_policy() -> FloodPolicy:
    """Flood limits for scripted conversations: simulated people tap hundreds of times faster
    than real ones, which Telegram's bulk-sending limits are not meant for. Tests of bulk
    delivery use the sandbox's Telegram-like defaults instead."""
    return FloodPolicy(global_per_second=1000, private_burst=1000)


@dataclass
class SimulatedClock:
    """The clock handed to the bot: set and advanced by whoever drives it, never slept on."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 25, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class BotRunner:
    """One running bot polling one sandbox; ``do`` waits until an update is fully handled."""

    def __init__(self, server: SandboxServer, settings: Settings, clock: SimulatedClock) -> None:
        self.server = server
        self.settings = settings
        self.clock = clock
        self.catalogs = Catalogs(settings.DEFAULT_LANGUAGE)
        self.engine: AsyncEngine = create_engine(settings.DATABASE_URL)
        self.session_factory = create_session_factory(self.engine)
        self.application: Application = build_application(
            settings, self.session_factory, self.catalogs, clock
        )
        self.running = False

    async def start(self) -> None:
        await self.application.initialize()
        # run_polling would call post_init here; the runner drives the same steps itself.
        if self.application.post_init:
            await self.application.post_init(self.application)
        await self.application.start()
        assert self.application.updater is not None
        await self.application.updater.start_polling(poll_interval=0, timeout=5)
        self.running = True

    async def stop(self) -> None:
        if not self.running:
            return
        self.running = False
        assert self.application.updater is not None
        await self.application.updater.stop()
        await self.application.stop()
        # run_polling would call post_stop here (it stops the outbox dispatcher).
        if self.application.post_stop:
            await self.application.post_stop(self.application)
        await self.application.shutdown()
        await self.engine.dispose()

    async def settle(self, update: dict[str, Any]) -> None:
        """Wait until the bot fetched the update and every queued update has been handled."""
        await self.server.acknowledged(update["update_id"])
        await self.application.update_queue.join()

    async def deliver_due(self) -> DeliveryReport:
        """Send every outbox row due at the clock's current time and wait for the outcomes
        (call it after ``clock.advance``), after the events' sweep has let lapsed seat offers
        pass on; returns what this pass did."""
        await sweep_events(self.application)
        return await dispatcher_of(self.application).deliver_due()

    async def do(self, action: Any) -> dict[str, Any]:
        """Await a user-side action (``alice.send_text("hi")``), then wait for the bot."""
        update: dict[str, Any] = await action
        await self.settle(update)
        return update


def sandbox_settings(server: SandboxServer, database_url: str, **overrides: object) -> Settings:
    """Settings pointing the bot at the sandbox, built through the normal environment path."""
    values: dict[str, object] = {
        "BOT_TOKEN": server.token,
        "BOT_API_BASE_URL": server.base_url,
        "DATABASE_URL": database_url,
        "ADMIN_IDS": "",
        "DEFAULT_LANGUAGE": "en",
        "DEFAULT_TIMEZONE": "Asia/Singapore",
        **overrides,
    }
    saved = {name: os.environ.get(name) for name in values}
    try:
        os.environ.update({name: str(value) for name, value in values.items()})
        return load_settings()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
