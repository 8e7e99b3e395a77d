"""Importing a pact's signatory spreadsheet (CSV and XLSX, real-looking and broken) and exporting
pledges and yearly figures in the Global Commitment's layout."""

import csv
import io
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import AccessRole
from pledges import service
from pledges.export import COLUMNS, pledge_table, pledges_csv, pledges_xlsx
from pledges.importer import Cell, ImportOutcome, check_rows, import_rows, read_rows
from pledges.models import Company, Decision, Pledge, PledgeStatus, ReportingPeriod, ReviewDecision
from tests.pledges_setup import ADMINS, accepted_pledge, company_with_member, open_session, person

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "pledges" / "examples" / "pact_signatories.csv"
NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
async def session(database_url: str) -> AsyncIterator[AsyncSession]:
    async for opened in open_session(database_url):
        yield opened


def _example() -> tuple[list[str], list[dict[str, Cell]]]:
    return read_rows(EXAMPLE)


def _edited(changes: dict[tuple[int, str], object]) -> tuple[list[str], list[dict[str, Cell]]]:
    """The example with some cells changed, by (spreadsheet row, column)."""
    header, rows = _example()
    for (row, column), value in changes.items():
        rows[row - 2][column] = Cell(value)
    return header, rows


def _problems(header: list[str], rows: list[dict[str, Cell]]) -> list[str]:
    _, problems = check_rows(header, rows, now=NOW)
    return [str(problem) for problem in problems]


def _write_xlsx(path: Path) -> None:
    """The example as a spreadsheet, with shares in cells formatted as percentages."""
    header, _ = _example()
    with EXAMPLE.open(encoding="utf-8-sig") as source:
        table = list(csv.reader(source))
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for line in table[1:]:
        cells: list[object] = []
        for column, text in zip(header, line, strict=True):
            if column.endswith("_pct") and text:
                cells.append(float(text) / 100)
            elif column.endswith(("_year", "_tonnes", "_target")) and text:
                cells.append(float(text.replace(",", "")))
            else:
                cells.append(text or None)
        sheet.append(cells)
    for row in sheet.iter_rows(min_row=2):
        for cell, column in zip(row, header, strict=True):
            if column.endswith("_pct"):
                cell.number_format = "0%"
    workbook.save(path)


async def test_the_example_pact_file_imports_and_reimports_without_copies(
    session: AsyncSession,
) -> None:
    header, rows = _example()
    first = await import_rows(session, header, rows, now=NOW)
    assert first.problems == []
    assert [imported.outcome for imported in first.companies] == [ImportOutcome.CREATED] * 7
    siam = await session.scalar(select(Company).where(Company.key == "TH-0001"))
    assert siam is not None
    assert (siam.names["th"], siam.country, siam.sector, siam.brands) == (
        "บริษัท สยามเฟรชฟู้ดส์ จำกัด (มหาชน)",
        "TH",
        "consumer_goods",
        ["Siam Fresh", "Krua Thai"],
    )
    assert siam.public_brand_aggregates
    public, _ = await service.current_pledges(session, siam.id)
    assert public is not None and public.baseline_tonnes == 12450.0
    assert [
        (c.metric, c.baseline_value, c.target_value, c.target_year) for c in public.commitments
    ] == [
        ("virgin_reduction", 0.0, 20.0, 2030),
        ("reusable_recyclable_compostable", 62.0, 100.0, 2030),
        ("recycled_content", 4.0, 25.0, 2030),
        ("problematic_items", 0.0, 3.0, 2026),
    ]
    decisions = await service.decisions_on(session, public.id)
    assert [(d.decision, d.reviewer_id) for d in decisions] == [(Decision.IMPORTED, None)]

    again = await import_rows(session, header, rows, now=NOW)
    assert [imported.outcome for imported in again.companies] == [ImportOutcome.UNCHANGED] * 7
    assert await session.scalar(select(func.count()).select_from(Company)) == 7
    assert await session.scalar(select(func.count()).select_from(Pledge)) == 7


