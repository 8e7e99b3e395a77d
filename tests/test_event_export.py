"""Participant exports: CSV that Excel opens in Thai and Chinese, XLSX that openpyxl reads back."""

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import Consent, ConsentPurpose, StakeholderRole, User
from db.engine import create_engine, create_session_factory
from events.checkin_code import new_checkin_token
from events.export import (
    COLUMNS,
    Participant,
    answer_text,
    export_filename,
    participant_rows,
    participant_table,
    participants_csv,
    participants_xlsx,
)
from events.models import (
    CheckInMethod,
    Event,
    EventKind,
    EventStatus,
    EventText,
    QuestionKind,
    Registration,
    RegistrationQuestion,
    RegistrationStatus,
)

NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
BOM = b"\xef\xbb\xbf"
LABELS = {
    "number": "#",
    "name": "Name",
    "username": "Username",
    "telegram_id": "Telegram ID",
    "organization": "Organization",
    "stakeholder_role": "Role",
    "country": "Country",
    "city": "City",
    "status": "Status",
    "waitlist_position": "Waitlist",
    "registered_at": "Registered",
    "attended_at": "Attended",
    "checkin_method": "Check-in",
    "partner_sharing": "Partners",
    "partner_sharing.yes": "Yes",
    "status.confirmed": "Confirmed",
    "status.waitlisted": "On the waitlist",
    "status.pending": "Pending approval",
    "checkin_method.qr": "QR code",
    "sheet_title": "Participants: Bang Saen [2026]",
}
DIET = {
    "en": {"prompt": "Diet", "choices": ["Any", "Vegetarian"]},
    "th": {"prompt": "อาหาร", "choices": ["ทั่วไป", "มังสวิรัติ"]},
    "zh": {"prompt": "饮食", "choices": ["均可", "素食"]},
}
SHIRT = {"en": {"prompt": "T-shirt size"}, "th": {"prompt": "ขนาดเสื้อ"}}


def make_event() -> Event:
    event = Event(
        id=7,
        kind=EventKind.CLEANUP,
        status=EventStatus.PUBLISHED,
        fallback_language="en",
        venue_name="Bang Saen Beach",
        address="Saen Suk, Chon Buri",
        latitude=13.28,
        longitude=100.91,
        country="TH",
        city="Chonburi",
        timezone="Asia/Bangkok",
        starts_at=NOW,
        ends_at=NOW + timedelta(hours=3),
        capacity=2,
        seats_taken=2,
        sequence=0,
        created_at=NOW - timedelta(days=30),
        updated_at=NOW - timedelta(days=30),
    )
    event.questions = [
        RegistrationQuestion(id=11, position=0, kind=QuestionKind.CHOICE, texts=DIET),
        RegistrationQuestion(id=12, position=1, kind=QuestionKind.TEXT, texts=SHIRT),
    ]
    return event


def make_user(user_id: int, first_name: str, **fields: object) -> User:
    values: dict[str, object] = {
        "id": user_id,
        "telegram_id": 1000 + user_id,
        "first_name": first_name,
        "language": "en",
        "created_at": NOW - timedelta(days=60),
    }
    values.update(fields)
    return User(**values)


def make_registration(
    registration_id: int,
    user: User,
    status: RegistrationStatus,
    *,
    queued_minutes_ago: int,
    answers: dict[str, str] | None = None,
    **fields: object,
) -> Registration:
    queued_at = NOW - timedelta(days=5, minutes=queued_minutes_ago)
    values: dict[str, object] = {
        "id": registration_id,
        "event_id": 7,
        "user_id": user.id,
        "status": status,
        "queued_at": queued_at,
        "created_at": queued_at,
        "updated_at": queued_at,
        "checkin_token": new_checkin_token(),
        "answers": answers or {},
    }
    values.update(fields)
    return Registration(**values)


