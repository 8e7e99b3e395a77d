"""Check-in: an organizer scans a person's code (the ``ci_<token>`` deep link) and the bot records
attendance; or, where the event allows it, the person shares a live location near the venue."""

from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Location, Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from accounts.models import ConsentPurpose, User
from accounts.service import consents_of
from events import service
from events.models import Event, Registration
from events.models import RegistrationStatus as Status
from events.service import SELF_CHECKIN_EARLY, CheckIn, EventRefused, Refusal
from handlers.events.cards import refusal_text, title_of
from handlers.kit.context import TidelineContext, account_of, answer
from handlers.kit.deep_links import CHECKIN, DeepLink
from handlers.runtime.gates import LIVE_LOCATION
from i18n import Translator


def checkin_caption(t: Translator, event: Event) -> str:
    return t._(
        "Your check-in code for {title}. Show it to an organizer at the venue; "
        "it works only for organizers of this event."
    ).format(title=escape(title_of(t, event)))


def self_checkin_hint(t: Translator, event: Event, person: User) -> str:
    """How to check in without an organizer, at an event that allows it."""
    assert event.self_checkin_radius_m is not None
    minutes = int(SELF_CHECKIN_EARLY.total_seconds() // 60)
    hint = t.ngettext(
        "You can also check yourself in: from {minutes} minute before the start, share your "
        "<b>live</b> location within {radius} m of the venue.",
        "You can also check yourself in: from {minutes} minutes before the start, share your "
        "<b>live</b> location within {radius} m of the venue.",
        minutes,
    ).format(minutes=t.number(minutes), radius=t.number(event.self_checkin_radius_m))
    if not consents_of(person)[ConsentPurpose.PHOTOS_LOCATION]:
        hint += " " + t._("It needs your consent to “Photos and location”, given in /privacy.")
    return hint


async def scan_code(update: Update, context: TidelineContext, token: str | None) -> None:
    t = context.t
    session = await context.session()
    reader = await account_of(session, update)
    own = await service.registration_by_token(session, token) if token else None
    if own is not None and own.user_id == reader.id:
        await answer(
            update,
            context,
            t._("This is your own check-in code: show it to an organizer at the venue."),
        )
        return
    try:
        check_in = await service.check_in_by_token(
            session,
            token or "",
            organizer=reader,
            admin_ids=context.services.settings.ADMIN_IDS,
            now=context.now(),
        )
    except EventRefused as refused:
        await answer(update, context, _scan_refusal(context, refused.refusal))
        return
    name = escape(check_in.person.first_name or str(check_in.person.telegram_id))
    title = escape(title_of(t, check_in.event))
    attended_at = check_in.registration.attended_at
    assert attended_at is not None
    if check_in.recorded:
        text = t._("✅ {name} is checked in to <b>{title}</b>.")
    else:
        text = t._("{name} was already checked in to <b>{title}</b> at {moment}.")
    await answer(
        update,
        context,
        text.format(name=name, title=title, moment=t.moment(attended_at, check_in.event.timezone)),
    )


def _scan_refusal(context: TidelineContext, refusal: Refusal) -> str:
    if refusal in (Refusal.NOT_ALLOWED, Refusal.NOT_FOUND):
        # The same answer for unknown codes and other people's events: a code reveals nothing.
        return context.t._("This check-in code can only be used by the organizers of its event.")
    return refusal_text(context.t, refusal)


async def share_location(update: Update, context: TidelineContext) -> None:
    message = update.effective_message
    assert message is not None and message.location is not None
    t = context.t
    session = await context.session()
    reader = await account_of(session, update)
    candidates = [
        (registration, event)
        for registration, event in await service.registrations_of(
            session, reader, now=context.now()
        )
        if registration.status == Status.CONFIRMED and event.self_checkin_radius_m
    ]
    if not candidates:
        if update.edited_message is None:
            await answer(update, context, t._("I don't need a location from you right now."))
        return
    if not consents_of(reader)[ConsentPurpose.PHOTOS_LOCATION]:
        await answer(
            update,
            context,
            t._(
                "To check in with your location, first allow photos and location in "
                "/privacy, then share it again."
            ),
        )
        return
    if message.location.live_period is None:
        await answer(
            update,
            context,
            t._("Please share your <b>live</b> location to check in, not a pinned place."),
        )
        return
    outcome = await _first_check_in(session, candidates, message.location, context)
    if isinstance(outcome, Refusal):
        if update.edited_message is None:
            await answer(update, context, refusal_text(t, outcome))
        return
    if outcome.recorded:
        await answer(
            update,
            context,
            t._("✅ You are checked in to <b>{title}</b>. Welcome!").format(
                title=escape(title_of(t, outcome.event))
            ),
        )


async def _first_check_in(
    session: AsyncSession,
    candidates: list[tuple[Registration, Event]],
    location: Location,
    context: TidelineContext,
) -> CheckIn | Refusal:
    refusal: Refusal = Refusal.OUTSIDE_WINDOW
    for registration, _event in candidates:
        try:
            return await service.self_check_in(
                session,
                registration,
                latitude=location.latitude,
                longitude=location.longitude,
                now=context.now(),
            )
        except EventRefused as refused:
            refusal = refused.refusal
    return refusal


# Telegram's 64-character payload limit leaves 61 for the token.
CHECKIN_LINK = DeepLink(CHECKIN, r"[A-Za-z0-9_-]{1,61}", scan_code)


async def share_live_location(update: Update, context: TidelineContext) -> None:
    """Live locations are for check-in wherever the person is in a flow: no conversation sees
    them (nor answers each update of the live period with its question again)."""
    await share_location(update, context)
    raise ApplicationHandlerStop


def build_live_checkin() -> MessageHandler:
    """Runs before every conversation (handlers.app registers it in a group of its own)."""
    return MessageHandler(LIVE_LOCATION, share_live_location)


def build_self_checkin() -> MessageHandler:
    """A pinned place outside any flow: explains that check-in needs the live location."""
    return MessageHandler(filters.LOCATION, share_location)
