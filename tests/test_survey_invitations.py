"""Survey invitations and reminders through the outbox and the sandbox: an hour after the event
ends, reminders up to the maximum and no closer than the gap, how many questions are left, and
the cut-offs (closed, answered, erased, consent withdrawn)."""

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from accounts.models import ConsentPurpose, User
from accounts.service import erase_account, set_consent
from delivery.models import OutboxStatus
from demo.runner import BotRunner, SimulatedClock
from events.models import Event, Registration
from surveys.definitions import open_survey, save_form
from surveys.invitations import invitation_key, queue_survey_sends, reminder_key
from surveys.models import Survey, SurveyStatus
from surveys.responses import current_question, save_answer, start, submit
from surveys.xlsform import read_form
from tests.delivery_helpers import outbox_row, statuses
from tests.flows import onboard
from tests.organize_flows import (
    make_organizer,
    make_participant,
    register_person,
    stored_event,
    user_id,
)
from tests.survey_flows import THREE_QUESTIONS, open_card, xlsform

HOUR = timedelta(hours=1)


async def _event_with_open_survey(
    bot: BotRunner, organizer: int, people: list[int]
) -> tuple[int, int, Event]:
    """A roundtable starting in two hours, ``people`` confirmed, and an open three-question
    survey for it."""
    event_id = await stored_event(bot, organizer, starts_in=timedelta(hours=2))
    for telegram_id in people:
        await register_person(bot, event_id, telegram_id)
    async with bot.session_factory() as session, session.begin():
        saved = await save_form(
            session, read_form(xlsform(THREE_QUESTIONS)), event_id=event_id, now=bot.clock()
        )
        open_survey(saved.survey, now=bot.clock())
        event = await session.get(Event, event_id)
        assert event is not None
        return event_id, saved.survey.id, event


def _survey_messages(person: Any) -> list[Any]:
    return [message for message in person.messages if "📝" in (message.text or "")]


def _url_of(message: Any) -> str:
    return str(message.markup.data["inline_keyboard"][0][0]["url"])


async def _advance_to(bot: BotRunner, clock: SimulatedClock, moment: Any) -> None:
    clock.now = moment
    await bot.deliver_due()


async def test_invited_an_hour_after_the_end_with_a_link_to_the_survey(
    bot: BotRunner, clock: SimulatedClock
) -> None:
    await make_organizer(bot, 6201, "Ana")
    pia = await make_participant(bot, 6202, "Pia")
    _, survey_id, event = await _event_with_open_survey(bot, 6201, [6202])
    pia_id = await user_id(bot, 6202)

    await _advance_to(bot, clock, event.ends_at + timedelta(minutes=59))
    assert _survey_messages(pia) == []
    await _advance_to(bot, clock, event.ends_at + HOUR)
    (invitation,) = _survey_messages(pia)
    assert "Mangrove roundtable" in invitation.text and "How was it?" in invitation.text
    assert invitation.buttons[0][0][0] == "Start"
    assert _url_of(invitation).endswith(f"?start=sv_{survey_id}")
    # Sweeping again, or after a restart, sends nothing twice.
    await bot.deliver_due()
    await _advance_to(bot, clock, event.ends_at + 2 * HOUR)
    assert len(_survey_messages(pia)) == 1
    row = await outbox_row(bot.session_factory, invitation_key(survey_id, pia_id))
    assert row is not None and row.status == OutboxStatus.SENT and not row.urgent


async def test_reminders_respect_the_maximum_and_the_gap_and_count_what_is_left(
    bot: BotRunner, clock: SimulatedClock
) -> None:
    await make_organizer(bot, 6211, "Ana")
    pia = await make_participant(bot, 6212, "Pia")
    lek = await make_participant(bot, 6213, "Lek")
    _, survey_id, event = await _event_with_open_survey(bot, 6211, [6212, 6213])
    invited = event.ends_at + HOUR
    await _advance_to(bot, clock, invited)
    lek_id = await user_id(bot, 6213)
    # Lek answers one of the three questions.
    async with bot.session_factory() as session, session.begin():
        survey = await session.get(Survey, survey_id)
        assert survey is not None
        response = (await start(session, survey, lek_id, language="en", now=clock.now)).response
        question = current_question(survey, response)
        assert question is not None
        save_answer(survey, response, question, "The people", now=clock.now)

    await _advance_to(bot, clock, invited + timedelta(hours=47))
    assert len(_survey_messages(pia)) == 1
    await _advance_to(bot, clock, invited + timedelta(hours=48))
    assert "A reminder" in _survey_messages(pia)[-1].text
    lek_reminder = _survey_messages(lek)[-1]
    assert "2 questions are left" in lek_reminder.text
    assert lek_reminder.buttons[0][0][0] == "Continue"
    await _advance_to(bot, clock, invited + timedelta(hours=95))
    assert len(_survey_messages(pia)) == 2
    await _advance_to(bot, clock, invited + timedelta(hours=96))
    assert len(_survey_messages(pia)) == 3
    # Two reminders at most (the default).
    await _advance_to(bot, clock, invited + timedelta(hours=200))
    assert len(_survey_messages(pia)) == 3
    pia_id = await user_id(bot, 6212)
    keys = await statuses(bot.session_factory, f"survey:{survey_id}:user:{pia_id}:")
    assert keys == {
        invitation_key(survey_id, pia_id): OutboxStatus.SENT,
        reminder_key(survey_id, pia_id, 1): OutboxStatus.SENT,
        reminder_key(survey_id, pia_id, 2): OutboxStatus.SENT,
    }


