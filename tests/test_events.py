"""Participants and events through the real bot: browsing, the card, registering (questions,
invite codes, approval, waitlist and seat offers), /my, calendar files and check-in."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar

from accounts.models import ConsentPurpose
from demo.runner import BotRunner
from events import service
from events.models import EventKind, QuestionKind, RegistrationStatus
from events.service import QuestionDraft
from tests.events_setup import (
    APPROVAL,
    INVITE,
    ORGANIZER_ID,
    load_event,
    make_event,
    organizer,
    outbox_keys,
    questions,
    registration_of,
    registrations,
)
from tests.flows import button_with, labels, onboard


async def _person(bot: BotRunner, telegram_id: int, language: str = "en", **kwargs):  # type: ignore[no-untyped-def]
    person = bot.server.user(telegram_id, first_name=f"P{telegram_id}", language_code=language)
    await onboard(bot, person, language=language, **kwargs)
    return person


def _later(bot: BotRunner, **delta: float) -> datetime:
    return bot.clock() + timedelta(**delta)


async def _open(bot: BotRunner, person, event_id: int) -> None:  # type: ignore[no-untyped-def]
    await bot.do(person.send_command("start", f"ev_{event_id}"))


async def test_events_lists_nearby_first_and_filters_and_pages(bot: BotRunner) -> None:
    await make_event(bot, country="VN", city="Da Nang", timezone="Asia/Ho_Chi_Minh")
    for days in (3, 4):
        await make_event(bot, starts_at=_later(bot, days=days), ends_at=_later(bot, days=days + 1))
    await make_event(
        bot,
        kind=EventKind.ROUNDTABLE,
        texts={"en": ("Science–business roundtable", "")},
        starts_at=_later(bot, days=12),
        ends_at=_later(bot, days=13),
    )
    await make_event(bot, publish=False, texts={"en": ("Secret draft", "")})
    for days in range(5, 9):
        await make_event(
            bot,
            country="ID",
            city="Jakarta",
            timezone="Asia/Jakarta",
            starts_at=_later(bot, days=days),
            ends_at=_later(bot, days=days + 1),
        )
    anna = await _person(bot, 3001, country="TH", city="Chonburi")
    await bot.do(anna.send_command("events"))
    listing = anna.last.text
    assert "Secret draft" not in listing
    # Her city first (even the roundtable twelve days away), then the rest by date.
    assert listing.count("Chonburi") == 3 and "Science–business roundtable" in listing
    assert "Jakarta" in listing and "Da Nang" not in listing
    assert "Later ▶" in labels(anna)
    assert len(_event_buttons(anna)) == 5
    await bot.do(anna.press("Later ▶"))
    assert len(_event_buttons(anna)) == 3 and "◀ Earlier" in labels(anna)
    await bot.do(anna.press("Roundtables"))
    assert _event_buttons(anna) == ["1. Science–business roundtable"]
    await bot.do(anna.press("Cleanups"))
    await bot.do(anna.press(button_with(anna, "All countries")))
    await bot.do(anna.press("Vietnam"))
    assert _event_buttons(anna) == ["1. Bang Saen beach cleanup"]
    await bot.do(anna.press(button_with(anna, "🌏")))
    await bot.do(anna.press("All countries"))
    await bot.do(anna.press("🏙 All cities"))
    assert "Which city?" in anna.last.text
    assert labels(anna) == ["All cities", "My city", "Chonburi", "Da Nang", "Jakarta"]
    await bot.do(anna.press("Jakarta"))
    assert len(_event_buttons(anna)) == 4 and "🏙 Jakarta" in labels(anna)
    await bot.do(anna.press("🏙 Jakarta"))
    await bot.do(anna.press("My city"))
    assert len(_event_buttons(anna)) == 2  # the two cleanups in Chonburi (roundtables filtered)
    await bot.do(anna.press("All"))
    assert len(_event_buttons(anna)) == 3
    await bot.do(anna.press("🏙 Chonburi"))
    await bot.do(anna.press("Da Nang"))
    await bot.do(anna.press(button_with(anna, "1.")))
    venue = anna.messages[-2]
    assert venue.venue is not None and venue.venue["title"] == "Bang Saen beach cleanup"
    assert "Register" in labels(anna)


def _event_buttons(person) -> list[str]:  # type: ignore[no-untyped-def]
    return [text for text in labels(person) if text[:1].isdigit()]


async def test_card_is_in_the_readers_language_with_a_stated_fallback(bot: BotRunner) -> None:
    event_id = await make_event(bot)
    somchai = await _person(bot, 3002, "th")
    await _open(bot, somchai, event_id)
    assert "เก็บขยะชายหาดบางแสน" in somchai.last.text
    assert somchai.messages[-2].venue is not None
    lin = await _person(bot, 3003, "zh", country="CN", city="Nanning")
    await _open(bot, lin, event_id)
    card = lin.last.text
    # The note names the language shown in the reader's own: 英语, not English.
    assert "Bang Saen beach cleanup" in card and "英语" in card
    assert "P3002" not in card


async def test_register_confirms_with_a_calendar_file_and_double_taps_count_once(
    bot: BotRunner,
) -> None:
    event_id = await make_event(bot, capacity=5)
    budi = await _person(bot, 3004, "id", country="ID", city="Jakarta")
    await _open(bot, budi, event_id)
    card = budi.last
    register = budi.last.buttons[0][0][0]
    await bot.do(budi.press(register, message=card))
    await bot.do(budi.press(register, message=card))
    rows = await registrations(bot, event_id)
    assert [row.status for row in rows] == [RegistrationStatus.CONFIRMED]
    documents = [m.document for m in budi.messages if m.document is not None]
    assert len(documents) == 1
    calendar = Calendar.from_ical(documents[0].data)
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == "Bang Saen beach cleanup"
    assert (await load_event(bot, event_id)).seats_taken == 1
    t = bot.catalogs.translator("id")
    assert t._("You are already registered for <b>{title}</b>.").split("<b>")[0] in budi.last.text


async def test_concurrent_taps_never_overbook(bot: BotRunner) -> None:
    event_id = await make_event(bot, capacity=3)
    people = [await _person(bot, 3100 + n) for n in range(8)]
    for person in people:
        await _open(bot, person, event_id)
    cards = [person.last for person in people]
    taps = [
        person.press(card.buttons[0][0][0], message=card)
        for person, card in zip(people, cards, strict=True)
        for _ in range(2)
    ]
    updates = await asyncio.gather(*taps)
    for update in updates:
        await bot.settle(update)
    rows = await registrations(bot, event_id)
    statuses = [row.status for row in rows]
    assert len(rows) == 8
    assert statuses.count(RegistrationStatus.CONFIRMED) == 3
    assert statuses.count(RegistrationStatus.WAITLISTED) == 5
    assert (await load_event(bot, event_id)).seats_taken == 3


async def test_questions_and_invite_code(bot: BotRunner) -> None:
    event_id = await make_event(
        bot, registration_mode=INVITE, invite_code="Ocean-2026", questions=questions()
    )
    mai = await _person(bot, 3005, "th")
    await _open(bot, mai, event_id)
    await bot.do(mai.press(mai.last.buttons[0][0][0]))
    await bot.do(mai.send_text("wrong"))
    th = bot.catalogs.translator("th")
    assert th._("That invite code is not right. Please check it and try again.") in mai.last.text
    await bot.do(mai.send_sticker())
    await bot.do(mai.send_text(" ocean-2026 "))
    assert "ขนาดเสื้อ?" in mai.last.text
    await bot.do(mai.send_text("M"))  # typed where a button is expected
    await bot.do(mai.press("M"))
    assert "Any dietary needs?" in mai.last.text
    await bot.do(mai.send_text("x" * 4096))
    await bot.do(mai.send_text("Vegetarian"))
    registration = await registration_of(bot, event_id, 3005)
    assert registration is not None and registration.status == RegistrationStatus.CONFIRMED
    assert sorted(registration.answers.values()) == sorted(["M", "Vegetarian", "ocean-2026"])


async def test_a_fully_answered_draft_registers_on_the_next_text_after_a_restart(
    bot: BotRunner,
) -> None:
    """The draft holds every answer but the conversation still waits for one (the bot went
    down between storing the last answer and registering): the next text registers the
    person. Finishing from there once opened a second transaction inside the open one, which
    froze SQLite's only connection for the pool's 30 s and ended in the apology."""
    diet = QuestionDraft(kind=QuestionKind.TEXT, texts={"en": {"prompt": "Any dietary needs?"}})
    event_id = await make_event(bot, capacity=2, questions=[diet])
    rin = await _person(bot, 3090)
    await _open(bot, rin, event_id)
    await bot.do(rin.press("Register"))
    assert "Any dietary needs?" in rin.last.text
    await bot.stop()
    restarted = BotRunner(bot.server, bot.settings, bot.clock)
    started = await registration_of(restarted, event_id, 3090)
    assert started is not None
    async with restarted.session_factory() as session, session.begin():
        event = await service.find_event(session, event_id)
        draft = await service.find_registration(session, started.id)
        assert event is not None and draft is not None
        assert draft.status == RegistrationStatus.DRAFT
        service.save_answer(draft, event.questions[0], "None", now=bot.clock())
    await restarted.start()
    try:
        mark = rin.mark()
        await restarted.do(rin.send_text("No peanuts, please"))
        replies = [message.text or "" for message in rin.inbox_since(mark)]
    finally:
        await restarted.stop()
    en = bot.catalogs.translator("en")
    assert not any("Sorry, something went wrong" in reply for reply in replies), replies
    assert any(
        en._("Thank you! Your registration for <b>{title}</b> is in.").split("<b>")[0] in reply
        for reply in replies
    ), replies
    registration = await registration_of(restarted, event_id, 3090)
    assert registration is not None and registration.status == RegistrationStatus.CONFIRMED
    assert list(registration.answers.values()) == ["None"]
    assert (await load_event(restarted, event_id)).seats_taken == 1


async def test_approval_pending_then_decided_is_worded_distinctly(bot: BotRunner) -> None:
    event_id = await make_event(bot, registration_mode=APPROVAL, capacity=1)
    await organizer(bot)
    first = await _person(bot, 3006)
    await _open(bot, first, event_id)
    await bot.do(first.press("Register"))
    en = bot.catalogs.translator("en")
    assert en._("⏳ Pending approval: an organizer will decide and I will tell you.") in (
        first.last.text
    )
    keys = await outbox_keys(bot)
    assert any(key.startswith("notice:approval:") for key in keys)
    await bot.do(first.send_command("my"))
    assert "Pending approval" in first.last.text
    assert "waitlist" not in first.last.text


async def test_waitlist_offer_accept_and_expiry(bot: BotRunner) -> None:
    event_id = await make_event(bot, capacity=1, offer_hours=12)
    holder, second, third = [await _person(bot, 3010 + n) for n in range(3)]
    for person in (holder, second, third):
        await _open(bot, person, event_id)
        await bot.do(person.press("Register"))
    en = bot.catalogs.translator("en")
    waiting = en._("🕒 On the waitlist, place {place}: I will offer you a seat if one frees up.")
    assert waiting.format(place=1) in second.last.text
    await bot.do(holder.send_command("my"))
    await bot.do(holder.press(button_with(holder, "1.")))
    await bot.do(holder.press("Cancel my registration"))
    await bot.do(holder.press("Yes, cancel it"))
    assert holder.last.document is not None  # the withdrawn calendar entry
    withdrawn = Calendar.from_ical(holder.last.document.data)
    assert str(withdrawn["method"]) == "PUBLISH"
    assert [str(vevent["status"]) for vevent in withdrawn.walk("VEVENT")] == ["CANCELLED"]
    await bot.deliver_due()
    offer = second.last
    assert "A seat has freed up" in offer.text and "Accept the seat" in labels(second)
    bot.clock.advance(hours=13)
    await bot.deliver_due()
    assert (await registration_of(bot, event_id, 3011)).status == RegistrationStatus.CANCELLED
    assert "has expired" in second.last.text
    assert "A seat has freed up" in third.last.text
    await bot.do(second.press("Accept the seat", message=offer))
    assert "expired" in second.last.text
    offer = third.last
    [accept] = [data for row in offer.buttons for text, data in row if text == "Accept the seat"]
    assert accept is not None
    first, second = third.press_data(accept, message=offer), third.press_data(accept, message=offer)
    for update in await asyncio.gather(first, second):
        await bot.settle(update)
    assert (await registration_of(bot, event_id, 3012)).status == RegistrationStatus.CONFIRMED
    assert len([m for m in third.messages if m.document is not None]) == 1
    event = await load_event(bot, event_id)
    assert event.seats_taken == 1


async def test_refusals_for_deadline_cancelled_and_started_events(bot: BotRunner) -> None:
    closed = await make_event(bot, registration_deadline=bot.clock() - timedelta(hours=1))
    open_event = await make_event(bot)
    tan = await _person(bot, 3020)
    await _open(bot, tan, closed)
    assert "Register" not in labels(tan)
    await _open(bot, tan, open_event)
    card = tan.last
    async with bot.session_factory() as session, session.begin():
        event = await service.find_event(session, open_event)
        assert event is not None
        await service.cancel_event(session, event, now=bot.clock())
    await bot.do(tan.press("Register", message=card))
    assert "This event has been cancelled." in tan.last.text
    await _open(bot, tan, 999999)
    assert "I can't find that event" in tan.last.text
    assert await registrations(bot, open_event) == []


async def test_check_in_by_code_only_for_that_events_organizers(bot: BotRunner) -> None:
    event_id = await make_event(bot)
    await organizer(bot)
    guest = await _person(bot, 3030)
    await _open(bot, guest, event_id)
    await bot.do(guest.press("Register"))
    await bot.do(guest.send_command("my"))
    await bot.do(guest.press(button_with(guest, "1.")))
    await bot.do(guest.press("Check-in code"))
    assert guest.last.photo is not None and guest.last.photo.startswith(b"\x89PNG")
    registration = await registration_of(bot, event_id, 3030)
    assert registration is not None
    payload = f"ci_{registration.checkin_token}"
    await bot.do(guest.send_command("start", payload))
    assert "your own check-in code" in guest.last.text
    stranger = await _person(bot, 3031)
    await bot.do(stranger.send_command("start", payload))
    assert "only be used by the organizers" in stranger.last.text
    staff = bot.server.user(ORGANIZER_ID, first_name="Organizer", language_code="en")
    bot.clock.advance(days=10)  # the event day
    await bot.do(staff.send_command("start", payload))
    assert "is checked in" in staff.last.text
    await bot.do(staff.send_command("start", payload))
    assert "already checked in" in staff.last.text
    attended = await registration_of(bot, event_id, 3030)
    assert attended is not None and attended.attended_at is not None


async def test_self_check_in_by_live_location_near_the_venue(bot: BotRunner) -> None:
    event_id = await make_event(bot, self_checkin_radius_m=300)
    walker = await _person(
        bot, 3040, consents=(ConsentPurpose.EVENT_LOGISTICS, ConsentPurpose.PHOTOS_LOCATION)
    )
    await _open(bot, walker, event_id)
    await bot.do(walker.press("Register"))
    await bot.do(walker.send_location(13.2830, 100.9150, live_period=900))
    assert "only possible while the event is on" in walker.last.text
    event = await load_event(bot, event_id)
    bot.clock.now = event.starts_at + timedelta(minutes=10)
    await bot.do(walker.send_location(13.30, 100.95, live_period=900))
    assert "too far" in walker.last.text
    await bot.do(walker.send_location(13.2831, 100.9151))
    assert "live" in walker.last.text
    await bot.do(walker.send_location(13.2831, 100.9151, live_period=900))
    assert "You are checked in" in walker.last.text


async def test_reminders_still_coming_and_cant_come_frees_the_seat(bot: BotRunner) -> None:
    event_id = await make_event(bot, capacity=1)
    goer, waiting = await _person(bot, 3050), await _person(bot, 3051)
    for person in (goer, waiting):
        await _open(bot, person, event_id)
        await bot.do(person.press("Register"))
    keys = await outbox_keys(bot)
    registration = await registration_of(bot, event_id, 3050)
    assert registration is not None
    prefix = f"reminder:event:{event_id}:user:{registration.user_id}:"
    assert {prefix + "day-before", prefix + "same-day"} <= set(keys)
    event = await load_event(bot, event_id)
    bot.clock.now = event.starts_at - timedelta(hours=23)  # 09:00 in Bangkok: not quiet hours
    await bot.deliver_due()
    assert "Are you still coming?" in goer.last.text
    await bot.do(goer.press("I can't come"))
    await bot.deliver_due()
    assert "A seat has freed up" in waiting.last.text
    keys = await outbox_keys(bot)
    assert keys[prefix + "same-day"].status == "skipped"


def _plain(html: str) -> str:
    return html.replace("<b>", "").replace("</b>", "")


def _reminders(bot: BotRunner, person: Any, since: int, language: str = "en") -> list[str]:
    """The day-before reminders ("Are you still coming?") the person got since ``since``."""
    t = bot.catalogs.translator(language)
    question = t._("Are you still coming? If not, your seat can go to someone waiting.")
    return [m.text for m in person.inbox_since(since) if question in (m.text or "")]


async def test_a_day_before_reminder_names_the_day_it_arrives_on(bot: BotRunner) -> None:
    # The clock starts on 2026-11-25. Bangkok (UTC+7): the beach cleanup on Saturday
    # 5 December at 11:00, the evening cleanup on Sunday 6 December at 18:00.
    beach = await make_event(
        bot,
        starts_at=datetime(2026, 12, 5, 4, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 5, 7, 0, tzinfo=UTC),
    )
    evening = await make_event(
        bot,
        texts={"en": ("Evening cleanup", "Torches provided."), "th": ("เก็บขยะยามเย็น", "มีไฟฉาย")},
        starts_at=datetime(2026, 12, 6, 11, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 6, 13, 0, tzinfo=UTC),
    )
    ana, lek = await _person(bot, 3055), await _person(bot, 3056, "th")
    th = bot.catalogs.translator("th")
    for event_id in (beach, evening):
        for person, t in ((ana, bot.catalogs.translator("en")), (lek, th)):
            await _open(bot, person, event_id)
            await bot.do(person.press(t._("Register")))

    # On time: Friday 4 December, 11:00 in Bangkok, the day before the beach cleanup.
    marks = {person.id: person.mark() for person in (ana, lek)}
    bot.clock.now = datetime(2026, 12, 4, 4, 0, tzinfo=UTC)
    await bot.deliver_due()
    [on_time] = _reminders(bot, ana, marks[ana.id])
    assert on_time.startswith("Tomorrow: Bang Saen beach cleanup\n")
    [on_time] = _reminders(bot, lek, marks[lek.id], "th")
    tomorrow = th._("Tomorrow: <b>{title}</b>").format(title="เก็บขยะชายหาดบางแสน")
    assert on_time.startswith(_plain(tomorrow) + "\n")

    # The bot was down from before the evening cleanup's reminder fell due (Saturday 18:00)
    # until Sunday 09:30 in Bangkok: on the day itself the reminder says "Today".
    marks = {person.id: person.mark() for person in (ana, lek)}
    bot.clock.now = datetime(2026, 12, 6, 2, 30, tzinfo=UTC)
    await bot.deliver_due()
    [late] = _reminders(bot, ana, marks[ana.id])
    assert late.startswith("Today: Evening cleanup\n")
    assert "Tomorrow" not in late
    [late] = _reminders(bot, lek, marks[lek.id], "th")
    today = th._("Today: <b>{title}</b>").format(title="เก็บขยะยามเย็น")
    assert late.startswith(_plain(today) + "\n")


async def test_a_day_before_reminder_across_a_clock_change_names_the_date(bot: BotRunner) -> None:
    # Sydney's clocks go forward on Sunday 3 October 2027: 24 hours before a cleanup at 00:30 on
    # Monday 4 October (AEDT, UTC+11) it is 23:30 on Saturday 2 October (AEST, UTC+10).
    event_id = await make_event(
        bot,
        country="AU",
        city="Sydney",
        timezone="Australia/Sydney",
        starts_at=datetime(2027, 10, 3, 13, 30, tzinfo=UTC),
        ends_at=datetime(2027, 10, 3, 16, 30, tzinfo=UTC),
    )
    ana = await _person(bot, 3057)
    await _open(bot, ana, event_id)
    await bot.do(ana.press("Register"))
    mark = ana.mark()
    # 20:30 in Bangkok, where Ana lives: not her quiet hours.
    bot.clock.now = datetime(2027, 10, 2, 13, 30, tzinfo=UTC)
    await bot.deliver_due()
    [reminder] = _reminders(bot, ana, mark)
    assert reminder.startswith("On October 4, 2027: Bang Saen beach cleanup\n")


async def test_participants_get_an_impact_summary_the_day_after_a_cleanup(bot: BotRunner) -> None:
    event_id = await make_event(bot)
    reporter, helper = await _person(bot, 3060), await _person(bot, 3061, "th")
    for person, language in ((reporter, "en"), (helper, "th")):
        await _open(bot, person, event_id)
        await bot.do(person.press(bot.catalogs.translator(language)._("Register")))
    event = await load_event(bot, event_id)
    bot.clock.now = event.ends_at
    await bot.do(reporter.send_command("report"))
    for figure in ("3", "12", "2", "500"):
        await bot.do(reporter.send_text(figure))
    await bot.do(reporter.press("Continue without tally"))
    await bot.do(reporter.press("Submit"))
    await bot.deliver_due()
    marks = {person.id: person.mark() for person in (reporter, helper)}
    bot.clock.now = event.ends_at + timedelta(hours=25)  # 09:00 next day in Bangkok
    await bot.deliver_due()
    th = bot.catalogs.translator("th")
    [summary] = helper.inbox_since(marks[helper.id])
    assert th._("<b>Your cleanup impact</b>").replace("<b>", "").replace("</b>", "") in summary.text
    assert "12" in summary.text and th._("You took part: thank you!") in summary.text
    assert len(reporter.inbox_since(marks[reporter.id])) == 1


async def test_an_event_link_opened_before_set_up_shows_the_event_after_it(bot: BotRunner) -> None:
    event_id = await make_event(bot)
    lek = bot.server.user(3070, first_name="Lek", language_code="th")
    await bot.do(lek.send_command("start", f"ev_{event_id}"))
    th = bot.catalogs.translator("th")
    first = th._("First, let's set you up: it takes a minute. Then I will show you the event.")
    assert any(first in (message.text or "") for message in lek.messages)
    await onboard(bot, lek, language="th")
    assert lek.messages[-2].venue is not None
    assert "เก็บขยะชายหาดบางแสน" in lek.last.text and th._("Register") in labels(lek)
    await bot.do(lek.send_command("start"))
    assert lek.messages[-2].venue is None, "the link is opened once, not at every /start"


async def test_mydata_holds_registrations_and_deleteme_frees_the_seat(bot: BotRunner) -> None:
    event_id = await make_event(bot, capacity=1, questions=questions())
    leaving, waiting = await _person(bot, 3080), await _person(bot, 3081)
    for person in (leaving, waiting):
        await _open(bot, person, event_id)
        await bot.do(person.press("Register"))
        await bot.do(person.press("L"))
        await bot.do(person.send_text("No peanuts, please"))
    await bot.do(leaving.send_command("mydata"))
    assert leaving.last.document is not None
    exported = json.loads(leaving.last.document.data)
    [registration] = exported["registrations"]
    assert registration["event"] == "Bang Saen beach cleanup"
    assert registration["status"] == "confirmed"
    assert registration["event_status"] == "published"
    assert list(registration["answers"].values()) == [
        {"prompt": "T-shirt size?", "answer": "L"},
        {"prompt": "Any dietary needs?", "answer": "No peanuts, please"},
    ]
    token = (await registration_of(bot, event_id, 3080)).checkin_token

    await bot.do(leaving.send_command("deleteme"))
    await bot.do(leaving.press("Yes, delete my data"))
    await bot.do(leaving.press("Delete everything now"))
    await bot.deliver_due()
    assert "A seat has freed up" in waiting.last.text
    [gone] = [row for row in await registrations(bot, event_id) if row.answers == {}]
    assert gone.status == RegistrationStatus.CANCELLED and gone.checkin_token != token
    assert (await load_event(bot, event_id)).seats_taken == 1  # now held by the offer


async def test_mydata_keys_answers_by_question_and_tells_the_events_status(bot: BotRunner) -> None:
    twins = [
        QuestionDraft(kind=QuestionKind.TEXT, texts={"en": {"prompt": "Your group?"}})
        for _ in range(2)
    ]
    event_id = await make_event(bot, registration_mode=INVITE, invite_code="reef", questions=twins)
    siti = await _person(bot, 3082)
    await _open(bot, siti, event_id)
    await bot.do(siti.press("Register"))
    await bot.do(siti.send_text("reef"))
    await bot.do(siti.send_text("Ocean Friends"))
    await bot.do(siti.send_text("Beach Rangers"))
    async with bot.session_factory() as session, session.begin():
        event = await service.find_event(session, event_id)
        assert event is not None
        question_ids = [str(question.id) for question in event.questions]
        await service.cancel_event(session, event, now=bot.clock())
    await bot.do(siti.send_command("mydata"))
    assert siti.last.document is not None
    [registration] = json.loads(siti.last.document.data)["registrations"]

    assert (registration["status"], registration["event_status"]) == ("confirmed", "cancelled")
    assert registration["answers"] == {
        question_ids[0]: {"prompt": "Your group?", "answer": "Ocean Friends"},
        question_ids[1]: {"prompt": "Your group?", "answer": "Beach Rangers"},
    }
    assert registration["invite_code"] == "reef"


def _vevent(document) -> Any:  # type: ignore[no-untyped-def]
    assert document is not None
    [vevent] = Calendar.from_ical(document.data).walk("VEVENT")
    return vevent


async def test_registering_again_after_withdrawing_restores_the_calendar_entry(
    bot: BotRunner,
) -> None:
    event_id = await make_event(bot, capacity=5)
    kim = await _person(bot, 3020)
    await _open(bot, kim, event_id)
    await bot.do(kim.press("Register"))
    confirmation = kim.last.document
    bot.clock.advance(hours=1)
    await bot.do(kim.send_command("my"))
    await bot.do(kim.press(button_with(kim, "1.")))
    await bot.do(kim.press("Cancel my registration"))
    await bot.do(kim.press("Yes, cancel it"))
    withdrawal = kim.last.document
    bot.clock.advance(hours=1)
    registered_again = bot.clock()
    await _open(bot, kim, event_id)
    await bot.do(kim.press("Register"))
    restored = kim.last.document
    files = [_vevent(document) for document in (confirmation, withdrawal, restored)]

    assert [str(vevent["status"]) for vevent in files] == ["CONFIRMED", "CANCELLED", "CONFIRMED"]
    assert len({str(vevent["uid"]) for vevent in files}) == 1
    # A calendar app applies a file only when its SEQUENCE is higher than the entry it holds.
    sequences = [int(vevent["sequence"]) for vevent in files]
    assert sequences == sorted(set(sequences))
    registration = await registration_of(bot, event_id, 3020)
    assert registration is not None and registration.status == RegistrationStatus.CONFIRMED
    assert registration.created_at == registered_again


async def test_abandoning_a_new_attempt_keeps_the_calendar_history(bot: BotRunner) -> None:
    event_id = await make_event(bot, capacity=5, questions=questions())
    lan = await _person(bot, 3021)
    await _open(bot, lan, event_id)
    await bot.do(lan.press("Register"))
    await bot.do(lan.press("M"))
    await bot.do(lan.send_text("None"))
    confirmation = _vevent(lan.last.document)
    await bot.do(lan.send_command("my"))
    await bot.do(lan.press(button_with(lan, "1.")))
    await bot.do(lan.press("Cancel my registration"))
    await bot.do(lan.press("Yes, cancel it"))
    withdrawal = _vevent(lan.last.document)
    # She starts again, thinks better of it, and later registers after all.
    await _open(bot, lan, event_id)
    await bot.do(lan.press("Register"))
    await bot.do(lan.send_command("cancel"))
    await _open(bot, lan, event_id)
    await bot.do(lan.press("Register"))
    await bot.do(lan.press("L"))
    await bot.do(lan.send_text("None"))
    restored = _vevent(lan.last.document)

    assert str(restored["status"]) == "CONFIRMED"
    assert confirmation["sequence"] < withdrawal["sequence"] < restored["sequence"]


async def test_the_cards_date_and_times_are_glued_as_each_language_glues_them(
    bot: BotRunner,
) -> None:
    event_id = await make_event(bot)
    lin = await _person(bot, 3004, "zh", country="CN", city="Nanning")
    await _open(bot, lin, event_id)
    assert "🗓 2026年12月5日星期六 GMT+07:00 08:00–11:00\n" in lin.last.text
    lan = await _person(bot, 3005, "vi", country="VN", city="Da Nang")
    await _open(bot, lan, event_id)
    assert "🗓 08:00–11:00 GMT+07:00 Thứ Bảy, 5 tháng 12, 2026\n" in lan.last.text
    ana = await _person(bot, 3006)
    await _open(bot, ana, event_id)
    assert "🗓 Saturday, December 5, 2026, 8:00\u2009–\u200911:00\u202fAM GMT+07:00\n" in (
        ana.last.text
    )


async def test_a_thai_reader_reads_the_year_in_the_buddhist_era(bot: BotRunner) -> None:
    event_id = await make_event(bot, capacity=1, offer_hours=12)
    somsak = await _person(bot, 3007, "th")
    await _open(bot, somsak, event_id)
    assert "🗓 วันเสาร์ที่ 5 ธันวาคม พ.ศ. 2569 8:00 น. – 11:00 น. GMT+07:00\n" in somsak.last.text
    assert "2026" not in somsak.last.text
