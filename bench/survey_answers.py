"""Survey answering benchmark: N people answer an 8-question survey at once, through the
sandbox Bot API over HTTP with the real bot process, against SQLite and PostgreSQL.

Prints, per database: answers per second processed (over the whole run, and steady: while
nearly everyone is still answering), p50/p99 from each answer's tap to the next question (or
the summary) in that chat, the same for the Answer and Submit taps, the bot
process's CPU per answer, and what the database holds at the end: exactly one submitted response
per person with its eight answers (duplicates and lost answers must be 0).

    python bench/survey_answers.py [--people 1000] [--think 4.0] [--window 1.0]
        [--database sqlite|postgresql|both] [--postgres-url URL] [--json]

Everyone taps "Answer the survey" within ``--window`` seconds; each then reads every question
for a random time around ``--think`` seconds (uniform from half to one and a half times it)
before tapping an answer, so 1,000 people thinking 4 s offer about 250 answers per second.
``--think 0`` taps as soon as each question arrives, which gives the most the bot can process
(and latencies bound by the queue of everyone else's taps). The bot runs as its own process
(``bot.py run``) polling the sandbox, which lives in this process with the simulated people;
flood limits are off, so what is measured is the bot's own processing. ``bench/surveys.py`` runs
it with the results and chart benchmark.
"""

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import _repository_first  # noqa: F401  (before anything that imports surveys)
from registration_burst import _cpu_seconds, _fresh_postgresql, _start_bot, _until
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

from accounts.models import User
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from questions import Kind, Option
from questions.engine import NO, YES
from sandbox import FloodPolicy, SandboxServer
from sandbox.server import ApiCall
from surveys.definitions import open_survey
from surveys.forms import Form, FormQuestion, QuestionTexts, SurveyTexts
from surveys.models import SurveyAnswer, SurveyParticipant, SurveyResponse
from surveys.xlsform import import_form, write_form

# The bot runs on the real clock, so the survey is open from now.
NOW = datetime.now(UTC)
FIRST_PERSON = 200_000
QUESTIONS = 8
ANSWER_BUTTON = "Answer the survey"
NOT_ANSWERS = ("« Back", "Skip", "Submit")
# Replies that show the next question, the summary or the thanks: the tapped message edited
# into it, or a new message (dropping a pressed message's buttons, an editMessageReplyMarkup,
# does not count).
SHOWING = ("sendMessage", "editMessageText")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument(
        "--think", type=float, default=4.0, help="mean seconds a person reads each question"
    )
    parser.add_argument("--window", type=float, default=1.0, help="seconds the first taps spread")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--postgres-url",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/tideline_bench_answers",
        help="a database the script drops and re-creates",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--profile", metavar="FILE", help="run the bot under cProfile and write its stats here"
    )
    return parser.parse_args()


def _texts(label: str) -> dict[str, QuestionTexts]:
    return {"en": QuestionTexts(label=label)}


def _options(*labels: str) -> tuple[Option, ...]:
    return tuple(Option(str(n), {"en": label}) for n, label in enumerate(labels, start=1))


def _rating(name: str, label: str, top: int = 5) -> FormQuestion:
    bottom = 0 if top == 10 else 1
    return FormQuestion(
        name=name,
        kind=Kind.RATING,
        texts=_texts(label),
        required=True,
        minimum=Decimal(bottom),
        maximum=Decimal(top),
        options=(Option(str(bottom), {"en": "Poor"}), Option(str(top), {"en": "Excellent"})),
    )


def _yes_no(name: str, label: str) -> FormQuestion:
    return FormQuestion(
        name=name,
        kind=Kind.YES_NO,
        texts=_texts(label),
        required=True,
        options=(Option(YES, {"en": "Yes"}), Option(NO, {"en": "No"})),
    )


def _choice(name: str, label: str, *options: str) -> FormQuestion:
    return FormQuestion(
        name=name, kind=Kind.CHOICE, texts=_texts(label), required=True, options=_options(*options)
    )


# Eight questions answered with one tap each (the templates have text questions and skip
# logic, which would make the taps per person vary).
FORM = Form(
    form_id="bench_answers",
    default_language="en",
    texts={"en": SurveyTexts(title="Beach day feedback", thank_you="Thank you!")},
    questions=(
        _rating("overall", "How was the day overall?"),
        _choice("heard", "How did you hear about it?", "Friends", "Social media", "A poster"),
        _yes_no("first_time", "Was it your first cleanup?"),
        _rating("organisation", "How well was it organised?"),
        _choice("travel", "How did you get there?", "On foot", "Bicycle", "Bus", "Car"),
        _yes_no("again", "Would you come again?"),
        _rating("safety", "How safe did you feel?"),
        _rating("recommend", "How likely are you to recommend it?", top=10),
    ),
)