async def test_no_reminder_after_answering_closing_or_withdrawing_consent(
    bot: BotRunner, clock: SimulatedClock
) -> None:
    await make_organizer(bot, 6221, "Ana")
    pia = await make_participant(bot, 6222, "Pia")
    lek = await make_participant(bot, 6223, "Lek")
    nok = await make_participant(bot, 6224, "Nok")
    _, survey_id, event = await _event_with_open_survey(bot, 6221, [6222, 6223, 6224])
    ids = {telegram_id: await user_id(bot, telegram_id) for telegram_id in (6222, 6223, 6224)}
    # Nok withdraws consent to event logistics before the invitation falls due.
    async with bot.session_factory() as session, session.begin():
        nok_account = await session.get(User, ids[6224])
        assert nok_account is not None
        set_consent(nok_account, ConsentPurpose.EVENT_LOGISTICS, False, clock.now)
    invited = event.ends_at + HOUR
    await _advance_to(bot, clock, invited)
    assert len(_survey_messages(pia)) == 1 and len(_survey_messages(lek)) == 1
    assert _survey_messages(nok) == []

    # Lek answers and submits: no reminder for Lek.
    async with bot.session_factory() as session, session.begin():
        survey = await session.get(Survey, survey_id)
        assert survey is not None
        response = (await start(session, survey, ids[6223], language="en", now=clock.now)).response
        await submit(session, survey, response, ids[6223], now=clock.now)
    # Pia's reminder is queued, then she withdraws consent before it goes out.
    clock.now = invited + timedelta(hours=48)
    async with bot.session_factory() as session, session.begin():
        assert await queue_survey_sends(session, now=clock.now) == 1
        pia_account = await session.get(User, ids[6222])
        assert pia_account is not None
        set_consent(pia_account, ConsentPurpose.EVENT_LOGISTICS, False, clock.now)
    await bot.deliver_due()
    assert len(_survey_messages(pia)) == 1 and len(_survey_messages(lek)) == 1
    row = await outbox_row(bot.session_factory, reminder_key(survey_id, ids[6222], 1))
    assert row is not None and row.status == OutboxStatus.SKIPPED
    assert row.reason == "consent to event logistics withdrawn"
    # Nothing more after the skipped one, and nothing at all for Nok.
    await _advance_to(bot, clock, invited + timedelta(hours=200))
    assert len(_survey_messages(pia)) == 1 and _survey_messages(nok) == []


async def test_closing_the_survey_stops_what_is_queued(
    bot: BotRunner, clock: SimulatedClock
) -> None:
    ana = await make_organizer(bot, 6231, "Ana")
    pia = await make_participant(bot, 6232, "Pia")
    event_id, survey_id, event = await _event_with_open_survey(bot, 6231, [6232])
    pia_id = await user_id(bot, 6232)
    # The invitation falls due in Pia's quiet hours (21:00 in Bangkok) and waits for morning.
    late = event.ends_at.replace(hour=14, minute=30) + timedelta(days=1)
    clock.now = late
    await bot.deliver_due()
    assert _survey_messages(pia) == []
    row = await outbox_row(bot.session_factory, invitation_key(survey_id, pia_id))
    assert row is not None and row.status == OutboxStatus.PENDING

    await open_card(bot, ana, event_id)
    await bot.do(ana.press("📝 Survey"))
    await bot.do(ana.press("Close the survey"))
    assert "The survey is closed" in ana.last.text
    await _advance_to(bot, clock, late + timedelta(hours=12))
    assert _survey_messages(pia) == []
    row = await outbox_row(bot.session_factory, invitation_key(survey_id, pia_id))
    assert row is not None and row.status == OutboxStatus.SKIPPED
    async with bot.session_factory() as session:
        assert (await session.scalar(select(Survey.status).where(Survey.id == survey_id))) == (
            "closed"
        )


