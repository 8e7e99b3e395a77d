"""One send budget per bot process, shared by direct replies and the outbox.

Telegram allows a bot about 30 messages a second overall. Replies to a person's own taps and
messages draw from that budget first; the outbox (through :class:`delivery.pacer.Pacer`) takes
what is left:

* no more than ``per_second`` sends, replies and outbox together, start in any
  ``1 + window_margin`` seconds;
* a reply never waits behind the outbox: it waits only when that window is full with outbox
  sends in it (at most until they leave it, under a second), and while replies wait the outbox
  starts nothing, so they get the next free moments. Replies alone are never held back: a
  crowd past the limit meets 429s, and each of those replies is sent again;
* a ``429`` (met by a reply or by the outbox) pauses the outbox for ``retry_after`` and lowers
  its rate (:class:`OutboxRate`, additive increase, multiplicative decrease). The reply that met
  it is sent again after ``retry_after`` by whoever sent it.

Time is the event loop's monotonic clock, as in the pacer: flood limits are about real seconds.
"""

import asyncio
import math
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

# Telegram's documented overall limit for one bot.
TELEGRAM_MESSAGES_PER_SECOND = 30.0

# Bot API methods that put a message in a chat: the ones Telegram's flood limits count.
_MESSAGE_METHODS = frozenset({"copymessage", "copymessages", "forwardmessage", "forwardmessages"})


def counts_as_message(method: str) -> bool:
    name = method.lower()
    return name in _MESSAGE_METHODS or (name.startswith("send") and name != "sendchataction")


_outbox_send: ContextVar[bool] = ContextVar("tideline_outbox_send", default=False)


@contextmanager
def outbox_sending() -> Iterator[None]:
    """Marks the Bot API calls made inside as the outbox's: the pacer already drew them from
    the budget, and the dispatcher handles their 429s (the row goes back to pending)."""
    token = _outbox_send.set(True)
    try:
        yield
    finally:
        _outbox_send.reset(token)


def is_outbox_send() -> bool:
    return _outbox_send.get()


@dataclass(frozen=True)
class BackoffLimits:
    """How the outbox's rate reacts to 429s: ``decrease`` times the rate it had; then back up at
    ``fast_climb`` × the configured rate per second to ``knee`` × the rate that met the limit,
    and above that at ``slow_climb`` × the configured rate per second. Climbing fast to just
    below the rate that met the limit and slowly past it keeps the rate near the real limit
    instead of re-hitting it after every pause."""

    decrease: float = 0.7
    knee: float = 0.9
    fast_climb: float = 0.1
    slow_climb: float = 0.0025
    floor: float = 0.5  # sends per second: the lowest the rate goes however many 429s come


class OutboxRate:
    """The outbox's current rate: at most ``ceiling``, lowered by each 429 (AIMD). The climb is
    computed from the time since the pause ended, so nothing has to tick."""

    def __init__(self, ceiling: float, limits: BackoffLimits | None = None) -> None:
        if ceiling <= 0:
            raise ValueError("rate must be positive")
        self.ceiling = ceiling
        self.limits = limits or BackoffLimits()
        self._base = ceiling  # the rate at _since
        self._knee = ceiling  # where the fast climb ends
        self._since = -math.inf

    def at(self, now: float) -> float:
        elapsed = max(0.0, now - self._since)
        fast = self.limits.fast_climb * self.ceiling
        slow = self.limits.slow_climb * self.ceiling
        if self._base < self._knee:
            fast_seconds = (self._knee - self._base) / fast
            if elapsed <= fast_seconds:
                return min(self.ceiling, self._base + fast * elapsed)
            return min(self.ceiling, self._knee + slow * (elapsed - fast_seconds))
        return min(self.ceiling, self._base + slow * elapsed)

    def flooded(self, now: float, resume_at: float) -> None:
        """A 429 at ``now``: lower the rate; it climbs again from ``resume_at`` (pause end)."""
        met = self.at(now)
        self._base = max(min(self.limits.floor, self.ceiling), met * self.limits.decrease)
        self._knee = max(self._base, met * self.limits.knee)
        self._since = resume_at


def _loop_time() -> float:
    return asyncio.get_running_loop().time()


class SendBudget:
    def __init__(
        self,
        per_second: float = TELEGRAM_MESSAGES_PER_SECOND,
        *,
        window_margin: float = 0.005,
        now: Callable[[], float] = _loop_time,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if per_second < 1:
            raise ValueError("per_second must be at least 1")
        self.per_second = math.floor(per_second)
        self.window = 1.0 + window_margin
        self.now = now
        self._sleep = sleep
        self._started: deque[float] = deque(maxlen=self.per_second)
        self._last_outbox_start = -math.inf
        self._replies_waiting = 0
        self._paused_until = -math.inf
        self._rates: list[OutboxRate] = []

    # -- 429s -------------------------------------------------------------------------------

    def outbox_rate(self, ceiling: float, limits: BackoffLimits | None = None) -> OutboxRate:
        """The rate an outbox pacer sends at, lowered by every 429 this budget hears of."""
        rate = OutboxRate(ceiling, limits)
        self._rates.append(rate)
        return rate

    def flooded(self, seconds: float) -> None:
        """A 429 said to stop for ``seconds``. The sends already in flight when the first one
        came back meet it too: only the first 429 of a pause lowers the rate."""
        now = self.now()
        first = now >= self._paused_until
        self._paused_until = max(self._paused_until, now + seconds)
        if first:
            for rate in self._rates:
                rate.flooded(now, self._paused_until)

    @property
    def paused_until(self) -> float:
        return self._paused_until

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self.now())

    # -- starts -----------------------------------------------------------------------------

    def _free_at(self, room: int) -> float:
        """When at most ``per_second - room`` starts remain in the window."""
        keep = self.per_second - room
        if len(self._started) <= keep:
            return -math.inf
        return self._started[-(keep + 1)] + self.window

    def reply_free_at(self) -> float:
        return min(self._free_at(1), self._last_outbox_start + self.window)

    def outbox_free_at(self) -> float:
        """The first moment the outbox may start a send: after the pause, and leaving room for
        every reply that is waiting."""
        room = min(self.per_second, self._replies_waiting + 1)
        return max(self._paused_until, self._free_at(room))

    def started(self, at: float, *, outbox: bool) -> None:
        self._started.append(at)
        if outbox:
            self._last_outbox_start = at

    async def reply_slot(self) -> None:
        """Wait until a reply may start (only while outbox sends fill the window), and count
        it."""
        now = self.now()
        if self.reply_free_at() > now:
            self._replies_waiting += 1
            try:
                while (ready := self.reply_free_at()) > (now := self.now()):
                    await self._sleep(ready - now)
            finally:
                self._replies_waiting -= 1
        self.started(now, outbox=False)
