"""Organizers reach their registrants and keep managing published events, through the sandbox:
the event's link and Share button, messages to registrants, changes after publishing (deadlines,
reminder, registration mode, questions, co-organizers) announced saying what changed, Duplicate
event, and declining a request with a reason."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select

from delivery.models import OutboxMessage
from demo.runner import BotRunner
from events.models import Event, EventStatus, Registration, RegistrationMode, RegistrationStatus
from events.notices import Kind
from tests.flows import button_with, labels
from tests.organize_flows import (
    add_co_organizer,
    load_event,
    make_organizer,
    make_participant,
    register_person,
    stored_event,
    user_id,
)


def _url_of(person, label: str) -> str:  # type: ignore[no-untyped-def]
    """The URL (or callback data) of the button ``label`` on the person's last message."""
    return next(url for row in person.last.buttons for text, url in row if text == label)


async def _statuses(bot: BotRunner, event_id: int) -> dict[int, RegistrationStatus]:
    async with bot.session_factory() as session:
        rows = await session.scalars(select(Registration).where(Registration.event_id == event_id))
        return {row.user_id: RegistrationStatus(row.status) for row in rows}


async def _outbox(bot: BotRunner, kind: str) -> list[OutboxMessage]:
    async with bot.session_factory() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == kind)
        return list(await session.scalars(query.order_by(OutboxMessage.id)))


async def test_publishing_shows_the_link_and_a_share_button(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 6001, "Ana")
    event_id = await stored_event(bot, 6001, title="Bang Saen cleanup", publish=False)
    await bot.do(ana.send_command("organize"))
    await bot.do(ana.press(labels(ana)[1]))
    assert "📤 Share" not in labels(ana), "a draft has no link yet"
    await bot.do(ana.press("Publish"))

    link = f"https://t.me/{bot.server.state.bot.username}?start=ev_{event_id}"
    assert "Published" in ana.last.text and link in ana.last.text
    share = urlparse(_url_of(ana, "📤 Share"))
    assert (share.netloc, share.path) == ("t.me", "/share/url")
    query = parse_qs(share.query)
    assert query["url"] == [link]
    assert query["text"][0].startswith("Bang Saen cleanup · ")
    # The link opens the event for whoever taps it.
    mai = await make_participant(bot, 6101, "Mai")
    await bot.do(mai.send_command("start", f"ev_{event_id}"))
    assert "Bang Saen cleanup" in " ".join(message.text or "" for message in mai.messages[-3:])


async def test_a_message_to_registrants_needs_no_news_consent(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 6002, "Ana")
    event_id = await stored_event(bot, 6002, capacity=2)
    # Set up with the event-logistics consent only (registering needs it), none to news.
    people = [await make_participant(bot, 6110 + number, f"Guest {number}") for number in range(4)]
    for person in people:
        await register_person(bot, event_id, person.id)
    seated, blocker, waiting, _ = people  # two seats: Guest 2 and Guest 3 wait
    await bot.settle(blocker.block())

    await bot.do(ana.send_command("organize"))
    await bot.do(ana.press(labels(ana)[1]))
    await bot.do(ana.press("✉️ Message registrants"))
    # People who blocked the bot are not counted: they will not be written to.
    assert "Confirmed only (1)" in labels(ana) and "Everyone registered (3)" in labels(ana)
    await bot.do(ana.press("Everyone registered (3)"))
    assert "3 people" in ana.last.text and "whether or not they subscribed" in ana.last.text
    await bot.do(ana.send_text("Meet at gate 3 at 7:30 & bring a hat."))
    assert "This goes to 3 people now" in ana.last.text
    assert "Meet at gate 3 at 7:30 & bring a hat." in ana.last.text
    preview, send = ana.last, _url_of(ana, "Send")
    await bot.do(ana.press("Send"))
    assert "Your message is on its way to 3 people." in ana.last.text
    await bot.do(ana.press_data(send, preview))  # a second tap on the preview sends nothing

    await bot.deliver_due()
    for person in (seated, waiting, people[3]):
        assert person.last.text is not None
        assert "From the organizers of Mangrove roundtable:" in person.last.text
        assert "Meet at gate 3 at 7:30 & bring a hat." in person.last.text
    assert not any("gate 3" in (message.text or "") for message in blocker.messages)
    rows = await _outbox(bot, Kind.LOGISTICS)
    assert len(rows) == 3 and all(row.urgent for row in rows)

    # Confirmed only: the people waiting do not get it.
    await bot.do(ana.press("✉️ Message registrants"))
    await bot.do(ana.press("Confirmed only (1)"))
    await bot.do(ana.send_text("Parking is behind the temple."))
    await bot.do(ana.press("Send"))
    await bot.deliver_due()
    assert "Parking is behind the temple." in (seated.last.text or "")
    assert "Parking" not in (waiting.last.text or "")


