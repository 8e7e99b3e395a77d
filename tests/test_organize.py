"""Organizer tools in the chat: the new event wizard, the event list and card, registrations,
approvals, attendance, exports, edits and cancelling, with role checks on every button."""

import csv
import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from delivery.models import OutboxMessage
from demo.runner import BotRunner
from events.models import (
    EventStatus,
    QuestionKind,
    Registration,
    RegistrationMode,
    RegistrationStatus,
)
from handlers.kit import actions as shared_actions
from handlers.organize import flow as organize
from tests.conftest import ADMIN_ID
from tests.flows import button_with, labels, onboard, settle_city
from tests.organize_flows import (
    add_co_organizer,
    answer_wizard,
    load_event,
    make_organizer,
    make_participant,
    newest_event,
    register_person,
    stored_event,
    user_id,
)


def _signed(bot: BotRunner, person, action: str, *args: object) -> str:  # type: ignore[no-untyped-def]
    """A button's data as the bot signs it for ``person`` (an old message's button)."""
    return str(bot.application.bot_data["services"].codec.encode(person.id, action, *args))


def _alerts(person) -> list[str]:  # type: ignore[no-untyped-def]
    return [answer.get("text", "") for answer in person.callback_answers]


async def test_wizard_creates_a_published_event_in_the_local_zone(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 5001, "Ana")
    await make_organizer(bot, 5002, "Ko", username="ko_yangon")
    await answer_wizard(bot, ana, mode_label="I approve each person")
    assert "Almost done" in ana.last.text
    assert "Yangon river cleanup" in ana.last.text

    # Summary options: another language, a choice question in two languages, deadlines,
    # reminder, self check-in and a co-organizer.
    await bot.do(ana.press("Add another language"))
    await bot.do(ana.press("ไทย"))
    await bot.do(ana.send_text("เก็บขยะริมแม่น้ำย่างกุ้ง"))
    await bot.do(ana.press("Skip"))
    assert "Added Thai" in ana.last.text  # named in her language, picked by its own name
    await bot.do(ana.press("Add a question"))
    await bot.do(ana.press("A choice from a list"))
    await bot.do(ana.send_text("T-shirt size?"))
    await bot.do(ana.send_text("S\nM\nL"))
    await bot.do(ana.press("ไทย"))
    await bot.do(ana.send_text("ขนาดเสื้อ?"))
    await bot.do(ana.send_text("เล็ก\nกลาง"))
    assert "exactly 3 choices" in ana.last.text
    await bot.do(ana.send_text("เล็ก\nกลาง\nใหญ่"))
    await bot.do(ana.press("Done"))
    # A second question, added by mistake, goes again.
    await bot.do(ana.press("Add a question"))
    await bot.do(ana.press("Free text"))
    await bot.do(ana.send_text("Favourite colour?"))
    await bot.do(ana.press("Done"))
    assert "2 registration questions" in ana.last.text
    await bot.do(ana.press("Remove the last question"))
    assert "Question removed." in ana.last.text and "1 registration question" in ana.last.text
    await bot.do(ana.press("Registration deadline"))
    await bot.do(ana.send_text("2026-12-04 18:00"))
    await bot.do(ana.press("Reminder time"))
    await bot.do(ana.send_text("60"))
    await bot.do(ana.press("Self check-in radius"))
    await bot.do(ana.send_text("250"))
    await bot.do(ana.press("Add co-organizer"))
    await bot.do(ana.send_text("@ko_yangon"))
    assert "now organizes this event with you" in ana.last.text
    await bot.do(ana.press("✅ Publish"))
    assert "Published" in ana.last.text

    event = await newest_event(bot)
    assert event.status == EventStatus.PUBLISHED
    assert event.timezone == "Asia/Yangon" and event.country == "MM"
    # 09:00 in Yangon (UTC+6:30) is 02:30 UTC; the end is the same local day.
    assert event.starts_at == datetime(2026, 12, 5, 2, 30, tzinfo=UTC)
    assert event.ends_at == datetime(2026, 12, 5, 6, 0, tzinfo=UTC)
    assert event.registration_deadline == datetime(2026, 12, 4, 11, 30, tzinfo=UTC)
    assert event.registration_mode == RegistrationMode.APPROVAL
    assert (event.latitude, event.longitude) == (16.769, 96.172)
    assert event.capacity == 40 and event.reminder_minutes_before == 60
    assert event.self_checkin_radius_m == 250
    assert event.fallback_language == "en"
    texts = {text.language: (text.title, text.description) for text in event.texts}
    assert texts["en"] == ("Yangon river cleanup", "Bring gloves and water.\nWe provide bags.")
    assert texts["th"] == ("เก็บขยะริมแม่น้ำย่างกุ้ง", "")
    (question,) = event.questions
    assert question.kind == QuestionKind.CHOICE
    assert question.texts["en"] == {"prompt": "T-shirt size?", "choices": ["S", "M", "L"]}
    assert question.texts["th"]["choices"] == ["เล็ก", "กลาง", "ใหญ่"]
    organizer_ids = {link.user_id for link in event.organizers}
    assert organizer_ids == {await user_id(bot, 5001), await user_id(bot, 5002)}


