"""Choosing how a survey is sent, through the sandbox: the organizer's invitation delay and
reminder settings honoured by the outbox and refused once open, and a partnership-wide survey
opened by an administrator reaching exactly the broadcast-filtered audience that agreed to news."""

from datetime import timedelta
from typing import Any

from accounts.models import ConsentPurpose, StakeholderRole, User
from accounts.service import set_consent
from delivery.models import OutboxStatus
from demo.runner import BotRunner, SimulatedClock
from events.models import Event
from handlers.surveys import setup
from surveys.definitions import save_form
from surveys.invitations import invitation_key, reminder_key
from surveys.models import Survey, SurveyStatus
from surveys.xlsform import read_form
from tests.conftest import ADMIN_ID
from tests.delivery_helpers import outbox_row, statuses
from tests.flows import onboard
from tests.organize_flows import (
    make_organizer,
    make_participant,
    register_person,
    stored_event,
    user_id,
)
from tests.survey_flows import THREE_QUESTIONS, alerts, codec_data, open_card, surveys_of, xlsform

NEWS = (ConsentPurpose.EVENT_LOGISTICS, ConsentPurpose.NEWS)


def _survey_messages(person: Any) -> list[Any]:
    return [message for message in person.messages if "📝" in (message.text or "")]


async def _advance_to(bot: BotRunner, clock: SimulatedClock, moment: Any) -> None:
    clock.now = moment
    await bot.deliver_due()


async def test_the_organizer_chooses_three_hours_and_one_reminder_a_day_later(
    bot: BotRunner, clock: SimulatedClock
) -> None:
    ana = await make_organizer(bot, 6301, "Ana")
    pia = await make_participant(bot, 6302, "Pia")
    event_id = await stored_event(bot, 6301, starts_in=timedelta(hours=2))
    await register_person(bot, event_id, 6302)
    await open_card(bot, ana, event_id)
    await bot.do(ana.press("📝 Survey"))
    await bot.do(ana.press("Template: after a roundtable"))
    await bot.do(ana.press("👤 Named"))
    assert "1 hour after the event ends" in ana.last.text
    await bot.do(ana.press("3 hours after"))
    assert "3 hours after the event ends" in ana.last.text
    await bot.do(ana.press("1 reminder"))
    await bot.do(ana.press("24 h apart"))
    assert "Up to 1 reminder to those who have not answered, at least 24 h apart" in ana.last.text
    await bot.do(ana.press("✅ Open the survey"))
    (survey,) = await surveys_of(bot, event_id)
    assert (survey.invite_delay_hours, survey.reminder_max, survey.reminder_gap_hours) == (
        3,
        1,
        24,
    )
    # Once open, the terms people were invited on stay: an old button is refused.
    await bot.do(ana.press_data(codec_data(bot, ana, setup.DELAY, survey.id, 1)))
    assert alerts(ana)[-1] == "The survey is already open: this can no longer change."
    assert (await surveys_of(bot, event_id))[0].invite_delay_hours == 3

    ends_at = await _event_end(bot, event_id)
    await _advance_to(bot, clock, ends_at + timedelta(hours=2, minutes=59))
    assert _survey_messages(pia) == []
    await _advance_to(bot, clock, ends_at + timedelta(hours=3))
    assert len(_survey_messages(pia)) == 1
    await _advance_to(bot, clock, ends_at + timedelta(hours=26, minutes=59))
    assert len(_survey_messages(pia)) == 1
    await _advance_to(bot, clock, ends_at + timedelta(hours=27))
    assert "A reminder" in _survey_messages(pia)[-1].text
    # One reminder at most, as chosen.
    await _advance_to(bot, clock, ends_at + timedelta(hours=200))
    assert len(_survey_messages(pia)) == 2


async def _event_end(bot: BotRunner, event_id: int) -> Any:
    async with bot.session_factory() as session:
        event = await session.get(Event, event_id)
        assert event is not None
        return event.ends_at


