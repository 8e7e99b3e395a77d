"""The dispatcher through the sandbox: pacing within Telegram's limits, 429 storms, 5xx and
timeouts with backoff, 403s, cut-offs, quiet hours across zones, and replies that do not
wait behind a broadcast. Due times follow the injected clock; the rate and the per-chat gaps
are checked on virtual seconds the pacer and the sandbox share (``PacingTime``)."""

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from accounts.models import ConsentPurpose, User
from delivery.models import OutboxMessage, OutboxStatus
from delivery.outbox import enqueue, hold, release
from demo.runner import BotRunner, SimulatedClock
from sandbox import FloodPolicy, SandboxServer
from tests.delivery_helpers import (
    add_people,
    pace_on_virtual_time,
    queue_plain,
    running_bot,
    sends_to,
    statuses,
    texts_to,
)


async def test_broadcast_keeps_to_the_rate_and_per_chat_limits(
    sandbox: SandboxServer, database_url: str, clock: SimulatedClock
) -> None:
    sandbox.flood = FloodPolicy()  # Telegram-like: 30/s overall, about 1/s per chat
    async with running_bot(sandbox, database_url, clock, BROADCAST_RATE=20) as bot:
        # Pacing on virtual seconds the sandbox shares: each send is logged at the moment the
        # pacer let it start, whatever the real time it took.
        time = pace_on_virtual_time(bot, sandbox)
        start = time()
        people = await add_people(bot.session_factory, range(1001, 1031), clock(), sandbox=sandbox)
        await queue_plain(bot.session_factory, people, "broadcast:1", clock())
        # One person also has two more messages due: they must be spaced a second apart.
        await queue_plain(bot.session_factory, {1001: people[1001]}, "notice:a", clock())
        await queue_plain(bot.session_factory, {1001: people[1001]}, "notice:b", clock())
        report = await bot.deliver_due()
    assert report.sent == 32
    assert time.started == 32
    assert sandbox.busiest_window() <= 20
    assert sandbox.per_chat_violations() == 0
    assert [call for call in sandbox.calls_to("sendMessage") if call.status != 200] == []
    assert all(sends_to(sandbox, telegram_id) == 1 for telegram_id in range(1002, 1031))
    assert sends_to(sandbox, 1001) == 3
    # The three sends to 1001 alone take two gaps of a second or more (virtual: no real wait).
    assert time() - start >= 2


async def test_a_429_stops_all_sending_for_retry_after(
    sandbox: SandboxServer, bot: BotRunner, clock: SimulatedClock
) -> None:
    people = await add_people(bot.session_factory, range(2001, 2011), clock(), sandbox=sandbox)
    await queue_plain(bot.session_factory, people, "broadcast:2", clock())
    sandbox.faults.add("sendMessage", 429, count=3, retry_after=1)
    report = await bot.deliver_due()
    assert report.sent == 10
    calls = sandbox.calls_to("sendMessage")
    refused = [call for call in calls if call.status == 429]
    assert len(refused) == 3
    # Nothing was sent while the flood wait lasted.
    for refusal in refused:
        during = [
            call
            for call in calls
            if call.status == 200 and refusal.at < call.at < refusal.at + 0.95
        ]
        assert during == []
    # A 429 costs no attempt: the rows went back to pending and out again.
    assert set((await statuses(bot.session_factory, "broadcast:2")).values()) == {"sent"}
    assert all(sends_to(sandbox, telegram_id) == 1 for telegram_id in people)