async def test_invitation_in_the_readers_language(bot: BotRunner, clock: SimulatedClock) -> None:
    await make_organizer(bot, 6241, "Ana")
    nok = bot.server.user(6242, first_name="Nok", language_code="th")
    await onboard(bot, nok, language="th")
    _, survey_id, event = await _event_with_open_survey(bot, 6241, [6242])
    await _advance_to(bot, clock, event.ends_at + HOUR)
    (invitation,) = _survey_messages(nok)
    t = bot.catalogs.translator("th")
    assert (
        t._(
            "Thank you for taking part! How was it? A few questions help the organizers make "
            "the next one better."
        )
        in invitation.text
    )
    assert "ขอบคุณที่เข้าร่วม" in invitation.text
    # The survey's own title, in Thai as the form wrote it.
    assert "Feedback (ไทย (th))" in invitation.text
    assert invitation.buttons[0][0][0] == "เริ่ม"
    assert _url_of(invitation).endswith(f"?start=sv_{survey_id}")


async def test_only_those_who_checked_in_when_the_organizer_says_so(
    bot: BotRunner, clock: SimulatedClock
) -> None:
    ana = await make_organizer(bot, 6251, "Ana")
    pia = await make_participant(bot, 6252, "Pia")
    lek = await make_participant(bot, 6253, "Lek")
    event_id, survey_id, event = await _event_with_open_survey(bot, 6251, [6252, 6253])
    async with bot.session_factory() as session, session.begin():
        survey = await session.get(Survey, survey_id)
        assert survey is not None
        survey.status = SurveyStatus.DRAFT
    await open_card(bot, ana, event_id)
    await bot.do(ana.press("📝 Survey"))
    assert "👥 Invited: everyone confirmed" in ana.last.text
    await bot.do(ana.press("Invite only those who checked in"))
    assert "👥 Invited: only those who checked in" in ana.last.text
    await bot.do(ana.press("✅ Open the survey"))
    pia_id = await user_id(bot, 6252)
    async with bot.session_factory() as session, session.begin():
        registration = await session.scalar(
            select(Registration).where(
                Registration.event_id == event_id, Registration.user_id == pia_id
            )
        )
        assert registration is not None
        registration.attended_at = event.starts_at
    await _advance_to(bot, clock, event.ends_at + HOUR)
    assert len(_survey_messages(pia)) == 1
    assert _survey_messages(lek) == []


async def test_no_reminder_to_someone_who_erased_their_data(
    bot: BotRunner, clock: SimulatedClock
) -> None:
    await make_organizer(bot, 6261, "Ana")
    pia = await make_participant(bot, 6262, "Pia")
    _, survey_id, event = await _event_with_open_survey(bot, 6261, [6262])
    pia_id = await user_id(bot, 6262)
    invited = event.ends_at + HOUR
    await _advance_to(bot, clock, invited)
    assert len(_survey_messages(pia)) == 1
    clock.now = invited + timedelta(hours=48)
    async with bot.session_factory() as session, session.begin():
        assert await queue_survey_sends(session, now=clock.now) == 1
        account = await session.get(User, pia_id)
        assert account is not None
        erase_account(account, clock.now)
    await bot.deliver_due()
    assert len(_survey_messages(pia)) == 1
    row = await outbox_row(bot.session_factory, reminder_key(survey_id, pia_id, 1))
    assert row is not None and row.status != OutboxStatus.SENT
    await _advance_to(bot, clock, invited + timedelta(hours=120))
    assert len(_survey_messages(pia)) == 1


async def test_a_question_tapped_above_a_reminder_is_answered_below_it(
    bot: BotRunner, clock: SimulatedClock
) -> None:
    await make_organizer(bot, 6291, "Ana")
    pia = await make_participant(bot, 6292, "Pia")
    _, survey_id, event = await _event_with_open_survey(bot, 6291, [6292])
    invited = event.ends_at + HOUR
    await _advance_to(bot, clock, invited)
    # The invitation's Start opens the link.
    await bot.do(pia.send_command("start", f"sv_{survey_id}"))
    await bot.do(pia.press("Answer the survey"))
    question = pia.last
    assert question is not None and "What did you like?" in question.text
    await _advance_to(bot, clock, invited + timedelta(hours=48))
    reminder = _survey_messages(pia)[-1]
    assert "3 questions are left" in reminder.text
    # The question is no longer the newest message: the next one comes below the reminder.
    await bot.do(pia.press("Skip", message=question.message_id))
    assert "What should we improve?" in pia.last.text
    assert pia.last.message_id > reminder.message_id
    assert not next(m for m in pia.messages if m.message_id == question.message_id).buttons
