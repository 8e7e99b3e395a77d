"""Participants answering post-event surveys through the real bot: /my and the sv_ link open
them, one question at a time with the skip logic, answers saved as given and continued later,
the summary and Submit, changing a named response, anonymous ones, bad input and stale
buttons, and the person's survey data in /mydata and /deleteme."""

import asyncio
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from demo.runner import BotRunner
from events import service
from events.models import Registration
from surveys.definitions import close_survey, open_survey
from surveys.models import Survey, SurveyParticipant, SurveyResponse
from surveys.templates import AFTER_CLEANUP
from surveys.xlsform import import_form
from tests.events_setup import make_event, registration_of
from tests.flows import button_with, labels, onboard
from tests.survey_files import KOBO_STYLE

WEEK = timedelta(days=7)


async def _survey(
    bot: BotRunner,
    event_id: int | None,
    *,
    form: bytes = KOBO_STYLE,
    anonymous: bool = False,
    opened: bool = True,
) -> int:
    async with bot.session_factory() as session, session.begin():
        saved = await import_form(session, form, event_id=event_id, now=bot.clock())
        saved.survey.anonymous = anonymous
        if opened:
            open_survey(saved.survey, now=bot.clock(), closes_at=bot.clock() + WEEK)
        return saved.survey.id


async def _participant(bot: BotRunner, telegram_id: int, event_id: int, language: str = "en"):  # type: ignore[no-untyped-def]
    person = bot.server.user(telegram_id, first_name=f"P{telegram_id}", language_code=language)
    await onboard(bot, person, language=language)
    await bot.do(person.send_command("start", f"ev_{event_id}"))
    t = bot.catalogs.translator(language)
    await bot.do(person.press(t._("Register")))
    return person


def _data(person: Any, label: str) -> str:
    """A button's callback data, to press it again once its message lost its buttons."""
    return next(data for row in person.last.buttons for text, data in row if text == label)


async def _responses(bot: BotRunner) -> list[SurveyResponse]:
    async with bot.session_factory() as session:
        return list(await session.scalars(select(SurveyResponse)))


async def _answers(bot: BotRunner) -> dict[str, Any]:
    """Every stored answer by question name (one response expected)."""
    async with bot.session_factory() as session:
        [response] = (await session.scalars(select(SurveyResponse))).all()
        survey = await session.get(Survey, response.survey_id)
        assert survey is not None
        names = {question.id: question.name for question in survey.questions}
        return {
            names[answer.question_id]: (answer.value, answer.other_text)
            if answer.other_text
            else answer.value
            for answer in response.answers
        }


async def test_answering_from_my_one_question_at_a_time_to_submit(bot: BotRunner) -> None:
    event_id = await make_event(bot)
    survey_id = await _survey(bot, event_id)
    anna = await _participant(bot, 5001, event_id)
    await bot.do(anna.send_command("my"))
    assert "Surveys waiting for your answers" in anna.last.text
    await bot.do(anna.press("Answer: Beach cleanup feedback"))
    introduction = anna.messages[-2].text
    assert "Beach cleanup feedback" in introduction and "saved as you give it" in introduction
    first = anna.last
    yes_data = _data(anna, "Yes")
    assert "Question 1 of 5" in first.text and "First cleanup?" in first.text
    assert labels(anna) == ["Yes", "No"]
    # A typed label is taken as that option; "no" shows the question about earlier cleanups.
    await bot.do(anna.send_text("no"))
    assert "Question 2 of 6" in anna.last.text and "How many before?" in anna.last.text
    await bot.do(anna.send_sticker())
    assert "type your answer as a text message" in anna.last.text
    await bot.do(anna.send_text("600"))
    assert "Please type a whole number from 1 to 500." in anna.last.text
    assert await _answers(bot) == {"first_time": "no"}
    await bot.do(anna.send_text("12"))
    assert "Question 3 of 6" in anna.last.text and "Litter seen?" in anna.last.text
    await bot.do(anna.press("Bottles"))
    await bot.do(anna.press("Bags"))
    # The buttons carry intent: a second tap on a stale "select" changes nothing.
    assert "✅ Bottles" in labels(anna) and "✅ Bags" in labels(anna)
    await bot.do(anna.press("Other (please say)"))
    await bot.do(anna.press("Done"))
    # Three ticks break the form's "count-selected(.) <= 2": asked again, ticks kept.
    assert "does not fit this question" in anna.last.text
    assert "Question 3 of 6" in anna.last.text
    await bot.do(anna.press("✅ Bags"))
    await bot.do(anna.press("Done"))
    assert "what “other” is" in anna.last.text
    await bot.do(anna.send_text("Fishing nets"))
    rating = anna.last
    assert "Question 4 of 6" in rating.text
    # A 1–10 scale is two rows of five (Telegram shows at most eight a row).
    assert [len(row) for row in rating.buttons] == [5, 5, 1]
    await bot.do(anna.press("9"))
    assert "Anything else?" in anna.last.text
    await bot.do(anna.send_text("x" * 4000))
    assert "That is too long: please keep it under 300 characters." in anna.last.text
    await bot.do(anna.press("Skip"))
    assert "Thank you" in anna.last.text and "Question 6 of 6" in anna.last.text
    await bot.do(anna.press("Continue"))
    summary = anna.last.text
    assert "Your answers:" in summary and "Bottles, Other (please say) – Fishing nets" in summary
    assert "(skipped)" in summary
    # A stale button of the first question changes nothing.
    await bot.do(anna.press_data(yes_data, first))
    assert "earlier step" in anna.callback_answers[-1]["text"]
    await bot.do(anna.press("Submit"))
    assert "You can change your answers until the survey closes." in anna.last.text
    assert await _answers(bot) == {
        "first_time": "no",
        "times": "12",
        "litter": ("bottles other", "Fishing nets"),
        "overall": "9",
    }
    [response] = await _responses(bot)
    assert response.submitted and response.survey_id == survey_id
    # Handed in: /my no longer lists it as waiting.
    await bot.do(anna.send_command("my"))
    assert "Surveys waiting" not in anna.last.text


