"""Public pledges and their yearly figures as CSV (UTF-8 with a byte-order mark) and XLSX, for
organizers and reviewers, in the layout of the Global Commitment's published data: one row per
company and reporting year (a company that has no period yet has one row without a year), one
group of columns per metric, and status columns.

Headers are the column keys below, in English like the data the pacts publish; text that could
run as a formula in a spreadsheet app is kept as text."""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from events.export import FORMULA_TRIGGERS
from pledges.models import (
    Commitment,
    Company,
    Decision,
    Metric,
    Pledge,
    PledgeSlot,
    ProgressReport,
    ReportingPeriod,
)
from pledges.service import progress_of, verdicts

STANDARD_METRICS = (
    Metric.VIRGIN_REDUCTION,
    Metric.REUSABLE_RECYCLABLE_COMPOSTABLE,
    Metric.RECYCLED_CONTENT,
    Metric.PROBLEMATIC_ITEMS,
    Metric.REUSE_MODELS,
)
METRIC_PARTS = ("baseline", "target", "target_year", "value", "progress", "verdict")
COLUMNS: tuple[str, ...] = (
    "company_key",
    "company",
    "country",
    "sector",
    "size_band",
    "year",
    "pledge_status",
    "reporting_status",
    "reported_on_time",
    "baseline_year",
    "baseline_tonnes",
    "total_tonnes",
    *(f"{metric}_{part}" for metric in STANDARD_METRICS for part in METRIC_PARTS),
    "problematic_items_list",
    "other_commitments",
)
SHEET_TITLE = "Pledges"

Value = str | int | float | None


@dataclass(frozen=True)
class PledgeTable:
    header: tuple[str, ...]
    rows: list[list[Value]]


async def pledge_table(session: AsyncSession) -> PledgeTable:
    rows: list[list[Value]] = []
    pairs = await session.execute(
        select(Company, Pledge)
        .join(Pledge, Pledge.company_id == Company.id)
        .where(Pledge.slot == PledgeSlot.PUBLIC, Company.merged_into_id.is_(None))
        .order_by(Company.sort_name, Company.id)
    )
    for company, pledge in pairs:
        periods = list(
            await session.execute(
                select(ReportingPeriod, ProgressReport)
                .outerjoin(ProgressReport, ProgressReport.period_id == ReportingPeriod.id)
                .where(ReportingPeriod.pledge_id == pledge.id)
                .order_by(ReportingPeriod.year)
            )
        )
        if not periods:
            rows.append(_row(company, pledge, None, None, {}))
        for period, report in periods:
            standing = {} if report is None else await verdicts(session, report.id)
            rows.append(_row(company, pledge, period, report, standing))
    return PledgeTable(COLUMNS, rows)


def _row(
    company: Company,
    pledge: Pledge,
    period: ReportingPeriod | None,
    report: ProgressReport | None,
    standing: dict[int, Decision],
) -> list[Value]:
    reported = (
        {} if report is None else {value.commitment_id: value.value for value in report.values}
    )
    on_time: Value = None
    if report is not None and report.submitted_at is not None and period is not None:
        on_time = "yes" if report.submitted_at < period.deadline_at else "no"
    values: dict[str, Value] = {
        "company_key": company.key,
        "company": company.names[company.main_language],
        "country": company.country,
        "sector": str(company.sector),
        "size_band": str(company.size_band),
        "year": period.year if period is not None else None,
        "pledge_status": str(pledge.status),
        "reporting_status": str(period.status) if period is not None else None,
        "reported_on_time": on_time,
        "baseline_year": pledge.baseline_year,
        "baseline_tonnes": pledge.baseline_tonnes,
        "total_tonnes": report.total_tonnes if report is not None else None,
    }
    others: list[str] = []
    for commitment in pledge.commitments:
        metric = Metric(commitment.metric)
        if metric not in STANDARD_METRICS:
            others.append(_other(commitment, reported.get(commitment.id)))
            continue
        value = reported.get(commitment.id)
        values[f"{metric}_baseline"] = commitment.baseline_value
        values[f"{metric}_target"] = commitment.target_value
        values[f"{metric}_target_year"] = commitment.target_year
        values[f"{metric}_value"] = value
        if value is not None and period is not None:
            values[f"{metric}_progress"] = str(progress_of(pledge, commitment, period.year, value))
        verdict = standing.get(commitment.id)
        values[f"{metric}_verdict"] = str(verdict) if verdict is not None else None
        if metric == Metric.PROBLEMATIC_ITEMS:
            items = [item for item in commitment.items if item != "other"]
            if commitment.other_item:
                items.append(f"other: {commitment.other_item}")
            values["problematic_items_list"] = "; ".join(items)
    values["other_commitments"] = "; ".join(others) or None
    return [values.get(column) for column in COLUMNS]


def _other(commitment: Commitment, value: float | None) -> str:
    label = next(iter(commitment.labels.values()), "") if commitment.labels else ""
    unit = f" {commitment.unit}" if commitment.unit else ""
    now = "" if value is None else f"{_plain(value)} → "
    return (
        f"{label}: {now}{_plain(commitment.target_value)}{unit} by {commitment.target_year}"
        f" (from {_plain(commitment.baseline_value)})"
    )


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def export_filename(extension: str) -> str:
    return f"tideline-pledges.{extension}"


def pledges_csv(table: PledgeTable) -> bytes:
    """UTF-8 with a byte-order mark, without which Excel reads Thai and Chinese as mojibake."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.header)
    writer.writerows([_csv_cell(value) for value in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8-sig")


def pledges_xlsx(table: PledgeTable) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new Workbook always has one sheet
    sheet.title = SHEET_TITLE
    lines: list[Sequence[Value]] = [table.header, *table.rows]
    for row_number, values in enumerate(lines, start=1):
        for column_number, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=column_number, value=_xlsx_value(value))
            if isinstance(value, str):
                # openpyxl stores text starting with "=" as a formula; keep it text.
                cell.data_type = "s"
            if row_number == 1:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_cell(value: Value) -> str:
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_TRIGGERS):
        return f"'{text}"
    return text


def _xlsx_value(value: Value) -> Value:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value
