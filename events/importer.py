"""``bot.py events import FILE.yaml``: create or update events from a YAML file.

Each event carries a stable ``key``; importing the same file again updates those events and never
copies them. The whole file is checked before anything is written, and one problem anywhere
means nothing is imported: an operator fixes the file and runs it again.

The limits and the rule that a cancelled or finished event stays as it is are events.rules', the
same the chat wizard and the services follow. The file describes each event completely: a field
it leaves out takes its default. The two lists
that organizers may also manage in the chat, ``questions`` and ``co_organizers``, are left as
they are when an update leaves them out.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from difflib import get_close_matches
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.cities import Place, chosen_city, timezone_of
from accounts.gazetteer import gazetteer, has_letters
from accounts.geography import COUNTRY_CODES, zones_for
from accounts.service import find_account, find_by_username
from db.engine import create_engine, create_session_factory
from events import notices, rules, service
from events.models import (
    Event,
    EventKind,
    EventOrganizer,
    EventStatus,
    EventText,
    QuestionKind,
    RegistrationMode,
    RegistrationQuestion,
)
from i18n.languages import LANGUAGE_CODES

KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
USERNAME_PATTERN = re.compile(r"@[A-Za-z0-9_]{3,64}")
LOCAL_TIME_EXAMPLE = "2026-12-06 08:00"
UNKNOWN_LANGUAGE = f"unknown language; use one of {', '.join(LANGUAGE_CODES)}"

EVENT_FIELDS = frozenset(
    {
        "key",
        "kind",
        "status",
        "texts",
        "fallback_language",
        "second_language",
        "venue",
        "country",
        "city",
        "city_geoname_id",
        "timezone",
        "start",
        "end",
        "capacity",
        "registration_mode",
        "invite_code",
        "registration_deadline",
        "cancellation_deadline",
        "offer_hours",
        "reminder_minutes_before",
        "day_before_reminder",
        "self_checkin_radius_m",
        "questions",
        "co_organizers",
    }
)
VENUE_FIELDS = frozenset({"name", "address", "latitude", "longitude"})
TEXT_FIELDS = frozenset({"title", "description"})
QUESTION_FIELDS = frozenset({"kind", "texts"})
QUESTION_TEXT_FIELDS = frozenset({"prompt", "choices"})
IMPORTABLE_STATUSES = (EventStatus.DRAFT, EventStatus.PUBLISHED)
# Changes that move the event in time or space: registrants get a new calendar file, and
# calendar apps only accept it with a higher SEQUENCE.
SCHEDULE_FIELDS = frozenset(
    {"starts_at", "ends_at", "timezone", "venue_name", "address", "latitude", "longitude"}
)
# What the notice to registrants names, by the fields that changed.
ANNOUNCED_FIELDS = {
    notices.Change.TIME: frozenset({"starts_at", "ends_at", "timezone"}),
    notices.Change.VENUE: frozenset({"venue_name", "address", "latitude", "longitude"}),
    notices.Change.CANCELLATION_DEADLINE: frozenset({"cancellation_deadline"}),
}
# Set by events.service, which also tells the people concerned.
SERVICE_MANAGED_FIELDS = frozenset({"starts_at", "ends_at", "capacity"})
REMINDER_FIELDS = frozenset({"reminder_minutes_before", "day_before_reminder"})

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class ImportProblem:
    where: str  # the event's key, "event #3" when it has none, or the file
    field: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.where, self.field, self.message]
        return ": ".join(part for part in parts if part)


class ImportOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ImportedEvent:
    key: str
    event_id: int
    outcome: ImportOutcome
    # What changed: Event columns, or "texts", "questions", "co_organizers"; printed for the
    # operator, who can check that the import did what they meant.
    changed: tuple[str, ...] = ()
    sequence: int = 0

    @property
    def rescheduled(self) -> bool:
        return bool(SCHEDULE_FIELDS.intersection(self.changed))

    def __str__(self) -> str:
        line = f"{self.outcome}: {self.key} (event {self.event_id})"
        if self.outcome == ImportOutcome.UPDATED:
            line += f": {', '.join(self.changed)}"
            if self.rescheduled:
                line += f"; calendar sequence {self.sequence}"
        return line


@dataclass
class ImportResult:
    events: list[ImportedEvent] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class QuestionSpec:
    kind: QuestionKind
    texts: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class EventSpec:
    """One event of the file, checked, with its times converted to UTC."""

    key: str
    columns: dict[str, Any]  # Event attribute → value
    texts: dict[str, tuple[str, str]]  # language → (title, description)
    questions: tuple[QuestionSpec, ...] | None  # None: the file leaves them as they are
    co_organizers: tuple[int | str, ...] | None  # Telegram ids and @usernames


class ImportFileError(Exception):
    """The file cannot be read as YAML."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.problem = ImportProblem(str(path), None, message)