async def test_5xx_and_timeouts_retry_with_backoff_then_fail(
    sandbox: SandboxServer, bot: BotRunner, clock: SimulatedClock
) -> None:
    sandbox.faults.timeout_seconds = 0.2
    people = await add_people(bot.session_factory, [3001, 3002, 3003], clock(), sandbox=sandbox)
    await queue_plain(bot.session_factory, people, "notice:3", clock())
    sandbox.faults.add("sendMessage", 500, count=2, chat_id=3001)
    sandbox.faults.add("sendMessage", "timeout", count=1, chat_id=3002)
    sandbox.faults.add("sendMessage", 502, count=99, chat_id=3003)

    first = await bot.deliver_due()
    assert (first.sent, first.retried) == (0, 3)
    async with bot.session_factory() as session:
        row = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == "notice:3:3001")
        )
    assert row is not None
    assert (row.status, row.attempts, row.due_at) == ("pending", 1, clock() + timedelta(seconds=5))
    # Nothing is due again until the backoff passed on the injected clock.
    assert (await bot.deliver_due()).finished == 0

    for _ in range(6):
        clock.advance(minutes=2)
        await bot.deliver_due()
    final = await statuses(bot.session_factory, "notice:3")
    assert final == {"notice:3:3001": "sent", "notice:3:3002": "sent", "notice:3:3003": "failed"}
    async with bot.session_factory() as session:
        failed = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == "notice:3:3003")
        )
    assert failed is not None and failed.reason is not None
    assert failed.attempts == 5
    assert failed.reason.startswith("gave up after 5 attempts: NetworkError")
    assert [call.status for call in sandbox.calls_to("sendMessage") if call.chat_id == 3003] == [
        502
    ] * 5


async def test_403_blocks_the_person_and_their_pending_sends(
    sandbox: SandboxServer, bot: BotRunner, clock: SimulatedClock
) -> None:
    people = await add_people(bot.session_factory, [4001, 4002, 4003], clock(), sandbox=sandbox)
    async with bot.session_factory.begin() as session:
        for slot, due in (("today", clock()), ("tomorrow", clock() + timedelta(days=1))):
            await enqueue(
                session,
                user_id=people[4001],
                kind="plain",
                dedupe_key=f"reminder:{slot}:4001",
                due_at=due,
                payload={"text": slot},
            )
        # 4002 blocked the bot earlier; 4003 erased their data: neither is written to.
        blocked = await session.get(User, people[4002])
        erased = await session.get(User, people[4003])
        assert blocked is not None and erased is not None
        blocked.blocked_at = clock()
        erased.telegram_id, erased.erased_at = None, clock()
    await queue_plain(bot.session_factory, {4002: people[4002]}, "reminder:x", clock())
    await queue_plain(bot.session_factory, {4003: people[4003]}, "reminder:y", clock())
    sandbox.faults.add("sendMessage", 403, count=1, chat_id=4001)

    report = await bot.deliver_due()
    assert (report.blocked, report.skipped, report.sent) == (2, 1, 0)
    assert await statuses(bot.session_factory, "reminder:") == {
        "reminder:today:4001": "blocked",
        "reminder:tomorrow:4001": "blocked",
        "reminder:x:4002": "blocked",
        "reminder:y:4003": "skipped",
    }
    assert [call.chat_id for call in sandbox.calls_to("sendMessage")] == [4001]
    async with bot.session_factory() as session:
        person = await session.get(User, people[4001])
        assert person is not None
        assert person.blocked_at == clock()
        news = [c.granted for c in person.consents if c.purpose == ConsentPurpose.NEWS]
        assert news == [False]


async def test_bad_requests_fail_and_cutoffs_skip_with_reasons(
    sandbox: SandboxServer, bot: BotRunner, clock: SimulatedClock
) -> None:
    people = await add_people(bot.session_factory, [5001, 5002, 5003], clock(), sandbox=sandbox)
    async with bot.session_factory.begin() as session:
        payloads = {
            5001: {"text": "<b>unclosed"},  # malformed HTML: Telegram answers 400
            5002: {"text": "late", "expires_at": clock().isoformat()},
            5003: {"text": "fine", "expires_at": (clock() + timedelta(hours=1)).isoformat()},
        }
        for telegram_id, payload in payloads.items():
            await enqueue(
                session,
                user_id=people[telegram_id],
                kind="plain",
                dedupe_key=f"notice:5:{telegram_id}",
                due_at=clock(),
                payload=payload,
            )
        await enqueue(
            session, user_id=people[5003], kind="no-such-kind", dedupe_key="odd:5", due_at=clock()
        )
    report = await bot.deliver_due()
    assert (report.sent, report.failed, report.skipped) == (1, 2, 1)
    async with bot.session_factory() as session:
        rows = {
            row.dedupe_key: (row.status, row.reason)
            for row in await session.scalars(select(OutboxMessage))
        }
    assert rows["notice:5:5001"][0] == "failed"
    assert (rows["notice:5:5001"][1] or "").startswith("400: ")
    assert rows["notice:5:5002"] == ("skipped", "expired before it could be sent")
    assert rows["notice:5:5003"] == ("sent", None)
    assert rows["odd:5"] == ("failed", "no renderer for kind 'no-such-kind'")


