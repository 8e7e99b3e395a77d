"""Prompts, keyboards, answer parsing and texts of the organizer tools (handlers/organize.py),
and the organizer's notes: the wizard's answers so far and what an edit step is about, kept in
the database so a restart between two messages loses nothing."""

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from accounts.gazetteer import has_letters
from accounts.geography import COUNTRY_CODES
from accounts.models import User
from db.conversations import save_state
from db.models import ConversationState
from events import rules
from events.models import (
    CheckInMethod,
    Event,
    EventKind,
    EventStatus,
    RegistrationMode,
    RegistrationStatus,
)

# Re-exported for the conversation, which names titles through this module.
from events.texts import event_text
from events.texts import event_title as event_title
from handlers.kit.context import TidelineContext
from handlers.kit.keyboards import Keyboard, rows
from handlers.kit.profile_fields import STAKEHOLDER_LABELS
from handlers.kit.reprompts import no_letters
from i18n import LANGUAGES, Translator, lazy
from i18n.input_problems import ambiguous_number, date_problem
from i18n.numbers import NumberProblem, UnreadableNumber, read_decimal
from i18n.typed_dates import DateProblem, UnreadableDate, read_clock, read_date_and_clock

DATETIME_FORMAT = "%Y-%m-%d %H:%M"

KIND_LABELS: dict[EventKind, str] = {
    EventKind.ROUNDTABLE: lazy("Roundtable"),
    EventKind.CLEANUP: lazy("Cleanup"),
}
EVENT_STATUS_LABELS: dict[EventStatus, str] = {
    EventStatus.DRAFT: lazy("Draft"),
    EventStatus.PUBLISHED: lazy("Published"),
    EventStatus.CANCELLED: lazy("Cancelled"),
    EventStatus.COMPLETED: lazy("Completed"),
}
MODE_LABELS: dict[RegistrationMode, str] = {
    RegistrationMode.OPEN: lazy("Anyone can register"),
    RegistrationMode.APPROVAL: lazy("I approve each person"),
    RegistrationMode.INVITE_CODE: lazy("With an invite code"),
}
# How the card and the summary describe the registration mode.
MODE_SUMMARY_LABELS: dict[RegistrationMode, str] = {
    RegistrationMode.OPEN: lazy("open to everyone"),
    RegistrationMode.APPROVAL: lazy("each person needs your approval"),
    RegistrationMode.INVITE_CODE: lazy("with an invite code"),
}
# "Pending approval" and "on the waitlist" are different situations and never share words.
REGISTRATION_STATUS_LABELS: dict[RegistrationStatus, str] = {
    RegistrationStatus.CONFIRMED: lazy("confirmed"),
    RegistrationStatus.PENDING: lazy("pending approval"),
    RegistrationStatus.WAITLISTED: lazy("on the waitlist"),
    RegistrationStatus.OFFERED: lazy("seat offered"),
    RegistrationStatus.CANCELLED: lazy("cancelled"),
    RegistrationStatus.REJECTED: lazy("not approved"),
}
CHECKIN_METHOD_LABELS: dict[CheckInMethod, str] = {
    CheckInMethod.QR: lazy("QR code"),
    CheckInMethod.LIST: lazy("Ticked off by an organizer"),
    CheckInMethod.LOCATION: lazy("Shared location"),
}
EXPORT_HEADERS: dict[str, str] = {
    "number": lazy("No."),
    "name": lazy("Name"),
    "username": lazy("Username"),
    "telegram_id": lazy("Telegram ID"),
    "organization": lazy("Organization"),
    "stakeholder_role": lazy("Role"),
    "country": lazy("Country"),
    "city": lazy("City"),
    "status": lazy("Status"),
    "waitlist_position": lazy("Place on the waitlist"),
    "registered_at": lazy("Registered at"),
    "attended_at": lazy("Attended at"),
    "checkin_method": lazy("Check-in method"),
    "partner_sharing": lazy("May be shared with partners"),
    "partner_sharing.yes": lazy("Yes"),
    "sheet_title": lazy("Participants"),
}


# ---- the organizer's notes ------------------------------------------------------------------

