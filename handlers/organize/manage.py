"""Managing one event from its card: publish, cancel or discard, and edit the date and time,
the venue or the capacity."""

from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, Update
from telegram.ext import ConversationHandler

from accounts.service import Permission
from events import organizing, rules
from events.models import ACTIVE, Event, EventStatus
from events.service import (
    EventRefused,
    cancel_event,
    change_capacity,
    move_venue,
    publish_event,
    reschedule_event,
    status_counts,
)
from handlers.kit.callbacks import button_args
from handlers.kit.context import TidelineContext, requires
from handlers.organize import steps
from handlers.organize.flow import (
    CANCEL_SURE,
    CARD,
    CO_ORGANIZERS,
    EDIT_FIELD,
    MODE_MENU,
    OPTION,
    Awaiting,
    Next,
    Refused,
    Screen,
    Step,
    card_screen,
    end_prompt,
    focus,
    focused,
    int_args,
    list_screen,
    location_prompt,
    managed,
    refusal_text,
    retry,
    run,
    start_prompt,
    summary_screen,
)


@requires(Permission.ORGANIZE)
async def show_card(update: Update, context: TidelineContext) -> Next:
    (event_id,) = int_args(update)

    async def work(step: Step) -> Screen:
        return await card_screen(step, await managed(step, event_id, changing=False))

    return await run(update, context, work)


@requires(Permission.ORGANIZE)
async def publish(update: Update, context: TidelineContext) -> Next:
    (event_id,) = int_args(update)

    async def work(step: Step) -> Screen:
        t = step.t
        event = await managed(step, event_id, changing=True)
        if event.status != EventStatus.DRAFT:
            return await card_screen(step, event, t._("This event is already published."))
        if event.starts_at <= step.now:
            raise Refused(t._("The start has passed. Change the date and time first."))
        await publish_event(step.session, event, now=step.now)
        step.notes = steps.wizard_answers(step.notes)
        notice = t._("✅ Published. People can now find the event and register.")
        return await card_screen(step, event, notice, ConversationHandler.END)

    return await run(update, context, work)


@requires(Permission.ORGANIZE)
async def ask_cancel(update: Update, context: TidelineContext) -> Next:
    (event_id,) = int_args(update)

    async def work(step: Step) -> Screen:
        context, t = step.context, step.t
        event = await managed(step, event_id, changing=True)
        title = escape(steps.event_title(event, t.language))
        if event.status == EventStatus.DRAFT:
            text = t._("Discard the draft “{title}”? It will be deleted.").format(title=title)
            sure = t._("Yes, discard it")
        else:
            counts = await status_counts(step.session, event)
            active = sum(counts[status] for status in ACTIVE)
            text = t.ngettext(
                "Cancel “{title}”? {count} person registered will be told. This cannot be undone.",
                "Cancel “{title}”? {count} people registered will be told. This cannot be undone.",
                active,
            ).format(title=title, count=t.number(active))
            sure = t._("Yes, cancel the event")
        keyboard = [
            [context.button(sure, CANCEL_SURE, event.id)],
            [context.button(t._("No, keep it"), CARD, event.id)],
        ]
        return Screen(text, keyboard)

    return await run(update, context, work)


@requires(Permission.ORGANIZE)
async def confirm_cancel(update: Update, context: TidelineContext) -> Next:
    (event_id,) = int_args(update)

    async def work(step: Step) -> Screen:
        t = step.t
        event = await managed(step, event_id, changing=True)
        step.notes = steps.wizard_answers(step.notes)
        if event.status == EventStatus.DRAFT:
            await organizing.discard_draft(step.session, event)
            return await list_screen(step, 0, t._("The draft has been discarded."))
        await cancel_event(step.session, event, now=step.now)
        notice = t._("The event is cancelled. Everyone registered will be told.")
        return await card_screen(step, event, notice, ConversationHandler.END)

    return await run(update, context, work)


@requires(Permission.ORGANIZE)
async def show_edit_menu(update: Update, context: TidelineContext) -> Next:
    (event_id,) = int_args(update)

    async def work(step: Step) -> Screen:
        context, t = step.context, step.t
        event = await managed(step, event_id, changing=True)
        text = t._(
            "What do you want to change? Everyone registered hears about a new time, venue or "
            "cancellation deadline."
        )

        def option(label: str, state: Awaiting) -> InlineKeyboardButton:
            return context.button(label, OPTION, event.id, state)

        keyboard = [
            [
                context.button(t._("Date and time"), EDIT_FIELD, event.id, Awaiting.NEW_START),
                context.button(t._("Venue"), EDIT_FIELD, event.id, Awaiting.NEW_VENUE_NAME),
            ],
            [
                context.button(t._("Capacity"), EDIT_FIELD, event.id, Awaiting.NEW_CAPACITY),
                context.button(t._("How people register"), MODE_MENU, event.id),
            ],
            [
                option(t._("Registration deadline"), Awaiting.REGISTRATION_DEADLINE),
                option(t._("Cancellation deadline"), Awaiting.CANCELLATION_DEADLINE),
            ],
            [
                option(t._("Reminder time"), Awaiting.REMINDER_MINUTES),
                option(t._("Add a question"), Awaiting.QUESTION_KIND),
            ],
            [
                option(t._("Add another language"), Awaiting.TEXT_LANGUAGE),
                context.button(t._("Co-organizers"), CO_ORGANIZERS, event.id),
            ],
            [context.button(t._("« Back"), CARD, event.id)],
        ]
        return Screen(text, keyboard)

    return await run(update, context, work)


