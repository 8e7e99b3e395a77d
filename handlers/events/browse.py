"""/events: upcoming published events near the reader, filtered by kind, country and city, paged
with buttons; an event card with its venue on the map; ``ev_<id>`` deep links open a card."""

from datetime import datetime
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from accounts.cities import Place
from accounts.geography import COUNTRY_CODES
from accounts.models import User
from accounts.service import place_of
from events import service
from events.models import ACTIVE, Event, EventKind, EventStatus, Registration
from handlers.events import actions
from handlers.events.cards import (
    KIND_LABELS,
    event_card,
    refusal_text,
    seats_line,
    status_line,
    title_of,
)
from handlers.kit.callbacks import action_pattern, button_args
from handlers.kit.city_choice import city_name
from handlers.kit.context import TidelineContext, account_of, answer
from handlers.kit.deep_links import EVENT, SET_UP_THEN_SHOW, DeepLink
from i18n import Translator
from i18n.shorten import shorten

PAGE_SIZE = 5
ANY = "-"
KIND_CODES = {"r": EventKind.ROUNDTABLE, "c": EventKind.CLEANUP}
PICK_COUNTRY = "ev.pick"
PICK_CITY = "ev.city"


# Where the list looks, carried in the buttons: any city, the reader's own, or the n-th city
# of those with upcoming events (city names themselves could overflow 64 bytes of callback data).
ANY_CITY = "0"
MY_CITY = "1"
CITY_PREFIX = "c"


async def _city(
    session: AsyncSession, place: str, country: str | None, reader: User, now: datetime
) -> Place | None:
    if place == MY_CITY:
        return place_of(reader)
    if place.startswith(CITY_PREFIX) and place[1:].isdigit():
        cities = await service.cities_with_events(session, country=country, now=now)
        index = int(place[1:])
        return cities[index] if index < len(cities) else None
    return None


async def list_events(update: Update, context: TidelineContext) -> None:
    page, kind, country, place = 0, ANY, ANY, ANY_CITY
    if update.callback_query is not None:
        page_text, kind, country, place = button_args(update)
        page = max(int(page_text), 0)
    t = context.t
    session = await context.session()
    reader = await account_of(session, update)
    known_country = country if country in COUNTRY_CODES else None
    city = await _city(session, place, known_country, reader, context.now())
    wanted = service.EventFilter(kind=KIND_CODES.get(kind), country=known_country, city=city)

    async def fetch(page: int) -> tuple[list[Event], int]:
        return await service.upcoming_events(
            session,
            reader=reader,
            filters=wanted,
            now=context.now(),
            offset=page * PAGE_SIZE,
            limit=PAGE_SIZE,
        )

    events, total = await fetch(page)
    if not events and total:
        # An old "Later" button past the last page: show the last page there is.
        page = (total - 1) // PAGE_SIZE
        events, total = await fetch(page)
    lines = [t._("<b>Upcoming events</b>")]
    if not events:
        lines.append(t._("No upcoming events match. Try another filter."))
    own = {
        registration.event_id: registration
        for registration, _ in await service.registrations_of(session, reader, now=context.now())
    }
    for number, event in enumerate(events, start=page * PAGE_SIZE + 1):
        registration = own.get(event.id)
        if registration is None:
            standing = "👥 " + seats_line(t, event)
        else:
            # Seats matter to people deciding whether to register, not to those who have.
            waiting = await service.waitlist_place(session, registration)
            standing = status_line(t, registration, event, place=waiting)
        lines.append(_list_line(context, number, event, standing))
    keyboard = [
        [context.button(f"{n}. {shorten(title_of(t, e), 40)}", actions.SHOW, e.id)]
        for n, e in enumerate(events, start=page * PAGE_SIZE + 1)
    ]
    keyboard += _navigation(context, page, total, kind, country, place, city)
    await answer(update, context, "\n".join(lines), keyboard, edit=True)


def _list_line(context: TidelineContext, number: int, event: Event, standing: str) -> str:
    t = context.t
    when = t.moment(event.starts_at, event.timezone)
    return (
        f"\n{number}. <b>{escape(title_of(t, event))}</b> · {t._(KIND_LABELS[event.kind])}\n"
        f"   🗓 {when} · 📍 {escape(city_name(t, event.city, event.city_geoname_id))}, "
        f"{t.country_name(event.country)}\n"
        f"   {standing}"
    )


def _city_label(t: Translator, city: Place) -> str:
    return city_name(t, city.name, city.geoname_id)


