"""How the outbox kinds of events (events.notices.Kind) read when they are sent: in the recipient's
language at send time, with the event's current details.

Cut-offs — a send that fell due while the bot was down, or that events overtook, is skipped with
the reason recorded on its outbox row:

* ``event.day_before`` and ``event.same_day``: the event has started, was cancelled, or the
  registration is no longer confirmed.
* ``event.seat_offer``: the offer was accepted, declined or has expired.
* ``event.approval_request``: the request was already decided.
* ``event.changed``: a later change superseded it, or the person is no longer registered.
* ``event.impact``: the person erased their data or no data card exists any more.
* ``event.checked_in``: the attendance was undone meanwhile.
* ``event.logistics``: the event was cancelled or is over, or the person is no longer among
  those the organizer wrote to.
* ``event.decision``, ``event.offer_expired``, ``event.cancelled``: none; they stay true.
"""

from html import escape

from telegram import InlineKeyboardMarkup

from accounts.models import User
from events.checkin_code import checkin_qr_png
from events.export import answer_text
from events.logistics import AUDIENCE_STATUSES, Audience
from events.models import ACTIVE, Event, EventStatus, Registration
from events.models import RegistrationStatus as Status
from events.notices import Change, Kind, days_until
from events.texts import question_text
from handlers.events import actions
from handlers.events.cards import calendar_file, status_line, title_of
from handlers.events.checkin import CHECKIN_LINK, checkin_caption, self_checkin_hint
from handlers.kit import actions as shared
from handlers.runtime.sender import (
    Outgoing,
    PhotoSpec,
    Renderer,
    RenderRequest,
    SkipSend,
    VenueSpec,
)


async def _load(request: RenderRequest) -> tuple[Registration, Event]:
    registration = await request.session.get(Registration, request.payload["registration_id"])
    if registration is None:
        raise SkipSend("registration no longer exists")
    event = await request.session.get(Event, registration.event_id)
    if event is None:
        raise SkipSend("event no longer exists")
    return registration, event


def _venue(request: RenderRequest, event: Event) -> VenueSpec:
    return VenueSpec(
        latitude=event.latitude,
        longitude=event.longitude,
        title=title_of(request.t, event)[:100],
        address=f"{event.venue_name}, {event.address}"[:200],
    )


def _when_where(request: RenderRequest, event: Event) -> str:
    t = request.t
    return (
        f"🗓 {t.span(event.starts_at, event.ends_at, event.timezone)}\n"
        f"📍 {escape(event.venue_name)}, {escape(event.address)}"
    )


def _title(request: RenderRequest, event: Event) -> str:
    return escape(title_of(request.t, event))


def _upcoming_and_confirmed(
    request: RenderRequest, registration: Registration, event: Event
) -> None:
    if event.status == EventStatus.CANCELLED:
        raise SkipSend("event cancelled")
    if request.now >= event.starts_at:
        raise SkipSend("event already started")
    if registration.status != Status.CONFIRMED:
        raise SkipSend("registration no longer confirmed")


def _day_before_heading(request: RenderRequest, event: Event) -> str:
    """ "Tomorrow" only when it is: a reminder sent late on the event's own day says "Today",
    one sent two days ahead (a clock change in between) names the date; days on the event's
    calendar, counted at the moment it is sent."""
    t = request.t
    title = _title(request, event)
    days = days_until(event, request.now)
    if days <= 0:
        return t._("Today: <b>{title}</b>").format(title=title)
    if days == 1:
        return t._("Tomorrow: <b>{title}</b>").format(title=title)
    return t._("On {date}: <b>{title}</b>").format(
        date=t.date(event.starts_at, event.timezone), title=title
    )


async def render_day_before(request: RenderRequest) -> Outgoing:
    registration, event = await _load(request)
    _upcoming_and_confirmed(request, registration, event)
    t = request.t
    text = (
        _day_before_heading(request, event)
        + f"\n{_when_where(request, event)}\n\n"
        + t._("Are you still coming? If not, your seat can go to someone waiting.")
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                request.button(t._("Yes, I'm coming"), actions.STILL_COMING, registration.id),
                request.button(t._("I can't come"), actions.CANNOT_COME, registration.id),
            ]
        ]
    )
    return Outgoing(text=text, keyboard=keyboard)


