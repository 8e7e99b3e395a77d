"""The cleanup data card: what participants report after a cleanup, how organizers review it,
and the totals and impact summaries built from it.

Categories follow the International Coastal Cleanup data card (2019, design.md section 6) plus
the additions local campaigns use in Southeast Asia. Their keys are stored in
``CleanupReport.items`` and never change; labels are English msgids translated where shown.
Items of local concern have no fixed key: they are stored as ``"local:<label>"``.

A report is written in one go when the person taps Submit. Until then the half-filled card is a
draft kept next to the conversation states (``conversation_states`` under ``DRAFT_STORE``), so
it survives a restart like the conversation itself and is erased with it by /deleteme.
Submitting deletes the draft and writes the report in one transaction: a second tap finds no
draft, so a double tap never creates two reports.

Totals count every submitted report, reviewed or not (``Totals.reviewed`` says how many of them
an organizer has checked); reports of cancelled events never count.

Every function takes the caller's session and clock and never commits.
"""

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from babel import Locale
from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import ConsentPurpose, User
from accounts.service import consents_of, is_admin
from db.models import ConversationState
from events.figure_units import Measure, WrongUnit, split_unit
from events.models import (
    CleanupReport,
    Event,
    EventKind,
    EventOrganizer,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from events.service import is_organizer_of
from i18n import lazy
from i18n.numbers import NumberProblem, UnreadableNumber, read_decimal

# -- the card ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    key: str
    label: str


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    categories: tuple[Category, ...]


def _section(key: str, label: str, *categories: tuple[str, str]) -> Section:
    return Section(key, label, tuple(Category(k, text) for k, text in categories))


SECTIONS: tuple[Section, ...] = (
    _section(
        "likely",
        lazy("Most likely to find"),
        ("cigarette_butts", lazy("Cigarette butts")),
        ("food_wrappers", lazy("Food wrappers")),
        ("takeout_plastic", lazy("Take-out containers (plastic)")),
        ("takeout_foam", lazy("Take-out containers (foam)")),
        ("caps_plastic", lazy("Bottle caps (plastic)")),
        ("caps_metal", lazy("Bottle caps (metal)")),
        ("lids_plastic", lazy("Lids (plastic)")),
        ("straws_stirrers", lazy("Straws, stirrers")),
        ("cutlery", lazy("Forks, knives, spoons")),
        ("bottles_plastic", lazy("Beverage bottles (plastic)")),
        ("bottles_glass", lazy("Beverage bottles (glass)")),
        ("beverage_cans", lazy("Beverage cans")),
        ("grocery_bags_plastic", lazy("Grocery bags (plastic)")),
        ("other_plastic_bags", lazy("Other plastic bags")),
        ("paper_bags", lazy("Paper bags")),
        ("cups_plates_paper", lazy("Cups, plates (paper)")),
        ("cups_plates_plastic", lazy("Cups, plates (plastic)")),
        ("cups_plates_foam", lazy("Cups, plates (foam)")),
    ),
    _section(
        "fishing",
        lazy("Fishing gear"),
        ("buoys_pots_traps", lazy("Buoys, pots, traps")),
        ("nets", lazy("Fishing net and pieces")),
        ("fishing_line", lazy("Fishing line")),
        ("rope", lazy("Rope")),
    ),
    _section(
        "packaging",
        lazy("Packaging"),
        ("six_pack_holders", lazy("6-pack holders")),
        ("other_packaging", lazy("Other plastic or foam packaging")),
        ("other_plastic_bottles", lazy("Other plastic bottles")),
        ("strapping_bands", lazy("Strapping bands")),
        ("tobacco_packaging", lazy("Tobacco packaging")),
    ),
    _section(
        "other",
        lazy("Other trash"),
        ("appliances", lazy("Appliances")),
        ("balloons", lazy("Balloons")),
        ("cigar_tips", lazy("Cigar tips")),
        ("lighters", lazy("Lighters")),
        ("construction_materials", lazy("Construction materials")),
        ("fireworks", lazy("Fireworks")),
        ("tires", lazy("Tires")),
        ("toys", lazy("Toys")),
    ),
    _section(
        "hygiene",
        lazy("Personal hygiene"),
        ("condoms", lazy("Condoms")),
        ("diapers", lazy("Diapers")),
        ("syringes", lazy("Syringes")),
        ("tampons", lazy("Tampons and applicators")),
    ),
    _section(
        "tiny",
        lazy("Tiny trash under 2.5 cm"),
        ("tiny_foam", lazy("Foam pieces")),
        ("tiny_glass", lazy("Glass pieces")),
        ("tiny_plastic", lazy("Plastic pieces")),
    ),
    _section(
        "regional",
        lazy("Sachets, masks, gloves"),
        ("sachets", lazy("Single-use sachets")),
        ("masks", lazy("Face masks")),
        ("gloves", lazy("Gloves")),
    ),
)

SECTIONS_BY_KEY: dict[str, Section] = {section.key: section for section in SECTIONS}
CATEGORIES: dict[str, Category] = {
    category.key: category for section in SECTIONS for category in section.categories
}
LOCAL_PREFIX = "local:"
LOCAL_LABEL_MAX_LENGTH = 60
MAX_LOCAL_ITEMS = 20
MAX_PHOTOS = 10


def local_item_key(label: str) -> str:
    return LOCAL_PREFIX + label


def local_label(key: str) -> str | None:
    """The person's own words for an item of local concern, or None for a card category."""
    return key.removeprefix(LOCAL_PREFIX) if key.startswith(LOCAL_PREFIX) else None


# -- figures and their validation --------------------------------------------------------------


class Figure(StrEnum):
    BAGS = "bags"
    WEIGHT = "weight"
    PEOPLE = "people"
    DISTANCE = "distance"


# Anything above these is a typo or a joke, not a cleanup: the person is asked to check.
LIMITS: dict[Figure, int] = {
    Figure.BAGS: 100_000,
    Figure.WEIGHT: 100_000,  # kg
    Figure.PEOPLE: 100_000,
    Figure.DISTANCE: 100_000,  # metres
}
MAX_ITEM_COUNT = 1_000_000


class FigureProblem(StrEnum):
    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"
    NOT_WHOLE = "not_whole"
    TOO_LARGE = "too_large"
    # "1.500" could be one and a half or fifteen hundred: ``readings`` has both.
    AMBIGUOUS = "ambiguous"
    # A unit of something else: "3 kg" for the number of bags.
    WRONG_UNIT = "wrong_unit"


class InvalidFigure(ValueError):
    def __init__(
        self, problem: FigureProblem, limit: int, unread: UnreadableNumber | None = None
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.limit = limit
        self.unread = unread


def _problem(value: Decimal, limit: int, *, whole: bool) -> FigureProblem | None:
    if value < 0:
        return FigureProblem.NEGATIVE
    if value > limit:
        return FigureProblem.TOO_LARGE
    if whole and value != value.to_integral_value():
        return FigureProblem.NOT_WHOLE
    return None


def _checked(value: Decimal, limit: int, *, whole: bool) -> Decimal:
    problem = _problem(value, limit, whole=whole)
    if problem is not None:
        raise InvalidFigure(problem, limit)
    return value


def _read(
    text: str, locale: Locale, limit: int, *, whole: bool, scale: Decimal = Decimal(1)
) -> Decimal:
    """The figure in ``text`` as the reader writes numbers (i18n.numbers), times ``scale``; of
    two readings of "1.500", the one that is a possible figure."""

    def possible(value: Decimal) -> bool:
        return _problem(value * scale, limit, whole=whole) is None

    try:
        value = read_decimal(text, locale, possible) * scale
    except UnreadableNumber as unread:
        if unread.problem == NumberProblem.AMBIGUOUS:
            raise InvalidFigure(FigureProblem.AMBIGUOUS, limit, unread) from None
        raise InvalidFigure(FigureProblem.NOT_A_NUMBER, limit) from None
    return _checked(value, limit, whole=whole)


def parse_count(text: str, limit: int, locale: Locale) -> int:
    return int(_read(text, locale, limit, whole=True))


# The unit each quick figure is stored in; a typed unit (events.figure_units) is converted to it.
MEASURES: dict[Figure, Measure] = {
    Figure.BAGS: Measure.BAGS,
    Figure.WEIGHT: Measure.KILOGRAMS,
    Figure.PEOPLE: Measure.PEOPLE,
    Figure.DISTANCE: Measure.METRES,
}


def parse_figure(figure: Figure, text: str, locale: Locale) -> int | float:
    """One of the quick figures, typed by a reader of ``locale``, with or without its unit:
    "12,5 กก.", "500 g", "3 ถุง", "1.5 km"."""
    limit = LIMITS[figure]
    try:
        number, scale = split_unit(text, MEASURES[figure])
    except WrongUnit:
        raise InvalidFigure(FigureProblem.WRONG_UNIT, limit) from None
    if figure in (Figure.BAGS, Figure.PEOPLE):
        return int(_read(number, locale, limit, whole=True, scale=scale))
    value = _read(number, locale, limit, whole=False, scale=scale)
    if figure == Figure.WEIGHT:
        return float(round(value, 2))
    return int(round(value))


# -- the draft ---------------------------------------------------------------------------------

DRAFT_STORE = "cleanup_card.draft"
# Which report and figure an organizer is typing a correction for.
CORRECTION_STORE = "cleanup_card.correction"


@dataclass
class Card:
    """The figures of one report, whether still a draft or submitted."""

    bags: int = 0
    weight_kg: float = 0.0
    people: int = 0
    distance_m: int = 0
    items: dict[str, int] = field(default_factory=dict)
    photo_file_ids: list[str] = field(default_factory=list)
    # The brand audit: brand (as shown) → items counted carrying it; stored by
    # pledges.brand_audits when the card is submitted.
    brands: dict[str, int] = field(default_factory=dict)

    def figure(self, figure: Figure) -> int | float:
        return {
            Figure.BAGS: self.bags,
            Figure.WEIGHT: self.weight_kg,
            Figure.PEOPLE: self.people,
            Figure.DISTANCE: self.distance_m,
        }[figure]

    def with_figure(self, figure: Figure, value: int | float) -> "Card":
        if figure == Figure.WEIGHT:
            return replace(self, weight_kg=float(value))
        if figure == Figure.BAGS:
            return replace(self, bags=int(value))
        if figure == Figure.PEOPLE:
            return replace(self, people=int(value))
        return replace(self, distance_m=int(value))


@dataclass
class Draft:
    event_id: int
    card: Card = field(default_factory=Card)
    # Where the person is in the tally: the section shown and the item whose count they type.
    section: str | None = None
    focus: str | None = None
    # The quick figure the person is retyping from the summary before Submit.
    changing: str | None = None
    # The brand whose item count the person is typing in the brand audit.
    brand: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Draft":
        data = json.loads(text)
        return cls(
            event_id=data["event_id"],
            card=Card(**data["card"]),
            section=data.get("section"),
            focus=data.get("focus"),
            changing=data.get("changing"),
            brand=data.get("brand"),
        )


class NoDraft(LookupError):
    """Nothing is being reported under this key: submitted already, cancelled or never begun."""


async def _stored(session: AsyncSession, store: str, key: str) -> str | None:
    row = await session.get(ConversationState, (store, key))
    return None if row is None else row.state


async def _store(session: AsyncSession, store: str, key: str, value: str) -> None:
    row = await session.get(ConversationState, (store, key))
    if row is None:
        session.add(ConversationState(name=store, key=key, state=value))
    else:
        row.state = value


async def _unstore(session: AsyncSession, store: str, key: str) -> int:
    """Delete a stored value; returns how many rows went (0 when another taker was first)."""
    result = await session.execute(
        delete(ConversationState).where(
            ConversationState.name == store, ConversationState.key == key
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def save_draft(session: AsyncSession, key: str, draft: Draft) -> None:
    await _store(session, DRAFT_STORE, key, draft.to_json())


async def load_draft(session: AsyncSession, key: str) -> Draft:
    stored = await _stored(session, DRAFT_STORE, key)
    if stored is None:
        raise NoDraft(key)
    return Draft.from_json(stored)


async def discard_draft(session: AsyncSession, key: str) -> None:
    await _unstore(session, DRAFT_STORE, key)
    await _unstore(session, CORRECTION_STORE, key)


async def _take_draft(session: AsyncSession, key: str) -> Draft:
    """Load and delete the draft; of two concurrent takers, only one deletes the row."""
    draft = await load_draft(session, key)
    if await _unstore(session, DRAFT_STORE, key) != 1:
        raise NoDraft(key)
    return draft


def add_items(draft: Draft, key: str, count: int) -> int:
    """Add ``count`` to one item's tally; returns the new count."""
    return set_item_count(draft, key, draft.card.items.get(key, 0) + count)


def set_item_count(draft: Draft, key: str, count: int) -> int:
    if key not in CATEGORIES and local_label(key) is None:
        raise KeyError(key)
    count = int(_checked(Decimal(count), MAX_ITEM_COUNT, whole=True))
    if count == 0:
        draft.card.items.pop(key, None)
    else:
        draft.card.items[key] = count
    return count


class LocalItemProblem(StrEnum):
    TOO_MANY = "too_many"


class InvalidLocalItem(ValueError):
    def __init__(self, problem: LocalItemProblem, limit: int) -> None:
        super().__init__(problem)
        self.problem = problem
        self.limit = limit


def focus_local_item(draft: Draft, label: str) -> str:
    """Start counting an item of local concern named by the person (already cleaned text)."""
    key = local_item_key(label)
    local_keys = [k for k in draft.card.items if local_label(k) is not None]
    if key not in draft.card.items and len(local_keys) >= MAX_LOCAL_ITEMS:
        raise InvalidLocalItem(LocalItemProblem.TOO_MANY, MAX_LOCAL_ITEMS)
    draft.focus = key
    return key


def may_add_photos(user: User) -> bool:
    return consents_of(user)[ConsentPurpose.PHOTOS_LOCATION]


class PhotoProblem(StrEnum):
    NO_CONSENT = "no_consent"
    TOO_MANY = "too_many"


class PhotoRefused(ValueError):
    def __init__(self, problem: PhotoProblem) -> None:
        super().__init__(problem)
        self.problem = problem


def add_photo(draft: Draft, user: User, file_id: str) -> int:
    """Keep a photo's Telegram file id; returns how many the draft holds."""
    if not may_add_photos(user):
        raise PhotoRefused(PhotoProblem.NO_CONSENT)
    photos = draft.card.photo_file_ids
    if file_id not in photos:
        if len(photos) >= MAX_PHOTOS:
            raise PhotoRefused(PhotoProblem.TOO_MANY)
        photos.append(file_id)
    return len(photos)


# -- who may report, and for what -----------------------------------------------------------------

# Participants often send their figures once they are home and have weighed the bags.
REPORTING_WINDOW_AFTER_END = timedelta(days=14)
REPORTABLE_STATUSES = (EventStatus.PUBLISHED, EventStatus.COMPLETED)


class Refusal(StrEnum):
    NO_SUCH_EVENT = "no_such_event"
    NOT_A_CLEANUP = "not_a_cleanup"
    CANCELLED = "cancelled"
    NOT_STARTED = "not_started"
    CLOSED = "closed"
    NOT_PARTICIPANT = "not_participant"
    ALREADY_REVIEWED = "already_reviewed"
    NOT_ORGANIZER = "not_organizer"


class ReportRefused(PermissionError):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason)
        self.reason = reason


async def is_event_organizer(
    session: AsyncSession, user: User, event_id: int, admin_ids: frozenset[int]
) -> bool:
    """The same rule as every other organizer tool: this event's organizers and administrators."""
    event = await session.get(Event, event_id)
    return event is not None and is_organizer_of(event, user, admin_ids)


async def _is_confirmed_participant(session: AsyncSession, user: User, event_id: int) -> bool:
    row = await session.scalar(
        select(Registration.id).where(
            Registration.event_id == event_id,
            Registration.user_id == user.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    return row is not None


async def reportable_event(
    session: AsyncSession, user: User, event_id: int, now: datetime, admin_ids: frozenset[int]
) -> Event:
    """The event, if this person may send a data card for it now; else ReportRefused."""
    event = await session.get(Event, event_id)
    if event is None:
        raise ReportRefused(Refusal.NO_SUCH_EVENT)
    if event.kind != EventKind.CLEANUP:
        raise ReportRefused(Refusal.NOT_A_CLEANUP)
    if event.status == EventStatus.CANCELLED:
        raise ReportRefused(Refusal.CANCELLED)
    if event.status not in REPORTABLE_STATUSES or now < event.starts_at:
        raise ReportRefused(Refusal.NOT_STARTED)
    if now > event.ends_at + REPORTING_WINDOW_AFTER_END:
        raise ReportRefused(Refusal.CLOSED)
    if not (
        await _is_confirmed_participant(session, user, event_id)
        or await is_event_organizer(session, user, event_id, admin_ids)
    ):
        raise ReportRefused(Refusal.NOT_PARTICIPANT)
    return event


def _open_cleanups(now: datetime):  # type: ignore[no-untyped-def]
    return select(Event).where(
        Event.kind == EventKind.CLEANUP,
        Event.status.in_(REPORTABLE_STATUSES),
        Event.starts_at <= now,
        Event.ends_at >= now - REPORTING_WINDOW_AFTER_END,
    )


async def reportable_events(session: AsyncSession, user: User, now: datetime) -> list[Event]:
    """Cleanups happening now or recently that the person joined (confirmed) or organizes."""
    joined = select(Registration.event_id).where(
        Registration.user_id == user.id, Registration.status == RegistrationStatus.CONFIRMED
    )
    organized = select(EventOrganizer.event_id).where(EventOrganizer.user_id == user.id)
    rows = await session.scalars(
        _open_cleanups(now)
        .where(or_(Event.id.in_(joined), Event.id.in_(organized)))
        .order_by(Event.starts_at.desc(), Event.id)
    )
    return list(rows)


@dataclass
class Started:
    draft: Draft
    event: Event
    # The person already sent a card for this event; submitting again replaces its figures.
    replaces: bool


async def start_draft(
    session: AsyncSession,
    key: str,
    user: User,
    event_id: int,
    now: datetime,
    admin_ids: frozenset[int],
) -> Started:
    """Begin a data card for an event, replacing any half-filled one under this key."""
    event = await reportable_event(session, user, event_id, now, admin_ids)
    previous = await own_report(session, user, event_id)
    if previous is not None and previous.reviewed_at is not None:
        raise ReportRefused(Refusal.ALREADY_REVIEWED)
    draft = Draft(event_id=event_id)
    await discard_draft(session, key)
    await save_draft(session, key, draft)
    return Started(draft, event, replaces=previous is not None)


@dataclass
class Choices:
    """What /report offers a person: cleanups to report for, and cleanups to review."""

    to_report: list[Event]
    to_review: list[Event]

    @property
    def count(self) -> int:
        return len(self.to_report) + len(self.to_review)


async def report_choices(
    session: AsyncSession, user: User, now: datetime, admin_ids: frozenset[int]
) -> Choices:
    return Choices(
        to_report=await reportable_events(session, user, now),
        to_review=await reviewable_events(session, user, admin_ids),
    )


async def own_report(session: AsyncSession, user: User, event_id: int) -> CleanupReport | None:
    return await session.scalar(
        select(CleanupReport)
        .where(CleanupReport.event_id == event_id, CleanupReport.reporter_id == user.id)
        .order_by(CleanupReport.id.desc())
        .limit(1)
    )


# -- submitting ---------------------------------------------------------------------------------


def _validated(card: Card) -> Card:
    for figure, limit in LIMITS.items():
        _checked(Decimal(str(card.figure(figure))), limit, whole=figure != Figure.WEIGHT)
    for key, count in card.items.items():
        if key not in CATEGORIES and local_label(key) is None:
            raise KeyError(key)
        _checked(Decimal(count), MAX_ITEM_COUNT, whole=True)
    return card


async def submit_report(
    session: AsyncSession,
    *,
    reporter: User,
    event_id: int,
    card: Card,
    now: datetime,
    admin_ids: frozenset[int],
) -> CleanupReport:
    """Record a data card. One report per person per event: sending again replaces the
    figures of a report no organizer has reviewed yet. Photos are kept only with the
    reporter's photo consent, checked now (they may have withdrawn it while reporting)."""
    await reportable_event(session, reporter, event_id, now, admin_ids)
    card = _validated(card)
    photos = list(card.photo_file_ids[:MAX_PHOTOS]) if may_add_photos(reporter) else []
    report = await own_report(session, reporter, event_id)
    if report is not None and report.reviewed_at is not None:
        raise ReportRefused(Refusal.ALREADY_REVIEWED)
    if report is None:
        report = CleanupReport(event_id=event_id, reporter_id=reporter.id)
        session.add(report)
    report.bags = card.bags
    report.weight_kg = card.weight_kg
    report.people = card.people
    report.distance_m = card.distance_m
    report.items = dict(card.items)
    report.photo_file_ids = photos
    report.submitted_at = now
    await session.flush()
    return report


async def submit_draft(
    session: AsyncSession, key: str, reporter: User, now: datetime, admin_ids: frozenset[int]
) -> CleanupReport:
    """Submit the draft under ``key``; NoDraft when it was submitted (or dropped) already."""
    draft = await _take_draft(session, key)
    return await submit_report(
        session,
        reporter=reporter,
        event_id=draft.event_id,
        card=draft.card,
        now=now,
        admin_ids=admin_ids,
    )


# -- organizer review ---------------------------------------------------------------------------


async def managed_report(
    session: AsyncSession, report_id: int, organizer: User, admin_ids: frozenset[int]
) -> CleanupReport:
    report = await session.get(CleanupReport, report_id)
    if report is None:
        raise ReportRefused(Refusal.NO_SUCH_EVENT)
    if not await is_event_organizer(session, organizer, report.event_id, admin_ids):
        raise ReportRefused(Refusal.NOT_ORGANIZER)
    return report


async def reports_to_review(
    session: AsyncSession, organizer: User, event_id: int, admin_ids: frozenset[int]
) -> list[CleanupReport]:
    """Every report of the event, unreviewed first, for its organizers only."""
    if not await is_event_organizer(session, organizer, event_id, admin_ids):
        raise ReportRefused(Refusal.NOT_ORGANIZER)
    rows = await session.scalars(
        select(CleanupReport)
        .where(CleanupReport.event_id == event_id)
        .order_by(CleanupReport.reviewed_at.is_not(None), CleanupReport.id)
    )
    return list(rows)


async def reviewable_events(
    session: AsyncSession, organizer: User, admin_ids: frozenset[int], limit: int = 10
) -> list[Event]:
    """Cleanups with reports that this organizer (or administrator) may review, newest first."""
    query = (
        select(Event)
        .where(
            Event.kind == EventKind.CLEANUP,
            Event.status != EventStatus.CANCELLED,
            Event.id.in_(select(CleanupReport.event_id)),
        )
        .order_by(Event.starts_at.desc(), Event.id)
        .limit(limit)
    )
    if organizer.telegram_id is None or not is_admin(organizer.telegram_id, admin_ids):
        query = query.where(
            Event.id.in_(
                select(EventOrganizer.event_id).where(EventOrganizer.user_id == organizer.id)
            )
        )
    return list(await session.scalars(query))


async def correct_report(
    session: AsyncSession,
    *,
    report_id: int,
    organizer: User,
    figure: Figure,
    text: str,
    locale: Locale,
    admin_ids: frozenset[int],
) -> CleanupReport:
    """An organizer replaces one figure, typed as a reporter would, in the organizer's own way
    of writing numbers (``locale``)."""
    report = await managed_report(session, report_id, organizer, admin_ids)
    value = parse_figure(figure, text, locale)
    if figure == Figure.BAGS:
        report.bags = int(value)
    elif figure == Figure.WEIGHT:
        report.weight_kg = float(value)
    elif figure == Figure.PEOPLE:
        report.people = int(value)
    else:
        report.distance_m = int(value)
    return report


async def mark_reviewed(
    session: AsyncSession,
    *,
    report_id: int,
    organizer: User,
    now: datetime,
    admin_ids: frozenset[int],
) -> CleanupReport:
    """Idempotent: the first review's time and reviewer are kept."""
    report = await managed_report(session, report_id, organizer, admin_ids)
    if report.reviewed_at is None:
        report.reviewed_at = now
        report.reviewed_by = organizer.id
    return report


async def begin_correction(
    session: AsyncSession,
    key: str,
    *,
    report_id: int,
    figure: Figure,
    organizer: User,
    admin_ids: frozenset[int],
) -> CleanupReport:
    """Remember which figure of which report the organizer is about to type."""
    report = await managed_report(session, report_id, organizer, admin_ids)
    await _store(session, CORRECTION_STORE, key, json.dumps([report_id, figure.value]))
    return report


async def finish_correction(
    session: AsyncSession,
    key: str,
    *,
    text: str,
    locale: Locale,
    organizer: User,
    admin_ids: frozenset[int],
) -> CleanupReport:
    """Apply the typed correction (InvalidFigure leaves the target in place for another try)."""
    stored = await _stored(session, CORRECTION_STORE, key)
    if stored is None:
        raise NoDraft(key)
    report_id, figure = json.loads(stored)
    report = await correct_report(
        session,
        report_id=report_id,
        organizer=organizer,
        figure=Figure(figure),
        text=text,
        locale=locale,
        admin_ids=admin_ids,
    )
    await _unstore(session, CORRECTION_STORE, key)
    return report


# -- totals and impact ----------------------------------------------------------------------------


@dataclass
class Totals:
    reports: int = 0
    reviewed: int = 0
    bags: int = 0
    weight_kg: float = 0.0
    people: int = 0
    distance_m: int = 0
    items: dict[str, int] = field(default_factory=dict)

    def add(self, report: CleanupReport) -> None:
        self.reports += 1
        self.reviewed += report.reviewed_at is not None
        self.bags += report.bags
        self.weight_kg = round(self.weight_kg + report.weight_kg, 2)
        self.people += report.people
        self.distance_m += report.distance_m
        for key, count in report.items.items():
            self.items[key] = self.items.get(key, 0) + count

    @property
    def item_count(self) -> int:
        return sum(self.items.values())


async def _totals(session: AsyncSession, *conditions: object) -> Totals:
    rows = await session.scalars(
        select(CleanupReport)
        .join(Event, Event.id == CleanupReport.event_id)
        .where(Event.status != EventStatus.CANCELLED, *conditions)  # type: ignore[arg-type]
    )
    totals = Totals()
    for report in rows:
        totals.add(report)
    return totals


async def event_totals(session: AsyncSession, event_id: int) -> Totals:
    return await _totals(session, CleanupReport.event_id == event_id)


async def city_totals(session: AsyncSession, country: str, city: str) -> Totals:
    """Cities are typed by organizers, so "Pattaya" and "pattaya " are the same city."""
    return await _totals(
        session,
        Event.country == country,
        func.lower(func.trim(Event.city)) == " ".join(city.split()).lower(),
    )


async def country_totals(session: AsyncSession, country: str) -> Totals:
    return await _totals(session, Event.country == country)


@dataclass
class EventImpact:
    event: Event
    totals: Totals
    # What the person reported themselves; None when someone else reported for their team.
    own: Totals | None


async def impact_of(session: AsyncSession, user: User, limit: int = 10) -> list[EventImpact]:
    """The person's cleanups that have data (newest first): the event's totals and their own
    contribution. Participants are people with a confirmed registration, reporters and
    organizers."""
    joined = select(Registration.event_id).where(
        Registration.user_id == user.id, Registration.status == RegistrationStatus.CONFIRMED
    )
    reported = select(CleanupReport.event_id).where(CleanupReport.reporter_id == user.id)
    organized = select(EventOrganizer.event_id).where(EventOrganizer.user_id == user.id)
    events = await session.scalars(
        select(Event)
        .where(
            Event.kind == EventKind.CLEANUP,
            Event.status != EventStatus.CANCELLED,
            Event.id.in_(select(CleanupReport.event_id)),
            or_(Event.id.in_(joined), Event.id.in_(reported), Event.id.in_(organized)),
        )
        .order_by(Event.starts_at.desc(), Event.id)
        .limit(limit)
    )
    impacts = []
    for event in events:
        mine = await own_report(session, user, event.id)
        own = None
        if mine is not None:
            own = Totals()
            own.add(mine)
        impacts.append(EventImpact(event, await event_totals(session, event.id), own))
    return impacts