def _edit_prompt(step: Step, event: Event, state: Awaiting) -> Screen:
    t = step.t
    if state == Awaiting.NEW_START:
        current = t._("It now starts {start}.").format(
            start=escape(t.moment(event.starts_at, event.timezone))
        )
        return Screen(current + "\n" + start_prompt(step, event.timezone), None, state)
    if state == Awaiting.NEW_END:
        return Screen(end_prompt(t), None, state)
    if state == Awaiting.NEW_VENUE_NAME:
        current = t._("The venue is now {venue}.").format(venue=escape(event.venue_name))
        return Screen(current + "\n" + t._("What is the venue called?"), None, state)
    if state == Awaiting.NEW_ADDRESS:
        return Screen(t._("What is the venue's address?"), None, state)
    if state == Awaiting.NEW_LOCATION:
        return Screen(location_prompt(t), None, state)
    assert state == Awaiting.NEW_CAPACITY
    text = t._(
        "The event has {capacity} seats, {taken} taken. Type the new number of seats, from "
        "{low} to {high}. New seats are offered to the waitlist; nobody loses a seat they hold."
    ).format(
        capacity=t.number(event.capacity),
        taken=t.number(event.seats_taken),
        low=t.number(rules.CAPACITY_MIN),
        high=t.number(rules.CAPACITY_MAX),
    )
    return Screen(text, None, state)


@requires(Permission.ORGANIZE)
async def choose_edit(update: Update, context: TidelineContext) -> Next:
    event_id, field_name = button_args(update)

    async def work(step: Step) -> Screen:
        event = await managed(step, int(event_id), changing=True)
        focus(step, event)
        return _edit_prompt(step, event, Awaiting(field_name))

    return await run(update, context, work)


async def _changed(step: Step, event: Event) -> Screen:
    if event.status == EventStatus.DRAFT:
        # A draft, or a copy just made: nobody to tell, and it still needs publishing.
        return await summary_screen(step, event, step.t._("Saved."))
    step.notes = steps.wizard_answers(step.notes)
    notice = step.t._("Saved. Everyone registered will hear about the change.")
    return await card_screen(step, event, notice, ConversationHandler.END)


async def _apply_edit(
    step: Step,
    event: Event,
    state: Awaiting,
    text: str | None,
    location: tuple[float, float] | None,
) -> Screen:
    t, notes, session, now = step.t, step.notes, step.session, step.now
    if state == Awaiting.NEW_START:
        notes["new_start"] = steps.parse_start(t, text or "", event.timezone, now).isoformat()
        return _edit_prompt(step, event, Awaiting.NEW_END)
    if state == Awaiting.NEW_END:
        start = datetime.fromisoformat(notes["new_start"])
        end = steps.parse_end(t, text or "", event.timezone, start)
        await reschedule_event(session, event, starts_at=start, ends_at=end, now=now)
        return await _changed(step, event)
    if state == Awaiting.NEW_VENUE_NAME:
        notes["venue"] = [steps.parse_line(t, text or "", rules.VENUE_NAME_MAX_LENGTH)]
        return _edit_prompt(step, event, Awaiting.NEW_ADDRESS)
    if state == Awaiting.NEW_ADDRESS:
        notes["venue"] = [
            notes["venue"][0],
            steps.parse_line(t, text or "", rules.ADDRESS_MAX_LENGTH),
        ]
        return _edit_prompt(step, event, Awaiting.NEW_LOCATION)
    if state == Awaiting.NEW_LOCATION:
        latitude, longitude = location or steps.parse_coordinates(t, text or "")
        venue_name, address = notes["venue"]
        await move_venue(
            session,
            event,
            venue_name=venue_name,
            address=address,
            latitude=latitude,
            longitude=longitude,
            now=now,
        )
        return await _changed(step, event)
    assert state == Awaiting.NEW_CAPACITY
    capacity = steps.parse_whole_number(t, text or "", rules.CAPACITY_MIN, rules.CAPACITY_MAX)
    await change_capacity(session, event, capacity, now=now)
    step.notes = steps.wizard_answers(notes)
    notice = t._("Saved: {capacity} seats.").format(capacity=t.number(event.capacity))
    return await card_screen(step, event, notice, ConversationHandler.END)


def edit_answer(state: Awaiting) -> Callable[..., Any]:
    @requires(Permission.ORGANIZE)
    async def typed(update: Update, context: TidelineContext) -> Next:
        message = update.effective_message
        assert message is not None
        location = (
            (message.location.latitude, message.location.longitude) if message.location else None
        )

        async def work(step: Step) -> Screen:
            event = await focused(step)
            try:
                return await _apply_edit(step, event, state, message.text, location)
            except steps.Invalid as problem:
                return retry(step, problem, _edit_prompt(step, event, state))
            except EventRefused as refused:
                raise Refused(refusal_text(step.t, refused.refusal)) from None

        return await run(update, context, work, edit=False)

    return typed
