"""Broadcasts through the real bot and the sandbox: composing in several languages, preview,
audience filters, sending now or later, delivery in each reader's language, unsubscribing,
pause/resume/cancel, the live progress message and the report of people not reached."""

import csv
import io
import re
import secrets
from datetime import datetime, timedelta
from html import escape
from typing import Any

from sqlalchemy import select

from accounts.models import ConsentPurpose, StakeholderRole
from accounts.service import consents_of
from broadcasts.models import Broadcast, BroadcastStatus
from broadcasts.service import Progress, Unreached, unreached_csv
from demo.runner import BotRunner, SimulatedClock
from events.models import (
    Event,
    EventKind,
    EventStatus,
    EventText,
    Registration,
    RegistrationStatus,
)
from handlers.broadcasts.progress import progress_text, refresh_progress
from i18n import LANGUAGES
from sandbox import SandboxUser
from tests.accounts_db import account
from tests.conftest import ADMIN_ID
from tests.flows import onboard, settle_city

NEWS = (ConsentPurpose.EVENT_LOGISTICS, ConsentPurpose.NEWS)
ENGLISH = "Join our <b>beach cleanup</b> & bring gloves!"
THAI = "มาร่วมเก็บขยะชายหาดกัน"
PROGRESS = re.compile(r"^Broadcast #\d+ – ")


def organizer(bot: BotRunner) -> SandboxUser:
    return bot.server.user(ADMIN_ID, first_name="Ada", language_code="en")


async def person(
    bot: BotRunner,
    telegram_id: int,
    name: str,
    *,
    language: str = "en",
    country: str = "TH",
    city: str = "Chonburi",
    consents: tuple[ConsentPurpose, ...] = NEWS,
    role: StakeholderRole = StakeholderRole.COMMUNITY,
) -> SandboxUser:
    user = bot.server.user(telegram_id, first_name=name, language_code=language)
    await onboard(
        bot, user, language=language, country=country, city=city, consents=consents, role=role
    )
    return user


async def write_texts(bot: BotRunner, org: SandboxUser, texts: dict[str, str]) -> None:
    """/broadcast, then one text per language; ends on the audience step (no events open)."""
    await bot.do(org.send_command("broadcast"))
    for index, (language, text) in enumerate(texts.items()):
        if index:
            await bot.do(org.press("Add another language"))
        await bot.do(org.press(LANGUAGES[language].native_name))
        await bot.do(org.send_text(text))
    await bot.do(org.press("Continue"))


async def compose(
    bot: BotRunner, org: SandboxUser, texts: dict[str, str], fallback: str = "en"
) -> None:
    await write_texts(bot, org, texts)
    if len(texts) > 1:
        await bot.do(org.press(LANGUAGES[fallback].native_name))


async def send_now(bot: BotRunner, org: SandboxUser) -> None:
    await bot.do(org.press("Preview"))
    await bot.do(org.press("Send now"))
    await bot.do(org.press("Yes, send it"))


async def schedule(bot: BotRunner, org: SandboxUser, local_time: str) -> None:
    await bot.do(org.press("Preview"))
    await bot.do(org.press("Schedule"))
    await bot.do(org.send_text(local_time))
    await bot.do(org.press("Yes, send it"))


async def latest_broadcast(bot: BotRunner) -> Broadcast:
    async with bot.session_factory() as session:
        broadcast = await session.scalar(select(Broadcast).order_by(Broadcast.id.desc()).limit(1))
    assert broadcast is not None
    return broadcast


def progress_message(org: SandboxUser) -> Any:
    """The live one, "Broadcast #N – <status>", not the end report "Broadcast #N is …"."""
    return next(m for m in reversed(org.messages) if PROGRESS.match(m.text or ""))


def got_broadcast(user: SandboxUser, mark: int) -> list[str]:
    return [m.text or "" for m in user.inbox_since(mark) if m.has_inline_keyboard]


