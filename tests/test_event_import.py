"""Importing events from YAML: validation, idempotent re-import by key, the command line."""

import copy
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import User
from db.engine import create_engine, create_session_factory
from delivery.models import OutboxMessage
from events.checkin_code import new_checkin_token
from events.importer import (
    ImportOutcome,
    ImportProblem,
    ImportResult,
    import_events,
    load_document,
    parse_event,
)
from events.models import (
    Event,
    EventOrganizer,
    EventStatus,
    QuestionKind,
    Registration,
    RegistrationMode,
    RegistrationStatus,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "events" / "examples" / "roundtables.yaml"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
NANNING = "cn-gx-nanning-roundtable-2027-03"
BANG_SAEN = "th-chonburi-bang-saen-cleanup-2027-04"


def minimal_event(**fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "key": "sg-east-coast-cleanup",
        "kind": "cleanup",
        "texts": {"en": {"title": "East Coast Park cleanup"}},
        "venue": {
            "name": "East Coast Park, area C",
            "address": "East Coast Park Service Rd, Singapore",
            "latitude": 1.3008,
            "longitude": 103.9122,
        },
        "country": "SG",
        "city": "Singapore",
        "start": "2027-01-16 08:00",
        "end": "2027-01-16 11:00",
        "capacity": 30,
    }
    event.update(fields)
    return event


def problems_of(raw: Any) -> list[str]:
    problems: list[ImportProblem] = []
    assert parse_event(raw, 1, problems) is None
    return [str(problem) for problem in problems]


# Checking single events, without a database ----------------------------------------------


def test_minimal_event_takes_the_defaults() -> None:
    problems: list[ImportProblem] = []
    spec = parse_event(minimal_event(), 1, problems)
    assert problems == []
    assert spec is not None
    columns = spec.columns
    assert columns["status"] == EventStatus.PUBLISHED
    assert columns["timezone"] == "Asia/Singapore"
    assert columns["fallback_language"] == "en"
    assert columns["starts_at"] == datetime(2027, 1, 16, 0, 0, tzinfo=UTC)
    assert columns["registration_mode"] == RegistrationMode.OPEN
    assert columns["invite_code"] is None
    assert (columns["offer_hours"], columns["reminder_minutes_before"]) == (12, 120)
    assert columns["day_before_reminder"] is True
    assert columns["self_checkin_radius_m"] is None
    assert spec.texts == {"en": ("East Coast Park cleanup", "")}
    assert spec.questions is None and spec.co_organizers is None


def test_time_zone_follows_country_and_city_when_left_out() -> None:
    problems: list[ImportProblem] = []
    spec = parse_event(minimal_event(country="ID", city="Denpasar"), 1, problems)
    assert spec is not None and spec.columns["timezone"] == "Asia/Makassar"
    assert spec.columns["starts_at"] == datetime(2027, 1, 16, 0, 0, tzinfo=UTC)


def test_local_times_in_a_half_hour_zone() -> None:
    problems: list[ImportProblem] = []
    spec = parse_event(
        minimal_event(country="MM", city="Yangon", start="2027-01-16 08:00"), 1, problems
    )
    assert spec is not None
    assert spec.columns["timezone"] == "Asia/Yangon"
    assert spec.columns["starts_at"] == datetime(2027, 1, 16, 1, 30, tzinfo=UTC)


def test_unquoted_yaml_datetimes_are_local_times_too() -> None:
    [raw] = yaml.safe_load("- {key: k, start: 2027-01-16 08:00:00, end: 2027-01-16T11:00:00}")
    problems: list[ImportProblem] = []
    spec = parse_event(minimal_event(start=raw["start"], end=raw["end"]), 1, problems)
    assert problems == []
    assert spec is not None and spec.columns["ends_at"] == datetime(2027, 1, 16, 3, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"kind": "party"},
            "sg-east-coast-cleanup: kind: 'party' is not one of: roundtable, cleanup",
        ),
        ({"status": "cancelled"}, "sg-east-coast-cleanup: status: 'cancelled' is not one of"),
        ({"capcity": 3}, "sg-east-coast-cleanup: capcity: unknown field; did you mean capacity?"),
        ({"country": "US"}, "sg-east-coast-cleanup: country: expected one of BN, KH, CN"),
        ({"timezone": "Mars/Base"}, "sg-east-coast-cleanup: timezone: 'Mars/Base' is not an IANA"),
        ({"timezone": "Asia"}, "sg-east-coast-cleanup: timezone: 'Asia' is not an IANA"),
        (
            {"start": "16/01/2027 8am"},
            "sg-east-coast-cleanup: start: expected a local date and time",
        ),
        ({"start": "2027-01-16"}, "sg-east-coast-cleanup: start: expected a local date and time"),
        ({"start": "2027-01-16T08:00+08:00"}, "sg-east-coast-cleanup: start: expected a local"),
        ({"end": "2027-01-16 07:00"}, "sg-east-coast-cleanup: end: must be after the start"),
        ({"capacity": 0}, "sg-east-coast-cleanup: capacity: must be between 1 and 100000"),
        ({"capacity": "ten"}, "sg-east-coast-cleanup: capacity: expected a whole number"),
        ({"capacity": True}, "sg-east-coast-cleanup: capacity: expected a whole number"),
        ({"texts": {}}, "sg-east-coast-cleanup: texts: required"),
        ({"texts": {"xx": {"title": "Hi"}}}, "sg-east-coast-cleanup: texts.xx: unknown language"),
        ({"texts": {"en": {"title": "  "}}}, "sg-east-coast-cleanup: texts.en.title: must not be"),
        (
            {"texts": {"en": {"title": "x" * 201}}},
            "sg-east-coast-cleanup: texts.en.title: too long",
        ),
        ({"texts": {"en": {"title": "T", "body": "b"}}}, "texts.en.body: unknown field"),
        ({"fallback_language": "th"}, "sg-east-coast-cleanup: fallback_language: 'th' is not one"),
        ({"venue": None}, "sg-east-coast-cleanup: venue: required"),
        (
            {"venue": {"name": "V", "address": "A", "latitude": 91, "longitude": 1}},
            "sg-east-coast-cleanup: venue.latitude: must be between -90 and 90",
        ),
        ({"registration_mode": "invite_code"}, "invite_code: required when registration_mode"),
        ({"invite_code": "SECRET"}, "invite_code: only used when registration_mode is invite_code"),
        (
            {"registration_deadline": "2027-01-16 09:00"},
            "sg-east-coast-cleanup: registration_deadline: must not be after the start",
        ),
        ({"offer_hours": 0}, "sg-east-coast-cleanup: offer_hours: must be between 1 and 168"),
        ({"day_before_reminder": "yes please"}, "day_before_reminder: expected true or false"),
        ({"self_checkin_radius_m": 2}, "self_checkin_radius_m: must be between 10 and 5000"),
        ({"co_organizers": ["bob"]}, "co_organizers: 'bob' is neither a Telegram user id"),
        (
            {"questions": [{"kind": "choice", "texts": {"en": {"prompt": "Size?"}}}]},
            "sg-east-coast-cleanup: questions[1].texts.en.choices: expected a list of 2 to 10",
        ),
        (
            {"questions": [{"kind": "text", "texts": {"th": {"prompt": "ขนาด?"}}}]},
            "sg-east-coast-cleanup: questions[1].texts: needs the fallback language en",
        ),
        (
            {
                "questions": [
                    {
                        "kind": "choice",
                        "texts": {
                            "en": {"prompt": "Size?", "choices": ["S", "M"]},
                            "zh": {"prompt": "尺码？", "choices": ["小", "中", "大"]},
                        },
                    }
                ]
            },
            "questions[1].texts: every language needs the same number of choices",
        ),
    ],
)
def test_each_problem_names_the_event_and_field(fields: dict[str, Any], expected: str) -> None:
    problems = problems_of(minimal_event(**fields))
    assert any(expected in problem for problem in problems), problems
    assert all(problem.startswith("sg-east-coast-cleanup: ") for problem in problems)
    assert all("\n" not in problem for problem in problems)