async def test_bad_answers_are_explained_and_earlier_answers_kept(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 5011, "Ana")
    await bot.do(ana.send_command("organize"))
    await bot.do(ana.press("➕ New event"))
    await bot.do(ana.press("Roundtable"))
    await bot.do(ana.send_sticker())
    assert "type your answer as a text message" in ana.last.text
    await bot.do(ana.send_text("x" * 201))
    assert "too long" in ana.last.text
    await bot.do(ana.send_text("Plastics pact roundtable"))
    await bot.do(ana.press("Skip"))
    await bot.do(ana.send_text("Convention centre"))
    await bot.do(ana.send_text("Jalan Sudirman 1"))
    await bot.do(ana.send_text("somewhere nice"))
    assert "could not read those coordinates" in ana.last.text
    await bot.do(ana.send_text("-6.2088, 106.8456"))
    await bot.do(ana.press("Indonesia"))
    await bot.do(ana.send_text("Makassar"))
    await settle_city(bot, ana, "en", "Makassar, Indonesia")
    # Indonesia spans three zones: the city's zone comes first.
    assert labels(ana)[0].startswith("Makassar")
    await bot.do(ana.press(labels(ana)[0]))
    await bot.do(ana.send_text("next tuesday"))
    assert "YYYY-MM-DD HH:MM" in ana.last.text
    await bot.do(ana.send_text("2026-11-01 10:00"))
    assert "already passed" in ana.last.text
    await bot.do(ana.send_text("2026-12-10 14:00"))
    await bot.do(ana.send_text("13:00"))
    assert "end must be after the start" in ana.last.text
    # A restart between two answers loses nothing: the answers live in the database.
    await bot.stop()
    restarted = BotRunner(bot.server, bot.settings, bot.clock)
    await restarted.start()
    try:
        await restarted.do(ana.send_text("2026-12-11 09:00"))
        await restarted.do(ana.send_text("abc"))
        assert "whole number from 1 to 100,000" in ana.last.text
        await restarted.do(ana.send_text("0"))
        assert "whole number" in ana.last.text
        await restarted.do(ana.send_text("150"))
        await restarted.do(ana.press("With an invite code"))
        await restarted.do(ana.send_text("PACT2026"))
        assert "Almost done" in ana.last.text
        await restarted.do(ana.press("Save as draft"))
    finally:
        await restarted.stop()
    event = await newest_event(restarted)
    assert event.status == EventStatus.DRAFT
    assert event.timezone == "Asia/Makassar"
    assert event.starts_at == datetime(2026, 12, 10, 6, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2026, 12, 11, 1, 0, tzinfo=UTC)
    assert event.invite_code == "PACT2026" and event.capacity == 150
    assert event.texts[0].description == ""


async def test_cancel_keeps_answers_and_continue_picks_up(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 5021, "Ana")
    await bot.do(ana.send_command("organize"))
    await bot.do(ana.press("➕ New event"))
    await bot.do(ana.press("Cleanup"))
    await bot.do(ana.send_text("Beach day"))
    await bot.do(ana.send_command("cancel"))
    assert "answers so far are kept" in ana.last.text
    await bot.do(ana.send_command("organize"))
    await bot.do(ana.press("Continue: Beach day"))
    assert "Describe the event" in ana.last.text


