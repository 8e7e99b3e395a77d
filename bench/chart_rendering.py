"""Chart rendering benchmark: milliseconds per chart in each of the twelve languages.

For every language, draws the survey question of charts/specimens.py as a bar chart and a
two-metric pledge progress chart, ``--repeat`` times each after one warm-up (the first chart of
a process also loads the fonts), and prints the median and the slowest per chart type (target:
≤ 300 ms a chart), in wall-clock time and in the process's CPU time (which other work on a
shared machine inflates less). Named so that it does not shadow the ``charts`` package when run
as a script.

    python bench/chart_rendering.py [--repeat 10] [--json]
"""

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import charts
from charts.specimens import SPECIMENS, Specimen

TARGET_MS = 300.0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="charts of each kind per language")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser.parse_args()


def _survey_chart(language: str, specimen: Specimen) -> bytes:
    counts = [14, 9, 3, 1]
    shown = [f"{count} ({round(count * 100 / sum(counts))}%)" for count in counts]
    return charts.bars(
        specimen.question, specimen.options, counts, language=language, value_labels=shown
    )


def _progress_chart(language: str, specimen: Specimen) -> bytes:
    series = [
        charts.MetricSeries(
            specimen.metric,
            (2022, 12.0),
            (2030, 40.0),
            [(2023, 14.0), (2024, 17.5), (2025, 21.0)],
            percent=True,
        ),
        charts.MetricSeries(
            specimen.metric, (2022, 120_000.0), (2030, 80_000.0), [(2023, 118_000.0)]
        ),
    ]
    return charts.trajectory(
        specimen.pledge_title,
        series,
        language=language,
        reported_label=specimen.reported,
        trajectory_label=specimen.path_to_target,
    )


def _milliseconds(draw: Callable[[], bytes], repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each of ``repeat`` draws."""
    draw()
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        draw()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def main() -> None:
    arguments = _arguments()
    started = time.perf_counter()
    charts.chart_fonts()
    font_loading_ms = (time.perf_counter() - started) * 1000
    results: dict[str, Any] = {}
    for language, specimen in SPECIMENS.items():
        results[language] = {}
        for kind, draw in (("survey", _survey_chart), ("progress", _progress_chart)):
            wall, cpu = _milliseconds(
                lambda d=draw, c=language, s=specimen: d(c, s), arguments.repeat
            )
            results[language][kind] = {
                "median_ms": round(statistics.median(wall), 1),
                "max_ms": round(max(wall), 1),
                "cpu_median_ms": round(statistics.median(cpu), 1),
            }
    slowest = max(figures["max_ms"] for kinds in results.values() for figures in kinds.values())
    worst_median = max(
        figures["median_ms"] for kinds in results.values() for figures in kinds.values()
    )
    worst_cpu = max(
        figures["cpu_median_ms"] for kinds in results.values() for figures in kinds.values()
    )
    summary = {
        "font_loading_ms": round(font_loading_ms, 1),
        "repeat": arguments.repeat,
        "languages": results,
        "worst_median_ms": worst_median,
        "slowest_ms": slowest,
        "worst_cpu_median_ms": worst_cpu,
        "target_ms": TARGET_MS,
        "meets_target": worst_median <= TARGET_MS,
    }
    if arguments.json:
        print(json.dumps(summary))
        return
    print(f"fonts registered in {font_loading_ms:.0f} ms; {arguments.repeat} charts of each kind")
    print(f"{'':<9}{'survey chart (ms)':^24}{'progress chart (ms)':^24}")
    print(f"{'language':<9}" + f"{'median':>8}{'max':>8}{'CPU':>8}" * 2)
    for language, kinds in results.items():
        print(
            f"{language:<9}"
            + "".join(
                f"{figures['median_ms']:>8.0f}{figures['max_ms']:>8.0f}{figures['cpu_median_ms']:>8.0f}"
                for figures in (kinds["survey"], kinds["progress"])
            )
        )
    verdict = "meets" if summary["meets_target"] else "misses"
    print(
        f"worst median {worst_median:.0f} ms (CPU {worst_cpu:.0f} ms), slowest {slowest:.0f} ms: "
        f"{verdict} the {TARGET_MS:.0f} ms target"
    )


if __name__ == "__main__":
    main()