def test_nonexistent_local_time_is_refused() -> None:
    # Clocks in London jump from 01:00 to 02:00 on 28 March 2027.
    event = minimal_event(
        timezone="Europe/London", start="2027-03-28 01:30", end="2027-03-28 04:00"
    )
    assert problems_of(event) == [
        "sg-east-coast-cleanup: start: 2027-03-28 01:30 does not exist in Europe/London"
    ]


def test_events_without_a_usable_key_are_numbered() -> None:
    assert problems_of(minimal_event(key="has space"))[0] == (
        "event #1: key: required: letters, digits and . _ : - (at most 100 characters)"
    )
    assert problems_of(["not", "a", "mapping"]) == ["event #1: expected a mapping of fields"]


# Importing into the database --------------------------------------------------------------


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


async def run_import(
    sessions: async_sessionmaker[AsyncSession], document: Any, now: datetime = NOW
) -> ImportResult:
    async with sessions() as session:
        result = await import_events(session, document, now=now)
        if result.ok:
            await session.commit()
        return result


async def event_by_key(sessions: async_sessionmaker[AsyncSession], key: str) -> Event:
    async with sessions() as session:
        event = await session.scalar(select(Event).where(Event.import_key == key))
        assert event is not None
        return event


async def event_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(Event)) or 0


