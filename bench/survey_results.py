"""Survey results benchmark: aggregates over many stored responses, and charts per language.

(b) Stores ``--responses`` submitted responses (default 100,000; rows bulk-inserted) to the
cleanup template survey, then times what the results screen and its question pages compute
(the overview and every question's aggregate, plus a breakdown by language of each) on SQLite
and PostgreSQL (target ≤ 1 s on PostgreSQL), and the Python memory the bot spends on it
(tracemalloc peak), first at ``--responses`` ÷ 10 and then at ``--responses``: it must not
grow with the number of responses. (c) Draws every question's chart in each of the twelve
languages, labels from the template, ``--repeat`` times after one warm-up: milliseconds per chart
(target ≤ 300 ms). Named so that it does not shadow the ``surveys`` package.

    python bench/survey_results.py [--responses 100000] [--databases sqlite,postgresql]
        [--postgres-url URL] [--repeat 3] [--json]
"""

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _repository_first  # noqa: F401  (before anything that imports surveys)
from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import AccessRole, StakeholderRole, User
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from handlers.surveys.results import chart_of
from i18n import LANGUAGES, Catalogs
from questions import Kind
from surveys import results
from surveys.definitions import open_survey
from surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyParticipant,
    SurveyQuestion,
    SurveyResponse,
)
from surveys.templates import AFTER_CLEANUP
from surveys.xlsform import import_form

NOW = datetime(2026, 12, 5, 6, 0, tzinfo=UTC)
CHUNK = 5000
TARGET_S = 1.0
CHART_TARGET_MS = 300.0
IMPROVEMENTS = ("More gloves", "Start earlier", "Shade please", "ถุงมือเพิ่ม", "更多垃圾袋")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres-url",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/tideline_bench_surveys",
        help="a database the script drops and re-creates",
    )
    parser.add_argument("--repeat", type=int, default=3, help="charts per question and language")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser.parse_args()


async def _fresh_postgresql(url: str) -> None:
    database = make_url(url).database
    admin = create_engine(str(make_url(url).set(database="postgres")))
    async with admin.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{database}"'))
    await admin.dispose()


def _answer(question: SurveyQuestion, generator: random.Random) -> str:
    if question.kind == Kind.RATING:
        low, high = int(question.minimum or 0), int(question.maximum or 5)
        return str(generator.randint(low, high))
    if question.kind in (Kind.CHOICE, Kind.YES_NO):
        return str(generator.choice(question.options)["value"])
    if question.kind == Kind.MULTIPLE:
        values = [str(option["value"]) for option in question.options]
        return " ".join(generator.sample(values, generator.randint(1, 3)))
    return generator.choice(IMPROVEMENTS)


