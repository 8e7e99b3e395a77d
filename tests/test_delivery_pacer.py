"""The pacer on a virtual clock: the configured rate with no 1-second burst above it (also
after the event loop stalls), per-chat spacing, the pause after a 429, the rate's backing off
from a limit below it, and the budget it shares with replies."""

import random

from pytest import approx

from delivery.budget import OutboxRate, SendBudget
from delivery.pacer import Pacer, PacerLimits
from sandbox import FloodPolicy, SendRecord, busiest_window, per_chat_violations
from sandbox.flood import FloodControl


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


async def _against_a_flood_limit(
    pacer: Pacer, time: VirtualTime, limit: float, sends: int
) -> tuple[float, int]:
    """Sends one after another through ``pacer`` to a virtual Telegram allowing ``limit``
    sends a second; a refused send pauses the pacer for retry_after and is sent again.
    Returns the achieved rate and the number of 429s."""
    telegram = FloodControl(FloodPolicy(global_per_second=limit))
    accepted: list[float] = []
    refused = 0
    chat = 0
    while len(accepted) < sends:
        chat += 1
        await pacer.acquire(chat)
        retry_after = telegram.check(chat, private=True, paid=False, now=time.now)
        if retry_after is not None:
            refused += 1
            pacer.pause(retry_after)
            continue
        telegram.record(SendRecord(time.now, chat, "sendMessage", True))
        accepted.append(time.now)
    return (len(accepted) - 1) / (accepted[-1] - accepted[0]), refused


async def test_a_limit_below_the_rate_is_met_once_not_after_every_pause() -> None:
    # Telegram allows 5/s, the rate is set to 8/s. Pausing alone met the limit again after
    # every pause: 119 429s and 3.1/s for these 600 sends.
    time = VirtualTime(jitter=0.004)
    pacer = Pacer(PacerLimits(rate=8), now=time, sleep=time.sleep)
    achieved, refused = await _against_a_flood_limit(pacer, time, limit=5, sends=600)
    assert refused <= 10
    assert achieved >= 0.9 * 5


def test_the_rate_drops_on_a_429_and_climbs_back_slowly() -> None:
    rate = OutboxRate(20)
    assert rate.at(0) == 20
    rate.flooded(now=0, resume_at=1)
    assert rate.at(1) == approx(14)  # multiplicative decrease (0.7), held through the pause
    assert rate.at(2) == approx(16)  # fast (0.1 x 20 per second) up to 90% of 20 ...
    assert rate.at(3) == approx(18)
    assert rate.at(13) == approx(18.5)  # ... then slowly (0.0025 x 20 per second)
    assert rate.at(100) == 20  # never above the configured rate
    rate.flooded(now=100, resume_at=101)
    rate.flooded(now=100, resume_at=101)
    assert rate.at(101) == approx(20 * 0.7 * 0.7)  # each 429 lowers it again, to the floor
    for _ in range(30):
        rate.flooded(now=200, resume_at=200)
    assert rate.at(200) == 0.5


async def test_replies_come_first_and_the_outbox_takes_the_rest() -> None:
    time = VirtualTime()
    budget = SendBudget(30, now=time, sleep=time.sleep)
    pacer = Pacer(PacerLimits(rate=25), now=time, sleep=time.sleep, budget=budget)
    replies = []
    for _ in range(20):
        await budget.reply_slot()  # a crowd's replies: the window was empty, none waits
        replies.append(SendRecord(time.now, 1, "sendMessage", True))
    assert time.now == 100.0
    outbox = await _starts(pacer, time, list(range(2, 42)))
    # The outbox kept to its 25/s, and to the 10 the replies left in their first second.
    assert len([record for record in outbox if record.at < 100 + budget.window]) == 10
    assert busiest_window(replies + outbox) <= 30
    assert busiest_window(outbox) <= 25


async def test_a_reply_waits_only_while_outbox_sends_fill_the_window() -> None:
    time = VirtualTime()
    budget = SendBudget(30, now=time, sleep=time.sleep)
    for _ in range(45):
        await budget.reply_slot()
    assert time.now == 100.0  # replies alone are not held back: 429s, then resends, decide
    time.now = 110.0
    pacer = Pacer(PacerLimits(rate=30), now=time, sleep=time.sleep, budget=budget)
    outbox = await _starts(pacer, time, list(range(1, 31)))
    assert time.now < outbox[0].at + budget.window  # all 30 in one window
    await budget.reply_slot()
    assert time.now == outbox[0].at + budget.window  # until the first of them left it