def _navigation(
    context: TidelineContext,
    page: int,
    total: int,
    kind: str,
    country: str,
    place: str,
    city: Place | None,
) -> list[list[InlineKeyboardButton]]:
    t = context.t

    def to(page: int, kind: str = kind, country: str = country, place: str = place) -> tuple:
        return (actions.LIST, page, kind, country, place)

    rows: list[list[InlineKeyboardButton]] = []
    paging = []
    if page > 0:
        paging.append(context.button(t._("◀ Earlier"), *to(page - 1)))
    if (page + 1) * PAGE_SIZE < total:
        paging.append(context.button(t._("Later ▶"), *to(page + 1)))
    if paging:
        rows.append(paging)

    def mark(label: str, chosen: bool) -> str:
        return f"• {label}" if chosen else label

    rows.append(
        [
            context.button(mark(t._("All"), kind == ANY), *to(0, kind=ANY)),
            context.button(mark(t._("Roundtables"), kind == "r"), *to(0, kind="r")),
            context.button(mark(t._("Cleanups"), kind == "c"), *to(0, kind="c")),
        ]
    )
    country_label = t.country_name(country) if country != ANY else t._("All countries")
    city_label = _city_label(t, city) if city else t._("All cities")
    rows.append(
        [
            context.button("🌏 " + country_label, PICK_COUNTRY, kind, ANY_CITY),
            context.button("🏙 " + city_label[:30], PICK_CITY, kind, country),
        ]
    )
    return rows


async def pick_country(update: Update, context: TidelineContext) -> None:
    kind, place = button_args(update)
    t = context.t
    session = await context.session()
    countries = await service.countries_with_events(session, now=context.now())
    keyboard = [[context.button(t._("All countries"), actions.LIST, 0, kind, ANY, place)]]
    keyboard += [
        [context.button(t.country_name(code), actions.LIST, 0, kind, code, place)]
        for code in countries
    ]
    await answer(update, context, t._("Which country?"), keyboard, edit=True)


async def pick_city(update: Update, context: TidelineContext) -> None:
    kind, country = button_args(update)
    t = context.t
    session = await context.session()
    reader = await account_of(session, update)
    cities = await service.cities_with_events(
        session, country=country if country in COUNTRY_CODES else None, now=context.now()
    )
    keyboard = [[context.button(t._("All cities"), actions.LIST, 0, kind, country, ANY_CITY)]]
    if reader.city:
        keyboard.append([context.button(t._("My city"), actions.LIST, 0, kind, country, MY_CITY)])
    keyboard += [
        [
            context.button(
                _city_label(t, city)[:40], actions.LIST, 0, kind, country, f"{CITY_PREFIX}{index}"
            )
        ]
        for index, city in enumerate(cities)
    ]
    await answer(update, context, t._("Which city?"), keyboard, edit=True)


async def show_event(update: Update, context: TidelineContext) -> None:
    (event_id,) = button_args(update)
    await send_event(update, context, int(event_id))


async def open_event_link(update: Update, context: TidelineContext, event_id: str | None) -> None:
    await send_event(update, context, int(event_id) if event_id else 0)


async def send_event(update: Update, context: TidelineContext, event_id: int) -> None:
    """The card: the venue as a map, then everything else with what the reader can do."""
    t = context.t
    session = await context.session()
    reader = await account_of(session, update)
    event = await service.find_event(session, event_id)
    visible = event is not None and event.status != EventStatus.DRAFT
    registration = await service.registration_of(session, event_id, reader) if visible else None
    if event is None or not visible:
        await answer(update, context, refusal_text(t, service.Refusal.NOT_FOUND))
        return
    place = await service.waitlist_place(session, registration) if registration else None
    chat = update.effective_chat
    assert chat is not None
    await context.answer_query(update)
    venue_title, address = title_of(t, event)[:100], f"{event.venue_name}, {event.address}"[:200]
    latitude, longitude = event.latitude, event.longitude
    await context.send(
        lambda: chat.send_venue(
            latitude=latitude, longitude=longitude, title=venue_title, address=address
        )
    )
    await answer(
        update,
        context,
        event_card(t, event, registration=registration, place=place),
        card_keyboard(context, event, registration),
    )


def card_keyboard(
    context: TidelineContext, event: Event, registration: Registration | None
) -> list[list[InlineKeyboardButton]]:
    t = context.t
    settled = registration is not None and registration.status in ACTIVE
    if settled:
        assert registration is not None
        rows = [[context.button(t._("My registration"), actions.MY_CARD, registration.id)]]
    elif service.refusal_to_register(event, now=context.now()) is None:
        rows = [[context.button(t._("Register"), actions.REGISTER, event.id)]]
    else:
        rows = []
    rows.append([context.button(t._("All events"), actions.LIST, 0, ANY, ANY, ANY_CITY)])
    return rows


EVENT_LINK = DeepLink(
    EVENT, r"\d{1,12}", open_event_link, before_setup=SET_UP_THEN_SHOW, remembered=True
)


def build_events_browse() -> list[BaseHandler]:
    return [
        CommandHandler("events", list_events),
        CallbackQueryHandler(list_events, pattern=action_pattern(actions.LIST)),
        CallbackQueryHandler(pick_country, pattern=action_pattern(PICK_COUNTRY)),
        CallbackQueryHandler(pick_city, pattern=action_pattern(PICK_CITY)),
        CallbackQueryHandler(show_event, pattern=action_pattern(actions.SHOW)),
    ]