async def test_forged_setting_buttons_are_refused(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 6311, "Ana")
    bob = await make_organizer(bot, 6312, "Bob")
    event_id = await stored_event(bot, 6311)
    await open_card(bot, ana, event_id)
    await bot.do(ana.press("📝 Survey"))
    await bot.do(ana.press("Template: after a cleanup"))
    (survey,) = await surveys_of(bot, event_id)
    await bot.do(bob.press_data(codec_data(bot, bob, setup.DELAY, survey.id, 24)))
    assert alerts(bob)[-1] == "Only the organizers of this event can do that."
    # A value never offered, and a partnership filter on a post-event survey.
    await bot.do(ana.press_data(codec_data(bot, ana, setup.DELAY, survey.id, 5)))
    assert alerts(ana)[-1] == "That button is out of date."
    await bot.do(ana.press_data(codec_data(bot, ana, setup.FILTER_ROLE, survey.id, "business")))
    assert alerts(ana)[-1] == "That button is out of date."
    (survey,) = await surveys_of(bot, event_id)
    assert survey.invite_delay_hours == 1 and survey.audience_filters is None


async def test_a_partnership_wide_survey_reaches_the_filtered_audience_with_news_consent(
    bot: BotRunner, clock: SimulatedClock
) -> None:
    people = {}
    for telegram_id, role, consents in (
        (6321, StakeholderRole.BUSINESS, NEWS),
        (6322, StakeholderRole.BUSINESS, NEWS),
        (6323, StakeholderRole.BUSINESS, (ConsentPurpose.EVENT_LOGISTICS,)),  # no news
        (6324, StakeholderRole.COMMUNITY, NEWS),  # another role
    ):
        person = bot.server.user(telegram_id, first_name=f"P{telegram_id}", language_code="en")
        await onboard(bot, person, role=role, consents=consents)
        people[telegram_id] = person
    async with bot.session_factory() as session, session.begin():
        saved = await save_form(
            session, read_form(xlsform(THREE_QUESTIONS)), event_id=None, now=clock.now
        )
        survey_id = saved.survey.id

    # An organizer who is not an administrator cannot set it up.
    ana = await make_organizer(bot, 6325, "Ana")
    await bot.do(ana.press_data(codec_data(bot, ana, setup.OPEN_PARTNERSHIP_SURVEY, survey_id)))
    assert alerts(ana)[-1] == "Only administrators can do that."

    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    await bot.do(admin.send_command("surveys"))
    await bot.do(admin.press(admin.last.buttons[0][0][0]))
    await bot.do(admin.press("Audience and sending"))
    assert "Opening it invites 3 people who agreed to news" in admin.last.text
    await bot.do(admin.press("Business"))
    assert "Opening it invites 2 people who agreed to news" in admin.last.text
    await bot.do(admin.press("1 reminder"))
    await bot.do(admin.press("✅ Open the survey"))
    assert "2 invitations are on their way." in admin.last.text

    await bot.deliver_due()
    assert len(_survey_messages(people[6321])) == 1
    assert "would like to hear from you" in _survey_messages(people[6321])[0].text
    assert len(_survey_messages(people[6322])) == 1
    assert _survey_messages(people[6323]) == [] and _survey_messages(people[6324]) == []
    ids = {telegram_id: await user_id(bot, telegram_id) for telegram_id in people}
    async with bot.session_factory() as session:
        survey = await session.get(Survey, survey_id)
        assert survey is not None and survey.status == SurveyStatus.OPEN

    # One of them withdraws consent to news: the reminder is skipped for them.
    async with bot.session_factory() as session, session.begin():
        account = await session.get(User, ids[6322])
        assert account is not None
        set_consent(account, ConsentPurpose.NEWS, False, clock.now)
    await _advance_to(bot, clock, clock.now + timedelta(hours=47))
    assert len(_survey_messages(people[6321])) == 1
    await _advance_to(bot, clock, clock.now + timedelta(hours=1))
    assert "A reminder" in _survey_messages(people[6321])[-1].text
    assert len(_survey_messages(people[6322])) == 1
    row = await outbox_row(bot.session_factory, reminder_key(survey_id, ids[6322], 1))
    assert row is not None and row.status == OutboxStatus.SKIPPED
    assert row.reason == "consent to news withdrawn"
    await _advance_to(bot, clock, clock.now + timedelta(hours=200))
    keys = await statuses(bot.session_factory, f"survey:{survey_id}:user:")
    assert keys == {
        invitation_key(survey_id, ids[6321]): OutboxStatus.SENT,
        invitation_key(survey_id, ids[6322]): OutboxStatus.SENT,
        reminder_key(survey_id, ids[6321], 1): OutboxStatus.SENT,
        reminder_key(survey_id, ids[6322], 1): OutboxStatus.SKIPPED,
    }
