"""Replies through the bot's send budget (``delivery.budget``), as PTB's rate limiter.

Every Bot API call of the Application passes here. The outbox's sends go straight through:
the pacer already drew them from the budget, and the dispatcher puts a row that met a 429
back to pending. A direct reply – anything a handler sends – waits only while outbox sends
fill the budget's 1-second window, and a reply that meets a 429 pauses the outbox, waits
``retry_after`` and is sent again, up to ``MAX_ATTEMPTS`` times, instead of being dropped.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from delivery.budget import SendBudget, counts_as_message, is_outbox_send
from handlers.runtime.sender import retry_after_seconds

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5

Result = bool | dict[str, Any] | list[dict[str, Any]]


class ReplyRateLimiter(BaseRateLimiter[None]):
    def __init__(self, budget: SendBudget, max_attempts: int = MAX_ATTEMPTS) -> None:
        self.budget = budget
        self.max_attempts = max_attempts

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Result:
        if is_outbox_send():
            return await callback(*args, **kwargs)
        attempt = 1
        while True:
            if counts_as_message(endpoint):
                await self.budget.reply_slot()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                seconds = retry_after_seconds(error)
                self.budget.flooded(seconds)
                if attempt >= self.max_attempts:
                    raise
                log.warning(
                    "429 on %s (attempt %s): sent again in %s s", endpoint, attempt, seconds
                )
                attempt += 1
                await asyncio.sleep(seconds)