async def test_two_languages_preview_and_delivery_in_each_readers_language(
    bot: BotRunner,
) -> None:
    org = organizer(bot)
    somchai = await person(bot, 5001, "Somchai", language="th")
    anna = await person(bot, 5002, "Anna")
    dewi = await person(bot, 5003, "Dewi", language="id", country="ID", city="Jakarta")
    quiet = await person(bot, 5004, "Quiet", consents=(ConsentPurpose.EVENT_LOGISTICS,))
    gone = await person(bot, 5005, "Gone")
    await bot.settle(gone.block())
    erased = await person(bot, 5006, "Erased")
    await bot.do(erased.send_command("deleteme"))
    await bot.do(erased.press("Yes, delete my data"))
    await bot.do(erased.press("Delete everything now"))

    await compose(bot, org, {"en": ENGLISH, "th": THAI}, fallback="en")
    assert "It goes to 3 people." in org.last.text

    before_preview = org.mark()
    await bot.do(org.press("Preview"))
    shown = org.inbox_since(before_preview)
    previews = [
        m for m in shown if m.has_inline_keyboard and m.text and "Send now" not in str(m.buttons)
    ]
    # Markup typed as text is shown as typed: escaped, never parsed.
    assert [m.text.split("\n")[0] for m in previews] == [ENGLISH, THAI]
    assert previews[0].raw_text.startswith(escape(ENGLISH))
    thai = bot.catalogs.translator("th")
    assert previews[1].buttons[-1][0][0] == thai._("Unsubscribe")
    assert "It goes to 3 people." in org.last.text

    marks = {user.id: user.mark() for user in (somchai, anna, dewi, quiet, gone, erased)}
    await bot.do(org.press("Send now"))
    assert "Send it to 3 people now?" in org.last.text
    await bot.do(org.press("Yes, send it"))
    await bot.deliver_due()

    assert got_broadcast(somchai, marks[somchai.id])[0].startswith(THAI)
    assert got_broadcast(anna, marks[anna.id])[0].startswith(ENGLISH)
    # No Indonesian text was written: Dewi gets the fallback, with her own buttons.
    dewi_message = dewi.inbox_since(marks[dewi.id])[-1]
    assert dewi_message.text.startswith(ENGLISH)
    assert dewi_message.buttons[-1][0][0] == bot.catalogs.translator("id")._("Unsubscribe")
    for user in (quiet, gone, erased):
        assert got_broadcast(user, marks[user.id]) == []

    broadcast = await latest_broadcast(bot)
    assert await refresh_progress(bot.application, broadcast.id) is False
    progress = progress_message(org)
    assert progress.edited >= 1
    assert "Sent: 3 · Failed: 0 · Blocked: 0 · Pending: 0" in progress.text
    assert "Finished" in progress.text and "100%" in progress.text
    assert progress.buttons == []
    assert "Broadcast #1 is finished." in org.last.text
    assert org.last.document is None  # everyone was reached: no failure file


