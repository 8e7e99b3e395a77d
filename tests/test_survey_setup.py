"""The organizer's survey screen, through the sandbox: a template in four taps, the anonymous
warning, missing languages, XLSForm files good and bad, and role checks on every button."""

from datetime import timedelta

from demo.runner import BotRunner
from handlers.kit import actions as shared
from handlers.surveys import setup
from surveys.models import SurveyStatus
from surveys.xlsform import MAX_FILE_BYTES
from tests.conftest import ADMIN_ID
from tests.flows import labels
from tests.organize_flows import make_organizer, stored_event
from tests.survey_flows import (
    THREE_QUESTIONS,
    alerts,
    codec_data,
    open_card,
    surveys_of,
    xlsform,
)


async def test_a_template_runs_in_four_taps(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 6101, "Ana")
    event_id = await stored_event(bot, 6101, starts_in=timedelta(hours=3))
    await open_card(bot, ana, event_id)
    assert "📝 Survey" in labels(ana)

    await bot.do(ana.press("📝 Survey"))
    assert "This event has no survey yet" in ana.last.text
    await bot.do(ana.press("Template: after a roundtable"))
    assert "anonymous or named" in ana.last.text
    assert "cannot be made named later" in ana.last.text
    await bot.do(ana.press("👤 Named"))
    assert "Written in all 12 languages." in ana.last.text
    assert "Status: draft" in ana.last.text
    await bot.do(ana.press("✅ Open the survey"))

    assert "✅ The survey is open." in ana.last.text
    assert "Results" in labels(ana) and "Close the survey" in labels(ana)
    (survey,) = await surveys_of(bot, event_id)
    assert survey.status == SurveyStatus.OPEN and not survey.anonymous
    assert len(survey.questions) >= 6 and len(survey.texts) == 12

    # A template tapped again from an old screen leaves the open survey alone.
    await bot.do(ana.press_data(codec_data(bot, ana, setup.TEMPLATE, event_id, "cleanup")))
    assert alerts(ana)[-1] == "The survey is already open."
    (survey,) = await surveys_of(bot, event_id)
    assert survey.form_id == "tideline_after_roundtable" and survey.status == SurveyStatus.OPEN


async def test_anonymous_is_warned_before_opening_and_stays_anonymous(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 6111, "Ana")
    event_id = await stored_event(bot, 6111)
    await open_card(bot, ana, event_id)
    await bot.do(ana.press("📝 Survey"))
    await bot.do(ana.press("Template: after a cleanup"))
    await bot.do(ana.press("🔒 Anonymous"))
    assert "🔒 Anonymous" in ana.last.text
    assert "Once the survey is open, it cannot be made named later." in ana.last.text
    assert "Make it named" in labels(ana)
    stale_named = next(data for text, data in ana.last.buttons[1] if text == "Make it named")
    await bot.do(ana.press("✅ Open the survey"))
    (survey,) = await surveys_of(bot, event_id)
    assert survey.status == SurveyStatus.OPEN and survey.anonymous

    # The draft's "Make it named" pressed after opening changes nothing.
    assert stale_named is not None
    await bot.do(ana.press_data(stale_named))
    assert alerts(ana)[-1] == (
        "The survey is already open: whether it is anonymous can no longer change."
    )
    (survey,) = await surveys_of(bot, event_id)
    assert survey.anonymous


async def test_uploaded_form_shows_the_languages_it_lacks(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 6121, "Ana")
    event_id = await stored_event(bot, 6121)
    await open_card(bot, ana, event_id)
    await bot.do(ana.press("📝 Survey"))
    await bot.do(ana.press("Send an XLSForm file"))
    assert "XLSForm .xlsx file" in ana.last.text

    await bot.do(ana.send_text("here it comes"))
    assert ana.last.text == "Please send the form as an .xlsx file, or send /cancel to stop."
    await bot.do(ana.send_sticker())
    assert ana.last.text == "Please send the form as an .xlsx file, or send /cancel to stop."
    await bot.do(ana.send_document(xlsform(THREE_QUESTIONS), filename="feedback.xlsx"))

    assert "✅ Imported as a new draft." in ana.last.text
    assert "3 questions" in ana.last.text
    missing = ana.last.text.split("Not written in: ")[1].split(".")[0]
    assert "Thai" not in missing and "English" not in missing
    assert "Chinese" in missing and "Khmer" in missing
    assert "People who read them get English instead." in ana.last.text
    (survey,) = await surveys_of(bot, event_id)
    assert survey.status == SurveyStatus.DRAFT and survey.form_id == "feedback_test"


