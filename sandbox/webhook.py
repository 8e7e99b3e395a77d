"""Webhook mode: POST each pending update to the bot's URL, in order, until it answers 2xx."""

from __future__ import annotations

import asyncio
import logging

import aiohttp

from .polling import wanted
from .state import Json, SandboxState, WebhookConfig, unix_now

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookDelivery:
    """Runs for the server's lifetime and idles while no webhook is set."""

    def __init__(
        self,
        state: SandboxState,
        *,
        retry_delay: float = 0.1,
        max_retry_delay: float = 2.0,
        request_timeout: float = 10.0,
    ) -> None:
        self.state = state
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.request_timeout = request_timeout
        self.attempts = 0  # total POSTs made, for tests and diagnostics

    async def run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self.request_timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            delay = self.retry_delay
            while True:
                config = self.state.webhook
                update = self._next_update()
                if config is None or update is None:
                    await self.state.signal.wait(None)
                    continue
                error = await self._post(session, config, update)
                if error is None:
                    self.state.updates.ack(update["update_id"])
                    delay = self.retry_delay
                    continue
                config.last_error_date = unix_now()
                config.last_error_message = error
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_retry_delay)

    def _next_update(self) -> Json | None:
        allowed = self.state.allowed_updates
        self.state.updates.drop(lambda update: not wanted(update, allowed))
        return self.state.updates.pending[0] if self.state.updates.pending else None

    async def _post(
        self, session: aiohttp.ClientSession, config: WebhookConfig, update: Json
    ) -> str | None:
        """Deliver one update; None on success, else Telegram-style last_error_message."""
        headers = {SECRET_HEADER: config.secret_token} if config.secret_token else {}
        self.attempts += 1
        try:
            async with session.post(config.url, json=update, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except (aiohttp.ClientError, OSError, ValueError) as error:
            log.debug("webhook delivery failed: %r", error)
            return f"Connection failed: {error}"
