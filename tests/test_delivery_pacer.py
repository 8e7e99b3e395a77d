"""The pacer on a virtual clock: the configured rate with no 1-second burst above it (also
after the event loop stalls), per-chat spacing, and the pause after a 429."""

import random

from delivery.pacer import Pacer, PacerLimits
from sandbox import SendRecord, busiest_window, per_chat_violations


class VirtualTime:
    """Monotonic seconds that only sleeping (plus some timer jitter) moves forward."""

    def __init__(self, jitter: float = 0.0, seed: int = 7) -> None:
        self.now = 100.0
        self.jitter = jitter
        self.random = random.Random(seed)

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds + self.random.uniform(0, self.jitter)


async def _starts(pacer: Pacer, time: VirtualTime, chats: list[int]) -> list[SendRecord]:
    records = []
    for chat in chats:
        await pacer.acquire(chat)
        records.append(SendRecord(time.now, chat, "sendMessage", chat > 0))
    return records


async def test_rate_is_kept_without_bursts_despite_jitter() -> None:
    time = VirtualTime(jitter=0.004)
    pacer = Pacer(PacerLimits(rate=30), now=time, sleep=time.sleep)
    records = await _starts(pacer, time, list(range(1, 601)))
    assert busiest_window(records) <= 30
    achieved = (len(records) - 1) / (records[-1].at - records[0].at)
    assert achieved >= 0.97 * 30


async def test_no_catch_up_burst_after_a_stall() -> None:
    time = VirtualTime()
    pacer = Pacer(PacerLimits(rate=30), now=time, sleep=time.sleep)
    records = await _starts(pacer, time, list(range(1, 46)))
    time.now += 0.4  # the event loop was busy elsewhere
    records += await _starts(pacer, time, list(range(46, 120)))
    assert busiest_window(records) <= 30


async def test_private_chats_get_one_message_a_second_and_groups_twenty_a_minute() -> None:
    time = VirtualTime()
    pacer = Pacer(PacerLimits(rate=25), now=time, sleep=time.sleep)
    records = await _starts(pacer, time, [7, 7, 8, 7, -100, -100, 9, -100])
    assert per_chat_violations(records) == 0
    group = [record.at for record in records if record.chat_id == -100]
    assert all(later - earlier >= 3.0 for earlier, later in zip(group, group[1:], strict=False))
    assert busiest_window([r for r in records if r.chat_id == -100], seconds=60) <= 20


async def test_a_pause_holds_every_send() -> None:
    time = VirtualTime()
    pacer = Pacer(PacerLimits(rate=30), now=time, sleep=time.sleep)
    await pacer.acquire(1)
    pacer.pause(3)
    paused_at = time.now
    await pacer.acquire(2)
    assert time.now >= paused_at + 3
    unpaced = Pacer(PacerLimits(rate=30, enabled=False), now=time, sleep=time.sleep)
    unpaced.pause(1)
    start = time.now
    await unpaced.acquire(1)
    assert time.now >= start + 1  # a 429 pauses even a benchmark run without pacing