# Reading and checking the file ------------------------------------------------------------


def load_document(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ImportFileError(path, f"cannot read the file: {_one_line(error)}") from error
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        place = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ImportFileError(path, f"{place}{error.problem or 'invalid YAML'}") from error
    except yaml.YAMLError as error:
        raise ImportFileError(path, f"invalid YAML: {_one_line(error)}") from error


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


def event_entries(document: Any) -> list[Any] | None:
    """The list of events: the document itself, or its ``events`` entry."""
    if isinstance(document, Mapping) and set(document) == {"events"}:
        document = document["events"]
    return list(document) if isinstance(document, list) else None


class _Fields:
    """Reads one mapping of the file, noting each problem instead of stopping at the first."""

    def __init__(
        self, raw: Mapping[str, Any], where: str, problems: list[ImportProblem], prefix: str = ""
    ) -> None:
        self.raw = raw
        self.where = where
        self.problems = problems
        self.prefix = prefix

    def problem(self, name: str, message: str) -> None:
        self.problems.append(ImportProblem(self.where, f"{self.prefix}{name}", message))

    def nested(self, name: str, allowed: frozenset[str]) -> "_Fields | None":
        value = self.raw.get(name)
        if not isinstance(value, Mapping):
            self.problem(name, "required: a mapping" if value is None else "expected a mapping")
            return None
        nested = _Fields(value, self.where, self.problems, f"{self.prefix}{name}.")
        nested.reject_unknown(allowed)
        return nested

    def reject_unknown(self, allowed: frozenset[str]) -> None:
        for name in self.raw:
            if name not in allowed:
                self.problem(str(name), _unknown_field_message(str(name), allowed))

    def text(
        self, name: str, limit: int, *, required: bool = True, multiline: bool = False
    ) -> str | None:
        value = self.raw.get(name)
        if value is None:
            if required:
                self.problem(name, "required")
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.problem(name, "expected text")
            return None
        cleaned = str(value).strip() if multiline else " ".join(str(value).split())
        if required and not cleaned:
            self.problem(name, "must not be empty")
            return None
        if len(cleaned) > limit:
            self.problem(name, f"too long: {len(cleaned)} characters, at most {limit}")
            return None
        return cleaned

    def option(self, name: str, options: type[E], default: E | None) -> E | None:
        return self.one_of(name, tuple(options), default)

    def one_of(self, name: str, options: Sequence[T], default: T | None) -> T | None:
        value = self.raw.get(name)
        if value is None:
            if default is None:
                self.problem(name, "required")
            return default
        for option in options:
            if value == option:
                return option
        self.problem(name, f"{value!r} is not one of: {', '.join(map(str, options))}")
        return None

    def integer(self, name: str, low: int, high: int, default: int | None) -> int | None:
        value = self.raw.get(name)
        if value is None:
            if default is None:
                self.problem(name, "required")
            return default
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem(name, "expected a whole number")
            return None
        if not low <= value <= high:
            self.problem(name, f"must be between {low} and {high}")
            return None
        return value

    def number(self, name: str, low: float, high: float) -> float | None:
        value = self.raw.get(name)
        if value is None:
            self.problem(name, "required")
            return None
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.problem(name, "expected a number")
            return None
        if not low <= value <= high:
            self.problem(name, f"must be between {low:g} and {high:g}")
            return None
        return float(value)

    def boolean(self, name: str, default: bool) -> bool | None:
        value = self.raw.get(name, default)
        if not isinstance(value, bool):
            self.problem(name, "expected true or false")
            return None
        return value

    def local_time(self, name: str, zone: ZoneInfo | None, *, required: bool) -> datetime | None:
        """A wall-clock time in the event's zone, as UTC."""
        value = self.raw.get(name)
        if value is None:
            if required:
                self.problem(name, f"required: a local date and time like {LOCAL_TIME_EXAMPLE}")
            return None
        local = _parse_local(value)
        if local is None:
            self.problem(
                name,
                f"expected a local date and time like {LOCAL_TIME_EXAMPLE} "
                "(in the event's time zone, without a UTC offset)",
            )
            return None
        if zone is None:  # the zone itself is wrong and already reported
            return None
        moment = local.replace(tzinfo=zone)
        if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
            self.problem(name, f"{local:%Y-%m-%d %H:%M} does not exist in {zone.key}")
            return None
        return moment.astimezone(UTC)


def _unknown_field_message(name: str, allowed: frozenset[str]) -> str:
    guesses = get_close_matches(name, sorted(allowed), n=1)
    if guesses:
        return f"unknown field; did you mean {guesses[0]}?"
    return f"unknown field; known fields: {', '.join(sorted(allowed))}"


def _parse_local(value: Any) -> datetime | None:
    # Unquoted YAML turns "2026-12-06 08:00:00" into a datetime and "2026-12-06" into a date;
    # "2026-12-06 08:00" stays text.
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date) or not isinstance(value, str):
        return None
    else:
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        if len(value.strip()) <= len("2026-12-06"):  # a date without a time
            return None
    return None if parsed.tzinfo is not None else parsed


