"""How review screens, progress reports and their notices name metrics, values, verdicts and
companies, in the reader's language (shared by review.py, report.py and notices.py)."""

from datetime import UTC, date, datetime, time
from html import escape

from i18n import Translator, lazy
from i18n.fallback import pick
from pledges.content import COUNT_METRICS, ProblemKind
from pledges.models import PERCENT_METRICS, Commitment, Company, Decision, Metric
from pledges.trajectory import Progress

METRIC_NAMES: dict[Metric, str] = {
    Metric.VIRGIN_REDUCTION: lazy("Virgin plastic reduction"),
    Metric.REUSABLE_RECYCLABLE_COMPOSTABLE: lazy("Reusable, recyclable or compostable packaging"),
    Metric.RECYCLED_CONTENT: lazy("Post-consumer recycled content"),
    Metric.PROBLEMATIC_ITEMS: lazy("Problematic items eliminated"),
    Metric.REUSE_MODELS: lazy("Reuse models introduced"),
    Metric.FREE: lazy("Own commitment"),
}
PROGRESS_LABELS: dict[Progress, str] = {
    Progress.ACHIEVED: lazy("achieved"),
    Progress.ON_TRACK: lazy("on track"),
    Progress.BEHIND: lazy("behind"),
}
VERDICT_LABELS: dict[Decision, str] = {
    Decision.VERIFIED: lazy("verified"),
    Decision.NOT_ALIGNED: lazy("not aligned"),
    Decision.NEEDS_EVIDENCE: lazy("needs evidence"),
}


def company_name(company: Company, language: str) -> str:
    """The company's name in the reader's language where it has one (HTML-escaped)."""
    return escape(pick(company.names, language, company.main_language).text)


def metric_name(t: Translator, commitment: Commitment) -> str:
    """The metric, and for reuse models and own commitments what the company called it."""
    name = t._(METRIC_NAMES[Metric(commitment.metric)])
    labels = commitment.labels or {}
    if labels:
        own = pick(labels, t.language, next(iter(labels))).text
        return f"{name}: {escape(own)}"
    return name


def value_text(t: Translator, commitment: Commitment, value: float) -> str:
    metric = Metric(commitment.metric)
    if metric in PERCENT_METRICS:
        return t._("{value}%").format(value=t.number(value))
    if metric in COUNT_METRICS:
        return t.number(int(value))
    unit = commitment.unit
    return f"{t.number(value)} {escape(unit)}" if unit else t.number(value)


def bounds_text(t: Translator, commitment: Commitment) -> str:
    """What a typed value of this metric may be."""
    metric = Metric(commitment.metric)
    if metric in PERCENT_METRICS:
        return t._("a percentage from 0 to 100")
    if metric in COUNT_METRICS:
        return t._("a whole number, 0 or more")
    if commitment.unit:
        return t._("a number, 0 or more, in {unit}").format(unit=escape(commitment.unit))
    return t._("a number, 0 or more")


def value_problem_text(t: Translator, kind: ProblemKind, commitment: Commitment) -> str:
    """A value the domain refused, said with what it must be."""
    if kind == ProblemKind.PERCENT_OUT_OF_RANGE:
        lead = t._("A percentage cannot be above 100 or below 0.")
    elif kind == ProblemKind.NEGATIVE:
        lead = t._("It cannot be negative.")
    elif kind == ProblemKind.NOT_A_WHOLE_NUMBER:
        lead = t._("Please give a whole number.")
    elif kind == ProblemKind.TOO_LARGE:
        lead = t._("That is larger than anyone could report.")
    else:
        lead = t._("That is not a number I can use.")
    return t._("{problem} Please type {bounds}.").format(
        problem=lead, bounds=bounds_text(t, commitment)
    )


def target_text(t: Translator, commitment: Commitment) -> str:
    return t._("target {value} by {year}").format(
        value=value_text(t, commitment, commitment.target_value), year=commitment.target_year
    )


def day_text(t: Translator, day: date) -> str:
    """A calendar day (a deadline), without a time or zone."""
    return t.date(datetime.combine(day, time(12), tzinfo=UTC), "UTC")