async def test_participants_and_other_organizers_are_refused(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 5031, "Ana")
    ben = await make_organizer(bot, 5032, "Ben")
    pia = await make_participant(bot, 5033, "Pia")
    event_id = await stored_event(bot, 5031)

    await bot.do(pia.send_command("organize"))
    assert pia.last.text == "Sorry, your role does not allow that."

    codec = bot.application.bot_data["services"].codec
    # Buttons minted for them (as if the data leaked or the role was revoked meanwhile).
    await bot.do(pia.press_data(codec.encode(pia.id, organize.CARD, event_id)))
    assert _alerts(pia)[-1] == "Sorry, your role does not allow that."
    for action, *args in [
        (organize.CARD,),
        (organize.CSV,),
        (organize.CANCEL_SURE,),
        (organize.VIEW, "reg", 0),
        (organize.EDIT_FIELD, "new_capacity"),
    ]:
        data = codec.encode(ben.id, action, event_id, *args)
        await bot.do(ben.press_data(data))
        assert _alerts(ben)[-1] == "Only the organizers of this event can do that."
    # And Ana's own buttons do not work for anyone else.
    await bot.do(ana.send_command("organize"))
    await bot.do(ana.press(labels(ana)[1]))
    await bot.do(ben.press_data(ana.last.buttons[0][0][1]))
    assert _alerts(ben)[-1].startswith("This button is not valid")
    assert (await load_event(bot, event_id)).status == EventStatus.PUBLISHED
    # The administrator may manage every event.
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    await bot.do(admin.send_command("organize"))
    assert "Mangrove roundtable" in " ".join(labels(admin))


async def test_event_list_is_paged_and_card_counts_are_worded_distinctly(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 5041, "Ana")
    ids = [
        await stored_event(bot, 5041, title=f"Event {n}", starts_in=timedelta(days=n + 1))
        for n in range(7)
    ]
    await bot.do(ana.send_command("organize"))
    assert [label.split(" · ")[0] for label in labels(ana)[1:6]] == [f"Event {n}" for n in range(5)]
    await bot.do(ana.press("Next ›"))
    assert "Page 2 of 2" in ana.last.text
    assert "Event 6 · " in " ".join(labels(ana))
    await bot.do(ana.press("‹ Previous"))

    for number, telegram_id in enumerate(range(5100, 5103)):
        await make_participant(bot, telegram_id, f"Person {number}")
        await register_person(bot, ids[0], telegram_id)
    await bot.do(ana.press(next(label for label in labels(ana) if label.startswith("Event 0"))))
    card = ana.last.text
    assert "Seats taken: 3 of 20" in card
    assert "confirmed: 3" in card and "pending approval: 0" in card
    assert "on the waitlist: 0" in card and "attended: 0" in card


async def test_approve_and_reject_from_the_pending_list(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 5051, "Ana")
    ben = await make_organizer(bot, 5052, "Ben")
    event_id = await stored_event(bot, 5051, capacity=1, mode=RegistrationMode.APPROVAL)
    await add_co_organizer(bot, event_id, 5052)
    registrations = []
    for number, telegram_id in enumerate(range(5150, 5153)):
        await make_participant(bot, telegram_id, f"Volunteer {number}")
        registrations.append(await register_person(bot, event_id, telegram_id))

    await bot.do(ana.send_command("organize"))
    await bot.do(ana.press(labels(ana)[1]))
    assert "pending approval: 3" in ana.last.text
    await bot.do(ana.press("Pending approvals"))
    assert "Volunteer 0 – pending approval" in ana.last.text
    await bot.do(ana.press("Approve Volunteer 0"))
    assert "Approved: Volunteer 0 has a seat" in ana.last.text
    await bot.do(ana.press("Approve Volunteer 1"))
    assert "Volunteer 1 is on the waitlist" in ana.last.text
    await bot.do(ben.send_command("organize"))
    await bot.do(ben.press(labels(ben)[1]))
    await bot.do(ben.press("Pending approvals"))
    stale = ben.last
    await bot.do(ana.press("Reject"))
    # Rejecting asks first.
    assert "Reject the request of Volunteer 2" in ana.last.text
    await bot.do(ana.press("Yes, reject"))
    assert "Not approved: Volunteer 2" in ana.last.text
    # Ben's list still shows Volunteer 2: his tap comes too late.
    await bot.do(ben.press("Reject", stale))
    assert _alerts(ben)[-1] == "This was already decided by another organizer."

    async with bot.session_factory() as session:
        statuses = {
            r.id: r.status
            for r in await session.scalars(
                select(Registration).where(Registration.event_id == event_id)
            )
        }
        notices = list(
            await session.scalars(
                select(OutboxMessage.kind).where(OutboxMessage.kind == "event.decision")
            )
        )
    assert [statuses[r] for r in registrations] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.REJECTED,
    ]
    assert len(notices) == 3
    await bot.do(ana.press("« Back to the event"))
    await bot.do(ana.press("Waitlist"))
    assert "Volunteer 1 – on the waitlist" in ana.last.text


