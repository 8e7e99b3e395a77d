"""``bot.py pledges import FILE.xlsx|.csv``: create or update companies and their pledges from a
plastics pact's signatory spreadsheet, one row per company.

Each row carries the pact's stable ``company_key``: importing the file again updates those
companies (a key whose company was merged into another updates that one), and a pledge that
changed becomes the company's public pledge with the old one kept in history, as when a reviewer
accepts a new pledge; the pact accepted these already, which the review history records as
"imported". The whole file is checked before anything is written; every problem is reported with
its row and column, and one problem anywhere means nothing is imported.

Columns (header row first, in any order; empty cells are "not given"):

- ``company_key``, ``main_language`` (default ``en``), ``name_<language>`` (at least the main
  language's), ``country`` (ISO code), ``sector``, ``size_band``, ``brands`` (separated by ``;``),
  ``public_brand_aggregates`` (yes/no)
- ``baseline_year``, ``baseline_tonnes``, ``statement_<language>``
- per metric, ``<metric>_baseline_pct`` (the two shares only), ``<metric>_target_pct`` and
  ``<metric>_target_year`` for ``virgin_reduction``, ``reusable_recyclable_compostable`` and
  ``recycled_content``; ``problematic_items`` (codes separated by ``;``),
  ``problematic_items_other``, ``problematic_items_target_year``; ``reuse_models_target``,
  ``reuse_models_target_year``, ``reuse_models_<language>`` (what they are).

Percentages may be written 25, 25% or, in a spreadsheet cell formatted as a percentage, 0.25.
"""

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import create_engine, create_session_factory
from i18n.languages import LANGUAGE_CODES
from pledges import service
from pledges.content import PledgeContent, Problem, check_answers
from pledges.models import COMPANY_KEY_MAX_LENGTH, Company, Metric
from pledges.service import CompanyDetails, check_company

