"""Partnership-wide surveys through the sandbox: an administrator creates one in the chat from an
XLSForm file (/surveys, "New partnership-wide survey"), narrows its audience with every broadcast
filter (country, typed city, event and relation, companies) and sees the count follow; opening
it invites exactly the people the filters choose; forged or stale presses are refused."""

from typing import Any

from sqlalchemy import select

from accounts.models import ConsentPurpose
from demo.runner import BotRunner, SimulatedClock
from handlers.surveys import setup
from handlers.surveys.actions import NEW_PARTNERSHIP_SURVEY
from surveys.definitions import open_survey, save_form
from surveys.models import Survey, SurveyStatus
from surveys.xlsform import read_form
from tests.accounts_db import account
from tests.conftest import ADMIN_ID
from tests.flows import labels, settle_city
from tests.organize_flows import make_organizer, stored_event
from tests.pledge_flows import accept, company_with_pledge
from tests.survey_flows import THREE_QUESTIONS, alerts, codec_data, surveys_of, xlsform
from tests.test_broadcasts import make_event, person, register

REFUSED = "Only administrators can do that."
OUT_OF_DATE = "That button is out of date."


def _admin(bot: BotRunner) -> Any:
    return bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")


def _survey_messages(someone: Any) -> list[Any]:
    return [message for message in someone.messages if "📝" in (message.text or "")]


async def _partnership_surveys(bot: BotRunner) -> list[Survey]:
    async with bot.session_factory() as session:
        return list(
            await session.scalars(
                select(Survey).where(Survey.event_id.is_(None)).order_by(Survey.id)
            )
        )


async def _new_survey_in_chat(bot: BotRunner, admin: Any, form_id: str) -> Survey:
    """/surveys, New partnership-wide survey, a good file: ends on the draft's screen."""
    await bot.do(admin.send_command("surveys"))
    await bot.do(admin.press("New partnership-wide survey"))
    assert "New partnership-wide survey" in admin.last.text
    assert "XLSForm .xlsx file" in admin.last.text
    await bot.do(admin.send_document(xlsform(THREE_QUESTIONS, form_id=form_id), filename="f.xlsx"))
    assert "✅ Imported as a new draft." in admin.last.text
    assert "Partnership-wide survey “Feedback (English (en))”" in admin.last.text
    (survey,) = [s for s in await _partnership_surveys(bot) if s.form_id == form_id]
    return survey


async def test_every_broadcast_filter_narrows_the_audience_and_the_invitations(
    bot: BotRunner, clock: SimulatedClock
) -> None:
    await person(bot, 6401, "Attended in Bangkok", city="Bangkok")
    await person(bot, 6402, "Registered in Bangkok", city="Bangkok")
    await person(bot, 6403, "Hanoi", language="vi", country="VN", city="Hanoi")
    await person(bot, 6404, "Chonburi")
    # Attended, in Bangkok, but wants no news: never invited.
    await person(bot, 6405, "No news", city="Bangkok", consents=(ConsentPurpose.EVENT_LOGISTICS,))
    cleanup = await make_event(bot, clock, "Pattaya cleanup", days_ago=3)
    await register(bot, cleanup, 6401, attended=True)
    await register(bot, cleanup, 6402, attended=False)
    await register(bot, cleanup, 6405, attended=True)

    admin = _admin(bot)
    await bot.do(admin.send_command("surveys"))
    assert "New partnership-wide survey" in labels(admin)
    survey = await _new_survey_in_chat(bot, admin, "wide_filters")
    assert "👥 Audience: everyone" in admin.last.text
    assert "Opening it invites 4 people who agreed to news" in admin.last.text

    await bot.do(admin.press("Country"))
    assert admin.last.text == "Invite people in which country?"
    assert "Any country" in labels(admin) and "Back" in labels(admin)
    await bot.do(admin.press("Thailand"))
    assert "👥 Audience: Country: Thailand" in admin.last.text
    assert "Opening it invites 3 people" in admin.last.text
    assert "✓ Country" in labels(admin)

    await bot.do(admin.press("City"))
    assert "Invite people in which city? Type its name" in admin.last.text
    await bot.do(admin.send_sticker())
    assert admin.last.text == "Please type your answer as a text message, or send /cancel to stop."
    await bot.do(admin.send_text("B" * 101))
    assert admin.last.text == "That is too long: please keep it under 100 characters."
    await bot.do(admin.send_text("🏖️ 123"))
    assert "does not look like the name of a place" in admin.last.text
    await bot.do(admin.send_text("  bangkok "))
    await settle_city(bot, admin, "en")
    assert "Country: Thailand · City: bangkok" in admin.last.text
    assert "Opening it invites 2 people" in admin.last.text

    await bot.do(admin.press("Event"))
    assert "registered for, attended or missed which event?" in admin.last.text
    await bot.do(admin.press(next(label for label in labels(admin) if "Pattaya cleanup" in label)))
    assert admin.last.text == "Which of its people?"
    await bot.do(admin.press("Registered"))
    assert "Event: Pattaya cleanup (Registered)" in admin.last.text
    assert "Opening it invites 2 people" in admin.last.text
    await bot.do(admin.press("✓ Event"))
    await bot.do(admin.press(next(label for label in labels(admin) if "Pattaya cleanup" in label)))
    await bot.do(admin.press("Attended"))
    assert "Event: Pattaya cleanup (Attended)" in admin.last.text
    assert "Opening it invites 1 person who agreed to news" in admin.last.text

    async with bot.session_factory() as session:
        stored = await session.get(Survey, survey.id)
        assert stored is not None
        assert stored.audience_filters == {
            "country": "TH",
            "city": "bangkok",
            "event_id": cleanup,
            "event_relation": "attended",
        }

    await bot.do(admin.press("✅ Open the survey"))
    assert "1 invitation is on its way." in admin.last.text
    await bot.deliver_due()
    invited = {tid for tid in range(6401, 6406) if _survey_messages(bot.server.user(tid))}
    assert invited == {6401}