NOTES = "organize.notes"
# The wizard's answers before the draft event exists, in the order they are asked; a typed city
# that names places of the gazetteer waits in city_typed until one (or the name) is chosen.
WIZARD_FIELDS = (
    "kind",
    "title",
    "description",
    "venue_name",
    "address",
    "location",
    "country",
    "city_typed",
    "city",
    "city_geoname_id",
    "timezone",
    "starts_at",
    "ends_at",
    "capacity",
    "registration_mode",
    "invite_code",
)


def notes_key(update: Update) -> str:
    """The same key the conversation's own state has, so /deleteme forgets the notes too."""
    assert update.effective_chat is not None and update.effective_user is not None
    return json.dumps([update.effective_chat.id, update.effective_user.id])


async def load_notes(session: AsyncSession, key: str) -> dict[str, Any]:
    row = await session.get(ConversationState, (NOTES, key))
    return dict(json.loads(row.state)) if row is not None else {}


async def save_notes(session: AsyncSession, key: str, notes: Mapping[str, Any]) -> None:
    await save_state(session, NOTES, key, json.dumps(dict(notes)) if notes else None)


def wizard_answers(notes: Mapping[str, Any]) -> dict[str, Any]:
    return {name: notes[name] for name in WIZARD_FIELDS if name in notes}


# ---- parsing typed answers ------------------------------------------------------------------


class Invalid(ValueError):
    """A typed answer that cannot be used; ``message`` is already in the reader's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _too_long(t: Translator, limit: int) -> Invalid:
    return Invalid(
        t.ngettext(
            "That is too long: please keep it under {count} character.",
            "That is too long: please keep it under {count} characters.",
            limit,
        ).format(count=t.number(limit))
    )


def parse_line(t: Translator, text: str, limit: int) -> str:
    """One line of text: whitespace collapsed, not empty, at most ``limit`` characters."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise Invalid(t._("Please type it as text."))
    if len(cleaned) > limit:
        raise _too_long(t, limit)
    return cleaned


def parse_city(t: Translator, text: str) -> str:
    cleaned = parse_line(t, text, rules.CITY_MAX_LENGTH)
    if not has_letters(cleaned):
        raise Invalid(no_letters(t))
    return cleaned


def parse_description(t: Translator, text: str) -> str:
    """Free text that keeps its line breaks."""
    cleaned = "\n".join(line.rstrip() for line in text.strip().splitlines())
    if not cleaned:
        raise Invalid(t._("Please type it as text."))
    if len(cleaned) > rules.DESCRIPTION_MAX_LENGTH:
        raise _too_long(t, rules.DESCRIPTION_MAX_LENGTH)
    return cleaned


_COORDINATES = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


def parse_coordinates(t: Translator, text: str) -> tuple[float, float]:
    match = _COORDINATES.match(text)
    if match:
        latitude, longitude = float(match.group(1)), float(match.group(2))
        if (
            rules.LATITUDE_MIN <= latitude <= rules.LATITUDE_MAX
            and rules.LONGITUDE_MIN <= longitude <= rules.LONGITUDE_MAX
        ):
            return latitude, longitude
    raise Invalid(
        t._(
            "I could not read those coordinates. Type them as latitude, longitude – for "
            "example 13.7563, 100.5018 – or share a location pin."
        )
    )


def parse_whole_number(t: Translator, text: str, low: int, high: int) -> int:
    def usable(value: Decimal) -> bool:
        return value == value.to_integral_value() and low <= value <= high

    try:
        value = read_decimal(text, t.locale, usable)
    except UnreadableNumber as problem:
        if problem.problem == NumberProblem.AMBIGUOUS:
            raise Invalid(ambiguous_number(t, problem)) from None
    else:
        if usable(value):
            return int(value)
    raise Invalid(
        t._("Please type a whole number from {low} to {high}.").format(
            low=t.number(low), high=t.number(high)
        )
    )


def example_start(now: datetime, zone: str) -> str:
    """A plausible answer to show: a week from now at nine in the morning, local time."""
    local = now.astimezone(ZoneInfo(zone)) + timedelta(days=7)
    return datetime.combine(local.date(), time(9, 0)).strftime(DATETIME_FORMAT)


