"""The survey benchmark in one run: (a) 1,000 people answering an 8-question survey at once
(``survey_answers.py``), (b) every question's aggregate over 100,000 stored responses with the
bot's memory for it, and (c) milliseconds per chart in each of the 12 languages
(``survey_results.py``). Each part is also a script of its own, with the same options.

    python bench/surveys.py [--people 1000] [--think 4] [--window 1] [--responses 100000]
        [--databases sqlite,postgresql] [--repeat 3] [--json]

``--json`` prints one JSON object: {"answers": [...], "results": {...}}.
"""

import argparse
import asyncio
import json
import sys

import _repository_first  # noqa: F401  (before anything that imports surveys)
import survey_answers
import survey_results


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--think", type=float, default=4.0, help="mean seconds per question")
    parser.add_argument("--window", type=float, default=1.0, help="seconds the first taps spread")
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--answers-postgres-url",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/tideline_bench_answers",
        help="a database the script drops and re-creates",
    )
    parser.add_argument(
        "--results-postgres-url",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/tideline_bench_surveys",
        help="a database the script drops and re-creates",
    )
    parser.add_argument("--repeat", type=int, default=3, help="charts per question and language")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    databases = args.databases.split(",")
    answering = argparse.Namespace(
        people=args.people,
        think=args.think,
        window=args.window,
        database="both" if len(databases) > 1 else databases[0],
        postgres_url=args.answers_postgres_url,
        profile=None,
    )
    answers = asyncio.run(survey_answers.measure(answering))
    results = survey_results.measure(
        argparse.Namespace(
            responses=args.responses,
            databases=args.databases,
            postgres_url=args.results_postgres_url,
            repeat=args.repeat,
        )
    )
    if args.json:
        print(json.dumps({"benchmark": "surveys", "answers": answers, "results": results}))
    else:
        print("(a) answering")
        for result in answers:
            print(survey_answers.describe(result))
        print("(b) results and (c) charts")
        print("\n".join(survey_results.describe(results)))
    if survey_answers.broken(answers):
        sys.exit("responses were duplicated or lost")


if __name__ == "__main__":
    main()