async def _seed(url: str, people: int) -> int:
    """The people (onboarded) and the open survey; returns the survey's id."""
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        await session.execute(
            insert(User),
            [
                {
                    "telegram_id": FIRST_PERSON + n,
                    "first_name": f"Person {n}",
                    "language": "en",
                    "country": "TH",
                    "city": "Chonburi",
                    "timezone": "Asia/Bangkok",
                    "created_at": NOW,
                    "onboarded_at": NOW,
                }
                for n in range(people)
            ],
        )
        saved = await import_form(session, write_form(FORM), event_id=None, now=NOW)
        open_survey(saved.survey, now=NOW, closes_at=NOW + timedelta(days=30))
        survey_id = saved.survey.id
    await engine.dispose()
    return survey_id


class _Replies:
    """Wakes each person when the bot shows them something new, reading every API call once
    (a check per person on every call would cost the sandbox's process more than the bot's)."""

    def __init__(self, server: SandboxServer) -> None:
        self._server = server
        self._read = 0
        self._waiting: dict[int, asyncio.Future[ApiCall]] = {}

    def expect(self, chat_id: int) -> "asyncio.Future[ApiCall]":
        future: asyncio.Future[ApiCall] = asyncio.get_running_loop().create_future()
        self._waiting[chat_id] = future
        return future

    async def watch(self) -> None:
        while True:
            calls = self._server.calls
            for call in calls[self._read :]:
                if (
                    call.method in SHOWING
                    and call.params.get("reply_markup")
                    and isinstance(call.chat_id, int)
                    and (future := self._waiting.pop(call.chat_id, None)) is not None
                ):
                    future.set_result(call)
            self._read = len(calls)
            await asyncio.sleep(0.005)


async def _open_cards(people: list[Any], survey_id: int) -> None:
    """Every person opens the survey's sv_ link first, so each has a card to tap on."""

    def has_answer_button(person: Any) -> bool:
        last = person.last
        return last is not None and any(
            text == ANSWER_BUTTON for row in last.buttons for text, _ in row
        )

    for start in range(0, len(people), 100):
        batch = people[start : start + 100]
        await asyncio.gather(*(person.send_command("start", f"sv_{survey_id}") for person in batch))
        await _until(lambda batch=batch: all(map(has_answer_button, batch)), within=120)


def _answer_data(message: Any, generator: random.Random) -> str:
    """A random answer among the question's buttons (not Back or Skip)."""
    choices = [data for row in message.buttons for text, data in row if text not in NOT_ANSWERS]
    assert choices, f"no answer buttons on {message.text!r}"
    return str(generator.choice(choices))


async def _answer_survey(
    person: Any,
    replies: _Replies,
    index: int,
    args: argparse.Namespace,
    begin: float,
    taps: dict[str, list[float]],
    shown_at: list[float],
) -> None:
    """One person: Answer, eight answers, Submit; each tap's latency goes in ``taps``, and when
    each answer's next question was shown in ``shown_at``."""
    generator = random.Random(index)
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, begin + index * args.window / args.people - loop.time()))

    async def tap(kind: str, data: str) -> Any:
        shown = replies.expect(person.id)
        tapped = time.monotonic()
        await person.press_data(data, message=person.last)
        call = await asyncio.wait_for(shown, 300)
        taps[kind].append(call.at - tapped)
        if kind == "answer":
            shown_at.append(call.at)
        return person.last

    card = person.last
    data = next(d for row in card.buttons for text, d in row if text == ANSWER_BUTTON)
    message = await tap("start", data)
    for _ in range(QUESTIONS):
        if args.think:
            await asyncio.sleep(generator.uniform(args.think / 2, args.think * 3 / 2))
        message = await tap("answer", _answer_data(message, generator))
    submit = next(d for row in message.buttons for text, d in row if text == "Submit")
    await tap("submit", submit)


def _steady_rate(shown_at: list[float]) -> float | None:
    """Answers per second while nearly everyone is still answering: the middle 80% of answers
    over the time they took. The whole run's rate cannot show it, because with random think
    times the slowest people finish long after the rest (the slowest of 1,000 sums of eight
    2–6 s pauses is about 42 s, against 32 s on average), whatever the bot's speed."""
    ordered = sorted(shown_at)
    if len(ordered) < 10:
        return None
    first, last = len(ordered) // 10, len(ordered) * 9 // 10
    span = ordered[last] - ordered[first]
    return round((last - first) / span, 1) if span > 0 else None


def _percentiles(latencies: list[float]) -> dict[str, float | None]:
    ordered = sorted(latencies)
    if not ordered:
        return {"p50_ms": None, "p99_ms": None}
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[max(int(len(ordered) * 0.99) - 1, 0)] * 1000, 1),
    }