def _city(fields: _Fields, country: str | None) -> Place | None:
    """The city, and its place in the gazetteer: the one given as ``city_geoname_id``, or else
    the most populous of the country's places the name names, if any."""
    name = fields.text("city", rules.CITY_MAX_LENGTH)
    if name is not None and not has_letters(name):
        fields.problem("city", "must contain letters, not only digits, emoji or punctuation")
        return None
    geoname_id = fields.raw.get("city_geoname_id")
    if geoname_id is None:
        if name is None or country is None:
            return None if name is None else Place(name)
        named = gazetteer().named(name, (country,))
        return Place(name, named[0].geoname_id if named else None)
    if not isinstance(geoname_id, int) or isinstance(geoname_id, bool):
        fields.problem("city_geoname_id", "expected a GeoNames id (a whole number)")
        return None
    if chosen_city(geoname_id, country) is None:
        fields.problem("city_geoname_id", f"{geoname_id} is no place of {country} in the gazetteer")
        return None
    return None if name is None else Place(name, geoname_id)


def _zone(fields: _Fields, country: str | None, city: Place | None) -> ZoneInfo | None:
    name = fields.raw.get("timezone")
    if name is None:
        if country is None:
            return None
        return ZoneInfo(timezone_of(country, city or Place(""), zones_for(country)[0]))
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Asia" is a directory: OSError
        fields.problem("timezone", f"{name!r} is not an IANA time zone like Asia/Bangkok")
        return None


def parse_event(raw: Any, position: int, problems: list[ImportProblem]) -> EventSpec | None:
    """The checked event, or None after adding what is wrong with it to ``problems``."""
    where = f"event #{position}"
    if not isinstance(raw, Mapping):
        problems.append(ImportProblem(where, None, "expected a mapping of fields"))
        return None
    raw_key = raw.get("key")
    key = raw_key if isinstance(raw_key, str) and KEY_PATTERN.fullmatch(raw_key) else None
    if key is not None:
        where = key
    else:
        message = "required: letters, digits and . _ : - (at most 100 characters)"
        problems.append(ImportProblem(where, "key", message))
    found = len(problems)
    fields = _Fields(raw, where, problems)
    fields.reject_unknown(EVENT_FIELDS)
    texts = _event_texts(fields)
    fallback = _fallback_language(fields, texts)
    country = _country(fields)
    city = _city(fields, country)
    zone = _zone(fields, country, city)
    starts_at = fields.local_time("start", zone, required=True)
    ends_at = fields.local_time("end", zone, required=True)
    if starts_at and ends_at and ends_at <= starts_at:
        fields.problem("end", "must be after the start")
    columns = {
        "kind": fields.option("kind", EventKind, None),
        "status": fields.one_of("status", IMPORTABLE_STATUSES, EventStatus.PUBLISHED),
        "fallback_language": fallback,
        "second_language": _second_language(fields, texts),
        **_venue(fields),
        "country": country,
        "city": city.name if city else None,
        "city_geoname_id": city.geoname_id if city else None,
        "timezone": zone.key if zone else None,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": fields.integer("capacity", rules.CAPACITY_MIN, rules.CAPACITY_MAX, None),
        **_registration(fields, zone, starts_at),
        "offer_hours": fields.integer(
            "offer_hours", rules.OFFER_HOURS_MIN, rules.OFFER_HOURS_MAX, rules.OFFER_HOURS_DEFAULT
        ),
        "reminder_minutes_before": fields.integer(
            "reminder_minutes_before",
            rules.REMINDER_MINUTES_MIN,
            rules.REMINDER_MINUTES_MAX,
            rules.REMINDER_MINUTES_DEFAULT,
        ),
        "day_before_reminder": fields.boolean("day_before_reminder", True),
        "self_checkin_radius_m": _optional_integer(
            fields,
            "self_checkin_radius_m",
            rules.SELF_CHECKIN_RADIUS_MIN_M,
            rules.SELF_CHECKIN_RADIUS_MAX_M,
        ),
    }
    questions = _questions(fields, fallback)
    co_organizers = _co_organizers(fields)
    if len(problems) > found or key is None:
        return None
    return EventSpec(
        key=key,
        columns=columns,
        texts=texts,
        questions=questions,
        co_organizers=co_organizers,
    )