async def test_broken_files_are_listed_and_nothing_is_saved(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 6131, "Ana")
    event_id = await stored_event(bot, 6131)
    await open_card(bot, ana, event_id)
    await bot.do(ana.press("📝 Survey"))
    await bot.do(ana.press("Send an XLSForm file"))

    broken = xlsform(
        [
            ["selectone colours", "colour", "Colour?", "สี"],
            ["text", "liked", "Liked?", "ชอบ"],
            ["text", "liked", "Liked again?", "ชอบอีก"],
            ["select_one nowhere", "where", "Where?", "ที่ไหน"],
        ]
    )
    await bot.do(ana.send_document(broken, filename="broken.xlsx"))
    text = ana.last.text
    assert text.startswith("Nothing was saved: the file has")
    assert "survey!A2: unknown or unsupported question type" in text
    assert "this name is used twice" in text
    assert "this choice list is not in the choices sheet" in text
    assert len(ana.messages[-1].text or "") <= 4096

    await bot.do(ana.send_document(b"PK\x03\x04 not really", filename="fake.xlsx"))
    assert "this is not an .xlsx spreadsheet" in ana.last.text

    await bot.do(ana.send_document(b"x" * (MAX_FILE_BYTES + 1), filename="huge.xlsx"))
    assert ana.last.text == "Nothing was saved: the file is larger than 5 MB."

    too_many = xlsform([["text", f"q{n}", f"Question {n}", f"คำถาม {n}"] for n in range(500)])
    await bot.do(ana.send_document(too_many, filename="many.xlsx"))
    assert "the form has too many questions" in ana.last.text
    assert await surveys_of(bot, event_id) == []

    # Still waiting for a file after all that: a good one is taken.
    await bot.do(ana.send_document(xlsform(THREE_QUESTIONS), filename="good.xlsx"))
    assert "✅ Imported as a new draft." in ana.last.text
    assert len(await surveys_of(bot, event_id)) == 1


async def test_other_organizers_and_forged_buttons_are_refused(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 6141, "Ana")
    ben = await make_organizer(bot, 6142, "Ben")
    event_id = await stored_event(bot, 6141)
    await open_card(bot, ana, event_id)
    await bot.do(ana.press("📝 Survey"))
    await bot.do(ana.press("Template: after a roundtable"))
    await bot.do(ana.press("👤 Named"))
    (survey,) = await surveys_of(bot, event_id)

    refused = "Only the organizers of this event can do that."
    for action, *args in [
        (shared.OPEN_EVENT_SURVEY, event_id),
        (setup.TEMPLATE, event_id, "cleanup"),
        (setup.ANONYMITY, survey.id, "anonymous"),
        (setup.OPEN, survey.id),
        (setup.CLOSE, survey.id),
        (setup.SEND_FILE, event_id),
    ]:
        await bot.do(ben.press_data(codec_data(bot, ben, action, *args)))
        assert alerts(ben)[-1] == refused, action
    # Ana's own button pressed by Ben, and data nobody signed.
    open_button = next(data for text, data in ana.last.buttons[0] if "Open" in text)
    assert open_button is not None
    await bot.do(ben.press_data(open_button))
    assert alerts(ben)[-1].startswith("This button is not valid")
    await bot.do(ben.press_data(f"{setup.OPEN}|{survey.id}|AAAAAAAA"))
    assert alerts(ben)[-1].startswith("This button is not valid")
    (survey,) = await surveys_of(bot, event_id)
    assert survey.status == SurveyStatus.DRAFT and not survey.anonymous

    # The administrator may open it.
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    await bot.do(admin.press_data(codec_data(bot, admin, setup.OPEN, survey.id)))
    assert (await surveys_of(bot, event_id))[0].status == SurveyStatus.OPEN


async def test_cancel_stops_waiting_for_the_file(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 6151, "Ana")
    event_id = await stored_event(bot, 6151)
    await open_card(bot, ana, event_id)
    await bot.do(ana.press("📝 Survey"))
    await bot.do(ana.press("Send an XLSForm file"))
    await bot.do(ana.send_command("cancel"))
    assert ana.last.text == "Stopped. Nothing else was changed."
    await bot.do(ana.send_document(xlsform(THREE_QUESTIONS), filename="late.xlsx"))
    assert await surveys_of(bot, event_id) == []


async def test_a_survey_opened_long_after_the_event_never_names_a_past_sending_time(
    bot: BotRunner,
) -> None:
    ana = await make_organizer(bot, 6191, "Ana")
    event_id = await stored_event(bot, 6191, starts_in=timedelta(hours=3))
    bot.clock.advance(days=2)  # the event ended (3 hours long) well over an hour ago
    await open_card(bot, ana, event_id)
    await bot.do(ana.press("📝 Survey"))
    await bot.do(ana.press("Template: after a roundtable"))
    await bot.do(ana.press("👤 Named"))
    assert "the invitations go out at once (the event ended more than an hour ago)" in (
        ana.last.text
    )
    assert "go out on" not in ana.last.text

    await bot.do(ana.press("✅ Open the survey"))
    assert "so the invitations have gone out (or go out within a minute)" in ana.last.text
    assert "go out on" not in ana.last.text


async def test_a_survey_opened_before_the_event_names_when_invitations_go_out(
    bot: BotRunner,
) -> None:
    ana = await make_organizer(bot, 6192, "Ana")
    event_id = await stored_event(bot, 6192, starts_in=timedelta(hours=3))
    await open_card(bot, ana, event_id)
    await bot.do(ana.press("📝 Survey"))
    await bot.do(ana.press("Template: after a roundtable"))
    await bot.do(ana.press("👤 Named"))
    assert "⏰ Invitations on" in ana.last.text and "1 hour after the event ends" in ana.last.text
    await bot.do(ana.press("✅ Open the survey"))
    assert "Status: open." in ana.last.text and "⏰ Invitations on" in ana.last.text
