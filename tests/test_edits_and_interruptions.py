"""Edited messages, live locations and flows interrupted by /start or /deleteme: the person's
intent is what counts, and no step meets a flow that has already ended."""

import logging
from datetime import timedelta

import pytest

from accounts.models import ConsentPurpose
from demo.runner import BotRunner
from events.models import QuestionKind
from events.service import QuestionDraft
from handlers.runtime.conversations import FLOW_LABELS, conversations_of
from tests.accounts_db import account
from tests.events_setup import load_event, make_event
from tests.flows import button_with, onboard, settle_city
from tests.organize_flows import answer_wizard, make_organizer

TOO_LONG_CITY = "Chonburi " * 20


def _message_id(update: dict) -> int:  # type: ignore[type-arg]
    return int(update["message"]["message_id"])


async def _start_until_city(bot: BotRunner, person) -> None:  # type: ignore[no-untyped-def]
    await bot.do(person.send_command("start"))
    await bot.do(person.press(button_with(person, "English")))
    await bot.do(person.press(button_with(person, "Event logistics")))
    await bot.do(person.press("Continue"))
    await bot.do(person.press("Community member"))
    await bot.do(person.press("Skip"))
    await bot.do(person.press(bot.catalogs.translator("en").country_name("TH")))


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.ERROR, logger="tideline.errors")
    return caplog


def _no_errors(caplog: pytest.LogCaptureFixture) -> None:
    assert [r for r in caplog.records if r.name == "tideline.errors"] == []


async def test_an_edit_of_a_refused_answer_answers_the_open_question(
    bot: BotRunner, errors: pytest.LogCaptureFixture
) -> None:
    kim = bot.server.user(7201, first_name="Kim", language_code="en")
    await _start_until_city(bot, kim)
    typed = _message_id(await bot.do(kim.send_text(TOO_LONG_CITY)))
    assert "too long" in kim.last.text
    await bot.do(kim.edit_text(typed, "Pattaya"))
    await settle_city(bot, kim, "en")
    assert "Your time zone looks like" in kim.last.text
    person = await account(bot, 7201)
    assert person is not None and person.city == "Pattaya"
    _no_errors(errors)


async def test_an_edit_after_the_bot_moved_on_is_ignored_quietly(
    bot: BotRunner, errors: pytest.LogCaptureFixture
) -> None:
    kim = bot.server.user(7202, first_name="Kim", language_code="en")
    await _start_until_city(bot, kim)
    typed = _message_id(await bot.do(kim.send_text("Chonburi")))
    await settle_city(bot, kim, "en")
    question = kim.mark()
    await bot.do(kim.edit_text(typed, "Pattaya"))
    await bot.do(kim.send_text("and more"))
    again = kim.mark()
    # An edit of an earlier message than the latest is ignored too, even if that one was open.
    await bot.do(kim.edit_text(typed, "Rayong"))
    assert kim.inbox_since(again) == []
    assert [m.text for m in kim.inbox_since(question)] == [
        "Please use the buttons above to answer, or send /cancel to stop."
    ]
    person = await account(bot, 7202)
    assert person is not None and person.city == "Chonburi"
    _no_errors(errors)


async def test_an_edit_outside_any_flow_gets_no_reply(
    bot: BotRunner, errors: pytest.LogCaptureFixture
) -> None:
    lee = bot.server.user(7203, first_name="Lee", language_code="en")
    await onboard(bot, lee)
    typed = _message_id(await bot.do(lee.send_text("hello")))
    assert "I didn't understand that" in lee.last.text
    before = lee.mark()
    await bot.do(lee.edit_text(typed, "hello again"))
    await bot.do(lee.edit_text(typed, "/help"))
    assert lee.inbox_since(before) == []
    _no_errors(errors)


async def test_an_edited_answer_of_a_saved_registration_answer_is_not_the_next_answer(
    bot: BotRunner, errors: pytest.LogCaptureFixture
) -> None:
    questions = [
        QuestionDraft(QuestionKind.TEXT, {"en": {"prompt": "Diet?"}}),
        QuestionDraft(QuestionKind.TEXT, {"en": {"prompt": "Shirt size?"}}),
    ]
    event_id = await make_event(bot, questions=questions)
    mo = bot.server.user(7204, first_name="Mo", language_code="en")
    await onboard(bot, mo)
    await bot.do(mo.send_command("start", f"ev_{event_id}"))
    await bot.do(mo.press("Register"))
    assert "Diet?" in mo.last.text
    typed = _message_id(await bot.do(mo.send_text("vegetarian")))
    assert "Shirt size?" in mo.last.text
    before = mo.mark()
    await bot.do(mo.edit_text(typed, "vegan"))
    assert mo.inbox_since(before) == []
    await bot.do(mo.send_text("M"))
    assert any("You are registered" in (m.text or "") for m in mo.inbox_since(before))
    _no_errors(errors)