def _event_texts(fields: _Fields) -> dict[str, tuple[str, str]]:
    raw = fields.raw.get("texts")
    if not isinstance(raw, Mapping) or not raw:
        fields.problem("texts", "required: a title (and description) per language, e.g. en:")
        return {}
    per_language = _Fields(raw, fields.where, fields.problems, "texts.")
    texts: dict[str, tuple[str, str]] = {}
    for language in raw:
        if language not in LANGUAGE_CODES:
            per_language.problem(
                str(language), f"unknown language; use {', '.join(LANGUAGE_CODES)}"
            )
            continue
        entry = per_language.nested(language, TEXT_FIELDS)
        if entry is None:
            continue
        title = entry.text("title", rules.TITLE_MAX_LENGTH)
        description = entry.text(
            "description", rules.DESCRIPTION_MAX_LENGTH, required=False, multiline=True
        )
        if title is not None:
            texts[language] = (title, description or "")
    return texts


def _fallback_language(fields: _Fields, texts: Mapping[str, Any]) -> str | None:
    written = tuple(texts)
    if "fallback_language" not in fields.raw:
        return written[0] if written else None
    if not written:
        return None
    return fields.one_of("fallback_language", written, None)


def _second_language(fields: _Fields, texts: Mapping[str, Any]) -> str | None:
    """Optional: left out, each reader gets their own likely second language (i18n.fallback)."""
    if fields.raw.get("second_language") is None or not texts:
        return None
    return fields.one_of("second_language", tuple(texts), None)


def _country(fields: _Fields) -> str | None:
    value = fields.raw.get("country")
    code = str(value).strip().upper() if value is not None else None
    if code not in COUNTRY_CODES:
        fields.problem("country", f"expected one of {', '.join(COUNTRY_CODES)}")
        return None
    return code


def _venue(fields: _Fields) -> dict[str, Any]:
    venue = fields.nested("venue", VENUE_FIELDS)
    if venue is None:
        return {}
    return {
        "venue_name": venue.text("name", rules.VENUE_NAME_MAX_LENGTH),
        "address": venue.text("address", rules.ADDRESS_MAX_LENGTH),
        "latitude": venue.number("latitude", rules.LATITUDE_MIN, rules.LATITUDE_MAX),
        "longitude": venue.number("longitude", rules.LONGITUDE_MIN, rules.LONGITUDE_MAX),
    }