async def test_companies_and_the_any_buttons(bot: BotRunner, clock: SimulatedClock) -> None:
    await person(bot, 6411, "Member")
    await person(bot, 6412, "Not a member")
    await person(bot, 6413, "Member of a pending pledge")
    member, pending = await account(bot, 6411), await account(bot, 6413)
    assert member is not None and pending is not None
    _, pledge_id = await company_with_pledge(bot, [member])
    await accept(bot, pledge_id, now=clock.now)
    await company_with_pledge(bot, [pending])  # submitted, not accepted

    admin = _admin(bot)
    survey = await _new_survey_in_chat(bot, admin, "wide_companies")
    assert "Opening it invites 3 people" in admin.last.text
    await bot.do(admin.press("Companies"))
    assert "members of which companies of the pledge registry" in admin.last.text
    await bot.do(admin.press("Companies with an accepted pledge"))
    assert "Members of: Companies with an accepted pledge" in admin.last.text
    assert "Opening it invites 1 person" in admin.last.text
    await bot.do(admin.press("✓ Companies"))
    await bot.do(admin.press("Not only members of companies"))
    assert "👥 Audience: everyone" in admin.last.text
    assert "Opening it invites 3 people" in admin.last.text

    # Choices undone with the "any" buttons, and Back changes nothing.
    await bot.do(admin.press("Country"))
    await bot.do(admin.press("Vietnam"))
    assert "Opening it invites 0 people" in admin.last.text
    await bot.do(admin.press("✓ Country"))
    await bot.do(admin.press("Back"))
    assert "Country: Vietnam" in admin.last.text
    await bot.do(admin.press("✓ Country"))
    await bot.do(admin.press("Any country"))
    assert "Opening it invites 3 people" in admin.last.text
    await bot.do(admin.press("City"))
    await bot.do(admin.send_text("Atlantis"))
    await settle_city(bot, admin, "en")
    assert "City: Atlantis" in admin.last.text and "invites 0 people" in admin.last.text
    await bot.do(admin.press("✓ City"))
    await bot.do(admin.press("Any city"))
    assert "Opening it invites 3 people" in admin.last.text
    await bot.do(admin.press("Event"))
    assert alerts(admin)[-1] == "There are no events yet."

    await bot.do(admin.press("Companies"))
    await bot.do(admin.press("Companies with an accepted pledge"))
    await bot.do(admin.press("✅ Open the survey"))
    assert "1 invitation is on its way." in admin.last.text
    await bot.deliver_due()
    assert len(_survey_messages(bot.server.user(6411))) == 1
    assert _survey_messages(bot.server.user(6412)) == []
    assert _survey_messages(bot.server.user(6413)) == []
    (stored,) = [s for s in await _partnership_surveys(bot) if s.id == survey.id]
    assert stored.status == SurveyStatus.OPEN


