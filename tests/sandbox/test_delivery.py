"""Getting updates to a real PTB Application (polling) and to a webhook receiver."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, Update
from telegram.error import Conflict
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sandbox import SandboxServer


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "")


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        f"Welcome, event {context.args[0] if context.args else '-'}",
        reply_markup={"inline_keyboard": [[{"text": "RSVP", "callback_data": "rsvp"}]]},
    )


async def rsvp(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Saved")
    await query.edit_message_text("You are going")


@pytest.fixture
async def application(server: SandboxServer) -> AsyncIterator[Application]:
    app = (
        ApplicationBuilder()
        .token(server.token)
        .base_url(f"{server.base_url}/bot")
        .base_file_url(f"{server.base_url}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(rsvp))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        yield app
        await app.updater.stop()
        await app.stop()


async def test_application_polls_handles_and_acknowledges(
    server: SandboxServer, application: Application
) -> None:
    alice = server.user(1001, first_name="Alice", language_code="th")
    update = await alice.send_text("ping")
    await server.acknowledged(update["update_id"], timeout=5)
    reply = await alice.wait_for_message(timeout=5)
    assert reply.text == "ping"

    await alice.send_command("start", "ev_42")
    welcome = await alice.wait_for_message(timeout=5)
    assert welcome.text == "Welcome, event ev_42"
    assert welcome.buttons == [[("RSVP", "rsvp")]]

    await alice.press("RSVP")
    await server.wait_for(lambda: welcome.edited == 1, timeout=5)
    assert welcome.text == "You are going" and welcome.buttons == []
    assert alice.callback_answers == [
        {
            "callback_query_id": alice.callback_answers[0]["callback_query_id"],
            "text": "Saved",
            "show_alert": False,
            "url": None,
            "cache_time": 0,
        }
    ]
    assert server.calls_to("deleteWebhook")  # PTB's start_polling clears any webhook first


# -- webhook ------------------------------------------------------------------------------


@dataclass
class Receiver:
    """A tiny webhook endpoint that can be told to fail the first N deliveries."""

    fail_first: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[str | None] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        if self.fail_first > 0:
            self.fail_first -= 1
            return web.Response(status=500)
        self.received.append(await request.json())
        return web.Response(text="ok")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    target = Receiver()
    app = web.Application()
    app.router.add_post("/hook", target.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    assert site._server is not None
    port = site._server.sockets[0].getsockname()[1]
    target.url = f"http://127.0.0.1:{port}/hook"
    yield target
    await runner.cleanup()


async def test_webhook_delivery_with_secret_and_retries(
    server: SandboxServer, bot: Bot, receiver: Receiver
) -> None:
    receiver.fail_first = 2
    assert await bot.set_webhook(receiver.url, secret_token="s3cret-token")
    alice = server.user(1001, first_name="Alice")
    update = await alice.send_text("via webhook")
    await server.acknowledged(update["update_id"], timeout=5)

    assert [u["update_id"] for u in receiver.received] == [update["update_id"]]
    assert receiver.received[0]["message"]["text"] == "via webhook"
    assert receiver.secrets == ["s3cret-token"] * 3  # two failures, then success
    info = await bot.get_webhook_info()
    assert info.url == receiver.url and info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"

    with pytest.raises(Conflict, match="(?i)webhook is active"):
        await bot.get_updates()

    assert await bot.delete_webhook()
    later = await alice.send_text("via polling")
    assert [u.update_id for u in await bot.get_updates()] == [later["update_id"]]


async def test_set_webhook_can_drop_pending_updates(
    server: SandboxServer, bot: Bot, receiver: Receiver
) -> None:
    alice = server.user(1001, first_name="Alice")
    await alice.send_text("old news")
    await bot.set_webhook(receiver.url, drop_pending_updates=True)
    assert server.pending_updates == 0
    fresh = await alice.send_text("fresh")
    await server.acknowledged(fresh["update_id"], timeout=5)
    assert [u["message"]["text"] for u in receiver.received] == ["fresh"]


async def test_setting_a_webhook_ends_a_waiting_long_poll(
    server: SandboxServer, bot: Bot, receiver: Receiver
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await server.wait_for(lambda: server.poller.waiting == 1, timeout=5)
    await bot.set_webhook(receiver.url)
    with pytest.raises(Conflict):
        await asyncio.wait_for(poll, timeout=5)