async def _stored(url: str, survey_id: int) -> dict[str, int]:
    engine = create_engine(url)
    async with create_session_factory(engine)() as session:
        of_survey = SurveyResponse.survey_id == survey_id
        responses = await session.scalar(select(func.count()).where(of_survey))
        people = await session.scalar(
            select(func.count(func.distinct(SurveyResponse.user_id))).where(of_survey)
        )
        submitted = await session.scalar(
            select(func.count()).where(of_survey, SurveyResponse.submitted.is_(True))
        )
        participants = await session.scalar(
            select(func.count()).where(
                SurveyParticipant.survey_id == survey_id, SurveyParticipant.submitted.is_(True)
            )
        )
        answers = await session.scalar(
            select(func.count())
            .select_from(SurveyAnswer)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(of_survey)
        )
    await engine.dispose()
    return {
        "responses": int(responses or 0),
        "people": int(people or 0),
        "submitted": int(submitted or 0),
        "participants_submitted": int(participants or 0),
        "answers": int(answers or 0),
    }


async def _run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    await upgrade(url)
    survey_id = await _seed(url, args.people)
    server = SandboxServer(flood=FloodPolicy(enabled=False))
    await server.start()
    bot = await _start_bot(server, url, args.profile)
    replies = _Replies(server)
    watcher = asyncio.create_task(replies.watch())
    try:
        people = [
            server.user(FIRST_PERSON + n, first_name=f"Person {n}") for n in range(args.people)
        ]
        await _open_cards(people, survey_id)
        taps: dict[str, list[float]] = {"start": [], "answer": [], "submit": []}
        shown_at: list[float] = []
        cpu_before = _cpu_seconds(bot.pid)
        began = time.monotonic()
        begin = asyncio.get_running_loop().time() + 0.05
        await asyncio.gather(
            *(
                _answer_survey(person, replies, index, args, begin, taps, shown_at)
                for index, person in enumerate(people)
            )
        )
        elapsed = time.monotonic() - began
        cpu = _cpu_seconds(bot.pid) - cpu_before
    finally:
        watcher.cancel()
        bot.terminate()
        await bot.wait()
        await server.stop()
    stored = await _stored(url, survey_id)
    answered = len(taps["answer"])
    return {
        "database": make_url(url).get_backend_name(),
        "people": args.people,
        "questions": QUESTIONS,
        "think_s": args.think,
        "window_s": args.window,
        "answers": answered,
        "answers_per_second": round(answered / elapsed, 1),
        "steady_answers_per_second": _steady_rate(shown_at),
        **_percentiles(taps["answer"]),
        "start_p99_ms": _percentiles(taps["start"])["p99_ms"],
        "submit_p99_ms": _percentiles(taps["submit"])["p99_ms"],
        "bot_cpu_ms_per_tap": round(cpu * 1000 / max(sum(map(len, taps.values())), 1), 2),
        "stored": stored,
        "duplicates": stored["responses"] - stored["people"],
        "lost_answers": args.people * QUESTIONS - stored["answers"],
        "not_submitted": args.people - stored["submitted"],
    }


async def measure(args: argparse.Namespace) -> list[dict[str, Any]]:
    """One run per database of ``args.database`` (sqlite, postgresql or both)."""
    databases = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    results = []
    for database in databases:
        if database == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="tideline-bench-"))
            url = f"sqlite+aiosqlite:///{folder / 'answers.db'}"
        else:
            url = args.postgres_url
            await _fresh_postgresql(url)
        results.append(await _run(url, args))
    return results


def describe(result: dict[str, Any]) -> str:
    return (
        f"{result['database']:>10}: {result['people']} people × {QUESTIONS} questions, "
        f"think {result['think_s']} s — {result['answers_per_second']} answers/s "
        f"({result['steady_answers_per_second']}/s steady), "
        f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms "
        f"(Answer p99 {result['start_p99_ms']} ms, Submit p99 "
        f"{result['submit_p99_ms']} ms), bot CPU {result['bot_cpu_ms_per_tap']} ms per "
        f"tap; stored {result['stored']['submitted']} submitted responses, "
        f"{result['stored']['answers']} answers, duplicates {result['duplicates']}, "
        f"lost {result['lost_answers']}, not submitted {result['not_submitted']}"
    )


def broken(results: list[dict[str, Any]]) -> bool:
    return any(r["duplicates"] or r["lost_answers"] or r["not_submitted"] for r in results)


async def main() -> None:
    args = _arguments()
    results = await measure(args)
    if args.json:
        print(json.dumps({"benchmark": "survey_answers", "results": results}))
    else:
        for result in results:
            print(describe(result))
    if broken(results):
        sys.exit("responses were duplicated or lost")


if __name__ == "__main__":
    asyncio.run(main())
