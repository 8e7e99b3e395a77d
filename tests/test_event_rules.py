"""One set of limits and rules for events (events/rules.py): the chat wizard and the YAML importer
accept and refuse the same values, and an event that is cancelled or over is refused by the
services whoever asks."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import create_engine, create_session_factory
from demo.runner import BotRunner
from events import organizing, rules, service
from events.importer import ImportProblem, import_events, parse_event
from events.models import Event, EventStatus, QuestionKind
from handlers.organize import conversation as organize
from tests.flows import button_with, settle_city
from tests.organize_flows import load_event, make_organizer, newest_event, stored_event
from tests.test_event_import import minimal_event

# The values README documents; both sides must refuse one step beyond each.
BOUNDARIES: list[tuple[str, Any, bool]] = [
    ("description", "d" * 2_000, True),
    ("description", "d" * 2_001, False),
    ("choice", "c" * 60, True),
    ("choice", "c" * 61, False),
    ("radius", 10, True),
    ("radius", 9, False),
    ("radius", 5_000, True),
    ("radius", 5_001, False),
    ("reminder", 5, True),
    ("reminder", 4, False),
    ("reminder", 1_440, True),
    ("reminder", 1_441, False),
]


def _yaml_fields(what: str, value: Any) -> dict[str, Any]:
    if what == "description":
        return {"texts": {"en": {"title": "East Coast Park cleanup", "description": value}}}
    if what == "choice":
        choice = {"prompt": "Size?", "choices": [value, "M"]}
        return {"questions": [{"kind": "choice", "texts": {"en": choice}}]}
    if what == "radius":
        return {"self_checkin_radius_m": value}
    assert what == "reminder"
    return {"reminder_minutes_before": value}


def _case_id(what: str, value: Any, accepted: bool) -> str:
    shown = len(value) if isinstance(value, str) else value
    return f"{what}-{shown}-{'accepted' if accepted else 'refused'}"


@pytest.mark.parametrize(
    ("what", "value", "accepted"),
    [pytest.param(*case, id=_case_id(*case)) for case in BOUNDARIES],
)
def test_the_importer_keeps_the_limits(what: str, value: Any, accepted: bool) -> None:
    problems: list[ImportProblem] = []
    spec = parse_event(minimal_event(**_yaml_fields(what, value)), 1, problems)
    assert (spec is not None, problems == []) == (accepted, accepted), problems


def _option(bot: BotRunner, person: Any, event_id: int, option: str) -> str:
    """The summary's option button, from wherever the conversation is."""
    codec = bot.application.bot_data["services"].codec
    return str(codec.encode(person.id, organize.OPTION, event_id, option))


async def _chat_accepts(bot: BotRunner, person: Any, event_id: int, what: str, value: Any) -> bool:
    """Gives ``value`` through the summary's options; whether it was taken (back at the summary)."""
    if what == "description":
        await bot.do(person.press_data(_option(bot, person, event_id, "text_language")))
        await bot.do(person.press(button_with(person, "ไทย")))
        await bot.do(person.send_text("เดินชายหาด"))
        await bot.do(person.send_text(value))
    elif what == "choice":
        await bot.do(person.press_data(_option(bot, person, event_id, "question_kind")))
        await bot.do(person.press("A choice from a list"))
        await bot.do(person.send_text("Size?"))
        await bot.do(person.send_text(f"{value}\nM"))
        if "Question saved" in person.last.text:
            await bot.do(person.press("Done"))
    else:
        option = "checkin_radius" if what == "radius" else "reminder_minutes"
        await bot.do(person.press_data(_option(bot, person, event_id, option)))
        await bot.do(person.send_text(str(value)))
    return "Almost done" in person.last.text


async def test_the_chat_wizard_keeps_the_same_limits(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 5301, "Ana")
    await bot.do(ana.send_command("organize"))
    await bot.do(ana.press("➕ New event"))
    await bot.do(ana.press("Cleanup"))
    await bot.do(ana.send_text("Reef walk"))
    # The wizard's own description step, as the prompt announces it.
    assert f"up to {rules.DESCRIPTION_MAX_LENGTH:,} characters" in ana.last.text
    await bot.do(ana.send_text("d" * 2_001))
    assert "too long" in ana.last.text and "Describe the event" in ana.last.text
    await bot.do(ana.send_text("d" * 2_000))
    assert "What is the venue called?" in ana.last.text
    for answer in ("Botataung Jetty", "Strand Road, Botataung", "16.7690, 96.1720"):
        await bot.do(ana.send_text(answer))
    await bot.do(ana.press("Myanmar (Burma)"))
    await bot.do(ana.send_text("Yangon"))
    await settle_city(bot, ana, "en")
    for answer in ("2026-12-05 09:00", "12:30", "40"):
        await bot.do(ana.send_text(answer))
    await bot.do(ana.press("With an invite code"))
    assert f"up to {rules.INVITE_CODE_MAX_LENGTH} characters" in ana.last.text
    await bot.do(ana.send_text("REEF"))
    assert "Almost done" in ana.last.text
    event_id = (await newest_event(bot)).id

    outcomes = [
        (what, value, await _chat_accepts(bot, ana, event_id, what, value))
        for what, value, _ in BOUNDARIES
    ]

    assert outcomes == BOUNDARIES
    event = await load_event(bot, event_id)
    assert event.self_checkin_radius_m == 5_000 and event.reminder_minutes_before == 1_440
    assert [len(question.texts["en"]["choices"][0]) for question in event.questions] == [60]
    assert {len(text.description) for text in event.texts} == {2_000}


