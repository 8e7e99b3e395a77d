"""Registration burst: N people tap Register on a small event within one second, through the
sandbox Bot API over HTTP, against SQLite and PostgreSQL.

Prints, per database: confirmed and waitlisted counts (must equal the seats and the rest),
duplicates (registrations beyond one per person, and people told twice), taps per second
processed, and p50/p99 from each tap to the bot's first answer in that chat.

    python bench/registration_burst.py [--people 2000] [--seats 100] [--window 1.0]
        [--databases sqlite,postgresql] [--postgres-url URL] [--json]

The bot runs as its own process (``bot.py run``) polling the sandbox, which lives in this process
with the simulated people. The sandbox's flood limits are lifted for the run: what is measured is
the bot's own processing (Telegram would additionally pace the confirmation messages at about 30
per second).
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from accounts.models import User
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from events import service
from events.models import EventKind, Registration, RegistrationStatus
from events.service import EventDraft
from sandbox import FloodPolicy, SandboxServer

# The bot runs on the real clock, so the event is ten days from now.
NOW = datetime.now(UTC)
ROOT = Path(__file__).resolve().parent.parent
FIRST_PERSON = 100_000


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--window", type=float, default=1.0, help="seconds the taps spread over")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres-url",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/tideline_bench",
        help="created if missing, emptied before the run",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--profile", metavar="FILE", help="run the bot under cProfile and write its stats here"
    )
    return parser.parse_args()


async def _fresh_postgresql(url: str) -> None:
    database = make_url(url).database
    admin = create_engine(str(make_url(url).set(database="postgres")))
    async with admin.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{database}"'))
    await admin.dispose()


async def _seed(url: str, people: int, seats: int) -> int:
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        organizer = User(telegram_id=1, language="en", created_at=NOW, onboarded_at=NOW)
        session.add(organizer)
        session.add_all(
            User(
                telegram_id=FIRST_PERSON + n,
                first_name=f"Person {n}",
                language="en",
                country="TH",
                city="Chonburi",
                timezone="Asia/Bangkok",
                created_at=NOW,
                onboarded_at=NOW,
            )
            for n in range(people)
        )
        await session.flush()
        event = await service.create_event(
            session,
            EventDraft(
                kind=EventKind.CLEANUP,
                texts={"en": ("Burst cleanup", "")},
                fallback_language="en",
                venue_name="Bang Saen Beach",
                address="Beach Road",
                latitude=13.283,
                longitude=100.915,
                country="TH",
                city="Chonburi",
                timezone="Asia/Bangkok",
                starts_at=NOW + timedelta(days=10),
                ends_at=NOW + timedelta(days=10, hours=3),
                capacity=seats,
            ),
            creator=organizer,
            now=NOW,
            publish=True,
        )
        event_id = event.id
    await engine.dispose()
    return event_id


async def _run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    await upgrade(url)
    event_id = await _seed(url, args.people, args.seats)
    server = SandboxServer(flood=FloodPolicy(enabled=False))
    await server.start()
    bot = await _start_bot(server, url, args.profile)
    try:
        people = [
            server.user(FIRST_PERSON + n, first_name=f"Person {n}") for n in range(args.people)
        ]
        cards = await _open_cards(server, people, event_id)
        cpu_before = _cpu_seconds(bot.pid)
        taps = await _burst(server, people, cards, args.window)
        cpu = _cpu_seconds(bot.pid) - cpu_before
        figures = await _figures(server, url, event_id, taps, args)
        figures["bot_cpu_ms_per_tap"] = round(cpu * 1000 / len(taps), 2)
        return figures
    finally:
        bot.terminate()
        await bot.wait()
        await server.stop()


async def _start_bot(
    server: SandboxServer, url: str, profile: str | None
) -> asyncio.subprocess.Process:
    """The bot runs as its own process (``bot.py run``), as in production: the sandbox and the
    simulated people in this process do not share its CPU."""
    environment = {
        **os.environ,
        "BOT_TOKEN": server.token,
        "BOT_API_BASE_URL": server.base_url,
        "DATABASE_URL": url,
        "ADMIN_IDS": "",
    }
    profiler = ["-m", "cProfile", "-o", profile] if profile else []
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        *profiler,
        str(ROOT / "bot.py"),
        "run",
        cwd=ROOT,
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await _until(lambda: bool(server.calls_to("getUpdates")), within=60)
    return bot


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _until(condition: Any, *, within: float) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the bot did not get there in time")
        await asyncio.sleep(0.1)


def _has_register_button(person: Any) -> bool:
    last = person.last
    return last is not None and any(text == "Register" for row in last.buttons for text, _ in row)


async def _open_cards(server: SandboxServer, people: list[Any], event_id: int) -> list[Any]:
    """Every person opens the event (ev_ deep link) first, so each has a card to tap on."""
    for start in range(0, len(people), 100):
        batch = people[start : start + 100]
        await asyncio.gather(*(person.send_command("start", f"ev_{event_id}") for person in batch))
        await _until(lambda batch=batch: all(map(_has_register_button, batch)), within=120)
    return [person.last for person in people]


async def _burst(
    server: SandboxServer, people: list[Any], cards: list[Any], window: float
) -> list[tuple[Any, float]]:
    """Taps spread evenly over ``window`` seconds; returns (person, tap time) pairs once every
    tap has been answered."""
    loop = asyncio.get_running_loop()
    begin = loop.time() + 0.05
    taps: list[tuple[Any, float]] = []
    marks: dict[int, int] = {}

    async def tap(index: int) -> None:
        await asyncio.sleep(max(0.0, begin + index * window / len(people) - loop.time()))
        person, card = people[index], cards[index]
        marks[person.id] = person.mark()
        taps.append((person, time.monotonic()))
        await person.press("Register", message=card)

    await asyncio.gather(*(tap(index) for index in range(len(people))))
    waiting = set(people)

    def everyone_answered() -> bool:
        # Only people still waiting are looked at, so the check stays cheap for the sandbox
        # sharing this process.
        waiting.difference_update([p for p in waiting if p.inbox_since(marks[p.id])])
        return not waiting

    await _until(everyone_answered, within=300)
    return taps


async def _figures(
    server: SandboxServer,
    url: str,
    event_id: int,
    taps: list[tuple[Any, float]],
    args: argparse.Namespace,
) -> dict[str, Any]:
    replies: dict[int, list[float]] = {}
    for call in server.calls:
        if call.method in ("sendMessage", "editMessageText") and isinstance(call.chat_id, int):
            replies.setdefault(call.chat_id, []).append(call.at)
    latencies = []
    last_answer = 0.0
    for person, tapped in taps:
        first = min((at for at in replies.get(person.id, []) if at >= tapped), default=None)
        if first is not None:
            latencies.append(first - tapped)
            last_answer = max(last_answer, first)
    first_tap = min(tapped for _, tapped in taps)
    engine = create_engine(url)
    async with create_session_factory(engine)() as session:
        counts = dict(
            (status, count)
            for status, count in await session.execute(
                select(Registration.status, func.count())
                .where(Registration.event_id == event_id)
                .group_by(Registration.status)
            )
        )
        rows = await session.scalar(select(func.count()).where(Registration.event_id == event_id))
        people = await session.scalar(
            select(func.count(func.distinct(Registration.user_id))).where(
                Registration.event_id == event_id
            )
        )
    await engine.dispose()
    told_twice = sum(
        1
        for person, _ in taps
        if sum("Your registration for" in (m.text or "") for m in person.messages) > 1
    )
    ordered = sorted(latencies)
    return {
        "database": make_url(url).get_backend_name(),
        "people": args.people,
        "seats": args.seats,
        "window_s": args.window,
        "confirmed": counts.get(RegistrationStatus.CONFIRMED, 0),
        "waitlisted": counts.get(RegistrationStatus.WAITLISTED, 0),
        "duplicates": int(rows or 0) - int(people or 0) + told_twice,
        "unanswered": len(taps) - len(latencies),
        "taps_per_second": round(len(taps) / max(last_answer - first_tap, 1e-9), 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 1) if ordered else None,
    }


async def main() -> None:
    args = _arguments()
    results = []
    for database in args.databases.split(","):
        if database == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="tideline-bench-"))
            url = f"sqlite+aiosqlite:///{folder / 'burst.db'}"
        elif database == "postgresql":
            url = args.postgres_url
            await _fresh_postgresql(url)
        else:
            sys.exit(f"unknown database {database!r}: use sqlite and/or postgresql")
        results.append(await _run(url, args))
    if args.json:
        print(json.dumps({"benchmark": "registration_burst", "results": results}))
        return
    for result in results:
        print(
            f"{result['database']:>10}: {result['people']} taps on {result['seats']} seats "
            f"within {result['window_s']} s — confirmed {result['confirmed']}, "
            f"waitlisted {result['waitlisted']}, duplicates {result['duplicates']}, "
            f"unanswered {result['unanswered']}, {result['taps_per_second']} taps/s, "
            f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
            f"bot CPU {result['bot_cpu_ms_per_tap']} ms per tap"
        )


if __name__ == "__main__":
    asyncio.run(main())
