"""/organize and the new event wizard: its questions, buttons and typed answers, one step each,
until the wizard has everything an event needs and creates the draft."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from accounts.cities import Place, candidates, chosen_city, timezone_of
from accounts.gazetteer import gazetteer
from accounts.geography import zones_for
from accounts.service import Permission
from events import rules
from events.models import EventKind, RegistrationMode
from events.service import EventDraft, create_event
from handlers.kit import city_choice
from handlers.kit.callbacks import button_args
from handlers.kit.context import TidelineContext, answer, requires
from handlers.organize import steps
from handlers.organize.flow import (
    CITY_MATCH,
    COUNTRY,
    KIND,
    MODE,
    SKIP,
    ZONE,
    Awaiting,
    Next,
    Screen,
    Step,
    end_prompt,
    int_args,
    list_screen,
    location_prompt,
    retry,
    run,
    start_prompt,
    summary_screen,
)

# Which wizard answer each step gives.
FIELD_STEPS: dict[str, Awaiting] = {
    "kind": Awaiting.KIND,
    "title": Awaiting.TITLE,
    "description": Awaiting.DESCRIPTION,
    "venue_name": Awaiting.VENUE_NAME,
    "address": Awaiting.ADDRESS,
    "location": Awaiting.LOCATION,
    "country": Awaiting.COUNTRY,
    "city": Awaiting.CITY,
    "timezone": Awaiting.TIMEZONE,
    "starts_at": Awaiting.START,
    "ends_at": Awaiting.END,
    "capacity": Awaiting.CAPACITY,
    "registration_mode": Awaiting.REGISTRATION_MODE,
    "invite_code": Awaiting.INVITE_CODE,
}


def _zone_of(step: Step) -> str:
    return str(step.notes.get("timezone") or step.context.services.settings.DEFAULT_TIMEZONE)


def _wizard_prompt(step: Step, state: Awaiting) -> Screen:
    """The question of one wizard step (answers so far are in the notes)."""
    context, t, notes = step.context, step.t, step.notes
    skip = [[context.button(t._("Skip"), SKIP)]]
    if state == Awaiting.KIND:
        keyboard = [
            [context.button(t._(label), KIND, kind.value)]
            for kind, label in steps.KIND_LABELS.items()
        ]
        return Screen(t._("<b>New event</b>\nWhat kind of event is it?"), keyboard, state)
    if state == Awaiting.TITLE:
        text = t._(
            "What is the event's title? Write it in {language}; you can add other languages "
            "before publishing."
        ).format(language=t.language_name(step.account.language))
        return Screen(text, None, state)
    if state == Awaiting.DESCRIPTION:
        text = t._("Describe the event in a few sentences (up to 2,000 characters), or skip this.")
        return Screen(text, skip, state)
    if state == Awaiting.VENUE_NAME:
        return Screen(t._("What is the venue called?"), None, state)
    if state == Awaiting.ADDRESS:
        return Screen(t._("What is the venue's address?"), None, state)
    if state == Awaiting.LOCATION:
        return Screen(location_prompt(t), None, state)
    if state == Awaiting.COUNTRY:
        return Screen(
            t._("Which country is it in?"), steps.country_keyboard(context, COUNTRY), state
        )
    if state == Awaiting.CITY:
        typed = notes.get("city_typed")
        cities = candidates(typed, notes.get("country")) if typed else []
        if cities:
            keyboard = city_choice.offer_keyboard(context, CITY_MATCH, cities)
            return Screen(city_choice.offer_prompt(t), keyboard, state)
        return Screen(t._("Which city or town is it in?"), None, state)
    if state == Awaiting.TIMEZONE:
        place = Place(notes.get("city", ""), notes.get("city_geoname_id"))
        derived = timezone_of(notes.get("country"), place, _zone_of(step))
        zones = sorted(zones_for(notes.get("country")), key=lambda zone: zone != derived)
        keyboard = [[context.button(t.zone_name(zone, step.now), ZONE, zone)] for zone in zones]
        return Screen(t._("Which time zone are the event's times in?"), keyboard, state)
    if state == Awaiting.START:
        return Screen(start_prompt(step, _zone_of(step)), None, state)
    if state == Awaiting.END:
        return Screen(end_prompt(t), None, state)
    if state == Awaiting.CAPACITY:
        text = t._("How many people can take part? Type a number from {low} to {high}.").format(
            low=t.number(rules.CAPACITY_MIN), high=t.number(rules.CAPACITY_MAX)
        )
        return Screen(text, None, state)
    if state == Awaiting.REGISTRATION_MODE:
        keyboard = [
            [context.button(t._(label), MODE, mode.value)]
            for mode, label in steps.MODE_LABELS.items()
        ]
        return Screen(t._("How do people register?"), keyboard, state)
    assert state == Awaiting.INVITE_CODE
    text = t._("Type the invite code people must enter to register (up to 64 characters).")
    return Screen(text, None, state)


def _next_wizard_step(notes: dict[str, Any]) -> Awaiting | None:
    for name, state in FIELD_STEPS.items():
        if name not in notes:
            return state
    return None


async def _advance_wizard(step: Step) -> Screen:
    """Asks the first question not answered yet, or creates the draft and shows its summary."""
    state = _next_wizard_step(step.notes)
    if state is not None:
        return _wizard_prompt(step, state)
    notes, account = step.notes, step.account
    latitude, longitude = notes["location"]
    draft = EventDraft(
        kind=EventKind(notes["kind"]),
        texts={account.language: (notes["title"], notes["description"])},
        fallback_language=account.language,
        venue_name=notes["venue_name"],
        address=notes["address"],
        latitude=latitude,
        longitude=longitude,
        country=notes["country"],
        city=notes["city"],
        city_geoname_id=notes.get("city_geoname_id"),
        timezone=notes["timezone"],
        starts_at=datetime.fromisoformat(notes["starts_at"]),
        ends_at=datetime.fromisoformat(notes["ends_at"]),
        capacity=notes["capacity"],
        registration_mode=RegistrationMode(notes["registration_mode"]),
        invite_code=notes["invite_code"],
    )
    event = await create_event(step.session, draft, creator=account, now=step.now, publish=False)
    step.notes = {}
    return await summary_screen(step, event)


@requires(Permission.ORGANIZE)
async def organize(update: Update, context: TidelineContext) -> Next:
    async def work(step: Step) -> Screen:
        return await list_screen(step, 0)

    await run(update, context, work, edit=False)
    return ConversationHandler.END


@requires(Permission.ORGANIZE)
async def show_list(update: Update, context: TidelineContext) -> Next:
    (page,) = int_args(update)

    async def work(step: Step) -> Screen:
        return await list_screen(step, page)

    return await run(update, context, work)


@requires(Permission.ORGANIZE)
async def new_event(update: Update, context: TidelineContext) -> Next:
    async def work(step: Step) -> Screen:
        step.notes = {}
        return _wizard_prompt(step, Awaiting.KIND)

    return await run(update, context, work)


@requires(Permission.ORGANIZE)
async def resume(update: Update, context: TidelineContext) -> Next:
    async def work(step: Step) -> Screen:
        step.notes = steps.wizard_answers(step.notes)
        return await _advance_wizard(step)

    return await run(update, context, work)


def wizard_button(name: str, value_of: Callable[[Step, str], Any]) -> Callable[..., Any]:
    """A wizard step answered with a button: store the value, ask the next question."""

    @requires(Permission.ORGANIZE)
    async def chosen(update: Update, context: TidelineContext) -> Next:
        (raw,) = button_args(update)

        async def work(step: Step) -> Screen:
            step.notes[name] = value_of(step, raw)
            if name == "registration_mode" and raw != RegistrationMode.INVITE_CODE:
                step.notes["invite_code"] = None
            return await _advance_wizard(step)

        return await run(update, context, work)

    return chosen


def _parse_wizard_text(step: Step, state: Awaiting, text: str) -> None:
    t, notes = step.t, step.notes
    if state == Awaiting.TITLE:
        notes["title"] = steps.parse_line(t, text, rules.TITLE_MAX_LENGTH)
    elif state == Awaiting.DESCRIPTION:
        notes["description"] = steps.parse_description(t, text)
    elif state == Awaiting.VENUE_NAME:
        notes["venue_name"] = steps.parse_line(t, text, rules.VENUE_NAME_MAX_LENGTH)
    elif state == Awaiting.ADDRESS:
        notes["address"] = steps.parse_line(t, text, rules.ADDRESS_MAX_LENGTH)
    elif state == Awaiting.LOCATION:
        notes["location"] = list(steps.parse_coordinates(t, text))
    elif state == Awaiting.CITY:
        typed = steps.parse_city(t, text)
        for name in ("city_typed", "city", "city_geoname_id"):
            notes.pop(name, None)
        # A name of places of the gazetteer waits for the organizer to choose (city_value).
        notes["city_typed" if candidates(typed, notes.get("country")) else "city"] = typed
        zones = zones_for(notes.get("country"))
        if len(zones) == 1:
            notes["timezone"] = zones[0]
        else:
            notes.pop("timezone", None)
    elif state == Awaiting.START:
        notes["starts_at"] = steps.parse_start(t, text, _zone_of(step), step.now).isoformat()
        notes.pop("ends_at", None)
    elif state == Awaiting.END:
        start = datetime.fromisoformat(notes["starts_at"])
        notes["ends_at"] = steps.parse_end(t, text, _zone_of(step), start).isoformat()
    elif state == Awaiting.CAPACITY:
        notes["capacity"] = steps.parse_whole_number(
            t, text, rules.CAPACITY_MIN, rules.CAPACITY_MAX
        )
    elif state == Awaiting.INVITE_CODE:
        notes["invite_code"] = steps.parse_line(t, text, rules.INVITE_CODE_MAX_LENGTH)


def wizard_text(state: Awaiting) -> Callable[..., Any]:
    @requires(Permission.ORGANIZE)
    async def typed(update: Update, context: TidelineContext) -> Next:
        message = update.effective_message
        assert message is not None and message.text is not None
        text = message.text

        async def work(step: Step) -> Screen:
            try:
                _parse_wizard_text(step, state, text)
            except steps.Invalid as problem:
                return retry(step, problem, _wizard_prompt(step, state))
            return await _advance_wizard(step)

        return await run(update, context, work, edit=False)

    return typed


@requires(Permission.ORGANIZE)
async def skip_description(update: Update, context: TidelineContext) -> Next:
    async def work(step: Step) -> Screen:
        step.notes["description"] = ""
        return await _advance_wizard(step)

    return await run(update, context, work)


@requires(Permission.ORGANIZE)
async def shared_location(update: Update, context: TidelineContext) -> Next:
    message = update.effective_message
    assert message is not None and message.location is not None
    location = message.location

    async def work(step: Step) -> Screen:
        step.notes["location"] = [location.latitude, location.longitude]
        return await _advance_wizard(step)

    return await run(update, context, work, edit=False)


async def expect_location(update: Update, context: TidelineContext) -> None:
    await answer(
        update,
        context,
        context.t._("Please share a location pin or type the coordinates, or send /cancel to stop.")
        + "\n\n"
        + location_prompt(context.t),
    )


def country_value(step: Step, raw: str) -> str:
    for name in ("city_typed", "city", "city_geoname_id", "timezone"):
        step.notes.pop(name, None)
    return raw


def city_value(step: Step, raw: str) -> str:
    """The city chosen for what was typed: a place of the gazetteer, named in the organizer's
    language, or the name as typed."""
    notes = step.notes
    typed = notes.pop("city_typed", None)
    geoname_id = city_choice.chosen_id([raw])
    city = chosen_city(geoname_id, notes.get("country")) if geoname_id is not None else None
    if city is not None:
        notes["city_geoname_id"] = city.geoname_id
        return gazetteer().display_name(city, step.account.language)
    if typed is None:
        # A button of an earlier offer, whose typed name was already taken.
        raise steps.Invalid(
            step.t._("Please use the buttons above to answer, or send /cancel to stop.")
        )
    return str(typed)


def zone_value(step: Step, raw: str) -> str:
    if raw not in zones_for(step.notes.get("country")):
        raise steps.Invalid(
            step.t._("Please use the buttons above to answer, or send /cancel to stop.")
        )
    return raw


def mode_value(step: Step, raw: str) -> str:
    return RegistrationMode(raw).value
