"""Restart safety: sends due while the bot was down, leases of a dead process, a real bot
process killed with SIGKILL mid-broadcast (and its rows taken over within 15 s), a live
process's heartbeat keeping its rows, and two real processes sharing the outbox on
PostgreSQL."""

import asyncio
import signal
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from db.engine import create_engine, create_session_factory
from delivery.dispatcher import Dispatcher, DispatchOptions
from delivery.models import OutboxMessage, OutboxStatus
from delivery.outbox import enqueue
from demo.runner import BotRunner, SimulatedClock
from handlers.runtime.dispatch_wiring import dispatcher_of
from sandbox import FloodPolicy, SandboxServer
from tests.conftest import uses_postgresql
from tests.delivery_helpers import (
    add_people,
    eventually,
    outbox_row,
    queue_plain,
    running_bot,
    sends_to,
    statuses,
    texts_to,
)

ROOT = Path(__file__).resolve().parent.parent
IN_FLIGHT_BOUND = DispatchOptions(rate=1).max_in_flight


async def test_reminders_due_while_down_go_out_after_restart(
    sandbox: SandboxServer, database_url: str, clock: SimulatedClock
) -> None:
    async with running_bot(sandbox, database_url, clock) as first:
        people = await add_people(first.session_factory, [9001, 9002], clock(), sandbox=sandbox)
        await queue_plain(
            first.session_factory, people, "reminder:day-before", clock() + timedelta(hours=20)
        )
        async with first.session_factory.begin() as session:
            # A reminder whose cut-off passes while the bot is down is skipped, not sent late.
            await enqueue(
                session,
                user_id=people[9002],
                kind="plain",
                dedupe_key="reminder:two-hours:9002",
                due_at=clock() + timedelta(hours=22),
                payload={
                    "text": "starts in two hours",
                    "expires_at": (clock() + timedelta(hours=23)).isoformat(),
                },
            )
        assert (await first.deliver_due()).finished == 0
    clock.advance(days=1)  # the bot was down across both due times
    async with running_bot(sandbox, database_url, clock) as second:
        report = await second.deliver_due()
        assert (report.sent, report.skipped) == (2, 1)
    assert texts_to(sandbox, 9001) == ["Hello from the outbox (9001)"]
    assert await statuses(second.session_factory, "reminder:two-hours") == {
        "reminder:two-hours:9002": "skipped"
    }


async def test_claims_of_a_dead_process_are_taken_over_when_the_lease_expires(
    sandbox: SandboxServer, database_url: str, clock: SimulatedClock
) -> None:
    async with running_bot(sandbox, database_url, clock) as bot:
        people = await add_people(bot.session_factory, [9101, 9102], clock(), sandbox=sandbox)
        await queue_plain(bot.session_factory, people, "notice:9", clock())
        async with bot.session_factory.begin() as session:
            await session.execute(
                update(OutboxMessage).values(
                    status=OutboxStatus.SENDING,
                    claimed_by="gone:1:abc",
                    lease_expires_at=clock() + timedelta(seconds=60),
                )
            )
        assert (await bot.deliver_due()).finished == 0  # still leased to the dead process
        clock.advance(seconds=61)
        assert (await bot.deliver_due()).sent == 2
    assert texts_to(sandbox, 9101) == ["Hello from the outbox (9101)"]


async def _start_process(
    sandbox: SandboxServer,
    database_url: str,
    clock: SimulatedClock,
    anchor: float,
    *,
    rate: float,
    log: Path,
    exit_when_done: bool,
    lease: float | None = None,
) -> asyncio.subprocess.Process:
    arguments = [
        "--database-url",
        database_url,
        "--base-url",
        sandbox.base_url,
        "--token",
        sandbox.token,
        "--rate",
        str(rate),
        "--clock-start",
        clock().isoformat(),
        "--clock-anchor",
        str(anchor),
    ]
    if lease is not None:
        arguments += ["--lease", str(lease)]
    if exit_when_done:
        arguments.append("--exit-when-done")
    with log.open("ab") as output:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.delivery_process",
            *arguments,
            cwd=ROOT,
            stdout=output,
            stderr=output,
        )


async def _wait_exit(process: asyncio.subprocess.Process, log: Path, seconds: float) -> None:
    try:
        code = await asyncio.wait_for(process.wait(), seconds)
    except TimeoutError:
        process.kill()
        await process.wait()
        pytest.fail(f"bot process did not finish:\n{await asyncio.to_thread(log.read_text)}")
    assert code == 0, await asyncio.to_thread(log.read_text)


async def test_sigkill_mid_broadcast_loses_nothing_and_bounds_duplicates(
    sandbox: SandboxServer, database_url: str, clock: SimulatedClock, tmp_path: Path
) -> None:
    sandbox.flood = FloodPolicy()
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    recipients = list(range(9201, 9261))
    people = await add_people(sessions, recipients, clock(), sandbox=sandbox)
    await queue_plain(sessions, people, "broadcast:crash", clock())
    anchor = time.time()
    log = tmp_path / "bot.log"

    # A 2-second lease: the restarted process takes the dead one's claims over quickly.
    first = await _start_process(
        sandbox, database_url, clock, anchor, rate=20, log=log, exit_when_done=False, lease=2
    )
    try:
        await sandbox.wait_for(lambda: len(sandbox.sends) >= 20, timeout=30)
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    sent_before_kill = len(sandbox.sends)
    assert sent_before_kill < len(recipients), "killed mid-broadcast"

    second = await _start_process(
        sandbox, database_url, clock, anchor, rate=20, log=log, exit_when_done=True, lease=2
    )
    await _wait_exit(second, log, 60)

    received = Counter(record.chat_id for record in sandbox.sends)
    assert set(received) == set(recipients), "every recipient got the message"
    duplicates = sum(count - 1 for count in received.values())
    print(f"crash test: {sent_before_kill} sent before SIGKILL, {duplicates} duplicates")
    assert duplicates <= IN_FLIGHT_BOUND
    assert set((await statuses(sessions, "broadcast:crash")).values()) == {OutboxStatus.SENT}
    assert sandbox.per_chat_violations() == 0
    await engine.dispose()