async def add_user(
    sessions: async_sessionmaker[AsyncSession], telegram_id: int, username: str | None = None
) -> int:
    async with sessions() as session:
        user = User(
            telegram_id=telegram_id,
            username=username,
            first_name=username or "Someone",
            language="en",
            created_at=NOW,
        )
        session.add(user)
        await session.commit()
        return user.id


async def test_example_file_imports_cleanly(sessions: async_sessionmaker[AsyncSession]) -> None:
    result = await run_import(sessions, load_document(EXAMPLE))

    assert result.problems == []
    assert [(item.key, item.outcome) for item in result.events] == [
        (NANNING, ImportOutcome.CREATED),
        (BANG_SAEN, ImportOutcome.CREATED),
    ]
    nanning = await event_by_key(sessions, NANNING)
    assert nanning.kind == "roundtable" and nanning.status == EventStatus.PUBLISHED
    assert nanning.timezone == "Asia/Shanghai"
    assert nanning.starts_at == datetime(2027, 3, 18, 1, 0, tzinfo=UTC)
    assert nanning.ends_at == datetime(2027, 3, 18, 4, 30, tzinfo=UTC)
    assert nanning.registration_mode == RegistrationMode.APPROVAL
    assert nanning.registration_deadline == datetime(2027, 3, 15, 10, 0, tzinfo=UTC)
    assert {text.language for text in nanning.texts} == {"zh", "en"}
    assert {text.title for text in nanning.texts} >= {"南宁海洋塑料减量圆桌会：包装与回收"}
    assert [question.kind for question in nanning.questions] == [
        QuestionKind.CHOICE,
        QuestionKind.TEXT,
    ]
    assert nanning.questions[0].texts["zh"]["choices"][1] == "渔业与港口"
    assert nanning.sequence == 0 and nanning.seats_taken == 0 and nanning.organizers == []

    bang_saen = await event_by_key(sessions, BANG_SAEN)
    assert (bang_saen.country, bang_saen.city, bang_saen.timezone) == (
        "TH",
        "Chonburi",
        "Asia/Bangkok",
    )
    assert bang_saen.starts_at == datetime(2027, 4, 24, 0, 0, tzinfo=UTC)
    assert bang_saen.fallback_language == "th"
    assert (bang_saen.latitude, bang_saen.longitude) == (13.2846, 100.9147)
    assert bang_saen.self_checkin_radius_m == 300
    thai = next(text for text in bang_saen.texts if text.language == "th")
    assert thai.title == "เก็บขยะชายหาดบางแสน"
    assert thai.description.startswith("ร่วมกันเก็บขยะ")