async def test_forged_and_stale_filter_presses_are_refused(
    bot: BotRunner, clock: SimulatedClock
) -> None:
    ana = await make_organizer(bot, 6421, "Ana")
    event_id = await stored_event(bot, 6421)
    cleanup = await make_event(bot, clock, "Pattaya cleanup", days_ago=3)
    async with bot.session_factory() as session, session.begin():
        wide = await save_form(
            session, read_form(xlsform(THREE_QUESTIONS)), event_id=None, now=clock.now
        )
        post_event = await save_form(
            session, read_form(xlsform(THREE_QUESTIONS)), event_id=event_id, now=clock.now
        )
        wide_id, post_event_id = wide.survey.id, post_event.survey.id

    presses: list[tuple[str, tuple[object, ...]]] = [
        (setup.NARROW, ("country",)),
        (setup.NARROW, ("city",)),
        (setup.FILTER_COUNTRY, ("TH",)),
        (setup.FILTER_CITY, ("any",)),
        (setup.AUDIENCE_EVENT, (cleanup,)),
        (setup.FILTER_EVENT, (cleanup, "attended")),
        (setup.FILTER_COMPANIES, ("accepted",)),
    ]
    # An organizer who is not an administrator: every button is refused on the server.
    for action, values in presses:
        await bot.do(ana.press_data(codec_data(bot, ana, action, wide_id, *values)))
        assert alerts(ana)[-1] == REFUSED, action
    await bot.do(ana.press_data(codec_data(bot, ana, NEW_PARTNERSHIP_SURVEY)))
    assert alerts(ana)[-1] == REFUSED
    await bot.do(ana.send_document(xlsform(THREE_QUESTIONS, form_id="sneaky"), filename="s.xlsx"))
    assert [s.form_id for s in await _partnership_surveys(bot)] == ["feedback_test"]

    admin = _admin(bot)
    # On a post-event survey the filters are not offered.
    for action, values in presses:
        await bot.do(admin.press_data(codec_data(bot, admin, action, post_event_id, *values)))
        assert alerts(admin)[-1] == OUT_OF_DATE, action
    # Values never offered.
    for action, values in [
        (setup.NARROW, ("everything",)),
        (setup.FILTER_COUNTRY, ("XX",)),
        (setup.FILTER_CITY, ("12345678",)),  # a place, but no city was typed
        (setup.FILTER_EVENT, (cleanup, "adored")),
        (setup.FILTER_COMPANIES, ("all_of_them",)),
    ]:
        await bot.do(admin.press_data(codec_data(bot, admin, action, wide_id, *values)))
        assert alerts(admin)[-1] == OUT_OF_DATE, action
    await bot.do(
        admin.press_data(codec_data(bot, admin, setup.FILTER_EVENT, wide_id, 999, "attended"))
    )
    assert alerts(admin)[-1] == "That event no longer exists."
    await bot.do(admin.press_data(codec_data(bot, admin, setup.AUDIENCE_EVENT, wide_id, 999)))
    assert alerts(admin)[-1] == "That event no longer exists."
    (survey,) = await _partnership_surveys(bot)
    assert not survey.audience_filters

    # Once open, those invited were told its terms: a stale filter button changes nothing.
    await bot.do(admin.press_data(codec_data(bot, admin, setup.OPEN, wide_id)))
    for action, values in presses:
        await bot.do(admin.press_data(codec_data(bot, admin, action, wide_id, *values)))
        assert alerts(admin)[-1] == "The survey is already open: this can no longer change."
    (survey,) = await _partnership_surveys(bot)
    assert survey.status == SurveyStatus.OPEN and not survey.audience_filters
    assert (await surveys_of(bot, event_id))[0].audience_filters is None


