"""Progress charts: a pledge metric's reported values against the straight line from its
baseline to its target, one panel per metric, years across."""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from charts.canvas import (
    ACCENT,
    GRID,
    LABEL_SIZE,
    MUTED,
    TICK_SIZE,
    WIDTH_PX,
    Canvas,
    canvas,
    value_ticks,
)

MAX_METRICS = 4
# At most this many year ticks (each tick costs a few milliseconds to lay out).
MAX_YEAR_TICKS = 6


@dataclass(frozen=True)
class MetricSeries:
    """One metric: its name (already in the reader's language), the (year, value) it started
    from and aims at, and the values reported so far."""

    name: str
    baseline: tuple[int, float]
    target: tuple[int, float]
    reported: Sequence[tuple[int, float]] = field(default_factory=tuple)
    percent: bool = False
    # A count of things (items eliminated, reuse models): its axis shows whole numbers only.
    whole: bool = False

    def points(self) -> list[tuple[int, float]]:
        return [self.baseline, self.target, *self.reported]


def trajectory(
    title: str,
    series: Sequence[MetricSeries],
    *,
    language: str,
    reported_label: str,
    trajectory_label: str,
) -> bytes:
    """A PNG with one panel per metric; ``reported_label`` and ``trajectory_label`` name the two
    lines in the legend (translated by the caller)."""
    _validate(series)
    texts = [title, reported_label, trajectory_label, *(metric.name for metric in series)]
    with canvas(language, texts) as chart:
        chart.title(title)
        columns = 1 if len(series) <= 2 else 2
        rows = math.ceil(len(series) / columns)
        for index, metric in enumerate(series):
            axes = chart.figure.add_subplot(rows, columns, index + 1)
            _draw_metric(chart, axes, metric, panel_width=WIDTH_PX / columns)
        _legend(chart, reported_label, trajectory_label)
        return chart.png()


def _validate(series: Sequence[MetricSeries]) -> None:
    if not series or len(series) > MAX_METRICS:
        raise ValueError(f"A progress chart takes 1 to {MAX_METRICS} metrics, not {len(series)}")
    for metric in series:
        if metric.target[0] <= metric.baseline[0]:
            raise ValueError("A metric's target year must come after its baseline year")
        if any(not math.isfinite(value) for _, value in metric.points()):
            raise ValueError("A metric's values must be finite")


def _draw_metric(chart: Canvas, axes: Axes, metric: MetricSeries, *, panel_width: float) -> None:
    (start_year, start_value), (end_year, end_value) = metric.baseline, metric.target
    axes.plot(
        [start_year, end_year],
        [start_value, end_value],
        color=MUTED,
        linestyle="--",
        linewidth=2,
        marker="o",
        markersize=6,
    )
    reported = sorted(metric.reported)
    if reported:
        years = [year for year, _ in reported]
        values = [value for _, value in reported]
        axes.plot(years, values, color=ACCENT, linewidth=2.5, marker="o", markersize=8)
        for year, value in reported:
            axes.annotate(
                chart.number(value, percent=metric.percent),
                (year, value),
                xytext=(0, 10),
                textcoords="offset points",
                ha="center",
                va="bottom",
                bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"},
                **chart.text_style(TICK_SIZE),
            )
    axes.set_title(
        chart.wrapped(metric.name, LABEL_SIZE, panel_width * 0.85, 2),
        **chart.text_style(LABEL_SIZE),
    )
    _year_axis(chart, axes, [year for year, _ in metric.points()])
    _metric_axis(chart, axes, metric)
    axes.grid(True, color=GRID)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(GRID)


def _year_axis(chart: Canvas, axes: Axes, years: list[int]) -> None:
    first, last = min(years), max(years)
    # Counted back from the last year, so that the target year always has its tick.
    step = max(1, math.ceil((last - first) / (MAX_YEAR_TICKS - 1)))
    ticks = list(range(last, first - 1, -step))[::-1]
    axes.set_xlim(first - 0.4, last + 0.4)
    # Years are never grouped ("2,030"): plain digits in every language.
    axes.set_xticks(ticks, labels=[str(year) for year in ticks], **chart.text_style(TICK_SIZE))


def metric_axis(metric: MetricSeries) -> tuple[float, float, list[float]]:
    """The value axis of a metric's panel: its lower and upper limits and its ticks."""
    values = [value for _, value in metric.points()]
    low, high = min(0.0, min(values)), max(values)
    span = (high - low) or 1.0
    # Room above the highest point for its value label.
    top = high + span * 0.25
    return low, top, value_ticks(low, top, integer=metric.whole)


def _metric_axis(chart: Canvas, axes: Axes, metric: MetricSeries) -> None:
    low, top, ticks = metric_axis(metric)
    axes.set_ylim(low, top)
    axes.set_yticks(
        ticks,
        labels=[chart.number(tick, percent=metric.percent) for tick in ticks],
        **chart.text_style(TICK_SIZE),
    )


def _legend(chart: Canvas, reported_label: str, trajectory_label: str) -> None:
    handles = [
        Line2D([], [], color=ACCENT, linewidth=2.5, marker="o", markersize=8),
        Line2D([], [], color=MUTED, linestyle="--", linewidth=2, marker="o", markersize=6),
    ]
    legend = chart.figure.legend(
        handles,
        [reported_label, trajectory_label],
        loc="outside lower center",
        ncols=2,
        frameon=False,
        prop=chart.font(LABEL_SIZE),
    )
    style = chart.text_style(LABEL_SIZE)
    for text in legend.get_texts():
        text.set_parse_math(False)
        text.set_language(style["language"])
        text.set_color(style["color"])