async def test_attendance_ticks_and_exports(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 5061, "Ana")
    event_id = await stored_event(bot, 5061, starts_in=timedelta(hours=2))
    for number, telegram_id in enumerate(range(5160, 5172)):
        await make_participant(bot, telegram_id, f"Guest {number:02}")
        await register_person(bot, event_id, telegram_id)
    await bot.do(ana.send_command("organize"))
    await bot.do(ana.press(labels(ana)[1]))
    await bot.do(ana.press("Registrations"))
    assert "Page 1 of 2" in ana.last.text
    await bot.do(ana.press("⬜ Guest 00"))
    assert "Guest 00 – confirmed, attended" in ana.last.text
    await bot.do(ana.press("✅ Guest 00"))
    assert "Guest 00 – confirmed\n" in ana.last.text
    await bot.do(ana.press("⬜ Guest 01"))
    await bot.do(ana.press("Next ›"))
    assert "11. Guest 10" in ana.last.text
    await bot.do(ana.press("« Back to the event"))
    assert "attended: 1" in ana.last.text

    await bot.do(ana.press("Export CSV"))
    document = ana.last.document
    assert document is not None
    assert document.filename.endswith(f"event-{event_id}-participants.csv")
    assert document.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(document.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["No.", "Name", "Username", "Telegram ID"]
    assert rows[0][13] == "May be shared with partners"
    assert len(rows) == 13
    assert any(row[1] == "Guest 01" and row[8] == "confirmed" and row[11] for row in rows)
    # People without a username can still be reached by their Telegram id.
    assert all(row[3].isdigit() for row in rows[1:])
    await bot.do(ana.press("Export XLSX"))
    document = ana.last.document
    assert document is not None and document.filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(document.data)).active
    assert sheet is not None and sheet.max_row == 13


async def test_edit_time_announces_and_cancel_event(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 5071, "Ana")
    event_id = await stored_event(bot, 5071)
    await make_participant(bot, 5170, "Guest")
    await register_person(bot, event_id, 5170)
    await bot.do(ana.send_command("organize"))
    await bot.do(ana.press(labels(ana)[1]))
    await bot.do(ana.press("Edit"))
    await bot.do(ana.press("Date and time"))
    await bot.do(ana.send_text("2026-12-20 08:00"))
    await bot.do(ana.send_text("2026-12-20 07:00"))
    assert "end must be after the start" in ana.last.text
    await bot.do(ana.send_text("11:00"))
    assert "Everyone registered will hear about the change" in ana.last.text
    event = await load_event(bot, event_id)
    assert event.starts_at == datetime(2026, 12, 20, 1, 0, tzinfo=UTC)  # Bangkok, UTC+7
    assert event.ends_at == datetime(2026, 12, 20, 4, 0, tzinfo=UTC)

    await bot.do(ana.press("Edit"))
    await bot.do(ana.press("Capacity"))
    await bot.do(ana.send_text("abc"))
    assert "whole number" in ana.last.text
    await bot.do(ana.send_text("5"))
    assert (await load_event(bot, event_id)).capacity == 5

    # A published event's texts: a typo fixed in English, and a Thai version added.
    for language, title in (("English", "Mangrove roundtable 2026"), ("ไทย", "เสวนาป่าชายเลน")):
        await bot.do(ana.press("Edit"))
        await bot.do(ana.press("Add another language"))
        await bot.do(ana.press(button_with(ana, language)))
        await bot.do(ana.send_text(title))
        await bot.do(ana.press("Skip"))
        assert "Cancel event" in labels(ana), "back on the event's card"
    texts = {
        text.language: (text.title, text.description)
        for text in (await load_event(bot, event_id)).texts
    }
    assert texts == {
        "en": ("Mangrove roundtable 2026", "Science, business and community on mangroves."),
        "th": ("เสวนาป่าชายเลน", ""),
    }

    await bot.do(ana.press("Cancel event"))
    assert "1 person registered will be told" in ana.last.text
    await bot.do(ana.press("No, keep it"))
    await bot.do(ana.press("Cancel event"))
    await bot.do(ana.press("Yes, cancel the event"))
    assert "The event is cancelled" in ana.last.text
    async with bot.session_factory() as session:
        kinds = list(await session.scalars(select(OutboxMessage.kind)))
    assert "event.changed" in kinds and "event.cancelled" in kinds
    assert (await load_event(bot, event_id)).status == EventStatus.CANCELLED
    # A button of the cancelled event's card, tapped late, answers clearly.
    await bot.do(ana.press_data(_signed(bot, ana, organize.EDIT, event_id)))
    assert _alerts(ana)[-1] == "This event has been cancelled, so it can no longer be changed."


