"""Telegram's flood limits for outgoing messages, and helpers to analyse the send log.

Limits (configurable through :class:`FloodPolicy`):

* global: at most ``global_per_second`` sends in any rolling second, over all chats;
* private chats: a token bucket per chat, refilled at ``private_per_second`` with room for
  ``private_burst`` messages (Telegram tolerates short bursts, then throttles to ~1/s);
* groups: at most ``group_per_minute`` sends in any rolling 60 seconds per group;
* ``allow_paid_broadcast`` sends bypass the global and private limits, up to
  ``paid_per_second``.

Only sends count (sendMessage, sendPhoto, ...): edits, callback answers, deletions and chat
actions are not limited here.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass
class FloodPolicy:
    enabled: bool = True
    global_per_second: float = 30
    private_per_second: float = 1.0
    private_burst: float = 10
    group_per_minute: int = 20
    paid_per_second: float = 1000


@dataclass(frozen=True)
class SendRecord:
    """One accepted send, as kept in ``server.sends``."""

    at: float  # time.monotonic()
    chat_id: int
    method: str
    private: bool
    paid: bool = False


@dataclass
class _Bucket:
    tokens: float
    updated: float


def _retry_after(seconds: float) -> int:
    """Telegram reports whole seconds and never 0."""
    return max(1, math.ceil(seconds - 1e-9))


class FloodControl:
    """Decides whether a send is allowed, given the policy and what was accepted before."""

    GLOBAL_WINDOW = 1.0
    GROUP_WINDOW = 60.0

    def __init__(self, policy: FloodPolicy) -> None:
        self.policy = policy
        self._recent: deque[SendRecord] = deque()  # last GLOBAL_WINDOW seconds
        self._group_recent: dict[int, deque[float]] = {}
        self._buckets: dict[int, _Bucket] = {}

    def check(self, chat_id: int, *, private: bool, paid: bool, now: float) -> int | None:
        """``None`` if the send may go ahead, else the retry_after to answer with."""
        if not self.policy.enabled:
            return None
        self._expire(now)
        if paid:
            waits = [self._window_wait(self.policy.paid_per_second, now, paid_only=True)]
        else:
            waits = [self._window_wait(self.policy.global_per_second, now, paid_only=False)]
            if private:
                waits.append(self._bucket_wait(chat_id, now))
        if not private:
            waits.append(self._group_wait(chat_id, now))
        worst = max((wait for wait in waits if wait is not None), default=None)
        return None if worst is None else _retry_after(worst)

    def record(self, record: SendRecord) -> None:
        self._recent.append(record)
        if record.private:
            if self.policy.enabled and not record.paid:
                bucket = self._refilled_bucket(record.chat_id, record.at)
                bucket.tokens = max(0.0, bucket.tokens - 1)
        else:
            self._group_recent.setdefault(record.chat_id, deque()).append(record.at)

    def _expire(self, now: float) -> None:
        while self._recent and self._recent[0].at <= now - self.GLOBAL_WINDOW:
            self._recent.popleft()
        for times in self._group_recent.values():
            while times and times[0] <= now - self.GROUP_WINDOW:
                times.popleft()

    def _window_wait(self, limit: float, now: float, *, paid_only: bool) -> float | None:
        times = [r.at for r in self._recent if r.paid or not paid_only]
        if len(times) < limit:
            return None
        # The send becomes possible once enough of the oldest in-window sends have aged out.
        index = len(times) - math.ceil(limit)
        return times[max(0, index)] + self.GLOBAL_WINDOW - now

    def _group_wait(self, chat_id: int, now: float) -> float | None:
        times = self._group_recent.get(chat_id)
        limit = self.policy.group_per_minute
        if not times or len(times) < limit:
            return None
        return times[len(times) - limit] + self.GROUP_WINDOW - now

    def _refilled_bucket(self, chat_id: int, now: float) -> _Bucket:
        capacity = max(1.0, float(self.policy.private_burst))
        bucket = self._buckets.setdefault(chat_id, _Bucket(capacity, now))
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(capacity, bucket.tokens + elapsed * self.policy.private_per_second)
        bucket.updated = now
        return bucket

    def _bucket_wait(self, chat_id: int, now: float) -> float | None:
        bucket = self._refilled_bucket(chat_id, now)
        if bucket.tokens >= 1:
            return None
        rate = self.policy.private_per_second
        return (1 - bucket.tokens) / rate if rate > 0 else 3600.0


# --------------------------------------------------------------------------------------------
# Analysis helpers for benchmarks


def busiest_window(sends: Iterable[SendRecord], seconds: float = 1.0) -> int:
    """The largest number of sends that fall in any window of ``seconds`` (half-open)."""
    times = sorted(record.at for record in sends)
    best = 0
    start = 0
    for end, at in enumerate(times):
        while at - times[start] >= seconds:
            start += 1
        best = max(best, end - start + 1)
    return best


def per_chat_violations(sends: Iterable[SendRecord], min_interval: float = 1.0) -> int:
    """Consecutive sends to the same private chat closer together than ``min_interval``."""
    last_by_chat: dict[int, float] = {}
    violations = 0
    for record in sorted(sends, key=lambda r: r.at):
        if not record.private:
            continue
        previous = last_by_chat.get(record.chat_id)
        if previous is not None and record.at - previous < min_interval:
            violations += 1
        last_by_chat[record.chat_id] = record.at
    return violations
