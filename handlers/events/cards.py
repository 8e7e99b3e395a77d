"""How an event and a registration read in the reader's language and the event's local time; shared
by browsing, registration, /my and the outbox notices. Never shows other people's names."""

from datetime import datetime
from html import escape

from telegram import InputFile, Update

from events.calendar import calendar_filename, event_calendar
from events.models import ACTIVE, Event, EventKind, EventStatus, Registration, RegistrationMode
from events.models import RegistrationStatus as Status
from events.service import Refusal, seats_left
from events.texts import event_text, event_title
from handlers.kit.city_choice import city_name
from handlers.kit.context import TidelineContext
from i18n import Translator, lazy
from i18n.fallback import shown_in_note

KIND_LABELS = {
    EventKind.ROUNDTABLE: lazy("Roundtable"),
    EventKind.CLEANUP: lazy("Cleanup"),
}

REFUSALS = {
    Refusal.NOT_FOUND: lazy("I can't find that event: it may have been removed."),
    Refusal.NOT_OPEN: lazy("This event is not open for registration yet."),
    Refusal.CANCELLED: lazy("This event has been cancelled."),
    Refusal.STARTED: lazy("This event has already started or finished."),
    Refusal.DEADLINE_PASSED: lazy("Registration for this event has closed."),
    Refusal.WRONG_CODE: lazy("That invite code is not right. Please check it and try again."),
    Refusal.NOT_ALLOWED: lazy("Only the organizers of this event can do that."),
    Refusal.NOT_REGISTERED: lazy("You are not registered for this event."),
    Refusal.CANCELLATION_CLOSED: lazy(
        "The cancellation deadline has passed. Please contact the organizers."
    ),
    Refusal.OFFER_EXPIRED: lazy("This seat offer has expired or was withdrawn."),
    Refusal.NOT_CONFIRMED: lazy("This registration is not confirmed, so it cannot be checked in."),
    Refusal.OUTSIDE_WINDOW: lazy("Check-in is only possible while the event is on."),
    Refusal.TOO_FAR: lazy("You seem to be too far from the venue to check in."),
    Refusal.NO_SELF_CHECKIN: lazy(
        "This event has no self check-in: show your code to an organizer."
    ),
    Refusal.ALREADY_DECIDED: lazy("This request has already been decided."),
}


def refusal_text(t: Translator, refusal: Refusal) -> str:
    return t._(REFUSALS[refusal])


def title_of(t: Translator, event: Event) -> str:
    return event_title(event, t.language)


def seats_line(t: Translator, event: Event) -> str:
    left = seats_left(event)
    if left == 0:
        return t._("Full: you can join the waitlist.")
    return t.ngettext("{count} seat left", "{count} seats left", left).format(count=t.number(left))


def status_line(
    t: Translator, registration: Registration, event: Event, *, place: int | None = None
) -> str:
    """ "Pending approval" and "on the waitlist" are different things and always read so;
    ``place`` is the person's place on the waitlist (events.service.waitlist_place)."""
    status = registration.status
    if status == Status.CONFIRMED and registration.attended_at is not None:
        return t._("✅ You attended.")
    if status == Status.CONFIRMED:
        return t._("✅ You are registered.")
    if status == Status.PENDING:
        return t._("⏳ Pending approval: an organizer will decide and I will tell you.")
    if status == Status.WAITLISTED and place is not None:
        return t._(
            "🕒 On the waitlist, place {place}: I will offer you a seat if one frees up."
        ).format(place=t.number(place))
    if status == Status.WAITLISTED:
        return t._("🕒 On the waitlist: I will offer you a seat if one frees up.")
    if status == Status.OFFERED and registration.offer_expires_at is not None:
        return t._("🎟 A seat is held for you until {moment}. Accept it to confirm.").format(
            moment=t.moment_with_zone(registration.offer_expires_at, event.timezone)
        )
    if status == Status.REJECTED:
        return t._("Your request was not approved.")
    return t._("Your registration is cancelled.")


def event_card(
    t: Translator,
    event: Event,
    *,
    registration: Registration | None = None,
    place: int | None = None,
) -> str:
    picked = event_text(event, t.language)
    text = picked.text
    lines = [f"<b>{escape(text.title)}</b>", f"<i>{t._(KIND_LABELS[event.kind])}</i>"]
    note = shown_in_note(t, picked)
    if note:
        lines.append(escape(note))
    if text.description:
        lines += ["", escape(text.description)]
    lines += [
        "",
        "🗓 " + t.span(event.starts_at, event.ends_at, event.timezone),
        "📍 " + escape(f"{event.venue_name}, {event.address}"),
        "🌏 "
        + escape(
            f"{city_name(t, event.city, event.city_geoname_id)}, {t.country_name(event.country)}"
        ),
    ]
    if event.status == EventStatus.CANCELLED:
        lines += ["", t._("❌ This event has been cancelled.")]
        return "\n".join(lines)
    registered = registration is not None and registration.status in ACTIVE
    if not registered:
        # Seats matter to people deciding whether to register, not to those who have.
        lines.append("👥 " + seats_line(t, event))
    if event.registration_mode == RegistrationMode.APPROVAL:
        lines.append(t._("Registrations are approved by the organizers."))
    elif event.registration_mode == RegistrationMode.INVITE_CODE:
        lines.append(t._("Registration needs an invite code."))
    if event.registration_deadline is not None:
        lines.append(
            t._("Register by {moment}.").format(
                moment=t.moment(event.registration_deadline, event.timezone)
            )
        )
    if registration is not None and registration.status != Status.DRAFT:
        lines += ["", status_line(t, registration, event, place=place)]
    return "\n".join(lines)


def calendar_file(
    t: Translator,
    event: Event,
    registration: Registration,
    *,
    now: datetime,
    withdrawn: bool = False,
) -> tuple[str, bytes]:
    """The .ics for one reader; ``withdrawn`` removes it from their calendar (they cancelled)."""
    text = event_text(event, t.language).text
    content = event_calendar(
        event,
        registration,
        title=text.title,
        description=text.description,
        organizer_name="Tideline",
        cancelled=True if withdrawn else None,
        now=now,
    )
    return calendar_filename(event.id), content


async def send_calendar_file(
    update: Update,
    context: TidelineContext,
    event: Event,
    registration: Registration,
    *,
    withdrawn: bool = False,
    caption: str | None = None,
) -> None:
    name, content = calendar_file(
        context.t, event, registration, now=context.now(), withdrawn=withdrawn
    )
    chat = update.effective_chat
    assert chat is not None
    await context.send(
        lambda: chat.send_document(InputFile(content, filename=name), caption=caption)
    )
