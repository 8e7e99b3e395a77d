"""Steps for the survey tests: small XLSForm files written the way KoboToolbox writes them, the
organizer's way to an event's survey screen, and surveys read back from the database."""

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select

from demo.runner import BotRunner
from handlers.organize import flow as organize
from surveys.models import Survey


def xlsform(
    survey_rows: list[list[str]],
    *,
    languages: tuple[str, ...] = ("English (en)", "ไทย (th)"),
    choices: list[list[str]] | None = None,
    form_id: str = "feedback_test",
) -> bytes:
    """A workbook with ``survey``, ``choices`` and ``settings`` sheets; each survey row is
    ``[type, name, label per language…]``."""
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(["type", "name", *(f"label::{language}" for language in languages)])
    for row in survey_rows:
        survey.append(row)
    choice_sheet = book.create_sheet("choices")
    choice_sheet.append(["list_name", "name", *(f"label::{language}" for language in languages)])
    for row in choices or []:
        choice_sheet.append(row)
    settings = book.create_sheet("settings")
    settings.append(
        ["form_id", "default_language", *(f"survey_title::{language}" for language in languages)]
    )
    settings.append(
        [form_id, "English (en)", *(f"Feedback ({language})" for language in languages)]
    )
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


THREE_QUESTIONS = [
    ["text", "liked", "What did you like?", "คุณชอบอะไร"],
    ["text", "improve", "What should we improve?", "เราควรปรับปรุงอะไร"],
    ["text", "next", "What topic next?", "หัวข้อต่อไปคืออะไร"],
]


def codec_data(bot: BotRunner, person: Any, action: str, *args: object) -> str:
    return str(bot.application.bot_data["services"].codec.encode(person.id, action, *args))


async def open_card(bot: BotRunner, organizer: Any, event_id: int) -> None:
    await bot.do(organizer.press_data(codec_data(bot, organizer, organize.CARD, event_id)))


async def surveys_of(bot: BotRunner, event_id: int) -> list[Survey]:
    async with bot.session_factory() as session:
        return list(
            await session.scalars(
                select(Survey).where(Survey.event_id == event_id).order_by(Survey.id)
            )
        )


def alerts(person: Any) -> list[str]:
    return [answer.get("text", "") for answer in person.callback_answers]