def _registration(
    fields: _Fields, zone: ZoneInfo | None, starts_at: datetime | None
) -> dict[str, Any]:
    mode = fields.option("registration_mode", RegistrationMode, RegistrationMode.OPEN)
    invite_code = fields.text("invite_code", rules.INVITE_CODE_MAX_LENGTH, required=False)
    if mode == RegistrationMode.INVITE_CODE and not invite_code:
        fields.problem("invite_code", "required when registration_mode is invite_code")
    elif mode != RegistrationMode.INVITE_CODE and invite_code:
        fields.problem("invite_code", "only used when registration_mode is invite_code")
    elif invite_code and " " in invite_code:
        fields.problem("invite_code", "must not contain spaces")
    deadlines: dict[str, datetime | None] = {}
    for name in ("registration_deadline", "cancellation_deadline"):
        deadline = fields.local_time(name, zone, required=False)
        if deadline and starts_at and deadline > starts_at:
            fields.problem(name, "must not be after the start")
        deadlines[name] = deadline
    return {"registration_mode": mode, "invite_code": invite_code or None, **deadlines}


def _optional_integer(fields: _Fields, name: str, low: int, high: int) -> int | None:
    if fields.raw.get(name) is None:
        return None
    return fields.integer(name, low, high, None)


def _questions(fields: _Fields, fallback: str | None) -> tuple[QuestionSpec, ...] | None:
    if "questions" not in fields.raw:
        return None
    raw = fields.raw.get("questions") or []
    if not isinstance(raw, list) or len(raw) > rules.QUESTIONS_MAX:
        fields.problem("questions", f"expected a list of at most {rules.QUESTIONS_MAX} questions")
        return ()
    parsed = [_question(fields, index, entry, fallback) for index, entry in enumerate(raw, 1)]
    return tuple(question for question in parsed if question is not None)


def _question(fields: _Fields, index: int, raw: Any, fallback: str | None) -> QuestionSpec | None:
    name = f"questions[{index}]"
    if not isinstance(raw, Mapping):
        fields.problem(name, "expected a mapping with kind and texts")
        return None
    question = _Fields(raw, fields.where, fields.problems, f"{name}.")
    question.reject_unknown(QUESTION_FIELDS)
    kind = question.option("kind", QuestionKind, None)
    raw_texts = raw.get("texts")
    if not isinstance(raw_texts, Mapping) or not raw_texts:
        question.problem("texts", "required: a prompt per language")
        return None
    texts: dict[str, dict[str, Any]] = {}
    for language in raw_texts:
        parsed = _question_text(question, str(language), raw_texts[language], kind)
        if parsed is not None:
            texts[str(language)] = parsed
    if fallback and fallback not in raw_texts:
        question.problem("texts", f"needs the fallback language {fallback}")
    counts = {len(text.get("choices", [])) for text in texts.values()}
    if len(counts) > 1:
        question.problem("texts", "every language needs the same number of choices")
    if kind is None or len(texts) != len(raw_texts):
        return None
    return QuestionSpec(kind=QuestionKind(kind), texts=texts)


def _question_text(
    question: _Fields, language: str, raw: Any, kind: object
) -> dict[str, Any] | None:
    name = f"texts.{language}"
    if language not in LANGUAGE_CODES:
        question.problem(name, UNKNOWN_LANGUAGE)
        return None
    if not isinstance(raw, Mapping):
        question.problem(name, "expected a mapping with prompt (and choices)")
        return None
    text = _Fields(raw, question.where, question.problems, f"{question.prefix}{name}.")
    text.reject_unknown(QUESTION_TEXT_FIELDS)
    prompt = text.text("prompt", rules.PROMPT_MAX_LENGTH)
    choices = raw.get("choices")
    if kind == QuestionKind.TEXT:
        if choices is not None:
            text.problem("choices", "only choice questions have choices")
            return None
        return None if prompt is None else {"prompt": prompt}
    low, high = rules.CHOICES_MIN, rules.CHOICES_MAX
    if not isinstance(choices, list) or not low <= len(choices) <= high:
        text.problem("choices", f"expected a list of {low} to {high} choices")
        return None
    cleaned = [" ".join(str(choice).split()) for choice in choices]
    if any(not choice or len(choice) > rules.CHOICE_MAX_LENGTH for choice in cleaned):
        text.problem("choices", f"each choice needs 1 to {rules.CHOICE_MAX_LENGTH} characters")
        return None
    if len(set(cleaned)) != len(cleaned):
        text.problem("choices", "choices must differ from each other")
        return None
    return None if prompt is None else {"prompt": prompt, "choices": cleaned}