@pytest.mark.skipif(
    not uses_postgresql(), reason="several processes share the outbox only on PostgreSQL"
)
async def test_two_processes_share_the_outbox_without_double_sends(
    sandbox: SandboxServer, database_url: str, clock: SimulatedClock, tmp_path: Path
) -> None:
    sandbox.flood = FloodPolicy()
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    recipients = list(range(9301, 9421))
    people = await add_people(sessions, recipients, clock(), sandbox=sandbox)
    await queue_plain(sessions, people, "broadcast:pair", clock())
    anchor = time.time()
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    # BROADCAST_RATE is per process: two at 12/s stay within Telegram's 30/s together.
    processes = [
        await _start_process(
            sandbox, database_url, clock, anchor, rate=12, log=log, exit_when_done=True
        )
        for log in logs
    ]
    for process, log in zip(processes, logs, strict=True):
        await _wait_exit(process, log, 60)

    received = Counter(record.chat_id for record in sandbox.sends)
    assert set(received) == set(recipients)
    assert max(received.values()) == 1, "no double sends"
    async with sessions() as session:
        claimers = Counter((await session.scalars(select(OutboxMessage.claimed_by))).all())
    assert len(claimers) == 2, f"both processes sent: {claimers}"
    assert sandbox.busiest_window() <= 30
    await engine.dispose()


async def test_a_dead_process_rows_are_taken_over_within_15_seconds(
    sandbox: SandboxServer, database_url: str, clock: SimulatedClock, tmp_path: Path
) -> None:
    sandbox.flood = FloodPolicy()
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    recipients = list(range(9501, 9601))
    people = await add_people(sessions, recipients, clock(), sandbox=sandbox)
    await queue_plain(sessions, people, "broadcast:take-over", clock())
    start, anchor = clock(), time.time()
    log = tmp_path / "bot.log"

    # The bot's own lease and heartbeat; killed after several heartbeats renewed its leases.
    first = await _start_process(
        sandbox, database_url, clock, anchor, rate=10, log=log, exit_when_done=False
    )
    try:
        await sandbox.wait_for(lambda: len(sandbox.sends) >= 40, timeout=30)
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    died_at = start + timedelta(seconds=time.time() - anchor)  # on the dead process's clock
    sent_before_kill = len(sandbox.sends)
    async with sessions() as session:
        held = await session.scalar(
            select(func.count()).where(OutboxMessage.status == OutboxStatus.SENDING)
        )
    assert held, "the dead process held claimed rows"

    clock.now = died_at + timedelta(seconds=15)
    async with running_bot(sandbox, database_url, clock, BROADCAST_RATE=20) as second:
        await second.deliver_due()
    received = Counter(record.chat_id for record in sandbox.sends)
    assert set(received) == set(recipients), "the rows it held went out"
    duplicates = sum(count - 1 for count in received.values())
    print(f"take-over: {sent_before_kill} sent before SIGKILL, {held} held, {duplicates} dup.")
    assert duplicates <= IN_FLIGHT_BOUND
    assert set((await statuses(sessions, "broadcast:take-over")).values()) == {OutboxStatus.SENT}
    await engine.dispose()


async def test_a_live_process_keeps_its_rows_while_a_send_outlasts_the_lease(
    sandbox: SandboxServer, bot: BotRunner, clock: SimulatedClock
) -> None:
    dispatcher = dispatcher_of(bot.application)
    dispatcher.options = replace(dispatcher.options, heartbeat=timedelta(seconds=0.05))
    people = await add_people(bot.session_factory, [9701], clock(), sandbox=sandbox)
    # The send hangs (then times out): in flight for longer than several heartbeats.
    sandbox.faults.timeout_seconds = 1.5
    hang = sandbox.faults.add("sendMessage", "timeout", count=1, chat_id=9701)
    key = "notice:slow:9701"
    await queue_plain(bot.session_factory, people, "notice:slow", clock())
    sending = asyncio.create_task(bot.deliver_due())

    async def in_flight() -> bool:
        return hang.remaining == 0

    await eventually(in_flight)
    claimed = await outbox_row(bot.session_factory, key)
    assert claimed is not None and claimed.lease_expires_at is not None
    # Past the lease on the domain clock: only the heartbeat keeps the row this process's.
    clock.now = claimed.lease_expires_at + timedelta(seconds=5)

    async def renewed() -> bool:
        row = await outbox_row(bot.session_factory, key)
        expires_at = row.lease_expires_at if row is not None else None
        return expires_at is not None and expires_at > clock()

    await eventually(renewed)
    other = Dispatcher(
        bot.session_factory, dispatcher.sender, clock, dispatcher.options, name="other:2:abc"
    )
    assert (await other.deliver_due()).finished == 0, "nothing to take over"
    assert (await sending).retried == 1  # the timeout: retried after the backoff
    clock.advance(minutes=1)
    assert (await bot.deliver_due()).sent == 1
    assert sends_to(sandbox, 9701) == 1
    assert [call.chat_id for call in sandbox.calls_to("sendMessage")] == [9701, 9701]