async def test_reimport_is_idempotent(sessions: async_sessionmaker[AsyncSession]) -> None:
    document = load_document(EXAMPLE)
    await run_import(sessions, document)
    before = await event_by_key(sessions, NANNING)

    again = await run_import(sessions, document, now=NOW + timedelta(days=1))

    assert [item.outcome for item in again.events] == [ImportOutcome.UNCHANGED] * 2
    assert await event_count(sessions) == 2
    after = await event_by_key(sessions, NANNING)
    assert (after.id, after.sequence, after.updated_at) == (
        before.id,
        before.sequence,
        before.updated_at,
    )
    assert [question.id for question in after.questions] == [
        question.id for question in before.questions
    ]


async def test_new_time_or_venue_raises_the_sequence_once_and_tells_registrants(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    document = load_document(EXAMPLE)
    await run_import(sessions, document)
    event = await event_by_key(sessions, BANG_SAEN)
    user_id = await add_user(sessions, 501, "somchai")
    async with sessions() as session:
        session.add(
            Registration(
                event_id=event.id,
                user_id=user_id,
                status=RegistrationStatus.CONFIRMED,
                queued_at=NOW,
                created_at=NOW,
                updated_at=NOW,
                checkin_token=new_checkin_token(),
                answers={},
            )
        )
        await session.execute(
            Event.__table__.update().where(Event.id == event.id).values(seats_taken=1)
        )
        await session.commit()

    changed = copy.deepcopy(document)
    cleanup = changed["events"][1]
    cleanup["start"], cleanup["end"] = "2027-04-24 06:30", "2027-04-24 09:30"
    cleanup["venue"]["name"] = "Bang Saen Beach, Wonnapa end"
    result = await run_import(sessions, changed, now=NOW + timedelta(hours=1))

    outcome = result.events[1]
    assert outcome.outcome == ImportOutcome.UPDATED
    assert {"starts_at", "ends_at", "venue_name"} <= set(outcome.changed)
    assert outcome.rescheduled and outcome.sequence == 1
    assert result.events[0].outcome == ImportOutcome.UNCHANGED
    moved = await event_by_key(sessions, BANG_SAEN)
    assert moved.sequence == 1
    assert moved.starts_at == datetime(2027, 4, 23, 23, 30, tzinfo=UTC)
    assert moved.venue_name == "Bang Saen Beach, Wonnapa end"

    async def change_notices() -> list[dict[str, object]]:
        async with sessions() as session:
            query = select(OutboxMessage.payload).where(
                OutboxMessage.user_id == user_id, OutboxMessage.kind == "event.changed"
            )
            return list(await session.scalars(query.order_by(OutboxMessage.id)))

    (notice,) = await change_notices()
    assert notice["changes"] == ["time", "venue"]  # the notice says what changed

    # Only the title changes: registrants need no new calendar entry.
    changed["events"][1]["texts"]["en"]["title"] = "Bang Saen Beach cleanup day"
    retitled = await run_import(sessions, changed, now=NOW + timedelta(hours=2))
    assert retitled.events[1].changed == ("texts",)
    assert (await event_by_key(sessions, BANG_SAEN)).sequence == 1

    # A new cancellation deadline decides until when people can free their seat: announced too,
    # naming the earlier changes that have not gone out yet.
    changed["events"][1]["cancellation_deadline"] = "2027-04-23 12:00"
    await run_import(sessions, changed, now=NOW + timedelta(hours=3))
    assert (await event_by_key(sessions, BANG_SAEN)).sequence == 2
    assert (await change_notices())[-1]["changes"] == ["cancellation_deadline", "time", "venue"]


async def test_capacity_cannot_drop_below_seats_taken(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    document = {"events": [minimal_event()]}
    await run_import(sessions, document)
    event = await event_by_key(sessions, "sg-east-coast-cleanup")
    async with sessions() as session:
        await session.execute(
            Event.__table__.update().where(Event.id == event.id).values(seats_taken=12)
        )
        await session.commit()

    result = await run_import(sessions, {"events": [minimal_event(capacity=10)]})
    assert [str(problem) for problem in result.problems] == [
        "sg-east-coast-cleanup: capacity: 12 seats are already taken; capacity cannot be lower"
    ]
    assert (await event_by_key(sessions, "sg-east-coast-cleanup")).capacity == 30


async def test_cancelled_events_are_not_changed_by_import(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await run_import(sessions, [minimal_event()])
    event = await event_by_key(sessions, "sg-east-coast-cleanup")
    async with sessions() as session:
        await session.execute(
            Event.__table__.update().where(Event.id == event.id).values(status="cancelled")
        )
        await session.commit()
    result = await run_import(sessions, [minimal_event(capacity=40)])
    assert [str(problem) for problem in result.problems] == [
        "sg-east-coast-cleanup: status: the event is cancelled; an import can no longer change it"
    ]


async def test_events_that_are_over_are_not_changed_by_import(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await run_import(sessions, [minimal_event(), minimal_event(key="a-draft", status="draft")])
    # 11:00 in Singapore: both have ended, and the sweep has not marked the first completed.
    ended = datetime(2027, 1, 16, 3, 0, tzinfo=UTC)
    later = {"start": "2027-02-06 08:00", "end": "2027-02-06 11:00"}
    result = await run_import(
        sessions,
        [minimal_event(capacity=40), minimal_event(key="a-draft", status="draft", **later)],
        now=ended,
    )
    assert [str(problem) for problem in result.problems] == [
        "sg-east-coast-cleanup: status: the event is over; an import can no longer change it"
    ]
    assert (await event_by_key(sessions, "sg-east-coast-cleanup")).capacity == 30
    # A draft is not over: the file fixes its dates.
    fixed = await run_import(
        sessions, [minimal_event(key="a-draft", status="draft", **later)], now=ended
    )
    assert fixed.problems == [] and fixed.events[0].outcome == ImportOutcome.UPDATED


async def test_new_events_cannot_start_in_the_past(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    result = await run_import(sessions, [minimal_event()], now=datetime(2027, 2, 1, tzinfo=UTC))
    assert [str(problem) for problem in result.problems] == [
        "sg-east-coast-cleanup: start: is in the past"
    ]
    assert await event_count(sessions) == 0


async def test_co_organizers_by_id_and_username(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    first = await add_user(sessions, 7001, "Nanning_Partner")
    second = await add_user(sessions, 7002)
    event = minimal_event(co_organizers=["@nanning_partner", 7002])
    result = await run_import(sessions, [event])
    assert result.problems == []
    stored = await event_by_key(sessions, "sg-east-coast-cleanup")
    assert {organizer.user_id for organizer in stored.organizers} == {first, second}

    # Leaving the list out keeps them; an explicit list replaces them.
    unchanged = await run_import(sessions, [minimal_event()])
    assert unchanged.events[0].outcome == ImportOutcome.UNCHANGED
    await run_import(sessions, [minimal_event(co_organizers=[7002])])
    async with sessions() as session:
        user_ids = set(await session.scalars(select(EventOrganizer.user_id)))
    assert user_ids == {second}


async def test_unknown_co_organizers_stop_the_whole_import(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    good = minimal_event(key="good-one")
    bad = minimal_event(key="bad-one", co_organizers=["@nobody_here", 424242])
    result = await run_import(sessions, [good, bad])
    assert [str(problem) for problem in result.problems] == [
        "bad-one: co_organizers: no account @nobody_here: they need to start the bot first",
        "bad-one: co_organizers: no account 424242: they need to start the bot first",
    ]
    assert result.events == []
    assert await event_count(sessions) == 0


async def test_duplicate_keys_and_bad_documents(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    twice = await run_import(sessions, [minimal_event(), minimal_event()])
    assert [str(problem) for problem in twice.problems] == [
        "sg-east-coast-cleanup: key: appears more than once in the file"
    ]
    wrong = await run_import(sessions, {"event": []})
    assert [str(problem) for problem in wrong.problems] == [
        "file: expected a list of events, or a mapping with one entry: events"
    ]
    assert await event_count(sessions) == 0


async def test_questions_keep_their_rows_when_edited(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    question = {"kind": "text", "texts": {"en": {"prompt": "Anything we should know?"}}}
    await run_import(sessions, [minimal_event(questions=[question])])
    before = (await event_by_key(sessions, "sg-east-coast-cleanup")).questions[0].id

    edited = {"kind": "text", "texts": {"en": {"prompt": "Allergies or needs?"}}}
    extra = {
        "kind": "choice",
        "texts": {"en": {"prompt": "Bringing a friend?", "choices": ["Yes", "No"]}},
    }
    result = await run_import(sessions, [minimal_event(questions=[edited, extra])])
    assert result.events[0].changed == ("questions",)
    after = (await event_by_key(sessions, "sg-east-coast-cleanup")).questions
    assert after[0].id == before
    assert after[0].texts == {"en": {"prompt": "Allergies or needs?"}}
    assert [question.position for question in after] == [0, 1]


# The command line --------------------------------------------------------------------------


def run_cli(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "PYTHONIOENCODING": "utf-8",
    }
    environment.pop("BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *arguments],
        cwd=tmp_path,  # away from any .env in the project
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_imports_and_reimports_without_copies(tmp_path: Path) -> None:
    # Dates relative to today, so the file never goes stale.
    start = datetime.now(UTC) + timedelta(days=30)
    document = load_document(EXAMPLE)
    for event in document["events"]:
        event["start"] = f"{start:%Y-%m-%d} 08:00"
        event["end"] = f"{start:%Y-%m-%d} 11:00"
        event["registration_deadline"] = f"{start - timedelta(days=1):%Y-%m-%d} 18:00"
        event["cancellation_deadline"] = f"{start - timedelta(days=1):%Y-%m-%d} 12:00"
    path = tmp_path / "events.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")

    first = run_cli(tmp_path, "events", "import", str(path))
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        f"created: {NANNING} (event 1)",
        f"created: {BANG_SAEN} (event 2)",
    ]
    second = run_cli(tmp_path, "events", "import", str(path))
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines() == [
        f"unchanged: {NANNING} (event 1)",
        f"unchanged: {BANG_SAEN} (event 2)",
    ]

    document["events"][0]["start"] = f"{start:%Y-%m-%d} 09:00"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    third = run_cli(tmp_path, "events", "import", str(path))
    assert third.returncode == 0, third.stderr
    assert third.stdout.splitlines()[0] == (
        f"updated: {NANNING} (event 1): starts_at; calendar sequence 1"
    )


def test_cli_reports_problems_in_one_line_each_and_fails(tmp_path: Path) -> None:
    document = {"events": [minimal_event(capacity=0, country="XX")]}
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")

    result = run_cli(tmp_path, "events", "import", str(path))

    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert "error: sg-east-coast-cleanup: country: expected one of" in lines[0]
    assert lines[1] == "error: sg-east-coast-cleanup: capacity: must be between 1 and 100000"
    assert "Traceback" not in result.stderr

    path.write_text("events:\n  - key: x\n   kind: y\n", encoding="utf-8")
    syntax = run_cli(tmp_path, "events", "import", str(path))
    assert syntax.returncode == 1
    assert syntax.stderr.strip() == (
        f"error: {path}: line 3, column 4: expected <block end>, but found '<block mapping start>'"
    )
    missing = run_cli(tmp_path, "events", "import", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 1 and "cannot read the file" in missing.stderr