async def test_the_chat_stops_at_the_most_questions(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 5311, "Ana")
    event_id = await stored_event(bot, 5311, publish=False)
    async with bot.session_factory() as session, session.begin():
        event = await session.get(Event, event_id)
        assert event is not None
        for number in range(rules.QUESTIONS_MAX):
            organizing.add_question(
                event, QuestionKind.TEXT, "en", f"Question {number}", [], now=bot.clock()
            )
    await bot.do(ana.press_data(_option(bot, ana, event_id, "question_kind")))
    assert ana.callback_answers[-1]["text"] == "An event can have at most 10 questions."
    assert len((await load_event(bot, event_id)).questions) == rules.QUESTIONS_MAX


# ---- may this event still be changed --------------------------------------------------------

NOW = datetime(2027, 1, 16, 12, 0, tzinfo=UTC)


def _event(status: EventStatus, ends_in: timedelta) -> Event:
    return Event(status=status, ends_at=NOW + ends_in)


@pytest.mark.parametrize(
    ("status", "ends_in", "refusal"),
    [
        (EventStatus.PUBLISHED, timedelta(hours=1), None),
        (EventStatus.PUBLISHED, timedelta(0), rules.Refusal.OVER),
        (EventStatus.PUBLISHED, -timedelta(hours=1), rules.Refusal.OVER),
        (EventStatus.COMPLETED, timedelta(hours=1), rules.Refusal.OVER),
        (EventStatus.CANCELLED, timedelta(hours=1), rules.Refusal.CANCELLED),
        (EventStatus.CANCELLED, -timedelta(hours=1), rules.Refusal.CANCELLED),
        # A draft's organizer fixes its past dates by changing them.
        (EventStatus.DRAFT, -timedelta(days=3), None),
    ],
)
def test_may_change(status: EventStatus, ends_in: timedelta, refusal: rules.Refusal) -> None:
    assert rules.may_change(_event(status, ends_in), NOW) == refusal


@pytest.fixture
async def sessions(database_url: str) -> Any:
    engine = create_engine(database_url)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


async def _imported(sessions: async_sessionmaker[AsyncSession]) -> int:
    """The minimal event, 08:00–11:00 in Singapore on 16 January 2027 (00:00–03:00 UTC)."""
    async with sessions() as session:
        result = await import_events(
            session, [minimal_event()], now=datetime(2026, 11, 25, tzinfo=UTC)
        )
        assert result.ok, result.problems
        await session.commit()
        return result.events[0].event_id


async def test_services_refuse_to_change_an_event_that_is_over(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    event_id = await _imported(sessions)
    after = datetime(2027, 1, 16, 3, 0, tzinfo=UTC)
    changes = [
        lambda session, event: service.change_capacity(session, event, 50, now=after),
        lambda session, event: service.reschedule_event(
            session,
            event,
            starts_at=event.starts_at + timedelta(days=1),
            ends_at=event.ends_at + timedelta(days=1),
            now=after,
        ),
        lambda session, event: service.move_venue(
            session, event, venue_name="V", address="A", latitude=1.3, longitude=103.9, now=after
        ),
        lambda session, event: service.cancel_event(session, event, now=after),
    ]
    for change in changes:
        async with sessions() as session:
            event = await session.get(Event, event_id)
            assert event is not None
            with pytest.raises(rules.EventRefused) as refused:
                await change(session, event)
            assert refused.value.refusal == rules.Refusal.OVER
    async with sessions() as session:
        event = await session.get(Event, event_id)
        assert event is not None
        with pytest.raises(rules.EventRefused):
            await organizing.set_reminder_minutes(session, event, 60, now=after)
        assert (event.capacity, event.status, event.sequence) == (30, EventStatus.PUBLISHED, 0)