async def test_a_named_response_is_changed_from_the_link_until_the_survey_closes(
    bot: BotRunner,
) -> None:
    event_id = await make_event(bot)
    survey_id = await _survey(bot, event_id, form=AFTER_CLEANUP.read_bytes())
    ben = await _participant(bot, 5002, event_id)
    await bot.do(ben.send_command("start", f"sv_{survey_id}"))
    assert "7 questions." in ben.last.text
    await bot.do(ben.press("Answer the survey"))
    assert "Question 1 of 7" in ben.last.text
    assert "1 = Poor" in ben.last.text and "5 = Excellent" in ben.last.text
    assert [len(row) for row in ben.last.buttons] == [5]
    # Double taps: the second press finds the question already answered.
    first, four = ben.last, _data(ben, "4")
    await asyncio.gather(bot.do(ben.press_data(four, first)), bot.do(ben.press_data(four, first)))
    assert "earlier step" in ben.callback_answers[-1]["text"]
    await bot.do(ben.press("5"))
    await bot.do(ben.press(button_with(ben, "Friends")))
    await bot.do(ben.press("Done"))  # nothing ticked, optional: skipped
    await bot.do(ben.press("« Back"))
    assert "Which litter worried you most?" in ben.last.text
    await bot.do(ben.press("Skip"))
    await bot.do(ben.send_text("Yes"))
    await bot.do(ben.press("Skip"))
    assert "Question 7 of 7" in ben.last.text
    assert [len(row) for row in ben.last.buttons][:2] == [6, 5]
    await bot.do(ben.press("10"))
    await bot.do(ben.press("Submit"))
    await bot.do(ben.press("Change my answers"))
    assert "You can change your answers until it closes." in ben.last.text
    await bot.do(ben.press("✏️ 1"))
    assert "Your answer: 4" in ben.last.text
    await bot.do(ben.press("2"))
    assert (await _answers(bot))["overall"] == "2"
    async with bot.session_factory() as session, session.begin():
        survey = await session.get(Survey, survey_id)
        assert survey is not None
        close_survey(survey, now=bot.clock())
    await bot.do(ben.press("✅ 5"))
    assert "This survey is closed" in ben.callback_answers[-1]["text"]
    await bot.do(ben.send_command("start", f"sv_{survey_id}"))
    assert "This survey is closed" in ben.last.text
    assert len(await _responses(bot)) == 1


async def test_a_tapped_answer_turns_its_question_into_the_next_one(bot: BotRunner) -> None:
    event_id = await make_event(bot)
    await _survey(bot, event_id)
    anna = await _participant(bot, 5011, event_id)
    await bot.do(anna.send_command("my"))
    await bot.do(anna.press("Answer: Beach cleanup feedback"))
    question, shown = anna.last, len(anna.messages)
    assert question is not None and "Question 1 of 5" in question.text
    await bot.do(anna.press("Yes"))
    # The newest message: edited into the next question, nothing new in the chat.
    assert len(anna.messages) == shown and anna.last.message_id == question.message_id
    assert "Question 2 of 5" in anna.last.text and "Litter seen?" in anna.last.text
    await bot.do(anna.press("Bottles"))
    assert anna.last.message_id == question.message_id and "✅ Bottles" in labels(anna)
    # Something came after the question: the tap's answer comes below, where it is seen, and
    # the question it was pressed on keeps no buttons.
    await bot.do(anna.send_sticker())
    assert anna.last.message_id != question.message_id
    await bot.do(anna.press("Bags", message=question.message_id))
    assert anna.last.message_id > question.message_id and "✅ Bags" in labels(anna)
    assert not next(m for m in anna.messages if m.message_id == question.message_id).buttons
    await bot.do(anna.press("Done"))
    assert "Question 3 of 5" in anna.last.text
    assert await _answers(bot) == {"first_time": "yes", "litter": "bottles bags"}


