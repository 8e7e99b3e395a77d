"""Webhook mode: the sandbox delivers updates by HTTP POST with the secret header."""

import socket

from bot import webhook_options
from demo.runner import BotRunner, SimulatedClock, sandbox_settings
from sandbox import SandboxServer


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_bot_serves_updates_through_its_webhook(
    sandbox: SandboxServer, database_url: str
) -> None:
    port = _free_port()
    settings = sandbox_settings(
        sandbox,
        database_url,
        WEBHOOK_URL=f"http://127.0.0.1:{port}",
        WEBHOOK_SECRET="tideline-test-secret",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=port,
    )
    runner = BotRunner(sandbox, settings, SimulatedClock())
    await runner.application.initialize()
    await runner.application.start()
    assert runner.application.updater is not None
    await runner.application.updater.start_webhook(**webhook_options(settings))  # type: ignore[arg-type]
    runner.running = True
    try:
        webhook = [call for call in sandbox.calls_to("setWebhook")][-1]
        assert webhook.params["url"] == f"http://127.0.0.1:{port}/123456"
        assert webhook.params["secret_token"] == "tideline-test-secret"
        mei = sandbox.user(6001, first_name="Mei", language_code="zh-hans")
        await runner.do(mei.send_command("start"))
        zh = runner.catalogs.translator("zh")
        assert zh._("Choose your language:") in mei.last.text
    finally:
        await runner.stop()