async def _create_survey(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session, session.begin():
        saved = await import_form(session, AFTER_CLEANUP.read_bytes(), event_id=None, now=NOW)
        open_survey(saved.survey, now=NOW, closes_at=NOW + timedelta(days=30))
        return saved.survey.id


async def _fill(
    sessions: async_sessionmaker[AsyncSession], survey_id: int, first: int, count: int
) -> None:
    """``count`` people, numbered from ``first``, each with a submitted response."""
    generator = random.Random(first)
    languages = list(LANGUAGES)
    roles = list(StakeholderRole)
    countries = ("TH", "SG", "KH", "ID", "VN", "PH", "MY", "LA", "MM", "TL", "BN", "CN")
    async with sessions() as session, session.begin():
        survey = await session.get(Survey, survey_id)
        assert survey is not None
        questions = list(survey.questions)
        for start in range(first, first + count, CHUNK):
            numbers = range(start, min(first + count, start + CHUNK))
            await session.execute(
                insert(User),
                [
                    {
                        "telegram_id": 1_000_000 + number,
                        "language": languages[number % len(languages)],
                        "stakeholder_role": roles[number % len(roles)],
                        "country": countries[number % len(countries)],
                        "access_role": AccessRole.PARTICIPANT,
                        "created_at": NOW,
                    }
                    for number in numbers
                ],
            )
            user_ids = list(
                await session.scalars(
                    select(User.id)
                    .where(User.telegram_id >= 1_000_000 + numbers.start)
                    .where(User.telegram_id < 1_000_000 + numbers.stop)
                    .order_by(User.telegram_id)
                )
            )
            response_ids = [number + 1 for number in numbers]
            await session.execute(
                insert(SurveyResponse),
                [
                    {
                        "id": response_id,
                        "survey_id": survey_id,
                        "user_id": user_id,
                        "language": languages[number % len(languages)],
                        "position": len(questions),
                        "submitted": True,
                        "started_at": NOW,
                        "updated_at": NOW,
                        "submitted_at": NOW,
                    }
                    for number, response_id, user_id in zip(
                        numbers, response_ids, user_ids, strict=True
                    )
                ],
            )
            await session.execute(
                insert(SurveyParticipant),
                [
                    {
                        "survey_id": survey_id,
                        "user_id": user_id,
                        "response_id": response_id,
                        "submitted": True,
                    }
                    for response_id, user_id in zip(response_ids, user_ids, strict=True)
                ],
            )
            await session.execute(
                insert(SurveyAnswer),
                [
                    {
                        "response_id": response_id,
                        "question_id": question.id,
                        "value": _answer(question, generator),
                        "other_text": None,
                    }
                    for response_id in response_ids
                    for question in questions
                    if question.kind != Kind.NOTE
                ],
            )


async def _screens(sessions: async_sessionmaker[AsyncSession], survey_id: int) -> tuple[int, float]:
    """What the results screen and every question page compute: completed, seconds for the
    overview and every aggregate."""
    started = time.perf_counter()
    async with sessions() as session:
        survey = await session.get(Survey, survey_id)
        assert survey is not None
        overview = await results.overview(session, survey)
        figures = await results.all_results(session, survey)
        aggregates_s = time.perf_counter() - started
        for result in figures:
            await results.breakdown(session, survey, result.question, results.Dimension.LANGUAGE)
        await results.free_text_page(session, survey.questions[-2], 0)
    return overview.completed, aggregates_s


async def _compute(sessions: async_sessionmaker[AsyncSession], survey_id: int) -> dict[str, Any]:
    """Timed without tracing (tracemalloc slows every allocation), then once more traced for
    the memory peak."""
    started = time.perf_counter()
    completed, aggregates_s = await _screens(sessions, survey_id)
    total_s = time.perf_counter() - started
    tracemalloc.start()
    await _screens(sessions, survey_id)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "completed": completed,
        "aggregates_s": round(aggregates_s, 3),
        "with_breakdowns_s": round(total_s, 3),
        "memory_peak_kb": round(peak / 1024),
    }