async def test_a_published_event_can_still_be_managed(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 6003, "Ana")
    await make_organizer(bot, 6004, "Ko", username="ko_chonburi")
    event_id = await stored_event(bot, 6003, capacity=1, mode=RegistrationMode.APPROVAL)
    guest = await make_participant(bot, 6120, "Guest")
    waiting = await make_participant(bot, 6121, "Late")
    await register_person(bot, event_id, guest.id)
    await register_person(bot, event_id, waiting.id)
    await bot.do(ana.send_command("organize"))
    await bot.do(ana.press(labels(ana)[1]))

    # Switching approval off accepts the waiting requests in order: a seat, then the waitlist.
    await bot.do(ana.press("Edit"))
    await bot.do(ana.press("How people register"))
    assert "Nobody already registered loses their place." in ana.last.text
    await bot.do(ana.press("Anyone can register"))
    assert "The 2 requests waiting for your approval were accepted" in ana.last.text
    statuses = await _statuses(bot, event_id)
    assert statuses[await user_id(bot, guest.id)] == RegistrationStatus.CONFIRMED
    assert statuses[await user_id(bot, waiting.id)] == RegistrationStatus.WAITLISTED
    await bot.do(ana.press("Edit"))
    await bot.do(ana.press("How people register"))
    await bot.do(ana.press("With an invite code"))
    await bot.do(ana.send_text("MANGROVE"))
    assert "only new registrations change" in ana.last.text
    event = await load_event(bot, event_id)
    assert (event.registration_mode, event.invite_code) == ("invite_code", "MANGROVE")
    assert (await _statuses(bot, event_id))[await user_id(bot, guest.id)] == "confirmed"

    # The reminder moves for everyone confirmed; nobody is told.
    await bot.do(ana.press("Edit"))
    await bot.do(ana.press("Reminder time"))
    await bot.do(ana.send_text("60"))
    assert "Saved." in ana.last.text
    (same_day,) = [row for row in await _outbox(bot, Kind.SAME_DAY) if row.status == "pending"]
    assert same_day.due_at == event.starts_at - timedelta(minutes=60)

    # A question added after publishing; the answers already given stay.
    await bot.do(ana.press("Edit"))
    await bot.do(ana.press("Add a question"))
    await bot.do(ana.press("Free text"))
    await bot.do(ana.send_text("Any dietary needs?"))
    await bot.do(ana.press("Done"))
    assert "Cancel event" in labels(ana), "back on the card"
    assert len((await load_event(bot, event_id)).questions) == 1

    # Co-organizers: added and removed after publishing.
    await bot.do(ana.press("Edit"))
    await bot.do(ana.press("Co-organizers"))
    assert "Nobody organizes this event with you yet." in ana.last.text
    await bot.do(ana.press("Add co-organizer"))
    await bot.do(ana.send_text("@ko_chonburi"))
    assert "Ko (@ko_chonburi) now organizes this event with you." in ana.last.text
    await bot.do(ana.press("Edit"))
    await bot.do(ana.press("Co-organizers"))
    await bot.do(ana.press("Remove Ko (@ko_chonburi)"))
    assert "Ko (@ko_chonburi) no longer organizes this event." in ana.last.text
    assert len((await load_event(bot, event_id)).organizers) == 1

    # Deadlines: the registration deadline is nobody else's business; a cancellation deadline,
    # a new time and a new venue are, and one notice says all of what changed.
    await bot.do(ana.press("« Back"))  # to the Edit menu
    await bot.do(ana.press("Registration deadline"))
    await bot.do(ana.send_text("2026-12-03 18:00"))
    await bot.do(ana.press("Edit"))
    await bot.do(ana.press("Cancellation deadline"))
    await bot.do(ana.send_text("2026-12-04 12:00"))
    assert "Everyone registered will hear about the change" in ana.last.text
    await bot.do(ana.press("Edit"))
    await bot.do(ana.press("Date and time"))
    await bot.do(ana.send_text("2026-12-06 08:00"))
    await bot.do(ana.send_text("11:00"))
    event = await load_event(bot, event_id)
    assert event.cancellation_deadline == datetime(2026, 12, 4, 5, 0, tzinfo=UTC)
    assert event.registration_deadline == datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
    await bot.deliver_due()
    notices = [
        message.text or "" for message in guest.messages if "has changed" in (message.text or "")
    ]
    assert len(notices) == 1, "the deadline's notice was superseded by the new time's"
    (notice,) = notices
    assert "New date and time: " in notice and "6, 2026" in notice
    assert "You can now cancel until " in notice and "4, 2026" in notice
    assert "New venue" not in notice
    assert "Mangrove roundtable" in notice


