"""Reminders benchmark: a large pending outbox, and a minute in which many reminders fall due.

Prints the dispatcher's start-up time with ``--count`` pending reminders (default 100,000),
the memory they cost the bot process (Python allocations during start-up and the first pass,
beside the same start-up on an empty outbox; target ≤ 10 MB per 100,000), and, for ``--due``
reminders due in the same minute (default 10,000), each one's delivery time ÷ (its queue
position ÷ rate) (target ≤ 1.1), through the real bot and the sandbox Bot API over HTTP
under Telegram-like flood limits.

    python bench/reminders.py [--count 100000] [--due 10000] [--rate 30] [--json]
"""

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _repository_first  # noqa: F401  (before anything that imports surveys)
from sqlalchemy import insert, select

from accounts.models import AccessRole, User
from db.migrate import upgrade
from delivery.models import OutboxMessage, OutboxStatus
from demo.runner import BotRunner, SimulatedClock, sandbox_settings
from handlers.runtime.dispatch_wiring import dispatcher_of
from sandbox import FloodPolicy, SandboxServer

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 in the default zone
FIRST_CHAT = 700_000
CHUNK = 2000


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="pending reminders")
    parser.add_argument("--due", type=int, default=10_000, help="of which due in one minute")
    parser.add_argument("--rate", type=float, default=30.0, help="BROADCAST_RATE")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per Bot API call")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser.parse_args()