async def test_audience_size_follows_filters(bot: BotRunner, clock: SimulatedClock) -> None:
    org = organizer(bot)
    await person(bot, 5101, "Thai speaker", language="th")
    await person(bot, 5102, "Bangkok", city="Bangkok", role=StakeholderRole.BUSINESS)
    await person(bot, 5103, "Hanoi", language="vi", country="VN", city="Hanoi")
    await person(bot, 5104, "No news", consents=(ConsentPurpose.EVENT_LOGISTICS,))
    cleanup = await make_event(bot, clock, "Pattaya cleanup", days_ago=3)
    await register(bot, cleanup, 5101, attended=True)
    await register(bot, cleanup, 5102, attended=False)
    await register(bot, cleanup, 5104, attended=True)  # attended, but wants no news

    await compose(bot, org, {"en": ENGLISH})
    assert "It goes to 3 people." in org.last.text

    await bot.do(org.press("Country"))
    await bot.do(org.press("Thailand"))
    assert "It goes to 2 people." in org.last.text
    await bot.do(org.press("City"))
    await bot.do(org.send_text("  bangkok "))
    await settle_city(bot, org, "en")
    assert "City: bangkok" in org.last.text and "It goes to 1 person." in org.last.text

    await bot.do(org.press("Everyone"))
    await bot.do(org.press("Country"))
    await bot.do(org.send_text("viet nam"))
    assert "I don't know that country" in org.last.text
    await bot.do(org.send_text("VN"))
    assert "Country: Vietnam" in org.last.text and "It goes to 1 person." in org.last.text

    await bot.do(org.press("Everyone"))
    await bot.do(org.press("Language"))
    await bot.do(org.press(LANGUAGES["th"].native_name))
    assert "It goes to 1 person." in org.last.text
    await bot.do(org.press("Role"))
    await bot.do(org.press("Business"))
    assert "It goes to 0 people." in org.last.text

    await bot.do(org.press("Everyone"))
    await bot.do(org.press("Event"))
    await bot.do(org.press(next(label for row in org.last.buttons for label, _ in row)))
    await bot.do(org.press("Attended"))
    assert "Pattaya cleanup (Attended)" in org.last.text
    assert "It goes to 1 person." in org.last.text
    await bot.do(org.press("Event"))
    await bot.do(org.press(next(label for row in org.last.buttons for label, _ in row)))
    await bot.do(org.press("Missed it"))
    assert "It goes to 1 person." in org.last.text
    await bot.do(org.press("Event"))
    await bot.do(org.press(next(label for row in org.last.buttons for label, _ in row)))
    await bot.do(org.press("Registered"))
    assert "It goes to 2 people." in org.last.text

    # The narrowed audience is who actually gets it.
    marks = {tid: bot.server.user(tid).mark() for tid in (5101, 5102, 5103, 5104)}
    await send_now(bot, org)
    await bot.deliver_due()
    reached = {tid for tid in marks if got_broadcast(bot.server.user(tid), marks[tid])}
    assert reached == {5101, 5102}


async def test_linked_event_gets_a_register_button(bot: BotRunner, clock: SimulatedClock) -> None:
    org = organizer(bot)
    reader = await person(bot, 5201, "Reader")
    event_id = await make_event(bot, clock, "Mangrove planting", days_ago=-7)
    await write_texts(bot, org, {"en": ENGLISH})
    assert "Is this an invitation to an event?" in org.last.text
    await bot.do(org.press(next(label for row in org.last.buttons for label, _ in row)))
    mark = reader.mark()
    await send_now(bot, org)
    await bot.deliver_due()
    message = reader.inbox_since(mark)[-1]
    register = message.markup.data["inline_keyboard"][0][0]
    assert register["text"] == "Register"
    username = bot.application.bot.username
    assert register["url"] == f"https://t.me/{username}?start=ev_{event_id}"


async def test_participants_cannot_broadcast_or_use_organizer_buttons(bot: BotRunner) -> None:
    org = organizer(bot)
    mallory = await person(bot, 5301, "Mallory")
    await bot.do(mallory.send_command("broadcast"))
    assert mallory.last.text == "Sorry, your role does not allow that."

    await compose(bot, org, {"en": ENGLISH})
    forged_preview = next(
        data for row in org.last.buttons for label, data in row if label == "Preview"
    )
    await bot.do(mallory.press_data(forged_preview))
    assert mallory.callback_answers[-1]["text"].startswith("This button is not valid")

    # A granted organizer sends, then loses the role: their own buttons stop working.
    olga = await person(bot, 5302, "Olga")
    await bot.do(org.send_command("grant", "5302"))
    await compose(bot, olga, {"en": ENGLISH})
    await schedule(bot, olga, "2030-01-01 09:00")
    await bot.do(org.send_command("revoke", "5302"))
    await bot.do(olga.press("Pause", progress_message(olga)))
    assert olga.callback_answers[-1]["text"] == "Sorry, your role does not allow that."
    assert (await latest_broadcast(bot)).status == BroadcastStatus.SCHEDULED
    await bot.do(mallory.press_data(progress_message(olga).buttons[0][0][1]))
    assert mallory.callback_answers[-1]["text"].startswith("This button is not valid")


async def test_unsubscribe_button_withdraws_consent_in_the_readers_language(
    bot: BotRunner,
) -> None:
    org = organizer(bot)
    somchai = await person(bot, 5401, "Somchai", language="th")
    await compose(bot, org, {"en": ENGLISH})
    await send_now(bot, org)
    await bot.deliver_due()
    thai = bot.catalogs.translator("th")
    await bot.do(somchai.press(thai._("Unsubscribe")))
    user = await account(bot, 5401)
    assert user is not None and consents_of(user)[ConsentPurpose.NEWS] is False
    assert somchai.last.text == thai._(
        "You will no longer get news and invitations. You can turn them on again in /privacy."
    )
    await compose(bot, org, {"en": ENGLISH})
    assert "It goes to 0 people." in org.last.text


