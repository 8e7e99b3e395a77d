"""One flow at a time, and typed button labels: a flow that starts ends (or pauses, when it keeps
its answers) whatever else the chat was in and says so, /cancel names what it cancelled, and a
typed label of the current question's button is that button (issue 13, items 2 and 3)."""

from datetime import UTC, datetime

from sqlalchemy import select

from accounts.models import ConsentPurpose, StakeholderRole
from demo.runner import BotRunner
from events.models import Event, EventText
from handlers.kit.profile_fields import CONSENT_LABELS, STAKEHOLDER_LABELS
from i18n import LANGUAGES
from tests.accounts_db import account
from tests.cleanup_fixtures import make_cleanup, register
from tests.flows import button_with, onboard
from tests.organize_flows import load_event, make_organizer, stored_event

PAUSED_WIZARD = (
    "I paused what you were doing (organizing events). Your answers so far are kept: "
    "send /organize to pick up where you left off."
)
NOT_UNDERSTOOD = "I didn't understand that. Send /help to see what I can do."


def _texts(person, since) -> list[str]:  # type: ignore[no-untyped-def]
    return [message.text or "" for message in person.inbox_since(since)]


async def _report_to_review(bot: BotRunner, organizer_id: int, reporter_id: int) -> None:
    """A cleanup organized by ``organizer_id`` with one submitted data card to review."""
    cleanup_id = await make_cleanup(bot, organizers=(organizer_id,))
    reporter = bot.server.user(reporter_id, first_name="Somchai", language_code="en")
    await onboard(bot, reporter)
    await register(bot, cleanup_id, reporter_id)
    await bot.do(reporter.send_command("report"))
    for figure in ("5", "30", "10", "800 m"):
        await bot.do(reporter.send_text(figure))
    await bot.do(reporter.press("Continue without tally"))
    await bot.do(reporter.press("Submit"))


async def test_an_unfinished_report_review_does_not_eat_the_answer_to_edit_date(
    bot: BotRunner,
) -> None:
    ana = await make_organizer(bot, 7301, "Ana")
    event_id = await stored_event(bot, 7301)
    await _report_to_review(bot, 7301, 7302)
    await bot.do(ana.send_command("organize"))
    await bot.do(ana.press(button_with(ana, "Mangrove roundtable")))
    card = ana.last
    # The review is left open: its buttons are on screen, and it expects nothing typed.
    await bot.do(ana.send_command("report"))
    if "Which cleanup" in ana.last.text:
        await bot.do(ana.press("Review: Bang Saen beach cleanup"))
    assert "0 of 1 reviewed" in ana.last.text
    before = ana.mark()
    await bot.do(ana.press("Edit", message=card))
    await bot.do(ana.press("Date and time", message=card))
    # The edit now waits for a typed date: the review, open until then, ends.
    assert "I stopped what you were doing (the cleanup data card)." in _texts(ana, before)
    await bot.do(ana.send_text("2026-12-20 08:00"))
    await bot.do(ana.send_text("11:00"))
    assert "Please use the buttons above" not in " ".join(_texts(ana, before))
    assert "Everyone registered will hear about the change" in ana.last.text
    event = await load_event(bot, event_id)
    assert event.starts_at == datetime(2026, 12, 20, 1, 0, tzinfo=UTC)  # Bangkok, UTC+7
    # Nothing is left open: /cancel has nothing to cancel, and says so.
    await bot.do(ana.send_command("cancel"))
    assert ana.last.text == "There is nothing to cancel. Send /help to see what I can do."


async def test_cancel_names_the_flow_it_cancelled(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 7303, "Ana")
    await stored_event(bot, 7303)
    await _report_to_review(bot, 7303, 7304)
    await bot.do(ana.send_command("report"))
    await bot.do(ana.send_command("organize"))
    await bot.do(ana.press(button_with(ana, "Mangrove roundtable")))
    await bot.do(ana.press("Edit"))
    await bot.do(ana.press("Date and time"))
    before = ana.mark()
    await bot.do(ana.send_command("cancel"))
    texts = _texts(ana, before)
    assert texts[0] == "I cancelled what you were doing (organizing events)."
    assert texts[1].startswith("Stopped.")
    # The review was ended when the edit began: the typed date is nobody's answer now.
    await bot.do(ana.send_text("2026-12-20 08:00"))
    assert ana.last.text == NOT_UNDERSTOOD

    lee = bot.server.user(7305, first_name="Lee", language_code="en")
    await onboard(bot, lee)
    await bot.do(lee.send_command("profile"))
    await bot.do(lee.press("City"))
    before = lee.mark()
    await bot.do(lee.send_command("cancel"))
    assert _texts(lee, before) == [
        "I cancelled what you were doing (changing your profile).",
        "Cancelled. Your profile is as it was before this change.",
    ]