def _co_organizers(fields: _Fields) -> tuple[int | str, ...] | None:
    if "co_organizers" not in fields.raw:
        return None
    raw = fields.raw.get("co_organizers") or []
    if not isinstance(raw, list):
        fields.problem("co_organizers", "expected a list of Telegram user ids or @usernames")
        return ()
    references: list[int | str] = []
    for value in raw:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            references.append(value)
        elif isinstance(value, str) and USERNAME_PATTERN.fullmatch(value.strip()):
            references.append(value.strip())
        else:
            fields.problem(
                "co_organizers", f"{value!r} is neither a Telegram user id nor @username"
            )
    return tuple(references)


# Writing to the database -------------------------------------------------------------------


async def import_events(session: AsyncSession, document: Any, *, now: datetime) -> ImportResult:
    """Create or update the document's events in ``session``; the caller commits when
    ``result.ok``. Nothing is changed when any event has a problem."""
    result = ImportResult()
    entries = event_entries(document)
    if entries is None:
        message = "expected a list of events, or a mapping with one entry: events"
        result.problems.append(ImportProblem("file", None, message))
        return result
    specs = _parse_all(entries, result.problems)
    existing = await _existing_events(session, [spec.key for spec in specs])
    organizers: dict[str, set[int] | None] = {}
    for spec in specs:
        organizers[spec.key] = await _resolve_organizers(session, spec, result.problems)
        _check_against_stored(spec, existing.get(spec.key), now, result.problems)
    if result.problems:
        return result
    for spec in specs:
        result.events.append(
            await _apply(session, spec, existing.get(spec.key), organizers[spec.key], now)
        )
    return result


def _parse_all(entries: Sequence[Any], problems: list[ImportProblem]) -> list[EventSpec]:
    specs: list[EventSpec] = []
    seen: set[str] = set()
    for position, raw in enumerate(entries, 1):
        spec = parse_event(raw, position, problems)
        if spec is None:
            continue
        if spec.key in seen:
            problems.append(ImportProblem(spec.key, "key", "appears more than once in the file"))
            continue
        seen.add(spec.key)
        specs.append(spec)
    return specs


async def _existing_events(session: AsyncSession, keys: list[str]) -> dict[str, Event]:
    if not keys:
        return {}
    events = await session.scalars(select(Event).where(Event.import_key.in_(keys)))
    return {event.import_key: event for event in events if event.import_key}


async def _resolve_organizers(
    session: AsyncSession, spec: EventSpec, problems: list[ImportProblem]
) -> set[int] | None:
    if spec.co_organizers is None:
        return None
    user_ids: set[int] = set()
    for reference in spec.co_organizers:
        if isinstance(reference, int):
            user = await find_account(session, reference)
        else:
            user = await find_by_username(session, reference)
        if user is None:
            message = f"no account {reference}: they need to start the bot first"
            problems.append(ImportProblem(spec.key, "co_organizers", message))
        else:
            user_ids.add(user.id)
    return user_ids


def _check_against_stored(
    spec: EventSpec, event: Event | None, now: datetime, problems: list[ImportProblem]
) -> None:
    starts_at = spec.columns["starts_at"]
    if event is None:
        if starts_at < now:
            problems.append(ImportProblem(spec.key, "start", "is in the past"))
        return
    refusal = rules.may_change(event, now)
    if refusal is not None:
        # The refusal's value reads as the event's state: "cancelled" or "over".
        message = f"the event is {refusal.value}; an import can no longer change it"
        problems.append(ImportProblem(spec.key, "status", message))
    if starts_at != event.starts_at and starts_at < now:
        problems.append(ImportProblem(spec.key, "start", "is in the past"))
    if spec.columns["capacity"] < event.seats_taken:
        message = f"{event.seats_taken} seats are already taken; capacity cannot be lower"
        problems.append(ImportProblem(spec.key, "capacity", message))


async def _apply(
    session: AsyncSession,
    spec: EventSpec,
    event: Event | None,
    organizer_ids: set[int] | None,
    now: datetime,
) -> ImportedEvent:
    if event is None:
        return await _create(session, spec, organizer_ids, now)
    changed = [name for name, value in spec.columns.items() if getattr(event, name) != value]
    for name in changed:
        if name not in SERVICE_MANAGED_FIELDS:
            setattr(event, name, spec.columns[name])
    changed += _sync_lists(event, spec, organizer_ids)
    if not changed:
        return ImportedEvent(spec.key, event.id, ImportOutcome.UNCHANGED, (), event.sequence)
    event.updated_at = now
    await _announce(session, event, spec.columns, changed, now)
    await session.flush()
    return ImportedEvent(spec.key, event.id, ImportOutcome.UPDATED, tuple(changed), event.sequence)