def _as_utc(local: datetime, zone: str) -> datetime:
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def parse_start(t: Translator, text: str, zone: str, now: datetime) -> datetime:
    """A local date and time in ``zone`` that lies in the future, as UTC."""
    try:
        local = read_date_and_clock(text, now.astimezone(ZoneInfo(zone)).date())
    except UnreadableDate as problem:
        unreadable = t._(
            "I could not read that. Please type the date and time as YYYY-MM-DD HH:MM, "
            "for example {example}."
        ).format(example=example_start(now, zone))
        raise Invalid(date_problem(t, problem, unreadable)) from None
    moment = _as_utc(local, zone)
    if moment <= now:
        raise Invalid(t._("That time has already passed. Please type a time in the future."))
    return moment


def _read_end(t: Translator, text: str, zone: str, start: datetime) -> datetime:
    """A full local date and time, or a time of day on the start's local day."""
    start_day = start.astimezone(ZoneInfo(zone)).date()
    unreadable = t._(
        "I could not read that. Please type the time as HH:MM, or the date and "
        "time as YYYY-MM-DD HH:MM."
    )
    try:
        return _as_utc(read_date_and_clock(text, start_day), zone)
    except UnreadableDate as problem:
        if problem.problem != DateProblem.UNREADABLE:
            raise Invalid(date_problem(t, problem, unreadable)) from None
    try:
        return _as_utc(datetime.combine(start_day, read_clock(text)), zone)
    except UnreadableDate as problem:
        raise Invalid(date_problem(t, problem, unreadable)) from None


def parse_end(t: Translator, text: str, zone: str, start: datetime) -> datetime:
    """The end: a time of day on the start's day, or a full local date and time."""
    moment = _read_end(t, text, zone, start)
    if moment <= start:
        raise Invalid(
            t._("The end must be after the start ({start}). Please type the end again.").format(
                start=t.moment(start, zone)
            )
        )
    return moment


def parse_deadline(t: Translator, text: str, event: Event, now: datetime) -> datetime:
    """A local date and time in the event's zone, in the future and before the start."""
    moment = parse_start(t, text, event.timezone, now)
    if moment > event.starts_at:
        raise Invalid(
            t._(
                "The deadline must be before the event starts ({start}). Please type it again."
            ).format(start=t.moment(event.starts_at, event.timezone))
        )
    return moment


def parse_choices(t: Translator, text: str, expected: int | None = None) -> list[str]:
    choices = [" ".join(line.split()) for line in text.splitlines()]
    choices = [choice for choice in choices if choice]
    if expected is not None and len(choices) != expected:
        raise Invalid(
            t.ngettext(
                "Please type exactly {count} choice, one per line, in the same order.",
                "Please type exactly {count} choices, one per line, in the same order.",
                expected,
            ).format(count=t.number(expected))
        )
    if not rules.CHOICES_MIN <= len(choices) <= rules.CHOICES_MAX:
        raise Invalid(
            t._("Please type from {low} to {high} choices, one per line.").format(
                low=t.number(rules.CHOICES_MIN), high=t.number(rules.CHOICES_MAX)
            )
        )
    if any(len(choice) > rules.CHOICE_MAX_LENGTH for choice in choices):
        raise _too_long(t, rules.CHOICE_MAX_LENGTH)
    if len(set(choices)) != len(choices):
        raise Invalid(t._("Each choice must be different. Please type them again."))
    return choices


# ---- keyboards ------------------------------------------------------------------------------


def country_keyboard(context: TidelineContext, action: str) -> Keyboard:
    t = context.t
    named = sorted((t.country_name(code), code) for code in COUNTRY_CODES)
    return rows([context.button(name, action, code) for name, code in named], 2)


def language_keyboard(
    context: TidelineContext, action: str, written: Sequence[str], skip: str
) -> Keyboard:
    """Languages to add, those already written marked; ``skip`` names the language left out."""
    buttons = [
        context.button(("✓ " if code in written else "") + language.native_name, action, code)
        for code, language in LANGUAGES.items()
        if code != skip
    ]
    return rows(buttons, 2)


