"""The pacer: when the next outbox send may start, within Telegram's flood limits and the
bot's :class:`delivery.budget.SendBudget`, which replies draw from first.

* overall: sends start on evenly spaced slots, ``(1 + margin) / rate`` apart. A send that
  starts a little late (timer and event-loop jitter) does not push the following slots back,
  so the achieved rate stays within ``margin`` of the configured one; after a longer stall
  the schedule restarts from now instead of catching up in a burst. On top of that, at most
  ``floor(rate)`` sends start in any ``1 + window_margin`` seconds, measured on the moments
  sends really started, so no 1-second window ever holds more than the rate;
* the rate is the configured one until a 429: then it drops and climbs back slowly
  (:class:`delivery.budget.OutboxRate`), so a limit below the configured rate is met once
  rather than after every pause;
* replies come first: the outbox starts nothing while the budget's window (replies and
  outbox together) is full or replies are waiting for it;
* per private chat: one send per ``private_interval`` (Telegram allows about 1/s);
* per group: one send per ``group_interval`` (Telegram allows 20/min);
* after a 429 everything waits until ``retry_after`` has passed.

The margins absorb the jitter between the moment a send starts here and the moment Telegram
counts it. Time is the event loop's monotonic clock: pacing is about real seconds, unlike due
times, which follow the injected domain clock.
"""

import asyncio
import math
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from delivery.budget import BackoffLimits, SendBudget


@dataclass(frozen=True)
class PacerLimits:
    rate: float  # sends per second, overall: the most the outbox sends at
    margin: float = 0.015  # slots are (1 + margin) / rate apart
    window_margin: float = 0.005  # at most floor(rate) starts in any 1 + window_margin seconds
    private_interval: float = 1.1
    group_interval: float = 3.3
    enabled: bool = True  # False only for benchmarks measuring the dispatcher's own overhead
    backoff: BackoffLimits = BackoffLimits()


def _loop_time() -> float:
    return asyncio.get_running_loop().time()


class Pacer:
    # Chats whose next free moment passed are forgotten once this many are remembered.
    PRUNE_AT = 10_000

    def __init__(
        self,
        limits: PacerLimits,
        now: Callable[[], float] = _loop_time,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        *,
        budget: SendBudget | None = None,
    ) -> None:
        if limits.rate <= 0:
            raise ValueError("rate must be positive")
        self.limits = limits
        self._now = now
        self._sleep = sleep
        self.budget = budget or SendBudget(now=now, sleep=sleep)
        self.rate = self.budget.outbox_rate(limits.rate, limits.backoff)
        self._window = 1.0 + limits.window_margin
        self._started: deque[float] = deque(maxlen=max(1, math.floor(limits.rate)))
        self._next_start = 0.0
        self._chat_free_at: dict[int, float] = {}
        self._turn = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """A 429 said to stop for ``seconds``: nothing starts before then, and the rate drops."""
        self.budget.flooded(seconds)

    @property
    def paused_for(self) -> float:
        return self.budget.paused_for

    def _spacing(self, now: float) -> float:
        return (1.0 + self.limits.margin) / self.rate.at(now)

    def earliest_start(self, chat_id: int) -> float:
        """The first moment a send to ``chat_id`` could start, given what started so far."""
        if not self.limits.enabled:
            return self.budget.paused_until
        moments = [
            self.budget.outbox_free_at(),
            self._next_start,
            self._chat_free_at.get(chat_id, 0.0),
        ]
        per_window = max(1, math.floor(self.rate.at(self._now())))
        if len(self._started) >= per_window:
            moments.append(self._started[-per_window] + self._window)
        return max(moments)

    async def acquire(self, chat_id: int) -> None:
        """Wait until a send to ``chat_id`` may start, and count it as started. Sends take their
        turns in the order they asked (the dispatcher claims urgent rows first, so they go
        first); a send waiting out its own chat's gap does not hold the others up."""
        while (
            self.limits.enabled and (gap := self._chat_free_at.get(chat_id, 0.0) - self._now()) > 0
        ):
            await self._sleep(gap)
        async with self._turn:
            await self._take_slot(chat_id)

    async def _take_slot(self, chat_id: int) -> None:
        while True:
            now = self._now()
            ready = self.earliest_start(chat_id)
            if ready <= now:
                break
            # A 429 pause or a reply may move the moment: re-check after waking.
            await self._sleep(ready - now)
        if not self.limits.enabled:
            return
        self._started.append(now)
        self.budget.started(now, outbox=True)
        planned = self._next_start
        spacing = self._spacing(now)
        # Late by less than a slot: keep the schedule (no drift). Later: restart it from now.
        self._next_start = (planned if now - planned < spacing else now) + spacing
        interval = self.limits.private_interval if chat_id > 0 else self.limits.group_interval
        self._chat_free_at[chat_id] = now + interval
        if len(self._chat_free_at) > self.PRUNE_AT:
            self._chat_free_at = {
                chat: free_at for chat, free_at in self._chat_free_at.items() if free_at > now
            }