KEY_PATTERN = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._:-]{{0,{COMPANY_KEY_MAX_LENGTH - 1}}}")
LIST_SEPARATOR = ";"
TRUE_WORDS = frozenset({"yes", "y", "true", "1"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", ""})
NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")
GROUPED_NUMBER = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d*)?")
SHARES = (
    Metric.VIRGIN_REDUCTION,
    Metric.REUSABLE_RECYCLABLE_COMPOSTABLE,
    Metric.RECYCLED_CONTENT,
)
COMPANY_COLUMNS = (
    "company_key",
    "main_language",
    "country",
    "sector",
    "size_band",
    "brands",
    "public_brand_aggregates",
)
PLEDGE_COLUMNS = (
    "baseline_year",
    "baseline_tonnes",
    *(f"{metric}_baseline_pct" for metric in SHARES if metric != Metric.VIRGIN_REDUCTION),
    *(f"{metric}_{part}" for metric in SHARES for part in ("target_pct", "target_year")),
    "problematic_items",
    "problematic_items_other",
    "problematic_items_target_year",
    "reuse_models_target",
    "reuse_models_target_year",
)
PER_LANGUAGE = ("name", "statement", "reuse_models")
COLUMNS = frozenset(
    (
        *COMPANY_COLUMNS,
        *PLEDGE_COLUMNS,
        *(f"{prefix}_{code}" for prefix in PER_LANGUAGE for code in LANGUAGE_CODES),
    )
)
PERCENT_COLUMNS = frozenset(column for column in COLUMNS if column.endswith("_pct"))
YEAR_COLUMNS = frozenset(column for column in COLUMNS if column.endswith("year"))


@dataclass(frozen=True)
class ImportProblem:
    row: int | None  # as the spreadsheet numbers it (the header is row 1); None: the file
    column: str | None
    message: str

    def __str__(self) -> str:
        place = [
            f"row {self.row}" if self.row else "",
            f"column {self.column}" if self.column else "",
        ]
        where = ", ".join(part for part in place if part)
        return f"{where}: {self.message}" if where else self.message


class ImportOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"  # the company's details, its pledge, or both
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ImportedCompany:
    key: str
    company_id: int
    outcome: ImportOutcome
    new_pledge: bool

    def __str__(self) -> str:
        suffix = ", new public pledge" if self.new_pledge else ""
        return f"{self.outcome}: {self.key} (company {self.company_id}){suffix}"


@dataclass
class ImportResult:
    companies: list[ImportedCompany] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Cell:
    value: Any
    percent_format: bool = False  # an XLSX cell shown as a percentage holds 0.25 for 25%


@dataclass(frozen=True)
class RowSpec:
    row: int
    key: str
    details: CompanyDetails
    content: PledgeContent


class ImportFileError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.problem = ImportProblem(None, None, message)


# Reading the file.


def read_rows(path: Path) -> tuple[list[str], list[dict[str, Cell]]]:
    """The header (normalised) and each data row as column → cell."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = _csv_table(path)
    elif suffix == ".xlsx":
        table = _xlsx_table(path)
    else:
        raise ImportFileError(f"{path.name}: expected a .csv or .xlsx file")
    if not table:
        raise ImportFileError(f"{path.name}: the file is empty")
    header = [_header(cell.value) for cell in table[0]]
    rows = [
        {name: cell for name, cell in zip(header, cells, strict=False) if name}
        for cells in table[1:]
    ]
    return header, rows


def _header(value: Any) -> str:
    return "" if value is None else "_".join(str(value).strip().lower().split())


def _csv_table(path: Path) -> list[list[Cell]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ImportFileError(f"{path.name}: cannot read it as UTF-8 text") from error
    return [[Cell(value) for value in row] for row in csv.reader(io.StringIO(text))]


def _xlsx_table(path: Path) -> list[list[Cell]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise ImportFileError(f"{path.name}: cannot read it as a spreadsheet") from error
    try:
        sheet = workbook.worksheets[0]
        return [
            [Cell(cell.value, "%" in str(getattr(cell, "number_format", ""))) for cell in row]
            for row in sheet.iter_rows()
        ]
    finally:
        workbook.close()


# Checking each row.


class _Row:
    """One row's cells read as typed values; each problem names its column."""

    def __init__(self, number: int, cells: Mapping[str, Cell]) -> None:
        self.number = number
        self.cells = cells
        self.problems: list[ImportProblem] = []

    def problem(self, column: str | None, message: str) -> None:
        self.problems.append(ImportProblem(self.number, column, message))

    def text(self, column: str) -> str | None:
        cell = self.cells.get(column)
        if cell is None or cell.value is None:
            return None
        text = str(cell.value).strip()
        return text or None

    def number_of(self, column: str) -> float | int | None:
        cell = self.cells.get(column)
        if cell is None or cell.value is None or str(cell.value).strip() == "":
            return None
        value = cell.value
        if isinstance(value, bool):
            self.problem(column, "not a number")
            return None
        if isinstance(value, int | float):
            number: float | int = value * 100 if cell.percent_format else value
        else:
            number_text = str(value).strip().removesuffix("%").strip()
            if GROUPED_NUMBER.fullmatch(number_text):
                number_text = number_text.replace(",", "")
            if not NUMBER.fullmatch(number_text):
                self.problem(column, f"not a number: {_shown(value)}")
                return None
            number = float(number_text)
        if column in YEAR_COLUMNS:
            if float(number) != int(number):
                self.problem(column, f"not a year: {_shown(value)}")
                return None
            return int(number)
        return round(float(number), 6)

    def per_language(self, prefix: str) -> dict[str, str]:
        texts: dict[str, str] = {}
        for code in LANGUAGE_CODES:
            text = self.text(f"{prefix}_{code}")
            if text is not None:
                texts[code] = text
        return texts


def _shown(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _split(text: str | None) -> list[str]:
    if text is None:
        return []
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]


def parse_row(
    number: int, cells: Mapping[str, Cell], *, now: datetime
) -> tuple[RowSpec | None, list[ImportProblem]]:
    row = _Row(number, cells)
    key = row.text("company_key")
    if key is None:
        row.problem("company_key", "required")
    elif not KEY_PATTERN.fullmatch(key):
        row.problem(
            "company_key", "letters, digits and . _ : - only, starting with a letter or digit"
        )
    details = _details(row)
    answers, columns = _answers(row)
    # A cell already found unreadable is not reported again as missing.
    unreadable = {problem.column for problem in row.problems}
    for problem in check_company(details):
        if (company_column := _company_column(problem)) not in unreadable:
            row.problem(company_column, _message(problem))
    content = check_answers(answers, now=now, complete=True)
    for problem in content if isinstance(content, list) else []:
        answer_column = columns.get(problem.field) or _nearest(problem.field, columns)
        if answer_column not in unreadable:
            row.problem(answer_column, _message(problem))
    if row.problems or key is None or isinstance(content, list):
        return None, row.problems
    return RowSpec(number, key, details, content), []


def _details(row: _Row) -> CompanyDetails:
    flag = (row.text("public_brand_aggregates") or "").lower()
    if flag not in TRUE_WORDS | FALSE_WORDS:
        row.problem("public_brand_aggregates", "yes or no")
    return CompanyDetails(
        names=row.per_language("name"),
        main_language=row.text("main_language") or "en",
        country=(row.text("country") or "").upper(),
        sector=(row.text("sector") or "").lower(),
        size_band=(row.text("size_band") or "").lower(),
        brands=_split(row.text("brands")),
        public_brand_aggregates=flag in TRUE_WORDS,
    )


def _answers(row: _Row) -> tuple[dict[str, Any], dict[str, str]]:
    """The wizard's answers this row gives, and which column each answer came from."""
    columns = {"baseline_year": "baseline_year", "baseline_tonnes": "baseline_tonnes"}
    commitments: list[dict[str, Any]] = []

    def add(entry: dict[str, Any], sources: Mapping[str, str]) -> None:
        index = len(commitments)
        commitments.append(entry)
        for name, column in sources.items():
            columns[f"commitments[{index}].{name}"] = column
        columns[f"commitments[{index}]"] = next(iter(sources.values()))

    for metric in SHARES:
        sources = {
            "target_value": f"{metric}_target_pct",
            "target_year": f"{metric}_target_year",
        }
        if metric != Metric.VIRGIN_REDUCTION:
            sources["baseline_value"] = f"{metric}_baseline_pct"
        values = {name: row.number_of(column) for name, column in sources.items()}
        if any(value is not None for value in values.values()):
            add({"metric": str(metric), **values}, sources)
    items = _split(row.text("problematic_items"))
    item_year = row.number_of("problematic_items_target_year")
    if items or item_year is not None:
        add(
            {
                "metric": str(Metric.PROBLEMATIC_ITEMS),
                "items": [item.lower() for item in items] or None,
                "other_item": row.text("problematic_items_other"),
                "target_year": item_year,
            },
            {
                "items": "problematic_items",
                "other_item": "problematic_items_other",
                "target_year": "problematic_items_target_year",
            },
        )
    reuse_target = row.number_of("reuse_models_target")
    reuse_year = row.number_of("reuse_models_target_year")
    labels = row.per_language("reuse_models")
    if reuse_target is not None or reuse_year is not None or labels:
        add(
            {
                "metric": str(Metric.REUSE_MODELS),
                "target_value": reuse_target,
                "target_year": reuse_year,
                "labels": labels or None,
            },
            {
                "target_value": "reuse_models_target",
                "target_year": "reuse_models_target_year",
                "labels": "reuse_models_en",
            },
        )
    answers = {
        "baseline_year": row.number_of("baseline_year"),
        "baseline_tonnes": row.number_of("baseline_tonnes"),
        "commitments": commitments,
        "statements": row.per_language("statement"),
    }
    return answers, columns


def _company_column(problem: Problem) -> str:
    name = problem.field
    if name.startswith("names."):
        return f"name_{name.removeprefix('names.')}"
    if name.startswith("brands"):
        return "brands"
    return name


def _nearest(name: str, columns: Mapping[str, str]) -> str | None:
    """The column of a problem in a nested answer: "statements.th" → statement_th, an item of
    the list → its list's column."""
    if name.startswith("statements."):
        return f"statement_{name.removeprefix('statements.')}"
    if name.startswith("statements"):
        return "statement_en"
    if ".labels." in name:
        return f"reuse_models_{name.rsplit('.', 1)[1]}"
    while "." in name or "[" in name:
        name = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", name)
        if name in columns:
            return columns[name]
    return None


def _message(problem: Problem) -> str:
    text = problem.kind.value.replace("_", " ")
    return text if problem.limit is None else f"{text} ({_limit(problem.limit)})"


def _limit(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def check_rows(
    header: Sequence[str], rows: Sequence[Mapping[str, Cell]], *, now: datetime
) -> tuple[list[RowSpec], list[ImportProblem]]:
    problems: list[ImportProblem] = []
    for name in header:
        if name and name not in COLUMNS:
            problems.append(ImportProblem(1, name, "unknown column"))
    if "company_key" not in header:
        problems.append(ImportProblem(1, "company_key", "required column missing"))
    if problems:
        return [], problems
    specs: list[RowSpec] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(rows, start=2):
        if all(cell.value is None or str(cell.value).strip() == "" for cell in cells.values()):
            continue
        spec, found = parse_row(number, cells, now=now)
        problems.extend(found)
        key = _Row(number, cells).text("company_key")
        if key is not None and key in seen:
            problems.append(
                ImportProblem(number, "company_key", f"the same key as row {seen[key]}")
            )
        elif key is not None:
            seen[key] = number
            if spec is not None:
                specs.append(spec)
    if not specs and not problems:
        problems.append(ImportProblem(None, None, "no companies in the file"))
    return specs, problems


# Writing.


async def import_rows(
    session: AsyncSession,
    header: Sequence[str],
    rows: Sequence[Mapping[str, Cell]],
    *,
    now: datetime,
) -> ImportResult:
    specs, problems = check_rows(header, rows, now=now)
    if problems:
        return ImportResult(problems=problems)
    result = ImportResult()
    for spec in specs:
        result.companies.append(await _apply(session, spec, now=now))
    return result


async def _company_by_key(session: AsyncSession, key: str) -> Company | None:
    company = await session.scalar(select(Company).where(Company.key == key))
    while company is not None and company.merged_into_id is not None:
        company = await session.get(Company, company.merged_into_id)
    return company


def _details_of(company: Company) -> CompanyDetails:
    return CompanyDetails(
        names=dict(company.names),
        main_language=company.main_language,
        country=company.country,
        sector=str(company.sector),
        size_band=str(company.size_band),
        brands=list(company.brands),
        public_brand_aggregates=company.public_brand_aggregates,
    )


async def _apply(session: AsyncSession, spec: RowSpec, *, now: datetime) -> ImportedCompany:
    company = await _company_by_key(session, spec.key)
    created = company is None
    details_changed = False
    if company is None:
        company = await service.register_company(
            session, spec.details, founder=None, now=now, key=spec.key
        )
    elif _details_of(company) != _normalised(spec.details):
        service.apply_details(company, spec.details, now=now)
        details_changed = True
    pledge = await service.record_imported_pledge(session, company, spec.content, now=now)
    if created:
        outcome = ImportOutcome.CREATED
    elif details_changed or pledge is not None:
        outcome = ImportOutcome.UPDATED
    else:
        outcome = ImportOutcome.UNCHANGED
    return ImportedCompany(spec.key, company.id, outcome, pledge is not None)


def _normalised(details: CompanyDetails) -> CompanyDetails:
    """As apply_details would store them, to tell whether anything changes."""
    return CompanyDetails(
        names={language: " ".join(name.split()) for language, name in details.names.items()},
        main_language=details.main_language,
        country=details.country,
        sector=details.sector,
        size_band=details.size_band,
        brands=[" ".join(brand.split()) for brand in details.brands],
        public_brand_aggregates=details.public_brand_aggregates,
    )


async def import_file(database_url: str, path: Path, *, now: datetime) -> ImportResult:
    """Read ``path`` and import it, committing only when every row in it is valid."""
    try:
        header, rows = read_rows(path)
    except ImportFileError as error:
        return ImportResult(problems=[error.problem])
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            result = await import_rows(session, header, rows, now=now)
            if result.ok:
                await session.commit()
            return result
    finally:
        await engine.dispose()
