"""How a reported value stands against its commitment.

The trajectory is the straight line from the commitment's baseline value in the pledge's baseline
year to its target value in the target year; for a year in between, the expected value is

    expected(year) = baseline + (target - baseline) * (year - baseline_year)
                                                    / (target_year - baseline_year)

(no further than the target after the target year, and the baseline for a year before the
baseline year). "Better" is the direction from baseline to target (up for recycled content,
down for a free commitment that reduces something). A reported value is

- **achieved** when it reached the target (at or beyond it in the better direction),
- **on track** when it reached the year's expected value,
- **behind** otherwise.

Values are compared after rounding to 6 decimals, so 33.333333 counts as the expected third.
"""

from enum import StrEnum

PRECISION = 6


class Progress(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    BEHIND = "behind"


def expected_value(
    *,
    baseline_value: float,
    baseline_year: int,
    target_value: float,
    target_year: int,
    year: int,
) -> float:
    span = target_year - baseline_year
    share = min(max((year - baseline_year) / span, 0.0), 1.0) if span > 0 else 1.0
    return baseline_value + (target_value - baseline_value) * share


def judge(
    *,
    baseline_value: float,
    baseline_year: int,
    target_value: float,
    target_year: int,
    year: int,
    value: float,
) -> Progress:
    rising = target_value >= baseline_value

    def reached(goal: float) -> bool:
        have, want = round(value, PRECISION), round(goal, PRECISION)
        return have >= want if rising else have <= want

    if reached(target_value):
        return Progress.ACHIEVED
    expected = expected_value(
        baseline_value=baseline_value,
        baseline_year=baseline_year,
        target_value=target_value,
        target_year=target_year,
        year=year,
    )
    return Progress.ON_TRACK if reached(expected) else Progress.BEHIND
