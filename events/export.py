"""Participant lists of one event as CSV and XLSX files for its organizers.

Callers translate: column headers and enum values come in through ``labels`` (keys below, plus
``status.<value>``, ``checkin_method.<value>``, ``stakeholder_role.<value>`` and
``partner_sharing.yes``), and anything missing falls back to the key itself. Custom questions are
headed by their prompt in the requested language or the next one along the chain of
i18n.fallback (events.texts).
"""

import csv
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import ConsentPurpose, User
from accounts.service import consents_of
from events.models import (
    Event,
    QuestionKind,
    Registration,
    RegistrationQuestion,
    RegistrationStatus,
)
from events.texts import question_choices, question_text

# The fixed columns, in order; each is also the key of its header in ``labels``.
COLUMNS: tuple[str, ...] = (
    "number",
    "name",
    "username",
    # Reaches people without a username (Telegram's tg://user?id= link, or a forward).
    "telegram_id",
    "organization",
    "stakeholder_role",
    "country",
    "city",
    "status",
    "waitlist_position",
    "registered_at",
    "attended_at",
    "checkin_method",
    # Whether the person allowed sharing their contact details with the event's partners:
    # only these rows may be passed on to them.
    "partner_sharing",
)
# Local times of the event; their headers name the zone so nobody reads them as UTC.
TIME_COLUMNS = frozenset({"registered_at", "attended_at"})
DEFAULT_SHEET_TITLE = "Participants"

# Who is coming first, then who might, then who will not.
STATUS_ORDER: dict[str, int] = {
    RegistrationStatus.CONFIRMED: 0,
    RegistrationStatus.OFFERED: 1,
    RegistrationStatus.PENDING: 2,
    RegistrationStatus.WAITLISTED: 3,
    RegistrationStatus.CANCELLED: 4,
    RegistrationStatus.REJECTED: 5,
}

# Spreadsheet apps run a cell starting with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_TIME_FORMAT = "%Y-%m-%d %H:%M"
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm"
MIN_COLUMN_WIDTH = 6
MAX_COLUMN_WIDTH = 50
# Excel forbids these in sheet titles, and titles longer than 31 characters.
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")
SHEET_TITLE_MAX_LENGTH = 31

Cell = str | int | float | datetime | None


class Participant(NamedTuple):
    registration: Registration
    user: User


@dataclass(frozen=True)
class ParticipantTable:
    header: list[str]
    rows: list[list[Cell]]


async def participant_rows(session: AsyncSession, event_id: int) -> list[Participant]:
    """Every registration of the event, whatever its status, with the person behind it."""
    result = await session.execute(
        select(Registration, User)
        .join(User, User.id == Registration.user_id)
        .where(Registration.event_id == event_id)
        .order_by(Registration.queued_at, Registration.id)
    )
    return [Participant(registration, user) for registration, user in result]


def export_filename(event_id: int, extension: str) -> str:
    return f"tideline-event-{event_id}-participants.{extension}"


def participants_csv(
    event: Event,
    participants: Sequence[Participant],
    *,
    language: str,
    labels: Mapping[str, str],
) -> bytes:
    return table_csv(participant_table(event, participants, language=language, labels=labels))


