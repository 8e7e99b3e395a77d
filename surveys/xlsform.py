"""XLSForm files: reading a survey from one, writing one back.

The sheets are read as KoboToolbox and ODK write them (``survey``, ``choices``, ``settings``;
``label::English (en)``, ``label::ไทย (th)`` or ``label::th`` columns, also for ``hint``,
``constraint_message`` and ``required_message``) with openpyxl, which keeps a version as the
text it is and a blank as blank. Tideline's own checks go over every row and collect every
problem, each with its sheet, row and column, so one answer lists them all; a file they pass is
then converted by pyxform's full ``convert()`` – the reference converter, which catches what is
left (its first problem is reported with the row it names). Nothing is saved unless both pass.

Types: ``select_one LIST`` and ``select_multiple LIST`` (``or_other`` adds "other, please say"),
a ``select_one`` of a list of exactly ``yes`` and ``no`` is a yes/no question, ``range`` with
``parameters`` ``start=1 end=5 step=1`` (at most 11 points; ``tick_labelset=LIST`` labels them,
e.g. only the ends) is a rating, ``integer``, ``decimal``, ``text``, ``date`` and ``note``.
Groups are flattened; the metadata KoboToolbox adds (``start``, ``end``, ``today``…) is ignored.
Settings: ``form_id`` (required: importing the same form id again replaces that survey while
nobody has answered it), ``version``, ``form_title``, ``default_language``, and Tideline's own
``survey_title::…``, ``introduction::…``, ``thank_you::…`` per language and ``anonymous``.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from io import BytesIO
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from babel import Locale
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import create_engine, create_session_factory
from events.models import Event
from i18n.languages import LANGUAGE_CODES, LANGUAGES, match_language
from questions import Kind, Option
from questions.engine import NO, YES
from surveys import expressions
from surveys.definitions import DefinitionRefusal, DefinitionRefused, Saved, save_form
from surveys.forms import Form, FormQuestion, QuestionTexts, SurveyTexts

MAX_FILE_BYTES = 5 * 1024 * 1024
# A survey people answer one question at a time in a chat; beyond this nobody finishes it.
MAX_QUESTIONS = 100
MAX_NAME_LENGTH = 64
MAX_RATING_POINTS = 11
MAX_LABEL_LENGTH = 1000

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"
_TRANSLATED_SURVEY_COLUMNS = ("label", "hint", "constraint_message", "required_message")
_TRANSLATED_SETTINGS = ("survey_title", "introduction", "thank_you")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_LANGUAGE_IN_PARENTHESES = re.compile(r"\(([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\)\s*$")
_PYXFORM_ROW = re.compile(r"\[row : (\d+)\]")
_KINDS = {
    "integer": Kind.INTEGER,
    "decimal": Kind.DECIMAL,
    "text": Kind.TEXT,
    "date": Kind.DATE,
    "note": Kind.NOTE,
    "range": Kind.RATING,
}
_SELECTS = {"select_one": Kind.CHOICE, "select_multiple": Kind.MULTIPLE}
# What a phone records about itself; a chat has none of it.
_METADATA = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "phonenumber",
        "username",
        "email",
        "audit",
        "simserial",
        "subscriberid",
        "start-geopoint",
        "background-audio",
    }
)
_GROUP_TYPES = frozenset({"begin_group", "end_group", "begin group", "end group"})
_TRUE = frozenset({"yes", "true", "true()", "1"})
_FALSE = frozenset({"", "no", "false", "false()", "0"})


class ProblemKind(StrEnum):
    NOT_A_SPREADSHEET = "not_a_spreadsheet"
    FILE_TOO_LARGE = "file_too_large"
    MISSING_SHEET = "missing_sheet"
    MISSING_COLUMN = "missing_column"
    MISSING_VALUE = "missing_value"
    UNSUPPORTED_TYPE = "unsupported_type"
    UNKNOWN_LIST = "unknown_list"
    BAD_NAME = "bad_name"
    DUPLICATE_NAME = "duplicate_name"
    DUPLICATE_OPTION = "duplicate_option"
    UNKNOWN_REFERENCE = "unknown_reference"
    LATER_REFERENCE = "later_reference"
    BAD_EXPRESSION = "bad_expression"
    UNSUPPORTED_LANGUAGE = "unsupported_language"
    MISSING_LABEL = "missing_label"
    TEXT_TOO_LONG = "text_too_long"
    BAD_VALUE = "bad_value"
    BAD_RANGE = "bad_range"
    TOO_MANY_QUESTIONS = "too_many_questions"
    NO_QUESTIONS = "no_questions"
    CONVERTER = "converter"  # pyxform's own message


@dataclass(frozen=True)
class FormProblem:
    """One problem and where: ``row`` and ``column`` (a letter) as the spreadsheet shows them,
    0 and "" where the problem is the whole sheet or file. ``detail`` is English, for operators
    (the chat words each kind in the reader's language)."""

    kind: ProblemKind
    sheet: str
    row: int
    column: str
    detail: str

    def __str__(self) -> str:
        if self.row and self.column:
            place = f"{self.sheet}!{self.column}{self.row}"
        elif self.row:
            place = f"{self.sheet} row {self.row}"
        else:
            place = self.sheet or "file"
        return f"{place}: {self.detail}"


class InvalidForm(ValueError):
    def __init__(self, problems: Sequence[FormProblem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = tuple(problems)


def language_code(name: str) -> str | None:
    """Ours of a column's language: "English (en)", "ไทย (th)", "th", "Thai" or "ภาษาไทย"."""
    cleaned = name.strip()
    in_parentheses = _LANGUAGE_IN_PARENTHESES.search(cleaned)
    code = match_language(in_parentheses.group(1) if in_parentheses else cleaned)
    if code is not None:
        return code
    for candidate, language in LANGUAGES.items():
        if cleaned.casefold() in (
            language.native_name.casefold(),
            english_name(candidate).casefold(),
        ):
            return candidate
    return None


def english_name(code: str) -> str:
    return str(Locale.parse("en").languages.get(code, code))


def column_language_name(code: str) -> str:
    """How exports name a language in a column, as KoboToolbox does: "Thai (th)"."""
    return f"{english_name(code)} ({code})"


# Reading the sheets


@dataclass
class _Sheet:
    name: str
    # Header text (lower case, language part as written) → column index.
    columns: dict[str, int]
    rows: list[tuple[int, list[Any]]]

    def letter(self, column: str) -> str:
        index = self.columns.get(column)
        return "" if index is None else get_column_letter(index + 1)

    def cell(self, values: list[Any], column: str) -> str:
        index = self.columns.get(column)
        if index is None or index >= len(values) or values[index] is None:
            return ""
        return _text(values[index])


def _text(value: Any) -> str:
    # openpyxl gives numbers as numbers: a version 2027010101 stays those digits.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header(title: str) -> str:
    """A column's name: the base in lower case ("Label" is "label"), the language as written."""
    base, separator, language = title.partition("::")
    return f"{base.strip().lower()}{separator}{language.strip()}"


def _read_sheets(data: bytes) -> dict[str, _Sheet]:
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise InvalidForm(
            [FormProblem(ProblemKind.NOT_A_SPREADSHEET, "", 0, "", f"not an .xlsx file ({error})")]
        ) from None
    sheets: dict[str, _Sheet] = {}
    try:
        for worksheet in workbook.worksheets:
            rows = [list(row) for row in worksheet.iter_rows(values_only=True)]
            header = rows[0] if rows else []
            columns = {
                _header(_text(title)): index
                for index, title in enumerate(header)
                if title is not None and _text(title)
            }
            body = [
                (number, values)
                for number, values in enumerate(rows[1:], start=2)
                if any(value is not None and _text(value) for value in values)
            ]
            sheets[worksheet.title.strip().lower()] = _Sheet(worksheet.title, columns, body)
    finally:
        workbook.close()
    return sheets


def _split_column(header: str) -> tuple[str, str | None]:
    base, separator, language = header.partition("::")
    return base.strip(), (language.strip() if separator else None)


@dataclass
class _Reader:
    """Collects problems while reading the sheets into a Form."""

    sheets: dict[str, _Sheet]
    fallback_language: str
    problems: list[FormProblem] = field(default_factory=list)
    default_language: str = "en"
    # Per sheet: header → our language code, for translated columns.
    column_languages: dict[str, dict[str, str]] = field(default_factory=dict)

    def problem(self, kind: ProblemKind, sheet: str, row: int, column: str, detail: str) -> None:
        self.problems.append(FormProblem(kind, sheet, row, column, detail))

    def sheet(self, name: str) -> _Sheet | None:
        return self.sheets.get(name)

    # Languages

    def languages_of(self, sheet: _Sheet, bases: Iterable[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        wanted = set(bases)
        for header in sheet.columns:
            base, language = _split_column(header)
            if base not in wanted:
                continue
            if language is None:
                found[header] = self.default_language
                continue
            code = language_code(language)
            if code is None:
                self.problem(
                    ProblemKind.UNSUPPORTED_LANGUAGE,
                    sheet.name,
                    1,
                    sheet.letter(header),
                    f"language {language!r} is not one Tideline speaks "
                    f"({', '.join(LANGUAGE_CODES)})",
                )
                continue
            found[header] = code
        return found

    def translated(self, sheet: _Sheet, values: list[Any], base: str) -> dict[str, str]:
        """``base``'s text per language in this row; a language's own column wins over a
        column without a language."""
        texts: dict[str, str] = {}
        for header, code in sorted(
            self.column_languages[sheet.name].items(), key=lambda item: "::" in item[0]
        ):
            if _split_column(header)[0] == base and (text := sheet.cell(values, header)):
                texts[code] = text
        return texts

    def settings(self) -> dict[str, str]:
        sheet = self.sheet(SETTINGS)
        if sheet is None or not sheet.rows:
            return {}
        _, values = sheet.rows[0]
        return {header: sheet.cell(values, header) for header in sheet.columns}

    def anonymous(self) -> bool:
        sheet = self.sheet(SETTINGS)
        if sheet is None or not sheet.rows:
            return False
        number, values = sheet.rows[0]
        return self.flag(sheet, number, values, "anonymous")

    def read_default_language(self, settings: Mapping[str, str]) -> None:
        written = settings.get("default_language", "")
        if not written or written == "default":
            self.default_language = self.fallback_language
            return
        code = language_code(written)
        if code is None:
            sheet = self.sheets[SETTINGS]
            self.problem(
                ProblemKind.UNSUPPORTED_LANGUAGE,
                sheet.name,
                2,
                sheet.letter("default_language"),
                f"default_language {written!r} is not one Tideline speaks",
            )
            self.default_language = self.fallback_language
        else:
            self.default_language = code

    # Choices

    def choice_lists(self) -> dict[str, list[tuple[int, Option]]]:
        sheet = self.sheet(CHOICES)
        lists: dict[str, list[tuple[int, Option]]] = {}
        if sheet is None:
            return lists
        for column in ("list_name", "name"):
            if column not in sheet.columns:
                self.problem(ProblemKind.MISSING_COLUMN, sheet.name, 1, "", f"no {column!r} column")
        if any(problem.sheet == sheet.name for problem in self.problems):
            return lists
        self.column_languages[sheet.name] = self.languages_of(sheet, ("label",))
        for number, values in sheet.rows:
            list_name, value = sheet.cell(values, "list_name"), sheet.cell(values, "name")
            if not list_name or not value:
                missing = "list_name" if not list_name else "name"
                self.problem(
                    ProblemKind.MISSING_VALUE,
                    sheet.name,
                    number,
                    sheet.letter(missing),
                    f"no {missing}",
                )
                continue
            options = lists.setdefault(list_name, [])
            if any(option.value == value for _, option in options):
                self.problem(
                    ProblemKind.DUPLICATE_OPTION,
                    sheet.name,
                    number,
                    sheet.letter("name"),
                    f"list {list_name!r} has {value!r} twice",
                )
                continue
            if " " in value:
                self.problem(
                    ProblemKind.BAD_NAME,
                    sheet.name,
                    number,
                    sheet.letter("name"),
                    f"choice name {value!r} has a space (answers join several with spaces)",
                )
            labels = self.translated(sheet, values, "label")
            self.check_texts(sheet, number, "label", labels, required=True)
            options.append((number, Option(value=value, labels=labels)))
        return lists

    def check_texts(
        self, sheet: _Sheet, number: int, base: str, texts: Mapping[str, str], *, required: bool
    ) -> None:
        default_column = next(
            (
                header
                for header, code in self.column_languages[sheet.name].items()
                if _split_column(header)[0] == base and code == self.default_language
            ),
            base,
        )
        if required and self.default_language not in texts:
            self.problem(
                ProblemKind.MISSING_LABEL,
                sheet.name,
                number,
                sheet.letter(default_column),
                f"no {base} in the default language ({self.default_language})",
            )
        for code, text in texts.items():
            if len(text) > MAX_LABEL_LENGTH:
                self.problem(
                    ProblemKind.TEXT_TOO_LONG,
                    sheet.name,
                    number,
                    sheet.letter(default_column),
                    f"{base} in {code} is longer than {MAX_LABEL_LENGTH} characters",
                )

    # Questions

    def questions(self, lists: Mapping[str, list[tuple[int, Option]]]) -> list[FormQuestion]:
        sheet = self.sheet(SURVEY)
        assert sheet is not None
        for column in ("type", "name"):
            if column not in sheet.columns:
                self.problem(ProblemKind.MISSING_COLUMN, sheet.name, 1, "", f"no {column!r} column")
        if any(
            p.sheet == sheet.name and p.kind == ProblemKind.MISSING_COLUMN for p in self.problems
        ):
            return []
        self.column_languages[sheet.name] = self.languages_of(sheet, _TRANSLATED_SURVEY_COLUMNS)
        all_names = {sheet.cell(values, "name") for _, values in sheet.rows}
        seen: dict[str, int] = {}
        questions: list[FormQuestion] = []
        for number, values in sheet.rows:
            question = self.question(sheet, number, values, lists, seen, all_names)
            if question is not None:
                questions.append(question)
        return questions

    def question(
        self,
        sheet: _Sheet,
        number: int,
        values: list[Any],
        lists: Mapping[str, list[tuple[int, Option]]],
        seen: dict[str, int],
        all_names: set[str],
    ) -> FormQuestion | None:
        written_type = " ".join(sheet.cell(values, "type").split())
        name = sheet.cell(values, "name")
        base = written_type.split(" ")[0] if written_type else ""
        if base in _METADATA:
            return None
        if written_type in _GROUP_TYPES:
            if written_type.startswith("begin") and sheet.cell(values, "relevant"):
                self.problem(
                    ProblemKind.UNSUPPORTED_TYPE,
                    sheet.name,
                    number,
                    sheet.letter("relevant"),
                    "skip logic on a group: put it on each question of the group",
                )
            return None
        if not written_type:
            self.problem(
                ProblemKind.MISSING_VALUE, sheet.name, number, sheet.letter("type"), "no type"
            )
            return None
        kind, options, other = self.kind(sheet, number, written_type, lists)
        if not self.name_is_new(sheet, number, name, seen):
            return None
        texts = self.question_texts(sheet, number, values)
        relevant = self.expression(sheet, number, values, "relevant", name, seen, all_names)
        constraint = self.expression(sheet, number, values, "constraint", name, seen, all_names)
        required = self.flag(sheet, number, values, "required")
        seen[name] = number
        if kind is None:
            return None
        minimum, maximum, max_length = self.limits(sheet, number, values, kind, constraint, options)
        return FormQuestion(
            name=name,
            kind=kind,
            texts=texts,
            required=required and kind != Kind.NOTE,
            relevant=relevant,
            constraint=constraint,
            options=options,
            other=other,
            minimum=minimum,
            maximum=maximum,
            max_length=max_length,
        )

    def kind(
        self,
        sheet: _Sheet,
        number: int,
        written: str,
        lists: Mapping[str, list[tuple[int, Option]]],
    ) -> tuple[Kind | None, tuple[Option, ...], bool]:
        parts = written.replace("select one ", "select_one ").split(" ")
        if parts[0] in _SELECTS and len(parts) in (2, 3):
            other = len(parts) == 3
            if other and parts[2] != "or_other":
                parts = []
            elif parts[1] not in lists:
                self.problem(
                    ProblemKind.UNKNOWN_LIST,
                    sheet.name,
                    number,
                    sheet.letter("type"),
                    f"no list {parts[1]!r} on the choices sheet",
                )
                return None, (), False
            else:
                options = tuple(option for _, option in lists[parts[1]])
                kind = _SELECTS[parts[0]]
                if kind == Kind.CHOICE and not other and [o.value for o in options] == [YES, NO]:
                    kind = Kind.YES_NO
                return kind, options, other
        if len(parts) == 1 and parts[0] in _KINDS:
            return _KINDS[parts[0]], (), False
        self.problem(
            ProblemKind.UNSUPPORTED_TYPE,
            sheet.name,
            number,
            sheet.letter("type"),
            f"question type {written!r} is unknown or not supported",
        )
        return None, (), False

    def name_is_new(self, sheet: _Sheet, number: int, name: str, seen: Mapping[str, int]) -> bool:
        if not name:
            self.problem(
                ProblemKind.MISSING_VALUE, sheet.name, number, sheet.letter("name"), "no name"
            )
            return False
        if not _NAME.fullmatch(name) or len(name) > MAX_NAME_LENGTH:
            self.problem(
                ProblemKind.BAD_NAME,
                sheet.name,
                number,
                sheet.letter("name"),
                f"name {name!r}: letters, digits, _ - . only, starting with a letter or _, "
                f"at most {MAX_NAME_LENGTH}",
            )
            return False
        if name in seen:
            self.problem(
                ProblemKind.DUPLICATE_NAME,
                sheet.name,
                number,
                sheet.letter("name"),
                f"name {name!r} is already used on row {seen[name]}",
            )
            return False
        return True

    def question_texts(
        self, sheet: _Sheet, number: int, values: list[Any]
    ) -> dict[str, QuestionTexts]:
        by_column = {
            base: self.translated(sheet, values, base) for base in _TRANSLATED_SURVEY_COLUMNS
        }
        self.check_texts(sheet, number, "label", by_column["label"], required=True)
        for base in _TRANSLATED_SURVEY_COLUMNS[1:]:
            self.check_texts(sheet, number, base, by_column[base], required=False)
        languages = dict.fromkeys(code for texts in by_column.values() for code in texts)
        return {
            code: QuestionTexts(
                label=by_column["label"].get(code, ""),
                hint=by_column["hint"].get(code, ""),
                constraint_message=by_column["constraint_message"].get(code, ""),
                required_message=by_column["required_message"].get(code, ""),
            )
            for code in languages
        }

    def expression(
        self,
        sheet: _Sheet,
        number: int,
        values: list[Any],
        column: str,
        name: str,
        seen: Mapping[str, int],
        all_names: set[str],
    ) -> str | None:
        text = sheet.cell(values, column)
        if not text:
            return None
        letter = sheet.letter(column)
        try:
            referred = expressions.references(text, constraint=column == "constraint")
        except expressions.InvalidExpression as error:
            self.problem(
                ProblemKind.BAD_EXPRESSION,
                sheet.name,
                number,
                letter,
                f"{column} {text!r}: {_expression_problem(error)}",
            )
            return None
        for reference in dict.fromkeys(referred):
            if reference in seen:
                continue
            kind = (
                ProblemKind.LATER_REFERENCE
                if reference in all_names
                else ProblemKind.UNKNOWN_REFERENCE
            )
            where = "a later question or this one" if reference in all_names else "no question"
            self.problem(
                kind, sheet.name, number, letter, f"{column} names ${{{reference}}}: {where}"
            )
        return text

    def flag(self, sheet: _Sheet, number: int, values: list[Any], column: str) -> bool:
        written = sheet.cell(values, column).lower()
        if written in _TRUE:
            return True
        if written not in _FALSE:
            self.problem(
                ProblemKind.BAD_VALUE,
                sheet.name,
                number,
                sheet.letter(column),
                f"{column} {written!r}: yes or no",
            )
        return False

    def limits(
        self,
        sheet: _Sheet,
        number: int,
        values: list[Any],
        kind: Kind,
        constraint: str | None,
        options: tuple[Option, ...],
    ) -> tuple[Decimal | None, Decimal | None, int | None]:
        if kind == Kind.RATING:
            return self.rating_range(sheet, number, values)
        if kind in (Kind.INTEGER, Kind.DECIMAL) and constraint:
            low, high = expressions.bounds(constraint)
            return low, high, None
        if kind == Kind.TEXT and constraint:
            return None, None, expressions.length_limit(constraint)
        return None, None, None

    def rating_range(
        self, sheet: _Sheet, number: int, values: list[Any]
    ) -> tuple[Decimal | None, Decimal | None, int | None]:
        written = sheet.cell(values, "parameters")
        parameters = dict(
            part.split("=", 1) for part in written.replace(",", " ").split() if "=" in part
        )
        try:
            start = int(parameters.get("start", "1"))
            end = int(parameters.get("end", "10"))
            step = int(parameters.get("step", "1"))
        except ValueError:
            start, end, step = 0, 0, 0
        if step != 1 or not 2 <= end - start + 1 <= MAX_RATING_POINTS:
            self.problem(
                ProblemKind.BAD_RANGE,
                sheet.name,
                number,
                sheet.letter("parameters"),
                f"range {written!r}: whole steps of 1, from 2 to {MAX_RATING_POINTS} points "
                "(start=1 end=5 step=1, or start=0 end=10 step=1)",
            )
        return Decimal(start), Decimal(end), None

    def tick_labels(
        self, sheet: _Sheet, lists: Mapping[str, list[tuple[int, Option]]]
    ) -> dict[str, tuple[Option, ...]]:
        """Per rating's name, the options of its ``tick_labelset``."""
        labelled: dict[str, tuple[Option, ...]] = {}
        for number, values in sheet.rows:
            written = sheet.cell(values, "parameters")
            match = re.search(r"tick_labelset=(\S+)", written)
            if match is None:
                continue
            if match.group(1) not in lists:
                self.problem(
                    ProblemKind.UNKNOWN_LIST,
                    sheet.name,
                    number,
                    sheet.letter("parameters"),
                    f"no list {match.group(1)!r} on the choices sheet",
                )
                continue
            labelled[sheet.cell(values, "name")] = tuple(o for _, o in lists[match.group(1)])
        return labelled

    def survey_texts(self, settings: Mapping[str, str]) -> dict[str, SurveyTexts]:
        sheet = self.sheet(SETTINGS)
        by_base: dict[str, dict[str, str]] = {base: {} for base in _TRANSLATED_SETTINGS}
        if sheet is not None and sheet.rows:
            self.column_languages[sheet.name] = self.languages_of(sheet, _TRANSLATED_SETTINGS)
            _, values = sheet.rows[0]
            for base in _TRANSLATED_SETTINGS:
                by_base[base] = self.translated(sheet, values, base)
        titles = by_base["survey_title"]
        if settings.get("form_title"):
            titles.setdefault(self.default_language, settings["form_title"])
        languages = dict.fromkeys(code for texts in by_base.values() for code in texts)
        return {
            code: SurveyTexts(
                title=titles.get(code, ""),
                introduction=by_base["introduction"].get(code, ""),
                thank_you=by_base["thank_you"].get(code, ""),
            )
            for code in languages
        }


def _expression_problem(error: expressions.InvalidExpression) -> str:
    problem = error.problem
    if problem == expressions.ExpressionProblem.UNKNOWN_FUNCTION:
        return f"function {error.detail}() is not in the supported subset"
    if problem == expressions.ExpressionProblem.WRONG_ARGUMENTS:
        return f"{error.detail}() takes a different number of arguments"
    if problem == expressions.ExpressionProblem.CURRENT_IN_RELEVANT:
        return "'.' (this answer) only means something in a constraint"
    if problem == expressions.ExpressionProblem.TOO_LONG:
        return f"longer than {error.detail} characters"
    return f"not understood at {error.detail}"


def _with_tick_labels(
    questions: list[FormQuestion], labelled: Mapping[str, tuple[Option, ...]]
) -> tuple[FormQuestion, ...]:
    return tuple(
        replace(question, options=labelled[question.name])
        if question.kind == Kind.RATING and question.name in labelled
        else question
        for question in questions
    )


def read_form(data: bytes, *, fallback_language: str = "en") -> Form:
    """The survey an XLSForm file describes; ``InvalidForm`` listing every problem."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidForm(
            [
                FormProblem(
                    ProblemKind.FILE_TOO_LARGE,
                    "",
                    0,
                    "",
                    f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
                )
            ]
        )
    reader = _Reader(_read_sheets(data), fallback_language)
    if SURVEY not in reader.sheets:
        raise InvalidForm(
            [FormProblem(ProblemKind.MISSING_SHEET, SURVEY, 0, "", "no 'survey' sheet")]
        )
    settings = reader.settings()
    reader.read_default_language(settings)
    lists = reader.choice_lists()
    questions = reader.questions(lists)
    labelled = reader.tick_labels(reader.sheets[SURVEY], lists)
    texts = reader.survey_texts(settings)
    form_id = settings.get("form_id", "")
    settings_sheet = reader.sheet(SETTINGS)
    if not form_id or not _NAME.fullmatch(form_id) or len(form_id) > MAX_NAME_LENGTH:
        column = settings_sheet.letter("form_id") if settings_sheet else ""
        reader.problem(
            ProblemKind.MISSING_VALUE,
            SETTINGS,
            2 if column else 0,
            column,
            "form_id: a name for the form (letters, digits, _ - .), the same in every version",
        )
    answerable = [question for question in questions if question.kind != Kind.NOTE]
    if len(questions) > MAX_QUESTIONS:
        reader.problem(
            ProblemKind.TOO_MANY_QUESTIONS,
            SURVEY,
            0,
            "",
            f"{len(questions)} questions: at most {MAX_QUESTIONS}",
        )
    elif not answerable and not reader.problems:
        reader.problem(ProblemKind.NO_QUESTIONS, SURVEY, 0, "", "no question to answer")
    anonymous = reader.anonymous()
    if not reader.problems:
        _convert(data, reader)
    if reader.problems:
        raise InvalidForm(sorted(reader.problems, key=_reading_order))
    return Form(
        form_id=form_id,
        version=settings.get("version") or None,
        default_language=reader.default_language,
        texts=texts,
        questions=_with_tick_labels(questions, labelled),
        anonymous=anonymous,
    )


def _reading_order(problem: FormProblem) -> tuple[int, int, int, str]:
    sheets = (SURVEY, CHOICES, SETTINGS)
    sheet = sheets.index(problem.sheet.lower()) if problem.sheet.lower() in sheets else -1
    return sheet, problem.row, len(problem.column), problem.column


def _convert(data: bytes, reader: _Reader) -> None:
    """The reference converter's verdict on what Tideline's own checks let through."""
    try:
        convert(data, file_type=".xlsx", warnings=[])
    except PyXFormError as error:
        message = " ".join(str(error).split())
        row = _PYXFORM_ROW.search(message)
        reader.problem(
            ProblemKind.CONVERTER,
            SURVEY if row else "",
            int(row.group(1)) if row else 0,
            "",
            _PYXFORM_ROW.sub("", message).strip(),
        )
    except Exception as error:  # noqa: BLE001 - pyxform fails in its own ways on odd files
        reader.problem(
            ProblemKind.CONVERTER,
            "",
            0,
            "",
            f"the XLSForm converter failed: {type(error).__name__}",
        )


async def import_form(
    session: AsyncSession,
    data: bytes,
    *,
    event_id: int | None,
    now: datetime,
    fallback_language: str = "en",
    created_by: int | None = None,
) -> Saved:
    """Reads the file and saves its survey (a draft); ``InvalidForm`` saves nothing."""
    form = read_form(data, fallback_language=fallback_language)
    return await save_form(session, form, event_id=event_id, now=now, created_by=created_by)


# Writing


def write_form(form: Form) -> bytes:
    """The survey as an XLSForm file that ``read_form`` reads back as the same survey."""
    languages = form.languages
    workbook = Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = SURVEY
    translated = [
        f"{base}::{column_language_name(code)}"
        for base in _TRANSLATED_SURVEY_COLUMNS
        for code in languages
    ]
    survey.append(["type", "name", *translated, "required", "relevant", "constraint", "parameters"])
    choices = workbook.create_sheet(CHOICES)
    choices.append(["list_name", "name", *(f"label::{column_language_name(c)}" for c in languages)])
    for question in form.questions:
        survey.append(_survey_row(question, languages))
        for list_name, option in _options_to_write(question):
            choices.append(
                [list_name, option.value, *(option.labels.get(code, "") for code in languages)]
            )
    settings = workbook.create_sheet(SETTINGS)
    default_title = form.texts.get(form.default_language, SurveyTexts(title=form.form_id)).title
    translated_settings = [
        (f"{base}::{column_language_name(code)}", getattr(form.texts[code], _FIELD[base]))
        for base in _TRANSLATED_SETTINGS
        for code in languages
        if code in form.texts
    ]
    settings.append(
        [
            "form_title",
            "form_id",
            "version",
            "default_language",
            "anonymous",
            *(header for header, _ in translated_settings),
        ]
    )
    settings.append(
        [
            default_title,
            form.form_id,
            form.version or "",
            column_language_name(form.default_language),
            "yes" if form.anonymous else "no",
            *(text for _, text in translated_settings),
        ]
    )
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


_FIELD = {"survey_title": "title", "introduction": "introduction", "thank_you": "thank_you"}


def _type_of(question: FormQuestion) -> str:
    if question.kind == Kind.YES_NO:
        return f"select_one {question.name}_options"
    if question.kind in (Kind.CHOICE, Kind.MULTIPLE):
        select = "select_one" if question.kind == Kind.CHOICE else "select_multiple"
        return f"{select} {question.name}_options" + (" or_other" if question.other else "")
    return next(written for written, kind in _KINDS.items() if kind == question.kind)


def _options_to_write(question: FormQuestion) -> list[tuple[str, Option]]:
    if question.kind == Kind.RATING:
        return [(f"{question.name}_ticks", option) for option in question.options]
    options = question.options
    if question.kind == Kind.YES_NO and not options:
        options = (Option(YES, {}), Option(NO, {}))
    return [(f"{question.name}_options", option) for option in options]


def _survey_row(question: FormQuestion, languages: Sequence[str]) -> list[str]:
    texts = [
        getattr(question.texts[code], base) if code in question.texts else ""
        for base in _TRANSLATED_SURVEY_COLUMNS
        for code in languages
    ]
    parameters = ""
    if question.kind == Kind.RATING:
        parameters = f"start={question.minimum} end={question.maximum} step=1"
        if question.options:
            parameters += f" tick_labelset={question.name}_ticks"
    return [
        _type_of(question),
        question.name,
        *texts,
        "yes" if question.required else "",
        question.relevant or "",
        question.constraint or "",
        parameters,
    ]


@dataclass(frozen=True)
class FileImport:
    """What ``bot.py surveys import`` reports: the survey saved, or every problem."""

    problems: tuple[str, ...] = ()
    saved: Saved | None = None

    def __str__(self) -> str:
        if self.saved is None:
            return "\n".join(f"error: {problem}" for problem in self.problems)
        survey = self.saved.survey
        scope = f"event {survey.event_id}" if survey.event_id else "partnership-wide"
        outcome = "created" if self.saved.created else "updated"
        languages = ", ".join(sorted(survey.texts, key=LANGUAGE_CODES.index))
        return (
            f"{outcome}: survey {survey.id} {survey.form_id!r} ({scope}), {survey.status}, "
            f"{len(survey.questions)} questions, languages: {languages}"
        )


async def import_file(
    database_url: str,
    path: Path,
    *,
    event_id: int | None,
    now: datetime,
    fallback_language: str = "en",
) -> FileImport:
    """Reads ``path`` and saves its survey, committing only when nothing is wrong."""
    try:
        form = read_form_file(path, fallback_language=fallback_language)
    except OSError as error:
        return FileImport(problems=(f"{path}: {error.strerror or error}",))
    except InvalidForm as invalid:
        return FileImport(problems=tuple(str(problem) for problem in invalid.problems))
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            if event_id is not None and await session.get(Event, event_id) is None:
                return FileImport(problems=(f"--event {event_id}: no such event",))
            try:
                saved = await save_form(session, form, event_id=event_id, now=now)
            except DefinitionRefused as refused:
                return FileImport(problems=(_refusal_text(refused),))
            await session.commit()
            return FileImport(saved=saved)
    finally:
        await engine.dispose()


def read_form_file(path: Path, *, fallback_language: str = "en") -> Form:
    return read_form(path.read_bytes(), fallback_language=fallback_language)


def _refusal_text(refused: DefinitionRefused) -> str:
    if refused.refusal == DefinitionRefusal.CLOSED:
        return f"survey {refused.survey_id} of this form is closed: it stays as it is"
    return (
        f"survey {refused.survey_id} of this form has responses: its questions stay as they "
        "are (give the changed form another form_id to make a new survey)"
    )