async def render_same_day(request: RenderRequest) -> Outgoing:
    """The reminder on the day carries the check-in code itself: on a beach nobody wants to
    dig through /my for it."""
    registration, event = await _load(request)
    _upcoming_and_confirmed(request, registration, event)
    t = request.t
    text = (
        t._("Soon: <b>{title}</b>").format(title=_title(request, event))
        + f"\n{_when_where(request, event)}\n\n"
        + t._("Show the check-in code below to an organizer at the venue. See you there!")
    )
    if event.self_checkin_radius_m:
        text += "\n\n" + self_checkin_hint(t, event, request.user)
    link = CHECKIN_LINK.url(request.bot_username, registration.checkin_token)
    return Outgoing(
        text=text,
        venue=_venue(request, event),
        photo=PhotoSpec("check-in.png", checkin_qr_png(link), checkin_caption(t, event)),
        document=calendar_file(t, event, registration, now=request.now),
    )


async def render_checked_in(request: RenderRequest) -> Outgoing:
    registration, event = await _load(request)
    if registration.attended_at is None:
        raise SkipSend("attendance was undone")
    return Outgoing(
        text=request.t._("✅ You are checked in to <b>{title}</b>. Welcome!").format(
            title=_title(request, event)
        )
    )


async def render_seat_offer(request: RenderRequest) -> Outgoing:
    registration, event = await _load(request)
    expires = registration.offer_expires_at
    if registration.status != Status.OFFERED or expires is None or request.now >= expires:
        raise SkipSend("seat offer no longer open")
    t = request.t
    text = t._("A seat has freed up for <b>{title}</b>! It is held for you until {moment}.").format(
        title=_title(request, event), moment=t.moment_with_zone(expires, event.timezone)
    )
    text += f"\n{_when_where(request, event)}"
    keyboard = InlineKeyboardMarkup(
        [
            [
                request.button(t._("Accept the seat"), actions.ACCEPT_OFFER, registration.id),
                request.button(t._("Decline"), actions.DECLINE_OFFER, registration.id),
            ]
        ]
    )
    return Outgoing(text=text, keyboard=keyboard)


async def render_offer_expired(request: RenderRequest) -> Outgoing:
    _, event = await _load(request)
    return Outgoing(
        text=request.t._(
            "Your seat offer for <b>{title}</b> has expired. You can register again from the "
            "event; you join the end of the waitlist if it is still full."
        ).format(title=_title(request, event))
    )


async def render_decision(request: RenderRequest) -> Outgoing:
    registration, event = await _load(request)
    t = request.t
    outcome = Status(request.payload["outcome"])
    title = _title(request, event)
    if outcome == Status.CONFIRMED:
        return Outgoing(
            text=t._("Your request for <b>{title}</b> was approved: you are registered.").format(
                title=title
            ),
            document=calendar_file(t, event, registration, now=request.now),
        )
    if outcome == Status.WAITLISTED:
        return Outgoing(
            text=t._(
                "Your request for <b>{title}</b> was approved, but the event is full: you are "
                "on the waitlist and I will offer you a seat if one frees up."
            ).format(title=title)
        )
    text = t._("Sorry, your request for <b>{title}</b> was not approved.").format(title=title)
    reason = request.payload.get("reason")
    if reason:
        text += "\n\n" + t._("The organizers wrote: {reason}").format(reason=escape(str(reason)))
    return Outgoing(text=text)


async def render_approval_request(request: RenderRequest) -> Outgoing:
    registration, event = await _load(request)
    if registration.status != Status.PENDING:
        raise SkipSend("request already decided")
    person = await request.session.get(User, registration.user_id)
    if person is None or person.erased_at is not None:
        raise SkipSend("person erased their data")
    t = request.t
    lines = [
        t._("<b>{name}</b> asks to join <b>{title}</b>.").format(
            name=escape(person.first_name or str(person.telegram_id)),
            title=_title(request, event),
        )
    ]
    if person.organization:
        lines.append(escape(person.organization))
    for question in event.questions:
        value = (registration.answers or {}).get(str(question.id))
        if value:
            prompt = question_text(event, question, t.language).text.get("prompt")
            shown = answer_text(event, question, value, t.language)
            lines.append(f"<i>{escape(str(prompt))}</i> {escape(shown)}")
    keyboard = InlineKeyboardMarkup(
        [
            [
                request.button(t._("Approve"), shared.APPROVE, registration.id),
                request.button(t._("Reject"), shared.REJECT, registration.id),
            ]
        ]
    )
    return Outgoing(text="\n".join(lines), keyboard=keyboard)