async def test_stopping_keeps_every_answer_and_opening_again_continues(bot: BotRunner) -> None:
    event_id = await make_event(bot)
    await _survey(bot, event_id)
    somchai = await _participant(bot, 5003, event_id, "th")
    await bot.do(somchai.send_command("my"))
    await bot.do(somchai.press(button_with(somchai, "ความเห็น")))
    assert "ครั้งแรกไหม" in somchai.last.text
    await bot.do(somchai.press("ไม่"))
    # Thai digits are read as the data card reads them.
    await bot.do(somchai.send_text("๑๒"))
    await bot.do(somchai.send_command("cancel"))
    t = bot.catalogs.translator("th")
    assert t._("Stopped. Your answers so far are saved: open the survey again to continue.") in (
        somchai.last.text
    )
    bot.clock.advance(days=6)
    # Typed text after /cancel is not taken as an answer.
    await bot.do(somchai.send_text("hello"))
    assert await _answers(bot) == {"first_time": "no", "times": "12"}
    await bot.do(somchai.send_command("my"))
    await bot.do(somchai.press(button_with(somchai, "ความเห็น")))
    assert t._("Welcome back: you continue where you stopped.") in somchai.last.text
    assert "เห็นขยะอะไร" in somchai.last.text
    # Another command mid-survey pauses it, and says how to pick it up (its answers are kept).
    before = somchai.mark()
    await bot.do(somchai.send_command("events"))
    paused = t._(
        "I paused what you were doing ({flow}). Your answers so far are kept: "
        "send {command} to pick up where you left off."
    ).format(flow=t._("answering a survey"), command="/my")
    assert paused in [m.text for m in somchai.inbox_since(before)]
    assert len(await _responses(bot)) == 1


async def test_bad_links_drafts_and_forged_buttons_are_refused(bot: BotRunner) -> None:
    event_id = await make_event(bot)
    draft = await _survey(bot, event_id, opened=False)
    cara = await _participant(bot, 5004, event_id)
    for payload in ("sv_999", f"sv_{draft}", "sv_abc"):
        await bot.do(cara.send_command("start", payload))
        assert "I can't find that survey" in cara.last.text
    await bot.do(cara.send_command("my"))
    assert "Surveys waiting" not in cara.last.text
    await bot.do(cara.press_data(f"survey.answer|{draft}|forged"))
    assert await _responses(bot) == []


async def test_anonymous_answers_are_unlinked_and_given_once(bot: BotRunner) -> None:
    event_id = await make_event(bot)
    survey_id = await _survey(bot, event_id, anonymous=True)
    dara = await _participant(bot, 5005, event_id)
    await bot.do(dara.send_command("start", f"sv_{survey_id}"))
    await bot.do(dara.press("Answer the survey"))
    assert "anonymous" in dara.messages[-2].text
    # Two taps on Answer at once still make one response.
    answer_button = dara.messages[-3]
    await asyncio.gather(
        bot.do(dara.press("Answer the survey", answer_button)),
        bot.do(dara.press("Answer the survey", answer_button)),
    )
    assert len(await _responses(bot)) == 1
    await bot.do(dara.press("Yes"))
    await bot.do(dara.press("Skip"))
    await bot.do(dara.press("3"))
    await bot.do(dara.press("Skip"))
    await bot.do(dara.press("Continue"))
    await bot.do(dara.press("Submit"))
    assert "Change my answers" not in labels(dara)
    [response] = await _responses(bot)
    assert response.user_id is None and response.submitted
    await bot.do(dara.send_command("start", f"sv_{survey_id}"))
    assert "You have already answered this survey" in dara.last.text
    await bot.do(dara.press("Answer the survey", answer_button))
    assert "You have already answered this survey" in dara.last.text
    assert len(await _responses(bot)) == 1


async def test_mydata_shows_named_answers_and_deleteme_unlinks_them(bot: BotRunner) -> None:
    event_id = await make_event(bot)
    survey_id = await _survey(bot, event_id)
    eko = await _participant(bot, 5006, event_id)
    await bot.do(eko.send_command("start", f"sv_{survey_id}"))
    await bot.do(eko.press("Answer the survey"))
    await bot.do(eko.press("Yes"))
    await bot.do(eko.send_command("mydata"))
    document = eko.last.document
    assert document is not None
    exported = json.loads(document.data)
    [survey_data] = exported["survey_responses"]
    assert survey_data["survey"] == "Beach cleanup feedback"
    assert survey_data["answers"] == {"first_time": "yes"}
    await bot.do(eko.send_command("deleteme"))
    await bot.do(eko.press("Yes, delete my data"))
    await bot.do(eko.press("Delete everything now"))
    [response] = await _responses(bot)
    assert response.user_id is None and response.started_at is None
    async with bot.session_factory() as session:
        links = await session.scalar(
            select(func.count())
            .select_from(SurveyParticipant)
            .where(SurveyParticipant.response_id.is_not(None))
        )
    assert links == 0


