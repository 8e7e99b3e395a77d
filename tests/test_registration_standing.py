"""Where a person stands, said plainly, through the real bot: their place on the waitlist, no
"Full: join the waitlist" for someone already registered, a seat offer's deadline with its
time zone, /deleteme warning about seats held for the next days, and organizer lists that
keep whole words and write dates the reader's way."""

from datetime import timedelta

from demo.runner import BotRunner
from tests.events_setup import ORGANIZER_ID, make_event, organizer
from tests.flows import button_with, labels, onboard


async def _person(bot: BotRunner, telegram_id: int, language: str = "en"):  # type: ignore[no-untyped-def]
    person = bot.server.user(telegram_id, first_name=f"P{telegram_id}", language_code=language)
    await onboard(bot, person, language=language)
    return person


async def _register(bot: BotRunner, person, event_id: int) -> None:  # type: ignore[no-untyped-def]
    await bot.do(person.send_command("start", f"ev_{event_id}"))
    await bot.do(person.press("Register"))


async def test_waitlisted_people_see_their_place_and_registered_ones_no_full_notice(
    bot: BotRunner,
) -> None:
    event_id = await make_event(bot, capacity=1)
    holder, second, third = [await _person(bot, 3600 + n) for n in range(3)]
    for person in (holder, second, third):
        await _register(bot, person, event_id)
    assert "On the waitlist, place 1:" in second.last.text
    assert "On the waitlist, place 2:" in third.last.text
    await bot.do(third.send_command("my"))
    assert "place 2" in third.last.text
    await bot.do(third.press(button_with(third, "1.")))
    assert "place 2" in third.last.text

    await bot.do(holder.send_command("events"))
    assert "Full" not in holder.last.text and "You are registered" in holder.last.text
    await bot.do(third.send_command("events"))
    assert "Full" not in third.last.text and "place 2" in third.last.text
    stranger = await _person(bot, 3609)
    await bot.do(stranger.send_command("events"))
    assert "Full: you can join the waitlist." in stranger.last.text

    # The holder gives the seat up: the first person waiting is offered it, with a deadline
    # that names its zone, and the next one moves up.
    await bot.do(holder.send_command("my"))
    await bot.do(holder.press(button_with(holder, "1.")))
    await bot.do(holder.press("Cancel my registration"))
    await bot.do(holder.press("Yes, cancel it"))
    await bot.deliver_due()
    assert "A seat has freed up" in second.last.text and "GMT+07:00" in second.last.text
    await bot.do(second.send_command("my"))
    assert "A seat is held for you until" in second.last.text
    assert "GMT+07:00" in second.last.text
    await bot.do(third.send_command("my"))
    assert "place 1" in third.last.text


async def test_deleteme_warns_about_seats_held_for_the_next_days(bot: BotRunner) -> None:
    soon = await make_event(
        bot,
        starts_at=bot.clock() + timedelta(days=3),
        ends_at=bot.clock() + timedelta(days=3, hours=3),
    )
    later = await make_event(bot)  # ten days ahead
    lek, ana = await _person(bot, 3610), await _person(bot, 3611)
    await _register(bot, lek, soon)
    await _register(bot, lek, later)
    await _register(bot, ana, later)
    await bot.do(lek.send_command("deleteme"))
    warning = lek.last.text
    assert "You hold a seat for events in the next 7 days" in warning
    assert warning.count("• Bang Saen beach cleanup") == 1, "only the event in the next days"
    assert "GMT+07:00" in warning and "Do you want to delete your data?" in warning
    await bot.do(ana.send_command("deleteme"))
    assert "You hold a seat" not in ana.last.text


async def test_the_organizers_list_keeps_whole_words_and_the_readers_dates(
    bot: BotRunner,
) -> None:
    await make_event(
        bot,
        texts={"en": ("Bang Saen beach cleanup and mangrove planting day", None)},
    )
    await organizer(bot)
    staff = bot.server.user(ORGANIZER_ID, first_name="Organizer", language_code="en")
    await bot.do(staff.send_command("organize"))
    [label] = [text for text in labels(staff) if "Bang Saen" in text]
    assert label == "Bang Saen beach cleanup and… · Dec 5, 2026 · Published"