async def test_quiet_hours_hold_non_urgent_sends_until_morning_in_each_zone(
    sandbox: SandboxServer, bot: BotRunner, clock: SimulatedClock
) -> None:
    # 13:00 UTC: 19:30 in Yangon (+6:30), 22:00 in Jayapura (+9), 21:00 in Singapore (the
    # default zone, for people without one).
    clock.now = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    yangon = await add_people(
        bot.session_factory, [6001], clock(), timezone="Asia/Yangon", sandbox=sandbox
    )
    jayapura = await add_people(
        bot.session_factory, [6002], clock(), timezone="Asia/Jayapura", sandbox=sandbox
    )
    default = await add_people(bot.session_factory, [6003], clock(), sandbox=sandbox)
    for people in (yangon, jayapura, default):
        await queue_plain(bot.session_factory, people, "news", clock())
    await queue_plain(bot.session_factory, jayapura, "urgent", clock(), urgent=True)

    report = await bot.deliver_due()
    assert (report.sent, report.deferred) == (2, 2)
    assert texts_to(sandbox, 6001) == ["Hello from the outbox (6001)"]
    assert texts_to(sandbox, 6002) == ["Hello from the outbox (6002)"]  # the urgent one
    async with bot.session_factory() as session:
        due = dict(
            (
                await session.execute(
                    select(OutboxMessage.dedupe_key, OutboxMessage.due_at).where(
                        OutboxMessage.status == OutboxStatus.PENDING
                    )
                )
            ).all()
        )
    assert due == {
        "news:6002": datetime(2026, 11, 25, 23, 0, tzinfo=UTC),  # 08:00 in Jayapura
        "news:6003": datetime(2026, 11, 26, 0, 0, tzinfo=UTC),  # 08:00 in Singapore
    }
    clock.now = datetime(2026, 11, 25, 23, 0, tzinfo=UTC)
    assert (await bot.deliver_due()).sent == 1
    assert len(texts_to(sandbox, 6002)) == 2 and texts_to(sandbox, 6003) == []
    clock.now = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
    assert (await bot.deliver_due()).sent == 1
    assert texts_to(sandbox, 6003) == ["Hello from the outbox (6003)"]


async def test_held_sends_wait_and_urgent_ones_jump_the_queue(
    sandbox: SandboxServer, bot: BotRunner, clock: SimulatedClock
) -> None:
    people = await add_people(bot.session_factory, range(7001, 7031), clock(), sandbox=sandbox)
    async with bot.session_factory.begin() as session:
        for telegram_id, user_id in people.items():
            await enqueue(
                session,
                user_id=user_id,
                kind="plain",
                dedupe_key=f"broadcast:7:{telegram_id}",
                due_at=clock() - timedelta(hours=1),
                payload={"text": "news"},
            )
        await enqueue(
            session,
            user_id=people[7030],
            kind="plain",
            dedupe_key="change:7:7030",
            due_at=clock(),
            payload={"text": "the venue moved"},
            urgent=True,
        )
        await hold(session, key_prefix="broadcast:7:700")  # 7001 ... 7009
    report = await bot.deliver_due()
    assert report.sent == 22
    order = [call.params.get("text") for call in sandbox.calls_to("sendMessage")]
    # Claimed first although due last; sends in flight start in any order among themselves.
    assert "the venue moved" in order[:8]
    assert all(texts_to(sandbox, telegram_id) == [] for telegram_id in range(7001, 7010))
    async with bot.session_factory.begin() as session:
        assert await release(session, key_prefix="broadcast:7:") == 9
    assert (await bot.deliver_due()).sent == 9


