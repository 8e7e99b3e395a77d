"""Bar charts: a choice question's counts or percentages, a rating's distribution."""

import math
from collections.abc import Sequence

from matplotlib.axes import Axes

from charts.canvas import (
    ACCENT,
    GRID,
    LABEL_SIZE,
    TICK_SIZE,
    WIDTH_PX,
    Canvas,
    canvas,
    value_ticks,
)

MAX_BARS = 40
# Beyond this many bars, labels under vertical bars get too narrow to read.
MAX_VERTICAL_BARS = 8
VERTICAL_LABEL_LINES = 3
# The share of the chart's width the labels of horizontal bars may take.
LABEL_COLUMN_SHARE = 0.32
# Room beyond the longest bar for its value label.
VALUE_LABEL_ROOM = 1.15


def bars(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    language: str,
    value_labels: Sequence[str] | None = None,
    percent: bool = False,
    axis_label: str | None = None,
    horizontal: bool | None = None,
) -> bytes:
    """A PNG bar chart, one bar per label, in the order given.

    ``values`` are counts, or percentages from 0 to 100 when ``percent`` is set; each bar is
    labelled with ``value_labels`` when given (e.g. "12 (40 %)", formatted by the caller) and
    otherwise with its value in the language's number format. Bars lie horizontally when the
    labels would not fit under vertical ones, unless ``horizontal`` says otherwise.
    """
    _validate(labels, values, value_labels)
    texts = [title, *labels, *(value_labels or ()), *([axis_label] if axis_label else [])]
    with canvas(language, texts) as chart:
        chart.title(title)
        shown = (
            list(value_labels)
            if value_labels is not None
            else [chart.number(value, percent=percent) for value in values]
        )
        if horizontal is None:
            horizontal = _needs_horizontal(chart, labels)
        axes = chart.figure.add_subplot()
        _style(axes)
        if horizontal:
            _draw_horizontal(chart, axes, labels, values, shown)
        else:
            _draw_vertical(chart, axes, labels, values, shown)
        _value_axis(chart, axes, values, percent=percent, horizontal=horizontal)
        if axis_label:
            setter = axes.set_xlabel if horizontal else axes.set_ylabel
            setter(axis_label, **chart.text_style(LABEL_SIZE))
        return chart.png()


def _validate(
    labels: Sequence[str], values: Sequence[float], value_labels: Sequence[str] | None
) -> None:
    if not labels or len(labels) > MAX_BARS:
        raise ValueError(f"A bar chart takes 1 to {MAX_BARS} bars, not {len(labels)}")
    if len(values) != len(labels):
        raise ValueError("A bar chart needs one value per label")
    if value_labels is not None and len(value_labels) != len(labels):
        raise ValueError("A bar chart needs one value label per bar")
    if any(not math.isfinite(value) or value < 0 for value in values):
        raise ValueError("Bar values must be finite and not negative")


def _slot_width(count: int) -> float:
    return WIDTH_PX * 0.85 / count


def _needs_horizontal(chart: Canvas, labels: Sequence[str]) -> bool:
    if len(labels) > MAX_VERTICAL_BARS:
        return True
    slot = _slot_width(len(labels)) * 0.95
    # A label may take a few lines under its bar; only words wider than the slot, or labels
    # longer than two full lines, turn the bars sideways.
    return any(
        chart.width(word, TICK_SIZE) > slot or chart.width(label, TICK_SIZE) > 2 * slot
        for label in labels
        for word in label.split() or [label]
    )


def _max_label_lines(count: int) -> int:
    return 3 if count <= 8 else 2 if count <= 16 else 1


def _draw_horizontal(
    chart: Canvas,
    axes: Axes,
    labels: Sequence[str],
    values: Sequence[float],
    shown: Sequence[str],
) -> None:
    lines = _max_label_lines(len(labels))
    wrapped = [
        chart.wrapped(label, TICK_SIZE, WIDTH_PX * LABEL_COLUMN_SHARE, lines) for label in labels
    ]
    positions = list(range(len(labels)))
    container = axes.barh(positions, values, height=0.62, color=ACCENT)
    axes.set_yticks(positions, labels=wrapped, **chart.text_style(TICK_SIZE))
    axes.invert_yaxis()
    axes.tick_params(axis="y", length=0)
    axes.xaxis.grid(True, color=GRID)
    axes.bar_label(container, labels=list(shown), padding=4, **chart.text_style(TICK_SIZE))


def _draw_vertical(
    chart: Canvas,
    axes: Axes,
    labels: Sequence[str],
    values: Sequence[float],
    shown: Sequence[str],
) -> None:
    slot = _slot_width(len(labels)) * 0.95
    wrapped = [chart.wrapped(label, TICK_SIZE, slot, VERTICAL_LABEL_LINES) for label in labels]
    positions = list(range(len(labels)))
    container = axes.bar(positions, values, width=0.62, color=ACCENT)
    axes.set_xticks(positions, labels=wrapped, **chart.text_style(TICK_SIZE))
    axes.tick_params(axis="x", length=0)
    axes.yaxis.grid(True, color=GRID)
    axes.bar_label(container, labels=list(shown), padding=3, **chart.text_style(TICK_SIZE))


def _value_axis(
    chart: Canvas, axes: Axes, values: Sequence[float], *, percent: bool, horizontal: bool
) -> None:
    top = max(max(values), 1.0) * VALUE_LABEL_ROOM
    integer = not percent and all(float(value).is_integer() for value in values)
    ticks = value_ticks(0.0, top, integer=integer)
    tick_labels = [chart.number(tick, percent=percent) for tick in ticks]
    style = chart.text_style(TICK_SIZE)
    if horizontal:
        axes.set_xlim(0, top)
        axes.set_xticks(ticks, labels=tick_labels, **style)
    else:
        axes.set_ylim(0, top)
        axes.set_yticks(ticks, labels=tick_labels, **style)


def _style(axes: Axes) -> None:
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.spines["left"].set_color(GRID)
    axes.spines["bottom"].set_color(GRID)