async def _create(
    session: AsyncSession, spec: EventSpec, organizer_ids: set[int] | None, now: datetime
) -> ImportedEvent:
    event = Event(
        import_key=spec.key,
        seats_taken=0,
        sequence=0,
        created_by=None,
        created_at=now,
        updated_at=now,
        **spec.columns,
    )
    session.add(event)
    changed = list(spec.columns)
    changed += _sync_lists(event, spec, organizer_ids)
    await session.flush()
    return ImportedEvent(spec.key, event.id, ImportOutcome.CREATED, tuple(changed), 0)


def _sync_lists(event: Event, spec: EventSpec, organizer_ids: set[int] | None) -> list[str]:
    changed = []
    if _sync_texts(event, spec.texts):
        changed.append("texts")
    if spec.questions is not None and _sync_questions(event, spec.questions):
        changed.append("questions")
    if organizer_ids is not None and _sync_organizers(event, organizer_ids):
        changed.append("co_organizers")
    return changed


async def _announce(
    session: AsyncSession,
    event: Event,
    columns: Mapping[str, Any],
    changed: Sequence[str],
    now: datetime,
) -> None:
    """Changes registrants must hear about go through the same service calls as the chat's:
    a new time or place is announced once (one SEQUENCE step) and moves their reminders, a
    larger capacity offers its seats to the waitlist."""
    changes = [change for change, fields in ANNOUNCED_FIELDS.items() if fields & set(changed)]
    if SCHEDULE_FIELDS.intersection(changed):
        await service.reschedule_event(
            session,
            event,
            starts_at=columns["starts_at"],
            ends_at=columns["ends_at"],
            now=now,
            changes=changes,
        )
    elif changes:
        await service.announce_change(session, event, changes, now=now)
    if "capacity" in changed:
        await service.change_capacity(session, event, columns["capacity"], now=now)
    if REMINDER_FIELDS.intersection(changed):
        await notices.refresh_reminders(session, event, now=now)


def _sync_texts(event: Event, texts: Mapping[str, tuple[str, str]]) -> bool:
    current = {text.language: text for text in event.texts}
    before = {language: (text.title, text.description) for language, text in current.items()}
    if before == dict(texts):
        return False
    for language, text in current.items():
        if language not in texts:
            event.texts.remove(text)
    for language, (title, description) in texts.items():
        if language in current:
            current[language].title = title
            current[language].description = description
        else:
            event.texts.append(EventText(language=language, title=title, description=description))
    return True


def _sync_questions(event: Event, questions: Sequence[QuestionSpec]) -> bool:
    """Questions keep their rows by position, so stored answers stay attached to them."""
    current = sorted(event.questions, key=lambda question: question.position)
    if [(question.kind, question.texts) for question in current] == [
        (question.kind, question.texts) for question in questions
    ]:
        return False
    for stale in current[len(questions) :]:
        event.questions.remove(stale)
    for position, spec in enumerate(questions):
        if position < len(current):
            current[position].kind = spec.kind
            current[position].texts = spec.texts
        else:
            event.questions.append(
                RegistrationQuestion(position=position, kind=spec.kind, texts=spec.texts)
            )
    return True


def _sync_organizers(event: Event, user_ids: set[int]) -> bool:
    current = {organizer.user_id: organizer for organizer in event.organizers}
    if set(current) == user_ids:
        return False
    for user_id, organizer in current.items():
        if user_id not in user_ids:
            event.organizers.remove(organizer)
    for user_id in sorted(user_ids - set(current)):
        event.organizers.append(EventOrganizer(user_id=user_id))
    return True


async def import_file(database_url: str, path: Path, *, now: datetime) -> ImportResult:
    """Read ``path`` and import it, committing only when every event in it is valid."""
    try:
        document = load_document(path)
    except ImportFileError as error:
        return ImportResult(problems=[error.problem])
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            result = await import_events(session, document, now=now)
            if result.ok:
                await session.commit()
            return result
    finally:
        await engine.dispose()
