"""XLSForm import and export: the templates, a file written as KoboToolbox writes one, broken
files (every problem with its sheet, row and column, nothing saved), and the round trip."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import create_engine, create_session_factory
from i18n.languages import LANGUAGE_CODES
from questions import Kind
from surveys.definitions import DefinitionRefused, form_of
from surveys.models import Survey, SurveyResponse, SurveyStatus
from surveys.templates import TEMPLATES
from surveys.templates.build import TEMPLATE_FORMS
from surveys.xlsform import (
    MAX_FILE_BYTES,
    InvalidForm,
    ProblemKind,
    import_file,
    import_form,
    read_form,
    write_form,
)
from tests.survey_files import KOBO_STYLE, workbook

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: path.name)
def test_templates_import_cleanly_in_all_twelve_languages(path: Path) -> None:
    form = read_form(path.read_bytes())
    assert set(form.languages) == set(LANGUAGE_CODES)
    assert 6 <= len(form.questions) <= 8
    for question in form.questions:
        assert set(question.texts) == set(LANGUAGE_CODES), question.name
        for option in question.options:
            assert set(option.labels) == set(LANGUAGE_CODES), (question.name, option.value)
    for texts in form.texts.values():
        assert texts.title and texts.introduction and texts.thank_you


def test_committed_templates_are_what_the_build_script_writes() -> None:
    for path, build in TEMPLATE_FORMS.items():
        assert read_form(path.read_bytes()) == build(), (
            f"{path.name} is stale: run python -m surveys.templates.build"
        )


def test_a_file_written_as_kobotoolbox_writes_it_imports() -> None:
    form = read_form(KOBO_STYLE)
    assert (form.form_id, form.version, form.default_language) == (
        "beach_feedback",
        "2027031801",
        "en",
    )
    assert [question.name for question in form.questions] == [
        "first_time",
        "times",
        "litter",
        "overall",
        "comment",
        "bye",
    ]
    first_time, times, litter, overall, comment, bye = form.questions
    assert first_time.kind == Kind.YES_NO and first_time.required
    assert times.relevant == "${first_time} = 'no'"
    assert (times.minimum, times.maximum) == (Decimal(1), Decimal(500))
    assert times.texts["th"].constraint_message == "ตั้งแต่ 1 ถึง 500"
    assert times.texts["en"].hint == "A number"
    assert litter.kind == Kind.MULTIPLE and litter.other
    assert [option.value for option in litter.options] == ["bottles", "bags"]
    assert litter.options[0].labels["km"] == "ដប"
    # pyxform's default range is 1 to 10.
    assert (overall.kind, overall.minimum, overall.maximum) == (
        Kind.RATING,
        Decimal(1),
        Decimal(10),
    )
    assert comment.max_length == 300
    assert bye.kind == Kind.NOTE
    assert form.texts["en"].title == "Beach cleanup feedback"
    assert form.texts["th"].title == "ความเห็น"


HEADER = ["type", "name", "label::English (en)", "label::Deutsch (de)", "relevant", "constraint"]
CHOICES = [["list_name", "name", "label::English (en)"], ["colours", "red", "Red"]]
SETTINGS = [["form_id", "default_language"], ["broken", "en"]]


def test_a_broken_file_gets_every_problem_with_sheet_row_and_column() -> None:
    data = workbook(
        [
            HEADER,
            ["selectone colours", "colour", "Colour?", "Farbe?", None, None],
            ["select_one sizes", "size", "Size?", None, None, None],
            ["text", "size", "Size again?", None, None, None],
            ["text", "early", "Early?", None, "${later} = 'x'", None],
            ["text", "later", None, "Später?", "${nowhere} = 'x'", None],
            ["integer", "count", "Count?", None, None, ". >> 3"],
            ["text", "bad name", "Bad?", None, None, None],
        ],
        CHOICES,
        SETTINGS,
    )
    with pytest.raises(InvalidForm) as invalid:
        read_form(data)
    found = {(p.kind, p.sheet, p.row, p.column) for p in invalid.value.problems}
    assert found == {
        (ProblemKind.UNSUPPORTED_LANGUAGE, "survey", 1, "D"),
        (ProblemKind.UNSUPPORTED_TYPE, "survey", 2, "A"),
        (ProblemKind.UNKNOWN_LIST, "survey", 3, "A"),
        (ProblemKind.DUPLICATE_NAME, "survey", 4, "B"),
        (ProblemKind.LATER_REFERENCE, "survey", 5, "E"),
        (ProblemKind.MISSING_LABEL, "survey", 6, "C"),
        (ProblemKind.UNKNOWN_REFERENCE, "survey", 6, "E"),
        (ProblemKind.BAD_EXPRESSION, "survey", 7, "F"),
        (ProblemKind.BAD_NAME, "survey", 8, "B"),
    }
    message = str(invalid.value)
    assert "survey!A2: question type 'selectone colours' is unknown" in message
    assert "survey!E5: relevant names ${later}: a later question or this one" in message
    assert message.count("\n") == len(found) - 1


def test_files_that_are_not_forms() -> None:
    for data, kind in (
        (b"PK\x03\x04 not really a zip", ProblemKind.NOT_A_SPREADSHEET),
        (b"name,type\nx,text\n", ProblemKind.NOT_A_SPREADSHEET),
        (b"\0" * (MAX_FILE_BYTES + 1), ProblemKind.FILE_TOO_LARGE),
        (
            workbook(
                [["type", "name", "label"]] + [["text", f"q{n}", "Q"] for n in range(500)],
                [["list_name", "name", "label"]],
                [["form_id"], ["long"]],
            ),
            ProblemKind.TOO_MANY_QUESTIONS,
        ),
    ):
        with pytest.raises(InvalidForm) as invalid:
            read_form(data)
        assert [problem.kind for problem in invalid.value.problems] == [kind]


def test_what_only_pyxform_catches_is_reported_with_its_row() -> None:
    # A label naming no question, a group never closed: left to the reference converter.
    for row in (["text", "q", "Hello ${nobody}"], ["begin_group", "g", "G"]):
        data = workbook(
            [["type", "name", "label"], ["text", "first", "First?"], row],
            [["list_name", "name", "label"]],
            [["form_id"], ["pyx"]],
        )
        with pytest.raises(InvalidForm) as invalid:
            read_form(data)
        [problem] = invalid.value.problems
        assert (problem.kind, problem.sheet, problem.row) == (ProblemKind.CONVERTER, "survey", 3)
        assert str(problem).startswith("survey row 3: ")


@pytest.mark.parametrize("data", [KOBO_STYLE, *(path.read_bytes() for path in TEMPLATES)])
def test_export_round_trips(data: bytes) -> None:
    form = read_form(data)
    assert read_form(write_form(form)) == form


async def test_reimport_updates_a_draft_and_never_a_survey_with_answers(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    try:
        async with sessions() as session, session.begin():
            first = await import_form(session, KOBO_STYLE, event_id=None, now=NOW)
            again = await import_form(session, KOBO_STYLE, event_id=None, now=NOW)
            assert first.created and not again.created
            assert again.survey.id == first.survey.id
            assert read_form(write_form(form_of(again.survey))) == read_form(KOBO_STYLE)
            survey = again.survey
            survey.status = SurveyStatus.OPEN
            session.add(SurveyResponse(id=7, survey_id=survey.id, language="en"))
            await session.flush()
            with pytest.raises(DefinitionRefused):
                await import_form(session, KOBO_STYLE, event_id=None, now=NOW)
        async with sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Survey)) == 1
    finally:
        await engine.dispose()


async def test_a_broken_file_saves_nothing(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(workbook([HEADER, ["texte", "q", "Q?", None, None, None]], CHOICES, SETTINGS))
    result = await import_file(database_url, path, event_id=None, now=NOW)
    assert result.saved is None and len(result.problems) == 2
    assert str(result).startswith("error: survey!D1: language 'Deutsch (de)'")
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            assert await session.scalar(select(func.count()).select_from(Survey)) == 0
    finally:
        await engine.dispose()