async def test_scheduled_broadcast_waits_for_its_time_and_can_be_paused(
    bot: BotRunner, clock: SimulatedClock
) -> None:
    org = organizer(bot)
    anna = await person(bot, 5501, "Anna")
    # 26 Nov 09:00 in Singapore (the organizer's zone) is 01:00 UTC; the clock is 25 Nov 02:00.
    await compose(bot, org, {"en": ENGLISH})
    await bot.do(org.press("Preview"))
    await bot.do(org.press("Schedule"))
    await bot.do(org.send_text("2026-11-24 09:00"))
    assert "That time has passed" in org.last.text
    await bot.do(org.send_text("tomorrow"))
    assert "like this: 2026-11-26 09:00" in org.last.text
    await bot.do(org.send_text("2026-11-26 09:00"))
    assert "Send it to 1 person at" in org.last.text
    mark = anna.mark()
    await bot.do(org.press("Yes, send it"))
    broadcast = await latest_broadcast(bot)
    assert broadcast.status == BroadcastStatus.SCHEDULED
    assert "Scheduled for" in progress_message(org).text

    await bot.deliver_due()
    assert got_broadcast(anna, mark) == []

    await bot.do(org.press("Pause", progress_message(org)))
    assert "Paused" in progress_message(org).text
    clock.advance(days=1)
    await bot.deliver_due()
    assert got_broadcast(anna, mark) == []

    await bot.do(org.press("Resume", progress_message(org)))
    await bot.deliver_due()
    assert len(got_broadcast(anna, mark)) == 1
    await refresh_progress(bot.application, broadcast.id)
    assert "Sent: 1" in progress_message(org).text


async def test_cancel_stops_a_scheduled_broadcast(bot: BotRunner, clock: SimulatedClock) -> None:
    org = organizer(bot)
    anna = await person(bot, 5601, "Anna")
    await compose(bot, org, {"en": ENGLISH})
    await schedule(bot, org, "2026-11-26 09:00")
    mark = anna.mark()
    await bot.do(org.press("Cancel", progress_message(org)))
    clock.advance(days=1)
    await bot.deliver_due()
    assert got_broadcast(anna, mark) == []
    assert (await latest_broadcast(bot)).status == BroadcastStatus.CANCELLED
    assert "Cancelled" in progress_message(org).text
    assert "was cancelled." in org.last.text
    assert "Skipped (opted out or cancelled): 1" in org.last.text


async def test_report_lists_people_not_reached_in_a_csv(
    bot: BotRunner, clock: SimulatedClock
) -> None:
    org = organizer(bot)
    people = [await person(bot, 5700 + n, f"Person{n}") for n in range(4)]
    blocker, refuser = people[1], people[2]
    await compose(bot, org, {"en": ENGLISH})
    await schedule(bot, org, "2026-11-26 09:00")
    await bot.settle(blocker.block())
    bot.server.faults.add(
        "sendMessage", 400, description="Bad Request: chat not found", chat_id=refuser.id
    )
    clock.advance(days=1)
    await bot.deliver_due()

    broadcast = await latest_broadcast(bot)
    await refresh_progress(bot.application, broadcast.id)
    assert "Sent: 2 · Failed: 1 · Blocked: 1 · Pending: 0" in progress_message(org).text
    report = org.last
    assert report.document is not None
    assert report.document.filename == f"broadcast-{broadcast.id}-not-delivered.csv"
    assert report.text == "2 people were not reached; the file says why."
    data = report.document.data
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {(row["telegram_user_id"], row["first_name"], row["outcome"]) for row in rows} == {
        (str(blocker.id), "Person1", "blocked"),
        (str(refuser.id), "Person2", "failed"),
    }
    assert all(row["reason"] for row in rows)
    # The report is sent once, however often progress is refreshed.
    await refresh_progress(bot.application, broadcast.id)
    assert org.last is report