def _what_changed(request: RenderRequest, event: Event, changes: list[Change]) -> list[str]:
    t = request.t
    lines = []
    if Change.TIME in changes:
        lines.append(
            t._("🗓 New date and time: {span}").format(
                span=t.span(event.starts_at, event.ends_at, event.timezone)
            )
        )
    if Change.VENUE in changes:
        lines.append(
            t._("📍 New venue: {venue}, {address}").format(
                venue=escape(event.venue_name), address=escape(event.address)
            )
        )
    if Change.CANCELLATION_DEADLINE in changes:
        deadline = event.cancellation_deadline
        lines.append(
            t._("↩️ You can now cancel until {moment}.").format(
                moment=t.moment_with_zone(deadline, event.timezone)
            )
            if deadline is not None
            else t._("↩️ You can now cancel at any time before the start.")
        )
    return lines


async def render_changed(request: RenderRequest) -> Outgoing:
    registration, event = await _load(request)
    if int(request.payload.get("sequence", 0)) < event.sequence:
        raise SkipSend("superseded by a later change")
    if registration.status not in ACTIVE or event.status == EventStatus.CANCELLED:
        raise SkipSend("no longer registered")
    t = request.t
    # Notices queued before they named their changes were about the time or the venue.
    changes = [Change(change) for change in request.payload.get("changes", ["time", "venue"])]
    moved = Change.TIME in changes or Change.VENUE in changes
    lines = [
        t._("<b>{title}</b> has changed:").format(title=_title(request, event)),
        *_what_changed(request, event, changes),
    ]
    if not moved:
        lines.append(_when_where(request, event))
    text = "\n".join(lines) + "\n\n" + status_line(t, registration, event)
    document = (
        calendar_file(t, event, registration, now=request.now)
        if moved and registration.status == Status.CONFIRMED
        else None
    )
    venue = _venue(request, event) if Change.VENUE in changes else None
    return Outgoing(text=text, venue=venue, document=document)


async def render_cancelled(request: RenderRequest) -> Outgoing:
    registration, event = await _load(request)
    t = request.t
    document = (
        calendar_file(t, event, registration, now=request.now, withdrawn=True)
        if registration.status == Status.CONFIRMED
        else None
    )
    return Outgoing(
        text=t._(
            "Sorry: <b>{title}</b> has been cancelled by the organizers. Your registration is "
            "no longer needed."
        ).format(title=_title(request, event)),
        document=document,
    )


async def render_logistics(request: RenderRequest) -> Outgoing:
    registration, event = await _load(request)
    if event.status == EventStatus.CANCELLED or request.now >= event.ends_at:
        raise SkipSend("event cancelled or over")
    if registration.status not in AUDIENCE_STATUSES[Audience(request.payload["audience"])]:
        raise SkipSend("no longer registered")
    heading = request.t._("✉️ From the organizers of <b>{title}</b>:").format(
        title=_title(request, event)
    )
    # The organizer's own text, formatting kept (Telegram's HTML of their message).
    return Outgoing(text=f"{heading}\n\n{request.payload['html']}")


RENDERERS: dict[str, Renderer] = {
    Kind.DAY_BEFORE: render_day_before,
    Kind.SAME_DAY: render_same_day,
    Kind.SEAT_OFFER: render_seat_offer,
    Kind.OFFER_EXPIRED: render_offer_expired,
    Kind.DECISION: render_decision,
    Kind.APPROVAL_REQUEST: render_approval_request,
    Kind.CHANGED: render_changed,
    Kind.CANCELLED: render_cancelled,
    Kind.CHECKED_IN: render_checked_in,
    Kind.LOGISTICS: render_logistics,
}
