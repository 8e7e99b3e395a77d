"""The demo's surveys part: after the roundtable, its organizer opens a survey from the event card
with the ready template in four taps; the invitation goes out an hour after the event ends;
three people answer in Thai, English and Indonesian (one stops half-way and finishes after the
reminder); the organizer reads the results with a chart and exports them as XLSX; then she
imports an XLSForm with Thai and Khmer labels by sending the spreadsheet in the chat."""

from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from delivery.models import OutboxMessage, OutboxStatus
from demo.runner import BotRunner
from demo.transcript import Transcript
from events.models import Event, EventKind
from surveys.invitations import Kind as SurveyKind
from surveys.models import Survey, SurveyResponse

# The roundtable runs 14:00–17:00 in Nanning on 10 December (06:00–09:00 UTC).
REGISTRATION_DAY = datetime(2026, 12, 9, 2, 0, tzinfo=UTC)  # the day before, 10:00 in Nanning
DAY_BEFORE = datetime(2026, 12, 9, 6, 5, tzinfo=UTC)  # 14:05 in Nanning, 24 hours before
TWO_HOURS_BEFORE = datetime(2026, 12, 10, 4, 5, tzinfo=UTC)  # 12:05 in Nanning
AFTER_ROUNDTABLE = datetime(2026, 12, 10, 9, 20, tzinfo=UTC)  # 17:20, just after it ends
INVITATIONS_DUE = datetime(2026, 12, 10, 10, 5, tzinfo=UTC)  # an hour after the end
REMINDER_DUE = datetime(2026, 12, 12, 10, 10, tzinfo=UTC)  # 48 hours after the invitation
RESULTS_READ = datetime(2026, 12, 12, 11, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Tap:
    """Taps the button whose label is ``label`` (without a ✅ tick)."""

    label: str


@dataclass(frozen=True)
class Tick:
    """Ticks the options in these rows of a multiple choice, then taps Done (the last row
    before « Back / Skip)."""

    rows: tuple[int, ...]


@dataclass(frozen=True)
class Type:
    """Types ``text`` as the answer."""

    text: str


Step = Tap | Tick | Type


def _labels(person: Any) -> list[str]:
    return [text for row in person.last.buttons for text, _ in row]


def _button(person: Any, part: str) -> str:
    return next(text for text in _labels(person) if part in text)


async def _tap(show: Transcript, person: Any, part: str) -> None:
    label = _button(person, part)
    await show.act(person, f"taps [{label}]", person.press(label))


async def _answer(show: Transcript, person: Any, steps: list[Step]) -> None:
    """Answers the questions one by one as the steps say, each from the latest message."""
    for step in steps:
        if isinstance(step, Type):
            await show.act(person, step.text, person.send_text(step.text))
        elif isinstance(step, Tap):
            label = next(text for text in _labels(person) if text.lstrip("✅ ") == step.label)
            await show.act(person, f"taps [{label}]", person.press(label))
        else:
            question = person.last
            for row in step.rows:
                label = question.buttons[row][0][0]
                await show.act(person, f"ticks [{label}]", person.press(label, message=question))
            done = question.buttons[-2][0][0]
            await show.act(person, f"taps [{done}]", person.press(done, message=question))


async def _register_for_roundtable(show: Transcript, person: Any) -> None:
    await show.act(person, "/events", person.send_command("events"))
    await _tap(show, person, "Plastics pact roundtable")
    register = person.last.buttons[0][0][0]
    await show.act(person, f"taps [{register}]", person.press(register))


async def _roundtable(runner: BotRunner) -> Event:
    async with runner.session_factory() as session:
        event = await session.scalar(select(Event).where(Event.kind == EventKind.ROUNDTABLE))
    assert event is not None, "the events scenes created the roundtable"
    return event


async def _survey_of(runner: BotRunner, event_id: int) -> int:
    async with runner.session_factory() as session:
        survey_id = await session.scalar(
            select(func.max(Survey.id)).where(Survey.event_id == event_id)
        )
    assert survey_id is not None
    return survey_id


def _thai_khmer_form(*, broken: bool = False) -> bytes:
    """An XLSForm as KoboToolbox writes one: ``label::Language (code)`` columns in English, Thai
    and Khmer, its metadata questions and ``$kuid`` column, a skip rule and a constraint.
    ``broken`` misspells a question type and a choice list, as a hand-edited file might."""
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    head = ["type", "name", "label::English (en)", "label::ไทย (th)", "label::ខ្មែរ (km)"]
    survey.append(
        [*head, "required", "relevant", "constraint", "constraint_message::English (en)", "$kuid"]
    )
    rows = [
        ["start", "start", None, None, None, None, None, None, None, "a1"],
        ["end", "end", None, None, None, None, None, None, None, "a2"],
        [
            "select_one yes_no",
            "first_time",
            "Was this your first beach cleanup?",
            "นี่เป็นการเก็บขยะชายหาดครั้งแรกของคุณหรือไม่",
            "តើនេះជាលើកដំបូងដែលអ្នកចូលរួមសម្អាតឆ្នេរមែនទេ?",
            "yes",
            None,
            None,
            None,
            "a3",
        ],
        [
            "integer",
            "times_before",
            "How many cleanups had you joined before?",
            "ก่อนหน้านี้คุณเคยร่วมเก็บขยะกี่ครั้ง",
            "តើអ្នកធ្លាប់ចូលរួមសម្អាតប៉ុន្មានដងពីមុនមក?",
            "yes",
            "${first_time} = 'no'",
            ". >= 1 and . <= 200",
            "Please give a number from 1 to 200.",
            "a4",
        ],
        [
            "select_multiple litter" if not broken else "select_multiple litters",
            "litter",
            "Which litter did you find most?",
            "คุณพบขยะประเภทใดมากที่สุด",
            "តើអ្នករកឃើញសំរាមប្រភេទណាច្រើនជាងគេ?",
            "yes",
            None,
            None,
            None,
            "a5",
        ],
        [
            "range" if not broken else "rating",
            "overall",
            "How was the cleanup overall?",
            "โดยรวมแล้วการเก็บขยะครั้งนี้เป็นอย่างไร",
            "តើការសម្អាតនេះជារួមយ៉ាងដូចម្តេច?",
            "yes",
            None,
            None,
            None,
            "a6",
        ],
    ]
    for row in rows:
        survey.append(row)
    survey.cell(row=1, column=len(head) + 6, value="parameters")
    survey.cell(row=len(rows) + 1, column=len(head) + 6, value="start=1 end=5 step=1")
    choices = book.create_sheet("choices")
    choices.append(
        ["list_name", "name", "label::English (en)", "label::ไทย (th)", "label::ខ្មែរ (km)"]
    )
    for row in [
        ["yes_no", "yes", "Yes", "ใช่", "បាទ/ចាស"],
        ["yes_no", "no", "No", "ไม่ใช่", "ទេ"],
        ["litter", "bottles", "Plastic bottles", "ขวดพลาสติก", "ដបប្លាស្ទិក"],
        ["litter", "bags", "Plastic bags", "ถุงพลาสติก", "ថង់ប្លាស្ទិក"],
        ["litter", "foam", "Foam boxes", "กล่องโฟม", "ប្រអប់ស្នោ"],
        ["litter", "nets", "Fishing nets and ropes", "อวนและเชือก", "សំណាញ់ និងខ្សែ"],
    ]:
        choices.append(row)
    settings = book.create_sheet("settings")
    settings.append(
        [
            "form_id",
            "version",
            "form_title",
            "default_language",
            "survey_title::ไทย (th)",
            "survey_title::ខ្មែរ (km)",
        ]
    )
    settings.append(
        [
            "bang_saen_volunteers",
            "2026120501",
            "Bang Saen volunteers",
            "English (en)",
            "อาสาสมัครบางแสน",
            "អ្នកស្ម័គ្រចិត្តបាងសែន",
        ]
    )
    output = BytesIO()
    book.save(output)
    return output.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def survey_scenes(
    runner: BotRunner, show: Transcript, *, alice: Any, somchai: Any, lin: Any, dewi: Any
) -> None:
    roundtable = await _roundtable(runner)

    show.scene("Somchai, Lin and Dewi register for the roundtable in Nanning")
    runner.clock.now = REGISTRATION_DAY
    for person in (somchai, lin, dewi):
        await _register_for_roundtable(show, person)

    # Everyone gets the roundtable's reminders; the transcript shows Somchai's.
    runner.clock.now = DAY_BEFORE
    await show.deliveries("The day before, 14:05 in Nanning", [somchai])
    runner.clock.now = TWO_HOURS_BEFORE
    await show.deliveries("The day itself, 12:05 in Nanning: two hours before", [somchai])

    show.scene("Right after the roundtable, Alice opens its survey from the event card")
    runner.clock.now = AFTER_ROUNDTABLE
    await show.act(alice, "/organize", alice.send_command("organize"))
    await _tap(show, alice, "Plastics pact roundtable")
    await _tap(show, alice, "📝 Survey")
    await _tap(show, alice, "Template: after a roundtable")
    await _tap(show, alice, "👤 Named")
    await _tap(show, alice, "✅ Open the survey")
    survey_id = await _survey_of(runner, roundtable.id)

    show.scene("An hour after the end, the invitations go out in each person's language")
    runner.clock.now = INVITATIONS_DUE
    await show.deliveries("18:05 in Nanning", [somchai, lin, dewi])

    show.scene("Somchai answers in Thai, Dewi in Indonesian; Lin stops half-way")
    link = f"sv_{survey_id}"

    async def start(person: Any, how: str) -> None:
        await show.act(person, f"{how} (opens ?start={link})", person.send_command("start", link))
        await _tap(show, person, person.last.buttons[0][0][0])

    await start(somchai, "taps [เริ่ม]")
    await _answer(
        show,
        somchai,
        [Tap("5"), Tap("4"), Tick((1, 2)), Type("ขอเวลาถามตอบมากกว่านี้"), Tap("ใช่"), Tap("9")],
    )
    await _tap(show, somchai, "ส่ง")
    await start(dewi, "taps [Mulai]")
    await _answer(
        show,
        dewi,
        [
            Tap("4"),
            Tap("5"),
            Tick((2,)),
            Type("Tolong kirim materi presentasi sebelumnya"),
            Tap("Ya"),
            Tap("10"),
        ],
    )
    await _tap(show, dewi, "Kirim")
    await start(lin, "taps [Start]")
    await _answer(show, lin, [Tap("4"), Tap("3"), Tick((0, 3))])
    await show.act(lin, "/cancel (she has a train to catch)", lin.send_command("cancel"))

    show.scene("Two days later only Lin, who has not finished, is reminded; she continues")
    runner.clock.now = REMINDER_DUE
    await show.deliveries("48 hours after the invitation", [somchai, lin, dewi])
    await show.act(lin, f"taps [Continue] (opens ?start={link})", lin.send_command("start", link))
    await _tap(show, lin, lin.last.buttons[0][0][0])
    await _answer(
        show,
        lin,
        [
            Type("More time with the business delegates, please"),
            Tap("No"),
            Type("A session in Xiamen, closer to the university"),
            Tap("7"),
        ],
    )
    await _tap(show, lin, "Submit")

    show.scene("Alice reads the results, sees a chart and exports the answers")
    runner.clock.now = RESULTS_READ
    await show.act(alice, "/surveys", alice.send_command("surveys"))
    await _tap(show, alice, "After the roundtable")
    await _tap(show, alice, "1.")
    await _tap(show, alice, "By language")
    await _tap(show, alice, "« Back to the results")
    await _tap(show, alice, "Export XLSX")
    document = alice.last.document
    assert document is not None, "the export is sent as a file"
    sheet = load_workbook(BytesIO(document.data), read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    print(
        f"      (the sheet holds {len(rows) - 1} responses; columns: "
        + ", ".join(str(heading) for heading in rows[0][:6])
        + ", …)"
    )

    show.scene("Alice imports a Thai–Khmer XLSForm for the Bang Saen volunteers")
    await show.act(alice, "/organize", alice.send_command("organize"))
    await _tap(show, alice, "Bang Saen beach cleanup")
    await _tap(show, alice, "📝 Survey")
    await _tap(show, alice, "Send an XLSForm file")
    await show.act(
        alice,
        "sends bang_saen_volunteers.xlsx (a hand-edited copy with two typos)",
        alice.send_document(
            _thai_khmer_form(broken=True), filename="bang_saen_volunteers.xlsx", mime_type=XLSX
        ),
    )
    await show.act(
        alice,
        "sends the corrected bang_saen_volunteers.xlsx",
        alice.send_document(
            _thai_khmer_form(), filename="bang_saen_volunteers.xlsx", mime_type=XLSX
        ),
    )


async def survey_summary(runner: BotRunner) -> None:
    async with runner.session_factory() as session:
        surveys = (
            await session.execute(select(Survey.status, func.count()).group_by(Survey.status))
        ).all()
        submitted = await session.scalar(
            select(func.count()).where(SurveyResponse.submitted.is_(True))
        )
        sends = dict(
            (
                await session.execute(
                    select(OutboxMessage.kind, func.count())
                    .where(
                        OutboxMessage.kind.in_([SurveyKind.INVITATION, SurveyKind.REMINDER]),
                        OutboxMessage.status == OutboxStatus.SENT,
                    )
                    .group_by(OutboxMessage.kind)
                )
            ).all()
        )
    print("  surveys: " + ", ".join(f"{count} {status}" for status, count in sorted(surveys)))
    print(
        f"  survey responses submitted: {submitted}; invitations sent: "
        f"{sends.get(SurveyKind.INVITATION, 0)}, reminders sent: "
        f"{sends.get(SurveyKind.REMINDER, 0)}"
    )