async def test_progress_message_updates_by_itself(bot: BotRunner) -> None:
    org = organizer(bot)
    await person(bot, 5801, "Anna")
    await compose(bot, org, {"en": ENGLISH})
    await send_now(bot, org)
    await bot.deliver_due()
    await bot.server.wait_for(lambda: "Finished" in progress_message(org).text, timeout=8)
    assert "Sent: 1" in progress_message(org).text


async def test_cancel_command_discards_the_draft(bot: BotRunner) -> None:
    org = organizer(bot)
    await bot.do(org.send_command("broadcast"))
    await bot.do(org.press("English"))
    await bot.do(org.send_text(ENGLISH))
    await bot.do(org.send_command("cancel"))
    assert org.last.text == "Cancelled. Nothing was sent."
    async with bot.session_factory() as session:
        assert await session.scalar(select(Broadcast)) is None


async def test_texts_must_leave_room_for_the_footer(bot: BotRunner) -> None:
    org = organizer(bot)
    await bot.do(org.send_command("broadcast"))
    await bot.do(org.press("English"))
    await bot.do(org.send_text("x" * 4090))
    assert org.last.text.startswith("That is too long")
    await bot.do(org.send_text("<script>alert(1)</script>"))
    assert org.last.text.startswith("Saved the text in English")


async def make_event(bot: BotRunner, clock: SimulatedClock, title: str, *, days_ago: int) -> int:
    starts_at = clock.now - timedelta(days=days_ago)
    past = days_ago > 0
    async with bot.session_factory.begin() as session:
        event = Event(
            kind=EventKind.CLEANUP,
            status=EventStatus.COMPLETED if past else EventStatus.PUBLISHED,
            fallback_language="en",
            venue_name="Beach",
            address="Beach Road",
            latitude=12.93,
            longitude=100.88,
            country="TH",
            city="Pattaya",
            timezone="Asia/Bangkok",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3),
            capacity=50,
            created_at=clock.now,
            updated_at=clock.now,
        )
        event.texts.append(EventText(language="en", title=title, description=""))
        session.add(event)
        await session.flush()
        return event.id


async def register(bot: BotRunner, event_id: int, telegram_id: int, *, attended: bool) -> None:
    user = await account(bot, telegram_id)
    assert user is not None
    async with bot.session_factory.begin() as session:
        event = await session.get(Event, event_id)
        assert event is not None
        moment: datetime = event.starts_at
        session.add(
            Registration(
                event_id=event_id,
                user_id=user.id,
                status=RegistrationStatus.CONFIRMED,
                queued_at=moment,
                created_at=moment,
                updated_at=moment,
                checkin_token=secrets.token_hex(8),
                attended_at=moment + timedelta(minutes=5) if attended else None,
                answers={},
            )
        )


def test_progress_text_shows_bar_counts_and_time_left(bot: BotRunner) -> None:
    t = bot.catalogs.translator("en")
    broadcast = Broadcast(id=7, status=BroadcastStatus.SENDING)
    progress = Progress(
        status=BroadcastStatus.SENDING,
        total=1000,
        sent=400,
        failed=5,
        blocked=45,
        skipped=0,
        pending=550,
    )
    text = progress_text(t, broadcast, progress, "Asia/Bangkok", rate=25)
    assert text.splitlines() == [
        "<b>Broadcast #7</b> – Sending",
        "1,000 recipients",
        "▓▓▓▓░░░░░░ 45%",
        "Sent: 400 · Failed: 5 · Blocked: 45 · Pending: 550",
        "About 22 seconds left",
    ]
    slow = progress_text(t, broadcast, progress, "Asia/Bangkok", rate=1)
    assert slow.endswith("About 10 minutes left")


def test_csv_keeps_names_inert_in_spreadsheets() -> None:
    data = unreached_csv([Unreached(42, "=HYPERLINK(1)", "blocked", "403: Forbidden")])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [
        ["telegram_user_id", "first_name", "outcome", "reason"],
        ["42", "'=HYPERLINK(1)", "blocked", "403: Forbidden"],
    ]