async def test_a_restart_mid_survey_keeps_the_question_open(bot: BotRunner) -> None:
    event_id = await make_event(bot)
    survey_id = await _survey(bot, event_id)
    fay = await _participant(bot, 5007, event_id)
    await bot.do(fay.send_command("start", f"sv_{survey_id}"))
    await bot.do(fay.press("Answer the survey"))
    await bot.do(fay.press("No"))
    await bot.stop()
    restarted = BotRunner(bot.server, bot.settings, bot.clock)
    await restarted.start()
    try:
        # The typed answer still reaches the question after the restart.
        await restarted.do(fay.send_text("3"))
        assert "Litter seen?" in fay.last.text
        await restarted.do(fay.send_photo(b"not really a photo"))
        assert "Please use the buttons above" in fay.last.text
        # A typed label ticks that option; the ticks wait for Done.
        await restarted.do(fay.send_text("bags"))
        # Taken as a press of that button (handlers.runtime.typed_presses): the question's own
        # message shows the tick.
        question = next(m for m in reversed(fay.messages) if "Question 3 of 6" in m.text)
        assert "✅ Bags" in [label for row in question.buttons for label, _ in row]
        await restarted.do(fay.press("Done"))
        assert "Overall?" in fay.last.text
    finally:
        await restarted.stop()
    async with bot.session_factory() as session:
        [response] = (await session.scalars(select(SurveyResponse))).all()
        assert len(response.answers) == 3


async def test_surveys_not_open_yet_and_people_not_set_up_are_told(bot: BotRunner) -> None:
    event_id = await make_event(bot)
    async with bot.session_factory() as session, session.begin():
        saved = await import_form(session, KOBO_STYLE, event_id=event_id, now=bot.clock())
        later = bot.clock() + timedelta(days=2)
        open_survey(saved.survey, now=bot.clock(), opens_at=later, closes_at=later + WEEK)
        survey_id = saved.survey.id
    gita = await _participant(bot, 5008, event_id)
    await bot.do(gita.send_command("start", f"sv_{survey_id}"))
    assert "This survey is not open yet." in gita.last.text
    await bot.do(gita.send_command("my"))
    assert "Surveys waiting" not in gita.last.text
    bot.clock.advance(days=3)
    await bot.do(gita.send_command("my"))
    assert "Surveys waiting" in gita.last.text
    newcomer = bot.server.user(5009, first_name="New", language_code="en")
    await bot.do(newcomer.send_command("start", f"sv_{survey_id}"))
    assert "First, let's set you up" in newcomer.messages[0].text
    assert await _responses(bot) == []


async def test_survey_texts_fall_back_and_say_which_language_is_shown(bot: BotRunner) -> None:
    event_id = await make_event(bot)
    survey_id = await _survey(bot, event_id)
    lin = await _participant(bot, 5010, event_id, "zh")
    zh = bot.catalogs.translator("zh")
    await bot.do(lin.send_command("start", f"sv_{survey_id}"))
    # The form has no Chinese: its English (the default language) is shown, and said so.
    assert "Beach cleanup feedback" in lin.last.text and "英语" in lin.last.text
    await bot.do(lin.press(zh._("Answer the survey")))
    assert "First cleanup?" in lin.last.text and "英语" in lin.last.text
    assert zh._("Question {number} of {total}").format(number=1, total=5) in lin.last.text


async def test_my_lists_surveys_only_for_registrations_taken_up(bot: BotRunner) -> None:
    event_id = await make_event(bot)
    other_event = await make_event(bot)
    await _survey(bot, event_id)
    await _survey(bot, other_event, form=AFTER_CLEANUP.read_bytes())
    hana = await _participant(bot, 5011, event_id)
    await bot.do(hana.send_command("my"))
    # Only the survey of the event she registered for, not the other event's.
    answers = [label for label in labels(hana) if label.startswith("Answer: ")]
    assert answers == ["Answer: Beach cleanup feedback"]
    registration = await registration_of(bot, event_id, 5011)
    assert registration is not None
    async with bot.session_factory() as session, session.begin():
        mine = await session.get(Registration, registration.id)
        assert mine is not None
        await service.cancel_registration(session, mine, now=bot.clock())
    await bot.do(hana.send_command("my"))
    assert "Surveys waiting" not in hana.last.text