async def _database_run(url: str, responses: int) -> dict[str, Any]:
    await upgrade(url)
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    try:
        survey_id = await _create_survey(sessions)
        small = max(responses // 10, 1)
        started = time.perf_counter()
        await _fill(sessions, survey_id, 0, small)
        if engine.dialect.name == "postgresql":
            async with engine.connect() as connection:
                connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(text("ANALYZE"))
        # Once to warm the caches the bot keeps warm (statements, the survey), then measured.
        await _compute(sessions, survey_id)
        first = await _compute(sessions, survey_id)
        await _fill(sessions, survey_id, small, responses - small)
        if engine.dialect.name == "postgresql":
            async with engine.connect() as connection:
                connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(text("ANALYZE"))
        fill_s = time.perf_counter() - started
        await _compute(sessions, survey_id)
        full = await _compute(sessions, survey_id)
    finally:
        await engine.dispose()
    return {
        "database": engine.dialect.name,
        "fill_s": round(fill_s, 1),
        "at_tenth": first,
        "at_full": full,
    }


def _charts(repeat: int) -> dict[str, Any]:
    """Every chartable question of the template in each language, as the results page draws it."""
    catalogs = Catalogs("en")

    async def survey_results() -> tuple[Survey, list[results.QuestionResult]]:
        folder = Path(tempfile.mkdtemp(prefix="tideline-bench-"))
        url = f"sqlite+aiosqlite:///{folder / 'charts.db'}"
        await upgrade(url)
        engine = create_engine(url)
        sessions = create_session_factory(engine)
        survey_id = await _create_survey(sessions)
        await _fill(sessions, survey_id, 0, 200)
        async with sessions() as session:
            survey = await session.get(Survey, survey_id)
            assert survey is not None
            figures = await results.all_results(session, survey)
        await engine.dispose()
        return survey, figures

    survey, figures = asyncio.run(survey_results())
    per_language: dict[str, Any] = {}
    for language in LANGUAGES:
        t = catalogs.translator(language)
        draws = [draw for result in figures if (draw := chart_of(t, survey, result)) is not None]
        for draw in draws:
            draw()
        times = []
        for _ in range(repeat):
            for draw in draws:
                started = time.perf_counter()
                draw()
                times.append((time.perf_counter() - started) * 1000)
        per_language[language] = {
            "charts": len(draws),
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
        }
    worst = max(figures_["median_ms"] for figures_ in per_language.values())
    return {
        "languages": per_language,
        "worst_median_ms": worst,
        "target_ms": CHART_TARGET_MS,
        "meets_target": worst <= CHART_TARGET_MS,
    }


async def _aggregates(args: argparse.Namespace) -> list[dict[str, Any]]:
    runs = []
    for database in args.databases.split(","):
        if database == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="tideline-bench-"))
            url = f"sqlite+aiosqlite:///{folder / 'surveys.db'}"
        elif database == "postgresql":
            url = args.postgres_url
            await _fresh_postgresql(url)
        else:
            sys.exit(f"unknown database {database!r}: use sqlite and/or postgresql")
        runs.append(await _database_run(url, args.responses))
    return runs


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """(b) for each database of ``args.databases``, then (c)."""
    runs = asyncio.run(_aggregates(args))
    drawn = _charts(args.repeat)
    postgres = [run for run in runs if run["database"] == "postgresql"]
    return {
        "benchmark": "survey_results",
        "responses": args.responses,
        "results": runs,
        "aggregate_target_s": TARGET_S,
        "meets_aggregate_target": all(
            run["at_full"]["aggregates_s"] <= TARGET_S for run in postgres
        ),
        "charts": drawn,
    }


def describe(summary: dict[str, Any]) -> list[str]:
    lines = [f"{summary['responses']:,} submitted responses, 7 questions (the cleanup template)"]
    for run in summary["results"]:
        tenth, full = run["at_tenth"], run["at_full"]
        lines.append(
            f"{run['database']:<11} every aggregate {full['aggregates_s']:.3f} s "
            f"(with breakdowns {full['with_breakdowns_s']:.3f} s); memory peak "
            f"{tenth['memory_peak_kb']:,} KB at {tenth['completed']:,}, "
            f"{full['memory_peak_kb']:,} KB at {full['completed']:,}; filled in {run['fill_s']} s"
        )
    drawn = summary["charts"]
    lines.append("charts (ms per chart, median / max):")
    for language, figures in drawn["languages"].items():
        lines.append(f"  {language:<4} {figures['median_ms']:>6.0f} / {figures['max_ms']:>4.0f}")
    verdict = "meets" if drawn["meets_target"] else "misses"
    lines.append(f"worst median {drawn['worst_median_ms']:.0f} ms: {verdict} the 300 ms target")
    return lines


def main() -> None:
    args = _arguments()
    summary = measure(args)
    print(json.dumps(summary) if args.json else "\n".join(describe(summary)))


if __name__ == "__main__":
    main()
