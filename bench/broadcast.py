"""Broadcast benchmark: N recipients through the outbox, the real bot and the sandbox Bot API
over HTTP with injected latency, under Telegram-like flood limits.

Prints the achieved send rate ÷ the configured rate (target ≥ 0.97), the busiest 1-second
window (must not exceed the rate), per-chat violations (0), losses (0), duplicates (0) and
429s. Then, with the pacer and the sandbox's flood limits off, the outbox's own send rate
beside a bare PTB ``send_message`` loop over the same HTTP (target ratio ≥ 0.8); a concurrent
bare loop with the dispatcher's in-flight limit is printed too.

``--flood-limit`` below ``--rate`` (e.g. ``--rate 8 --flood-limit 5``) measures the outbox
against a limit it does not know of: the achieved rate ÷ the limit, and how many 429s it met.

    python bench/broadcast.py [--recipients 20000] [--rate 30] [--latency 0.05]
        [--flood-limit 30] [--compare-recipients 2000] [--no-comparison] [--json]
"""

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import _repository_first  # noqa: F401  (before anything that imports surveys)
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import AccessRole, User
from db.migrate import upgrade
from delivery.outbox import OutboxItem, enqueue_many
from delivery.pacer import Pacer, PacerLimits
from demo.runner import BotRunner, SimulatedClock, sandbox_settings
from handlers.runtime.dispatch_wiring import dispatcher_of
from sandbox import FloodPolicy, SandboxServer

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 in the default zone: no quiet hours
FIRST_CHAT = 500_000
TEXT = "Cleanup on Saturday at Pattaya Beach: join us! 🌊"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=30.0, help="BROADCAST_RATE")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per Bot API call")
    parser.add_argument(
        "--flood-limit",
        type=float,
        default=30.0,
        help="the sandbox's overall limit, sends per second (Telegram: about 30)",
    )
    parser.add_argument(
        "--no-comparison", action="store_true", help="skip the pacer-off comparison"
    )
    parser.add_argument(
        "--compare-recipients",
        type=int,
        default=None,
        help="sends in the pacer-off comparison (default: min(recipients, 2000))",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser.parse_args()


async def _people(
    session_factory: async_sessionmaker[AsyncSession], chats: range, sandbox: SandboxServer
) -> dict[int, int]:
    async with session_factory.begin() as session:
        for start in range(0, len(chats), 1000):
            await session.execute(
                insert(User),
                [
                    {
                        "telegram_id": chat,
                        "first_name": "Bench",
                        "language": "en",
                        "access_role": AccessRole.PARTICIPANT,
                        "created_at": NOW,
                    }
                    for chat in chats[start : start + 1000]
                ],
            )
        rows = await session.execute(
            select(User.telegram_id, User.id).where(User.telegram_id.between(chats[0], chats[-1]))
        )
        accounts = {int(telegram_id): user_id for telegram_id, user_id in rows}
    for chat in chats:
        _ = sandbox.user(chat, first_name="Bench").chat
    return accounts


async def _queue(
    session_factory: async_sessionmaker[AsyncSession], accounts: dict[int, int], prefix: str
) -> None:
    async with session_factory.begin() as session:
        await enqueue_many(
            session,
            (
                OutboxItem(user_id, "plain", f"{prefix}:{chat}", NOW, {"text": TEXT})
                for chat, user_id in accounts.items()
            ),
            now=NOW,
        )


def _window(sends: list[Any]) -> tuple[float, float]:
    times = sorted(record.at for record in sends)
    return times[0], times[-1]


async def paced_broadcast(arguments: argparse.Namespace, database_url: str) -> dict[str, Any]:
    # Telegram-like: --flood-limit overall (30/s), ~1/s per chat.
    sandbox = SandboxServer(flood=FloodPolicy(global_per_second=arguments.flood_limit))
    await sandbox.start()
    runner = BotRunner(
        sandbox,
        sandbox_settings(sandbox, database_url, BROADCAST_RATE=arguments.rate),
        SimulatedClock(NOW),
    )
    try:
        chats = range(FIRST_CHAT, FIRST_CHAT + arguments.recipients)
        accounts = await _people(runner.session_factory, chats, sandbox)
        await _queue(runner.session_factory, accounts, "bench:paced")
        sandbox.faults.latency = arguments.latency
        await runner.start()
        started = time.monotonic()
        report = await runner.deliver_due()
        elapsed = time.monotonic() - started
    finally:
        await runner.stop()
        await sandbox.stop()
    sends = [record for record in sandbox.sends if record.chat_id >= FIRST_CHAT]
    received = Counter(record.chat_id for record in sends)
    first, last = _window(sends)
    achieved = (len(sends) - 1) / (last - first) if last > first else 0.0
    return {
        "recipients": arguments.recipients,
        "configured_rate": arguments.rate,
        "flood_limit": arguments.flood_limit,
        "achieved_rate": round(achieved, 2),
        "rate_ratio": round(achieved / arguments.rate, 3),
        "limit_ratio": round(achieved / arguments.flood_limit, 3),
        "busiest_1s_window": sandbox.busiest_window(),
        "per_chat_violations": sandbox.per_chat_violations(),
        "losses": sum(1 for chat in chats if received[chat] == 0),
        "duplicates": sum(count - 1 for count in received.values() if count > 1),
        "http_429": sum(1 for call in sandbox.calls if call.status == 429),
        "sent": report.sent,
        "seconds": round(elapsed, 1),
    }


async def unpaced_comparison(arguments: argparse.Namespace, database_url: str) -> dict[str, Any]:
    count = arguments.compare_recipients or min(arguments.recipients, 2000)
    sandbox = SandboxServer(flood=FloodPolicy(enabled=False))
    await sandbox.start()
    runner = BotRunner(
        sandbox,
        sandbox_settings(sandbox, database_url, BROADCAST_RATE=arguments.rate),
        SimulatedClock(NOW),
    )
    try:
        outbox_chats = range(FIRST_CHAT * 2, FIRST_CHAT * 2 + count)
        accounts = await _people(runner.session_factory, outbox_chats, sandbox)
        await _queue(runner.session_factory, accounts, "bench:unpaced")
        bare_chats = range(FIRST_CHAT * 3, FIRST_CHAT * 3 + count)
        for chat in bare_chats:
            _ = sandbox.user(chat, first_name="Bench").chat
        await runner.start()
        sandbox.faults.latency = arguments.latency
        dispatcher = dispatcher_of(runner.application)
        dispatcher.pacer = Pacer(PacerLimits(arguments.rate, enabled=False))
        in_flight = dispatcher.options.max_in_flight

        started = time.monotonic()
        await runner.deliver_due()
        outbox_seconds = time.monotonic() - started

        bot = runner.application.bot
        started = time.monotonic()
        for chat in bare_chats:
            await bot.send_message(chat, TEXT, parse_mode="HTML")
        bare_seconds = time.monotonic() - started

        concurrent_chats = iter(range(FIRST_CHAT * 4, FIRST_CHAT * 4 + count))
        for chat in range(FIRST_CHAT * 4, FIRST_CHAT * 4 + count):
            _ = sandbox.user(chat, first_name="Bench").chat

        async def bare_worker() -> None:
            for chat in concurrent_chats:
                await bot.send_message(chat, TEXT, parse_mode="HTML")

        started = time.monotonic()
        await asyncio.gather(*(bare_worker() for _ in range(in_flight)))
        concurrent_seconds = time.monotonic() - started
    finally:
        await runner.stop()
        await sandbox.stop()
    outbox_rate = count / outbox_seconds
    bare_rate = count / bare_seconds
    concurrent_rate = count / concurrent_seconds
    return {
        "sends": count,
        "outbox_rate": round(outbox_rate, 1),
        "bare_loop_rate": round(bare_rate, 1),
        "outbox_vs_bare_loop": round(outbox_rate / bare_rate, 2),
        "concurrent_bare_loop_rate": round(concurrent_rate, 1),
        "outbox_vs_concurrent_bare_loop": round(outbox_rate / concurrent_rate, 2),
        "in_flight": in_flight,
    }


async def main() -> int:
    arguments = _arguments()
    with tempfile.TemporaryDirectory(prefix="tideline-bench-") as directory:
        paced_url = f"sqlite+aiosqlite:///{Path(directory) / 'paced.db'}"
        unpaced_url = f"sqlite+aiosqlite:///{Path(directory) / 'unpaced.db'}"
        await upgrade(paced_url)
        await upgrade(unpaced_url)
        paced = await paced_broadcast(arguments, paced_url)
        unpaced = (
            None if arguments.no_comparison else await unpaced_comparison(arguments, unpaced_url)
        )
    figures = {"latency_s": arguments.latency, "paced": paced, "pacer_off": unpaced}
    if arguments.json:
        print(json.dumps(figures))
        return 0
    print(
        f"Broadcast to {paced['recipients']} recipients, {arguments.latency * 1000:.0f} ms latency"
    )
    if arguments.flood_limit < arguments.rate:
        print(
            f"  achieved {paced['achieved_rate']}/s against a {arguments.flood_limit:g}/s flood "
            f"limit at rate {arguments.rate:g}/s: ratio {paced['limit_ratio']} to the limit"
        )
    else:
        print(
            f"  achieved {paced['achieved_rate']}/s of {paced['configured_rate']}/s: "
            f"ratio {paced['rate_ratio']} (target >= 0.97)"
        )
    print(f"  busiest 1-second window: {paced['busiest_1s_window']} sends")
    print(f"  per-chat violations: {paced['per_chat_violations']}")
    print(f"  losses: {paced['losses']}  duplicates: {paced['duplicates']}")
    print(f"  429 answers: {paced['http_429']}  ({paced['seconds']} s)")
    if unpaced is not None:
        _print_comparison(unpaced)
    return 0


def _print_comparison(unpaced: dict[str, Any]) -> None:
    print(f"Pacer off, {unpaced['sends']} sends each:")
    print(
        f"  outbox {unpaced['outbox_rate']}/s vs bare send_message loop "
        f"{unpaced['bare_loop_rate']}/s: ratio {unpaced['outbox_vs_bare_loop']} (target >= 0.8)"
    )
    print(
        f"  concurrent bare loop ({unpaced['in_flight']} in flight) "
        f"{unpaced['concurrent_bare_loop_rate']}/s: ratio "
        f"{unpaced['outbox_vs_concurrent_bare_loop']}"
    )


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
