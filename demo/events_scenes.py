"""The demo's events part: an organizer creates a cleanup and a roundtable in the chat, people
register (one is waitlisted, then offered a seat), a broadcast goes out with its live progress,
reminders arrive on an accelerated clock, people check in and a data card comes back."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from accounts.models import User
from broadcasts.models import Broadcast
from delivery.models import OutboxMessage
from demo.pledge_scenes import brand_audit
from demo.runner import BotRunner
from demo.transcript import Transcript
from events.cleanup_card import country_totals
from events.models import CleanupReport, Event, Registration
from handlers.broadcasts.progress import refresh_progress

# The demo clock starts on Wednesday 2026-11-25 at 09:00 in Bangkok.
CLEANUP_START = "2026-11-29 08:00"
DAY_BEFORE = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # 09:00 in Bangkok
TWO_HOURS_BEFORE = datetime(2026, 11, 28, 23, 0, tzinfo=UTC)  # 06:00 on the day
EVENT_MORNING = datetime(2026, 11, 29, 1, 15, tzinfo=UTC)  # 08:15, during the cleanup
NEXT_MORNING = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # Monday noon, a day after the end


def _button(person: Any, part: str) -> str:
    return next(text for row in person.last.buttons for text, _ in row if part in text)


async def choose_place(show: Transcript, person: Any) -> None:
    """A typed city offers the places it may mean (the first is the likeliest): tap it."""
    if person.last.buttons and len(person.last.buttons) > 1:
        place = person.last.buttons[0][0][0]
        await show.act(person, f"taps [{place}]", person.press(place))


async def _wizard(
    show: Transcript,
    alice: Any,
    *,
    kind: str,
    title: str,
    venue: tuple[str, str, float, float],
    country: str,
    city: str,
    start: str,
    end: str,
    capacity: str,
) -> None:
    async def say(text: str) -> None:
        await show.act(alice, text.replace("\n", " / "), alice.send_text(text))

    async def tap(label: str) -> None:
        await show.act(alice, f"taps [{label}]", alice.press(_button(alice, label)))

    await show.act(alice, "/organize", alice.send_command("organize"))
    await tap("New event")
    await tap(kind)
    await say(title)
    await say("Gloves, bags and water provided. Please wear closed shoes.")
    name, address, latitude, longitude = venue
    await say(name)
    await say(address)
    await show.act(alice, "shares the venue's location", alice.send_location(latitude, longitude))
    await tap(country)
    await say(city)
    await choose_place(show, alice)
    await say(start)
    await say(end)
    await say(capacity)
    await tap("Anyone can register")
    await tap("Publish")


async def _registers(show: Transcript, person: Any, how: str, action: Any) -> None:
    await show.act(person, how, action)
    await show.act(person, "taps Register", person.press(person.last.buttons[0][0][0]))


async def events_scenes(
    runner: BotRunner, show: Transcript, *, alice: Any, somchai: Any, lin: Any, dewi: Any
) -> None:
    show.scene("Alice creates a beach cleanup in Chonburi with /organize (2 places)")
    await _wizard(
        show,
        alice,
        kind="Cleanup",
        title="Bang Saen beach cleanup",
        venue=("Bang Saen Beach, north end", "Beach Road, Saen Suk, Chonburi", 13.2830, 100.9150),
        country="Thailand",
        city="Chonburi",
        start=CLEANUP_START,
        end="11:00",
        capacity="2",
    )
    show.scene("…and a science–business–community roundtable in Nanning")
    await _wizard(
        show,
        alice,
        kind="Roundtable",
        title="Plastics pact roundtable, Guangxi",
        venue=("Nanning Convention Centre", "11 Minzu Avenue, Nanning", 22.8170, 108.3669),
        country="China",
        city="Nanning",
        start="2026-12-10 14:00",
        end="17:00",
        capacity="60",
    )
    cleanup_id = await _first_event_id(runner)

    show.scene("Somchai finds the cleanup in /events; Lin opens a shared link; Dewi is third")
    await show.act(somchai, "/events", somchai.send_command("events"))
    await _registers(show, somchai, "opens the cleanup", somchai.press(_button(somchai, "1.")))
    await _registers(
        show,
        lin,
        f"opens t.me/…?start=ev_{cleanup_id}",
        lin.send_command("start", f"ev_{cleanup_id}"),
    )
    await _registers(
        show,
        dewi,
        f"opens t.me/…?start=ev_{cleanup_id}",
        dewi.send_command("start", f"ev_{cleanup_id}"),
    )

    show.scene("Lin cannot come after all: her seat is offered to Dewi, who accepts")
    await show.act(lin, "/my", lin.send_command("my"))
    await show.act(lin, "opens her registration", lin.press(_button(lin, "1.")))
    await show.act(lin, "taps [Cancel my registration]", lin.press("Cancel my registration"))
    await show.act(lin, "taps [Yes, cancel it]", lin.press("Yes, cancel it"))
    await show.deliveries("the outbox sends the seat offer", [dewi, somchai])
    accept = dewi.last.buttons[0][0][0]
    await show.act(dewi, f"taps [{accept}]", dewi.press(accept))

    show.scene("Alice invites everyone who accepted news to the roundtable (English, Indonesian)")
    await show.act(alice, "/broadcast", alice.send_command("broadcast"))
    await show.act(alice, "taps [English]", alice.press(_button(alice, "English")))
    await show.act(
        alice,
        "types the invitation",
        alice.send_text("Join our plastics pact roundtable in Nanning on 10 December!"),
    )
    await show.act(alice, "taps [Add another language]", alice.press("Add another language"))
    await show.act(alice, "taps [Bahasa Indonesia]", alice.press(_button(alice, "Indonesia")))
    await show.act(
        alice,
        "types it in Indonesian",
        alice.send_text("Ikuti diskusi meja bundar pakta plastik di Nanning pada 10 Desember!"),
    )
    await show.act(alice, "taps [Continue]", alice.press("Continue"))
    await show.act(alice, "keeps English as fallback", alice.press(_button(alice, "English")))
    await show.act(
        alice, "links the roundtable", alice.press(_button(alice, "Plastics pact roundtable"))
    )
    await show.act(alice, "taps [Preview]", alice.press("Preview"))
    await show.act(alice, "taps [Send now]", alice.press("Send now"))
    await show.act(alice, "taps [Yes, send it]", alice.press("Yes, send it"))
    await show.deliveries("the outbox sends the invitation", [dewi, somchai, lin, alice])
    await show.meanwhile(
        alice,
        "the progress watcher updates Alice's progress message",
        refresh_progress(runner.application, await _latest_broadcast(runner)),
    )

    show.scene("The day before: reminders, and Somchai confirms he is coming")
    runner.clock.now = DAY_BEFORE
    await show.deliveries("Saturday 09:00 in Bangkok", [somchai, dewi])
    await show.act(somchai, "taps [Yes, I'm coming]", somchai.press(somchai.last.buttons[0][0][0]))
    runner.clock.now = TWO_HOURS_BEFORE
    await show.deliveries("Sunday 06:00: two hours before", [somchai, dewi])

    show.scene("At the beach: Alice scans the check-in codes")
    runner.clock.now = EVENT_MORNING
    await show.act(somchai, "/my", somchai.send_command("my"))
    await show.act(somchai, "opens his registration", somchai.press(_button(somchai, "1.")))
    await show.act(somchai, "shows his check-in code", somchai.press(somchai.last.buttons[0][0][0]))
    for person in (somchai, dewi):
        token = await _checkin_token(runner, cleanup_id, person.id)
        await show.act(
            alice,
            f"scans {person.first_name}'s code (opens ?start=ci_…)",
            alice.send_command("start", f"ci_{token}"),
        )

    show.scene("After the cleanup, Somchai sends the data card")
    await show.act(somchai, "/report", somchai.send_command("report"))
    for figure in ("4", "18,5", "2", "1.2 km"):
        await show.act(somchai, figure, somchai.send_text(figure))
    await show.act(
        somchai, "continues without a tally", somchai.press(somchai.last.buttons[-1][0][0])
    )
    await brand_audit(runner, show, somchai)
    await show.act(somchai, "submits", somchai.press(somchai.last.buttons[0][0][0]))
    runner.clock.now = NEXT_MORNING
    await show.deliveries(
        "The day after, everyone who took part hears what the cleanup achieved", [dewi, somchai]
    )


async def _latest_broadcast(runner: BotRunner) -> int:
    async with runner.session_factory() as session:
        latest = await session.scalar(select(func.max(Broadcast.id)))
    assert latest is not None
    return latest


async def _first_event_id(runner: BotRunner) -> int:
    """The cleanup: the first event Alice created."""
    async with runner.session_factory() as session:
        first = await session.scalar(select(func.min(Event.id)))
    assert first is not None
    return first


async def _checkin_token(runner: BotRunner, event_id: int, telegram_id: int) -> str:
    async with runner.session_factory() as session:
        token = await session.scalar(
            select(Registration.checkin_token)
            .join(User, User.id == Registration.user_id)
            .where(Registration.event_id == event_id, User.telegram_id == telegram_id)
        )
    assert token is not None
    return token


async def event_summary(runner: BotRunner) -> None:
    async with runner.session_factory() as session:
        events = (
            await session.execute(select(Event.kind, func.count()).group_by(Event.kind))
        ).all()
        statuses = (
            await session.execute(
                select(Registration.status, func.count()).group_by(Registration.status)
            )
        ).all()
        attended = await session.scalar(
            select(func.count()).where(Registration.attended_at.is_not(None))
        )
        reports = await session.scalar(select(func.count()).select_from(CleanupReport))
        thailand = await country_totals(session, "TH")
        outbox = (
            await session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
        ).all()
    print("  events: " + ", ".join(f"{count} {kind}" for kind, count in sorted(events)))
    print(
        "  registrations: " + ", ".join(f"{count} {status}" for status, count in sorted(statuses))
    )
    print(f"  checked in: {attended}; cleanup data cards: {reports}")
    print(
        f"  cleanup totals for Thailand: {thailand.reports} card(s), {thailand.bags} bags, "
        f"{thailand.weight_kg:g} kg, {thailand.people} people, {thailand.distance_m} m"
    )
    print("  outbox: " + ", ".join(f"{count} {status}" for status, count in sorted(outbox)))