def table_csv(table: "ParticipantTable") -> bytes:
    """UTF-8 with a byte-order mark, without which Excel reads Thai and Chinese as mojibake."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_cell(value) for value in table.header])
    writer.writerows([_csv_cell(value) for value in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8-sig")


def participants_xlsx(
    event: Event,
    participants: Sequence[Participant],
    *,
    language: str,
    labels: Mapping[str, str],
) -> bytes:
    table = participant_table(event, participants, language=language, labels=labels)
    return table_xlsx(table, labels.get("sheet_title", DEFAULT_SHEET_TITLE))


def table_xlsx(table: "ParticipantTable", sheet_title: str) -> bytes:
    """One sheet: a bold header row that stays in view and filters, columns sized to fit."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new Workbook always has one sheet
    sheet.title = _sheet_title(sheet_title)
    lines: list[Sequence[Cell]] = [table.header, *table.rows]
    for row_number, values in enumerate(lines, start=1):
        for column_number, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=column_number, value=_xlsx_value(value))
            if isinstance(value, str):
                # openpyxl stores text starting with "=" as a formula; keep it text.
                cell.data_type = "s"
            elif isinstance(value, datetime):
                cell.number_format = XLSX_TIME_FORMAT
            if row_number == 1:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, width in enumerate(_column_widths(table), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def participant_table(
    event: Event,
    participants: Sequence[Participant],
    *,
    language: str,
    labels: Mapping[str, str],
) -> ParticipantTable:
    zone = ZoneInfo(event.timezone)
    questions = list(event.questions)
    header = [_column_header(column, labels, event.timezone) for column in COLUMNS]
    header += [question_prompt(event, question, language) for question in questions]
    ordered = sorted(participants, key=_list_order)
    waitlist = _waitlist_positions(ordered)
    rows = [
        _row(participant, waitlist, zone, labels)
        + [_answer(participant.registration, question, language, event) for question in questions]
        for participant in ordered
    ]
    for number, row in enumerate(rows, start=1):
        row[0] = number
    return ParticipantTable(header=header, rows=rows)


def question_prompt(event: Event, question: RegistrationQuestion, language: str) -> str:
    return str(question_text(event, question, language).text.get("prompt", ""))


def answer_text(event: Event, question: RegistrationQuestion, value: Any, language: str) -> str:
    """An answer as the reader reads it: a choice is shown in the reader's language, whether
    it was stored as the choice's index or as its text in the language the person used."""
    if value is None:
        return ""
    if question.kind != QuestionKind.CHOICE:
        return str(value)
    index = _choice_index(question, value)
    choices = question_choices(event, question, language)
    if index is None or index >= len(choices):
        return str(value)
    return str(choices[index])


def _choice_index(question: RegistrationQuestion, value: Any) -> int | None:
    for texts in question.texts.values():
        choices = [str(choice) for choice in texts.get("choices", [])]
        if str(value) in choices:
            return choices.index(str(value))
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return int(value)
    return None


def _column_header(column: str, labels: Mapping[str, str], timezone: str) -> str:
    header = labels.get(column, column)
    return f"{header} ({timezone})" if column in TIME_COLUMNS else header


def _list_order(participant: Participant) -> tuple[int, datetime, int]:
    registration = participant.registration
    return (
        STATUS_ORDER.get(registration.status, len(STATUS_ORDER)),
        registration.queued_at,
        registration.id,
    )


def _waitlist_positions(ordered: Sequence[Participant]) -> dict[int, int]:
    waiting = [
        participant.registration.id
        for participant in ordered
        if participant.registration.status == RegistrationStatus.WAITLISTED
    ]
    return {registration_id: position for position, registration_id in enumerate(waiting, 1)}


def _row(
    participant: Participant,
    waitlist: Mapping[int, int],
    zone: ZoneInfo,
    labels: Mapping[str, str],
) -> list[Cell]:
    registration, user = participant
    method = registration.checkin_method
    return [
        None,  # numbered once the rows are in their final order
        user.first_name or "",
        # Without the "@": Excel reads "@name" as a formula and shows #NAME?.
        user.username or "",
        user.telegram_id,
        user.organization or "",
        _enum_label(labels, "stakeholder_role", user.stakeholder_role),
        user.country or "",
        user.city or "",
        _enum_label(labels, "status", registration.status),
        waitlist.get(registration.id),
        _local(registration.created_at, zone),
        _local(registration.attended_at, zone),
        _enum_label(labels, "checkin_method", method),
        labels.get("partner_sharing.yes", "yes") if _shares_with_partners(user) else "",
    ]


def _shares_with_partners(user: User) -> bool:
    return user.erased_at is None and consents_of(user)[ConsentPurpose.PARTNER_SHARING]


def _answer(
    registration: Registration, question: RegistrationQuestion, language: str, event: Event
) -> str:
    answers = registration.answers or {}
    value = answers.get(str(question.id))
    return answer_text(event, question, value, language)


def _enum_label(labels: Mapping[str, str], prefix: str, value: str | None) -> str:
    if value is None:
        return ""
    return labels.get(f"{prefix}.{value}", str(value))


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    # Spreadsheets have no time zones: a naive local time, with the zone named in the header.
    return None if moment is None else moment.astimezone(zone).replace(tzinfo=None)


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(CSV_TIME_FORMAT)
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_TRIGGERS):
        return f"'{text}"
    return text


def _xlsx_value(value: Cell) -> Cell:
    if isinstance(value, str):
        # Control characters from chat answers would make openpyxl refuse the whole file.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _sheet_title(title: str) -> str:
    cleaned = _SHEET_TITLE_FORBIDDEN.sub(" ", title).strip()[:SHEET_TITLE_MAX_LENGTH]
    return cleaned or DEFAULT_SHEET_TITLE


def _column_widths(table: ParticipantTable) -> list[float]:
    widths = [_display_width(header) for header in table.header]
    for row in table.rows:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], _display_width(_csv_cell(value)))
    return [min(max(width, MIN_COLUMN_WIDTH), MAX_COLUMN_WIDTH) + 2 for width in widths]


def _display_width(text: str) -> int:
    return sum(_character_width(character) for character in text)


def _character_width(character: str) -> int:
    # Chinese characters take two columns; Thai, Lao, Khmer and Burmese marks take none.
    if unicodedata.category(character) == "Mn":
        return 0
    return 2 if unicodedata.east_asian_width(character) in "WF" else 1