async def test_live_location_inside_a_flow_checks_in_without_a_reprompt(
    bot: BotRunner, errors: pytest.LogCaptureFixture
) -> None:
    event_id = await make_event(bot, self_checkin_radius_m=300)
    walker = bot.server.user(7205, first_name="Walker", language_code="en")
    await onboard(
        bot, walker, consents=(ConsentPurpose.EVENT_LOGISTICS, ConsentPurpose.PHOTOS_LOCATION)
    )
    await bot.do(walker.send_command("start", f"ev_{event_id}"))
    await bot.do(walker.press("Register"))
    event = await load_event(bot, event_id)
    bot.clock.now = event.starts_at + timedelta(minutes=10)
    # In the middle of changing the city, where the bot waits for typed text.
    await bot.do(walker.send_command("profile"))
    await bot.do(walker.press("City"))
    before = walker.mark()
    await bot.do(walker.send_location(13.40, 100.99, live_period=900))
    await bot.do(walker.move_live_location(13.35, 100.95))
    await bot.do(walker.move_live_location(13.2831, 100.9151))
    await bot.do(walker.move_live_location(13.2832, 100.9152))
    texts = [m.text or "" for m in walker.inbox_since(before)]
    assert not any("Please type your answer" in text for text in texts), texts
    assert sum("You are checked in" in text for text in texts) == 1, texts
    # The question is still open: the typed city answers it.
    await bot.do(walker.send_text("Pattaya"))
    person = await account(bot, 7205)
    assert person is not None and person.city == "Pattaya"
    _no_errors(errors)


async def test_a_location_pin_still_answers_the_wizards_venue_question(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 7206, "Ana")
    await answer_wizard(bot, ana)
    assert "Almost done" in ana.last.text


async def test_start_mid_flow_ends_the_other_flows_and_says_so(
    bot: BotRunner, errors: pytest.LogCaptureFixture
) -> None:
    lee = bot.server.user(7207, first_name="Lee", language_code="en")
    await onboard(bot, lee)
    await bot.do(lee.send_command("profile"))
    await bot.do(lee.press("City"))
    await bot.do(lee.send_command("start"))
    assert any(
        "I stopped what you were doing (changing your profile)." in (m.text or "")
        for m in lee.messages[-3:]
    )
    assert "Welcome back" in lee.last.text
    before = lee.mark()
    await bot.do(lee.send_text("Pattaya"))
    assert [m.text for m in lee.inbox_since(before)] == [
        "I didn't understand that. Send /help to see what I can do."
    ]
    person = await account(bot, 7207)
    assert person is not None and person.city == "Chonburi"
    # Nothing stopped, nothing said.
    await bot.do(lee.send_command("start"))
    assert not any("I stopped" in (m.text or "") for m in lee.messages[-2:])
    _no_errors(errors)


async def test_deleteme_mid_flow_ends_that_flow(
    bot: BotRunner, errors: pytest.LogCaptureFixture
) -> None:
    lee = bot.server.user(7208, first_name="Lee", language_code="en")
    await onboard(bot, lee)
    await bot.do(lee.send_command("profile"))
    await bot.do(lee.press("City"))
    await bot.do(lee.send_command("deleteme"))
    await bot.do(lee.press("Yes, delete my data"))
    await bot.do(lee.press("Delete everything now"))
    assert "Your data has been deleted" in lee.last.text
    before = lee.mark()
    await bot.do(lee.send_text("Pattaya"))
    assert [m.text for m in lee.inbox_since(before)] == [
        "I didn't understand that. Send /help to see what I can do."
    ]
    _no_errors(errors)


async def test_every_conversation_has_a_name_people_understand(bot: BotRunner) -> None:
    names = {conversation.name for conversation in conversations_of(bot.application)}
    assert names and names <= FLOW_LABELS.keys()