async def test_drafts_publish_discard_and_past_events(bot: BotRunner, clock) -> None:  # type: ignore[no-untyped-def]
    ana = await make_organizer(bot, 5081, "Ana")
    draft_id = await stored_event(bot, 5081, title="Draft one", publish=False)
    await stored_event(bot, 5081, title="Draft two", publish=False)
    past_id = await stored_event(bot, 5081, title="Soon over", starts_in=timedelta(hours=1))
    await bot.do(ana.send_command("organize"))
    assert "Draft one · " in " ".join(labels(ana))
    await bot.do(ana.press(next(label for label in labels(ana) if "Draft one" in label)))
    await bot.do(ana.press("Publish"))
    assert "Published" in ana.last.text
    assert (await load_event(bot, draft_id)).status == EventStatus.PUBLISHED

    await bot.do(ana.press("« My events"))
    await bot.do(ana.press(next(label for label in labels(ana) if "Draft two" in label)))
    await bot.do(ana.press("Discard draft"))
    await bot.do(ana.press("Yes, discard it"))
    assert "draft has been discarded" in ana.last.text
    assert "Draft two" not in " ".join(labels(ana))

    await bot.do(ana.press(next(label for label in labels(ana) if "Soon over" in label)))
    clock.advance(hours=5)
    await bot.do(ana.press_data(_signed(bot, ana, organize.EDIT, past_id)))
    assert _alerts(ana)[-1] == "This event is over, so it can no longer be changed."
    assert (await load_event(bot, past_id)).status == EventStatus.PUBLISHED


async def test_approval_request_notice_buttons(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 5091, "Ana")
    ben = await make_organizer(bot, 5092, "Ben")
    event_id = await stored_event(bot, 5091, mode=RegistrationMode.APPROVAL)
    await add_co_organizer(bot, event_id, 5092)
    pia = await make_participant(bot, 5190, "Pia")
    await register_person(bot, event_id, 5190)
    await bot.deliver_due()
    assert "Pia asks to join Mangrove roundtable" in ana.last.text
    assert "Pia asks to join" in ben.last.text

    await bot.do(pia.press_data(_signed(bot, pia, shared_actions.APPROVE, 1)))
    assert _alerts(pia)[-1] == "Sorry, your role does not allow that."
    await bot.do(ana.press("Approve"))
    assert "Approved: Pia has a seat" in ana.last.text
    assert ana.last.buttons == []
    await bot.do(ben.press("Reject"))
    assert _alerts(ben)[-1] == "This was already decided by another organizer."
    async with bot.session_factory() as session:
        status = await session.scalar(select(Registration.status))
    assert status == RegistrationStatus.CONFIRMED