def participants() -> list[Participant]:
    somchai = make_user(
        1,
        "สมชาย",
        username="somchai",
        organization='=HYPERLINK("http://evil")',
        stakeholder_role=StakeholderRole.COMMUNITY,
        country="TH",
        city="ชลบุรี",
        consents=[Consent(purpose=ConsentPurpose.PARTNER_SHARING, granted=True, changed_at=NOW)],
    )
    # Asked once, then withdrawn: not to be shared.
    withdrawn = Consent(purpose=ConsentPurpose.PARTNER_SHARING, granted=False, changed_at=NOW)
    wei = make_user(2, "王伟", username="wangwei", country="CN", city="南宁", consents=[withdrawn])
    ana = make_user(3, "Ana", country="TL")
    budi = make_user(4, "Budi", country="ID")
    lina = make_user(5, "Lina")
    return [
        # Deliberately out of order: the export orders them itself.
        Participant(
            make_registration(
                23, budi, RegistrationStatus.WAITLISTED, queued_minutes_ago=10, answers={"12": "L"}
            ),
            budi,
        ),
        Participant(
            make_registration(
                22, ana, RegistrationStatus.WAITLISTED, queued_minutes_ago=20, answers={"11": "0"}
            ),
            ana,
        ),
        Participant(
            make_registration(
                21,
                somchai,
                RegistrationStatus.CONFIRMED,
                queued_minutes_ago=30,
                answers={"11": "มังสวิรัติ", "12": "+M"},
                attended_at=datetime(2026, 12, 6, 1, 5, tzinfo=UTC),
                checkin_method=CheckInMethod.QR,
            ),
            somchai,
        ),
        Participant(
            make_registration(
                24, lina, RegistrationStatus.PENDING, queued_minutes_ago=5, answers={"11": "1"}
            ),
            lina,
        ),
        Participant(
            make_registration(
                20, wei, RegistrationStatus.CONFIRMED, queued_minutes_ago=40, answers={"11": "均可"}
            ),
            wei,
        ),
    ]


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_has_a_bom_and_keeps_thai_and_chinese_intact() -> None:
    data = participants_csv(make_event(), participants(), language="en", labels=LABELS)
    assert data.startswith(BOM)
    header, *rows = read_csv(data)

    assert header == [
        "#",
        "Name",
        "Username",
        "Telegram ID",
        "Organization",
        "Role",
        "Country",
        "City",
        "Status",
        "Waitlist",
        "Registered (Asia/Bangkok)",
        "Attended (Asia/Bangkok)",
        "Check-in",
        "Partners",
        "Diet",
        "T-shirt size",
    ]
    names = [row[1] for row in rows]
    # Confirmed first (in registration order), then pending, then the waitlist in its order.
    assert names == ["王伟", "สมชาย", "Lina", "Ana", "Budi"]
    wei, somchai, lina, ana, budi = rows
    assert [row[0] for row in rows] == ["1", "2", "3", "4", "5"]
    assert somchai[2:9] == [
        "somchai",
        "1001",
        '\'=HYPERLINK("http://evil")',
        "community",
        "TH",
        "ชลบุรี",
        "Confirmed",
    ]
    assert wei[7] == "南宁"
    assert somchai[11:13] == ["2026-12-06 08:05", "QR code"]
    assert wei[11:13] == ["", ""]
    # Only the person who allowed it may be passed on to the event's partners.
    assert [row[13] for row in rows] == ["", "Yes", "", "", ""]
    # Choice answers in the reader's language, stored as text in another language or as index.
    assert [row[14] for row in rows] == ["Any", "Vegetarian", "Vegetarian", "Any", ""]
    # A free-text answer starting with "+" cannot become a formula.
    assert somchai[15] == "'+M"
    assert budi[15] == "L"
    assert [row[9] for row in rows] == ["", "", "", "1", "2"]
    assert lina[8] == "Pending approval"
    assert ana[8] == budi[8] == "On the waitlist"
    # Registration time in the event's zone (UTC+7).
    assert ana[10] == "2026-12-01 09:40"


