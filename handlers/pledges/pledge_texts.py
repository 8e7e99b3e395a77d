"""Words of the company screen and the pledge wizard: what sectors, sizes, metrics, items and
statuses are called, numbers read as the reader types them, and the checks of pledges.content
explained in the reader's language."""

from decimal import Decimal
from html import escape
from typing import Any

from i18n import Translator, lazy
from i18n.fallback import pick
from i18n.numbers import NumberProblem, UnreadableNumber, read_decimal
from pledges.content import Problem, ProblemKind
from pledges.models import Company, Metric, PledgeStatus, ProblematicItem, Sector, SizeBand

SECTOR_LABELS: dict[Sector, str] = {
    Sector.PACKAGING_PRODUCER: lazy("Packaging producer"),
    Sector.CONSUMER_GOODS: lazy("Consumer goods"),
    Sector.RETAIL: lazy("Retail"),
    Sector.FOOD_SERVICE: lazy("Food service"),
    Sector.HOSPITALITY_TOURISM: lazy("Hospitality and tourism"),
    Sector.WASTE_RECYCLING: lazy("Waste and recycling"),
    Sector.FINANCE: lazy("Finance"),
    Sector.OTHER: lazy("Other sector"),
}

SIZE_LABELS: dict[SizeBand, str] = {
    SizeBand.MICRO: lazy("Fewer than 10 people"),
    SizeBand.SMALL: lazy("10 to 49 people"),
    SizeBand.MEDIUM: lazy("50 to 249 people"),
    SizeBand.LARGE: lazy("250 people or more"),
}

METRIC_LABELS: dict[Metric, str] = {
    Metric.VIRGIN_REDUCTION: lazy("Less virgin plastic"),
    Metric.REUSABLE_RECYCLABLE_COMPOSTABLE: lazy("Reusable, recyclable or compostable packaging"),
    Metric.RECYCLED_CONTENT: lazy("Post-consumer recycled content"),
    Metric.PROBLEMATIC_ITEMS: lazy("Problematic items eliminated"),
    Metric.REUSE_MODELS: lazy("Reuse models introduced"),
    Metric.FREE: lazy("Your own commitment"),
}

ITEM_LABELS: dict[ProblematicItem, str] = {
    ProblematicItem.PVC: lazy("PVC"),
    ProblematicItem.PS_EPS: lazy("PS/EPS (polystyrene)"),
    ProblematicItem.OXO_DEGRADABLE: lazy("Oxo-degradable plastics"),
    ProblematicItem.STRAWS: lazy("Straws"),
    ProblematicItem.STIRRERS: lazy("Stirrers"),
    ProblematicItem.CUTLERY: lazy("Cutlery"),
    ProblematicItem.CARRIER_BAGS: lazy("Carrier bags"),
    ProblematicItem.MULTILAYER_SACHETS: lazy("Multilayer sachets"),
    ProblematicItem.SHRINK_SLEEVES: lazy("Shrink sleeves"),
    ProblematicItem.OTHER: lazy("Other item"),
}

STATUS_LABELS: dict[PledgeStatus, str] = {
    PledgeStatus.DRAFT: lazy("draft, not submitted yet"),
    PledgeStatus.SUBMITTED: lazy("submitted, waiting for review"),
    PledgeStatus.CHANGES_REQUESTED: lazy("changes requested by the reviewers"),
    PledgeStatus.ACCEPTED: lazy("accepted and public"),
    PledgeStatus.WITHDRAWN: lazy("withdrawn"),
    PledgeStatus.SUPERSEDED: lazy("replaced by a newer pledge"),
}

NOT_A_MEMBER = lazy("Only the company's members can do that.")


def company_name(company: Company, reader: str) -> str:
    return str(pick(company.names, reader, company.main_language).text)


def metric_label(t: Translator, entry: dict[str, Any]) -> str:
    """A commitment of the answers as its list shows it: its own label for free ones."""
    metric = Metric(entry["metric"])
    if metric == Metric.FREE and entry.get("labels"):
        labels: dict[str, str] = entry["labels"]
        return escape(next(iter(labels.values())))
    return t._(METRIC_LABELS[metric])


class Unreadable(ValueError):
    """A typed number that cannot be used; ``message`` is in the reader's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_number(t: Translator, text: str) -> float:
    try:
        value = read_decimal(text.strip().removesuffix("%").strip(), t.locale)
    except UnreadableNumber as problem:
        if problem.problem == NumberProblem.AMBIGUOUS:
            own, other = problem.readings
            raise Unreadable(
                t._(
                    "Did you mean {first} or {second}? Please type it again without "
                    "thousands separators."
                ).format(first=t.number(own), second=t.number(other))
            ) from None
        raise Unreadable(t._("Please type a number, for example 25 or 12.5.")) from None
    return float(value)


def read_year(t: Translator, text: str) -> int:
    value = read_number(t, text)
    if not float(value).is_integer():
        raise Unreadable(t._("Please type a year as a whole number, for example 2030."))
    return int(Decimal(value))


def problem_message(t: Translator, problem: Problem) -> str:
    """One check of pledges.content (or a company's details) explained."""
    limit = problem.limit
    kind = problem.kind
    if kind == ProblemKind.NOT_A_NUMBER:
        return t._("Please type a number, for example 25 or 12.5.")
    if kind == ProblemKind.NOT_A_WHOLE_NUMBER:
        return t._("Please type a whole number.")
    if kind == ProblemKind.PERCENT_OUT_OF_RANGE:
        return t._("A percentage goes from 0 to 100: please type a number in that range.")
    if kind == ProblemKind.NEGATIVE:
        return t._("That cannot be negative: please type zero or more.")
    if kind == ProblemKind.TOO_LARGE and limit is not None:
        return t._("That is more than {limit}: please check the figure.").format(
            limit=t.number(limit)
        )
    if kind == ProblemKind.YEAR_OUT_OF_RANGE and limit is not None:
        return t._("Please type a year from 1990 to {last}.").format(last=int(limit))
    if kind == ProblemKind.BASELINE_IN_FUTURE and limit is not None:
        return t._(
            "The baseline year is a year you have figures for: it cannot be after {year}."
        ).format(year=int(limit))
    if kind == ProblemKind.TARGET_YEAR_NOT_AFTER_BASELINE and limit is not None:
        return t._("The target year must come after the baseline year, {year}.").format(
            year=int(limit)
        )
    if kind == ProblemKind.TARGET_NOT_BEYOND_BASELINE:
        return t._("The target must go beyond where you stood in the baseline year.")
    if kind in (ProblemKind.EMPTY, ProblemKind.MISSING):
        return t._("Something is missing there: please answer that step.")
    if kind == ProblemKind.TOO_LONG and limit is not None:
        return t.ngettext(
            "That is too long: please keep it under {count} character.",
            "That is too long: please keep it under {count} characters.",
            int(limit),
        ).format(count=t.number(int(limit)))
    if kind == ProblemKind.TOO_MANY and limit is not None:
        return t._("That is more than {limit} allowed.").format(limit=t.number(limit))
    if kind == ProblemKind.DUPLICATE_ITEM:
        return t._("The same name appears twice.")
    if kind == ProblemKind.OTHER_ITEM_MISSING:
        return t._("Please say which other item you will eliminate.")
    if kind == ProblemKind.NO_COMMITMENT:
        return t._("Please add at least one commitment.")
    if kind == ProblemKind.NO_STATEMENT:
        return t._("Please write the public statement.")
    return t._("That answer cannot be used: please check it and try again.")