async def test_a_changed_row_updates_its_company_and_supersedes_its_pledge(
    session: AsyncSession,
) -> None:
    header, rows = _example()
    await import_rows(session, header, rows, now=NOW)
    header, rows = _edited({(4, "recycled_content_target_pct"): "35", (5, "size_band"): "medium"})
    result = await import_rows(session, header, rows, now=NOW)
    outcomes = {
        imported.key: (imported.outcome, imported.new_pledge) for imported in result.companies
    }
    assert outcomes["SG-0003"] == (ImportOutcome.UPDATED, True)
    assert outcomes["ID-0004"] == (ImportOutcome.UPDATED, False)
    assert outcomes["TH-0001"] == (ImportOutcome.UNCHANGED, False)
    lion = await session.scalar(select(Company).where(Company.key == "SG-0003"))
    assert lion is not None
    history = await service.history(session, lion.id)
    assert [pledge.status for pledge in history] == [PledgeStatus.SUPERSEDED, PledgeStatus.ACCEPTED]
    assert history[1].commitments[2].target_value == 35


async def test_a_key_of_a_merged_company_updates_the_company_it_went_into(
    session: AsyncSession,
) -> None:
    header, rows = _example()
    await import_rows(session, header, rows, now=NOW)
    admin = await person(session, 9000)
    founder = await person(session, 101)
    original = await company_with_member(session, founder)
    duplicate = await session.scalar(select(Company).where(Company.key == "TH-0001"))
    assert duplicate is not None
    await service.merge_companies(session, duplicate, original, by=admin, admin_ids=ADMINS, now=NOW)
    header, rows = _edited({(2, "baseline_tonnes"): "12,500"})
    result = await import_rows(session, header, rows, now=NOW)
    [siam] = [imported for imported in result.companies if imported.key == "TH-0001"]
    assert siam.company_id == original.id and siam.new_pledge
    public, _ = await service.current_pledges(session, original.id)
    assert public is not None and public.baseline_tonnes == 12500.0


async def test_the_same_file_as_a_spreadsheet_imports_alike(
    session: AsyncSession, tmp_path: Path
) -> None:
    path = tmp_path / "pact.xlsx"
    _write_xlsx(path)
    header, rows = read_rows(path)
    result = await import_rows(session, header, rows, now=NOW)
    assert result.problems == []
    assert len(result.companies) == 7
    siam = await session.scalar(select(Company).where(Company.key == "TH-0001"))
    assert siam is not None
    public, _ = await service.current_pledges(session, siam.id)
    assert public is not None
    assert [c.target_value for c in public.commitments][:3] == [20.0, 100.0, 25.0]
    # The same content as the CSV: importing it over the CSV changes nothing.
    header, rows = _example()
    again = await import_rows(session, header, rows, now=NOW)
    assert {imported.outcome for imported in again.companies} == {ImportOutcome.UNCHANGED}


async def test_every_problem_is_reported_with_row_and_column_and_nothing_is_imported(
    session: AsyncSession,
) -> None:
    header, rows = _edited(
        {
            (2, "recycled_content_target_pct"): "125",
            (3, "baseline_tonnes"): "-40",
            (4, "recycled_content_target_year"): "2019",
            (5, "problematic_items"): "straws; balloons",
            (6, "country"): "US",
            (7, "baseline_year"): "twenty-twenty",
            (8, "company_key"): "VN-0002",
        }
    )
    assert _problems(header, rows) == [
        "row 2, column recycled_content_target_pct: percent out of range (100)",
        "row 3, column baseline_tonnes: negative",
        "row 4, column recycled_content_target_year: target year not after baseline (2021)",
        "row 5, column problematic_items: unknown item",
        "row 6, column country: unknown choice",
        "row 7, column baseline_year: not a number: 'twenty-twenty'",
        "row 8, column company_key: the same key as row 3",
    ]
    result = await import_rows(session, header, rows, now=NOW)
    assert not result.ok and result.companies == []
    assert await session.scalar(select(func.count()).select_from(Company)) == 0


def test_an_unknown_or_missing_column_is_reported_in_the_header() -> None:
    header, rows = _example()
    renamed = ["recycled_pct" if name == "recycled_content_target_pct" else name for name in header]
    assert _problems(renamed, rows) == ["row 1, column recycled_pct: unknown column"]
    assert _problems(header[1:], rows) == ["row 1, column company_key: required column missing"]