async def test_replies_do_not_wait_behind_a_broadcast(
    sandbox: SandboxServer, database_url: str, clock: SimulatedClock
) -> None:
    sandbox.flood = FloodPolicy()
    async with running_bot(sandbox, database_url, clock, BROADCAST_RATE=5) as bot:
        people = await add_people(bot.session_factory, range(8001, 8016), clock(), sandbox=sandbox)
        await queue_plain(bot.session_factory, people, "broadcast:8", clock())
        broadcast = asyncio.create_task(bot.deliver_due())
        await sandbox.wait_for(lambda: len(sandbox.sends) >= 2)
        asker = sandbox.user(8100, first_name="Asker")
        await bot.do(asker.send_command("help"))
        assert asker.messages, "the /help reply arrived"
        # Answered while the broadcast (15 sends at 5/s) was still going: it did not wait behind
        # it. Judged by order, not by the clock, which a loaded machine stretches.
        assert not broadcast.done(), "the broadcast was still going"
        assert (await broadcast).sent == 15


async def test_a_429_on_a_reply_is_sent_again_after_retry_after(
    sandbox: SandboxServer, bot: BotRunner
) -> None:
    asker = sandbox.user(8200, first_name="Asker")
    sandbox.faults.add("sendMessage", 429, count=1, retry_after=1, chat_id=8200)
    await bot.do(asker.send_command("help"))
    assert [call.status for call in sandbox.calls_to("sendMessage")] == [429, 200]
    assert len(asker.messages) == 1, "the reply was not lost"


async def test_a_crowd_and_a_broadcast_share_one_budget_and_no_reply_is_lost(
    sandbox: SandboxServer, database_url: str, clock: SimulatedClock
) -> None:
    sandbox.flood = FloodPolicy()  # Telegram-like: 30/s overall
    async with running_bot(sandbox, database_url, clock, BROADCAST_RATE=25) as bot:
        people = await add_people(bot.session_factory, range(8301, 8361), clock(), sandbox=sandbox)
        await queue_plain(bot.session_factory, people, "broadcast:9", clock())
        broadcast = asyncio.create_task(bot.deliver_due())
        await sandbox.wait_for(lambda: len(sandbox.sends) >= 25)  # a second's worth going out
        crowd = [sandbox.user(8400 + n, first_name="Asker") for n in range(15)]
        # 25 broadcast sends and 15 replies in one second would be 40: above Telegram's 30.
        await asyncio.gather(*(bot.do(person.send_command("help")) for person in crowd))
        assert not broadcast.done(), "the crowd came during the broadcast"
        assert (await broadcast).sent == 60
    assert all(len(person.messages) == 1 for person in crowd), "every reply arrived"
    assert all(sends_to(sandbox, telegram_id) == 1 for telegram_id in people)
    assert sandbox.per_chat_violations() == 0


async def test_a_403_stops_that_persons_sends_already_claimed(
    sandbox: SandboxServer, bot: BotRunner, clock: SimulatedClock
) -> None:
    people = await add_people(bot.session_factory, [4101, 4102], clock(), sandbox=sandbox)
    sandbox.faults.add("sendMessage", 403, count=3, chat_id=4101)
    # Claimed in one batch; the per-chat spacing makes the later two wait for the first.
    for slot in ("a", "b", "c"):
        await queue_plain(bot.session_factory, {4101: people[4101]}, f"notice:{slot}", clock())
    await queue_plain(bot.session_factory, {4102: people[4102]}, "notice:d", clock())

    report = await bot.deliver_due()
    assert (report.blocked, report.sent) == (3, 1)
    assert [call.chat_id for call in sandbox.calls_to("sendMessage")].count(4101) == 1
    async with bot.session_factory() as session:
        rows = await session.execute(
            select(OutboxMessage.dedupe_key, OutboxMessage.status, OutboxMessage.reason).where(
                OutboxMessage.dedupe_key.startswith("notice:")
            )
        )
        outcomes = {key: (status, reason) for key, status, reason in rows}
    assert outcomes["notice:d:4102"] == ("sent", None)
    assert {outcomes[f"notice:{slot}:4101"][0] for slot in "abc"} == {"blocked"}