async def test_a_city_typed_after_the_survey_opened_is_refused(bot: BotRunner) -> None:
    admin = _admin(bot)
    survey = await _new_survey_in_chat(bot, admin, "wide_city")
    await bot.do(admin.press("City"))
    # Opened meanwhile (by another administrator, say): the typed city no longer applies.
    async with bot.session_factory() as session, session.begin():
        stored = await session.get(Survey, survey.id)
        assert stored is not None
        open_survey(stored, now=bot.clock())
    await bot.do(admin.send_text("Bangkok"))
    assert admin.last.text == "The survey is already open: this can no longer change."
    await bot.do(admin.send_text("Chonburi"))
    (stored,) = await _partnership_surveys(bot)
    assert not stored.audience_filters


async def test_cancel_stops_waiting_for_the_city(bot: BotRunner) -> None:
    admin = _admin(bot)
    await _new_survey_in_chat(bot, admin, "wide_cancel")
    await bot.do(admin.press("City"))
    await bot.do(admin.send_command("cancel"))
    assert admin.last.text == "Stopped. Nothing else was changed."
    await bot.do(admin.send_text("Bangkok"))
    (stored,) = await _partnership_surveys(bot)
    assert not stored.audience_filters


async def test_the_administrator_uploads_a_broken_then_a_good_file_then_replaces_the_draft(
    bot: BotRunner,
) -> None:
    admin = _admin(bot)
    await bot.do(admin.send_command("surveys"))
    assert admin.last.text == "None of your events has a survey yet."
    await bot.do(admin.press("New partnership-wide survey"))
    broken = xlsform(
        [
            ["selectone colours", "colour", "Colour?", "สี"],
            ["text", "liked", "Liked?", "ชอบ"],
            ["text", "liked", "Liked again?", "ชอบอีก"],
        ]
    )
    await bot.do(admin.send_document(broken, filename="broken.xlsx"))
    assert admin.last.text.startswith("Nothing was saved: the file has")
    assert "survey!A2: unknown or unsupported question type" in admin.last.text
    assert "this name is used twice" in admin.last.text
    await bot.do(admin.send_text("where is it?"))
    assert admin.last.text == "Please send the form as an .xlsx file, or send /cancel to stop."
    assert await _partnership_surveys(bot) == []

    await bot.do(admin.send_document(xlsform(THREE_QUESTIONS), filename="good.xlsx"))
    assert "✅ Imported as a new draft." in admin.last.text
    assert "Partnership-wide survey" in admin.last.text
    assert "✅ Open the survey" in labels(admin) and "Country" in labels(admin)
    (first,) = await _partnership_surveys(bot)
    assert first.status == SurveyStatus.DRAFT and len(first.questions) == 3

    # The same form id again replaces the draft; the list now shows it and the button.
    await bot.do(admin.send_command("surveys"))
    assert labels(admin)[-1] == "New partnership-wide survey"
    await bot.do(admin.press("New partnership-wide survey"))
    fewer = xlsform(THREE_QUESTIONS[:2])
    await bot.do(admin.send_document(fewer, filename="again.xlsx"))
    assert "✅ The draft was replaced." in admin.last.text
    (again,) = await _partnership_surveys(bot)
    assert again.id == first.id and len(again.questions) == 2

    # /cancel while waiting for a file: a file sent after it is not taken.
    await bot.do(admin.send_command("surveys"))
    await bot.do(admin.press("New partnership-wide survey"))
    await bot.do(admin.send_command("cancel"))
    assert admin.last.text == "Stopped. Nothing else was changed."
    await bot.do(admin.send_document(xlsform(THREE_QUESTIONS, form_id="late"), filename="l.xlsx"))
    assert [s.form_id for s in await _partnership_surveys(bot)] == ["feedback_test"]


async def test_organizers_who_are_not_administrators_never_see_the_button(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 6431, "Ana")
    await bot.do(ana.send_command("surveys"))
    assert ana.last.text == "None of your events has a survey yet."
    assert not ana.last.has_inline_keyboard
    event_id = await stored_event(bot, 6431)
    async with bot.session_factory() as session, session.begin():
        await save_form(
            session, read_form(xlsform(THREE_QUESTIONS)), event_id=event_id, now=bot.clock()
        )
    await bot.do(ana.send_command("surveys"))
    assert "New partnership-wide survey" not in labels(ana)
    assert len(labels(ana)) == 1