async def test_duplicate_event_makes_a_draft_for_the_next_date(bot: BotRunner, clock) -> None:  # type: ignore[no-untyped-def]
    ana = await make_organizer(bot, 6005, "Ana")
    await make_organizer(bot, 6006, "Ko")
    event_id = await stored_event(bot, 6005, title="Bang Saen cleanup", capacity=30)
    await add_co_organizer(bot, event_id, 6006)
    await make_participant(bot, 6130, "Guest")
    await register_person(bot, event_id, 6130)
    clock.advance(days=12)  # the cleanup is over

    await bot.do(ana.send_command("organize"))
    await bot.do(ana.press(button_with(ana, "Bang Saen cleanup")))
    await bot.do(ana.press("Duplicate event"))
    assert "Copied “Bang Saen cleanup” as a new draft" in ana.last.text
    assert "When does it start?" in ana.last.text
    await bot.do(ana.send_text("2026-12-19 08:00"))
    await bot.do(ana.send_text("11:30"))
    assert "Almost done" in ana.last.text
    await bot.do(ana.press("✅ Publish"))
    assert "Published" in ana.last.text

    async with bot.session_factory() as session:
        copy = await session.scalar(select(Event).order_by(Event.id.desc()).limit(1))
        assert copy is not None and copy.id != event_id
        count = await session.scalar(
            select(Registration.id).where(Registration.event_id == copy.id).limit(1)
        )
        original = await session.get(Event, event_id)
        assert original is not None
        assert copy.status == EventStatus.PUBLISHED and count is None
        assert [text.title for text in copy.texts] == ["Bang Saen cleanup"]
        assert (copy.venue_name, copy.capacity, copy.seats_taken) == ("City Hall", 30, 0)
        assert len(copy.organizers) == 2
        assert copy.starts_at == datetime(2026, 12, 19, 1, 0, tzinfo=UTC)
        assert copy.calendar_uid != original.calendar_uid


async def test_reject_asks_first_and_the_person_reads_the_reason(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 6007, "Ana")
    event_id = await stored_event(bot, 6007, mode=RegistrationMode.APPROVAL)
    mai = await make_participant(bot, 6140, "Mai")
    await register_person(bot, event_id, mai.id)
    await bot.deliver_due()
    request = ana.last
    assert "Mai" in (request.text or "") and "asks to join" in (request.text or "")

    await bot.do(ana.press("Reject", request))
    assert "Reject the request of Mai" in ana.last.text
    await bot.do(ana.press("« Back"))
    assert "Pending approvals" in ana.last.text and "Mai – pending approval" in ana.last.text
    await bot.do(ana.press("Reject"))
    await bot.do(ana.press("Reject and say why"))
    assert "Mai reads it" in ana.last.text
    await bot.do(ana.send_text("Sorry, this one is for <partners> only."))
    assert "Not approved: Mai has been told, with your reason." in ana.last.text

    await bot.deliver_due()
    assert mai.last.text is not None
    assert "was not approved" in mai.last.text
    assert "The organizers wrote: Sorry, this one is for <partners> only." in mai.last.text
    assert (await _statuses(bot, event_id))[await user_id(bot, mai.id)] == "rejected"