def test_an_empty_or_unreadable_file_is_refused(tmp_path: Path) -> None:
    from pledges.importer import ImportFileError

    empty = tmp_path / "empty.csv"
    empty.write_text("")
    for path, message in (
        (empty, "empty.csv: the file is empty"),
        (tmp_path / "pact.ods", "pact.ods: expected a .csv or .xlsx file"),
    ):
        with pytest.raises(ImportFileError) as raised:
            read_rows(path)
        assert str(raised.value) == message
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ImportFileError):
        read_rows(broken)


def _run_cli(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "PYTHONIOENCODING": "utf-8",
    }
    environment.pop("BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *arguments],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_line_imports_and_refuses_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "pact.xlsx"
    _write_xlsx(path)
    done = _run_cli(tmp_path, "pledges", "import", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "created: TH-0001 (company 1), new public pledge"
    broken = tmp_path / "broken.csv"
    text = EXAMPLE.read_text(encoding="utf-8-sig").replace("TH,consumer_goods", "TH,mining", 1)
    broken.write_text(text, encoding="utf-8")
    refused = _run_cli(tmp_path, "pledges", "import", str(broken))
    assert refused.returncode == 1
    assert refused.stderr.strip() == "error: row 2, column sector: unknown choice"
    assert refused.stdout == ""


# Exports.


async def test_exports_follow_the_global_commitment_layout(session: AsyncSession) -> None:
    member = await person(session, 101)
    reviewer = await person(session, 201, role=AccessRole.REVIEWER)
    company = await company_with_member(session, member, names={"en": '=HYPERLINK("x")'})
    company.key = "TH-9"
    pledge = await accepted_pledge(session, company, member, reviewer, now=NOW)
    await service.open_reporting_periods(
        session, now=datetime(2028, 1, 5, tzinfo=UTC), fallback_zone="UTC"
    )
    period = await session.scalar(select(ReportingPeriod).where(ReportingPeriod.year == 2026))
    assert period is not None
    report = await service.start_report(session, period, by=member, now=NOW)
    virgin, recycled, _ = pledge.commitments
    moment = datetime(2027, 2, 1, tzinfo=UTC)
    await service.record_values(
        session, report, {virgin.id: 12, recycled.id: 9}, by=member, now=moment, total_tonnes=1150
    )
    await service.submit_report(session, report, by=member, now=moment)
    await service.judge_metric(
        session,
        report,
        virgin,
        verdict=Decision.VERIFIED,
        reviewer=reviewer,
        admin_ids=ADMINS,
        now=moment,
    )
    table = await pledge_table(session)
    assert table.header == COLUMNS
    rows = [dict(zip(COLUMNS, row, strict=True)) for row in table.rows]
    assert [(row["year"], row["reporting_status"], row["reported_on_time"]) for row in rows] == [
        (2026, "reported", "yes"),
        (2027, "open", None),
    ]
    first = rows[0]
    assert (first["virgin_reduction_value"], first["virgin_reduction_progress"]) == (
        12.0,
        "on_track",
    )
    assert first["virgin_reduction_verdict"] == "verified"
    assert (first["recycled_content_value"], first["recycled_content_verdict"]) == (9.0, None)
    assert first["problematic_items_list"] == "ps_eps; straws; other: plastic-lined paper cups"

    exported = pledges_csv(table)
    assert exported.startswith("\ufeff".encode())
    parsed = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert parsed[0] == list(COLUMNS)
    assert parsed[1][1] == '\'=HYPERLINK("x")', "a formula-like cell stays text"
    workbook = load_workbook(io.BytesIO(pledges_xlsx(table)))
    sheet = workbook.active
    assert sheet is not None
    assert sheet.cell(row=2, column=2).value == '=HYPERLINK("x")'
    assert sheet.cell(row=2, column=2).data_type == "s"
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)


async def test_a_company_without_a_period_yet_has_one_row(session: AsyncSession) -> None:
    member = await person(session, 101)
    reviewer = await person(session, 201, role=AccessRole.REVIEWER)
    company = await company_with_member(session, member)
    await accepted_pledge(session, company, member, reviewer, now=NOW)
    table = await pledge_table(session)
    [row] = [dict(zip(COLUMNS, row, strict=True)) for row in table.rows]
    assert (row["year"], row["reporting_status"], row["recycled_content_target"]) == (
        None,
        None,
        30,
    )
    assert await session.scalar(select(func.count()).select_from(ReviewDecision)) == 1