async def _wizard_until_description(bot: BotRunner, person) -> None:  # type: ignore[no-untyped-def]
    await bot.do(person.send_command("organize"))
    await bot.do(person.press("➕ New event"))
    await bot.do(person.press("Cleanup"))
    await bot.do(person.send_text("Yangon river cleanup"))


async def test_language_mid_wizard_pauses_it_and_says_so(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 7306, "Ana")
    await _wizard_until_description(bot, ana)
    before = ana.mark()
    await bot.do(ana.send_command("language"))
    texts = _texts(ana, before)
    assert texts[0] == PAUSED_WIZARD
    assert ana.last.has_inline_keyboard  # the languages, after the notice
    await bot.do(ana.press(button_with(ana, "English")))
    # The wizard no longer reads what is typed …
    await bot.do(ana.send_text("Bring gloves and water."))
    assert ana.last.text == NOT_UNDERSTOOD
    # … and picks up where it was.
    await bot.do(ana.send_command("organize"))
    await bot.do(ana.press(button_with(ana, "Continue: Yangon river cleanup")))
    await bot.do(ana.send_text("Bring gloves and water."))
    assert "Bring gloves" not in ana.last.text


async def test_start_mid_wizard_pauses_it_and_says_so(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 7307, "Ana")
    await _wizard_until_description(bot, ana)
    before = ana.mark()
    await bot.do(ana.send_command("start"))
    texts = _texts(ana, before)
    assert texts[0] == PAUSED_WIZARD
    assert texts[-1].startswith("Welcome back, Ana!")
    await bot.do(ana.send_text("Bring gloves and water."))
    assert ana.last.text == NOT_UNDERSTOOD


async def _until_organization(bot: BotRunner, person, language: str) -> None:  # type: ignore[no-untyped-def]
    t = bot.catalogs.translator(language)
    await bot.do(person.send_command("start"))
    await bot.do(person.press(button_with(person, LANGUAGES[language].native_name)))
    await bot.do(
        person.press(button_with(person, t._(CONSENT_LABELS[ConsentPurpose.EVENT_LOGISTICS])))
    )
    await bot.do(person.press(t._("Continue")))
    await bot.do(person.press(t._(STAKEHOLDER_LABELS[StakeholderRole.COMMUNITY])))


async def test_typing_skip_on_the_organization_question_skips_it(bot: BotRunner) -> None:
    for telegram_id, language, typed in ((7308, "en", "Skip"), (7309, "fil", "laktawan ")):
        person = bot.server.user(telegram_id, first_name="Maria", language_code=language)
        await _until_organization(bot, person, language)
        await bot.do(person.send_text(typed))
        t = bot.catalogs.translator(language)
        # The next question (the country), as after a tap on Skip.
        assert t.country_name("TH") in [text for row in person.last.buttons for text, _ in row]
        stored = await account(bot, telegram_id)
        assert stored is not None and stored.organization is None, typed


async def test_typing_skip_on_the_description_skips_it_and_old_labels_are_text(
    bot: BotRunner,
) -> None:
    ana = await make_organizer(bot, 7310, "Ana")
    await bot.do(ana.send_command("organize"))
    await bot.do(ana.press("➕ New event"))
    await bot.do(ana.press("Cleanup"))
    # "Cleanup" was a label of the question before: typed now, it is the title.
    await bot.do(ana.send_text("Cleanup"))
    await bot.do(ana.send_text("Skip"))
    await bot.do(ana.send_text("Botataung Jetty"))
    await bot.do(ana.send_text("Strand Road, Botataung"))
    await bot.do(ana.send_location(16.7690, 96.1720))
    await bot.do(ana.press("Myanmar (Burma)"))
    await bot.do(ana.send_text("Yangon"))
    if "Keep what I typed" in [text for row in ana.last.buttons for text, _ in row]:
        await bot.do(ana.press("Keep what I typed"))
    await bot.do(ana.send_text("2026-12-05 09:00"))
    await bot.do(ana.send_text("12:30"))
    await bot.do(ana.send_text("40"))
    await bot.do(ana.press("Anyone can register"))
    assert "Almost done" in ana.last.text
    async with bot.session_factory() as session:
        text = await session.scalar(
            select(EventText).join(Event).order_by(Event.id.desc()).limit(1)
        )
    assert text is not None
    assert (text.title, text.description) == ("Cleanup", "")