async def test_a_thai_organizer_is_told_about_buddhist_era_years_and_impossible_dates(
    bot: BotRunner,
) -> None:
    t = bot.catalogs.translator("th")
    somchai = bot.server.user(5091, first_name="Somchai", language_code="th")
    await onboard(bot, somchai, language="th")
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    await bot.do(admin.send_command("grant", "5091"))
    await bot.do(somchai.send_command("organize"))
    await bot.do(somchai.press(t._("➕ New event")))
    await bot.do(somchai.press(t._("Cleanup")))
    await bot.do(somchai.send_text("เก็บขยะชายหาดบางแสน"))
    await bot.do(somchai.press(t._("Skip")))
    await bot.do(somchai.send_text("หาดบางแสน"))
    await bot.do(somchai.send_text("ถนนบางแสนสาย 1"))
    await bot.do(somchai.send_location(13.2843, 100.9150))
    await bot.do(somchai.press(t.country_name("TH")))
    await bot.do(somchai.send_text("ชลบุรี"))
    await settle_city(bot, somchai, "th")
    await bot.do(somchai.send_text("2570-03-18 09:00"))
    buddhist_era = t._(
        "{year} looks like a Buddhist-era year: that is {western_year}. Please type the "
        "Western year, for example {example}."
    )
    assert somchai.last.text.startswith(
        buddhist_era.format(year=2570, western_year=2027, example="2027-03-18 09:00")
    )
    await bot.do(somchai.send_text("2027-02-29 09:00"))
    no_such_date = t._("There is no such date as {date}. Please check the day and the month.")
    assert somchai.last.text.startswith(no_such_date.format(date="2027-02-29"))
    await bot.do(somchai.send_text("๒๐๒๗-๐๓-๑๘ ๐๙:๐๐"))  # Thai digits
    await bot.do(somchai.send_text("24:30"))
    no_such_time = t._(
        "There is no such time as {time}. Please type the time as HH:MM, from 00:00 to 23:59."
    )
    assert somchai.last.text.startswith(no_such_time.format(time="24:30"))
    await bot.do(somchai.send_text("12:00"))
    # A Thai reader's "1.500" could be one and a half, but only 1,500 is a number of seats.
    await bot.do(somchai.send_text("1.500"))
    await bot.do(somchai.press(t._("Anyone can register")))
    await bot.do(somchai.press(t._("Save as draft")))

    event = await newest_event(bot)
    assert event.starts_at == datetime(2027, 3, 18, 2, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2027, 3, 18, 5, 0, tzinfo=UTC)
    assert event.capacity == 1500


async def test_far_years_impossible_dates_and_ambiguous_numbers_in_the_wizard(
    bot: BotRunner,
) -> None:
    ana = await make_organizer(bot, 5092, "Ana")
    await bot.do(ana.send_command("organize"))
    await bot.do(ana.press("➕ New event"))
    await bot.do(ana.press("Roundtable"))
    await bot.do(ana.send_text("Plastics pact roundtable"))
    await bot.do(ana.press("Skip"))
    await bot.do(ana.send_text("City Hall"))
    await bot.do(ana.send_text("1 Beach Road"))
    await bot.do(ana.send_location(13.36, 100.98))
    await bot.do(ana.press("Thailand"))
    await bot.do(ana.send_text("Chonburi"))
    await settle_city(bot, ana, "en")
    await bot.do(ana.send_text("2040-12-05 09:00"))
    assert ana.last.text.startswith("2040 is more than 5 years from now. Please check the year.")
    await bot.do(ana.send_text("2026-02-31 09:00"))
    assert ana.last.text.startswith(
        "There is no such date as 2026-02-31. Please check the day and the month."
    )
    await bot.do(ana.send_text("2026-12-05 09:00"))
    await bot.do(ana.send_text("2026-12-05 12:00"))
    await bot.do(ana.send_text("1.000"))
    assert ana.last.text.startswith("Did you mean 1 or 1,000? Please type it again as 1 or 1000.")
    await bot.do(ana.send_text("1,000"))
    await bot.do(ana.press("Anyone can register"))
    await bot.do(ana.press("Save as draft"))
    event = await newest_event(bot)
    assert event.capacity == 1000
    assert event.ends_at == datetime(2026, 12, 5, 5, 0, tzinfo=UTC)