def test_question_headers_follow_the_readers_language_then_the_fallback() -> None:
    event = make_event()
    header_th = participant_table(event, [], language="th", labels=LABELS).header
    header_zh = participant_table(event, [], language="zh", labels=LABELS).header
    header_my = participant_table(event, [], language="my", labels=LABELS).header
    assert header_th[-2:] == ["อาหาร", "ขนาดเสื้อ"]
    assert header_zh[-2:] == ["饮食", "T-shirt size"]
    assert header_my[-2:] == ["Diet", "T-shirt size"]


def test_missing_labels_fall_back_to_their_keys() -> None:
    table = participant_table(make_event(), participants(), language="en", labels={})
    assert table.header[: len(COLUMNS)] == [
        *COLUMNS[:10],
        "registered_at (Asia/Bangkok)",
        "attended_at (Asia/Bangkok)",
        "checkin_method",
        "partner_sharing",
    ]
    assert {row[8] for row in table.rows} == {"confirmed", "pending", "waitlisted"}


def test_answers_to_unknown_choices_are_shown_as_given() -> None:
    question = RegistrationQuestion(id=1, position=0, kind=QuestionKind.CHOICE, texts=DIET)
    event = make_event()
    assert answer_text(event, question, "Vegan", "en") == "Vegan"
    assert answer_text(event, question, "9", "en") == "9"
    assert answer_text(event, question, 1, "th") == "มังสวิรัติ"
    assert answer_text(event, question, None, "th") == ""


def test_xlsx_reads_back_with_bold_frozen_header_and_local_times() -> None:
    data = participants_xlsx(make_event(), participants(), language="th", labels=LABELS)
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet is not None
    assert sheet.title == "Participants  Bang Saen  2026"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-2:] == ("อาหาร", "ขนาดเสื้อ")
    assert [row[1] for row in rows[1:]] == ["王伟", "สมชาย", "Lina", "Ana", "Budi"]
    somchai = rows[2]
    assert somchai[11] == datetime(2026, 12, 6, 8, 5)
    assert somchai[14] == "มังสวิรัติ"
    # Text that looks like a formula stays text: a string cell, never evaluated.
    assert somchai[3] == 1001  # a number, as Telegram ids are
    organization = sheet.cell(row=3, column=5)
    assert organization.value == '=HYPERLINK("http://evil")'
    assert organization.data_type == "s"
    assert rows[4][9] == 1 and rows[5][9] == 2
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJKLMNOP"]
    assert all(8 <= width <= 52 for width in widths)
    assert export_filename(7, "xlsx") == "tideline-event-7-participants.xlsx"


def test_xlsx_drops_control_characters_instead_of_failing() -> None:
    rows = participants()
    rows[0].registration.answers = {"12": "XL\x07\x00"}
    data = participants_xlsx(make_event(), rows, language="en", labels=LABELS)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert "XL" in [row[15] for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
async def session_factory(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


async def test_participant_rows_loads_every_registration_with_its_person(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    people = participants()
    async with session_factory() as session:
        session.add_all(participant.user for participant in people)
        event = make_event()
        event.texts = [EventText(language="en", title="Bang Saen cleanup", description="")]
        session.add(event)
        await session.flush()
        session.add_all(participant.registration for participant in people)
        await session.commit()

    async with session_factory() as session:
        loaded = await participant_rows(session, 7)
        assert await participant_rows(session, 8) == []
        event = await session.get(Event, 7)
        assert event is not None
        data = participants_csv(event, loaded, language="zh", labels=LABELS)

    assert sorted(participant.user.first_name or "" for participant in loaded) == sorted(
        ["สมชาย", "王伟", "Ana", "Budi", "Lina"]
    )
    assert all(participant.registration.user_id == participant.user.id for participant in loaded)
    header, *rows = read_csv(data)
    assert header[-2:] == ["饮食", "T-shirt size"]
    assert [row[14] for row in rows] == ["均可", "素食", "素食", "均可", ""]
    assert rows[1][11] == "2026-12-06 08:05"
