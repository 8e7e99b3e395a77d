"""PNG charts whose text shows correctly in every script of the twelve languages.

Surveys draw a chart per question with `bars`; pledges draw a company's progress with
`trajectory`. Both are plain functions returning PNG bytes (1200 x 800 pixels), safe to call from a
worker thread; every text is given by the caller in the reader's language.
"""

from charts.bar_chart import bars
from charts.canvas import HEIGHT_PX, WIDTH_PX
from charts.fonts import MissingFontError, UncoveredTextError, chart_fonts
from charts.trajectory_chart import MetricSeries, trajectory

__all__ = [
    "HEIGHT_PX",
    "WIDTH_PX",
    "MetricSeries",
    "MissingFontError",
    "UncoveredTextError",
    "bars",
    "chart_fonts",
    "trajectory",
]