def paging_row(
    context: TidelineContext, page: int, pages: int, action: str, *args: object
) -> list[Any]:
    t = context.t
    row = []
    if page > 0:
        row.append(context.button(t._("‹ Previous"), action, *args, page - 1))
    if page + 1 < pages:
        row.append(context.button(t._("Next ›"), action, *args, page + 1))
    return row


# ---- texts ----------------------------------------------------------------------------------


def person_name(user: User) -> str:
    if user.erased_at is not None or user.telegram_id is None:
        return "–"
    name = user.first_name or str(user.telegram_id)
    return f"{name} (@{user.username})" if user.username else name


def event_details(t: Translator, event: Event) -> list[str]:
    """Escaped lines describing the event, for the summary and the management card."""
    text = event_text(event, t.language).text
    kind, status = t._(KIND_LABELS[event.kind]), t._(EVENT_STATUS_LABELS[event.status])
    lines = [
        f"<b>{escape(text.title)}</b>",
        escape(f"{kind} · {status}"),
        "🗓 " + escape(t.span(event.starts_at, event.ends_at, event.timezone)),
        "📍 "
        + escape(
            f"{event.venue_name}, {event.address}, {event.city}, {t.country_name(event.country)}"
        ),
        t._("Seats taken: {taken} of {capacity}").format(
            taken=t.number(event.seats_taken), capacity=t.number(event.capacity)
        ),
        t._("Registration: {mode}").format(mode=escape(t._(MODE_LABELS[event.registration_mode]))),
    ]
    if event.registration_mode == RegistrationMode.INVITE_CODE and event.invite_code:
        lines.append(
            t._("Invite code: {code}").format(code=f"<code>{escape(event.invite_code)}</code>")
        )
    return lines


def draft_details(t: Translator, event: Event, co_organizers: Sequence[User]) -> list[str]:
    """What the summary shows beyond the card: everything the options change."""
    zone = event.timezone
    written = t.language_list(text.language for text in event.texts)
    none = t._("none")
    lines = [
        t._("Languages: {languages}").format(languages=escape(written)),
        t.ngettext(
            "{count} registration question", "{count} registration questions", len(event.questions)
        ).format(count=t.number(len(event.questions))),
        t._("Registration deadline: {deadline}").format(
            deadline=escape(
                t.moment(event.registration_deadline, zone) if event.registration_deadline else none
            )
        ),
        t._("Cancellation deadline: {deadline}").format(
            deadline=escape(
                t.moment(event.cancellation_deadline, zone) if event.cancellation_deadline else none
            )
        ),
        t._("Self check-in radius: {radius}").format(
            radius=t.ngettext(
                "{count} metre", "{count} metres", event.self_checkin_radius_m
            ).format(count=t.number(event.self_checkin_radius_m))
            if event.self_checkin_radius_m
            else t._("off")
        ),
        t.ngettext(
            "Reminder: {count} minute before the start",
            "Reminder: {count} minutes before the start",
            event.reminder_minutes_before,
        ).format(count=t.number(event.reminder_minutes_before)),
    ]
    if co_organizers:
        names = ", ".join(person_name(person) for person in co_organizers)
        lines.append(t._("Co-organizers: {names}").format(names=escape(names)))
    return lines


def counts_lines(
    t: Translator, counts: Mapping[RegistrationStatus, int], attended: int
) -> list[str]:
    shown = (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.PENDING,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.OFFERED,
    )
    parts = [
        f"{t._(REGISTRATION_STATUS_LABELS[status])}: {t.number(counts.get(status, 0))}"
        for status in shown
    ]
    parts.append(t._("attended: {count}").format(count=t.number(attended)))
    return [escape(" · ".join(parts))]


def export_labels(t: Translator) -> dict[str, str]:
    labels = {key: t._(label) for key, label in EXPORT_HEADERS.items()}
    for status, label in REGISTRATION_STATUS_LABELS.items():
        labels[f"status.{status.value}"] = t._(label)
    for method, label in CHECKIN_METHOD_LABELS.items():
        labels[f"checkin_method.{method.value}"] = t._(label)
    for role, label in STAKEHOLDER_LABELS.items():
        labels[f"stakeholder_role.{role.value}"] = t._(label)
    return labels
