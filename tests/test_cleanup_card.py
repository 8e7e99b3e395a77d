"""The cleanup data card through the real bot and the sandbox: the quick path, the item tally,
photos with and without consent, organizer review, totals, impact summaries and bad input."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from accounts.models import ConsentPurpose
from accounts.service import find_account
from db.models import ConversationState
from demo.runner import BotRunner
from events import cleanup_card as card
from events.models import CleanupReport, EventStatus, RegistrationStatus
from handlers.cleanup.flow import figures_line
from handlers.kit.actions import REPORT_CLEANUP as REPORT
from tests.cleanup_fixtures import (
    make_cleanup,
    register,
    remove_organizer,
    reports_of,
    set_status,
    user_id_of,
)
from tests.conftest import ADMIN_ID
from tests.flows import button_with, labels, onboard

TITLE = "Bang Saen beach cleanup"
WITH_PHOTOS = (ConsentPurpose.EVENT_LOGISTICS, ConsentPurpose.PHOTOS_LOCATION)


def codec(bot: BotRunner):  # type: ignore[no-untyped-def]
    return bot.application.bot_data["services"].codec


async def participant(
    bot: BotRunner, telegram_id: int, event_id: int, *, language: str = "en", **onboarding
):  # type: ignore[no-untyped-def]
    person = bot.server.user(telegram_id, first_name=f"P{telegram_id}", language_code=language)
    await onboard(bot, person, language=language, **onboarding)
    await register(bot, event_id, telegram_id)
    return person


async def type_quick_figures(bot: BotRunner, person, *figures: str) -> None:  # type: ignore[no-untyped-def]
    for figure in figures:
        await bot.do(person.send_text(figure))


async def test_quick_path_and_a_double_tap_on_submit_make_one_report(bot: BotRunner) -> None:
    event_id = await make_cleanup(bot)
    mali = await participant(bot, 6001, event_id)
    await bot.do(mali.send_command("report"))
    assert TITLE in mali.last.text, "with one cleanup, /report goes straight in"
    assert "How many bags" in mali.last.text
    await type_quick_figures(bot, mali, "3", "12,5", "8", "1.5 km")
    assert mali.last.text.startswith("3 bags · 12.5 kg · 8 people · 1.5 km")
    await bot.do(mali.press("Continue without tally"))
    photo_note, confirmation = mali.messages[-2:]
    assert "/privacy" in photo_note.text, "photos need the consent, and /privacy gives it"
    assert "Please check your data card" in confirmation.text

    first = await mali.press("Submit")
    second = await mali.press("Submit")
    await bot.settle(first)
    await bot.settle(second)

    (report,) = await reports_of(bot, event_id)
    assert (report.bags, report.weight_kg, report.people, report.distance_m) == (3, 12.5, 8, 1500)
    assert report.items == {} and report.photo_file_ids == []
    assert report.reporter_id == await user_id_of(bot, 6001)
    assert "Thank you! Your data card for Bang Saen beach cleanup is in." in mali.last.text
    assert mali.callback_answers[-1]["text"] == "This data card has already been submitted."
    async with bot.session_factory() as session:
        drafts = await session.scalars(
            select(ConversationState).where(ConversationState.name == card.DRAFT_STORE)
        )
        assert list(drafts) == []


async def test_full_tally_with_typed_counts_and_an_item_of_local_concern(bot: BotRunner) -> None:
    event_id = await make_cleanup(bot)
    ana = await participant(bot, 6002, event_id)
    await bot.do(ana.send_command("report"))
    await type_quick_figures(bot, ana, "2", "7", "4", "300")
    await bot.do(ana.press("Add item tally"))
    assert "Nothing counted yet." in ana.last.text
    await bot.do(ana.press("Most likely to find"))
    await bot.do(ana.press("Cigarette butts"))
    await bot.do(ana.press("+10"))
    await bot.do(ana.press("+5"))
    assert ana.last.text.startswith("Cigarette butts: 15")
    await bot.do(ana.send_text("40"))
    assert ana.last.text.startswith("Cigarette butts: 40"), "a typed number is the total"
    await bot.do(ana.press("Back"))
    assert "Cigarette butts · 40" in labels(ana)
    await bot.do(ana.press("Back"))
    await bot.do(ana.press("Fishing gear"))
    await bot.do(ana.press("Rope"))
    await bot.do(ana.press("+1"))
    await bot.do(ana.press("Back"))
    await bot.do(ana.press("Back"))
    await bot.do(ana.press("Sachets, masks, gloves"))
    await bot.do(ana.press("Single-use sachets"))
    await bot.do(ana.send_text("12.5"))
    assert ana.last.text == "Please type a whole number, for example 3."
    await bot.do(ana.send_text("1,200"))
    assert ana.last.text.startswith("Single-use sachets: 1,200"), "English groups with commas"
    await bot.do(ana.send_text("120"))
    await bot.do(ana.press("Back"))
    await bot.do(ana.press("Back"))
    await bot.do(ana.press("Items of local concern"))
    await bot.do(ana.send_sticker())
    assert ana.last.text.startswith("Please type your answer as a text message")
    await bot.do(ana.send_text("ก" * 4096))
    assert ana.last.text == "That is too long: please keep it under 60 characters."
    await bot.do(ana.send_text("Coconut <husks>"))
    await bot.do(ana.press("+5"))
    assert "<b>Coconut &lt;husks&gt;</b>: 5" in ana.last.raw_text
    await bot.do(ana.press("Back"))
    assert "• Single-use sachets: 120" in ana.last.text
    await bot.do(ana.press("Done"))
    confirmation = ana.last.text
    assert "• Cigarette butts: 40" in confirmation and "• Coconut <husks>: 5" in confirmation
    await bot.do(ana.press("Submit"))

    (report,) = await reports_of(bot, event_id)
    assert report.items == {
        "cigarette_butts": 40,
        "rope": 1,
        "sachets": 120,
        "local:Coconut <husks>": 5,
    }


async def test_photos_are_kept_only_with_the_photo_consent(bot: BotRunner) -> None:
    event_id = await make_cleanup(bot)
    lin = await participant(bot, 6003, event_id, consents=WITH_PHOTOS)
    await bot.do(lin.send_command("report"))
    await bot.do(lin.send_photo(b"\xff\xd8\xff\xe0 beach"))
    assert lin.last.text.startswith("Please type a number"), "a photo is not a bag count"
    await type_quick_figures(bot, lin, "1", "2", "1", "100")
    await bot.do(lin.press("Continue without tally"))
    assert "You can add up to 10 photos" in lin.last.text
    await bot.do(lin.send_photo(b"\xff\xd8\xff\xe0 first"))
    await bot.do(lin.send_photo(b"\xff\xd8\xff\xe0 second"))
    assert lin.last.text == "2 photos added."
    await bot.do(lin.send_sticker())
    assert lin.last.text == "Please send a photo, or tap Continue. Send /cancel to stop."
    await bot.do(lin.press("Continue"))
    assert "2 photos" in lin.last.text
    await bot.do(lin.press("Submit"))
    (report,) = await reports_of(bot, event_id)
    assert len(report.photo_file_ids) == 2

    # Without the consent the photo step is replaced by a pointer to /privacy (first test),
    # and photos never reach a report even if the consent is withdrawn midway.
    await bot.do(lin.send_command("report"))
    await type_quick_figures(bot, lin, "1", "2", "1", "100")
    await bot.do(lin.press("Continue without tally"))
    await bot.do(lin.send_photo(b"\xff\xd8\xff\xe0 third"))
    await bot.do(lin.send_command("privacy"))
    await bot.do(lin.press(button_with(lin, "Photos and location")))
    await bot.do(lin.send_photo(b"\xff\xd8\xff\xe0 fourth"))
    assert "/privacy" in lin.messages[-2].text
    assert "photo" not in lin.last.text, "the confirmation shows only what will be kept"
    await bot.do(lin.press("Submit"))
    (report,) = await reports_of(bot, event_id)
    assert report.photo_file_ids == [], "a new card from the same person replaces the old one"


async def test_organizer_corrects_and_reviews_and_the_reporter_cannot_resend(
    bot: BotRunner,
) -> None:
    organizer = bot.server.user(6010, first_name="Org", language_code="en")
    co_organizer = bot.server.user(6013, first_name="Co", language_code="en")
    await onboard(bot, organizer)
    await onboard(bot, co_organizer)
    event_id = await make_cleanup(bot, organizers=(6010, 6013))
    somchai = await participant(bot, 6011, event_id)
    await bot.do(somchai.send_command("report"))
    await type_quick_figures(bot, somchai, "5", "30", "10", "800 m")
    await bot.do(somchai.press("Continue without tally"))
    await bot.do(somchai.press("Submit"))
    (report,) = await reports_of(bot, event_id)

    await bot.do(organizer.send_command("report"))
    assert organizer.last.text == "Which cleanup is it about?"
    await bot.do(organizer.press(f"Review: {TITLE}"))
    assert f"Report {report.id}" in organizer.last.text
    assert "0 of 1 reviewed" in organizer.last.text
    await bot.do(organizer.press(f"Correct {report.id}"))
    await bot.do(organizer.press("Weight (kg)"))
    assert "is now 30" in organizer.last.text
    await bot.do(organizer.send_text("-4"))
    assert organizer.last.text == "That can't be negative. Please type 0 or more."
    await bot.do(organizer.send_text("250000"))
    assert organizer.last.text.startswith("That is more than 100,000.")
    await bot.do(organizer.send_text("27,5"))
    assert organizer.messages[-2].text == "Corrected."
    assert "27.5 kg" in organizer.last.text
    await bot.do(organizer.press(f"Mark {report.id} reviewed"))
    assert "1 of 1 reviewed" in organizer.last.text
    await bot.do(organizer.press("Close"))

    (report,) = await reports_of(bot, event_id)
    assert report.weight_kg == 27.5
    assert report.reviewed_at == bot.clock.now
    assert report.reviewed_by == await user_id_of(bot, 6010)

    await bot.do(somchai.send_command("report"))
    assert "already reviewed" in somchai.last.text


async def test_an_organizer_removed_from_the_event_can_no_longer_review(bot: BotRunner) -> None:
    organizer = bot.server.user(6015, first_name="Org", language_code="en")
    await onboard(bot, organizer)
    event_id = await make_cleanup(bot, organizers=(6015,))
    reporter = await participant(bot, 6016, event_id)
    await bot.do(reporter.send_command("report"))
    await type_quick_figures(bot, reporter, "1", "1", "1", "1")
    await bot.do(reporter.press("Continue without tally"))
    await bot.do(reporter.press("Submit"))
    (report,) = await reports_of(bot, event_id)

    await bot.do(organizer.send_command("report"))
    await bot.do(organizer.press(f"Review: {TITLE}"))
    await remove_organizer(bot, event_id, 6015)
    await bot.do(organizer.press(f"Mark {report.id} reviewed"))
    assert organizer.callback_answers[-1]["text"] == (
        "Only the organizers of this cleanup can do that."
    )
    (report,) = await reports_of(bot, event_id)
    assert report.reviewed_at is None


async def test_people_who_did_not_take_part_cannot_report(bot: BotRunner) -> None:
    event_id = await make_cleanup(bot)
    waiting = await participant(bot, 6020, event_id)
    stranger = bot.server.user(6021, first_name="Stranger", language_code="en")
    await onboard(bot, stranger)
    other = await make_cleanup(bot, titles={"en": "Jomtien"})
    await register(bot, other, 6020, RegistrationStatus.WAITLISTED)

    await bot.do(stranger.send_command("report"))
    assert stranger.last.text.startswith("You have no cleanup to report for right now.")
    await bot.do(stranger.press_data(codec(bot).encode(6021, REPORT, event_id)))
    assert stranger.callback_answers[-1]["text"].startswith("Only participants with a confirmed")
    await bot.do(waiting.press_data(codec(bot).encode(6020, REPORT, other)))
    assert waiting.callback_answers[-1]["text"].startswith("Only participants with a confirmed")

    # Admins may report for any cleanup.
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    await onboard(bot, admin)
    await bot.do(admin.press_data(codec(bot).encode(ADMIN_ID, REPORT, event_id)))
    assert "How many bags" in admin.last.text


async def test_cleanups_not_started_or_long_over_take_no_card(bot: BotRunner) -> None:
    later = await make_cleanup(bot, starts_at=bot.clock.now + timedelta(days=1))
    long_ago = await make_cleanup(bot, starts_at=bot.clock.now - timedelta(days=20))
    person = await participant(bot, 6025, later)
    await register(bot, long_ago, 6025)
    await bot.do(person.send_command("report"))
    assert person.last.text.startswith("You have no cleanup to report for right now.")
    await bot.do(person.press_data(codec(bot).encode(6025, REPORT, later)))
    assert person.callback_answers[-1]["text"].startswith("This cleanup has not started yet.")
    await bot.do(person.press_data(codec(bot).encode(6025, REPORT, long_ago)))
    assert person.callback_answers[-1]["text"] == (
        "Reporting for this cleanup closed 14 days after it ended."
    )


async def test_cancelled_cleanup_refuses_stale_buttons_and_half_filled_cards(
    bot: BotRunner,
) -> None:
    event_id = await make_cleanup(bot)
    dara = await participant(bot, 6030, event_id)
    await bot.do(dara.press_data(codec(bot).encode(6030, REPORT, event_id)))
    await type_quick_figures(bot, dara, "2", "3", "2", "200")
    await bot.do(dara.press("Continue without tally"))
    await set_status(bot, event_id, EventStatus.CANCELLED)
    await bot.do(dara.press("Submit"))
    cancelled = "This cleanup was cancelled, so it takes no data card."
    assert dara.callback_answers[-1]["text"] == cancelled
    assert await reports_of(bot, event_id) == []

    await bot.do(dara.press_data(codec(bot).encode(6030, REPORT, event_id)))
    assert dara.callback_answers[-1]["text"] == cancelled
    await bot.do(dara.send_command("report"))
    assert dara.last.text.startswith("You have no cleanup to report for right now.")


async def test_wrong_input_where_a_number_is_expected_and_cancel(bot: BotRunner) -> None:
    event_id = await make_cleanup(bot)
    tan = await participant(bot, 6040, event_id)
    await bot.do(tan.send_command("report"))
    expected_number = "Please type a number, for example 12 or 12.5, or send /cancel to stop."
    await bot.do(tan.send_sticker())
    assert tan.last.text == expected_number
    await bot.do(tan.send_text("x" * 4096))
    assert tan.last.text == "Please type a number, for example 12 or 12.5."
    await bot.do(tan.send_text("9" * 4096))
    assert tan.last.text == "Please type a number, for example 12 or 12.5."
    await bot.do(tan.send_text("-1"))
    assert tan.last.text == "That can't be negative. Please type 0 or more."
    await bot.do(tan.send_text("2.5"))
    assert tan.last.text == "Please type a whole number, for example 3."
    await bot.do(tan.send_text("4"))
    await bot.do(tan.send_text("150000"))
    assert tan.last.text == (
        "That is more than 100,000. Please check the figure and type it again."
    )
    await bot.do(tan.send_text("๑๒"))  # Thai digits
    assert "How many people" in tan.last.text

    await bot.do(tan.send_command("cancel"))
    assert tan.last.text == "Cancelled. Nothing was reported."
    await bot.do(tan.send_text("5"))
    assert tan.last.text == "I didn't understand that. Send /help to see what I can do."
    assert await reports_of(bot, event_id) == []
    async with bot.session_factory() as session:
        assert await session.get(ConversationState, (card.DRAFT_STORE, "[6040, 6040]")) is None


async def test_impact_summary_in_each_readers_language_and_zone(bot: BotRunner) -> None:
    # 20:00 UTC is already the next morning in Bangkok: the date must be the event's.
    bot.clock.now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    starts = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
    event_id = await make_cleanup(
        bot,
        titles={"en": TITLE, "th": "เก็บขยะชายหาดบางแสน"},
        starts_at=starts,
        hours=4,
    )
    nok = await participant(bot, 6050, event_id, language="th", city="Chon Buri")
    ben = await participant(bot, 6051, event_id)
    await bot.do(nok.send_command("impact"))
    th = bot.catalogs.translator("th")
    assert nok.last.text == th._(
        "None of your cleanups has data yet. After a cleanup, send /report to add your "
        "group's data card."
    )
    await bot.do(ben.send_command("report"))
    await type_quick_figures(bot, ben, "12", "1234,5", "30", "2500")
    await bot.do(ben.press("Continue without tally"))
    await bot.do(ben.press("Submit"))

    await bot.do(nok.send_command("impact"))
    async with bot.session_factory() as session:
        totals = await card.event_totals(session, event_id)
    thai = nok.last.text
    assert "เก็บขยะชายหาดบางแสน" in thai
    assert th.date(starts, "Asia/Bangkok") in thai
    assert "25" in th.date(starts, "Asia/Bangkok")
    assert figures_line(th, totals) in thai
    assert th._("You took part: thank you!") in thai

    await bot.do(ben.send_command("impact"))
    english = ben.last.text
    assert TITLE in english and "November 25, 2026" in english
    assert "Everyone: 12 bags · 1,234.5 kg · 30 people · 2.5 km" in english
    assert "Your data card: 12 bags · 1,234.5 kg · 30 people · 2.5 km" in english
    assert "0 of 1 data cards reviewed by the organizers" in english


async def test_totals_per_event_city_and_country(bot: BotRunner) -> None:
    async def seeded(telegram_id: int, **where: str) -> int:
        event_id = await make_cleanup(bot, **where)  # type: ignore[arg-type]
        await register(bot, event_id, telegram_id)
        return event_id

    person = bot.server.user(6060, first_name="Tally", language_code="en")
    await onboard(bot, person)
    pattaya = await seeded(6060, city="Pattaya")
    pattaya_again = await seeded(6060, city=" pattaya")
    chonburi = await seeded(6060, city="Chonburi")
    cebu = await seeded(6060, country="PH", city="Cebu", timezone="Asia/Manila")
    cancelled = await seeded(6060, city="Pattaya")
    now = bot.clock.now
    admins = frozenset({ADMIN_ID})
    async with bot.session_factory() as session, session.begin():
        user = await find_account(session, 6060)
        assert user is not None
        for event_id, bags, items in [
            (pattaya, 2, {"cigarette_butts": 10}),
            (pattaya_again, 3, {"cigarette_butts": 5, "rope": 1}),
            (chonburi, 4, {}),
            (cebu, 7, {"sachets": 100}),
            (cancelled, 100, {}),
        ]:
            await card.submit_report(
                session,
                reporter=user,
                event_id=event_id,
                card=card.Card(bags=bags, weight_kg=1.5, people=1, distance_m=10, items=items),
                now=now,
                admin_ids=admins,
            )
    await set_status(bot, cancelled, EventStatus.CANCELLED)

    async with bot.session_factory() as session:
        event = await card.event_totals(session, pattaya_again)
        city = await card.city_totals(session, "TH", "Pattaya")
        country = await card.country_totals(session, "TH")
        philippines = await card.country_totals(session, "PH")
    assert (event.reports, event.bags, event.items) == (1, 3, {"cigarette_butts": 5, "rope": 1})
    assert (city.reports, city.bags, city.weight_kg) == (2, 5, 3.0)
    assert city.items == {"cigarette_butts": 15, "rope": 1}
    assert (country.reports, country.bags, country.people, country.distance_m) == (3, 9, 3, 30)
    assert (philippines.bags, philippines.items, philippines.reviewed) == (7, {"sachets": 100}, 0)


async def test_help_lists_report_and_impact(bot: BotRunner) -> None:
    person = bot.server.user(6070, first_name="Help", language_code="en")
    await onboard(bot, person)
    await bot.do(person.send_command("help"))
    assert "/report – Send a cleanup data card" in person.last.text
    assert "/impact – See what your cleanups achieved" in person.last.text


async def test_the_review_list_pages_through_many_data_cards(bot: BotRunner) -> None:
    organizer = bot.server.user(6090, first_name="Org", language_code="en")
    await onboard(bot, organizer)
    event_id = await make_cleanup(bot, organizers=(6090,))
    async with bot.session_factory() as session, session.begin():
        session.add_all(
            CleanupReport(event_id=event_id, bags=n, submitted_at=bot.clock.now)
            for n in range(1, 13)
        )
    await bot.do(organizer.send_command("report"))
    await bot.do(organizer.press(f"Review: {TITLE}"))
    assert "Next ›" in labels(organizer) and "‹ Previous" not in labels(organizer)
    first_page = [text for text in labels(organizer) if text.startswith("Correct")]
    await bot.do(organizer.press("Next ›"))
    second_page = [text for text in labels(organizer) if text.startswith("Correct")]
    assert (len(first_page), len(second_page)) == (10, 2)
    assert not set(first_page) & set(second_page)
    await bot.do(organizer.press("‹ Previous"))
    assert [text for text in labels(organizer) if text.startswith("Correct")] == first_page


@pytest.mark.parametrize("language", ["id", "vi", "pt"])
async def test_a_dot_groups_thousands_for_readers_who_write_it_so(
    bot: BotRunner, language: str
) -> None:
    event_id = await make_cleanup(bot)
    person = await participant(bot, 6060, event_id, language=language)
    t = bot.catalogs.translator(language)
    await bot.do(person.send_command("report"))
    await type_quick_figures(bot, person, "3", "12,5", "8", "1.500")
    await bot.do(person.press(t._("Continue without tally")))
    await bot.do(person.press(t._("Submit")))
    (report,) = await reports_of(bot, event_id)
    assert (report.weight_kg, report.distance_m) == (12.5, 1500)


async def test_an_english_readers_1_500_metres_is_asked_about(bot: BotRunner) -> None:
    event_id = await make_cleanup(bot)
    sam = await participant(bot, 6061, event_id)
    await bot.do(sam.send_command("report"))
    await bot.do(sam.send_text("1.500"))
    assert "How much did it all weigh" in sam.last.text, "1.5 bags cannot be: 1,500 it is"
    await type_quick_figures(bot, sam, "12.5", "1,500", "1.500")
    assert sam.last.text == "Did you mean 1.5 or 1,500? Please type it again as 1.5 or 1500."
    await bot.do(sam.send_text("1500"))
    await bot.do(sam.press("Continue without tally"))
    await bot.do(sam.press("Submit"))
    (report,) = await reports_of(bot, event_id)
    assert (report.bags, report.weight_kg, report.people, report.distance_m) == (
        1500,
        12.5,
        1500,
        1500,
    )
