"""Check-in on the beach, through the real bot: the reminder on the day carries the person's
check-in code and, where the event allows it, says how to check in by live location; the person
whose code an organizer scans hears that they are checked in."""

from datetime import timedelta

from accounts.models import ConsentPurpose
from demo.runner import BotRunner
from events.checkin_code import checkin_qr_png
from handlers.events.checkin import CHECKIN_LINK
from tests.events_setup import ORGANIZER_ID, load_event, make_event, organizer, registration_of
from tests.flows import onboard


async def _registered(bot: BotRunner, telegram_id: int, event_id: int, **kwargs):  # type: ignore[no-untyped-def]
    person = bot.server.user(telegram_id, first_name=f"P{telegram_id}", language_code="en")
    await onboard(bot, person, **kwargs)
    await bot.do(person.send_command("start", f"ev_{event_id}"))
    await bot.do(person.press("Register"))
    return person


async def _same_day_reminder(bot: BotRunner, event_id: int, person):  # type: ignore[no-untyped-def]
    event = await load_event(bot, event_id)
    mark = person.mark()
    bot.clock.now = event.starts_at - timedelta(minutes=event.reminder_minutes_before)
    await bot.deliver_due()
    return person.inbox_since(mark)


async def test_the_reminder_on_the_day_carries_the_check_in_code(bot: BotRunner) -> None:
    event_id = await make_event(bot)
    goer = await _registered(bot, 3500, event_id)
    registration = await registration_of(bot, event_id, 3500)
    assert registration is not None
    reminder = await _same_day_reminder(bot, event_id, goer)
    [text] = [message.text for message in reminder if message.text and "Soon" in message.text]
    assert "/my" not in text and "live" not in text
    [photo] = [message for message in reminder if message.photo is not None]
    link = CHECKIN_LINK.url(bot.application.bot.username, registration.checkin_token)
    assert photo.photo == checkin_qr_png(link)
    assert "Your check-in code for Bang Saen beach cleanup" in photo.text
    assert any(message.document is not None for message in reminder)  # the calendar file


async def test_the_reminder_tells_how_to_check_in_by_live_location(bot: BotRunner) -> None:
    event_id = await make_event(bot, self_checkin_radius_m=300)
    allowed = await _registered(
        bot,
        3510,
        event_id,
        consents=(ConsentPurpose.EVENT_LOGISTICS, ConsentPurpose.PHOTOS_LOCATION),
    )
    not_allowed = await _registered(bot, 3511, event_id)
    event = await load_event(bot, event_id)
    marks = {person.id: person.mark() for person in (allowed, not_allowed)}
    bot.clock.now = event.starts_at - timedelta(minutes=event.reminder_minutes_before)
    await bot.deliver_due()
    texts = {
        person.id: " ".join(m.text or "" for m in person.inbox_since(marks[person.id]))
        for person in (allowed, not_allowed)
    }
    hint = "from 30 minutes before the start, share your live location within 300 m"
    assert hint in texts[allowed.id] and "/privacy" not in texts[allowed.id]
    assert hint in texts[not_allowed.id] and "/privacy" in texts[not_allowed.id]


async def test_the_person_scanned_hears_they_are_checked_in(bot: BotRunner) -> None:
    event_id = await make_event(bot)
    await organizer(bot)
    guest = await _registered(bot, 3520, event_id)
    registration = await registration_of(bot, event_id, 3520)
    assert registration is not None
    staff = bot.server.user(ORGANIZER_ID, first_name="Organizer", language_code="en")
    bot.clock.advance(days=10)  # the event day
    mark = guest.mark()
    await bot.do(staff.send_command("start", f"ci_{registration.checkin_token}"))
    assert "is checked in" in staff.last.text
    await bot.deliver_due()
    [told] = guest.inbox_since(mark)
    assert "You are checked in to Bang Saen beach cleanup" in told.text
    await bot.do(staff.send_command("start", f"ci_{registration.checkin_token}"))
    assert "already checked in" in staff.last.text
    await bot.deliver_due()
    assert len(guest.inbox_since(mark)) == 1  # a second scan tells nobody again