async def _fill(runner: BotRunner, count: int, due: int, minute: datetime) -> None:
    """``due`` reminders spread over ``minute`` for as many people; the rest over 30 days
    later, four per person."""
    people = max(due, (count - due + 3) // 4)
    async with runner.session_factory.begin() as session:
        for start in range(0, people, CHUNK):
            await session.execute(
                insert(User),
                [
                    {
                        "telegram_id": FIRST_CHAT + number,
                        "first_name": "Bench",
                        "language": "en",
                        "access_role": AccessRole.PARTICIPANT,
                        "created_at": NOW,
                    }
                    for number in range(start, min(people, start + CHUNK))
                ],
            )
        rows = await session.execute(select(User.id).order_by(User.telegram_id))
        user_ids = [user_id for (user_id,) in rows]
        for start in range(0, count, CHUNK):
            batch = []
            for number in range(start, min(count, start + CHUNK)):
                if number < due:
                    owner = user_ids[number]
                    due_at = minute + timedelta(seconds=60 * number / due)
                else:
                    owner = user_ids[(number - due) // 4]
                    due_at = minute + timedelta(days=1 + 29 * (number - due) / (count - due))
                batch.append(
                    {
                        "dedupe_key": f"reminder:bench:{number}",
                        "user_id": owner,
                        "kind": "plain",
                        "payload": {"text": f"Reminder {number}: the cleanup starts soon"},
                        "due_at": due_at,
                        "urgent": False,
                        "held": False,
                        "status": OutboxStatus.PENDING,
                        "attempts": 0,
                        "created_at": NOW,
                    }
                )
            await session.execute(insert(OutboxMessage), batch)


async def _start_up(runner: BotRunner) -> tuple[float, float, int]:
    """Seconds to start the application, seconds of the dispatcher's first pass (nothing due
    yet) and the Python memory allocated meanwhile (the larger of kept and peak)."""
    tracemalloc.start()
    started = time.monotonic()
    await runner.start()
    application_seconds = time.monotonic() - started
    dispatcher = dispatcher_of(runner.application)
    started = time.monotonic()
    await dispatcher.deliver_due()
    await dispatcher.next_due()
    pass_seconds = time.monotonic() - started
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return application_seconds, pass_seconds, max(current, peak)


async def _measure(arguments: argparse.Namespace, directory: Path) -> dict[str, Any]:
    minute = NOW + timedelta(minutes=5)
    results: dict[str, Any] = {"pending": arguments.count, "due_in_one_minute": arguments.due}

    empty_url = f"sqlite+aiosqlite:///{directory / 'empty.db'}"
    await upgrade(empty_url)
    sandbox = SandboxServer(flood=FloodPolicy())
    await sandbox.start()
    try:
        # The first start-up in a process pays one-off costs (imports, caches): warm up first.
        for _ in range(2):
            runner = BotRunner(sandbox, sandbox_settings(sandbox, empty_url), SimulatedClock(NOW))
            _, empty_pass, empty_memory = await _start_up(runner)
            await runner.stop()
    finally:
        await sandbox.stop()

    full_url = f"sqlite+aiosqlite:///{directory / 'full.db'}"
    await upgrade(full_url)
    sandbox = SandboxServer(flood=FloodPolicy())
    await sandbox.start()
    sandbox.faults.latency = arguments.latency
    clock = SimulatedClock(NOW)
    settings = sandbox_settings(sandbox, full_url, BROADCAST_RATE=arguments.rate)
    try:
        filler = BotRunner(sandbox, settings, clock)
        fill_started = time.monotonic()
        await _fill(filler, arguments.count, arguments.due, minute)
        results["fill_seconds"] = round(time.monotonic() - fill_started, 1)
        await filler.engine.dispose()

        runner = BotRunner(sandbox, settings, clock)
        application_seconds, first_pass, memory = await _start_up(runner)
        results["application_start_seconds"] = round(application_seconds, 3)
        results["dispatcher_first_pass_seconds"] = round(first_pass, 3)
        results["dispatcher_first_pass_seconds_empty_outbox"] = round(empty_pass, 3)
        extra = max(0, memory - empty_memory)
        results["memory_mb"] = round(memory / 2**20, 2)
        results["memory_mb_empty_outbox"] = round(empty_memory / 2**20, 2)
        results["memory_cost_mb_per_100k"] = round(extra / 2**20 * 100_000 / arguments.count, 2)

        for chat in range(FIRST_CHAT, FIRST_CHAT + arguments.due):
            _ = sandbox.user(chat, first_name="Bench").chat
        clock.now = minute + timedelta(minutes=1)  # the whole minute is due
        dispatcher = dispatcher_of(runner.application)
        started = time.monotonic()
        report = await dispatcher.deliver_due()
        elapsed = time.monotonic() - started
        await runner.stop()
    finally:
        await sandbox.stop()

    arrivals = sorted(record.at for record in sandbox.sends)
    # Each reminder's delivery time, counted from the moment the pass began, against the
    # ideal: its place in the queue at the configured rate.
    ratios = [
        (arrived - started) / (position / arguments.rate)
        for position, arrived in enumerate(arrivals, start=1)
    ]
    after_first_second = ratios[int(arguments.rate) :] or ratios
    results.update(
        {
            "rate": arguments.rate,
            "sent": report.sent,
            "deliver_seconds": round(elapsed, 1),
            "ratio_last": round(ratios[-1], 3) if ratios else None,
            "ratio_p50": round(statistics.median(after_first_second), 3) if ratios else None,
            "ratio_max_after_first_second": round(max(after_first_second), 3) if ratios else None,
            "first_send_after_seconds": round(arrivals[0] - started, 3) if arrivals else None,
            "busiest_1s_window": sandbox.busiest_window(),
            "per_chat_violations": sandbox.per_chat_violations(),
            "http_429": sum(1 for call in sandbox.calls if call.status == 429),
        }
    )
    return results


def main() -> int:
    arguments = _arguments()
    if not 0 < arguments.due <= arguments.count:
        print("--due must be between 1 and --count", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="tideline-bench-") as directory:
        results = asyncio.run(_measure(arguments, Path(directory)))
    if arguments.json:
        print(json.dumps(results))
        return 0
    print(f"{results['pending']} pending reminders (filled in {results['fill_seconds']} s)")
    print(
        f"  start-up: application {results['application_start_seconds']} s, dispatcher's "
        f"first pass {results['dispatcher_first_pass_seconds']} s (empty outbox: "
        f"{results['dispatcher_first_pass_seconds_empty_outbox']} s)"
    )
    print(
        f"  memory: {results['memory_mb']} MB (empty outbox: "
        f"{results['memory_mb_empty_outbox']} MB): {results['memory_cost_mb_per_100k']} MB "
        "per 100,000 pending (target <= 10)"
    )
    print(
        f"{results['due_in_one_minute']} due in the same minute, rate {results['rate']}/s: "
        f"{results['sent']} sent in {results['deliver_seconds']} s"
    )
    print(
        f"  delivery time / (queue position / rate): last {results['ratio_last']}, "
        f"median {results['ratio_p50']}, worst after the first second "
        f"{results['ratio_max_after_first_second']} (target <= 1.1)"
    )
    print(
        f"  first send {results['first_send_after_seconds']} s after the pass began; busiest "
        f"1-second window {results['busiest_1s_window']}; per-chat violations "
        f"{results['per_chat_violations']}; 429s {results['http_429']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
